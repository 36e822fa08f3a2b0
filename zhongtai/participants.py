"""The consumers of a participant in trade's order saga (catalog's stock
reservation, promotion's benefit hold: ``zhongtai.holds``).

A participant holds something for an order while trade creates it and reacts
to three of trade's facts, each through the inbox (once per event):

* ``OrderCreationFailed``: release what the order holds;
* ``OrderCancelled``: release it if unpaid, give it back if the event says
  the order had been paid (cancelled before shipping, money refunding);
* ``OrderPaid``: commit it (the stock is sold, the benefits consumed).

Guarantee: a consumer never poisons its queue with a refusal that
redelivery cannot change. A failed order's release that is refused
(FAILED_PRECONDITION: it was never paid) is logged as a warning; a paid
order's commit that finds nothing held or released (NOT_FOUND,
FAILED_PRECONDITION) is logged as an error for an operator; both are
acknowledged. Any other failure is retried by the inbox.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from google.protobuf.message import Message
from sqlalchemy.ext.asyncio import AsyncSession

from zhongtai.bus import Handler
from zhongtai.db import Database
from zhongtai.errors import FailedPrecondition, NotFound
from zhongtai.events import Envelope
from zhongtai.inbox import EffectHandler, consumer
from zhongtai.service import Subscription
from zhongtai.trade.v1 import events_pb2 as trade_events

log = logging.getLogger(__name__)

OrderStep = Callable[[AsyncSession, str], Awaitable[object]]
CancelStep = Callable[[AsyncSession, str, bool], Awaitable[object]]


@dataclass(frozen=True)
class OrderParticipant:
    """What a participant does (module docstring), and on which queues:
    ``on_release`` subscribes to OrderCreationFailed and OrderCancelled,
    ``on_commit`` to OrderPaid. ``what`` names the hold in the logs."""

    what: str
    on_release: Subscription
    on_commit: Subscription
    release: OrderStep
    cancelled: CancelStep
    commit: OrderStep

    def handlers(self) -> dict[type[Message], EffectHandler[Any]]:
        """The effect of each of the three events (module docstring)."""

        async def failed(s: AsyncSession, event: trade_events.OrderCreationFailed,
                         _env: Envelope) -> None:
            try:
                await self.release(s, event.order.order_id)
            except FailedPrecondition as e:
                log.warning("not releasing the %s of failed order %s: %s", self.what,
                            event.order.order_id, e.message)

        async def cancelled(s: AsyncSession, event: trade_events.OrderCancelled,
                            _env: Envelope) -> None:
            await self.cancelled(s, event.order.order_id, event.paid)

        async def paid(s: AsyncSession, event: trade_events.OrderPaid, _env: Envelope) -> None:
            try:
                await self.commit(s, event.order.order_id)
            except (NotFound, FailedPrecondition) as e:
                log.error("not committing the %s of paid order %s: %s", self.what,
                          event.order.order_id, e.message)

        return {trade_events.OrderCreationFailed: failed, trade_events.OrderCancelled: cancelled,
                trade_events.OrderPaid: paid}

    def consumers(self, db: Database) -> dict[str, Handler]:
        """The inbox consumers of both queues, by queue name."""
        handlers = self.handlers()
        return {sub.queue: consumer(db, sub, {e: handlers[e] for e in sub.events})
                for sub in (self.on_release, self.on_commit)}
