"""Durable timers: deadlines as rows, fired exactly once.

A timer is a row ``(kind, key)`` with a due time, armed in the business
transaction that creates the deadline (``arm``) and cancelled in the one that
makes it moot (``cancel``). A ``TimerWorker`` claims one due row at a time
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE``
serializes writers), runs the handler for its kind in the same transaction and
marks it FIRED there: the effect and the firing commit together or not at all,
so a timer never fires twice, whatever the number of workers, and one that was
due while every process was down fires after restart. A failing handler is
retried with backoff. Handlers only touch their own service's database (and
the outbox); calls to other services go through events.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

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
        handlers: Mapping[str, TimerHandler],
        *,
        poll_interval: float = 0.5,
        service: str = "zhongtai",
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        super().__init__(poll_interval)
        self.db = db
        self.handlers = dict(handlers)
        # What "due" is measured against (tests move it by hand).
        self.clock = clock
        # Timers act as their service (zhongtai.audit).
        self.identity = Identity.for_service(service)
        db.on_timer_commit.append(self.wake)

    async def step(self) -> int:
        return await self.fire_due()

    async def fire_due(self, limit: int = 100) -> int:
        """Fire up to ``limit`` due timers, one transaction each."""
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
        try:
            async with self.db.transaction() as session:
                query = (
                    select(t.c.kind, t.c.key, t.c.due_at, t.c.payload, t.c.attempts)
                    .where(t.c.status == PENDING, t.c.due_at <= self.clock(), t.c.kind.in_(kinds))
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
                with acting(self.identity, f"timer {timer.kind}"):
                    await self.handlers[timer.kind](session, timer)
                await session.execute(
                    update(t).where(t.c.kind == timer.kind, t.c.key == timer.key)
                    .values(status=FIRED, fired_at=self.clock())
                )
            log.info("timer %s/%s fired", timer.kind, timer.key)
            return 1
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if timer is None:
                raise
            attempts = timer.attempts + 1
            log.exception("timer %s/%s failed (attempt %d)", timer.kind, timer.key, attempts)
            async with self.db.transaction() as session:
                await session.execute(
                    update(t)
                    .where(t.c.kind == timer.kind, t.c.key == timer.key, t.c.status == PENDING)
                    .values(attempts=attempts, last_error=repr(exc)[:2000],
                            due_at=self.clock() + backoff(attempts))
                )
            return 0
