"""Retention: deletes plumbing rows that have done their job.

Sent outbox rows, inbox ids, fired or cancelled timers and idempotency records
are kept for a retention period (long enough to dedupe any redelivery or
repeated request, and to audit) and then deleted, so the tables do not grow
without bound. One janitor per service database runs about once an hour.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import delete

from zhongtai.db import Database, rows_changed, utcnow
from zhongtai.timers import PENDING
from zhongtai.worker import PollingWorker

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Retention:
    outbox: dt.timedelta = dt.timedelta(days=7)
    inbox: dt.timedelta = dt.timedelta(days=30)
    timers: dt.timedelta = dt.timedelta(days=30)
    idempotency: dt.timedelta = dt.timedelta(days=30)


class Janitor(PollingWorker):
    def __init__(self, db: Database, retention: Retention | None = None,
                 interval: float = 3600.0) -> None:
        super().__init__(interval)
        self.db = db
        self.retention = retention or Retention()

    async def step(self) -> int:
        await self.purge()
        return 0  # then sleep a whole interval

    async def purge(self) -> int:
        """Delete what is past retention; return how many rows went."""
        t, r, now = self.db.plumbing, self.retention, utcnow()
        statements = [
            delete(t.outbox).where(t.outbox.c.sent_at.is_not(None),
                                   t.outbox.c.sent_at < now - r.outbox),
            delete(t.inbox).where(t.inbox.c.processed_at < now - r.inbox),
            delete(t.timers).where(t.timers.c.status != PENDING,
                                   t.timers.c.created_at < now - r.timers),
            delete(t.idempotency).where(t.idempotency.c.created_at < now - r.idempotency),
        ]
        removed = 0
        async with self.db.transaction() as session:
            for statement in statements:
                result = await session.execute(statement)
                removed += rows_changed(result)
        if removed:
            log.info("janitor removed %d rows past retention", removed)
        return removed
