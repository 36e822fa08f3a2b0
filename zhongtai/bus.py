"""The event bus: one interface, two implementations.

``publish`` returns only once the broker has taken responsibility for the
message (RabbitMQ: a publisher confirm for a routed, persistent message; in
process: every subscriber's handler has committed) and raises otherwise, so the
outbox relay marks a row sent only when that is true.

Subscribers are named queues bound to routing-key patterns; every queue gets
its own copy of a message, and consumers of one queue compete. Handlers must
be idempotent (see ``zhongtai.inbox``): delivery is at least once.
"""

from __future__ import annotations

import abc
import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from zhongtai.events import Envelope, topic_matches

log = logging.getLogger(__name__)

Handler = Callable[[Envelope], Awaitable[None]]


class PublishError(Exception):
    """The broker did not take the message; publish again later."""


class EventBus(abc.ABC):
    @abc.abstractmethod
    async def start(self) -> None: ...

    @abc.abstractmethod
    async def close(self) -> None: ...

    @abc.abstractmethod
    async def publish(self, envelope: Envelope) -> None:
        """Hand one event to the broker; raise PublishError if it is not taken."""

    @abc.abstractmethod
    async def subscribe(self, queue: str, routing_keys: Sequence[str], handler: Handler) -> None:
        """Consume the events matching ``routing_keys`` through ``queue``."""


@dataclass
class _Subscription:
    queue: str
    patterns: tuple[str, ...]
    handler: Handler


class InProcessBus(EventBus):
    """The embedded broker: delivery is a direct call of each queue's handler.

    ``publish`` awaits every matching handler and fails if any failed, so an
    event is marked sent in the outbox only after all its consumers committed
    its effect; after a crash the relay publishes it again and the consumers'
    inboxes drop what they had already done. Nothing is lost across restarts
    because nothing is kept in memory.
    """

    def __init__(self) -> None:
        self._subscriptions: dict[str, _Subscription] = {}

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        self._subscriptions.clear()

    async def subscribe(self, queue: str, routing_keys: Sequence[str], handler: Handler) -> None:
        # A second consumer on the same queue competes with the first; in one
        # process there is nothing to compete for, so the first one is kept.
        self._subscriptions.setdefault(queue, _Subscription(queue, tuple(routing_keys), handler))

    async def publish(self, envelope: Envelope) -> None:
        failures = []
        for sub in list(self._subscriptions.values()):
            if not any(topic_matches(p, envelope.routing_key) for p in sub.patterns):
                continue
            try:
                await sub.handler(envelope)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.exception("consumer %s failed on %s %s", sub.queue,
                              envelope.event_type, envelope.event_id)
                failures.append(f"{sub.queue}: {exc!r}")
        if failures:
            raise PublishError("; ".join(failures))


def create_bus(url: str) -> EventBus:
    if url in ("", "memory", "memory://"):
        return InProcessBus()
    if url.startswith(("amqp://", "amqps://")):
        from zhongtai.rabbit import RabbitBus

        return RabbitBus(url)
    raise ValueError(f"unsupported broker url {url!r} (use 'memory' or amqp://...)")
