"""promotion's rules: what a valid promotion and quote request are (the
checks of the other requests are in ``promotion.requests``); what a released
or returned coupon becomes; what an order gets back; the bounded search of
BestCoupons. No database, gRPC or broker here.

Each field's own limits (lengths, ranges, required ids, enabled currencies)
are the contract's: ``(zhongtai.common.v1.rules)`` in promotion.proto, checked
by the server before any use case runs. What is here is what those options
cannot say: which fields a kind uses, one currency per message, times in
order, ids not repeated."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from promotion import engine
from zhongtai.common.v1.common_pb2 import Money
from zhongtai.errors import Violations
from zhongtai.promotion.v1 import promotion_pb2 as pb

BPS = engine.BPS
# BestCoupons quotes at most this many coupon combinations.
MAX_COMBINATIONS = 4096

# The moves of an order's benefit hold (HELD -> RELEASED | REDEEMED; REDEEMED
# -> RETURNED, see promotion.holds.HOLDS): RETURN gives back what a paid order
# consumed when trade cancels it before anything shipped.
RELEASE, REDEEM, RETURN = "release", "redeem", "return"


def coupon_status_after_release(restore_on_cancel: bool) -> pb.CouponStatus:
    """A released order's coupon: back to the buyer, or spent (per template)."""
    return pb.COUPON_STATUS_AVAILABLE if restore_on_cancel else pb.COUPON_STATUS_USED


def coupon_returns(restore_on_cancel: bool, valid_end: dt.datetime, now: dt.datetime) -> bool:
    """Does a coupon a paid, then cancelled order consumed go back to the buyer?
    Per its template's restore-on-cancel policy, and only while still valid:
    one whose validity has ended stays USED (returning it could not be used)."""
    return restore_on_cancel and valid_end > now


# --- what an order gets back ---------------------------------------------------


@dataclass(frozen=True)
class Returned:
    """What an order got back so far of what it consumed (cumulative): the
    points' money and the points credited for it, the card amount, and
    whether its coupons and red packet were given back."""

    points_amount: int = 0
    points: int = 0
    card_amount: int = 0
    coupons: bool = False


@dataclass(frozen=True)
class Consumed:
    """What an order consumed: the points it spent and the money they paid
    (the quote's POINTS deduction), what it took from its card."""

    points: int
    points_amount: int
    card_amount: int

    def everything(self) -> Returned:
        """All of it back (a paid order cancelled, the last refund)."""
        return Returned(self.points_amount, self.points, self.card_amount, True)


