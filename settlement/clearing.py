"""Clearing (清分): one seller part of a paid order split into lines.

Pure and deterministic: no database, clock or protobuf messages; integer
minor units of one currency.

A seller part is what one seller sold in one top-level order: ``goods`` (its
lines at their prices plus its price adjustment), its ``freight`` and every
deduction of its lines with its cost bearer (trade's ``Order.deductions``:
``platform + merchant == amount``). What the buyer paid through payment for
it is ``paid = goods - deductions + freight``; points and the stored-value
card are deductions like the others (the buyer did not pay them through
payment): their platform share is funded by the platform (the card, being
the buyer's prepaid money the platform holds, is wholly the platform's; the
points as promotion's ``points_platform_share_bps`` split them), the rest by
the merchant.

The lines (``LineKind``):

* where the money comes from: ``GOODS`` + a ``PLATFORM_DISCOUNT`` and a
  ``MERCHANT_DISCOUNT`` line per deduction source and bearer (negative) +
  ``FREIGHT`` (the merchant's) ``== paid``;
* where it goes: ``MERCHANT_RECEIVABLE`` + ``PLATFORM_COMMISSION`` +
  ``CHANNEL_FEE`` + ``PLATFORM_CHANNEL_FEE`` + every ``PLATFORM_DISCOUNT``
  ``== paid``.

The merchant's gross is ``goods - merchant-borne discounts + freight``
(``paid`` plus the platform's subsidy). Commission is the fee rule's (on its
base, see settlement.fees), capped at the merchant's gross. The channel fee
is the rule's on ``paid``; the merchant bears it when the rule says so, up
to what is left of its gross after commission, the platform the rest
(``PLATFORM_CHANNEL_FEE``, negative). Hence the receivable is never
negative, commission and channel fee never negative, discount lines never
positive, and both sums are exact.

A refund recomputes the part on what is left (goods, deductions and freight
less the refund plan's) with the same fee rule: the difference of the lines
is what is reversed, so a full refund reverses every line exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import IntEnum

from settlement.fees import FeeRule


class LineKind(IntEnum):
    """Values match zhongtai.settlement.v1.LineKind."""

    MERCHANT_RECEIVABLE = 1
    PLATFORM_COMMISSION = 2
    PLATFORM_DISCOUNT = 3
    MERCHANT_DISCOUNT = 4
    FREIGHT = 5
    CHANNEL_FEE = 6
    GOODS = 7
    PLATFORM_CHANNEL_FEE = 8


SOURCES = frozenset({LineKind.GOODS, LineKind.PLATFORM_DISCOUNT, LineKind.MERCHANT_DISCOUNT,
                     LineKind.FREIGHT})
USES = frozenset({LineKind.MERCHANT_RECEIVABLE, LineKind.PLATFORM_COMMISSION,
                  LineKind.CHANNEL_FEE, LineKind.PLATFORM_CHANNEL_FEE,
                  LineKind.PLATFORM_DISCOUNT})
NEVER_POSITIVE = frozenset({LineKind.PLATFORM_DISCOUNT, LineKind.MERCHANT_DISCOUNT,
                            LineKind.PLATFORM_CHANNEL_FEE})


@dataclass(frozen=True)
class Deduction:
    """One deduction of a seller part (kind: promotion's DeductionKind)."""

    kind: int
    source_id: str
    platform: int
    merchant: int

    @property
    def amount(self) -> int:
        return self.platform + self.merchant


@dataclass(frozen=True)
class SellerPart:
    """What one seller sold in one order, as paid (or as left after refunds)."""

    seller_id: str
    goods: int
    freight: int = 0
    deductions: tuple[Deduction, ...] = ()

    @property
    def discounts(self) -> int:
        return sum(d.amount for d in self.deductions)

    @property
    def merchant_discounts(self) -> int:
        return sum(d.merchant for d in self.deductions)

    @property
    def platform_discounts(self) -> int:
        return sum(d.platform for d in self.deductions)

    @property
    def paid(self) -> int:
        """What the buyer paid through payment for this part."""
        return self.goods - self.discounts + self.freight

    def less(self, goods: int, freight: int, deductions: Iterable[Deduction]) -> SellerPart:
        """This part after a refund of ``goods`` (the refunded goods at
        their prices: the plan's cash plus its deductions), ``freight`` and
        ``deductions`` (matched by kind and source, by bearer); never below
        zero."""
        left = {(d.kind, d.source_id): d for d in self.deductions}
        for d in deductions:
            key = (d.kind, d.source_id)
            if key in left:
                was = left[key]
                left[key] = replace(was, platform=max(was.platform - d.platform, 0),
                                    merchant=max(was.merchant - d.merchant, 0))
        return replace(self, goods=max(self.goods - goods, 0),
                       freight=max(self.freight - freight, 0),
                       deductions=tuple(left.values()))


@dataclass(frozen=True)
class Line:
    kind: LineKind
    seller_id: str
    amount: int
    deduction_kind: int = 0
    source_id: str = ""


def clear(part: SellerPart, rule: FeeRule | None) -> tuple[Line, ...]:
    """The clearing lines of ``part`` under ``rule`` (None: no fees). The
    source lines and the use lines each sum exactly to ``part.paid``; no
    line has the wrong sign (module docstring)."""
    s = part.seller_id
    gross = part.goods - part.merchant_discounts + part.freight
    commission = min(rule.commission(part.goods, part.merchant_discounts), max(gross, 0)) \
        if rule else 0
    fee = rule.channel_fee(part.paid) if rule else 0
    by_merchant = min(fee, max(gross - commission, 0)) \
        if rule and rule.channel_fee_by_merchant else 0
    lines = [Line(LineKind.GOODS, s, part.goods)]
    for d in part.deductions:
        if d.platform:
            lines.append(Line(LineKind.PLATFORM_DISCOUNT, s, -d.platform, d.kind, d.source_id))
        if d.merchant:
            lines.append(Line(LineKind.MERCHANT_DISCOUNT, s, -d.merchant, d.kind, d.source_id))
    lines += [Line(LineKind.FREIGHT, s, part.freight),
              Line(LineKind.MERCHANT_RECEIVABLE, s, gross - commission - by_merchant),
              Line(LineKind.PLATFORM_COMMISSION, s, commission),
              Line(LineKind.CHANNEL_FEE, s, fee),
              Line(LineKind.PLATFORM_CHANNEL_FEE, s, -(fee - by_merchant))]
    return tuple(lines)


def total(lines: Iterable[Line], *kinds: LineKind) -> int:
    """The sum of the lines of these kinds."""
    wanted = set(kinds)
    return sum(x.amount for x in lines if x.kind in wanted)
