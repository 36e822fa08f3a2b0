"""Split settlement (分账): the channel pays a cleared receivable to the
merchant directly, out of the payment's channel transaction.

Pure: no SQL, gRPC, protobuf messages or clock (times are passed in).

When a seller part is cleared (its receivable credited to
``merchant_available:S``) and the order was paid through a split channel
(``route_of``: its one payment, a ``Route``: the channel, our trade there
and its transaction), a split instruction (``Split``) of that receivable is
made, once per (order, seller): its id ``<order>:<seller>`` is the
idempotency key at the channel. An order paid otherwise is not split (paid
out by payouts).

States (``SplitState``) and what moves them (``MACHINE``)::

  cleared ─▶ PENDING ─(the channel paid the merchant)─▶ CONFIRMED (SPLIT entry)
                     ├(the channel refused)──────────▶ REFUSED (stays available)
                     └(no adapter for its channel)──▶ SKIPPED

Entries (settlement.ledger; debit positive): SPLIT, when confirmed: Dr
merchant_available:S ``amount``, Cr channel_receivable ``amount`` (the
channel paid the merchant from the buyers' money it holds, exactly as a
payout would have been paid from it).

Guarantees:

* one instruction per (order, seller), resolved once: CONFIRMED, REFUSED
  or SKIPPED, never two of them (``ILLEGAL_SPLIT_TRANSITION``);
* the SPLIT entry moves exactly the instruction's amount, once;
* while PENDING its amount is not payable by a payout (``payable``), so the
  merchant is never paid twice for one receivable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum

from settlement.ledger import (
    CHANNEL_RECEIVABLE,
    Entry,
    EntryKind,
    Posting,
    merchant_available,
)
from settlement.reasons import E
from zhongtai.settlement.v1 import settlement_pb2 as pb
from zhongtai.statemachine import StateMachine
from zhongtai.uow import Aggregate

SPLIT_TIMER = "settlement.split"
AVAILABLE = merchant_available("")


class SplitState(IntEnum):
    """Values match zhongtai.settlement.v1.SplitState."""

    PENDING = 1
    CONFIRMED = 2
    REFUSED = 3
    SKIPPED = 4


CONFIRM, REFUSE, SKIP = "confirm", "refuse", "skip"
MACHINE = StateMachine("split", {
    (SplitState.PENDING, CONFIRM): SplitState.CONFIRMED,
    (SplitState.PENDING, REFUSE): SplitState.REFUSED,
    (SplitState.PENDING, SKIP): SplitState.SKIPPED,
}, lambda s: SplitState(s).name, E, pb.ERROR_REASON_ILLEGAL_SPLIT_TRANSITION)


@dataclass(frozen=True)
class Route:
    """One payment of an order at a channel: the channel ("sandbox",
    "balance" …), our trade number there (the attempt id) and its
    transaction id."""

    channel: str
    trade_no: str
    transaction_id: str


@dataclass(frozen=True)
class Skip:
    """Why an order is not split."""

    reason: str


def route_of(payments: Sequence[Route], channels: frozenset[str]) -> Route | Skip | None:
    """Where an order's splits go: its one payment when that was through a
    split channel; ``Skip`` when it was paid otherwise (another channel, the
    balance, or several payments: a presale's deposit and balance); None
    while no payment of it is known yet."""
    if not payments:
        return None
    if len(payments) > 1:
        return Skip(f"paid by {len(payments)} payments: not split")
    (p,) = payments
    if p.channel not in channels:
        return Skip(f"paid through {p.channel or 'no channel'}, which does not split")
    return p


def split_id(order_id: str, seller_id: str) -> str:
    return f"{order_id}:{seller_id}"


def receivables(clearing: Iterable[Posting]) -> dict[str, int]:
    """Per seller, the receivable a CLEARING entry's postings credited to
    its available account (what its split pays)."""
    return {p.account[len(AVAILABLE):]: -p.amount for p in clearing
            if p.account.startswith(AVAILABLE) and p.amount < 0}


def payable(available: int, pending: Iterable[int]) -> int:
    """What a payout may take: the available money less the PENDING splits'
    amounts (the channel will pay those)."""
    return available - sum(pending)


@dataclass
class Split(Aggregate):
    split_id: str = ""
    order_id: str = ""
    seller_id: str = ""
    amount: int = 0
    currency: str = "CNY"
    state: SplitState = SplitState.PENDING
    channel: str = ""
    trade_no: str = ""
    transaction_id: str = ""
    reference: str = ""
    reason: str = ""
    entry_id: str = ""
    attempts: int = 0
    created_time: dt.datetime | None = None
    resolved_time: dt.datetime | None = None

    @classmethod
    def instruct(cls, order_id: str, seller_id: str, amount: int, currency: str,
                 route: Route, now: dt.datetime) -> Split:
        """A PENDING instruction, its timer armed to send it now."""
        s = cls(split_id=split_id(order_id, seller_id), order_id=order_id,
                seller_id=seller_id, amount=amount, currency=currency,
                channel=route.channel, trade_no=route.trade_no,
                transaction_id=route.transaction_id, created_time=now)
        s.arm(SPLIT_TIMER, s.split_id, now)
        return s

    def confirmed(self, reference: str, attempts: int, now: dt.datetime) -> Entry:
        """The channel paid the merchant: CONFIRMED, and the SPLIT entry."""
        self.state = SplitState(MACHINE.next(self.state, CONFIRM, self.split_id))
        self.reference, self.attempts, self.resolved_time = reference, attempts, now
        self.entry_id = f"{self.order_id}:split:{self.seller_id}"
        return Entry(self.entry_id, EntryKind.SPLIT, self.order_id, (
            Posting(merchant_available(self.seller_id), self.amount, self.currency),
            Posting(CHANNEL_RECEIVABLE, -self.amount, self.currency)),
            reference=self.split_id)

    def refused(self, reason: str, attempts: int, now: dt.datetime) -> None:
        """The channel refused (``reason``): the money stays available."""
        self.state = SplitState(MACHINE.next(self.state, REFUSE, self.split_id))
        self.reason, self.attempts, self.resolved_time = reason, attempts, now

    def skipped(self, reason: str, now: dt.datetime) -> None:
        """Not sent (``reason``): its channel has no split adapter."""
        self.state = SplitState(MACHINE.next(self.state, SKIP, self.split_id))
        self.reason, self.resolved_time = reason, now
