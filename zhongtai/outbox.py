"""Transactional outbox and its relay.

``publish`` writes an event into the service's ``outbox`` table in the
caller's (business) transaction, so the event exists if and only if the state
change committed. The ``Relay`` then hands pending rows to the bus and marks
them sent after the broker confirmed them.

Claiming is a short transaction that leases a batch of rows (``available_at``
pushed past the publish time; ``FOR UPDATE SKIP LOCKED`` on PostgreSQL so
several relays take disjoint batches); publishing happens outside any
transaction; a second short transaction marks what was confirmed. A row whose
publish failed is retried with exponential backoff; a relay that dies
mid-batch leaves leased rows that become available again when the lease
expires. Delivery is at least once; consumers dedupe by event id.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from google.protobuf.message import Message
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from zhongtai.bus import EventBus
from zhongtai.db import Database, PlumbingTables, utcnow
from zhongtai.events import Envelope, routing_key
from zhongtai.ids import new_id
from zhongtai.worker import PollingWorker

log = logging.getLogger(__name__)


async def publish(
    session: AsyncSession,
    tables: PlumbingTables,
    event: Message,
    aggregate_id: str = "",
) -> str:
    """Record ``event`` for publication when the current transaction commits,
    under the routing key its message type declares."""
    event_id = new_id()
    now = utcnow()
    await session.execute(
        tables.outbox.insert().values(
            event_id=event_id,
            routing_key=routing_key(event),
            event_type=event.DESCRIPTOR.full_name,
            payload=event.SerializeToString(deterministic=True),
            aggregate_id=aggregate_id,
            created_at=now,
            attempts=0,
            available_at=now,
        )
    )
    session.info["outbox_written"] = True
    return event_id


def backoff(attempts: int, base: float = 0.5, cap: float = 60.0) -> dt.timedelta:
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


class Relay(PollingWorker):
    """Publishes a service's outbox rows to the bus, in id order."""

    def __init__(
        self,
        db: Database,
        bus: EventBus,
        *,
        poll_interval: float = 0.5,
        batch_size: int = 100,
        lease: dt.timedelta = dt.timedelta(seconds=60),
    ) -> None:
        super().__init__(poll_interval)
        self.db = db
        self.bus = bus
        self.batch_size = batch_size
        self.lease = lease
        db.on_outbox_commit.append(self.wake)

    async def step(self) -> int:
        return await self.relay_once()

    async def _claim(self) -> list[Envelope]:
        ob = self.db.plumbing.outbox
        now = utcnow()
        async with self.db.transaction() as session:
            query = (
                select(ob.c.id, ob.c.event_id, ob.c.routing_key, ob.c.event_type,
                       ob.c.payload, ob.c.aggregate_id, ob.c.created_at)
                .where(ob.c.sent_at.is_(None), ob.c.available_at <= now)
                .order_by(ob.c.id)
                .limit(self.batch_size)
            )
            if self.db.supports_skip_locked:
                query = query.with_for_update(skip_locked=True)
            rows = (await session.execute(query)).all()
            if rows:
                await session.execute(
                    update(ob)
                    .where(ob.c.id.in_([r.id for r in rows]))
                    .values(available_at=now + self.lease)
                )
        return [
            Envelope(r.event_id, r.routing_key, r.event_type, r.payload, r.aggregate_id,
                     r.created_at)
            for r in rows
        ]

    async def relay_once(self) -> int:
        """Publish one batch; return how many rows were marked sent."""
        batch = await self._claim()
        if not batch:
            return 0
        sent: list[str] = []
        failed: tuple[Envelope, Exception] | None = None
        for envelope in batch:
            try:
                await self.bus.publish(envelope)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failed = (envelope, exc)
                break
            sent.append(envelope.event_id)
        ob = self.db.plumbing.outbox
        async with self.db.transaction() as session:
            now = utcnow()
            if sent:
                await session.execute(
                    update(ob).where(ob.c.event_id.in_(sent)).values(sent_at=now)
                )
            if failed is not None:
                bad, error = failed
                attempts = (await session.execute(
                    select(ob.c.attempts).where(ob.c.event_id == bad.event_id)
                )).scalar_one() + 1
                retry_at = now + backoff(attempts)
                log.warning("publishing %s %s failed (attempt %d), retry at %s: %s",
                            bad.event_type, bad.event_id, attempts, retry_at.isoformat(), error)
                await session.execute(
                    update(ob).where(ob.c.event_id == bad.event_id)
                    .values(attempts=attempts, last_error=str(error)[:2000],
                            available_at=retry_at)
                )
                # Keep the order: the rest of the batch waits behind it.
                rest = [e.event_id for e in batch[len(sent) + 1:]]
                if rest:
                    await session.execute(
                        update(ob).where(ob.c.event_id.in_(rest)).values(available_at=retry_at)
                    )
        return len(sent)

    async def pending_count(self) -> int:
        ob = self.db.plumbing.outbox
        async with self.db.sessions() as session:
            rows = await session.execute(select(ob.c.id).where(ob.c.sent_at.is_(None)))
            return len(rows.all())
