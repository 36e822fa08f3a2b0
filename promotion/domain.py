"""promotion's rules: the promotion kinds as the engine sees them; what a
released or returned coupon becomes; what an order gets back; the stacking
policy's pairs; the bounded search of BestCoupons. No database, gRPC, broker
or protobuf messages here (the contract's enums only). What a valid request
is, is ``promotion.requests``'."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from promotion import engine
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
