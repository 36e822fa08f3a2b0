"""Payouts (结算): a merchant's available money moved out as a two-phase
transfer.

Pure: no SQL, gRPC, protobuf messages or clock (times are passed in).

States (``PayoutState``) and what moves them (``MACHINE``)::

  requested ─▶ PENDING ─(the adapter paid it)─▶ POSTED
                       └(the adapter refused)──▶ VOIDED

Entries (settlement.ledger; debit positive):

* PAYOUT (at request): Dr merchant_available:S ``amount``, Cr
  merchant_payout_pending:S ``amount``;
* PAYOUT_POSTED: Dr merchant_payout_pending:S, Cr payout_clearing;
* PAYOUT_VOIDED: Dr merchant_payout_pending:S, Cr merchant_available:S (the
  money is available again).

Guarantees:

* a payout is requested only for ``0 < amount <= available`` where
  ``available`` is the merchant's available balance (minus the account's
  balance: it is credit-normal) read under the merchant's lock by the
  caller; never while that balance is negative (``NEGATIVE_BALANCE``: a
  refund after a payout is recovered from the next clearings first);
* it resolves once: POSTED or VOIDED, never both, never twice (a second
  resolution is refused by the machine: ``ILLEGAL_PAYOUT_TRANSITION``);
* the PAYOUT entry and its resolution move exactly ``amount``; after
  resolution the pending account holds nothing of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import IntEnum

from settlement.ledger import (
    PAYOUT_CLEARING,
    Entry,
    EntryKind,
    Posting,
    merchant_available,
    merchant_payout_pending,
)
from settlement.reasons import E
from zhongtai.errors import InvalidArgument
from zhongtai.settlement.v1 import settlement_pb2 as pb
from zhongtai.statemachine import StateMachine
from zhongtai.uow import Aggregate


class PayoutState(IntEnum):
    PENDING = 1
    POSTED = 2
    VOIDED = 3


POST, VOID = "post", "void"
MACHINE = StateMachine("payout", {
    (PayoutState.PENDING, POST): PayoutState.POSTED,
    (PayoutState.PENDING, VOID): PayoutState.VOIDED,
}, lambda s: PayoutState(s).name, E, pb.ERROR_REASON_ILLEGAL_PAYOUT_TRANSITION)


def check_available(seller_id: str, amount: int, available: int) -> None:
    """Refuse a payout of ``amount`` against ``available`` (the merchant's
    money): INVALID_ARGUMENT unless positive, NEGATIVE_BALANCE when the
    balance is below zero, PAYOUT_EXCEEDS_AVAILABLE when it is too small."""
    if amount <= 0:
        raise InvalidArgument.field("amount", "must be a positive amount in minor units")
    meta = {"seller_id": seller_id, "available": str(available), "amount": str(amount)}
    if available < 0:
        raise E(pb.ERROR_REASON_NEGATIVE_BALANCE,
                f"merchant {seller_id} owes {-available}: recovered from the next "
                "settlements before any payout", metadata=meta)
    if amount > available:
        raise E(pb.ERROR_REASON_PAYOUT_EXCEEDS_AVAILABLE,
                f"payout of {amount} exceeds the available {available}", metadata=meta)


@dataclass
class Payout(Aggregate):
    payout_id: str = ""
    request_id: str = ""
    seller_id: str = ""
    amount: int = 0
    currency: str = "CNY"
    state: PayoutState = PayoutState.PENDING
    requested_by: str = ""
    reason: str = ""
    reference: str = ""
    created_time: dt.datetime | None = None
    resolved_time: dt.datetime | None = None

    @classmethod
    def request(cls, payout_id: str, request_id: str, seller_id: str, amount: int,
                currency: str, available: int, by: str, now: dt.datetime
                ) -> tuple[Payout, Entry]:
        """A PENDING payout and its PAYOUT entry (available -> pending), or
        refused (``check_available``)."""
        check_available(seller_id, amount, available)
        p = cls(payout_id=payout_id, request_id=request_id, seller_id=seller_id,
                amount=amount, currency=currency, requested_by=by, created_time=now)
        return p, p._entry(EntryKind.PAYOUT, merchant_available(seller_id),
                           merchant_payout_pending(seller_id), "requested")

    def posted(self, reference: str, now: dt.datetime) -> Entry:
        """The adapter paid it: POSTED, pending -> payout clearing."""
        self.state = PayoutState(MACHINE.next(self.state, POST, self.payout_id))
        self.reference, self.resolved_time = reference, now
        return self._entry(EntryKind.PAYOUT_POSTED, merchant_payout_pending(self.seller_id),
                           PAYOUT_CLEARING, "posted")

    def voided(self, reason: str, now: dt.datetime) -> Entry:
        """The adapter refused it (``reason``): VOIDED, pending -> available."""
        self.state = PayoutState(MACHINE.next(self.state, VOID, self.payout_id))
        self.reason, self.resolved_time = reason, now
        return self._entry(EntryKind.PAYOUT_VOIDED, merchant_payout_pending(self.seller_id),
                           merchant_available(self.seller_id), "voided")

    def _entry(self, kind: EntryKind, debit: str, credit: str, suffix: str) -> Entry:
        return Entry(f"{self.payout_id}:{suffix}", kind, "",
                     (Posting(debit, self.amount, self.currency),
                      Posting(credit, -self.amount, self.currency)),
                     reference=self.payout_id,
                     reverses=f"{self.payout_id}:requested" if kind is not EntryKind.PAYOUT
                     else "")
