"""The quote engine: properties over random carts, and the seeds' examples."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from promotion.engine import (
    BPS,
    ORDER_KINDS,
    Benefit,
    Cart,
    Coupon,
    CouponRule,
    ItemPromotion,
    Kind,
    Ladder,
    Line,
    OrderPromotion,
    Policy,
    Scope,
    quote,
)
from tests.quote_engine_support import (
    carts,
    check_invariants,
    line,
    policies,
    within_cap,
)
from zhongtai.errors import FailedPrecondition, InvalidArgument


@settings(max_examples=400, deadline=None)
@given(cart=carts(), policy=policies)
def test_quotes_are_exact_non_negative_and_deterministic(cart: Cart, policy: Policy) -> None:
    try:
        q = quote(cart, policy)
    except InvalidArgument:
        return
    except FailedPrecondition as e:
        assert e.reason == "POINTS_OVER_LIMIT"
        assert cart.points > int(e.metadata["points_max"])
        cart = within_cap(cart, policy)
        q = quote(cart, policy)
    check_invariants(cart, policy, q)
    again = quote(cart, policy)
    assert [(lq.line, lq.deductions) for lq in again.lines] == [
        (lq.line, lq.deductions) for lq in q.lines]
    assert again.totals == q.totals


def test_seed_004_over_discount_is_capped_at_the_floor_or_refused() -> None:
    cart = Cart(lines=(line("a", "s1", 100_000),), coupons=(
        Coupon("shop", Kind.SHOP_COUPON, CouponRule.FULL_REDUCTION, Scope(seller_id="s1"),
               threshold=100_000, amount_off=70_000),
        Coupon("platform", Kind.PLATFORM_COUPON, CouponRule.FULL_REDUCTION, Scope(),
               threshold=100_000, amount_off=90_000, platform_share_bps=10_000)))
    q = quote(cart, Policy())
    assert q.payable == 1  # 0.01, never free or negative
    assert [(t.source_id, t.amount, t.offered) for t in q.totals] == [
        ("shop", 70_000, 70_000), ("platform", 29_999, 90_000)]
    with pytest.raises(FailedPrecondition) as e:
        quote(cart, Policy(refuse_over_discount=True))
    assert e.value.reason == "OVER_DISCOUNT"
    assert quote(cart, Policy(floor=0)).payable == 0  # a policy may allow free orders


def test_shop_full_reduction_is_allocated_by_amount_with_the_remainder_last() -> None:
    cart = Cart(lines=(line("a", "s1", 3333), line("b", "s1", 3333), line("c", "s1", 3333)),
                order_promotions=(OrderPromotion("full", Kind.SHOP_PROMOTION,
                                                 Scope(seller_id="s1"),
                                                 (Ladder(5000, 500), Ladder(9000, 1000))),))
    q = quote(cart, Policy())
    assert [lq.deducted for lq in q.lines] == [333, 333, 334]  # the higher step, 10.00
    assert q.payable == 9999 - 1000


def test_item_level_takes_the_best_single_promotion_and_flash_sale_excludes_coupons() -> None:
    a = line("a", "s1", 1000, qty=3)
    cart = Cart(lines=(a, line("b", "s1", 1000)), buyer_is_vip=False, item_promotions=(
        ItemPromotion("direct", Kind.ITEM_DIRECT_REDUCTION, Scope(sku_ids=frozenset({"a"})),
                      amount_off=100),
        ItemPromotion("flash", Kind.FLASH_SALE, Scope(sku_ids=frozenset({"a"})), price=500,
                      units_left=2),
        ItemPromotion("vip", Kind.VIP_PRICE, Scope(sku_ids=frozenset({"a"})), price=1),
    ), coupons=(Coupon("c", Kind.SHOP_COUPON, CouponRule.NO_THRESHOLD,
                       Scope(seller_id="s1"), amount_off=100),))
    q = quote(cart, Policy())
    a_q, b_q = q.lines
    # flash: 2 units at 5.00 off = 10.00 > direct 3 x 1.00; VIP not for this buyer
    assert [(d.kind, d.amount) for d in a_q.deductions] == [(Kind.FLASH_SALE, 1000)]
    assert [(d.kind, d.amount) for d in b_q.deductions] == [(Kind.SHOP_COUPON, 100)]
    vip = quote(Cart(lines=(a,), buyer_is_vip=True, item_promotions=cart.item_promotions),
                Policy())
    assert [(d.kind, d.amount) for d in vip.lines[0].deductions] == [(Kind.VIP_PRICE, 2997)]


def test_coupon_threshold_sees_the_amount_after_promotions() -> None:
    lines = (line("a", "s1", 10_000),)
    promo = OrderPromotion("p", Kind.SHOP_PROMOTION, Scope(seller_id="s1"),
                           (Ladder(10_000, 1_000),))
    coupon = Coupon("c", Kind.SHOP_COUPON, CouponRule.FULL_REDUCTION, Scope(seller_id="s1"),
                    threshold=10_000, amount_off=500)
    q = quote(Cart(lines=lines, order_promotions=(promo,), coupons=(coupon,)), Policy())
    assert q.unused_coupons == ["c"] and q.payable == 9_000
    coupons_first = Policy(order=(Kind.SHOP_COUPON, Kind.SHOP_PROMOTION, *(
        k for k in ORDER_KINDS if k not in (Kind.SHOP_COUPON, Kind.SHOP_PROMOTION))))
    q = quote(Cart(lines=lines, order_promotions=(promo,), coupons=(coupon,)), coupons_first)
    assert q.unused_coupons == [] and q.payable == 10_000 - 500  # ladder no longer reached


def test_points_over_the_share_are_refused_with_the_most_the_order_can_use() -> None:
    policy = Policy(points_per_unit=100, points_max_share_bps=2_000)
    cart = Cart(lines=(line("a", "s1", 10_000),), points=100_000)
    with pytest.raises(FailedPrecondition) as e:
        quote(cart, policy)
    assert e.value.reason == "POINTS_OVER_LIMIT"
    assert e.value.metadata == {"points_max": "2000", "requested": "100000"}
    assert [v.type for v in e.value.violations] == ["POINTS_LIMIT"]
    q = quote(dataclasses.replace(cart, points=2_000), policy)
    assert q.deducted == 2_000 and q.points_used == 2_000 and q.points_max == 2_000
    # Reported when no points are asked, for the checkout page.
    assert quote(dataclasses.replace(cart, points=0), policy).points_max == 2_000
    # 10 points per fen: 159 points are worth 15 fen (rounding down), 150 of
    # them pay it and 9 stay in the account; 160 would be worth 16 > 15.
    tiny = Policy(points_per_unit=1000, points_max_share_bps=15)
    q = quote(Cart(lines=(line("a", "s1", 10_000),), points=159), tiny)
    assert (q.deducted, q.points_used, q.points_max) == (15, 150, 159)
    with pytest.raises(FailedPrecondition):
        quote(Cart(lines=(line("a", "s1", 10_000),), points=160), tiny)
    # Without a POINTS stage in the policy, no point can be used.
    no_points = Policy(order=tuple(k for k in ORDER_KINDS if k != Kind.POINTS))
    assert quote(dataclasses.replace(cart, points=0), no_points).points_max == 0
    with pytest.raises(FailedPrecondition):
        quote(dataclasses.replace(cart, points=1), no_points)


@settings(max_examples=300, deadline=None)
@given(cart=carts(), policy=policies, data=st.data())
def test_points_up_to_points_max_are_used_and_more_are_refused(
        cart: Cart, policy: Policy, data: st.DataObject) -> None:
    # The default stage order: only the card comes after the points.
    policy = dataclasses.replace(policy, order=ORDER_KINDS)
    try:
        plain = quote(dataclasses.replace(cart, points=0), policy)
    except InvalidArgument:
        return
    most, per = plain.points_max, policy.points_per_unit
    # The cap: the share of what is left at the POINTS stage (the amount
    # payable but for the card), within the discountable lines, above the floor.
    left = {lq.line.line_id: lq.actual + sum(d.amount for d in lq.deductions
                                             if d.kind == Kind.STORED_VALUE_CARD)
            for lq in plain.lines}
    room = sum(left[x.line_id] for x in cart.lines if not x.non_discountable)
    total = sum(left.values())
    cap = min(total * policy.points_max_share_bps // BPS,
              max(0, min(room, total - policy.floor)))
    assert most * 100 // per <= cap < (most + 1) * 100 // per
    asked = data.draw(st.integers(0, most))
    q = quote(dataclasses.replace(cart, points=asked), policy)
    worth = asked * 100 // per
    assert q.points_max == most
    assert sum(d.amount for lq in q.lines for d in lq.deductions
               if d.kind == Kind.POINTS) == worth
    assert q.points_used == -(-worth * per // 100)  # the fewest points that pay it
    if per <= 100:  # a point is worth a whole minor unit or more: exactly as asked
        assert q.points_used == asked
    over = data.draw(st.integers(most + 1, most + 10**6))
    with pytest.raises(FailedPrecondition) as e:
        quote(dataclasses.replace(cart, points=over), policy)
    assert e.value.reason == "POINTS_OVER_LIMIT"
    assert e.value.metadata == {"points_max": str(most), "requested": str(over)}


def test_take_out_receipt_of_seed_003() -> None:
    # rice 39 + box fee 1 from the restaurant, membership 15 from the platform;
    # full-reduction 14 on the restaurant's goods, red packet 7 on the meal.
    cart = Cart(
        lines=(line("rice", "shop", 3900), line("box", "shop", 100),
               line("membership", "platform", 1500)),
        order_promotions=(OrderPromotion("full", Kind.SHOP_PROMOTION, Scope(seller_id="shop"),
                                         (Ladder(2000, 1000), Ladder(3500, 1400))),),
        red_packet=Benefit("rp", 700, 10_000),
    )
    policy = Policy(exclusions=frozenset())
    q = quote(cart, policy)
    assert q.original == 5500
    full = [d for lq in q.lines for d in lq.deductions if d.kind == Kind.SHOP_PROMOTION]
    assert sum(d.amount for d in full) == 1400
    assert all(d.platform_amount == 0 for d in full)  # the merchant bears it
    assert q.payable == 5500 - 1400 - 700


def test_non_discountable_part_of_a_pay_at_store_bill_is_untouched() -> None:
    cart = Cart(lines=(line("bill", "m", 10_000), Line("alcohol", "m", "x", "", 3_000, 1,
                                                       non_discountable=True)),
                order_promotions=(OrderPromotion("full", Kind.SHOP_PROMOTION,
                                                 Scope(seller_id="m"), (Ladder(10_000, 2_000),)),),
                red_packet=Benefit("rp", 500))
    q = quote(cart, Policy())
    assert q.lines[1].deductions == []
    assert q.payable == 13_000 - 2_000 - 500


def test_two_coupons_for_one_shop_are_refused() -> None:
    c = Coupon("c1", Kind.SHOP_COUPON, CouponRule.NO_THRESHOLD, Scope(seller_id="s1"),
               amount_off=1)
    with pytest.raises(InvalidArgument):
        quote(Cart(lines=(line("a", "s1", 100),), coupons=(c, Coupon(
            "c2", Kind.SHOP_COUPON, CouponRule.NO_THRESHOLD, Scope(seller_id="s1"),
            amount_off=1))), Policy())


def test_flash_sale_units_left_are_shared_by_the_carts_lines() -> None:
    flash = ItemPromotion("flash", Kind.FLASH_SALE, Scope(sku_ids=frozenset({"a", "b"})),
                          price=100, units_left=3)
    cart = Cart(lines=(line("a", "s1", 1000, qty=2), line("b", "s1", 1000, qty=2)),
                item_promotions=(flash,))
    q = quote(cart, Policy())
    assert [lq.deducted for lq in q.lines] == [2 * 900, 1 * 900]  # 3 units in all


def test_a_card_may_pay_everything_and_is_never_refused() -> None:
    cart = Cart(lines=(line("a", "s1", 1000),), card=Benefit("card", 5000, BPS))
    q = quote(cart, Policy(refuse_over_discount=True))
    [d] = q.lines[0].deductions
    assert (d.kind, d.amount, d.platform_amount, d.merchant_amount) == (
        Kind.STORED_VALUE_CARD, 1000, 1000, 0)
    assert q.payable == 0
    # Points keep the floor: at most 999 of the 1000.
    points = Cart(lines=(line("a", "s1", 1000),))
    everything = Policy(refuse_over_discount=True, points_max_share_bps=10_000)
    assert quote(points, everything).points_max == 999
    assert quote(dataclasses.replace(points, points=999), everything).payable == 1


def test_a_seller_funded_red_packet_pays_only_for_that_sellers_goods() -> None:
    cart = Cart(lines=(line("a", "s1", 1000), line("b", "s2", 1000)),
                red_packet=Benefit("rp", 500, 0, Scope(seller_id="s2")))
    q = quote(cart, Policy())
    assert [lq.deducted for lq in q.lines] == [0, 500]


# --- budgets -----------------------------------------------------------------
