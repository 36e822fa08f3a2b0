"""The quote engine's test vocabulary: random carts and policies, the
invariants every quote keeps, and small builders."""


from __future__ import annotations

import dataclasses

from hypothesis import strategies as st

from promotion.engine import (
    BPS,
    ITEM_KINDS,
    ORDER_KINDS,
    PROMOTION_STAGES,
    Benefit,
    Cart,
    Coupon,
    CouponRule,
    FreeShipping,
    ItemPromotion,
    Kind,
    Ladder,
    Line,
    OrderPromotion,
    Policy,
    Quote,
    Scope,
    quote,
)

SELLERS = ["s1", "s2", "s3"]


@st.composite
def carts(draw: st.DrawFn) -> Cart:
    n = draw(st.integers(1, 6))
    lines = tuple(
        Line(f"l{i}", draw(st.sampled_from(SELLERS)), f"sku{i}", draw(st.sampled_from("ab")),
             draw(st.integers(0, 50_000)), draw(st.integers(1, 5)),
             non_discountable=draw(st.booleans()) if i == n - 1 else False)
        for i in range(n))
    skus = [line.sku_id for line in lines]
    bps = st.integers(0, 10_000)
    budgets = st.none() | st.integers(0, 100_000)
    items = tuple(
        ItemPromotion(f"ip{i}", draw(st.sampled_from(sorted(
            [Kind.FLASH_SALE, Kind.VIP_PRICE, Kind.ITEM_DIRECT_REDUCTION, Kind.ITEM_DISCOUNT]))),
            Scope(sku_ids=frozenset(draw(st.lists(st.sampled_from(skus), max_size=3)))),
            amount_off=draw(st.integers(0, 60_000)), rate_bps=draw(bps),
            price=draw(st.integers(0, 50_000)),
            units_left=draw(st.none() | st.integers(0, 5)), platform_share_bps=draw(bps),
            budget_left=draw(budgets))
        for i in range(draw(st.integers(0, 3))))
    ladders = st.lists(st.builds(Ladder, threshold=st.integers(0, 200_000),
                                 amount_off=st.integers(0, 100_000), rate_bps=bps),
                       min_size=1, max_size=3).map(tuple)
    orders = tuple(
        OrderPromotion(f"op{i}", kind, Scope(seller_id=draw(st.sampled_from(SELLERS))
                                             if kind == Kind.SHOP_PROMOTION else ""),
                       draw(ladders), draw(bps), budget_left=draw(budgets))
        for i, kind in enumerate(draw(st.lists(st.sampled_from(
            [Kind.SHOP_PROMOTION, Kind.PLATFORM_PROMOTION]), max_size=4))))
    coupons = []
    for seller in draw(st.lists(st.sampled_from(SELLERS), unique=True, max_size=3)):
        coupons.append(Coupon(f"c-{seller}", Kind.SHOP_COUPON,
                              draw(st.sampled_from(list(CouponRule))), Scope(seller_id=seller),
                              draw(st.integers(0, 100_000)), draw(st.integers(0, 100_000)),
                              draw(bps), draw(st.integers(0, 50_000)), draw(bps)))
    if draw(st.booleans()):
        coupons.append(Coupon("c-platform", Kind.PLATFORM_COUPON,
                              draw(st.sampled_from(list(CouponRule))), Scope(),
                              draw(st.integers(0, 100_000)), draw(st.integers(0, 100_000)),
                              draw(bps), draw(st.integers(0, 50_000)), draw(bps)))
    return Cart(
        lines=lines, buyer_is_vip=draw(st.booleans()), item_promotions=items,
        order_promotions=orders, coupons=tuple(coupons),
        red_packet=draw(st.none() | st.builds(Benefit, st.just("rp"),
                                              st.integers(0, 20_000), bps)),
        points=draw(st.integers(0, 100_000)),
        # The service's card: funded by the platform (promotion/cards.py).
        card=draw(st.none() | st.builds(Benefit, st.just("card"), st.integers(0, 50_000),
                                        st.just(BPS))),
        free_shipping=tuple(
            FreeShipping(f"fs{i}", Scope(seller_id=draw(st.sampled_from(["", *SELLERS])),
                                         sku_ids=frozenset(draw(st.lists(
                                             st.sampled_from(skus), max_size=2)))),
                         draw(st.integers(0, 200_000)))
            for i in range(draw(st.integers(0, 3)))),
    )