def after_return(before: Returned, consumed: Consumed, points_amount: int, card_amount: int,
                 restore_coupons: bool) -> Returned:
    """The order's returns after one more: the points' money asked added,
    never past what the points paid, converted back at the rate the order
    spent them, rounded down on the cumulative money — so returns whose
    money adds up to what the points paid give back exactly the points
    spent, and never more —; the card amount added, never past what the
    order took; the coupons once. What is asked beyond what is left is not
    given (the caller sees what was)."""
    money = min(consumed.points_amount, before.points_amount + points_amount)
    if consumed.points_amount <= 0:
        points = before.points
    elif money == consumed.points_amount:
        points = consumed.points
    else:
        points = max(before.points, money * consumed.points // consumed.points_amount)
    card = min(consumed.card_amount, before.card_amount + card_amount)
    return Returned(money, points, card, before.coupons or restore_coupons)


# --- kinds -------------------------------------------------------------------

ITEM_KINDS: dict[int, engine.Kind] = {
    pb.PROMOTION_KIND_ITEM_DIRECT_REDUCTION: engine.Kind.ITEM_DIRECT_REDUCTION,
    pb.PROMOTION_KIND_ITEM_DISCOUNT: engine.Kind.ITEM_DISCOUNT,
    pb.PROMOTION_KIND_FLASH_SALE: engine.Kind.FLASH_SALE,
    pb.PROMOTION_KIND_VIP_PRICE: engine.Kind.VIP_PRICE,
}
ORDER_KINDS: dict[int, engine.Kind] = {
    pb.PROMOTION_KIND_SHOP_FULL_REDUCTION: engine.Kind.SHOP_PROMOTION,
    pb.PROMOTION_KIND_SHOP_FULL_DISCOUNT: engine.Kind.SHOP_PROMOTION,
    pb.PROMOTION_KIND_PLATFORM_FULL_REDUCTION: engine.Kind.PLATFORM_PROMOTION,
}
# Take nothing off the goods: the quote says which sellers ship free, and
# what it offers off the others' freight.
FREE_SHIPPING = pb.PROMOTION_KIND_FREE_SHIPPING
FREIGHT_REDUCTION = pb.PROMOTION_KIND_FREIGHT_REDUCTION

# Which optional rule fields each promotion kind uses. A budget caps what a
# promotion takes off orders, so free shipping (which takes nothing) has none.
_PROMOTION_FIELDS: dict[int, frozenset[str]] = {
    pb.PROMOTION_KIND_ITEM_DIRECT_REDUCTION: frozenset({"amount_off", "budget"}),
    pb.PROMOTION_KIND_ITEM_DISCOUNT: frozenset({"rate_bps", "budget"}),
    pb.PROMOTION_KIND_FLASH_SALE: frozenset({"price", "per_buyer_limit", "budget"}),
    pb.PROMOTION_KIND_VIP_PRICE: frozenset({"price", "budget"}),
    pb.PROMOTION_KIND_SHOP_FULL_REDUCTION: frozenset({"ladders", "budget"}),
    pb.PROMOTION_KIND_SHOP_FULL_DISCOUNT: frozenset({"ladders", "budget"}),
    pb.PROMOTION_KIND_PLATFORM_FULL_REDUCTION: frozenset({"ladders", "budget"}),
    FREE_SHIPPING: frozenset({"ladders"}),
    FREIGHT_REDUCTION: frozenset({"amount_off", "ladders", "budget"}),
}

# --- field checks ------------------------------------------------------------


class _Currencies:
    """The one currency of a message's amounts (each amount's range and
    currency are the contract's)."""

    def __init__(self, v: Violations) -> None:
        self.v = v
        self.seen: dict[str, str] = {}

    def money(self, m: Money, field: str) -> int:
        code = m.currency_code
        if self.seen and code not in self.seen:
            first = next(iter(self.seen.values()))
            self.v.add(f"{field}.currency_code", f"must be the currency of {first}")
        self.seen.setdefault(code, field)
        return m.amount_minor

    @property
    def code(self) -> str:
        return next(iter(self.seen), "")


def _check_unique(v: Violations, ids: Sequence[str], field: str) -> None:
    v.check(len(set(ids)) == len(ids), field, "has repeated ids")


def _check_scope(v: Violations, scope: pb.Scope, field: str) -> None:
    for name in ("sku_ids", "category_ids"):
        _check_unique(v, getattr(scope, name), f"{field}.{name}")


def _check_only(v: Violations, used: frozenset[str], present: dict[str, bool], prefix: str,
                kind_name: str) -> None:
    for name, is_set in present.items():
        if is_set and name not in used:
            v.add(f"{prefix}.{name}", f"does not apply to {kind_name}")


# --- promotions --------------------------------------------------------------


def validate_promotion(p: pb.Promotion) -> str:
    """Validate a new promotion; return its currency ("" if it has no amount)."""
    v = Violations()
    f = "promotion"
    cur = _Currencies(v)
    known = p.kind in _PROMOTION_FIELDS
    v.check(known, f"{f}.kind", "must be one of the promotion kinds")
    _check_scope(v, p.scope, f"{f}.scope")
    v.check(p.HasField("start_time"), f"{f}.start_time", "is required")
    v.check(p.HasField("end_time"), f"{f}.end_time", "is required")
    if p.HasField("start_time") and p.HasField("end_time"):
        v.check(p.start_time.ToNanoseconds() < p.end_time.ToNanoseconds(), f"{f}.end_time",
                "must be after start_time")
    v.check(not p.ended, f"{f}.ended", "is set by EndPromotion")
    v.check(not p.HasField("budget_used"), f"{f}.budget_used", "is output only")
    if not known:
        v.raise_if_any()
        return ""
    kind_name = pb.PromotionKind.Name(p.kind)
    used = _PROMOTION_FIELDS[p.kind]
    _check_only(v, used, {
        "amount_off": p.HasField("amount_off"), "rate_bps": p.rate_bps != 0,
        "price": p.HasField("price"), "per_buyer_limit": p.per_buyer_limit != 0,
        "ladders": len(p.ladders) > 0, "budget": p.HasField("budget"),
    }, f, kind_name)
    if "amount_off" in used:
        if p.HasField("amount_off"):
            cur.money(p.amount_off, f"{f}.amount_off")
        else:
            v.add(f"{f}.amount_off", "is required")
    if "rate_bps" in used:
        v.check(p.rate_bps > 0, f"{f}.rate_bps", "is required")
    if "price" in used:
        if p.HasField("price"):
            cur.money(p.price, f"{f}.price")
        else:
            v.add(f"{f}.price", "is required")
    if p.kind in (FREE_SHIPPING, FREIGHT_REDUCTION):
        if p.kind == FREE_SHIPPING:
            v.check(len(p.ladders) == 1, f"{f}.ladders",
                    "exactly one step (the threshold) is required")
        else:
            v.check(len(p.ladders) <= 1, f"{f}.ladders",
                    "at most one step (the threshold) is allowed")
        for i, step in enumerate(p.ladders):
            g = f"{f}.ladders[{i}]"
            if step.HasField("threshold"):
                cur.money(step.threshold, f"{g}.threshold")
            else:
                v.add(f"{g}.threshold", "is required")
            v.check(not step.HasField("amount_off"), f"{g}.amount_off",
                    f"does not apply to {kind_name} (a threshold only)")
            v.check(step.rate_bps == 0, f"{g}.rate_bps",
                    f"does not apply to {kind_name} (a threshold only)")
    elif "ladders" in used:
        v.check(len(p.ladders) > 0, f"{f}.ladders", "at least one step is required")
        by_rate = p.kind == pb.PROMOTION_KIND_SHOP_FULL_DISCOUNT
        for i, step in enumerate(p.ladders):
            _check_ladder(v, cur, step, f"{f}.ladders[{i}]", by_rate)
    if p.kind in (pb.PROMOTION_KIND_SHOP_FULL_REDUCTION, pb.PROMOTION_KIND_SHOP_FULL_DISCOUNT,
                  FREIGHT_REDUCTION):
        v.check(bool(p.scope.seller_id), f"{f}.scope.seller_id", "is required for a shop rule")
    if p.kind == pb.PROMOTION_KIND_PLATFORM_FULL_REDUCTION:
        v.check(not p.scope.seller_id, f"{f}.scope.seller_id",
                "must be empty for a platform rule")
    if "budget" in used and p.HasField("budget"):
        cur.money(p.budget, f"{f}.budget")
    v.raise_if_any()
    return cur.code


def _check_ladder(v: Violations, cur: _Currencies, step: pb.Ladder, f: str,
                  by_rate: bool) -> None:
    if step.HasField("threshold"):
        cur.money(step.threshold, f"{f}.threshold")
    else:
        v.add(f"{f}.threshold", "is required")
    if by_rate:
        v.check(step.rate_bps > 0, f"{f}.rate_bps", "is required")
        v.check(not step.HasField("amount_off"), f"{f}.amount_off",
                "does not apply to a discount ladder")
    else:
        v.check(step.rate_bps == 0, f"{f}.rate_bps", "does not apply to a reduction ladder")
        if step.HasField("amount_off"):
            cur.money(step.amount_off, f"{f}.amount_off")
        else:
            v.add(f"{f}.amount_off", "is required")


# --- quotes ------------------------------------------------------------------


def validate_quote_request(req: pb.QuoteRequest, prefix: str = "") -> str:
    """Validate a cart and the benefits chosen (the buyer is the caller's,
    see ``ownership``); return the cart's currency."""
    v = Violations()
    cur = _Currencies(v)
    v.check(len(req.lines) > 0, f"{prefix}lines", "at least one line is required")
    seen: set[str] = set()
    for i, line in enumerate(req.lines):
        f = f"{prefix}lines[{i}]"
        v.check(line.line_id not in seen, f"{f}.line_id", "is repeated")
        seen.add(line.line_id)
        if line.HasField("unit_price"):
            cur.money(line.unit_price, f"{f}.unit_price")
        else:
            v.add(f"{f}.unit_price", "is required")
    _check_unique(v, req.coupon_ids, f"{prefix}coupon_ids")
    if req.HasField("stored_value_amount"):
        v.check(bool(req.stored_value_card_id), f"{prefix}stored_value_card_id",
                "is required with stored_value_amount")
        cur.money(req.stored_value_amount, f"{prefix}stored_value_amount")
    _check_unique(v, [x.seller_id for x in req.seller_freights], f"{prefix}seller_freights")
    for i, x in enumerate(req.seller_freights):
        cur.money(x.freight, f"{prefix}seller_freights[{i}].freight")
    v.raise_if_any()
    return cur.code


# --- the stacking policy -----------------------------------------------------

DEFAULT_POLICY = engine.Policy()


def sorted_exclusions(policy: engine.Policy) -> list[tuple[int, int]]:
    """The policy's excluded pairs of kinds, each pair and the list sorted
    (as stored and shown)."""
    pairs = [tuple(sorted(int(k) for k in pair)) for pair in policy.exclusions]
    return sorted((a, b) for a, b in pairs)


# --- BestCoupons -------------------------------------------------------------


def coupon_combinations(groups: Sequence[Sequence[str]],
                        limit: int = MAX_COMBINATIONS) -> Iterator[tuple[str, ...]]:
    """Every choice of at most one coupon per group (a shop, or the platform).

    Each group lists its candidates best first; while the number of
    combinations (each group: one of its coupons or none) exceeds ``limit``,
    the largest group loses its last candidate. Deterministic.
    """
    kept = [list(g) for g in groups if g]
    while kept and math.prod(len(g) + 1 for g in kept) > limit:
        largest = max(range(len(kept)), key=lambda i: (len(kept[i]), -i))
        kept[largest].pop()
        kept = [g for g in kept if g]
    options: list[list[str | None]] = [[None, *g] for g in kept]
    for combo in itertools.product(*options):
        yield tuple(c for c in combo if c is not None)


def better_choice(a: tuple[int, tuple[str, ...]], b: tuple[int, tuple[str, ...]]) -> bool:
    """Whether choice ``a`` (saving, coupon ids) beats ``b``: it saves more, or
    as much with fewer coupons, or with the smaller sorted ids."""
    return (-a[0], len(a[1]), sorted(a[1])) < (-b[0], len(b[1]), sorted(b[1]))
