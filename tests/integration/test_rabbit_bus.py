"""The RabbitMQ side of the event plumbing, against a real broker.

Every test uses its own queue (``test.<hex>``) and routing key
(``test.<hex>.changed``) on the shared, durable ``zhongtai.events`` exchange,
and deletes the queues it declared (and their ``.dlq``) when it ends.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse, urlunparse

import aio_pika
import aiormq
import pytest
from aio_pika.abc import AbstractConnection, AbstractIncomingMessage
from sqlalchemy import Column, Integer, MetaData, String, Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import CreateDb, eventually
from tests.integration.tcp_proxy import TcpProxy
from zhongtai import outbox
from zhongtai.catalog.v1 import catalog_pb2, events_pb2
from zhongtai.db import Database, PlumbingTables, new_metadata, plumbing_tables, utcnow
from zhongtai.events import Envelope
from zhongtai.ids import new_id
from zhongtai.inbox import consumer
from zhongtai.outbox import Relay
from zhongtai.rabbit import UNROUTED, RabbitBus
from zhongtai.service import Subscription

pytestmark = pytest.mark.rabbitmq

EVENT_TYPE = events_pb2.ReservationChanged.DESCRIPTOR.full_name


# --------------------------------------------------------------------------- helpers


@dataclass
class Names:
    queue: str
    routing_key: str


@dataclass
class Broker:
    """A plain (non-robust) connection for inspecting and cleaning up."""

    url: str
    connection: AbstractConnection
    queues: list[str] = field(default_factory=list)

    def names(self) -> Names:
        uid = uuid.uuid4().hex[:12]
        queue = f"test.{uid}"
        self.queues += [queue, f"{queue}.dlq"]
        return Names(queue=queue, routing_key=f"test.{uid}.changed")

    async def message_count(self, queue: str) -> int:
        channel = await self.connection.channel()
        try:
            q = await channel.declare_queue(queue, passive=True)
            count = q.declaration_result.message_count
            assert count is not None
            return count
        finally:
            await channel.close()

    async def take(
        self, queue: str, event_id: str
    ) -> tuple[AbstractIncomingMessage | None, int]:
        """Find and ack the message ``event_id`` in ``queue``; others are left there.

        Returns the message (or None) and how many copies of it were found.
        """
        channel = await self.connection.channel()
        found: AbstractIncomingMessage | None = None
        copies = 0
        try:
            q = await channel.declare_queue(queue, passive=True)
            # Others stay unacked (so get() moves on) until the channel closes.
            while (message := await q.get(no_ack=False, fail=False, timeout=5)) is not None:
                if message.message_id == event_id:
                    await message.ack()
                    found = found or message
                    copies += 1
        finally:
            await channel.close()
        return found, copies


@pytest.fixture
async def broker(amqp_url: str) -> AsyncIterator[Broker]:
    connection = await aio_pika.connect(amqp_url, timeout=10)
    b = Broker(amqp_url, connection)
    try:
        yield b
    finally:
        channel = await connection.channel()
        for name in b.queues:
            await channel.queue_delete(name)
        await connection.close()


BusFactory = Callable[..., Awaitable[RabbitBus]]


@pytest.fixture
async def buses(broker: Broker) -> AsyncIterator[BusFactory]:
    """Started RabbitBus instances, closed before the test's queues are deleted."""
    started: list[RabbitBus] = []

    async def make(url: str | None = None, **kwargs: Any) -> RabbitBus:
        bus = RabbitBus(url or broker.url, **kwargs)
        await asyncio.wait_for(bus.start(), 15)
        started.append(bus)
        return bus

    try:
        yield make
    finally:
        for bus in reversed(started):
            await asyncio.wait_for(bus.close(), 10)


def reservation_changed(order_id: str) -> events_pb2.ReservationChanged:
    return events_pb2.ReservationChanged(
        reservation=catalog_pb2.Reservation(order_id=order_id),
        occur_time=utcnow(),
    )


def envelope(routing_key: str, order_id: str | None = None) -> Envelope:
    order_id = order_id or f"order-{uuid.uuid4().hex[:8]}"
    return Envelope(
        event_id=new_id(),
        routing_key=routing_key,
        event_type=EVENT_TYPE,
        payload=reservation_changed(order_id).SerializeToString(deterministic=True),
        aggregate_id=order_id,
        occurred_at=utcnow(),
    )


def schema() -> tuple[MetaData, PlumbingTables]:
    md = new_metadata()
    return md, plumbing_tables(md)


async def pg_db(pg_database: CreateDb, label: str, md: MetaData,
                tables: PlumbingTables) -> Database:
    """A fresh PostgreSQL database with ``md``'s tables created."""
    db = Database(await pg_database(label), md, tables)
    async with db.engine.begin() as conn:
        await conn.run_sync(md.create_all)
    return db


# --------------------------------------------------------------------------- 1. round trip


