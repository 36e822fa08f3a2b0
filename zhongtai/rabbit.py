"""RabbitMQ event bus (aio-pika).

Topology (all durable, declared idempotently by every process that starts):

* ``zhongtai.events``: topic exchange every service publishes to; messages
  nobody is bound for go to its alternate exchange ``zhongtai.unrouted``
  (fanout, queue ``zhongtai.unrouted``) instead of being dropped;
* one quorum queue per consumer (``<service>.<purpose>``), bound to its
  routing-key patterns, with ``x-delivery-limit`` and dead-lettering to
  ``zhongtai.dlx`` (direct) into ``<queue>.dlq``.

Publishing uses a confirm channel with ``on_return_raises=True`` and
persistent messages; ``publish`` returns only after the broker's ack.
Consumers ack after their handler (and so its transaction) succeeded, and
nack with requeue otherwise; after the delivery limit the message is
dead-lettered, never silently dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Sequence

import aio_pika
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustConnection,
)

from zhongtai.bus import EventBus, Handler, PublishError
from zhongtai.events import Envelope

log = logging.getLogger(__name__)

EXCHANGE = "zhongtai.events"
UNROUTED = "zhongtai.unrouted"
DLX = "zhongtai.dlx"


class RabbitBus(EventBus):
    def __init__(
        self,
        url: str,
        *,
        prefetch: int = 32,
        delivery_limit: int = 20,
        publish_timeout: float = 10.0,
        redelivery_delay: float = 1.0,
    ) -> None:
        self.url = url
        self.prefetch = prefetch
        self.delivery_limit = delivery_limit
        self.publish_timeout = publish_timeout
        self.redelivery_delay = redelivery_delay
        # Kept referenced: connect_robust restores what it knows of.
        self._connection: AbstractRobustConnection | None = None
        self._publish_channel: AbstractChannel | None = None
        self._consume_channel: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None
        self._queues: dict[str, AbstractQueue] = {}
        self._publish_lock = asyncio.Lock()

    async def start(self) -> None:
        self._connection = await aio_pika.connect_robust(self.url, timeout=10)
        self._publish_channel = await self._connection.channel(
            publisher_confirms=True, on_return_raises=True
        )
        self._consume_channel = await self._connection.channel()
        await self._consume_channel.set_qos(prefetch_count=self.prefetch)
        self._exchange = await self._declare_topology(self._publish_channel)

    async def _declare_topology(self, channel: AbstractChannel) -> AbstractExchange:
        unrouted = await channel.declare_exchange(
            UNROUTED, aio_pika.ExchangeType.FANOUT, durable=True
        )
        unrouted_queue = await channel.declare_queue(
            UNROUTED, durable=True, arguments={"x-queue-type": "quorum"}
        )
        await unrouted_queue.bind(unrouted)
        await channel.declare_exchange(DLX, aio_pika.ExchangeType.DIRECT, durable=True)
        return await channel.declare_exchange(
            EXCHANGE,
            aio_pika.ExchangeType.TOPIC,
            durable=True,
            arguments={"alternate-exchange": UNROUTED},
        )

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None

    async def declare(self, queue: str, routing_keys: Sequence[str]) -> AbstractQueue:
        """Declare a consumer queue and its bindings (idempotent)."""
        assert self._consume_channel is not None, "start() first"
        channel = self._consume_channel
        dlx = await channel.get_exchange(DLX)
        dlq = await channel.declare_queue(
            f"{queue}.dlq", durable=True, arguments={"x-queue-type": "quorum"}
        )
        await dlq.bind(dlx, routing_key=queue)
        q = await channel.declare_queue(
            queue,
            durable=True,
            arguments={
                "x-queue-type": "quorum",
                "x-delivery-limit": self.delivery_limit,
                "x-dead-letter-exchange": DLX,
                "x-dead-letter-routing-key": queue,
                # Dead-letter at least once (3.10 default is at most once).
                "x-dead-letter-strategy": "at-least-once",
                "x-overflow": "reject-publish",
            },
        )
        exchange = await channel.get_exchange(EXCHANGE)
        for key in routing_keys:
            await q.bind(exchange, routing_key=key)
        self._queues[queue] = q
        return q

    async def subscribe(self, queue: str, routing_keys: Sequence[str], handler: Handler) -> None:
        q = await self.declare(queue, routing_keys)

        async def on_message(message: AbstractIncomingMessage) -> None:
            envelope = Envelope(
                event_id=message.message_id or "",
                routing_key=message.routing_key or "",
                event_type=message.type or "",
                payload=message.body,
                aggregate_id=str((message.headers or {}).get("aggregate_id", "")),
                occurred_at=_occurred_at(message),
            )
            try:
                await handler(envelope)
            except asyncio.CancelledError:
                await message.nack(requeue=True)
                raise
            except Exception:
                log.exception("consumer %s failed on %s %s (delivery %s)", queue,
                              envelope.event_type, envelope.event_id,
                              (message.headers or {}).get("x-delivery-count", 0))
                await asyncio.sleep(self.redelivery_delay)
                await message.nack(requeue=True)
            else:
                await message.ack()

        await q.consume(on_message, consumer_tag=None)

    async def publish(self, envelope: Envelope) -> None:
        if self._exchange is None:
            raise PublishError("bus not started")
        message = aio_pika.Message(
            body=envelope.payload,
            message_id=envelope.event_id,
            type=envelope.event_type,
            timestamp=envelope.occurred_at,
            headers={"aggregate_id": envelope.aggregate_id,
                     "occurred_at": envelope.occurred_at.isoformat()},
            content_type="application/x-protobuf",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        try:
            async with self._publish_lock:
                await self._exchange.publish(
                    message, routing_key=envelope.routing_key, mandatory=True,
                    timeout=self.publish_timeout,
                )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            raise PublishError(f"{type(exc).__name__}: {exc}") from exc


def _occurred_at(message: AbstractIncomingMessage) -> dt.datetime:
    """The event time: the header (microseconds), else the AMQP timestamp (seconds)."""
    header = (message.headers or {}).get("occurred_at")
    if isinstance(header, str):
        with contextlib.suppress(ValueError):
            return dt.datetime.fromisoformat(header)
    value = message.timestamp
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime.now(dt.UTC)
