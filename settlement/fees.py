"""Fee rules: versioned commission and channel fee per business type and
merchant.

Pure and deterministic: no database, clock or protobuf messages.

Versions. A rule is one version of the fees of a business type for one
merchant (``seller_id``) or for every merchant of it (``seller_id == ""``),
in force from its ``effective_time``. The rule that applies to an order is
chosen by the order's *creation* time, never by when it is paid or cleared:
the merchant's own newest version effective at or before that time, else the
business type's newest such version for every merchant, else none (no
commission, no channel fee). A new version therefore never changes an order
placed before it; the version chosen is stamped on the order's clearing and
kept for its refunds.

Commission, on a declared base of one seller part of an order:

* ``GOODS``: the goods at their prices plus the seller's price adjustment;
* ``GOODS_AFTER_MERCHANT_DISCOUNTS``: that, less the discounts the merchant
  bears (platform-borne ones are the platform's cost and do not lower it).

``PERCENTAGE`` takes ``rate_bps`` of the base; ``FIXED`` takes
``fixed_amount`` (at most the base); ``TIERED`` takes the rate of the highest
tier whose ``from_amount`` is at most the base, on the whole base (not
marginal). The channel fee is ``channel_fee_bps`` of what the buyer paid
through payment for the seller part.

Delivery: ``delivery_by_platform`` says the platform delivers (专送): a
seller part's freight is the platform's, not the merchant's, and the
platform owes the rider (or delivery partner) ``rider_fee_amount`` per
delivered seller part, at most that part's freight (``rider_fee``). A rider
fee without platform delivery is refused (the merchant's own delivery is
the merchant's business).

Rounding: every rate applies to an integer amount of minor units and rounds
half up to the minor unit (``(amount * bps + 5000) // 10000``), once per
seller part; amounts are never negative (a negative base counts as 0).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum

from zhongtai.errors import Violations

BPS = 10_000


class CommissionKind(IntEnum):
    """Values match zhongtai.settlement.v1.CommissionKind."""

    PERCENTAGE = 1
    FIXED = 2
    TIERED = 3


class CommissionBase(IntEnum):
    """Values match zhongtai.settlement.v1.CommissionBase."""

    GOODS = 1
    GOODS_AFTER_MERCHANT_DISCOUNTS = 2


def rate(amount: int, bps: int) -> int:
    """``bps`` basis points of ``amount`` minor units, rounded half up; 0 for
    a non-positive amount."""
    if amount <= 0:
        return 0
    return (amount * bps + BPS // 2) // BPS


@dataclass(frozen=True)
class Tier:
    from_amount: int
    rate_bps: int


@dataclass(frozen=True)
class FeeRule:
    """One version of a business type's fees for a merchant (or all)."""

    fee_rule_id: str
    business_type: str
    seller_id: str
    effective_time: dt.datetime
    currency: str
    commission_kind: CommissionKind = CommissionKind.PERCENTAGE
    commission_base: CommissionBase = CommissionBase.GOODS
    rate_bps: int = 0
    fixed_amount: int = 0
    tiers: tuple[Tier, ...] = ()
    channel_fee_bps: int = 0
    channel_fee_by_merchant: bool = False
    delivery_by_platform: bool = False
    rider_fee_amount: int = 0

    def base(self, goods: int, merchant_discounts: int) -> int:
        """The commission base of a seller part (never negative)."""
        if self.commission_base is CommissionBase.GOODS_AFTER_MERCHANT_DISCOUNTS:
            return max(goods - merchant_discounts, 0)
        return max(goods, 0)

    def commission(self, goods: int, merchant_discounts: int) -> int:
        """The commission of a seller part whose goods (at their prices plus
        the adjustment) are ``goods`` and whose merchant-borne discounts are
        ``merchant_discounts``; never negative, never above the base."""
        base = self.base(goods, merchant_discounts)
        if self.commission_kind is CommissionKind.FIXED:
            return min(self.fixed_amount, base)
        if self.commission_kind is CommissionKind.TIERED:
            reached = [t for t in self.tiers if t.from_amount <= base]
            bps = max(reached, key=lambda t: t.from_amount).rate_bps if reached else 0
            return rate(base, bps)
        return rate(base, self.rate_bps)

    def channel_fee(self, paid: int) -> int:
        """The channel's fee on ``paid`` (what the buyer paid through
        payment for the seller part)."""
        return rate(paid, self.channel_fee_bps)

    def rider_fee(self, freight: int) -> int:
        """What the platform owes the rider for a seller part whose freight
        is ``freight``: ``rider_fee_amount``, at most the freight, 0 unless
        the platform delivers (or with no freight: nothing delivered)."""
        if not self.delivery_by_platform:
            return 0
        return max(min(self.rider_fee_amount, freight), 0)


def validate(rule: FeeRule) -> None:
    """Refuse (INVALID_ARGUMENT, every violation at once) a rule that could
    not be applied: no business type, rates outside 0..10000 bps, a negative
    fixed amount, tiers that are not strictly ascending from 0, a kind
    without its parameters, a negative rider fee or one without platform
    delivery."""
    v = Violations()
    v.check(bool(rule.business_type.strip()), "fee_rule.business_type", "required")
    v.check(0 <= rule.rate_bps <= BPS, "fee_rule.commission_rate_bps", "0 to 10000")
    v.check(0 <= rule.channel_fee_bps <= BPS, "fee_rule.channel_fee_bps", "0 to 10000")
    v.check(rule.fixed_amount >= 0, "fee_rule.commission_fixed_amount", "not negative")
    v.check(rule.rider_fee_amount >= 0, "fee_rule.rider_fee_amount", "not negative")
    v.check(rule.delivery_by_platform or not rule.rider_fee_amount,
            "fee_rule.rider_fee_amount", "only with delivery_by_platform")
    v.check(rule.commission_kind in tuple(CommissionKind), "fee_rule.commission_kind",
            "PERCENTAGE, FIXED or TIERED")
    v.check(rule.commission_base in tuple(CommissionBase), "fee_rule.commission_base",
            "GOODS or GOODS_AFTER_MERCHANT_DISCOUNTS")
    if rule.commission_kind is CommissionKind.TIERED:
        froms = [t.from_amount for t in rule.tiers]
        v.check(bool(froms) and froms[0] == 0 and all(a < b for a, b in itertools.pairwise(froms)),
                "fee_rule.commission_tiers", "strictly ascending from_amount, the first 0")
        v.check(all(0 <= t.rate_bps <= BPS for t in rule.tiers),
                "fee_rule.commission_tiers", "rates 0 to 10000")
    else:
        v.check(not rule.tiers, "fee_rule.commission_tiers", "only for TIERED")
    v.raise_if_any()


def in_force(rules: Iterable[FeeRule], business_type: str, seller_id: str,
             at: dt.datetime) -> FeeRule | None:
    """The rule that applies to an order of ``seller_id`` in
    ``business_type`` created at ``at``: the merchant's own newest version
    effective at or before ``at``, else the business type's newest one for
    every merchant, else None."""
    candidates = [r for r in rules
                  if r.business_type == business_type and r.effective_time <= at]
    for owner in (seller_id, ""):
        versions: Sequence[FeeRule] = [r for r in candidates if r.seller_id == owner]
        if versions:
            return max(versions, key=lambda r: r.effective_time)
    return None
