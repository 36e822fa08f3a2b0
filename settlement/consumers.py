"""settlement's consumers of trade's events: each maps its message to a use
case of ``settlement.booking``, in the transaction the inbox opened (the
unit of work joins it; the inbox dedupes redeliveries).

``settlement.trade``: trade.order.paid, refund_opened, refund_closed,
refunded, after_sales_ended, cancelled (paid ones).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from google.protobuf.message import Message
from sqlalchemy.ext.asyncio import AsyncSession

from settlement import booking
from settlement.repository import Clock, SqlSettlementUnitOfWork
from settlement.settings import SettlementSettings
from zhongtai.db import Database, utcnow
from zhongtai.events import Envelope
from zhongtai.service import Subscription
from zhongtai.trade.v1 import events_pb2 as te

TRADE = Subscription("settlement.trade", (
    te.OrderPaid, te.OrderRefundOpened, te.OrderRefundClosed, te.OrderRefunded,
    te.OrderAfterSalesEnded, te.OrderCancelled))

Handler = Callable[[AsyncSession, Any, Envelope], Awaitable[None]]


class Consumers:
    """The event handlers ``(session, event, envelope)`` of settlement's queue."""

    def __init__(self, db: Database, settings: SettlementSettings,
                 clock: Clock = utcnow) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock

    def handlers(self) -> dict[type[Message], Handler]:
        s = self.settings
        split = s.split_channel_set()

        def run(act: Callable[[SqlSettlementUnitOfWork, Any], Awaitable[None]]) -> Handler:
            async def handle(session: AsyncSession, event: Any,
                             _env: Envelope) -> None:
                async with SqlSettlementUnitOfWork(self.db, session) as uow:
                    await act(uow, event)
            return handle

        return {
            te.OrderPaid: run(lambda u, e: booking.order_paid(u, e, s, self.clock())),
            te.OrderRefundOpened: run(lambda u, e: booking.refund_opened(
                u, e.order.order_id, e.application_id, self.clock())),
            te.OrderRefundClosed: run(lambda u, e: booking.refund_closed(
                u, e.order.order_id, e.application_id, self.clock(), split_channels=split)),
            te.OrderRefunded: run(lambda u, e: booking.order_refunded(
                u, e, self.clock(), split_channels=split)),
            te.OrderAfterSalesEnded: run(lambda u, e: booking.after_sales_ended(
                u, e.order.order_id, self.clock(), split_channels=split)),
            te.OrderCancelled: run(lambda u, e: booking.order_cancelled(u, e, self.clock())),
        }