policies = st.builds(
    Policy,
    order=st.permutations(list(ORDER_KINDS)).map(tuple),
    floor=st.integers(0, 1),
    points_per_unit=st.sampled_from([1, 10, 100, 1000]),
    points_max_share_bps=st.integers(0, 10_000),
    points_platform_share_bps=st.integers(0, 10_000),
)


def check_invariants(cart: Cart, policy: Policy, q: Quote) -> None:
    assert q.payable == q.original - q.deducted
    for lq in q.lines:
        assert lq.actual >= 0
        assert sum(1 for d in lq.deductions if d.kind in {
            Kind.FLASH_SALE, Kind.VIP_PRICE, Kind.ITEM_DIRECT_REDUCTION,
            Kind.ITEM_DISCOUNT}) <= 1
        if lq.line.non_discountable:
            assert all(d.kind == Kind.STORED_VALUE_CARD for d in lq.deductions)
        for d in lq.deductions:
            assert d.amount > 0
            assert 0 <= d.platform_amount <= d.amount
            # Every deduction has its bearers, and they bear all of it.
            assert d.platform_amount + d.merchant_amount == d.amount
            if d.kind == Kind.STORED_VALUE_CARD:
                assert d.platform_amount == d.amount
            assert not any(frozenset({d.kind, other}) in policy.exclusions
                           for other in lq.kinds if other != d.kind)
    for total in q.totals:
        on_lines = sum(d.amount for lq in q.lines for d in lq.deductions
                       if (d.kind, d.source_id) == (total.kind, total.source_id))
        assert on_lines == total.amount <= total.offered
    card = sum(d.amount for lq in q.lines for d in lq.deductions
               if d.kind == Kind.STORED_VALUE_CARD)
    order_level = sum(d.amount for lq in q.lines for d in lq.deductions
                      if d.kind in ORDER_KINDS) - card
    after_items = q.payable + card + order_level
    if order_level:  # discounts and points keep the floor; the card may pay it all
        assert q.payable + card >= min(policy.floor, after_items)
    # Points: never over the cap, worth what they take off (rounding down).
    assert q.points_used <= cart.points <= q.points_max
    assert q.points_used * 100 // policy.points_per_unit >= sum(
        d.amount for lq in q.lines for d in lq.deductions if d.kind == Kind.POINTS)
    # A promotion never takes more than what is left of its budget.
    for p in (*cart.item_promotions, *cart.order_promotions):
        if p.budget_left is not None:
            assert taken(q, p.source_id) <= p.budget_left
    # Free shipping names a rule covering one of the seller's discountable lines.
    rules = {r.source_id: r for r in cart.free_shipping}
    for seller, rule_id in q.free_shipping.items():
        assert any(x.seller_id == seller and not x.non_discountable
                   and rules[rule_id].scope.covers(x) for x in cart.lines)


def taken(q: Quote, source_id: str) -> int:
    return sum(d.amount for lq in q.lines for d in lq.deductions
               if d.source_id == source_id and d.kind in ITEM_KINDS | PROMOTION_STAGES)


def within_cap(cart: Cart, policy: Policy) -> Cart:
    """The cart asking for no more points than it can use (more is refused)."""
    most = quote(dataclasses.replace(cart, points=0), policy).points_max
    return dataclasses.replace(cart, points=min(cart.points, most))


def line(line_id: str, seller: str, price: int, qty: int = 1, sku: str = "") -> Line:
    return Line(line_id, seller, sku or line_id, "food", price, qty)


def with_budgets(cart: Cart, budget: dict[str, int]) -> Cart:
    return dataclasses.replace(
        cart,
        item_promotions=tuple(dataclasses.replace(p, budget_left=budget.get(p.source_id))
                              for p in cart.item_promotions),
        order_promotions=tuple(dataclasses.replace(p, budget_left=budget.get(p.source_id))
                               for p in cart.order_promotions))
