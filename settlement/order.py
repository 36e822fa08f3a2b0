"""The order clearing aggregate: one paid top-level order in settlement.

Pure: no SQL, gRPC, protobuf messages or clock (times are passed in). It
owns the order's seller parts as they are left after refunds, the fee rule
version stamped on each at payment, its open refund claims and its state,
and makes the ledger entries each fact posts (settlement.ledger).

States (``ClearingState``) and what moves them (``MACHINE``):

  paid ─▶ PENDING ─(claim opened)─▶ HELD ─(last claim closed or refunded)─▶ PENDING
  PENDING ─(due: escrow and joint operation after the after-sales window
            ended, collection at payment)─▶ CLEARED
  PENDING / HELD ─(refunded in full, or cancelled after payment)─▶ REVERSED
  CLEARED ─(refunds)─▶ CLEARED (reversing entries), ─(cancelled)─▶ REVERSED

Guarantees:

* an order is cleared at most once, never while a claim is open, and only
  once its trade mode's moment came (``due``);
* a refund before clearing reduces what will be cleared (a REFUND entry
  linked to the PAYMENT entry); after clearing it posts a REVERSAL linked to
  the CLEARING entry, by exactly the lines the refund removed (the part
  recomputed with the same fee rule on what is left);
* a claim is refunded at most once (by application id);
* at any time ``paid == refunded + outstanding``, where ``outstanding`` is
  cleared when the state is CLEARED and pending (or held) otherwise;
* a channel's instant discount (payment's, per payment id: this order's
  share) counts once, whether it is known at payment (in the PAYMENT entry)
  or learned later (a CHANNEL_DISCOUNT entry correcting it); the seller
  parts' channel discounts always sum to ``min(channel_discount,
  outstanding)`` (settlement.clearing ``with_channel_discount``): refunds
  take the buyer's money first and the channel's funding goes back only
  with the last of it, so a full refund or a cancellation returns every
  account of the order to 0.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import IntEnum

from settlement.clearing import Deduction, Line, SellerPart, clear, with_channel_discount
from settlement.fees import FeeRule
from settlement.ledger import (
    Entry,
    channel_discount_entry,
    clearing_entry,
    payment_entry,
    reversal_entry,
)
from settlement.reasons import E
from zhongtai.settlement.v1 import settlement_pb2 as pb
from zhongtai.statemachine import StateMachine
from zhongtai.uow import Aggregate


class State(IntEnum):
    """Values match zhongtai.settlement.v1.ClearingState."""

    PENDING = 1
    HELD = 2
    CLEARED = 3
    REVERSED = 4


class Mode(IntEnum):
    """Values match zhongtai.settlement.v1.TradeMode."""

    ESCROW = 1
    COLLECTION = 2
    # 联营: cleared like escrow, settled on the supplier's account period
    # (settlement.cycles MONTHLY).
    JOINT_OPERATION = 60


HOLD, RELEASE, CLEAR, REVERSE, REFUND = "hold", "release", "clear", "reverse", "refund"
MACHINE = StateMachine("order_clearing", {
    (State.PENDING, HOLD): State.HELD,
    (State.HELD, HOLD): State.HELD,
    (State.HELD, RELEASE): State.PENDING,
    (State.PENDING, CLEAR): State.CLEARED,
    (State.PENDING, REVERSE): State.REVERSED,
    (State.HELD, REVERSE): State.REVERSED,
    (State.CLEARED, REVERSE): State.REVERSED,
    (State.PENDING, REFUND): State.PENDING,
    (State.HELD, REFUND): State.HELD,
    (State.CLEARED, REFUND): State.CLEARED,
}, lambda s: State(s).name, E, pb.ERROR_REASON_ILLEGAL_CLEARING_TRANSITION,
    subject_key="order_id")


@dataclass(frozen=True)
class Refund:
    """What a refund claim took back from one seller part (trade's plan):
    the goods' and the freight's cash, the goods' deductions by source and
    bearer, and whether the line had shipped (``SellerPart.refunded``: the
    freight reductions follow the freight's cash)."""

    application_id: str
    seller_id: str
    cash: int
    freight: int
    deductions: tuple[Deduction, ...] = ()
    shipped: bool = True


def difference(before: Iterable[Line], after: Iterable[Line]) -> list[Line]:
    """The lines ``before`` less the lines ``after`` (matched by kind,
    seller and deduction source); what a change removed."""
    acc: dict[tuple[object, ...], int] = defaultdict(int)
    for x in before:
        acc[(x.kind, x.seller_id, x.deduction_kind, x.source_id)] += x.amount
    for x in after:
        acc[(x.kind, x.seller_id, x.deduction_kind, x.source_id)] -= x.amount
    return [Line(k[0], k[1], v, k[2], k[3])  # type: ignore[arg-type]
            for k, v in acc.items() if v]


@dataclass
class OrderClearing(Aggregate):
    order_id: str = ""
    buyer_id: str = ""
    business_type: str = "default"
    mode: Mode = Mode.ESCROW
    currency: str = "CNY"
    order_create_time: dt.datetime | None = None
    paid_time: dt.datetime | None = None
    cleared_time: dt.datetime | None = None
    state: State = State.PENDING
    parts: dict[str, SellerPart] = field(default_factory=dict)
    rules: dict[str, FeeRule | None] = field(default_factory=dict)
    # The sellers whose parts are the platform's own sales (stamped at
    # payment from [settlement] platform_seller_ids, kept for refunds).
    platform_sellers: frozenset[str] = frozenset()
    paid: int = 0
    refunded: int = 0
    open_claims: set[str] = field(default_factory=set)
    refunded_claims: set[str] = field(default_factory=set)
    # This order's share of each payment's channel instant discount, by
    # payment id (once each).
    channel_discounts: dict[str, int] = field(default_factory=dict)
    due: bool = False
    payment_entry_id: str = ""
    clearing_entry_id: str = ""
    entries: int = 0

    @classmethod
    def on_payment(cls, order_id: str, buyer_id: str, business_type: str, mode: Mode,
                   currency: str, parts: Iterable[SellerPart],
                   rules: dict[str, FeeRule | None], created: dt.datetime,
                   now: dt.datetime, platform_sellers: Iterable[str] = (),
                   channel_discounts: Mapping[str, int] | None = None
                   ) -> tuple[OrderClearing, list[Entry]]:
        """A paid order: its lines under the rules in force at ``created``
        (``rules`` per seller; the parts of ``platform_sellers`` are the
        platform's own sales; ``channel_discounts``: the order's share of
        each payment's channel discount known so far, by payment id), the
        PAYMENT entry, and, in collection mode, the CLEARING entry at once."""
        o = cls(order_id=order_id, buyer_id=buyer_id, business_type=business_type,
                mode=mode, currency=currency, order_create_time=created, paid_time=now,
                parts={p.seller_id: p for p in parts}, rules=dict(rules),
                channel_discounts=dict(channel_discounts or {}))
        o._allot()
        o.platform_sellers = frozenset(s for s in platform_sellers if s in o.parts)
        o.paid = sum(p.paid for p in o.parts.values())
        o.payment_entry_id = o._next_id()
        entries = [payment_entry(o.payment_entry_id, order_id, o.lines(), currency,
                                 o.platform_sellers)]
        entries = [e for e in entries if e.postings]
        o.due = mode is Mode.COLLECTION
        return o, entries + o._clear_if_due(now)

    def lines(self) -> list[Line]:
        """The order's clearing lines as they stand (after refunds)."""
        return [x for s, p in sorted(self.parts.items())
                for x in clear(p, self.rules.get(s), platform=s in self.platform_sellers)]

    def merchant_lines(self) -> list[Line]:
        """The lines of the merchants' parts (not the platform's own sales):
        what merchant statements show."""
        return [x for x in self.lines() if x.seller_id not in self.platform_sellers]

    @property
    def outstanding(self) -> int:
        """What the buyer paid that was not refunded."""
        return sum(p.paid for p in self.parts.values())

    @property
    def channel_discount(self) -> int:
        """What the channels funded of ``paid`` (instant discounts)."""
        return sum(self.channel_discounts.values())

    @property
    def buyer_paid(self) -> int:
        """What the buyer paid out of pocket: ``paid`` less the channels'
        discounts."""
        return self.paid - self.channel_discount

    def channel_discounted(self, payment_id: str, amount: int) -> list[Entry]:
        """Payment ``payment_id`` had a channel discount, ``amount`` of it
        this order's, learned after the PAYMENT entry: the parts' lines
        recomputed and a CHANNEL_DISCOUNT entry correcting the PAYMENT entry
        (none when nothing is left to fund: refunded or cancelled); once per
        payment id."""
        if payment_id in self.channel_discounts or amount <= 0:
            return []
        before = self.lines()
        self.channel_discounts[payment_id] = amount
        self._allot()
        entry = channel_discount_entry(
            self._next_id(), self.order_id, difference(before, self.lines()), self.currency,
            cleared=self.state is State.CLEARED, reverses=self.payment_entry_id,
            reference=payment_id, platform=self.platform_sellers)
        return [entry] if entry else []

    def _allot(self) -> None:
        self.parts = {p.seller_id: p for p in
                      with_channel_discount(self.parts.values(), self.channel_discount)}

    def claim_opened(self, application_id: str) -> None:
        """Hold the order while the claim is open (nothing when it was
        refunded already, or the order was reversed)."""
        if application_id in self.refunded_claims or self.state is State.REVERSED:
            return
        self.open_claims.add(application_id)
        if self.state is not State.CLEARED:
            self.state = State(MACHINE.next(self.state, HOLD, self.order_id))

    def claim_closed(self, application_id: str, now: dt.datetime) -> list[Entry]:
        """A claim ended without a refund: released, and cleared if due."""
        self.open_claims.discard(application_id)
        return self._release(now)

    def after_sales_ended(self, now: dt.datetime) -> list[Entry]:
        """Trade's after-sales window ended: due in escrow and joint
        operation; cleared unless a claim holds it."""
        self.due = True
        return self._clear_if_due(now)

    def refunded_by(self, refund: Refund, now: dt.datetime) -> list[Entry]:
        """A claim's money went back: the seller part recomputed on what is
        left and the removed lines reversed (REFUND before clearing,
        REVERSAL after); released; once per application id. The plan's
        freight is the order's (trade refunds it with the order's last line,
        whichever seller's): it comes off the plan's seller part first, then
        the others' by seller id, each up to its freight cash left."""
        if refund.application_id in self.refunded_claims or self.state is State.REVERSED:
            return []
        self.refunded_claims.add(refund.application_id)
        self.open_claims.discard(refund.application_id)
        left = dict(self.parts)
        if refund.seller_id in left:
            left[refund.seller_id] = left[refund.seller_id].refunded(
                refund.cash, 0, refund.deductions, refund.shipped)
        freight = refund.freight
        for s in [refund.seller_id, *sorted(left)]:
            take = min(freight, left[s].freight_cash) if s in left else 0
            if take > 0:
                left[s] = left[s].refunded(0, take, (), refund.shipped)
                freight -= take
        changed = {s: p for s, p in left.items() if p != self.parts[s]}
        entries = self._reduce(changed, refund.application_id) if changed else []
        if self.outstanding == 0 and self.state is not State.CLEARED:
            self.state = State(MACHINE.next(self.state, REVERSE, self.order_id))
            return entries
        return entries + self._release(now)

    def cancelled(self) -> list[Entry]:
        """A paid order cancelled by trade: everything not yet refunded goes
        back; REVERSED."""
        if self.state is State.REVERSED:
            return []
        entries = self._reduce({s: replace(p, goods=0, freight=0, deductions=())
                                for s, p in self.parts.items()}, "cancel")
        self.open_claims.clear()
        self.state = State(MACHINE.next(self.state, REVERSE, self.order_id))
        return entries

    def _reduce(self, new_parts: dict[str, SellerPart], reference: str) -> list[Entry]:
        before = self.lines()
        was = self.outstanding
        self.parts.update(new_parts)
        self._allot()
        self.refunded += was - self.outstanding
        cleared = self.state is State.CLEARED
        if not cleared:
            self.state = State(MACHINE.next(self.state, REFUND, self.order_id))
        entry = reversal_entry(
            self._next_id(), self.order_id, difference(before, self.lines()), self.currency,
            cleared=cleared, reference=reference,
            reverses=self.clearing_entry_id if cleared else self.payment_entry_id,
            platform=self.platform_sellers)
        return [entry] if entry else []

    def _release(self, now: dt.datetime) -> list[Entry]:
        if self.state is State.HELD and not self.open_claims:
            self.state = State(MACHINE.next(self.state, RELEASE, self.order_id))
        return self._clear_if_due(now)

    def _clear_if_due(self, now: dt.datetime) -> list[Entry]:
        if not self.due or self.state is not State.PENDING or self.open_claims:
            return []
        self.state = State(MACHINE.next(self.state, CLEAR, self.order_id))
        self.cleared_time = now
        self.clearing_entry_id = self._next_id()
        entry = clearing_entry(self.clearing_entry_id, self.order_id, self.lines(),
                               self.currency, self.platform_sellers)
        return [entry] if entry.postings else []

    def _next_id(self) -> str:
        self.entries += 1
        return f"{self.order_id}:{self.entries:04d}"