async def test_publish_subscribe_round_trip(broker: Broker, buses: BusFactory) -> None:
    names = broker.names()
    bus = await buses()
    received: list[Envelope] = []

    async def handler(env: Envelope) -> None:
        received.append(env)

    await bus.subscribe(names.queue, [names.routing_key], handler)
    sent = envelope(names.routing_key)
    await bus.publish(sent)

    async def arrived() -> bool:
        return bool(received)

    await eventually(arrived, 10)
    await asyncio.sleep(0.2)  # a duplicate would show up here
    assert len(received) == 1
    got = received[0]
    assert got.event_id == sent.event_id
    assert got.event_type == sent.event_type == EVENT_TYPE
    assert got.routing_key == sent.routing_key
    assert got.payload == sent.payload
    assert got.aggregate_id == sent.aggregate_id
    assert abs(got.occurred_at - sent.occurred_at) < dt.timedelta(seconds=2)
    decoded = got.decode()
    assert isinstance(decoded, events_pb2.ReservationChanged)
    assert decoded.reservation.order_id == sent.aggregate_id

    # The subscriber's queue is a quorum queue: redeclaring it as classic is refused.
    channel = await broker.connection.channel()
    with pytest.raises(aiormq.exceptions.ChannelPreconditionFailed):
        await channel.declare_queue(
            names.queue, durable=True, arguments={"x-queue-type": "classic"}
        )
    # ...and it was acked: nothing left in it once the consumer is gone.
    await bus.close()
    assert await broker.message_count(names.queue) == 0


# --------------------------------------------------------------------------- 2. unroutable


async def test_unroutable_message_goes_to_unrouted_queue(
    broker: Broker, buses: BusFactory
) -> None:
    names = broker.names()  # nothing is bound to this routing key
    bus = await buses()
    sent = envelope(names.routing_key)

    await bus.publish(sent)  # confirmed, not returned: must not raise

    found, copies = await broker.take(UNROUTED, sent.event_id)
    assert found is not None, f"{sent.event_id} not in {UNROUTED}"
    assert copies == 1
    assert found.routing_key == names.routing_key
    assert found.type == EVENT_TYPE
    assert found.body == sent.payload


# --------------------------------------------------------------------------- 3. outage


@pytest.mark.postgres
async def test_relay_delivers_everything_written_while_broker_was_down(
    broker: Broker, buses: BusFactory, pg_database: CreateDb
) -> None:
    n = 5
    names = broker.names()
    md, tables = schema()
    db = await pg_db(pg_database, "relay", md, tables)
    amqp = urlparse(broker.url)
    proxy = TcpProxy(amqp.hostname or "127.0.0.1", amqp.port or 5672)
    await proxy.start()
    relay_task: asyncio.Task[None] | None = None
    proxied_bus: RabbitBus | None = None
    try:
        # The subscriber talks to the broker directly; the relay's bus goes via the proxy.
        subscriber = await buses()
        received: list[Envelope] = []

        async def handler(env: Envelope) -> None:
            received.append(env)

        await subscriber.subscribe(names.queue, [names.routing_key], handler)

        proxied_url = urlunparse(amqp._replace(
            netloc=f"{amqp.username}:{amqp.password}@127.0.0.1:{proxy.port}",
            query="reconnect_interval=0.1",
        ))
        bus = proxied_bus = await buses(proxied_url, publish_timeout=1.0)

        await proxy.stop()  # the broker is "down" for the relay

        ob = tables.outbox
        event_ids: list[str] = []
        async with db.transaction() as session:
            for i in range(n):
                event_ids.append(await outbox.publish(
                    session, tables, reservation_changed(f"order-{i}"),
                    aggregate_id=f"order-{i}",
                ))
            # On the shared exchange this test routes under a key of its own.
            await session.execute(update(ob).values(routing_key=names.routing_key))

        async def rows() -> list[Any]:
            async with db.sessions() as session:
                return list((await session.execute(select(ob).order_by(ob.c.id))).all())

        relay = Relay(db, bus, poll_interval=0.05)

        # First attempt: fails (bounded by publish_timeout), nothing marked sent.
        before = utcnow()
        assert await asyncio.wait_for(relay.relay_once(), 10) == 0
        first = await rows()
        assert [r.event_id for r in first] == event_ids
        assert all(r.sent_at is None for r in first)
        head, rest = first[0], first[1:]
        assert head.attempts == 1
        assert head.last_error
        assert head.available_at >= before + outbox.backoff(1)
        # The rest of the batch waits behind the failed row, without an attempt of its own.
        assert all(r.attempts == 0 and r.available_at == head.available_at for r in rest)

        # Second attempt (made due now instead of waiting): backoff doubles.
        async with db.transaction() as session:
            await session.execute(update(ob).values(available_at=utcnow() - dt.timedelta(1)))
        before = utcnow()
        assert await asyncio.wait_for(relay.relay_once(), 10) == 0
        second = await rows()
        assert all(r.sent_at is None for r in second)
        assert second[0].attempts == 2
        assert second[0].available_at >= before + outbox.backoff(2)
        assert received == []

        # The broker comes back; connect_robust reconnects and the relay drains the outbox.
        await proxy.start()
        async with db.transaction() as session:
            await session.execute(update(ob).values(available_at=utcnow() - dt.timedelta(1)))
        relay_task = asyncio.create_task(relay.run())

        async def drained() -> bool:
            assert not relay_task.done(), relay_task
            return await relay.pending_count() == 0 and len(received) >= n

        await eventually(drained, 20)
        await asyncio.sleep(0.3)  # a duplicate would show up here
        assert [e.event_id for e in received] == event_ids  # each once, in outbox order
        assert [e.aggregate_id for e in received] == [f"order-{i}" for i in range(n)]
        final = await rows()
        assert all(r.sent_at is not None for r in final)
    finally:
        if relay_task is not None:
            relay_task.cancel()
            await asyncio.gather(relay_task, return_exceptions=True)
        if proxied_bus is not None:
            await proxied_bus.close()  # before the proxy goes, so it does not reconnect
        await proxy.stop()
        await db.dispose()


