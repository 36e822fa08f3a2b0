"""trade's consumers of other services' events and its timer handlers: each
maps its message (or timer) to a use case, in the transaction the inbox or
the timer worker opened (the unit of work joins it).

* ``trade.payment``: ``payment.payment.succeeded`` pays orders (or rejects
  the part), ``payment.refund.succeeded`` marks refunds done;
* ``trade.logistics``: ``logistics.order.changed`` is mirrored on the log
  orders (logistics' statuses mapped to trade's, ``FROM_LOGISTICS``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from trade import cancel, create_saga, fulfilment, payments, refunds
from trade.order import (
    AFTER_SALES_TIMER,
    AUTO_CONFIRM_TIMER,
    BALANCE_LAPSE_TIMER,
    PAY_TIMEOUT_TIMER,
    ROLLBACK_TIMER,
    SHIP_TIMEOUT_TIMER,
    TradePolicy,
)
from trade.repository import Clock, SqlTradeUnitOfWork, TradeUnitOfWork
from zhongtai.db import Database, utcnow
from zhongtai.events import Envelope
from zhongtai.logistics.v1 import events_pb2 as lg_events
from zhongtai.logistics.v1 import logistics_pb2 as lg
from zhongtai.payment.v1 import events_pb2 as pay_events
from zhongtai.timers import Timer, TimerHandler
from zhongtai.trade.v1 import trade_pb2 as pb
from zhongtai.wire import to_datetime

# logistics' LogisticsOrderStatus -> trade's LogisticsStatus.
FROM_LOGISTICS: Mapping[int, int] = {
    lg.LOGISTICS_ORDER_STATUS_WAIT_SHIP: pb.LOGISTICS_STATUS_UNSHIPPED,
    lg.LOGISTICS_ORDER_STATUS_PARTIALLY_SHIPPED: pb.LOGISTICS_STATUS_PARTIALLY_SHIPPED,
    lg.LOGISTICS_ORDER_STATUS_SHIPPED: pb.LOGISTICS_STATUS_SHIPPED,
    lg.LOGISTICS_ORDER_STATUS_IN_TRANSIT: pb.LOGISTICS_STATUS_SHIPPED,
    lg.LOGISTICS_ORDER_STATUS_OUT_FOR_DELIVERY: pb.LOGISTICS_STATUS_SHIPPED,
    lg.LOGISTICS_ORDER_STATUS_DELIVERED: pb.LOGISTICS_STATUS_DELIVERED,
    lg.LOGISTICS_ORDER_STATUS_CANCELLED: pb.LOGISTICS_STATUS_CANCELLED,
}


class Consumers:
    """The event handlers ``(session, event, envelope)`` of trade's queues."""

    def __init__(self, db: Database, policy: TradePolicy) -> None:
        self.db = db
        self.policy = policy

    async def payment_succeeded(self, s: AsyncSession, event: pay_events.PaymentSucceeded,
                                _env: Envelope | None = None) -> None:
        payment = event.payment
        async with SqlTradeUnitOfWork(self.db, s) as uow:
            await payments.payment_succeeded(
                uow, payment_id=payment.payment_id, buyer_id=payment.buyer_id,
                paid_at=to_datetime(event.occur_time) if event.HasField("occur_time") else None,
                clock=utcnow, policy=self.policy, parts=[
                    payments.Part(p.pay_order_id, p.order_id, p.amount.currency_code,
                                  p.amount.amount_minor) for p in payment.parts])

    async def refund_succeeded(self, s: AsyncSession, event: pay_events.RefundSucceeded,
                               _env: Envelope | None = None) -> None:
        async with SqlTradeUnitOfWork(self.db, s) as uow:
            await payments.refund_succeeded(uow, pay_order_id=event.refund.pay_order_id,
                                            clock=utcnow)

    async def logistics_order_changed(self, s: AsyncSession,
                                      event: lg_events.LogisticsOrderChanged,
                                      _env: Envelope | None = None) -> None:
        lo = event.logistics_order
        if lo.role not in (lg.LOGISTICS_ORDER_ROLE_UNSPECIFIED, lg.LOGISTICS_ORDER_ROLE_ORDER):
            return
        async with SqlTradeUnitOfWork(self.db, s) as uow:
            await fulfilment.logistics_order_changed(
                uow, log_order_id=lo.log_order_id, order_id=lo.order_id,
                status=FROM_LOGISTICS.get(lo.status), logistics_order_id=lo.logistics_order_id,
                clock=utcnow, policy=self.policy)


def timer_handlers(db: Database, policy: TradePolicy) -> dict[str, TimerHandler]:
    """trade's durable timers (armed by the Order aggregate), each run on
    the timer's order in the worker's transaction."""
    def handler(use_case: Callable[[TradeUnitOfWork, str, Clock], Awaitable[None]]
                ) -> TimerHandler:
        async def fire(s: AsyncSession, timer: Timer) -> None:
            async with SqlTradeUnitOfWork(db, s) as uow:
                await use_case(uow, timer.key, utcnow)
        return fire

    async def auto_confirm(uow: TradeUnitOfWork, order_id: str, clock: Clock) -> None:
        await fulfilment.on_auto_confirm(uow, order_id, clock, policy)

    return {
        ROLLBACK_TIMER: handler(create_saga.on_rollback_timer),
        PAY_TIMEOUT_TIMER: handler(cancel.on_pay_timeout),
        BALANCE_LAPSE_TIMER: handler(cancel.on_balance_lapse),
        SHIP_TIMEOUT_TIMER: handler(fulfilment.on_ship_timeout),
        AUTO_CONFIRM_TIMER: handler(auto_confirm),
        AFTER_SALES_TIMER: handler(refunds.on_after_sales_end),
    }
