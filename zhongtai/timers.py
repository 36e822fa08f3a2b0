"""Durable timers: deadlines as rows, fired exactly once.

A timer is a row ``(kind, key)`` with a due time, armed in the business
transaction that creates the deadline (``arm``) and cancelled in the one that
makes it moot (``cancel``). A ``TimerWorker`` claims one due row at a time
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE``
serializes writers), runs the handler for its kind in the same transaction and
marks it FIRED there: the effect and the firing commit together or not at all,
so a timer never fires twice, whatever the number of workers, and one that was
due while every process was down fires after restart. A failing handler is
retried with backoff. Such handlers only touch their own service's database
(and the outbox): nothing slow runs while the transaction is open.

A timer whose work is a call to another service or a channel (HTTP, gRPC)
is a ``RemoteTimer`` instead: three steps, no transaction open during the
call.

1. ``prepare``, in the claiming transaction: read what to call (None: nothing
   to call, the timer fires there like a plain one); the timer is *leased*:
   its due time pushed ``lease`` ahead and the attempt counted
   (``attempts``), so no other worker takes it until the lease runs out.
   Committed.
2. ``call``, outside any transaction (no row lock, no SQLite write lock):
   the remote call, which must be idempotent by a key of the timer's (a
   repeat answers the same and acts once). An exception is a retryable
   failure: the timer is re-armed with backoff, if still ours.
3. ``settle``, in a new transaction: the timer re-read (locked); the answer
   is applied only if it is still PENDING with our lease (the same attempt
   and due time), else dropped: a cancel, a re-arm or another worker whose
   lease followed ours won. Then it is FIRED, unless ``settle`` re-armed it
   (more to do later).

Guarantee: the effect (what ``settle`` writes) is recorded at most once per
arming, and eventually once while it keeps being retried; the remote call
may be made more than once (a crash or failure between call and settle, a
call that outlives its lease), hence idempotent. A crashed worker's timer is
taken up again when its lease runs out.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from zhongtai.audit import acting
from zhongtai.auth import Identity
from zhongtai.db import Database, insert_ignore, rows_changed, utcnow
from zhongtai.outbox import backoff
from zhongtai.worker import PollingWorker

log = logging.getLogger(__name__)

PENDING, FIRED, CANCELLED = "PENDING", "FIRED", "CANCELLED"


@dataclass(frozen=True)
class Timer:
    kind: str
    key: str
    due_at: dt.datetime
    payload: dict[str, Any]
    attempts: int


TimerHandler = Callable[[AsyncSession, Timer], Awaitable[None]]
Plan = TypeVar("Plan")
Answer = TypeVar("Answer")


@dataclass(frozen=True)
class RemoteTimer(Generic[Plan, Answer]):
    """A timer whose work is a remote call (module docstring): ``prepare``
    reads what to call (None: nothing), ``call`` makes the idempotent call
    outside any transaction, ``settle`` records the answer if the lease is
    still ours (None: nothing to record but the firing); it is given the
    timer as leased (``attempts`` counts this attempt). ``lease`` should
    outlast the call's own deadline."""

    prepare: Callable[[AsyncSession, Timer], Awaitable[Plan | None]]
    call: Callable[[Plan], Awaitable[Answer]]
    settle: Callable[[AsyncSession, Timer, Plan, Answer], Awaitable[None]] | None = None
    lease: dt.timedelta = dt.timedelta(seconds=30)


Handler = TimerHandler | RemoteTimer[Any, Any]
Clock = Callable[[], dt.datetime]


async def arm(
    session: AsyncSession,
    db: Database,
    kind: str,
    key: str,
    due_at: dt.datetime,
    payload: Mapping[str, Any] | None = None,
) -> None:
    """Arm (or re-arm) timer ``(kind, key)`` to fire at ``due_at``."""
    t = db.plumbing.timers
    body = json.dumps(dict(payload or {}), sort_keys=True)
    now = utcnow()
    result = await session.execute(
        insert_ignore(db.dialect, t).values(
            kind=kind, key=key, due_at=due_at, payload=body, status=PENDING,
            attempts=0, created_at=now,
        )
    )
    if rows_changed(result) == 0:
        await session.execute(
            update(t).where(t.c.kind == kind, t.c.key == key)
            .values(due_at=due_at, payload=body, status=PENDING, attempts=0,
                    last_error=None, fired_at=None)
        )
    session.info["timer_armed"] = True


async def cancel(session: AsyncSession, db: Database, kind: str, key: str) -> bool:
    """Cancel a pending timer; False if it was not pending."""
    t = db.plumbing.timers
    result = await session.execute(
        update(t).where(t.c.kind == kind, t.c.key == key, t.c.status == PENDING)
        .values(status=CANCELLED)
    )
    return bool(rows_changed(result))


