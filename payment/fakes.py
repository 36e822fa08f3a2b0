"""payment's repositories in memory: the contracts of ``payment.repository``
without a database, for unit tests of the use cases.

``InMemoryPaymentUnitOfWork`` keeps everything in one state that a unit of
work copies when it begins and puts back when it rolls back, so a failed use
case leaves nothing, as a rolled-back transaction would. Payments are
stored as copies: a use case changes only what it saves. One unit of work
at a time (no locks to take).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from payment.payment import Payment
from payment.repository import (
    BalanceRepository,
    NotificationLog,
    PaymentRepository,
    PaymentUnitOfWork,
    PayOrderTaken,
    concurrent_change,
    entry_exists,
    publish,
)
from payment.rules import CHANNEL_METHODS, PENDING, REFUND_PENDING, DueAttempt, DueRefund
from zhongtai.common.v1.audit_pb2 import AuditEntry
from zhongtai.idempotency import InMemoryKeyStore
from zhongtai.uow import InMemoryUnitOfWork


@dataclass
class MemoryState:
    payments: dict[str, Payment] = field(default_factory=dict)
    # pay order -> the payment holding it
    locks: dict[str, str] = field(default_factory=dict)
    closed_pay_orders: dict[str, str] = field(default_factory=dict)
    balances: dict[tuple[str, str], int] = field(default_factory=dict)
    # (kind, reference) -> (buyer, currency, amount, balance after)
    ledger: dict[tuple[str, str], tuple[str, str, int, int]] = field(default_factory=dict)
    notifications: dict[tuple[str, str], str] = field(default_factory=dict)


class InMemoryPaymentRepository(PaymentRepository):
    def __init__(self, uow: InMemoryPaymentUnitOfWork) -> None:
        self.uow = uow

    @property
    def _payments(self) -> dict[str, Payment]:
        return self.uow.state.payments

    async def get_many(self, payment_ids: Sequence[str], lock: bool = False) -> list[Payment]:
        return [copy.deepcopy(self._payments[i]) for i in sorted(set(payment_ids))
                if i in self._payments]

    async def add(self, payment: Payment) -> None:
        locks = self.uow.state.locks
        for pay_order_id in sorted(payment.held):
            if pay_order_id in locks:
                raise PayOrderTaken(pay_order_id)
            locks[pay_order_id] = payment.payment_id
        publish(self.uow, payment, None)
        self._payments[payment.payment_id] = copy.deepcopy(payment)

    async def save(self, payment: Payment) -> None:
        stored = self._payments[payment.payment_id]
        if stored.version != payment.version:
            raise concurrent_change(payment.payment_id)
        payment.version += 1
        for pay_order_id in stored.held - payment.held:
            if self.uow.state.locks.get(pay_order_id) == payment.payment_id:
                del self.uow.state.locks[pay_order_id]
        publish(self.uow, payment, stored)
        self._payments[payment.payment_id] = copy.deepcopy(payment)

    async def holders(self, pay_order_ids: Sequence[str]) -> dict[str, str]:
        locks = self.uow.state.locks
        return {i: locks[i] for i in pay_order_ids if i in locks}

    async def closed_pay_orders(self, pay_order_ids: Sequence[str]) -> list[str]:
        return sorted(i for i in pay_order_ids if i in self.uow.state.closed_pay_orders)

    async def close_pay_order(self, pay_order_id: str, order_id: str, now: dt.datetime) -> None:
        self.uow.state.closed_pay_orders.setdefault(pay_order_id, order_id)

    async def open_payments_of(self, pay_order_id: str) -> list[str]:
        return sorted(p.payment_id for p in self._payments.values()
                      if p.status == PENDING and p.part(pay_order_id) is not None)

    async def payments_of(self, pay_order_id: str, before: str | None, limit: int) -> list[str]:
        return sorted((p.payment_id for p in self._payments.values()
                       if p.part(pay_order_id) is not None
                       and (not before or p.payment_id < before)), reverse=True)[:limit]

    async def payment_of_attempt(self, attempt_id: str) -> str | None:
        return next((p.payment_id for p in self._payments.values()
                     if any(a.attempt_id == attempt_id for a in p.attempts)), None)

    async def payment_of_refund(self, refund_id: str) -> str | None:
        return next((p.payment_id for p in self._payments.values()
                     if any(r.refund_id == refund_id for r in p.refunds)), None)

    async def claim_due_attempts(self, now: dt.datetime, lease_until: dt.datetime,
                                 limit: int) -> list[DueAttempt]:
        due = sorted(((a.next_check_at, a.attempt_id, p) for p in self._payments.values()
                      for a in p.attempts
                      if a.status == PENDING and a.method in CHANNEL_METHODS
                      and a.next_check_at is not None and a.next_check_at <= now),
                     key=lambda x: (x[0], x[1]))[:limit]
        claimed = []
        for _, attempt_id, p in due:
            a = p.attempt(attempt_id)
            a.next_check_at = lease_until
            claimed.append(DueAttempt(attempt_id, a.method, a.close_requested, a.check_count,
                                      p.status, p.current_attempt_id))
        return claimed

    async def claim_due_refunds(self, now: dt.datetime, lease_until: dt.datetime,
                                limit: int) -> list[DueRefund]:
        due = sorted(((r.next_attempt_at, r.refund_id, p) for p in self._payments.values()
                      for r in p.refunds
                      if r.status == REFUND_PENDING and r.next_attempt_at is not None
                      and r.next_attempt_at <= now), key=lambda x: (x[0], x[1]))[:limit]
        claimed = []
        for _, refund_id, p in due:
            r = p.refund(refund_id)
            r.next_attempt_at = lease_until
            claimed.append(DueRefund(refund_id, r.attempt_id, r.kind, r.amount, r.currency,
                                     r.submitted_at, r.attempts, p.attempt(r.attempt_id).method))
        return claimed

    async def reschedule_attempt(self, attempt_id: str, count: int, at: dt.datetime,
                                 error: str | None) -> None:
        payment_id = await self.payment_of_attempt(attempt_id)
        a = self._payments[payment_id].attempt(attempt_id) if payment_id else None
        if a is not None and a.status == PENDING:
            a.check_count, a.next_check_at, a.last_error = count, at, error

    async def reschedule_refund(self, refund_id: str, count: int, at: dt.datetime,
                                error: str | None, submitted: bool, now: dt.datetime) -> None:
        payment_id = await self.payment_of_refund(refund_id)
        r = self._payments[payment_id].refund(refund_id) if payment_id else None
        if r is not None and r.status == REFUND_PENDING:
            r.attempts, r.next_attempt_at, r.last_error, r.updated_at = count, at, error, now
            r.submitted_at = (r.submitted_at or now) if submitted else None


class InMemoryBalanceRepository(BalanceRepository):
    def __init__(self, uow: InMemoryPaymentUnitOfWork) -> None:
        self.uow = uow

    async def balance(self, buyer_id: str, currency: str) -> int:
        return self.uow.state.balances.get((buyer_id, currency), 0)

    async def change(self, buyer_id: str, currency: str, delta: int, kind: str,
                     reference_id: str, payment_id: str, now: dt.datetime) -> int | None:
        state = self.uow.state
        after = await self.balance(buyer_id, currency) + delta
        if after < 0:
            return None
        if (kind, reference_id) in state.ledger:
            raise entry_exists(kind, reference_id)
        state.balances[(buyer_id, currency)] = after
        state.ledger[(kind, reference_id)] = (buyer_id, currency, delta, after)
        return after


class InMemoryNotificationLog(NotificationLog):
    def __init__(self, uow: InMemoryPaymentUnitOfWork) -> None:
        self.uow = uow

    async def record(self, channel: str, key: str, attempt_id: str, refund_id: str,
                     now: dt.datetime) -> bool:
        seen = self.uow.state.notifications
        if (channel, key) in seen:
            return False
        seen[(channel, key)] = ""
        return True

    async def set_outcome(self, channel: str, key: str, outcome: str) -> None:
        self.uow.state.notifications[(channel, key)] = outcome


class InMemoryPaymentUnitOfWork(InMemoryUnitOfWork, PaymentUnitOfWork):
    """payment's unit of work in memory; ``state`` is what committed."""

    def __init__(self) -> None:
        super().__init__()
        self.state = MemoryState()
        self._before = self.state
        self.payments = InMemoryPaymentRepository(self)
        self.balances = InMemoryBalanceRepository(self)
        self.notifications = InMemoryNotificationLog(self)
        self.key_store = InMemoryKeyStore()
        self.keys = self.key_store

    async def _begin(self) -> None:
        await super()._begin()
        self._before = copy.deepcopy(self.state)
        self.key_store.begin()

    async def _commit(self) -> None:
        self.key_store.commit()
        await super()._commit()

    async def _rollback(self, exc: BaseException) -> None:
        self.state = self._before
        self.key_store.rollback()
        await super()._rollback(exc)

    async def audit_trail(self, resource_type: str, resource_id: str, page_size: int,
                          page_token: str) -> tuple[list[AuditEntry], str]:
        """What committed units of work recorded for the resource (what
        changed only: the actor and time are the server's), in one page."""
        return [AuditEntry(resource_type=kind, resource_id=key, detail=detail)
                for kind, key, detail in self.audited
                if (kind, key) == (resource_type, resource_id)], ""
