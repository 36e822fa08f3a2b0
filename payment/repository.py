"""Where payments are kept: the repository contracts and the unit of work use
cases take (their SQL implementations: ``payment/sql_repository.py``; in
memory: ``payment/fakes.py``).

``PaymentRepository`` maps a ``Payment`` to its rows (``payments``,
``payment_parts``, ``payment_attempts``, ``refunds``, and the
``pay_order_locks`` it holds). ``get_for_update`` locks the payment row
(``FOR UPDATE``): what consumers, notifications and sweeps use, so that
contention waits instead of failing. ``save`` is an optimistic version check
on the payment row (``UPDATE ... SET version = version + 1 WHERE version =
:loaded``; none: ABORTED ``CONCURRENT_PAYMENT_CHANGE``), then writes the
attempts and refunds that changed (each guarded by the status it was loaded
with: ``CONCURRENT_ATTEMPT_CHANGE`` / ``CONCURRENT_REFUND``) and frees the
pay orders it no longer holds; ``add`` takes the pay orders first, in a fixed
order (one taken: ``PayOrderTaken``). Both hand the payment's domain events,
as integration events (``payment.views``), to the unit of work's outbox, and
record what changed in the audit trail (resource type "payment").

The sweeps' bookkeeping (leases, retry counts, next tries) is written by
dedicated queries, outside the aggregate and its version.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Callable, Sequence

from payment import views
from payment.keys import KeyedWork
from payment.payment import Payment
from payment.rules import DueAttempt, DueRefund, E
from zhongtai.common.v1.audit_pb2 import AuditEntry
from zhongtai.payment.v1 import payment_pb2 as pb
from zhongtai.uow import UnitOfWork


class PayOrderTaken(Exception):
    """``add``: another payment holds one of the new payment's pay orders."""

    def __init__(self, pay_order_id: str) -> None:
        super().__init__(f"pay order {pay_order_id} is held by another payment")
        self.pay_order_id = pay_order_id


def not_found(payment_id: str) -> Exception:
    """PAYMENT_NOT_FOUND."""
    return E(pb.ERROR_REASON_PAYMENT_NOT_FOUND, f"payment {payment_id!r} does not exist",
             metadata={"payment_id": payment_id})


def concurrent_change(payment_id: str) -> Exception:
    """ABORTED CONCURRENT_PAYMENT_CHANGE: the payment changed since it was loaded."""
    return E(pb.ERROR_REASON_CONCURRENT_PAYMENT_CHANGE,
             f"payment {payment_id} changed concurrently; retry",
             metadata={"payment_id": payment_id})


class PaymentRepository(abc.ABC):
    """Payments by id, and the queries around them."""

    async def get(self, payment_id: str) -> Payment:
        """The payment; PAYMENT_NOT_FOUND if there is none."""
        return _found(await self.get_many([payment_id]), payment_id)

    async def get_for_update(self, payment_id: str) -> Payment:
        """The payment, its row locked until the end of the transaction."""
        return _found(await self.get_many([payment_id], lock=True), payment_id)

    @abc.abstractmethod
    async def get_many(self, payment_ids: Sequence[str], lock: bool = False) -> list[Payment]:
        """Those of the payments that exist, in id order (locked in that order)."""

    @abc.abstractmethod
    async def add(self, payment: Payment) -> None:
        """A new payment; its pay orders taken first (PayOrderTaken)."""

    @abc.abstractmethod
    async def save(self, payment: Payment) -> None:
        """A loaded (or added) payment's changes, under the version check."""

    @abc.abstractmethod
    async def holders(self, pay_order_ids: Sequence[str]) -> dict[str, str]:
        """Pay order -> the payment holding it."""

    @abc.abstractmethod
    async def closed_pay_orders(self, pay_order_ids: Sequence[str]) -> list[str]:
        """Those pay orders whose order trade cancelled or closed."""

    @abc.abstractmethod
    async def close_pay_order(self, pay_order_id: str, order_id: str, now: dt.datetime) -> None:
        """Remember that the order of a pay order was closed (no payment opens for it)."""

    @abc.abstractmethod
    async def open_payments_of(self, pay_order_id: str) -> list[str]:
        """The PENDING payments with a part for the pay order, in id order."""

    @abc.abstractmethod
    async def payments_of(self, pay_order_id: str, before: str | None, limit: int) -> list[str]:
        """Payments with a part for the pay order, newest first, ids below ``before``."""

    @abc.abstractmethod
    async def payment_of_attempt(self, attempt_id: str) -> str | None:
        """The payment an attempt belongs to (None: unknown attempt)."""

    @abc.abstractmethod
    async def payment_of_refund(self, refund_id: str) -> str | None:
        """The payment a refund belongs to (None: unknown refund)."""

    @abc.abstractmethod
    async def claim_due_attempts(self, now: dt.datetime, lease_until: dt.datetime,
                                 limit: int) -> list[DueAttempt]:
        """Lease channel attempts PENDING and due (skipping rows others lease)."""

    @abc.abstractmethod
    async def claim_due_refunds(self, now: dt.datetime, lease_until: dt.datetime,
                                limit: int) -> list[DueRefund]:
        """Lease refunds PENDING and due (skipping rows others lease)."""

    @abc.abstractmethod
    async def reschedule_attempt(self, attempt_id: str, count: int, at: dt.datetime,
                                 error: str | None) -> None:
        """The attempt sweep's next try of a still PENDING attempt."""

    @abc.abstractmethod
    async def reschedule_refund(self, refund_id: str, count: int, at: dt.datetime,
                                error: str | None, submitted: bool, now: dt.datetime) -> None:
        """The refund sweep's next try of a still PENDING refund (``submitted``:
        the channel has it, ask; else submit it again)."""


