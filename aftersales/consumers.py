"""after-sales' consumers of other services' events and its timer handlers:
each maps its message (or timer) to a use case, in the transaction the
inbox or the timer worker opened (the unit of work joins it); a remote
timer's call runs outside any transaction (``zhongtai.timers``).

* ``aftersales.payment``: ``payment.refund.succeeded`` settles a part of an
  application's refund (matched by payment's refund id);
* ``aftersales.logistics``: ``logistics.order.changed`` of a return
  (ROLE_RETURN) DELIVERED starts the seller's receive deadline again;
* timers: each status's deadline (``aftersales.review_timeout`` ...) and the
  effects (``aftersales.effects``: the refund, trade's claim closed, a
  return order; see ``aftersales.refunds``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales import refunds, returns, review
from aftersales.application import (
    CLAIM_GUARD_TIMER,
    DEADLINE_TIMERS,
    EFFECTS_TIMER,
    AfterSalesPolicy,
    Application,
)
from aftersales.clients import Clients
from aftersales.repository import Clock, SqlAfterSalesUnitOfWork
from zhongtai.db import Database, utcnow
from zhongtai.events import Envelope
from zhongtai.logistics.v1 import events_pb2 as lg_events
from zhongtai.logistics.v1 import logistics_pb2 as lg
from zhongtai.payment.v1 import events_pb2 as pay_events
from zhongtai.timers import Handler, RemoteTimer, Timer, TimerHandler


class Consumers:
    """The event handlers ``(session, event, envelope)`` of after-sales' queues."""

    def __init__(self, db: Database, policy: AfterSalesPolicy, clock: Clock = utcnow) -> None:
        self.db = db
        self.policy = policy
        self.clock = clock

    async def refund_succeeded(self, s: AsyncSession, event: pay_events.RefundSucceeded,
                               _env: Envelope | None = None) -> None:
        async with SqlAfterSalesUnitOfWork(self.db, s) as uow:
            await refunds.refund_succeeded(uow, event.refund.refund_id, self.clock)

    async def logistics_order_changed(self, s: AsyncSession,
                                      event: lg_events.LogisticsOrderChanged,
                                      _env: Envelope | None = None) -> None:
        lo = event.logistics_order
        if lo.role != lg.LOGISTICS_ORDER_ROLE_RETURN or not lo.application_id \
                or lo.status != lg.LOGISTICS_ORDER_STATUS_DELIVERED:
            return
        async with SqlAfterSalesUnitOfWork(self.db, s) as uow:
            await returns.return_delivered(uow, lo.application_id, self.clock(), self.policy)


def timer_handlers(db: Database, clients: Clients, policy: AfterSalesPolicy,
                   clock: Clock = utcnow) -> dict[str, Handler]:
    """after-sales' durable timers (armed by the Application aggregate): the
    deadlines run in the timer worker's transaction; the effects and the
    claim guard, which call other services, are remote timers (no
    transaction open during their calls), leased for a little longer than
    their calls' deadline."""
    def deadline(kind: str) -> TimerHandler:
        async def fire(s: AsyncSession, timer: Timer) -> None:
            async with SqlAfterSalesUnitOfWork(db, s) as uow:
                await review.on_deadline(uow, kind, timer.key, clock, policy)
        return fire

    async def prepare(s: AsyncSession, timer: Timer) -> Application | None:
        async with SqlAfterSalesUnitOfWork(db, s) as uow:
            return await refunds.prepare_effects(uow, timer.key)

    async def call(app: Application) -> list[refunds.Step]:
        return await refunds.call_effects(clients, app, policy, clock)

    async def settle(s: AsyncSession, timer: Timer, _app: Application,
                     steps: list[refunds.Step]) -> None:
        async with SqlAfterSalesUnitOfWork(db, s) as uow:
            await refunds.settle_effects(uow, timer.key, steps)

    async def unwritten(s: AsyncSession, timer: Timer) -> str | None:
        async with SqlAfterSalesUnitOfWork(db, s) as uow:
            return await refunds.unwritten(uow, timer.key)

    async def close_claim(application_id: str) -> None:
        await refunds.close_claim(clients, application_id)

    lease = dt.timedelta(seconds=1.5 * clients.timeout)
    handlers: dict[str, Handler] = {kind: deadline(kind) for kind in DEADLINE_TIMERS.values()}
    handlers[EFFECTS_TIMER] = RemoteTimer(prepare, call, settle, lease=lease)
    handlers[CLAIM_GUARD_TIMER] = RemoteTimer(unwritten, close_claim, lease=lease)
    return handlers
