"""The arithmetic of after-sales refunds (trade.order.refunds) and its
properties on whole orders (hypothesis): refunding every line in random
partial claims gives back exactly the cash and freight paid, every
deduction (points and the card among them) and each bearer's share, to the
cent — but a freight reduction, which is not the goods' and of which the
freight refunded is already net; no claim ever goes above a cap nor returns
a negative part."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.trade_support import (
    CARD,
    FREIGHT_REDUCTION,
    POINTS,
    POLICY,
    T0,
    line,
    paid,
    paid_presale,
)
from trade.order import Deduction, Order
from trade.order.refunds import (
    DeductionBack,
    PayOrderRoom,
    Refunded,
    RefundPayment,
    RefundPlan,
    allot_line,
    split_cash,
)
from trade.order.states import BALANCE, DEPOSIT
from zhongtai.errors import ZhongtaiError
from zhongtai.trade.v1 import trade_pb2 as pb

REFUND_ONLY = pb.REFUND_KIND_REFUND_ONLY


def test_the_last_claim_of_a_line_takes_the_remainders() -> None:
    parts = [Deduction(POINTS, "pts", 100, 70, 30), Deduction(7, "c1", 33, 0, 33)]
    first = allot_line(1000, 3, parts, Refunded(), 333, 1)
    assert [(d.amount, d.platform_amount, d.merchant_amount) for d in first.deductions] == \
        [(33, 23, 10), (10, 0, 10)]
    last = allot_line(1000, 3, parts, first.after, 667, 2)
    assert [(d.amount, d.platform_amount) for d in last.deductions] == [(67, 47), (23, 0)]
    assert last.after == Refunded(1000, 3, ((100, 70), (33, 0)))


def test_a_line_paid_by_points_and_the_card_alone_refunds_by_units() -> None:
    parts = [Deduction(POINTS, "pts", 500, 500, 0), Deduction(CARD, "card", 499, 499, 0)]
    one = allot_line(0, 3, parts, Refunded(), 0, 1)
    assert [d.amount for d in one.deductions] == [166, 166]
    rest = allot_line(0, 3, parts, one.after, 0, 2)
    assert [d.amount for d in rest.deductions] == [334, 333]


def test_cash_is_taken_from_the_balance_before_the_deposit() -> None:
    rooms = [PayOrderRoom("d", "pay-d", DEPOSIT, 1000), PayOrderRoom("b", "pay-b", BALANCE, 300)]
    assert split_cash(800, rooms) == (RefundPayment("b", "pay-b", 300),
                                     RefundPayment("d", "pay-d", 500))


def test_a_plan_survives_its_json() -> None:
    plan = RefundPlan(application_id="a1", line_order_id="l1", kind=REFUND_ONLY, quantity=2,
                      cash=500, freight=10, units=2, payments=(RefundPayment("po", "pay", 510),),
                      deductions=(DeductionBack(POINTS, "pts", 5, 5, 0),),
                      restore_coupons=True, restock_quantity=2)
    assert RefundPlan.from_json(plan.to_json()) == plan


def refund(order: Order, app: str, line_id: str, cash: int, units: int) -> RefundPlan:
    """Open, agree and refund one claim (the order's buyer applies)."""
    order.open_refund(application_id=app, line_order_id=line_id, buyer_id=order.buyer_id,
                      kind=REFUND_ONLY, quantity=units, amount=cash, now=T0)
    plan = order.agree_refund(app, amount=None, quantity=None, now=T0)
    order.finish_refund(app, refunded=True, return_shipping=0, by_seller=False, now=T0,
                        policy=POLICY)
    return plan


@st.composite
def orders(draw: st.DrawFn) -> Order:
    lines = []
    for i in range(draw(st.integers(1, 3))):
        price, quantity = draw(st.integers(1, 5000)), draw(st.integers(1, 4))
        deductions, left = [], price * quantity
        for kind in draw(st.lists(st.sampled_from([POINTS, CARD, 7, 8]), max_size=3)):
            amount = draw(st.integers(0, left))
            platform = draw(st.integers(0, amount))
            deductions.append(Deduction(kind, f"s{len(deductions)}", amount, platform,
                                        amount - platform))
            left -= amount
        freight = draw(st.integers(0, 800)) if i == 0 else 0
        if freight and draw(st.booleans()):
            # The seller's freight reduction, anywhere among the deductions.
            amount = draw(st.integers(1, freight))
            platform = draw(st.integers(0, amount))
            deductions.insert(draw(st.integers(0, len(deductions))), Deduction(
                FREIGHT_REDUCTION, "fr", amount, platform, amount - platform))
        lines.append(line(f"l{i}", price=price, quantity=quantity, deductions=deductions,
                          freight=freight))
    return paid(*lines, order_id="m")


@settings(max_examples=150, deadline=None)
@given(order=orders(), data=st.data())
def test_refunding_every_line_in_parts_gives_back_exactly_what_was_paid(
        order: Order, data: st.DataObject) -> None:
    paid_cash = sum(p.actual for p in order.pay_orders)
    plans = []
    for x in order.lines:
        for n in itertools.count():
            if x.refunded_in_full:
                break
            cash_left, claimable = order.max_refundable(x)[0], order.max_claim_units(x)
            for over in ((cash_left + 1, 1), (0, claimable + 1)):  # never above a cap
                with pytest.raises(ZhongtaiError) as e:
                    order.open_refund(application_id="over", line_order_id=x.order_id,
                                      buyer_id="b1", kind=REFUND_ONLY, quantity=over[1],
                                      amount=over[0], now=T0)
                assert e.value.reason == "REFUND_AMOUNT_EXCEEDED"
            # Any part of what is left (all the units with part of the cash
            # among them), or, now and then, the rest.
            cash = data.draw(st.integers(0, cash_left))
            units = data.draw(st.integers(1, claimable))
            if n > 4 or data.draw(st.booleans()):
                cash, units = cash_left, claimable
            plans.append(refund(order, f"a{len(plans)}", x.order_id, cash, units))
    assert all(p.cash >= 0 and all(d.amount >= 0 and d.platform_amount >= 0
                                   and d.merchant_amount >= 0 for d in p.deductions)
               for p in plans)
    assert sum(p.cash + p.freight for p in plans) == paid_cash
    assert sum(s.amount for p in plans for s in p.payments) == paid_cash
    # The freight paid: the freight less its reduction.
    assert [p.freight for p in plans if p.freight] in (
        [], [order.freight - order.freight_reduction])
    for x in order.lines:
        mine = [d for p in plans if p.line_order_id == x.order_id for d in p.deductions]
        for i, d in enumerate(x.deductions):
            back = mine[i::len(x.deductions)]
            whole = d.kind != FREIGHT_REDUCTION  # a freight reduction returns nothing
            assert sum(b.amount for b in back) == (d.amount if whole else 0)
            assert sum(b.platform_amount for b in back) == (d.platform_amount if whole else 0)
    assert [p.restore_coupons for p in plans].count(True) == 1 and plans[-1].restore_coupons
    assert order.status == pb.ORDER_STATUS_CANCELLED
    assert order.close is not None and order.close.reason == pb.CLOSE_REASON_REFUNDED
    assert order.pay_status == pb.PAY_STATUS_REFUNDED


def test_a_presale_order_refunds_its_balance_then_its_deposit() -> None:
    order = paid_presale(price=10000, quantity=2, deposit=1000, freight=500,
                         deductions=[Deduction(POINTS, "pts", 3000, 3000, 0)])
    deposit, balance = order.pay_orders
    assert (deposit.actual, balance.actual) == (2000, 15500)
    first = refund(order, "a1", "p", 16000, 1)
    assert first.payments == (RefundPayment(balance.pay_order_id, "pay-b", 15500),
                              RefundPayment(deposit.pay_order_id, "pay-d", 500))
    assert first.points == 3000 * 16000 // 17000
    last = refund(order, "a2", "p", 1000, 1)
    assert last.freight == 500 and last.points == 3000 - first.points
    assert last.payments == (RefundPayment(deposit.pay_order_id, "pay-d", 1500),)
    assert [p.status for p in order.pay_orders] == [pb.PAY_STATUS_REFUNDED] * 2


def test_a_line_refunded_unit_by_unit_then_the_rest_of_its_cash() -> None:
    """Every unit refunded for part of its cash; the rest of the cash by a
    claim naming units already refunded (they are not refunded twice)."""
    order = paid(line("a", price=10_000, quantity=1), order_id="a")
    first = refund(order, "a1", "a", 6_000, 1)
    assert (order.max_refundable(order.lines[0]), order.max_claim_units(order.lines[0])) == \
        ((4_000, 0), 1)
    rest = refund(order, "a2", "a", 4_000, 1)
    assert (first.units, first.restock_quantity, rest.units, rest.restock_quantity) == \
        (1, 1, 0, 0)
    assert order.lines[0].refunded == Refunded(10_000, 1, ())
    assert order.status == pb.ORDER_STATUS_CANCELLED
