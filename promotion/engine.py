"""The quote engine: prices a cart with promotions and the buyer's benefits.

Pure and deterministic: no database, clock or randomness; the same input gives
the same quote. Every deduction is recorded per line, per kind and per source,
with the share the platform and the merchant bear, and the parts always add up
exactly (``zhongtai.money.allocate``, remainder to the last line, capped so no
line goes negative).

Stages (seed 001 §三.4.4, seed 002 §二–三, seed 004 §一):

1. item level, per line, the single best of flash-sale price, VIP price,
   direct reduction and item discount (one item-level deduction per line);
2. the order-level stages, in the policy's order (default: shop promotion,
   platform promotion, shop coupons, platform coupon, red packet, points,
   stored-value card), each allocated across its eligible lines in proportion
   to what is left of them.

Ladders see the amount left when their stage runs. Coupon thresholds see the
amount after the promotion stages (not after other coupons), so two coupons
can each reach their threshold and together exceed the order — seed 004's
"1000 off 900" + "1000 off 700" — which the over-discount policy then caps or
refuses. A line carrying a kind that the policy excludes with a stage's kind is
not eligible for that stage (e.g. a flash-sale line takes no coupon).
Discounts and points never bring the order below the policy's floor (0.01 by
default); a stored-value card, being a way to pay, may pay all of it, and is
capped to what is left, never refused.

Points (seed 002): at the POINTS stage they may pay at most
``points_max_share_bps`` of what is left of the whole order, and no more than
the eligible lines hold above the floor; ``Quote.points_max`` is the most
points worth no more than that (computed whether or not points were asked).
Asking for more is refused (FAILED_PRECONDITION ``POINTS_OVER_LIMIT``), never
capped. Points convert to whole minor units, rounding down
(``points * 100 // points_per_unit``), and the points spent are the fewest
that pay those units, rounding up; so when a point is worth at least one
minor unit (``points_per_unit <= 100``) exactly the points asked are spent,
and when it is worth less, the points that make no whole minor unit stay in
the account.

Every deduction has a cost bearer: ``platform_amount + merchant_amount ==
amount``. A stored-value card is the buyer's prepaid money held by the
platform (the card issuer): the platform funds it (its share is set by the
caller, the whole of it in the service). Points are shared as
``points_platform_share_bps`` says.

A promotion with a budget (``budget_left``) never takes more than what is left
of it off the whole cart: an item promotion counts down across the lines in
order (a flash sale in whole units), an order promotion offers at most that
much; with nothing left it offers nothing.

Free shipping and freight reductions take nothing off the goods: after the
promotion stages, the quote says which sellers ship free and what is offered
off the others' freight (``promotion.shipping``).

Refusals are promotion's reasons (``promotion.reasons.E``, values of the
generated ``promotion_pb2.ErrorReason``, imported for the enum only).
"""

from __future__ import annotations

from collections.abc import Sequence

from promotion.cart import (
    BPS,
    ITEM_KINDS,
    ORDER_KINDS,
    PROMOTION_STAGES,
    Benefit,
    Cart,
    Coupon,
    CouponRule,
    Deduction,
    FreeShipping,
    FreightReduction,
    ItemPromotion,
    Kind,
    Ladder,
    Line,
    LineQuote,
    OrderPromotion,
    Policy,
    Quote,
    Scope,
    SourceTotal,
)
from promotion.reasons import E
from promotion.shipping import free_shipping, freight_reductions
from zhongtai.errors import FieldViolation, InvalidArgument, PreconditionViolation
from zhongtai.money import allocate
from zhongtai.promotion.v1 import promotion_pb2 as pb

# The vocabulary, re-exported: callers name it ``engine.Line``, ``engine.Kind``...
__all__ = [
    "BPS", "ITEM_KINDS", "ORDER_KINDS", "PROMOTION_STAGES", "Benefit", "Cart", "Coupon",
    "CouponRule", "Deduction", "FreeShipping", "FreightReduction",
    "ItemPromotion", "Kind", "Ladder", "Line", "LineQuote", "OrderPromotion", "Policy",
    "Quote", "Scope", "SourceTotal", "quote", "validate",
]


def _share(amount: int, bps: int) -> int:
    return amount * bps // BPS


def _ladder_off(ladders: Sequence[Ladder], base: int) -> int:
    """What the best reached step of a ladder takes off ``base``."""
    best = 0
    for step in ladders:
        if base >= step.threshold and base > 0:
            off = step.amount_off if step.amount_off else base - _share(base, step.rate_bps)
            best = max(best, off)
    return best


def _item_off(p: ItemPromotion, line: Line, vip: bool, units_left: int | None,
              budget_left: int | None) -> int:
    """What ``p`` takes off ``line``, within the flash-sale units and the
    budget left (a flash sale in whole units: every unit at the price)."""
    off = _item_rule_off(p, line, vip, units_left, budget_left)
    return off if budget_left is None else max(0, min(off, budget_left))


