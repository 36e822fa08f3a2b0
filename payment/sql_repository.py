"""The SQL implementations of payment's repository contracts
(``payment/repository.py``: what they guarantee; ``payment/fakes.py``: in
memory).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from payment import store as t
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
from payment.rules import CHANNEL_METHODS, PENDING, REFUND_PENDING, DueAttempt, DueRefund, E
from payment.values import Attempt, Part, Refund
from zhongtai import audit
from zhongtai.common.v1.audit_pb2 import AuditEntry
from zhongtai.db import Database, compare_and_set, insert_ignore
from zhongtai.idempotency import SqlKeyStore
from zhongtai.ids import new_id
from zhongtai.payment.v1 import payment_pb2 as pb
from zhongtai.uow import SqlUnitOfWork


@dataclass
class _Loaded:
    """A payment's rows as last read or written, to write only what changed,
    and the payment then (what its audit entry compares with)."""

    attempts: dict[str, dict[str, Any]]
    refunds: dict[str, dict[str, Any]]
    held: set[str]
    payment: Payment | None = None


def _row(obj: object, table: Table) -> dict[str, Any]:
    """An entity's values for its table's columns (the field names are the column names)."""
    return {c.name: getattr(obj, c.name) for c in table.c if hasattr(obj, c.name)}


def _fields(cls: type[Any], row: Any) -> dict[str, Any]:
    values = row._mapping
    return {f.name: values[f.name] for f in dataclasses.fields(cls)
            if f.init and f.name in values}


class SqlPaymentRepository(PaymentRepository):
    def __init__(self, uow: SqlPaymentUnitOfWork) -> None:
        self.uow = uow
        self._loaded: dict[str, _Loaded] = {}

    @property
    def s(self) -> AsyncSession:
        return self.uow.session

    async def _rows(self, table: Table, ids: Sequence[str], order: Any) -> dict[str, list[Any]]:
        by: dict[str, list[Any]] = {}
        for r in (await self.s.execute(select(table).where(table.c.payment_id.in_(ids))
                                       .order_by(order))).all():
            by.setdefault(r.payment_id, []).append(r)
        return by

    async def get_many(self, payment_ids: Sequence[str], lock: bool = False) -> list[Payment]:
        ids = sorted(set(payment_ids))
        q = select(t.payments).where(t.payments.c.payment_id.in_(ids)).order_by(
            t.payments.c.payment_id)
        roots = (await self.s.execute(q.with_for_update() if lock else q)).all()
        if not roots:
            return []
        ids = [r.payment_id for r in roots]
        parts = await self._rows(t.payment_parts, ids, t.payment_parts.c.pay_order_id)
        attempts = await self._rows(t.payment_attempts, ids, t.payment_attempts.c.attempt_id)
        refunds = await self._rows(t.refunds, ids, t.refunds.c.refund_id)
        locks = await self._rows(t.pay_order_locks, ids, t.pay_order_locks.c.pay_order_id)
        found = []
        for root in roots:
            pid = root.payment_id
            p = Payment(**_fields(Payment, root),
                        parts=[Part(**_fields(Part, x)) for x in parts.get(pid, [])],
                        attempts=[Attempt(**_fields(Attempt, x)) for x in attempts.get(pid, [])],
                        refunds=[Refund(**_fields(Refund, x)) for x in refunds.get(pid, [])],
                        held={x.pay_order_id for x in locks.get(pid, [])})
            self._remember(p)
            found.append(p)
        return found

    def _remember(self, p: Payment) -> None:
        self._loaded[p.payment_id] = _Loaded(
            {a.attempt_id: _row(a, t.payment_attempts) for a in p.attempts},
            {r.refund_id: _row(r, t.refunds) for r in p.refunds}, set(p.held),
            copy.deepcopy(p))

    async def add(self, payment: Payment) -> None:
        pid = payment.payment_id
        for pay_order_id in sorted(payment.held):  # a fixed order: no deadlock between claims
            # On PostgreSQL this waits for a concurrent claim of the pay order to end.
            if not await compare_and_set(self.s, insert_ignore(self.uow.db.dialect,
                                                               t.pay_order_locks).values(
                    pay_order_id=pay_order_id, payment_id=pid, created_at=payment.created_at)):
                raise PayOrderTaken(pay_order_id)
        await self.s.execute(insert(t.payments).values(**_row(payment, t.payments)))
        await self.s.execute(insert(t.payment_parts), [
            {"payment_id": pid, **_row(x, t.payment_parts)} for x in payment.parts])
        self._loaded[pid] = _Loaded({}, {}, set(payment.held))
        await self._children(payment)
        self._remember(payment)
        publish(self.uow, payment, None)

    async def save(self, payment: Payment) -> None:
        pid, p = payment.payment_id, t.payments
        row = {**_row(payment, p), "version": payment.version + 1}
        if not await compare_and_set(self.s, update(p).where(
                p.c.payment_id == pid, p.c.version == payment.version).values(**row)):
            raise concurrent_change(pid)
        payment.version += 1
        await self._children(payment)
        loaded = self._loaded[pid]
        released = loaded.held - payment.held
        if released:
            await self.s.execute(delete(t.pay_order_locks).where(
                t.pay_order_locks.c.pay_order_id.in_(sorted(released)),
                t.pay_order_locks.c.payment_id == pid))
        self._remember(payment)
        publish(self.uow, payment, loaded.payment)

    async def _children(self, payment: Payment) -> None:
        loaded = self._loaded[payment.payment_id]
        changed = False
        for a in payment.attempts:
            changed |= await self._write(t.payment_attempts, t.payment_attempts.c.attempt_id,
                                         a.attempt_id, {"payment_id": payment.payment_id,
                                                        **_row(a, t.payment_attempts)},
                                         loaded.attempts, pb.ERROR_REASON_CONCURRENT_ATTEMPT_CHANGE)
        for r in payment.refunds:
            changed |= await self._write(t.refunds, t.refunds.c.refund_id, r.refund_id,
                                         _row(r, t.refunds), loaded.refunds,
                                         pb.ERROR_REASON_CONCURRENT_REFUND)
        if changed:
            # Wake the sweeps at commit: a refund to submit, a trade to close.
            self.uow.session.info["outbox_written"] = True

    async def _write(self, table: Table, key: Any, key_value: str, row: dict[str, Any],
                     loaded: Mapping[str, dict[str, Any]], conflict: int) -> bool:
        """Insert a new child or update what changed of a loaded one, guarded
        by the status it was loaded with; whether anything was written."""
        old = loaded.get(key_value)
        if old is None:
            written = await compare_and_set(self.s, insert_ignore(self.uow.db.dialect, table)
                                            .values(**row))
        else:
            diff = {k: v for k, v in row.items() if old.get(k, v) != v}
            if not diff:
                return False
            written = await compare_and_set(self.s, update(table).where(
                key == key_value, table.c.status == old["status"]).values(**diff))
        if not written:
            raise E(conflict, f"{table.name} {key_value} changed concurrently; retry",
                    metadata={key.name: key_value})
        return True

    async def holders(self, pay_order_ids: Sequence[str]) -> dict[str, str]:
        lk = t.pay_order_locks
        rows = (await self.s.execute(select(lk).where(lk.c.pay_order_id.in_(
            list(pay_order_ids))))).all()
        return {r.pay_order_id: r.payment_id for r in rows}

    async def closed_pay_orders(self, pay_order_ids: Sequence[str]) -> list[str]:
        c = t.closed_pay_orders.c
        return sorted((await self.s.execute(select(c.pay_order_id).where(
            c.pay_order_id.in_(list(pay_order_ids))))).scalars().all())

    async def close_pay_order(self, pay_order_id: str, order_id: str, now: dt.datetime) -> None:
        await self.s.execute(insert_ignore(self.uow.db.dialect, t.closed_pay_orders).values(
            pay_order_id=pay_order_id, order_id=order_id, closed_at=now))

    def _of_pay_order(self, pay_order_id: str) -> Any:
        p, parts = t.payments, t.payment_parts
        return (select(p.c.payment_id).join(parts, parts.c.payment_id == p.c.payment_id)
                .where(parts.c.pay_order_id == pay_order_id))

    async def open_payments_of(self, pay_order_id: str) -> list[str]:
        q = self._of_pay_order(pay_order_id).where(t.payments.c.status == PENDING)
        return list((await self.s.execute(q.order_by(t.payments.c.payment_id)))
                    .scalars().all())

    async def payments_of(self, pay_order_id: str, before: str | None, limit: int) -> list[str]:
        q = self._of_pay_order(pay_order_id)
        if before:
            q = q.where(t.payments.c.payment_id < before)
        return list((await self.s.execute(q.order_by(t.payments.c.payment_id.desc())
                                          .limit(limit))).scalars().all())

    async def payment_of_attempt(self, attempt_id: str) -> str | None:
        a = t.payment_attempts.c
        return (await self.s.execute(select(a.payment_id).where(a.attempt_id == attempt_id))
                ).scalar()

    async def payment_of_refund(self, refund_id: str) -> str | None:
        r = t.refunds.c
        return (await self.s.execute(select(r.payment_id).where(r.refund_id == refund_id))
                ).scalar()

    async def _lease(self, table: Table, key: Any, due: Any, where: Sequence[Any],
                     now: dt.datetime, lease_until: dt.datetime, limit: int) -> list[str]:
        q = (select(key).where(*where, due.is_not(None), due <= now).order_by(due).limit(limit))
        if self.uow.db.supports_skip_locked:
            q = q.with_for_update(skip_locked=True)
        ids = list((await self.s.execute(q)).scalars().all())
        if ids:
            await self.s.execute(update(table).where(key.in_(ids)).values({due: lease_until}))
        return ids

    async def claim_due_attempts(self, now: dt.datetime, lease_until: dt.datetime,
                                 limit: int) -> list[DueAttempt]:
        a, p = t.payment_attempts, t.payments
        ids = await self._lease(a, a.c.attempt_id, a.c.next_check_at,
                                [a.c.status == PENDING, a.c.method.in_(list(CHANNEL_METHODS))],
                                now, lease_until, limit)
        rows = (await self.s.execute(
            select(a.c.attempt_id, a.c.method, a.c.close_requested, a.c.check_count,
                   p.c.status.label("payment_status"), p.c.current_attempt_id)
            .join(p, p.c.payment_id == a.c.payment_id).where(a.c.attempt_id.in_(ids)))).all()
        return [DueAttempt(**r._mapping) for r in rows]

    async def claim_due_refunds(self, now: dt.datetime, lease_until: dt.datetime,
                                limit: int) -> list[DueRefund]:
        r, a = t.refunds, t.payment_attempts
        ids = await self._lease(r, r.c.refund_id, r.c.next_attempt_at,
                                [r.c.status == REFUND_PENDING], now, lease_until, limit)
        rows = (await self.s.execute(
            select(r.c.refund_id, r.c.attempt_id, r.c.kind, r.c.amount, r.c.currency,
                   r.c.submitted_at, r.c.attempts, a.c.method)
            .join(a, a.c.attempt_id == r.c.attempt_id).where(r.c.refund_id.in_(ids)))).all()
        return [DueRefund(**x._mapping) for x in rows]

    async def reschedule_attempt(self, attempt_id: str, count: int, at: dt.datetime,
                                 error: str | None) -> None:
        a = t.payment_attempts
        await self.s.execute(update(a).where(a.c.attempt_id == attempt_id, a.c.status == PENDING)
                             .values(check_count=count, next_check_at=at, last_error=error))

    async def reschedule_refund(self, refund_id: str, count: int, at: dt.datetime,
                                error: str | None, submitted: bool, now: dt.datetime) -> None:
        r = t.refunds
        await self.s.execute(update(r).where(r.c.refund_id == refund_id,
                                             r.c.status == REFUND_PENDING).values(
            attempts=count, next_attempt_at=at, last_error=error, updated_at=now,
            submitted_at=func.coalesce(r.c.submitted_at, now) if submitted else None))


class SqlBalanceRepository(BalanceRepository):
    def __init__(self, uow: SqlPaymentUnitOfWork) -> None:
        self.uow = uow

    async def balance(self, buyer_id: str, currency: str) -> int:
        a = t.balance_accounts.c
        value = (await self.uow.session.execute(select(a.balance).where(
            a.buyer_id == buyer_id, a.currency == currency))).scalar_one_or_none()
        return int(value or 0)

    async def change(self, buyer_id: str, currency: str, delta: int, kind: str,
                     reference_id: str, payment_id: str, now: dt.datetime) -> int | None:
        s, a, dialect = self.uow.session, t.balance_accounts, self.uow.db.dialect
        if delta > 0:
            await s.execute(insert_ignore(dialect, a).values(
                buyer_id=buyer_id, currency=currency, balance=0, created_at=now, updated_at=now))
        if not await compare_and_set(s, update(a).where(
                a.c.buyer_id == buyer_id, a.c.currency == currency, a.c.balance + delta >= 0)
                .values(balance=a.c.balance + delta, updated_at=now)):
            return None
        after = await self.balance(buyer_id, currency)
        if not await compare_and_set(s, insert_ignore(dialect, t.balance_ledger).values(
                entry_id=new_id(), buyer_id=buyer_id, currency=currency, kind=kind,
                amount=delta, reference_id=reference_id, payment_id=payment_id,
                balance_after=after, created_at=now)):
            raise entry_exists(kind, reference_id)
        return after


class SqlNotificationLog(NotificationLog):
    def __init__(self, uow: SqlPaymentUnitOfWork) -> None:
        self.uow = uow

    async def record(self, channel: str, key: str, attempt_id: str, refund_id: str,
                     now: dt.datetime) -> bool:
        return await compare_and_set(self.uow.session, insert_ignore(
            self.uow.db.dialect, t.processed_notifications).values(
            channel=channel, notification_key=key, attempt_id=attempt_id, refund_id=refund_id,
            outcome="", received_at=now))

    async def set_outcome(self, channel: str, key: str, outcome: str) -> None:
        pn = t.processed_notifications
        await self.uow.session.execute(update(pn).where(
            pn.c.channel == channel, pn.c.notification_key == key).values(outcome=outcome))


class SqlPaymentUnitOfWork(SqlUnitOfWork, PaymentUnitOfWork):
    """One transaction on payment's database, or a part of the caller's (an
    inbox consumer's: see ``SqlUnitOfWork``)."""

    def __init__(self, db: Database, session: AsyncSession | None = None) -> None:
        super().__init__(db, session)
        self.payments = SqlPaymentRepository(self)
        self.balances = SqlBalanceRepository(self)
        self.notifications = SqlNotificationLog(self)
        self.keys = SqlKeyStore(self)

    async def audit_trail(self, resource_type: str, resource_id: str, page_size: int,
                          page_token: str) -> tuple[list[AuditEntry], str]:
        return await audit.list_entries(self.session, self.db.plumbing, resource_type,
                                        resource_id, page_size, page_token)