class TimerWorker(PollingWorker):
    def __init__(
        self,
        db: Database,
        handlers: Mapping[str, Handler],
        *,
        poll_interval: float = 0.5,
        service: str = "zhongtai",
        clock: Clock = utcnow,
    ) -> None:
        super().__init__(poll_interval)
        self.db = db
        self.handlers = dict(handlers)
        self.clock = clock
        # Timers act as their service (zhongtai.audit).
        self.identity = Identity.for_service(service)
        db.on_timer_commit.append(self.wake)

    async def step(self) -> int:
        return await self.fire_due()

    async def fire_due(self, limit: int = 100) -> int:
        """Fire up to ``limit`` due timers, one transaction each (a remote
        timer: two, around its call)."""
        fired = 0
        while fired < limit:
            outcome = await self._fire_one()
            if outcome is None:
                break
            fired += outcome
        return fired

    async def _fire_one(self) -> int | None:
        t = self.db.plumbing.timers
        kinds = list(self.handlers)
        timer: Timer | None = None
        remote: tuple[RemoteTimer[Any, Any], Any, Timer] | None = None
        try:
            async with self.db.transaction() as session:
                query = (
                    select(t.c.kind, t.c.key, t.c.due_at, t.c.payload, t.c.attempts)
                    .where(t.c.status == PENDING, t.c.due_at <= self.clock(),
                           t.c.kind.in_(kinds))
                    .order_by(t.c.due_at)
                    .limit(1)
                )
                if self.db.supports_skip_locked:
                    query = query.with_for_update(skip_locked=True)
                row = (await session.execute(query)).first()
                if row is None:
                    return None
                timer = Timer(row.kind, row.key, row.due_at, json.loads(row.payload),
                              row.attempts)
                handler = self.handlers[timer.kind]
                with acting(self.identity, f"timer {timer.kind}"):
                    if isinstance(handler, RemoteTimer):
                        plan = await handler.prepare(session, timer)
                        if plan is not None:
                            leased = replace(timer, attempts=timer.attempts + 1,
                                             due_at=self.clock() + handler.lease)
                            await session.execute(
                                update(t).where(t.c.kind == timer.kind, t.c.key == timer.key)
                                .values(attempts=leased.attempts, due_at=leased.due_at))
                            remote = (handler, plan, leased)
                    else:
                        await handler(session, timer)
                if remote is None:
                    await session.execute(
                        update(t).where(t.c.kind == timer.kind, t.c.key == timer.key)
                        .values(status=FIRED, fired_at=self.clock())
                    )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if timer is None:
                raise
            await self._failed(timer, timer.attempts + 1, exc)
            return 0
        if remote is not None:
            return await self._call_and_settle(*remote)
        log.info("timer %s/%s fired", timer.kind, timer.key)
        return 1

    async def _call_and_settle(self, handler: RemoteTimer[Any, Any], plan: Any,
                               leased: Timer) -> int:
        """Steps 2 and 3 of a leased remote timer (module docstring)."""
        t = self.db.plumbing.timers
        ours = (t.c.kind == leased.kind, t.c.key == leased.key, t.c.status == PENDING,
                t.c.attempts == leased.attempts, t.c.due_at == leased.due_at)
        try:
            with acting(self.identity, f"timer {leased.kind}"):
                answer = await handler.call(plan)
            async with self.db.transaction() as session:
                held = select(t.c.key).where(*ours)
                if self.db.supports_skip_locked:
                    held = held.with_for_update()
                if (await session.execute(held)).first() is None:
                    log.info("timer %s/%s: lease lost during its call; answer dropped",
                             leased.kind, leased.key)
                    return 0
                if handler.settle is not None:
                    with acting(self.identity, f"timer {leased.kind}"):
                        await handler.settle(session, leased, plan, answer)
                await session.execute(update(t).where(*ours)
                                      .values(status=FIRED, fired_at=self.clock()))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            await self._failed(leased, leased.attempts, exc, lease=ours)
            return 0
        log.info("timer %s/%s fired", leased.kind, leased.key)
        return 1

    async def _failed(self, timer: Timer, attempts: int, exc: Exception,
                      lease: tuple[Any, ...] = ()) -> None:
        """Re-arm a failed timer with backoff (a leased one only if still ours)."""
        t = self.db.plumbing.timers
        log.error("timer %s/%s failed (attempt %d): %r", timer.kind, timer.key, attempts, exc,
                  exc_info=exc)
        async with self.db.transaction() as session:
            await session.execute(
                update(t)
                .where(t.c.kind == timer.kind, t.c.key == timer.key, t.c.status == PENDING,
                       *lease)
                .values(attempts=attempts, last_error=repr(exc)[:2000],
                        due_at=self.clock() + backoff(attempts))
            )
