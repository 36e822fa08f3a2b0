"""Wiring of the trade service."""

from __future__ import annotations

from pathlib import Path

import grpc
from sqlalchemy.ext.asyncio import AsyncSession

from trade import store
from trade.api import TradeServicer
from trade.handlers import (
    AUTO_CONFIRM_TIMER,
    BALANCE_LAPSE_TIMER,
    PAY_TIMEOUT_TIMER,
    ROLLBACK_TIMER,
    SHIP_TIMEOUT_TIMER,
    Trade,
)
from trade.settings import TradeSettings
from zhongtai.catalog.v1 import catalog_pb2_grpc
from zhongtai.events import Envelope
from zhongtai.inbox import consumer
from zhongtai.logistics.v1 import events_pb2 as logistics_events
from zhongtai.logistics.v1 import logistics_pb2_grpc
from zhongtai.payment.v1 import events_pb2 as payment_events
from zhongtai.promotion.v1 import promotion_pb2_grpc
from zhongtai.service import BuiltService, ServiceContext, ServiceSpec, Subscription
from zhongtai.trade.v1 import trade_pb2, trade_pb2_grpc

# A payment succeeded: its orders are paid (or the payment is rejected).
PAYMENT = Subscription("trade.payment", (payment_events.PaymentSucceeded,
                                         payment_events.RefundSucceeded))
# logistics' orders changed: mirrored on the log_orders; shipped orders ship.
LOGISTICS = Subscription("trade.logistics", (logistics_events.LogisticsOrderChanged,))


def build(ctx: ServiceContext) -> BuiltService:
    trade = Trade(ctx.db, catalog_pb2_grpc.CatalogServiceStub(ctx.channel("catalog")),
                  promotion_pb2_grpc.PromotionServiceStub(ctx.channel("promotion")),
                  ctx.config,
                  logistics=logistics_pb2_grpc.LogisticsServiceStub(ctx.channel("logistics")))
    servicer = TradeServicer(trade)

    async def refunded(s: AsyncSession, event: payment_events.RefundSucceeded,
                       _env: Envelope) -> None:
        await trade.on_refund_succeeded(s, event)

    async def paid(s: AsyncSession, event: payment_events.PaymentSucceeded,
                   _env: Envelope) -> None:
        await trade.on_payment_succeeded(s, event)

    async def logistics_changed(s: AsyncSession, event: logistics_events.LogisticsOrderChanged,
                                _env: Envelope) -> None:
        await trade.on_logistics_order_changed(s, event)

    def register(server: grpc.aio.Server) -> None:
        trade_pb2_grpc.add_TradeServiceServicer_to_server(servicer, server)

    return BuiltService(
        registrar=register,
        consumers={
            PAYMENT.queue: consumer(ctx.db, PAYMENT, {
                payment_events.PaymentSucceeded: paid,
                payment_events.RefundSucceeded: refunded,
            }),
            LOGISTICS.queue: consumer(ctx.db, LOGISTICS, {
                logistics_events.LogisticsOrderChanged: logistics_changed,
            }),
        },
        timer_handlers={
            ROLLBACK_TIMER: trade.on_rollback_timer,
            PAY_TIMEOUT_TIMER: trade.on_pay_timeout,
            BALANCE_LAPSE_TIMER: trade.on_balance_lapse,
            SHIP_TIMEOUT_TIMER: trade.on_ship_timeout,
            AUTO_CONFIRM_TIMER: trade.on_auto_confirm,
        },
    )


SERVICE = ServiceSpec(
    name="trade",
    grpc_service_names=[trade_pb2.DESCRIPTOR.services_by_name["TradeService"].full_name],
    metadata=store.metadata,
    plumbing=store.plumbing,
    migrations=Path(__file__).parent / "migrations",
    subscriptions=[PAYMENT, LOGISTICS],
    build=build,
    settings=TradeSettings,
)
