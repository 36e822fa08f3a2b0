"""Freight reductions (减配送费) in the quote engine (promotion.shipping):
properties over random carts, seed 003's take-out receipt, and the one
scaling rule promotion and trade share for a freight below the offer."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from promotion.engine import (
    BPS,
    Benefit,
    Cart,
    Deduction,
    FreeShipping,
    FreightReduction,
    Kind,
    Ladder,
    Line,
    OrderPromotion,
    Policy,
    Scope,
    quote,
)
from promotion.shipping import scaled
from trade.order.amounts import freight_reduction

SELLERS = ["s1", "s2"]


def offer_of(source_id: str, amount: int, platform: int) -> Deduction:
    return Deduction(Kind.FREIGHT_REDUCTION, source_id, amount, platform)


@st.composite
def carts(draw: st.DrawFn) -> Cart:
    n = draw(st.integers(1, 5))
    lines = tuple(Line(f"l{i}", draw(st.sampled_from(SELLERS)), f"sku{i}", "c",
                       draw(st.integers(0, 20_000)), draw(st.integers(1, 3)),
                       non_discountable=draw(st.booleans()) if i == n - 1 else False)
                  for i in range(n))
    shop = tuple(
        OrderPromotion(f"op{i}", Kind.SHOP_PROMOTION, Scope(seller_id=seller),
                       (Ladder(draw(st.integers(0, 40_000)), draw(st.integers(1, 20_000))),),
                       draw(st.integers(0, BPS)))
        for i, seller in enumerate(draw(st.lists(st.sampled_from(SELLERS), max_size=2))))
    reductions = tuple(
        FreightReduction(f"fr{i}", Scope(seller_id=seller), draw(st.integers(1, 2_000)),
                         draw(st.integers(0, 40_000)), draw(st.integers(0, BPS)),
                         draw(st.none() | st.integers(0, 3_000)))
        for i, seller in enumerate(draw(st.lists(st.sampled_from(SELLERS), max_size=4))))
    free = tuple(FreeShipping(f"fs{i}", Scope(seller_id=seller), draw(st.integers(0, 60_000)))
                 for i, seller in enumerate(draw(st.lists(st.sampled_from(SELLERS),
                                                          max_size=1))))
    freights = draw(st.dictionaries(st.sampled_from(SELLERS), st.integers(0, 2_500)))
    return Cart(lines=lines, order_promotions=shop, freight_reductions=reductions,
                free_shipping=free, freights=freights,
                red_packet=draw(st.none() | st.builds(Benefit, st.just("rp"),
                                                      st.integers(0, 5_000))))


@settings(max_examples=300, deadline=None)
@given(carts())
def test_a_freight_reduction_is_offered_off_the_freight_never_off_the_goods(cart: Cart) -> None:
    q = quote(cart, Policy())
    without = quote(dataclasses.replace(cart, freight_reductions=()), Policy())
    # The goods are priced exactly as without any freight reduction.
    assert [(x.line, x.deductions) for x in q.lines] == \
        [(x.line, x.deductions) for x in without.lines]
    assert q.free_shipping == without.free_shipping
    after = {x.line.line_id: x.line.amount - sum(d.amount for d in x.deductions
                                                 if d.kind in (Kind.SHOP_PROMOTION,))
             for x in q.lines}
    by_id = {r.source_id: r for r in cart.freight_reductions}
    for seller, offer in q.freight_reductions.items():
        rule = by_id[offer.source_id]
        assert rule.scope.seller_id == seller and seller not in q.free_shipping  # free wins
        assert sum(after[x.line_id] for x in cart.lines
                   if x.seller_id == seller and not x.non_discountable) >= rule.threshold
        cap = min(rule.amount, rule.budget_left if rule.budget_left is not None else rule.amount)
        assert 0 < offer.amount <= cap
        assert offer.amount == min(cap, cart.freights.get(seller, cap))
        assert 0 <= offer.platform_amount <= offer.amount
        assert offer.platform_amount + offer.merchant_amount == offer.amount
        # The largest offer of the seller's rules wins.
        for other in cart.freight_reductions:
            if other.scope.seller_id == seller and other.source_id != offer.source_id:
                alone = quote(dataclasses.replace(cart, freight_reductions=(other,)), Policy())
                assert alone.freight_reductions.get(seller, offer).amount <= offer.amount
    # Reported among the totals (what a hold counts against the budgets).
    assert sorted((t.source_id, t.amount) for t in q.totals
                  if t.kind == Kind.FREIGHT_REDUCTION) == \
        sorted((o.source_id, o.amount) for o in q.freight_reductions.values())


def test_seed_003_the_merchant_takes_5_off_a_freight_of_7() -> None:
    """Rice 39 and a box fee 1 of m1, a membership 15 of the platform; m1's
    full reduction 40 − 14, a platform red packet 7, m1's freight 7 − 5."""
    lines = (Line("rice", "m1", "rice", "food", 3900, 1),
             Line("box", "m1", "box", "food", 100, 1),
             Line("vip", "platform", "vip", "membership", 1500, 1))
    cart = Cart(lines=lines,
                order_promotions=(OrderPromotion("full", Kind.SHOP_PROMOTION,
                                                 Scope(seller_id="m1"), (Ladder(4000, 1400),)),),
                red_packet=Benefit("rp", 700, BPS),
                freight_reductions=(FreightReduction("fr", Scope(seller_id="m1"), 500),),
                freights={"m1": 700})
    q = quote(cart, Policy())
    assert q.original == 5500 and q.deducted == 2100 and q.payable == 3400
    assert q.freight_reductions == {"m1": offer_of("fr", 500, 0)}
    assert q.freight_reductions["m1"].merchant_amount == 500
    # 34 for the goods + 7 − 5 for the freight: the buyer pays 36.
    assert q.payable + 700 - q.freight_reductions["m1"].amount == 3600


