"""trade's one rule for taking a payment part (``trade.order.payability``): a
table of cases and, as a property, that the reason is the first defect in
the documented order, whatever combination of defects a part has."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.builders import cny
from tests.trade_support import T0, line, pay_order
from trade.order import Order, payability
from zhongtai.common.v1.common_pb2 import Money
from zhongtai.trade.v1 import trade_pb2 as pb
from zhongtai.wire import money

START, END = T0, T0 + dt.timedelta(days=1)
R = pb.PaymentRejectionReason


def order(status: int = pb.ORDER_STATUS_WAIT_PAY, kind: int = pb.PAY_ORDER_KIND_FULL,
          payment_id: str = "", buyer: str = "b1") -> Order:
    return Order(order_id="o1", buyer_id=buyer, currency="CNY", lines=[line("o1")],
                 pay_orders=[pay_order(kind, payment_id=payment_id, window=(START, END))],
                 created_at=T0, updated_at=T0, status=status)


def reason(o: Order | None, *, pay_order_id: str = "po1", order_id: str = "o1",
           buyer_id: str = "b1", amount: Money | None = None, at: dt.datetime = T0) -> str:
    amount = amount or cny(3000)
    rejection = payability(o, pay_order_id, order_id=order_id, buyer_id=buyer_id,
                           currency=amount.currency_code, amount=amount.amount_minor, at=at)
    return "" if rejection is None else rejection.name


BALANCE_DUE = {"status": pb.ORDER_STATUS_WAIT_PAY_BALANCE, "kind": pb.PAY_ORDER_KIND_BALANCE}


@pytest.mark.parametrize(("o", "kw", "expected"), [
    (order(), {}, ""),
    (None, {}, "PAY_ORDER_NOT_FOUND"),
    (order(), {"pay_order_id": "po2"}, "PAY_ORDER_NOT_FOUND"),
    (order(), {"order_id": "o2"}, "ORDER_MISMATCH"),
    (order(), {"buyer_id": "stranger"}, "BUYER_MISMATCH"),
    (order(payment_id="p1"), {"buyer_id": "stranger"}, "BUYER_MISMATCH"),
    (order(payment_id="p1"), {}, "ALREADY_PAID"),
    (order(pb.ORDER_STATUS_WAIT_SHIP, payment_id="p1"), {}, "ALREADY_PAID"),
    (order(pb.ORDER_STATUS_CANCELLED), {}, "ORDER_NOT_PAYABLE"),
    (order(pb.ORDER_STATUS_WAIT_SELLER_CONFIRM), {}, "ORDER_NOT_PAYABLE"),
    (order(pb.ORDER_STATUS_CANCELLED), {"amount": cny(1)}, "ORDER_NOT_PAYABLE"),
    (order(kind=pb.PAY_ORDER_KIND_DEPOSIT), {}, ""),
    (order(pb.ORDER_STATUS_WAIT_PAY_BALANCE, pb.PAY_ORDER_KIND_DEPOSIT), {},
     "ORDER_NOT_PAYABLE"),
    # A balance while the deposit is unpaid: not payable, whatever the window.
    (order(kind=pb.PAY_ORDER_KIND_BALANCE), {}, "ORDER_NOT_PAYABLE"),
    (order(**BALANCE_DUE), {"at": START}, ""),
    (order(**BALANCE_DUE), {"at": END}, ""),
    (order(**BALANCE_DUE), {"at": START - dt.timedelta(microseconds=1)},
     "OUTSIDE_BALANCE_WINDOW"),
    (order(**BALANCE_DUE), {"at": END + dt.timedelta(microseconds=1)},
     "OUTSIDE_BALANCE_WINDOW"),
    (order(), {"amount": cny(1)}, "AMOUNT_MISMATCH"),
    (order(), {"amount": cny(3001)}, "AMOUNT_MISMATCH"),
    (order(), {"amount": money("USD", 3000)}, "AMOUNT_MISMATCH"),
])
def test_payability(o: Order | None, kw: dict[str, object], expected: str) -> None:
    assert reason(o, **kw) == expected  # type: ignore[arg-type]


def test_a_rejection_reads_as_its_reason_and_detail() -> None:
    rejection = payability(order(), "po1", order_id="o1", buyer_id="b1", currency="CNY",
                           amount=1, at=T0)
    assert rejection is not None and rejection.reason == pb.PAYMENT_REJECTION_REASON_AMOUNT_MISMATCH
    assert str(rejection) == "AMOUNT_MISMATCH: order o1 costs 3000 CNY, 1 CNY was asked"


DEFECTS = ["ORDER_MISMATCH", "BUYER_MISMATCH", "ALREADY_PAID", "ORDER_NOT_PAYABLE",
           "OUTSIDE_BALANCE_WINDOW", "AMOUNT_MISMATCH"]


@given(st.sets(st.sampled_from(DEFECTS)), st.integers(1, 10**6))
def test_the_reason_is_the_first_defect_in_order(defects: set[str], amount: int) -> None:
    """The documented order, ``PaymentRejectionReason``'s numbering, decides."""
    o = order(pb.ORDER_STATUS_CANCELLED if "ORDER_NOT_PAYABLE" in defects
              else pb.ORDER_STATUS_WAIT_PAY_BALANCE, pb.PAY_ORDER_KIND_BALANCE,
              payment_id="p1" if "ALREADY_PAID" in defects else "")
    got = reason(o, order_id="o2" if "ORDER_MISMATCH" in defects else "o1",
                 buyer_id="stranger" if "BUYER_MISMATCH" in defects else "b1",
                 amount=cny(3000 + amount if "AMOUNT_MISMATCH" in defects else 3000),
                 at=END + dt.timedelta(seconds=1) if "OUTSIDE_BALANCE_WINDOW" in defects
                 else START)
    first = min(defects, key=lambda d: R.Value(f"PAYMENT_REJECTION_REASON_{d}"), default="")
    assert got == first
