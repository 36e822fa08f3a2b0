"""Exact money: integer minor units with an ISO-4217 currency, and allocation.

No float ever touches an amount. ``allocate`` splits an amount across shares
in proportion to weights, rounding every share down and giving the remainder
to the last share, as seed 002 prescribes, so the parts always add up to the
whole, to the cent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from zhongtai.errors import InvalidArgument

_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in minor units (fen, cents) of one currency."""

    amount: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise TypeError(f"money amount must be an int of minor units, got {self.amount!r}")
        if not _CURRENCY.match(self.currency):
            raise ValueError(f"currency must be an ISO-4217 code, got {self.currency!r}")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"currency mismatch: {self.currency} vs {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int):
            raise TypeError("money can only be multiplied by an int")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def allocate(self, weights: Sequence[int]) -> list[Money]:
        return [Money(a, self.currency) for a in allocate(self.amount, weights)]

    def __str__(self) -> str:
        sign = "-" if self.amount < 0 else ""
        units, minor = divmod(abs(self.amount), 100)
        return f"{sign}{units}.{minor:02d} {self.currency}"


def allocate(amount: int, weights: Sequence[int], *, capped: bool = False) -> list[int]:
    """Split ``amount`` in proportion to ``weights``; the remainder goes last.

    Every share but the last is ``floor(amount * w_i / sum(w))`` (toward zero
    for a negative amount); the last share is what is left, so the shares sum
    to ``amount`` exactly. Weights are non-negative integers (typically line
    amounts in minor units) with a positive sum.

    The remainder can push the last share above its own weight (3 lines of 1,
    amount 2: ``[0, 0, 2]``), which for a discount would make that line
    negative. With ``capped=True`` (``0 <= amount <= sum(weights)``) no share
    exceeds its weight: what the last share cannot take moves to the nearest
    earlier shares with room, so the sum stays exact.
    """
    if not weights:
        raise ValueError("allocate needs at least one weight")
    if any(w < 0 for w in weights):
        raise ValueError("weights must be non-negative")
    total = sum(weights)
    if total == 0:
        raise ValueError("weights must not all be zero")
    sign = -1 if amount < 0 else 1
    magnitude = abs(amount)
    shares = [sign * (magnitude * w // total) for w in weights[:-1]]
    shares.append(amount - sum(shares))
    if capped:
        if not 0 <= amount <= total:
            raise ValueError("a capped allocation needs 0 <= amount <= sum(weights)")
        excess = max(0, shares[-1] - weights[-1])
        shares[-1] -= excess
        for i in range(len(shares) - 2, -1, -1):
            take = min(weights[i] - shares[i], excess)
            shares[i] += take
            excess -= take
    return shares


def parse_currency(code: str, field: str = "currency_code") -> str:
    """Validate an ISO-4217 code from input, as a field violation if wrong."""
    if not _CURRENCY.match(code):
        raise InvalidArgument.field(field, "must be a three-letter upper-case ISO-4217 code")
    return code


def allocate_by_key(amount: int, weights: Mapping[str, int]) -> dict[str, int]:
    """``allocate(amount, ..., capped=True)`` over ``weights`` taken in key
    order: each key's share in proportion to its weight, rounded down, the
    remainder to the last key, no share above its weight; the shares sum to
    ``amount`` exactly (0 <= amount <= sum of the weights; all 0 when the
    amount or every weight is 0). The one rule by which a channel's instant
    discount is shared among the parts of a payment (payment's refund caps,
    settlement's CHANNEL_DISCOUNT lines)."""
    keys = sorted(weights)
    if not amount or not sum(weights.values()):
        return dict.fromkeys(keys, 0)
    return dict(zip(keys, allocate(amount, [weights[k] for k in keys], capped=True),
                    strict=True))


# --- channel instant discounts (随机立减): the buyer's money first ----------------


def discount_kept(discount: int, left: int) -> int:
    """Of a channel's ``discount`` on some money, what stays while ``left``
    of that money is not refunded: the buyer's money goes back first, so the
    discount stays whole while what is left covers it and returns to the
    channel with the last of the money (``min(discount, left)``, never
    negative)."""
    return max(0, min(discount, left))


@dataclass(frozen=True, slots=True)
class RefundSplit:
    """How a refund of order money splits: ``payer`` goes back to the buyer,
    ``channel_discount`` is the channel's own funding returned to it
    (``payer + channel_discount`` is the refund's amount)."""

    payer: int
    channel_discount: int


def refund_split(amount: int, buyer_paid: int, payer_refunded: int) -> RefundSplit:
    """The split of a refund of ``amount`` (order money: the trade's amount
    counts the channel's discount) of a trade the buyer paid ``buyer_paid``
    of out of pocket, after ``payer_refunded`` of that went back already:
    the buyer's money first, so the payer gets ``min(amount, buyer_paid -
    payer_refunded)`` and the rest is the channel's discount returned.
    With ``amount`` within what is left of the trade (the caller's cap), the
    discount returned never exceeds what is left of it, and refunding the
    whole trade in any steps gives the payer exactly ``buyer_paid`` and the
    channel exactly its discount; it agrees with ``discount_kept`` (what
    settlement keeps of an order's discount). Counting what the payer got
    (rather than the order money refunded) keeps it right when a refund in
    between fails. ValueError on a non-positive amount."""
    if amount <= 0:
        raise ValueError(f"a refund of {amount} is not positive")
    payer = max(0, min(amount, buyer_paid - payer_refunded))
    return RefundSplit(payer, amount - payer)
