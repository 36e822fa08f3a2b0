"""Wiring of the trade service: the servicer, the consumers and the timers
around trade's database and its stubs of catalog, promotion and logistics."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import grpc

from trade import api, store
from trade.api import TradeServicer
from trade.checkout import Clients
from trade.consumers import Consumers, timer_handlers
from trade.order import TradePolicy
from trade.settings import TradeSettings
from zhongtai.catalog.v1 import catalog_pb2_grpc
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


def policy_of(settings: TradeSettings) -> TradePolicy:
    """The order aggregate's timing rules from the [trade] settings."""
    def seconds(x: float) -> dt.timedelta:
        return dt.timedelta(seconds=x)

    return TradePolicy(
        rollback_after=seconds(settings.rollback_after_seconds),
        pay_timeout=seconds(settings.pay_timeout_seconds),
        ship_timeout=seconds(settings.ship_timeout_seconds),
        auto_confirm=seconds(settings.auto_confirm_seconds),
        receipt_extension=seconds(settings.receipt_extension_seconds),
        max_receipt_extensions=settings.max_receipt_extensions,
        after_sales_window=seconds(settings.after_sales_window_seconds))


def build(ctx: ServiceContext) -> BuiltService:
    policy = policy_of(ctx.config)
    clients = Clients(catalog_pb2_grpc.CatalogServiceStub(ctx.channel("catalog")),
                      promotion_pb2_grpc.PromotionServiceStub(ctx.channel("promotion")),
                      logistics_pb2_grpc.LogisticsServiceStub(ctx.channel("logistics")))
    servicer = TradeServicer(ctx.db, clients, policy)
    events = Consumers(ctx.db, policy)

    def register(server: grpc.aio.Server) -> None:
        trade_pb2_grpc.add_TradeServiceServicer_to_server(servicer, server)

    return BuiltService(
        registrar=register,
        consumers={
            PAYMENT.queue: consumer(ctx.db, PAYMENT, {
                payment_events.PaymentSucceeded: events.payment_succeeded,
                payment_events.RefundSucceeded: events.refund_succeeded,
            }),
            LOGISTICS.queue: consumer(ctx.db, LOGISTICS, {
                logistics_events.LogisticsOrderChanged: events.logistics_order_changed,
            }),
        },
        timer_handlers=timer_handlers(ctx.db, policy),
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
    policies={trade_pb2.DESCRIPTOR.services_by_name["TradeService"].full_name: api.POLICY},
)
