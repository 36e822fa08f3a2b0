"""Clearing (清分): one seller part of a paid order split into lines.

Pure and deterministic: no database, clock or protobuf messages; integer
minor units of one currency.

A seller part is what one seller sold in one top-level order: ``goods`` (its
lines at their prices plus its price adjustment), its ``freight`` and every
deduction of its lines with its cost bearer (trade's ``Order.deductions``:
``platform + merchant == amount``; a freight reduction, 减配送费, is a
deduction of the freight rather than of the goods: ``Deduction.on_freight``).
What the buyer paid through payment for it is ``paid = goods - deductions +
freight`` (what the channel settles to the platform); points and the
stored-value card are deductions like the others (the buyer did not pay
them through payment): their platform share is funded by the platform
(the card, being the buyer's prepaid money the platform holds, is wholly
the platform's; the points as promotion's ``points_platform_share_bps``
split them), the rest by the merchant.

Of ``paid``, a payment channel may have funded some itself: its instant
discount (随机立减, ``channel_discount``; payment's
``PaymentAttempt.channel_discount_amount``), which the buyer did not pay
out of pocket but the channel still settles to the platform. What the buyer
paid out of pocket is ``buyer_paid = paid - channel_discount``. The
channel's discount of a payment is shared among the orders it paid by
amount (``order_channel_discounts``) and an order's among its seller parts in proportion to paid
(``with_channel_discount``).

The lines (``LineKind``), each sum exact:

* where the money comes from: ``GOODS`` + a ``PLATFORM_DISCOUNT`` and a
  ``MERCHANT_DISCOUNT`` line per deduction source and bearer (negative) +
  ``CHANNEL_DISCOUNT`` (negative) + ``FREIGHT`` ``== buyer_paid``;
* where it goes: ``MERCHANT_RECEIVABLE`` (or ``PLATFORM_SALES``) +
  ``PLATFORM_COMMISSION`` + ``CHANNEL_FEE`` + ``PLATFORM_CHANNEL_FEE`` +
  every ``PLATFORM_DISCOUNT`` + ``CHANNEL_DISCOUNT`` + ``DELIVERY_FEE`` +
  ``RIDER_FEE`` ``== buyer_paid``.

Like a platform-borne discount, the channel's discount is among the sources
(it lowers what the buyer paid) and among the uses (negative: the channel
funds it), so the receivable, commission and fees are those of the part
without it (the channel fee is on ``paid``, what the channel settles).
Without a channel discount both sums are ``paid``.

The merchant's gross is ``goods - merchant-borne discounts + freight``
(``paid`` plus the platform's subsidy), except when the rule says the
platform delivers (``delivery_by_platform``, 专送): then the freight is the
platform's and the gross is ``goods - merchant-borne discounts`` (a freight
reduction the merchant bears still lowers it: seed 003, 40 - 14 - 5 = 21),
and the freight goes to ``RIDER_FEE`` (the rule's rider fee, at most the
freight: owed to the rider) and ``DELIVERY_FEE`` (the rest: the platform's);
these two lines are there only when the platform delivers.
Should the merchant-borne discounts exceed the goods (a freight reduction
left after the goods were refunded), the merchant's gross counts as 0 and
the platform's ``DELIVERY_FEE`` absorbs the shortfall: ``DELIVERY_FEE`` is
the one line of either sign (negative when delivery costs the platform more
than it collected).

Commission is the fee rule's (on its base, see settlement.fees), capped at
the merchant's gross. The channel fee is the rule's on ``paid``; the
merchant bears it when the rule says so, up to what is left of its gross
after commission, the platform the rest (``PLATFORM_CHANNEL_FEE``,
negative). Hence the receivable is never negative, commission and channel
fee never negative, discount lines never positive, and both sums are exact.

A seller part of the platform's own sale (``platform``: a seller of
``[settlement] platform_seller_ids``, e.g. a membership sold with a
take-out order) has no commission, its channel fee is the platform's, and
its would-be receivable is ``PLATFORM_SALES`` (the platform's sales
revenue) instead of ``MERCHANT_RECEIVABLE``; the sums are the same.

A refund recomputes the part on what is left (goods, deductions and freight
less the refund plan's) with the same fee rule: the difference of the lines
is what is reversed, so a full refund reverses every line exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import IntEnum

from settlement.fees import FeeRule
from zhongtai.money import allocate_by_key, discount_kept
from zhongtai.promotion.v1 import promotion_pb2 as promo


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
    # Take-out (issue 12 item 2; seed 003).
    DELIVERY_FEE = 50
    RIDER_FEE = 51
    PLATFORM_SALES = 52
    # Channel instant discounts (随机立减).
    CHANNEL_DISCOUNT = 80


SOURCES = frozenset({LineKind.GOODS, LineKind.PLATFORM_DISCOUNT, LineKind.MERCHANT_DISCOUNT,
                     LineKind.CHANNEL_DISCOUNT, LineKind.FREIGHT})
USES = frozenset({LineKind.MERCHANT_RECEIVABLE, LineKind.PLATFORM_SALES,
                  LineKind.PLATFORM_COMMISSION, LineKind.CHANNEL_FEE,
                  LineKind.PLATFORM_CHANNEL_FEE, LineKind.PLATFORM_DISCOUNT,
                  LineKind.CHANNEL_DISCOUNT, LineKind.DELIVERY_FEE, LineKind.RIDER_FEE})
NEVER_POSITIVE = frozenset({LineKind.PLATFORM_DISCOUNT, LineKind.MERCHANT_DISCOUNT,
                            LineKind.CHANNEL_DISCOUNT, LineKind.PLATFORM_CHANNEL_FEE})
EITHER_SIGN = frozenset({LineKind.DELIVERY_FEE})


# promotion's DeductionKinds taken off the freight, not the goods (减配送费).
FREIGHT_DEDUCTION_KINDS = frozenset({promo.DEDUCTION_KIND_FREIGHT_REDUCTION})


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

    @property
    def on_freight(self) -> bool:
        """Taken off the freight (a freight reduction), not the goods."""
        return self.kind in FREIGHT_DEDUCTION_KINDS


@dataclass(frozen=True)
class SellerPart:
    """What one seller sold in one order, as paid (or as left after refunds);
    ``channel_discount``: what the channel funded of its ``paid``."""

    seller_id: str
    goods: int
    freight: int = 0
    deductions: tuple[Deduction, ...] = ()
    channel_discount: int = 0

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

    @property
    def buyer_paid(self) -> int:
        """What the buyer paid out of pocket: ``paid`` less the channel's
        discount."""
        return self.paid - self.channel_discount

    @property
    def freight_cash(self) -> int:
        """What the buyer paid for the freight: less its freight reductions."""
        return max(self.freight - sum(d.amount for d in self.deductions if d.on_freight), 0)

    def refunded(self, cash: int, freight_cash: int, deductions: Iterable[Deduction],
                 shipped: bool = True) -> SellerPart:
        """This part after a refund plan (trade's): ``cash`` of the goods
        with the goods' ``deductions`` (the goods at their prices that went
        back are their sum), and ``freight_cash`` of what the buyer paid for
        the freight, with the part's freight reductions in the same
        proportion (rounded down; all of them with the last of the freight
        cash). A freight reduced to nothing (no freight cash) goes back
        whole, with its reductions, with the last of the goods of a part
        that had not ``shipped``. Freight reductions in ``deductions`` are
        ignored (trade's plans give them as 0)."""
        goods_back = [d for d in deductions if not d.on_freight]
        reductions = [d for d in self.deductions if d.on_freight]
        goods = cash + sum(d.amount for d in goods_back)
        left = self.freight_cash
        paid_back = min(freight_cash, left)
        num, den = (paid_back, left) if left else (int(not shipped and goods >= self.goods), 1)
        back = [Deduction(d.kind, d.source_id, d.platform * num // den, d.merchant * num // den)
                for d in reductions]
        return self.less(goods, paid_back + sum(d.amount for d in back), [*goods_back, *back])

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


def clear(part: SellerPart, rule: FeeRule | None, *, platform: bool = False
          ) -> tuple[Line, ...]:
    """The clearing lines of ``part`` under ``rule`` (None: no fees);
    ``platform``: the platform's own sale. The source lines and the use lines
    each sum exactly to ``part.buyer_paid``; no line has the wrong sign (module
    docstring)."""
    s = part.seller_id
    delivered = bool(rule and rule.delivery_by_platform)
    gross = part.goods - part.merchant_discounts + (0 if delivered else part.freight)
    shortfall = max(-gross, 0) if delivered else 0
    commission = min(rule.commission(part.goods, part.merchant_discounts), max(gross, 0)) \
        if rule and not platform else 0
    fee = rule.channel_fee(part.paid) if rule else 0
    by_merchant = min(fee, max(gross - commission, 0)) \
        if rule and rule.channel_fee_by_merchant and not platform else 0
    lines = [Line(LineKind.GOODS, s, part.goods)]
    for d in part.deductions:
        if d.platform:
            lines.append(Line(LineKind.PLATFORM_DISCOUNT, s, -d.platform, d.kind, d.source_id))
        if d.merchant:
            lines.append(Line(LineKind.MERCHANT_DISCOUNT, s, -d.merchant, d.kind, d.source_id))
    if part.channel_discount:
        lines.append(Line(LineKind.CHANNEL_DISCOUNT, s, -part.channel_discount))
    receivable = LineKind.PLATFORM_SALES if platform else LineKind.MERCHANT_RECEIVABLE
    lines += [Line(LineKind.FREIGHT, s, part.freight),
              Line(receivable, s, gross + shortfall - commission - by_merchant),
              Line(LineKind.PLATFORM_COMMISSION, s, commission),
              Line(LineKind.CHANNEL_FEE, s, fee),
              Line(LineKind.PLATFORM_CHANNEL_FEE, s, -(fee - by_merchant))]
    if rule and delivered:
        rider = rule.rider_fee(part.freight)
        lines += [Line(LineKind.DELIVERY_FEE, s, part.freight - rider - shortfall),
                  Line(LineKind.RIDER_FEE, s, rider)]
    return tuple(lines)


def with_channel_discount(parts: Iterable[SellerPart], discount: int) -> list[SellerPart]:
    """The parts with an order's channel ``discount`` shared among them in
    proportion to paid (by seller id, the remainder to the last, none above
    its part's paid; ``zhongtai.money.allocate_by_key``): the shares sum to
    the discount exactly, or to all the parts paid when the discount is more
    (what is left after refunds: the channel's funding goes back with the
    last of the money, ``zhongtai.money.discount_kept``: the rule payment's
    refunds split by, ``refund_split``)."""
    ps = {p.seller_id: p for p in parts}
    paid = {s: p.paid for s, p in ps.items()}
    shares = allocate_by_key(discount_kept(discount, sum(paid.values())), paid)
    return [replace(p, channel_discount=shares[s]) for s, p in ps.items()]


def order_channel_discounts(discount: int, parts: Iterable[tuple[str, str, int]]
                            ) -> dict[str, int]:
    """A payment's channel ``discount`` per order it paid (``parts``: its pay
    order id, order id and amount): shared among the pay orders by amount
    (in pay order id order, remainder to the last;
    ``zhongtai.money.allocate_by_key``), summed per order; exact."""
    ps = list(parts)
    shares = allocate_by_key(discount, {pay_order: amount for pay_order, _, amount in ps})
    out: dict[str, int] = {}
    for pay_order, order_id, _ in ps:
        out[order_id] = out.get(order_id, 0) + shares[pay_order]
    return out


def total(lines: Iterable[Line], *kinds: LineKind) -> int:
    """The sum of the lines of these kinds."""
    wanted = set(kinds)
    return sum(x.amount for x in lines if x.kind in wanted)
