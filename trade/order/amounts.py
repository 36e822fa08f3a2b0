"""What each line and the buyer pay: the arithmetic beside the Order aggregate.

Rules (amounts in minor units, one currency per order; see the table "What
each amount means" in docs/architecture.md):

* A line's actual amount is its total less every deduction plus its share of
  the price adjustment; a main order's amounts are the sums of its lines'.
* The FULL pay order splits the deductions in three parts — points, the card,
  the rest (the freight reductions among them) — and asks total − points −
  discount − card + adjust + freight: the goods' actual amounts plus the
  freight less its reductions (a freight reduction never lowers what a line
  pays for its goods, ``Line.actual``).
* A presale order asks its deposit (deposit per unit × quantity) on a DEPOSIT
  pay order and everything else (deductions, freight) on its BALANCE; the
  two ask together exactly what the FULL one would. Its goods must leave a
  balance of at least one minor unit beyond the deposit.
* A price adjustment replaces the previous one and is split exactly over
  the lines in proportion to what each pays through payment before
  adjustment (``split_adjustment``); it must leave at least one minor unit
  to pay and can cut neither the freight nor what points and the card pay.

Pure: no I/O, no clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from trade.order.model import CARD, POINTS, Line, PayOrder, Presale
from trade.order.states import BALANCE, DEPOSIT, FULL, UNPAID
from zhongtai.errors import InvalidArgument
from zhongtai.money import allocate


def deducted(lines: Sequence[Line], *, kinds: set[int] | None = None,
             without: set[int] | None = None) -> int:
    """The lines' deductions of these kinds (all if None), less those ``without``."""
    return sum(line.deducted(kinds=kinds, without=without) for line in lines)


def pay_orders(lines: Sequence[Line], pay_order_id: str, balance_pay_order_id: str,
               presale: Presale | None, now: dt.datetime) -> list[PayOrder]:
    """The pay orders of a new order: FULL, or DEPOSIT then BALANCE."""
    total = sum(line.total for line in lines)
    freight = sum(line.freight for line in lines)
    goods = sum(line.actual for line in lines) - sum(line.freight_reduction for line in lines)
    full = PayOrder(
        pay_order_id=pay_order_id, kind=FULL, total=total,
        point=deducted(lines, kinds={POINTS}), discount=deducted(lines, without={POINTS, CARD}),
        stored_value=deducted(lines, kinds={CARD}), freight=freight, adjust=0,
        actual=goods + freight, status=UNPAID, created_at=now, updated_at=now)
    if presale is None:
        return [full]
    # The deposit now; the balance (everything else, benefits and freight
    # included) inside its window.
    deposit = presale.deposit * lines[0].quantity
    return [
        PayOrder(pay_order_id=pay_order_id, kind=DEPOSIT, total=deposit, point=0, discount=0,
                 stored_value=0, freight=0, adjust=0, actual=deposit, status=UNPAID,
                 created_at=now, updated_at=now),
        PayOrder(pay_order_id=balance_pay_order_id, kind=BALANCE, total=total - deposit,
                 point=full.point, discount=full.discount, stored_value=full.stored_value,
                 freight=freight, adjust=0, actual=full.actual - deposit, status=UNPAID,
                 created_at=now, updated_at=now, balance_start=presale.balance_start,
                 balance_end=presale.balance_end),
    ]


def check_presale_balance(lines: Sequence[Line], presale: Presale | None) -> None:
    """After pricing: a presale order must leave a balance to pay, beyond its
    deposit, once every deduction (the card's too) is taken off."""
    if presale is None:
        return
    if sum(line.actual for line in lines) - presale.deposit * lines[0].quantity < 1:
        card = deducted(lines, kinds={CARD})
        raise InvalidArgument.field(
            "benefits", "a presale order must leave a balance above its deposit to pay"
            + (" (a stored-value card is used)" if card else ""))


def freight_reduction(offered: int, platform: int, freight: int) -> tuple[int, int]:
    """A freight reduction offered (``offered``, of which the platform bears
    ``platform``) deducted from ``freight``: min(offered, freight), and the
    platform's part of it in proportion, rounded down (promotion's
    ``promotion.shipping.scaled``)."""
    amount = max(0, min(offered, freight))
    if amount == offered:
        return amount, platform
    return amount, platform * amount // offered


def split_adjustment(adjust: int, weights: Sequence[int]) -> list[int]:
    """Spread an order's adjustment over its lines, exactly.

    Weights are the lines' actual amounts before any adjustment. A raise is
    split in proportion (the remainder on the last line); a cut is split on
    its absolute value with the capped allocation, so no line goes below zero
    (``-adjust <= sum(weights)`` is required).
    """
    if not weights:
        raise ValueError("an order has at least one line")
    if sum(weights) == 0:
        weights = [1] * len(weights)  # nothing left on any line: spread evenly
    if adjust >= 0:
        return allocate(adjust, weights)
    return [-share for share in allocate(-adjust, weights, capped=True)]


@dataclass(frozen=True)
class PriceAdjustment:
    """What an adjustment writes: each line's share and the pay order's new
    actual amount (``previous`` is the adjustment it replaces)."""

    previous: int
    adjust: int
    pay_actual: int
    shares: list[int]


def plan_adjustment(lines: Sequence[Line], pay_order: PayOrder, adjust: int
                    ) -> PriceAdjustment:
    """Compute every amount an adjustment to ``adjust`` changes, or refuse it
    (INVALID_ARGUMENT on ``adjust_amount``) when it would leave less than one
    minor unit to pay or cut more than the goods paid through payment."""
    previous = pay_order.adjust
    pay_actual = pay_order.actual - previous + adjust
    if pay_actual < 1:
        raise InvalidArgument.field(
            "adjust_amount",
            f"would leave {pay_actual} to pay; at least 1 minor unit must remain")
    # Spread over what the buyer pays for each line through payment: a cut
    # never reaches the freight nor what points and the card paid, so no
    # line's actual amount goes below zero.
    bases = [line.actual - line.adjust for line in lines]
    if -adjust > sum(bases):
        raise InvalidArgument.field(
            "adjust_amount",
            f"would cut {-adjust} from goods of which {sum(bases)} is paid through payment "
            "(freight and what points and the card pay cannot be cut)")
    return PriceAdjustment(previous, adjust, pay_actual, split_adjustment(adjust, bases))