AUDITED_PAYMENT = "payment"


def publish(uow: UnitOfWork, payment: Payment, before: Payment | None) -> None:
    """Hand what a payment recorded to its unit of work (``add`` and
    ``save``): its domain events as integration events, its deadlines, and
    the audit entry of the change from ``before`` (None: added)."""
    events, deadlines = payment.pull()
    for event in events:
        uow.emit(views.event(payment, event), payment.payment_id)
    uow.schedule(deadlines)
    uow.audit(AUDITED_PAYMENT, payment.payment_id, views.change(before, payment))


def _found(payments: list[Payment], payment_id: str) -> Payment:
    if not payments:
        raise not_found(payment_id)
    return payments[0]


class BalanceRepository(abc.ABC):
    """Buyers' balance accounts and their ledger."""

    @abc.abstractmethod
    async def balance(self, buyer_id: str, currency: str) -> int:
        """A buyer's balance in a currency (0 without an account)."""

    @abc.abstractmethod
    async def change(self, buyer_id: str, currency: str, delta: int, kind: str,
                     reference_id: str, payment_id: str, now: dt.datetime) -> int | None:
        """Add ``delta`` (negative: a debit) by compare-and-set, never below
        zero, with its ledger entry; the balance after, or None if it does not
        cover the debit. BALANCE_ENTRY_EXISTS if the entry (kind, reference)
        was recorded already."""


def entry_exists(kind: str, reference_id: str) -> Exception:
    """A balance change recorded twice: the whole change is refused."""
    return E(pb.ERROR_REASON_BALANCE_ENTRY_EXISTS,
             f"balance {kind} {reference_id} was already recorded",
             metadata={"reference_id": reference_id})


class NotificationLog(abc.ABC):
    """Channel notifications already applied, by what they say."""

    @abc.abstractmethod
    async def record(self, channel: str, key: str, attempt_id: str, refund_id: str,
                     now: dt.datetime) -> bool:
        """False if this fact was notified (and applied) before."""

    @abc.abstractmethod
    async def set_outcome(self, channel: str, key: str, outcome: str) -> None:
        """What applying a recorded notification did."""


class PaymentUnitOfWork(KeyedWork):
    """The unit of work payment's use cases take."""

    payments: PaymentRepository
    balances: BalanceRepository
    notifications: NotificationLog

    @abc.abstractmethod
    async def audit_trail(self, resource_type: str, resource_id: str, page_size: int,
                          page_token: str) -> tuple[list[AuditEntry], str]:
        """The audit entries of a resource, oldest first, a page at a time."""


# A new unit of work each call (the use cases that call a channel or trade
# open several, one around each step).
Uows = Callable[[], PaymentUnitOfWork]