def _item_rule_off(p: ItemPromotion, line: Line, vip: bool, units_left: int | None,
                   budget_left: int | None) -> int:
    unit = line.unit_price
    if p.kind == Kind.FLASH_SALE:
        units = line.quantity if units_left is None else min(line.quantity, units_left)
        per_unit = max(0, unit - p.price)
        if budget_left is not None and per_unit:
            units = min(units, max(0, budget_left) // per_unit)
        return per_unit * max(0, units)
    if p.kind == Kind.VIP_PRICE:
        return max(0, unit - p.price) * line.quantity if vip else 0
    if p.kind == Kind.ITEM_DIRECT_REDUCTION:
        return min(p.amount_off, unit) * line.quantity
    if p.kind == Kind.ITEM_DISCOUNT:
        return (unit - _share(unit, p.rate_bps)) * line.quantity
    raise ValueError(f"not an item-level kind: {p.kind}")


def validate(cart: Cart, policy: Policy) -> None:
    errors = []
    seen = set()
    for i, line in enumerate(cart.lines):
        if line.line_id in seen:
            errors.append((f"lines[{i}].line_id", "is repeated"))
        seen.add(line.line_id)
        if line.unit_price < 0:
            errors.append((f"lines[{i}].unit_price", "must not be negative"))
        if line.quantity <= 0:
            errors.append((f"lines[{i}].quantity", "must be positive"))
    if cart.points < 0:
        errors.append(("points", "must not be negative"))
    shops: set[str] = set()
    platform = 0
    for i, c in enumerate(cart.coupons):
        if c.kind == Kind.SHOP_COUPON:
            if c.scope.seller_id in shops:
                errors.append((f"coupon_ids[{i}]", "at most one coupon per shop"))
            shops.add(c.scope.seller_id)
        else:
            platform += 1
            if platform > 1:
                errors.append((f"coupon_ids[{i}]", "at most one platform coupon"))
    if len(set(policy.order)) != len(policy.order) or not set(policy.order) <= set(ORDER_KINDS):
        errors.append(("policy.order", "lists order-level kinds, each once"))
    if errors:
        raise InvalidArgument([FieldViolation(f, d) for f, d in errors])


def quote(cart: Cart, policy: Policy) -> Quote:
    validate(cart, policy)
    lines = [LineQuote(line) for line in cart.lines]
    totals: list[SourceTotal] = []
    unused: list[str] = []
    points_used = points_max = 0

    # What is left of each promotion's budget, counted down as it is used.
    budget_left: dict[str, int] = {}
    rules: list[ItemPromotion | OrderPromotion] = [*cart.item_promotions,
                                                   *cart.order_promotions]
    for rule in rules:
        if rule.budget_left is not None:
            budget_left[rule.source_id] = max(0, rule.budget_left)

    # 1. Item level: the single best item promotion of each line. A flash
    # sale's units left for the buyer, and a promotion's budget, are shared by
    # the cart's lines in order.
    flash_left = {p.source_id: p.units_left for p in cart.item_promotions
                  if p.kind == Kind.FLASH_SALE}
    for q in lines:
        if q.line.non_discountable:
            continue
        best: tuple[int, str, ItemPromotion] | None = None
        for p in cart.item_promotions:
            if not p.scope.covers(q.line):
                continue
            off = min(_item_off(p, q.line, cart.buyer_is_vip, flash_left.get(p.source_id),
                                budget_left.get(p.source_id)),
                      q.line.amount)
            if off > 0 and (best is None or (off, best[1]) > (best[0], p.source_id)):
                best = (off, p.source_id, p)
        if best is not None:
            off, _, p = best
            q.deductions.append(Deduction(p.kind, p.source_id, off,
                                          _share(off, p.platform_share_bps)))
            left = flash_left.get(p.source_id)
            if p.kind == Kind.FLASH_SALE and left is not None:
                flash_left[p.source_id] = left - off // (q.line.unit_price - p.price)
            if p.source_id in budget_left:
                budget_left[p.source_id] -= off
    item_totals: dict[tuple[Kind, str], int] = {}
    for q in lines:
        for d in q.deductions:
            key = (d.kind, d.source_id)
            item_totals[key] = item_totals.get(key, 0) + d.amount
    totals += [SourceTotal(k, s, a, a) for (k, s), a in sorted(item_totals.items())]
    after_promotions = {q.line.line_id: q.actual for q in lines}

    def eligible(kind: Kind, scope: Scope) -> list[LineQuote]:
        return [q for q in lines if not q.line.non_discountable and scope.covers(q.line)
                and not policy.excluded(q.kinds, kind) and q.actual > 0]

    def capacity(kind: Kind, targets: list[LineQuote]) -> int:
        """The most a stage may take off ``targets``: what they hold, and
        never the order below the floor. A card is a way to pay, not a
        discount: it may pay everything."""
        floor = 0 if kind == Kind.STORED_VALUE_CARD else policy.floor
        return max(0, min(sum(q.actual for q in targets),
                          sum(q.actual for q in lines) - floor))

    def apply(kind: Kind, source_id: str, offered: int, targets: list[LineQuote],
              platform_bps: int) -> int:
        if offered <= 0 or not targets:
            return 0
        room = capacity(kind, targets)
        amount = offered
        if offered > room:
            # (The card and points never get here: they ask for no more than
            # there is room for.)
            if policy.refuse_over_discount:
                raise E(pb.ERROR_REASON_OVER_DISCOUNT,
                        f"{kind.name} {source_id or ''} would take off {offered} where only "
                        f"{room} can be deducted",
                        violations=[PreconditionViolation("OVER_DISCOUNT",
                                                          f"{kind.name}/{source_id}",
                                                          f"offered {offered}, room {room}")],
                        metadata={"kind": kind.name, "source_id": source_id})
            amount = room
        if amount <= 0:
            totals.append(SourceTotal(kind, source_id, 0, offered))
            return 0
        shares = allocate(amount, [q.actual for q in targets], capped=True)
        for q, share in zip(targets, shares, strict=True):
            if share:
                q.deductions.append(Deduction(kind, source_id, share,
                                              _share(share, platform_bps)))
        totals.append(SourceTotal(kind, source_id, amount, offered))
        return amount

    def best_promotion(kind: Kind, seller_id: str | None) -> None:
        best: tuple[int, str, OrderPromotion, list[LineQuote]] | None = None
        for p in cart.order_promotions:
            if p.kind != kind or (seller_id is not None and p.scope.seller_id != seller_id):
                continue
            targets = eligible(kind, p.scope)
            off = _ladder_off(p.ladders, sum(q.actual for q in targets))
            if p.source_id in budget_left:
                off = min(off, budget_left[p.source_id])
            if off > 0 and (best is None or (off, best[1]) > (best[0], p.source_id)):
                best = (off, p.source_id, p, targets)
        if best is not None:
            off, _, p, targets = best
            taken = apply(kind, p.source_id, off, targets, p.platform_share_bps)
            if p.source_id in budget_left:
                budget_left[p.source_id] -= taken

    def coupon_offer(c: Coupon, targets: list[LineQuote]) -> int:
        base = sum(after_promotions[q.line.line_id] for q in targets)
        if not targets or base < c.threshold:
            return 0
        if c.rule in (CouponRule.FULL_REDUCTION, CouponRule.NO_THRESHOLD):
            return c.amount_off
        if c.rule == CouponRule.DISCOUNT:
            off = base - _share(base, c.rate_bps)
            return min(off, c.max_off) if c.max_off else off
        return sum(min(c.amount_off, q.line.unit_price) * q.line.quantity for q in targets)

    for stage in policy.order:
        if stage == Kind.SHOP_PROMOTION:
            for seller in dict.fromkeys(q.line.seller_id for q in lines):
                best_promotion(stage, seller)
        elif stage == Kind.PLATFORM_PROMOTION:
            best_promotion(stage, None)
        elif stage in (Kind.SHOP_COUPON, Kind.PLATFORM_COUPON):
            for c in cart.coupons:
                if c.kind != stage:
                    continue
                targets = eligible(stage, c.scope)
                offered = coupon_offer(c, targets)
                if offered <= 0:
                    unused.append(c.source_id)
                    continue
                apply(stage, c.source_id, offered, targets, c.platform_share_bps)
        elif stage == Kind.RED_PACKET and cart.red_packet is not None:
            rp = cart.red_packet
            apply(stage, rp.source_id, rp.amount, eligible(stage, rp.scope),
                  rp.platform_share_bps)
        elif stage == Kind.POINTS:
            targets = eligible(stage, Scope())
            left = sum(q.actual for q in lines)
            cap = min(_share(left, policy.points_max_share_bps), capacity(stage, targets))
            # The most points worth no more than the cap (rounding down).
            points_max = ((cap + 1) * policy.points_per_unit - 1) // 100
            if 0 < cart.points <= points_max:
                used = apply(stage, "", cart.points * 100 // policy.points_per_unit, targets,
                             policy.points_platform_share_bps)
                points_used = -(-used * policy.points_per_unit // 100)  # ceil: points spent
        elif stage == Kind.STORED_VALUE_CARD and cart.card is not None:
            card = cart.card
            targets = [q for q in lines if q.actual > 0
                       and not policy.excluded(q.kinds, stage)]
            wanted = min(card.amount, sum(q.actual for q in targets))
            apply(stage, card.source_id, wanted, targets, card.platform_share_bps)
        if stage in PROMOTION_STAGES:
            after_promotions.update({q.line.line_id: q.actual for q in lines})
    if cart.points > points_max:
        raise E(pb.ERROR_REASON_POINTS_OVER_LIMIT,
                f"{cart.points} points asked; this order can use at most {points_max}",
                violations=[PreconditionViolation("POINTS_LIMIT", "points",
                                                  f"{cart.points} asked, at most {points_max}")],
                metadata={"points_max": str(points_max), "requested": str(cart.points)})
    free = free_shipping(cart.lines, cart.free_shipping, after_promotions)
    freight = freight_reductions(cart.lines, cart.freight_reductions, after_promotions, free,
                                 cart.freights)
    totals += [SourceTotal(Kind.FREIGHT_REDUCTION, o.source_id, o.amount, o.amount)
               for o in freight.values()]
    return Quote(lines, totals, points_used, unused, free, points_max, freight)
