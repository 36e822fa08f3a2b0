"""The quote engine: promotion budgets and free shipping."""


from __future__ import annotations

import dataclasses

from hypothesis import given, settings

from promotion.engine import (
    ITEM_KINDS,
    PROMOTION_STAGES,
    Cart,
    FreeShipping,
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
    taken,
    with_budgets,
    within_cap,
)
from zhongtai.errors import FailedPrecondition, InvalidArgument


@settings(max_examples=300, deadline=None)
@given(cart=carts(), policy=policies)
def test_a_budget_caps_what_a_promotion_takes_and_changes_nothing_else(
        cart: Cart, policy: Policy) -> None:
    unlimited = with_budgets(cart, {})
    try:
        unlimited = within_cap(unlimited, policy)
        free = quote(unlimited, policy)
    except (InvalidArgument, FailedPrecondition):
        return
    # A budget as large as what the promotion offers changes nothing.
    offered = {t.source_id: t.offered for t in free.totals
               if t.kind in ITEM_KINDS | PROMOTION_STAGES}
    enough = quote(with_budgets(unlimited, offered), policy)
    assert [lq.deductions for lq in enough.lines] == [lq.deductions for lq in free.lines]
    assert enough.totals == free.totals
    # Nothing left: the promotions offer nothing, as if there were none.
    ids = [p.source_id for p in (*cart.item_promotions, *cart.order_promotions)]
    drained = within_cap(with_budgets(unlimited, dict.fromkeys(ids, 0)), policy)
    spent = quote(drained, policy)
    none = quote(dataclasses.replace(drained, item_promotions=(), order_promotions=()),
                 policy)
    assert [lq.deductions for lq in spent.lines] == [lq.deductions for lq in none.lines]
    assert spent.totals == none.totals
    # Any budget: never more than what is left of it (check_invariants too).
    half = {i: taken(free, i) // 2 for i in ids}
    halved = within_cap(with_budgets(unlimited, half), policy)
    capped = quote(halved, policy)
    check_invariants(halved, policy, capped)
    assert all(taken(capped, i) <= half[i] for i in ids)


def test_an_item_promotion_budget_is_counted_down_across_the_lines() -> None:
    direct = ItemPromotion("direct", Kind.ITEM_DIRECT_REDUCTION, Scope(), amount_off=100,
                           budget_left=250)
    discount = ItemPromotion("discount", Kind.ITEM_DISCOUNT, Scope(), rate_bps=9_500)
    cart = Cart(lines=(line("a", "s1", 1000, qty=2), line("b", "s1", 1000, qty=2)),
                item_promotions=(direct, discount))
    q = quote(cart, Policy())
    # a: 2.00 of the 2.50; b: 0.50 left < the 5% discount's 1.00, which wins.
    assert [[(d.source_id, d.amount) for d in lq.deductions] for lq in q.lines] == [
        [("direct", 200)], [("discount", 100)]]
    alone = quote(dataclasses.replace(cart, item_promotions=(direct,)), Policy())
    assert [lq.deducted for lq in alone.lines] == [200, 50]
    assert [(t.source_id, t.amount, t.offered) for t in alone.totals] == [("direct", 250, 250)]


def test_a_flash_sale_budget_buys_whole_units_only() -> None:
    flash = ItemPromotion("flash", Kind.FLASH_SALE, Scope(), price=100, budget_left=2_000)
    q = quote(Cart(lines=(line("a", "s1", 1000, qty=3),), item_promotions=(flash,)), Policy())
    assert q.lines[0].deducted == 2 * 900  # 2 units at 1.00; 2.00 left is not a third
    spent = dataclasses.replace(flash, budget_left=899)
    q = quote(Cart(lines=(line("a", "s1", 1000, qty=3),), item_promotions=(spent,)), Policy())
    assert q.lines[0].deductions == []


def test_an_order_promotion_offers_at_most_its_budget_left() -> None:
    full = OrderPromotion("full", Kind.SHOP_PROMOTION, Scope(seller_id="s1"),
                          (Ladder(5_000, 1_000),), budget_left=300)
    platform = OrderPromotion("platform", Kind.PLATFORM_PROMOTION, Scope(),
                              (Ladder(5_000, 200),))
    cart = Cart(lines=(line("a", "s1", 6_000), line("b", "s1", 4_000)),
                order_promotions=(full, platform))
    q = quote(cart, Policy())
    assert [(t.source_id, t.amount, t.offered) for t in q.totals] == [
        ("full", 300, 300), ("platform", 200, 200)]
    assert [lq.deducted for lq in q.lines] == [180 + 120, 120 + 80]
    q = quote(with_budgets(cart, {"full": 0}), Policy())
    assert [(t.source_id, t.amount) for t in q.totals] == [("platform", 200)]
    # Of two platform promotions, the one with budget left wins.
    rich = OrderPromotion("rich", Kind.PLATFORM_PROMOTION, Scope(), (Ladder(5_000, 900),),
                          budget_left=100)
    q = quote(Cart(lines=cart.lines, order_promotions=(platform, rich)), Policy())
    assert [(t.source_id, t.amount) for t in q.totals] == [("platform", 200)]


# --- free shipping -----------------------------------------------------------


def test_free_shipping_sees_the_shops_amount_after_promotions_and_takes_nothing() -> None:
    lines = (line("a", "s1", 10_000), line("b", "s2", 3_000))
    full = OrderPromotion("full", Kind.SHOP_PROMOTION, Scope(seller_id="s1"),
                          (Ladder(10_000, 1_000),))
    cart = Cart(lines=lines, order_promotions=(full,),
                free_shipping=(FreeShipping("fs-9500", Scope(seller_id="s1"), 9_500),))
    q = quote(cart, Policy())
    assert q.free_shipping == {}  # 100.00 before, 90.00 after the shop's promotion
    reached = dataclasses.replace(cart, free_shipping=(
        FreeShipping("fs-9000", Scope(seller_id="s1"), 9_000),))
    q = quote(reached, Policy())
    assert q.free_shipping == {"s1": "fs-9000"}
    plain = quote(dataclasses.replace(cart, free_shipping=()), Policy())
    assert [lq.deductions for lq in q.lines] == [lq.deductions for lq in plain.lines]
    assert q.totals == plain.totals and q.payable == plain.payable


def test_platform_free_shipping_covers_the_sellers_of_its_lines_and_shops_come_first() -> None:
    lines = (line("a", "s1", 3_000), line("b", "s2", 3_000), line("c", "s3", 9_000),
             Line("d", "s3", "d", "food", 9_000, 1, non_discountable=True))
    platform = FreeShipping("a-platform", Scope(sku_ids=frozenset({"a", "b", "d"})), 6_000)
    q = quote(Cart(lines=lines, free_shipping=(platform,)), Policy())
    # a + b reach 60.00; s3's only covered line (d) is not discountable.
    assert q.free_shipping == {"s1": "a-platform", "s2": "a-platform"}
    shop = FreeShipping("z-shop", Scope(seller_id="s2"), 0)
    other = FreeShipping("b-platform", Scope(), 0)
    q = quote(Cart(lines=lines, free_shipping=(other, platform, shop)), Policy())
    assert q.free_shipping == {"s2": "z-shop", "s1": "a-platform", "s3": "b-platform"}
    below = FreeShipping("a-platform", platform.scope, 6_001)
    assert quote(Cart(lines=lines, free_shipping=(below,)), Policy()).free_shipping == {}


@settings(max_examples=200, deadline=None)
@given(cart=carts())
def test_free_shipping_is_the_first_reached_rule_of_each_seller(cart: Cart) -> None:
    try:
        cart = within_cap(cart, Policy())
        q = quote(cart, Policy())
    except (InvalidArgument, FailedPrecondition):
        return
    # Default stage order: promotions first, so "after promotions" is the line
    # less its item and promotion deductions.
    after = {lq.line.line_id: lq.line.amount - sum(
        d.amount for d in lq.deductions if d.kind in ITEM_KINDS | PROMOTION_STAGES)
        for lq in q.lines}
    expected: dict[str, str] = {}
    for rule in sorted(cart.free_shipping, key=lambda r: (r.scope.seller_id == "", r.source_id)):
        covered = [x for x in cart.lines if not x.non_discountable and rule.scope.covers(x)]
        if covered and sum(after[x.line_id] for x in covered) >= rule.threshold:
            for x in covered:
                expected.setdefault(x.seller_id, rule.source_id)
    assert q.free_shipping == expected
    without = quote(dataclasses.replace(cart, free_shipping=()), Policy())
    assert [lq.deductions for lq in without.lines] == [lq.deductions for lq in q.lines]
