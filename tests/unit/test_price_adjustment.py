"""Seller price adjustment (改价): validation and the exact split over lines."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.trade_support import (
    CARD,
    OPS,
    POLICY,
    T0,
    deduction,
    line,
    memory,
    placed,
    seller,
)
from trade.adjust_price import adjust_price
from trade.order import Order, Party
from trade.order import events as de
from trade.order.aggregate import PRICE_ADJUSTABLE
from trade.order.amounts import split_adjustment
from trade.order.states import WAIT_PAY, WAIT_SELLER_CONFIRM
from zhongtai.auth import Identity
from zhongtai.errors import FailedPrecondition, InvalidArgument, PermissionDenied
from zhongtai.trade.v1 import trade_pb2 as pb


def order(actuals: list[int], *, status: int = WAIT_PAY, card: int = 0,
          freight: int = 0, adjust: int = 0, seller: str = "s1") -> Order:
    """A top-level order over lines of these actual amounts before adjustment
    (what the buyer pays for each through payment), ``card`` more paid by a
    stored-value card (on the first line), and ``freight``."""
    lines = [line(f"l{i}", seller=seller, price=a + (card if i == 0 else 0),
                  deductions=[deduction(CARD, card)] if i == 0 and card else [],
                  freight=freight if i == 0 else 0)
             for i, a in enumerate(actuals)]
    o = placed(*lines)
    o.creation_succeeded(T0, POLICY)
    if adjust:
        o.adjust_price(Party.seller(seller), adjust, "", T0)
    o.pull()
    o.status = status
    return o


@dataclass(frozen=True)
class Plan:
    previous: int
    adjust: int
    pay_actual: int
    top_actual: int
    lines: dict[str, tuple[int, int]]


def plan_price_adjustment(o: Order, amount: int, seller_id: str = "s1") -> Plan:
    """Adjust ``o`` and read back what changed."""
    o.adjust_price(Party.seller(seller_id), amount, "", T0)
    [event] = o.pull()[0]
    assert isinstance(event, de.OrderPriceAdjusted)
    return Plan(event.previous_adjust, o.adjust, o.pay_orders[0].actual, o.actual,
                {x.order_id: (x.adjust, x.actual) for x in o.lines})


def test_a_cut_is_split_in_proportion_and_adds_up() -> None:
    plan = plan_price_adjustment(order([3000, 1000]), -1000)
    assert plan.lines == {"l0": (-750, 2250), "l1": (-250, 750)}
    assert (plan.adjust, plan.pay_actual, plan.top_actual, plan.previous) == (
        -1000, 3000, 3000, 0)


def test_a_new_adjustment_replaces_the_previous_one() -> None:
    plan = plan_price_adjustment(order([3000, 1000], adjust=-1000), 200)
    assert plan.previous == -1000
    assert plan.pay_actual == 4200 and plan.top_actual == 4200
    assert sum(a for a, _ in plan.lines.values()) == 200
    assert sum(actual for _, actual in plan.lines.values()) == 4200


def test_a_single_order_takes_the_whole_adjustment() -> None:
    plan = plan_price_adjustment(order([999]), -998)
    assert plan.lines == {"m": (-998, 1)} and plan.pay_actual == 1


def test_a_cut_never_makes_a_line_negative() -> None:
    # 3 lines of 1 and one of 1000: the plain split would put the remainder last.
    shares = split_adjustment(-1002, [1, 1, 1000, 1])
    assert sum(shares) == -1002
    assert all(-s <= w for s, w in zip(shares, [1, 1, 1000, 1], strict=True))


@given(st.lists(st.integers(0, 10**7), min_size=1, max_size=8).filter(lambda w: sum(w) > 0),
       st.data())
def test_split_is_exact_and_bounded(weights: list[int], data: st.DataObject) -> None:
    adjust = data.draw(st.integers(-sum(weights), 10**8))
    shares = split_adjustment(adjust, weights)
    assert sum(shares) == adjust
    assert all(w + s >= 0 for w, s in zip(weights, shares, strict=True))


def test_the_amount_left_to_pay_must_stay_at_least_one_minor_unit() -> None:
    with pytest.raises(InvalidArgument) as e:
        plan_price_adjustment(order([1000, 500]), -1500)
    assert [v.field for v in e.value.violations] == ["adjust_amount"]
    # The card pays part of it: only what goes through payment can be cut.
    with pytest.raises(InvalidArgument):
        plan_price_adjustment(order([600], card=400), -600)
    plan = plan_price_adjustment(order([600], card=400), -599)
    assert (plan.pay_actual, plan.lines) == (1, {"m": (-599, 1)})


def test_a_cut_reaches_neither_the_freight_nor_what_the_card_paid() -> None:
    # 5.00 of goods to pay, 10.00 freight: 5.01 off would leave 9.99 to pay
    # but take the goods below zero.
    with pytest.raises(InvalidArgument) as e:
        plan_price_adjustment(order([500], freight=1000), -501)
    assert [v.field for v in e.value.violations] == ["adjust_amount"]
    plan = plan_price_adjustment(order([500], freight=1000), -500)
    assert (plan.pay_actual, plan.top_actual, plan.lines) == (1000, 0, {"m": (-500, 0)})
    # The card paid all the goods: nothing of them to cut; a raise is spread evenly.
    paid_by_card = order([0, 0], card=3000, freight=800)
    with pytest.raises(InvalidArgument):
        plan_price_adjustment(paid_by_card, -1)
    plan = plan_price_adjustment(paid_by_card, 101)
    assert plan.lines == {"l0": (50, 50), "l1": (51, 51)} and plan.pay_actual == 901


@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=5), st.integers(0, 10**6),
       st.integers(0, 5000), st.integers(-2 * 10**6, 10**6))
def test_an_adjustment_is_exact_and_never_takes_a_line_below_zero(
        actuals: list[int], card: int, freight: int, adjust: int) -> None:
    try:
        plan = plan_price_adjustment(order(actuals, card=card, freight=freight), adjust)
    except InvalidArgument:
        # Refused exactly when too little would be left to pay, or the cut
        # would reach beyond the goods paid through payment.
        assert sum(actuals) + freight + adjust < 1 or -adjust > sum(actuals)
        return
    assert all(actual >= 0 for _, actual in plan.lines.values())
    assert sum(x for x, _ in plan.lines.values()) == adjust
    assert sum(actual for _, actual in plan.lines.values()) == plan.top_actual
    assert plan.pay_actual == plan.top_actual + freight >= 1


@pytest.mark.parametrize("status", [s for s in pb.OrderStatus.values()
                                    if s not in PRICE_ADJUSTABLE])
def test_only_an_unpaid_order_can_be_adjusted(status: pb.OrderStatus) -> None:
    with pytest.raises(FailedPrecondition) as e:
        plan_price_adjustment(order([1000], status=status), -100)
    assert e.value.reason == "PRICE_NOT_ADJUSTABLE"


def test_waiting_for_the_seller_can_be_adjusted() -> None:
    plan = plan_price_adjustment(order([1000], status=WAIT_SELLER_CONFIRM), 100)
    assert plan.pay_actual == 1100


def test_only_the_orders_one_seller_can_adjust() -> None:
    with pytest.raises(PermissionDenied) as e:
        plan_price_adjustment(order([1000]), -1, seller_id="s2")
    assert e.value.reason == "NOT_A_PARTY_TO_THE_ORDER"
    with pytest.raises(FailedPrecondition) as e:
        plan_price_adjustment(order([1000, 100], seller=""), -1)
    assert e.value.reason == "MULTI_SELLER_ORDER"


async def test_request_checks_and_who_may_adjust() -> None:
    uow = memory()
    async with uow:
        await uow.orders.add(order([1000]))

    async def adjust(caller: Identity, seller_id: str = "", amount: int | None = -1,
                     currency: str = "CNY") -> Order:
        async with uow:
            return await adjust_price(uow, order_id="m", caller=caller, seller_id=seller_id,
                                      adjust=amount, currency=currency, reason="",
                                      clock=lambda: T0)

    for amount, currency in ((-1, "USD"), (None, "")):
        with pytest.raises(InvalidArgument) as e:
            await adjust(seller(), amount=amount, currency=currency)
        assert {v.field for v in e.value.violations} == {"adjust_amount"}
    # The seller comes from the credential: another shop's is not a party;
    # naming a seller the credential does not act for is refused as such.
    with pytest.raises(PermissionDenied) as e:
        await adjust(seller("s2"))
    assert e.value.reason == "NOT_A_PARTY_TO_THE_ORDER"
    with pytest.raises(PermissionDenied) as e:
        await adjust(seller(), seller_id="s2")
    assert e.value.reason == "SUBJECT_MISMATCH"
    assert uow.order("m").adjust == 0
    # The seller itself, or an operator on its behalf (naming it or not).
    assert (await adjust(seller(), seller_id="s1", amount=-2)).adjust == -2
    assert (await adjust(OPS, amount=-3)).adjust == -3
    with pytest.raises(PermissionDenied):
        await adjust(OPS, seller_id="s2")