def test_a_threshold_free_shipping_and_the_freight_bound_the_offer() -> None:
    line = Line("a", "s1", "sku", "c", 3000, 1)
    rule = FreightReduction("fr", Scope(seller_id="s1"), 500, threshold=3000,
                            platform_share_bps=4000)
    cart = Cart(lines=(line,), freight_reductions=(rule,))
    assert quote(cart, Policy()).freight_reductions == {"s1": offer_of("fr", 500, 200)}
    # Below the threshold after the shop promotion: nothing offered.
    shop = OrderPromotion("op", Kind.SHOP_PROMOTION, Scope(seller_id="s1"), (Ladder(0, 1),))
    assert quote(dataclasses.replace(cart, order_promotions=(shop,)),
                 Policy()).freight_reductions == {}
    # A freight of 3 (known): 3 off, the platform's part scaled down.
    assert quote(dataclasses.replace(cart, freights={"s1": 300}), Policy()
                 ).freight_reductions == {"s1": offer_of("fr", 300, 120)}
    # No freight: nothing to reduce.
    assert quote(dataclasses.replace(cart, freights={"s1": 0}), Policy()
                 ).freight_reductions == {}
    # Shipping free: free shipping wins.
    free = FreeShipping("fs", Scope(seller_id="s1"), 0)
    assert quote(dataclasses.replace(cart, free_shipping=(free,)),
                 Policy()).freight_reductions == {}
    # A budget of 2 left: 2 offered.
    assert quote(dataclasses.replace(cart, freight_reductions=(
        dataclasses.replace(rule, budget_left=200),)), Policy()).freight_reductions == \
        {"s1": offer_of("fr", 200, 80)}


@given(st.integers(1, 10**10), st.integers(0, BPS), st.integers(0, 10**10))
def test_promotion_and_trade_scale_an_offer_to_the_freight_alike(
        offered: int, bps: int, freight: int) -> None:
    offer = offer_of("fr", offered, offered * bps // BPS)
    taken = scaled(offer, freight)
    assert (taken.amount, taken.platform_amount) == \
        freight_reduction(offered, offer.platform_amount, freight)
    assert taken.amount == min(offered, freight)
    assert 0 <= taken.platform_amount <= offer.platform_amount
    assert taken.merchant_amount >= 0
