"""How an agreed refund claim is allotted: the arithmetic of after-sales
refunds beside the Order aggregate.

Rules (amounts in minor units of the order's one currency; a line's cash
paid P is ``Line.actual``, its parts are its deductions — points and the
stored-value card among them — each with the shares the platform and the
merchant bear):

* Caps. A line may refund at most P less the cash already refunded (and
  less the cash of another open claim: one claim per line is open at a
  time), and at most its units not yet refunded — or, once every unit was
  refunded while cash is left (a partial refund of all the units), claims
  for the rest of the cash naming units already refunded. A claim refunds
  the units it names up to those not refunded yet (``units_counted``).
* Parts in proportion, cumulatively. After a claim the line has refunded
  C of P cash and U of Q units; its refunded proportion is r = C / P (or
  U / Q when P == 0: paid by points and the card alone). Each deduction's
  cumulative return is floor(amount * r) (its platform share likewise,
  the merchant's the rest) and a claim returns the growth of that. The
  claim that refunds the line completely (C == P and U == Q) has r = 1 and
  so takes every remainder: refunding every line returns every part
  exactly, and never more than a part (r never exceeds 1).
* Cash by pay order, latest first: a presale order's BALANCE before its
  DEPOSIT, each up to what is left of it (its actual amount less what it
  refunded and what agreed claims not yet finished will).
* Freight: the claim after which every line of an order nothing of which
  shipped is refunded completely adds the order's freight cash to its cash:
  the freight less its freight reductions (what the buyer paid for it).
  A freight reduction is not a part of the goods: a claim returns nothing
  of it (its DeductionBack is 0), whatever it refunds.
* Coupons (and the red packet) are restored by the claim that refunds the
  order completely, unless it was completed.
* Stock: a refund-only claim's units go back when the line had not
  shipped (otherwise none); a return's, the units the seller accepted back
  (``returned``, at most the units it refunds).

Pure: no I/O, no clock. Enum values only from the generated modules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from zhongtai.promotion.v1 import promotion_pb2 as promo

if TYPE_CHECKING:
    from trade.order.model import Deduction

POINTS = promo.DEDUCTION_KIND_POINTS
CARD = promo.DEDUCTION_KIND_STORED_VALUE_CARD
FREIGHT_REDUCTION = promo.DEDUCTION_KIND_FREIGHT_REDUCTION


@dataclass(frozen=True)
class Refunded:
    """What a line refunded so far (cumulative): cash, units, and per
    deduction (by its index on the line) the amount and the platform's share."""

    cash: int = 0
    quantity: int = 0
    parts: tuple[tuple[int, int], ...] = ()

    def part(self, i: int) -> tuple[int, int]:
        """The amount and platform share refunded of deduction ``i``."""
        return self.parts[i] if i < len(self.parts) else (0, 0)

    def complete(self, paid: int, quantity: int) -> bool:
        """Whether the line is refunded completely: all its cash and units."""
        return self.cash == paid and self.quantity == quantity

    def plus(self, cash: int, quantity: int, parts: Sequence[DeductionBack]) -> Refunded:
        """These figures after a claim that returned ``parts`` (line order)."""
        return Refunded(self.cash + cash, self.quantity + quantity, tuple(
            (a + p.amount, pl + p.platform_amount)
            for (a, pl), p in zip(_padded(self.parts, len(parts)), parts, strict=True)))

    def to_json(self) -> dict[str, Any]:
        return {"cash": self.cash, "quantity": self.quantity,
                "parts": [list(x) for x in self.parts]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Refunded:
        return cls(int(data.get("cash", 0)), int(data.get("quantity", 0)),
                   tuple((int(a), int(p)) for a, p in data.get("parts", [])))


def _padded(parts: tuple[tuple[int, int], ...], n: int) -> list[tuple[int, int]]:
    return [parts[i] if i < len(parts) else (0, 0) for i in range(n)]


@dataclass(frozen=True)
class DeductionBack:
    """What a claim returns of one deduction (kind, source, bearers)."""

    kind: int
    source_id: str
    amount: int
    platform_amount: int
    merchant_amount: int


@dataclass(frozen=True)
class PayOrderRoom:
    """A pay order's cash still refundable: ``room``; ``kind``: PayOrderKind."""

    pay_order_id: str
    payment_id: str
    kind: int
    room: int


@dataclass(frozen=True)
class RefundPayment:
    """One pay order's share of a claim's cash (goods and freight)."""

    pay_order_id: str
    payment_id: str
    amount: int


@dataclass(frozen=True)
class RefundPlan:
    """An agreed claim, allotted exactly (see the module docstring)."""

    application_id: str
    line_order_id: str
    kind: int  # RefundKind
    quantity: int  # the units the claim names
    cash: int
    freight: int = 0
    # The units it refunds (not refunded before; ``units_counted``).
    units: int = 0
    payments: tuple[RefundPayment, ...] = ()
    deductions: tuple[DeductionBack, ...] = ()
    restore_coupons: bool = False
    restock_quantity: int = 0
    shipped: bool = False

    @property
    def points(self) -> int:
        """The points' share returned (money)."""
        return sum(d.amount for d in self.deductions if d.kind == POINTS)

    @property
    def stored_value(self) -> int:
        """The stored-value card's share returned."""
        return sum(d.amount for d in self.deductions if d.kind == CARD)

    def to_json(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k not in ("payments", "deductions")}
        data["payments"] = [p.__dict__ for p in self.payments]
        data["deductions"] = [d.__dict__ for d in self.deductions]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RefundPlan:
        return replace(cls(**{k: v for k, v in data.items()
                              if k not in ("payments", "deductions")}),
                       payments=tuple(RefundPayment(**p) for p in data["payments"]),
                       deductions=tuple(DeductionBack(**d) for d in data["deductions"]))


@dataclass(frozen=True)
class LineAllotment:
    """What one claim returns of a line, and the line's figures after it."""

    deductions: tuple[DeductionBack, ...]
    after: Refunded = field(default_factory=Refunded)


def allot_line(paid: int, quantity: int, deductions: Sequence[Deduction], before: Refunded,
               cash: int, units: int) -> LineAllotment:
    """A claim of ``cash`` naming ``units`` on a line that paid ``paid`` cash
    for ``quantity`` units with ``deductions``, having refunded ``before``:
    each deduction's return (cumulative floor of its proportion; see the
    module docstring) and the figures after it (the units it refunds:
    ``units_counted``). ValueError above the cash cap."""
    if not (0 <= cash <= paid - before.cash and 0 <= units <= quantity):
        raise ValueError("a claim above the line's caps")
    units = units_counted(quantity, before, units)
    done_cash, done_units = before.cash + cash, before.quantity + units
    num, den = (done_cash, paid) if paid > 0 else (done_units, quantity)
    back = []
    for i, d in enumerate(deductions):
        amount, platform = before.part(i)
        if d.kind == FREIGHT_REDUCTION:
            back.append(DeductionBack(d.kind, d.source_id, 0, 0, 0))
            continue
        a = d.amount * num // den - amount
        # The platform's share follows its own proportion, within what is
        # left of each bearer's share, so neither ever goes back negative.
        p = min(a, d.platform_amount - platform,
                max(0, d.platform_amount * num // den - platform))
        p += max(0, (a - p) - (d.amount - d.platform_amount - (amount - platform)))
        back.append(DeductionBack(d.kind, d.source_id, a, p, a - p))
    parts = tuple(back)
    return LineAllotment(parts, before.plus(cash, units, parts))


def units_counted(quantity: int, before: Refunded, units: int) -> int:
    """The units a claim naming ``units`` refunds: those not refunded yet."""
    return max(0, min(units, quantity - before.quantity))


def split_cash(amount: int, rooms: Sequence[PayOrderRoom]) -> tuple[RefundPayment, ...]:
    """``amount`` taken from the pay orders latest first (highest kind: the
    BALANCE before the DEPOSIT), each up to its room. ValueError when they
    cannot hold it."""
    out, left = [], amount
    for room in sorted(rooms, key=lambda r: r.kind, reverse=True):
        take = min(left, max(room.room, 0))
        if take > 0:
            out.append(RefundPayment(room.pay_order_id, room.payment_id, take))
            left -= take
    if left:
        raise ValueError(f"{left} more cash than the pay orders have left")
    return tuple(out)