# --------------------------------------------------------------------------- 4. inbox


@pytest.mark.postgres
async def test_redelivered_event_has_its_effect_once(
    broker: Broker, buses: BusFactory, pg_database: CreateDb
) -> None:
    names = broker.names()
    md, tables = schema()
    effects = Table(
        "effects", md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False),
        Column("order_id", String(64), nullable=False),
    )
    db = await pg_db(pg_database, "inbox", md, tables)
    try:
        calls = 0
        deliveries = 0

        async def effect(session: AsyncSession, event: events_pb2.ReservationChanged,
                         env: Envelope) -> None:
            nonlocal calls
            calls += 1
            # Written in the inbox's transaction: rolled back with it when we fail.
            await session.execute(effects.insert().values(
                event_id=env.event_id, order_id=event.reservation.order_id))
            if calls == 1:
                raise RuntimeError("transient failure, first time only")

        inner = consumer(db, Subscription("test-consumer", (events_pb2.ReservationChanged,)),
                         {events_pb2.ReservationChanged: effect})

        async def handler(env: Envelope) -> None:
            nonlocal deliveries
            deliveries += 1
            await inner(env)

        bus = await buses(redelivery_delay=0.05)
        await bus.subscribe(names.queue, [names.routing_key], handler)
        sent = envelope(names.routing_key)
        await bus.publish(sent)
        await bus.publish(sent)  # the same event (same id) again

        async def settled() -> bool:
            return deliveries >= 3  # failed + succeeded + duplicate

        await eventually(settled, 10)
        await asyncio.sleep(0.3)
        assert deliveries == 3
        assert calls == 2  # the duplicate never reached the effect
        await bus.close()  # anything unacked would go back to the queue
        assert await broker.message_count(names.queue) == 0
        assert await broker.message_count(f"{names.queue}.dlq") == 0

        async with db.sessions() as session:
            effect_rows = (await session.execute(select(effects))).all()
            inbox_rows = (await session.execute(select(tables.inbox))).all()
        assert [(r.event_id, r.order_id) for r in effect_rows] == [
            (sent.event_id, sent.aggregate_id)
        ]
        assert [(r.consumer, r.event_id) for r in inbox_rows] == [
            ("test-consumer", sent.event_id)
        ]
    finally:
        await db.dispose()


# --------------------------------------------------------------------------- 5. poison


async def test_poison_message_is_dead_lettered_after_delivery_limit(
    broker: Broker, buses: BusFactory
) -> None:
    names = broker.names()
    limit = 2
    deliveries: list[str] = []

    async def handler(env: Envelope) -> None:
        deliveries.append(env.event_id)
        raise RuntimeError("poison")

    bus = await buses(delivery_limit=limit, redelivery_delay=0.05)
    await bus.subscribe(names.queue, [names.routing_key], handler)
    sent = envelope(names.routing_key)
    await bus.publish(sent)

    dlq = f"{names.queue}.dlq"

    async def dead_lettered() -> bool:
        return await broker.message_count(dlq) >= 1

    await eventually(dead_lettered, 10)
    await asyncio.sleep(0.2)  # no further delivery may happen
    # The first delivery plus ``limit`` redeliveries, then the dead-letter queue.
    assert deliveries == [sent.event_id] * (limit + 1)
    await bus.close()
    assert await broker.message_count(names.queue) == 0

    found, copies = await broker.take(dlq, sent.event_id)
    assert found is not None and copies == 1
    assert found.body == sent.payload
    assert found.type == EVENT_TYPE
    deaths = (found.headers or {}).get("x-death")
    assert isinstance(deaths, list) and deaths
    death = deaths[0]
    assert isinstance(death, dict)
    assert death.get("queue") == names.queue
    assert death.get("reason") == "delivery_limit"
