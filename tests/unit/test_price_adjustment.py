"""Seller price adjustment (改价): validation and the exact split over lines."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trade import domain
from zhongtai.common.v1.common_pb2 import Money
from zhongtai.errors import FailedPrecondition, InvalidArgument, PermissionDenied
from zhongtai.trade.v1 import trade_pb2 as pb


def cny(amount: int) -> Money:
    return Money(currency_code="CNY", amount_minor=amount)


def order(actuals: list[int], *, status: pb.OrderStatus = domain.WAIT_PAY, card: int = 0,
          freight: int = 0, adjust: int = 0, seller: str = "s1") -> pb.Order:
    """A top-level order over lines of these actual amounts before adjustment
    (what the buyer pays for each through payment), ``card`` more paid by a
    stored-value card (on the first line), and ``freight``."""
    shares = domain.split_adjustment(adjust, actuals) if adjust else [0] * len(actuals)
    lines = [pb.Order(order_id=f"l{i}", parent_id="m" if len(actuals) > 1 else "",
                      seller_id=seller, total_amount=cny(a + (card if i == 0 else 0)),
                      adjust_amount=cny(x), actual_amount=cny(a + x),
                      discount_amount=cny(card if i == 0 else 0))
             for i, (a, x) in enumerate(zip(actuals, shares, strict=True))]
    base = sum(actuals)
    pay = pb.PayOrder(total_amount=cny(base + card), adjust_amount=cny(adjust),
                      stored_value_amount=cny(card), freight_amount=cny(freight),
                      actual_amount=cny(base + adjust + freight))
    if len(actuals) == 1:
        o = lines[0]
        o.order_id, o.status = "m", status
        o.pay_order.CopyFrom(pay)
        return o
    return pb.Order(order_id="m", is_main=True, seller_id=seller, status=status,
                    total_amount=cny(base + card), adjust_amount=cny(adjust),
                    actual_amount=cny(base + adjust), sub_orders=lines, pay_order=pay)


def request(amount: int, seller_id: str = "s1") -> pb.AdjustPriceRequest:
    return pb.AdjustPriceRequest(order_id="m", seller_id=seller_id, adjust_amount=cny(amount))


def test_a_cut_is_split_in_proportion_and_adds_up() -> None:
    plan = domain.plan_price_adjustment(order([3000, 1000]), request(-1000))
    assert plan.lines == {"l0": (-750, 2250), "l1": (-250, 750)}
    assert (plan.adjust, plan.pay_actual, plan.top_actual, plan.previous) == (
        -1000, 3000, 3000, 0)


def test_a_new_adjustment_replaces_the_previous_one() -> None:
    plan = domain.plan_price_adjustment(order([3000, 1000], adjust=-1000), request(200))
    assert plan.previous == -1000
    assert plan.pay_actual == 4200 and plan.top_actual == 4200
    assert sum(a for a, _ in plan.lines.values()) == 200
    assert sum(actual for _, actual in plan.lines.values()) == 4200


def test_a_single_order_takes_the_whole_adjustment() -> None:
    plan = domain.plan_price_adjustment(order([999]), request(-998))
    assert plan.lines == {"m": (-998, 1)} and plan.pay_actual == 1


def test_a_cut_never_makes_a_line_negative() -> None:
    # 3 lines of 1 and one of 1000: the plain split would put the remainder last.
    shares = domain.split_adjustment(-1002, [1, 1, 1000, 1])
    assert sum(shares) == -1002
    assert all(-s <= w for s, w in zip(shares, [1, 1, 1000, 1], strict=True))


@given(st.lists(st.integers(0, 10**7), min_size=1, max_size=8).filter(lambda w: sum(w) > 0),
       st.data())
def test_split_is_exact_and_bounded(weights: list[int], data: st.DataObject) -> None:
    adjust = data.draw(st.integers(-sum(weights), 10**8))
    shares = domain.split_adjustment(adjust, weights)
    assert sum(shares) == adjust
    assert all(w + s >= 0 for w, s in zip(weights, shares, strict=True))


def test_the_amount_left_to_pay_must_stay_at_least_one_minor_unit() -> None:
    with pytest.raises(InvalidArgument) as e:
        domain.plan_price_adjustment(order([1000, 500]), request(-1500))
    assert [v.field for v in e.value.violations] == ["adjust_amount"]
    # The card pays part of it: only what goes through payment can be cut.
    with pytest.raises(InvalidArgument):
        domain.plan_price_adjustment(order([600], card=400), request(-600))
    plan = domain.plan_price_adjustment(order([600], card=400), request(-599))
    assert (plan.pay_actual, plan.lines) == (1, {"m": (-599, 1)})


def test_a_cut_reaches_neither_the_freight_nor_what_the_card_paid() -> None:
    # 5.00 of goods to pay, 10.00 freight: 5.01 off would leave 9.99 to pay
    # but take the goods below zero.
    with pytest.raises(InvalidArgument) as e:
        domain.plan_price_adjustment(order([500], freight=1000), request(-501))
    assert [v.field for v in e.value.violations] == ["adjust_amount"]
    plan = domain.plan_price_adjustment(order([500], freight=1000), request(-500))
    assert (plan.pay_actual, plan.top_actual, plan.lines) == (1000, 0, {"m": (-500, 0)})
    # The card paid all the goods: nothing of them to cut; a raise is spread evenly.
    paid_by_card = order([0, 0], card=3000, freight=800)
    with pytest.raises(InvalidArgument):
        domain.plan_price_adjustment(paid_by_card, request(-1))
    plan = domain.plan_price_adjustment(paid_by_card, request(101))
    assert plan.lines == {"l0": (50, 50), "l1": (51, 51)} and plan.pay_actual == 901


@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=5), st.integers(0, 10**6),
       st.integers(0, 5000), st.integers(-2 * 10**6, 10**6))
def test_an_adjustment_is_exact_and_never_takes_a_line_below_zero(
        actuals: list[int], card: int, freight: int, adjust: int) -> None:
    try:
        plan = domain.plan_price_adjustment(order(actuals, card=card, freight=freight),
                                            request(adjust))
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
                                    if s not in domain.PRICE_ADJUSTABLE])
def test_only_an_unpaid_order_can_be_adjusted(status: pb.OrderStatus) -> None:
    with pytest.raises(FailedPrecondition) as e:
        domain.plan_price_adjustment(order([1000], status=status), request(-100))
    assert e.value.reason == "PRICE_NOT_ADJUSTABLE"


def test_waiting_for_the_seller_can_be_adjusted() -> None:
    plan = domain.plan_price_adjustment(order([1000], status=domain.WAIT_SELLER_CONFIRM),
                                        request(100))
    assert plan.pay_actual == 1100


def test_only_the_orders_one_seller_can_adjust() -> None:
    with pytest.raises(PermissionDenied) as e:
        domain.plan_price_adjustment(order([1000]), request(-1, seller_id="s2"))
    assert e.value.reason == "NOT_A_PARTY_TO_THE_ORDER"
    with pytest.raises(FailedPrecondition) as e:
        domain.plan_price_adjustment(order([1000, 100], seller=""), request(-1))
    assert e.value.reason == "MULTI_SELLER_ORDER"


def test_request_checks() -> None:
    with pytest.raises(InvalidArgument) as e:
        domain.plan_price_adjustment(order([1000]), pb.AdjustPriceRequest(
            order_id="m", seller_id="s1",
            adjust_amount=Money(currency_code="USD", amount_minor=-1), reason="x" * 501))
    assert {v.field for v in e.value.violations} == {"adjust_amount", "reason"}
    with pytest.raises(InvalidArgument) as e:
        domain.plan_price_adjustment(order([1000]), pb.AdjustPriceRequest(order_id="m"))
    assert {v.field for v in e.value.violations} == {"seller_id", "adjust_amount"}
