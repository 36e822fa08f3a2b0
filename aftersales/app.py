"""Wiring of the after-sales service: the servicer, the consumers and the
timers around after-sales' database and its stubs of trade, payment,
promotion, catalog and logistics (in process, or at
``ZHONGTAI_ENDPOINT_<SERVICE>``), each called as after-sales' own service
identity."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import grpc

from aftersales import api, store
from aftersales.api import AfterSalesServicer
from aftersales.application import AfterSalesPolicy
from aftersales.clients import Clients
from aftersales.consumers import Consumers, timer_handlers
from aftersales.settings import AfterSalesSettings
from zhongtai.aftersales.v1 import aftersales_pb2, aftersales_pb2_grpc
from zhongtai.catalog.v1 import catalog_pb2_grpc
from zhongtai.inbox import consumer
from zhongtai.logistics.v1 import events_pb2 as logistics_events
from zhongtai.logistics.v1 import logistics_pb2_grpc
from zhongtai.payment.v1 import events_pb2 as payment_events
from zhongtai.payment.v1 import payment_pb2_grpc
from zhongtai.promotion.v1 import promotion_pb2_grpc
from zhongtai.service import BuiltService, ServiceContext, ServiceSpec, Subscription
from zhongtai.trade.v1 import trade_pb2_grpc

# Payment's refunds settled: an application's refund part is done.
PAYMENT = Subscription("aftersales.payment", (payment_events.RefundSucceeded,))
# Return parcels delivered: the seller's receive deadline runs from then.
LOGISTICS = Subscription("aftersales.logistics", (logistics_events.LogisticsOrderChanged,))
SERVICE_NAME = aftersales_pb2.DESCRIPTOR.services_by_name["AfterSalesService"].full_name


def policy_of(settings: AfterSalesSettings) -> AfterSalesPolicy:
    """The aggregate's deadlines and limits from the [aftersales] settings."""
    def seconds(x: float) -> dt.timedelta:
        return dt.timedelta(seconds=x)

    return AfterSalesPolicy(
        review=seconds(settings.review_seconds), reapply=seconds(settings.reapply_seconds),
        buyer_return=seconds(settings.return_seconds),
        seller_receive=seconds(settings.receive_seconds),
        buyer_confirm=seconds(settings.confirm_seconds),
        max_reapplications=settings.max_reapplications,
        claim_guard=seconds(settings.claim_guard_seconds),
        retry_base=seconds(settings.retry_base_seconds),
        retry_cap=seconds(settings.retry_cap_seconds))


def build(ctx: ServiceContext) -> BuiltService:
    settings: AfterSalesSettings = ctx.config
    policy = policy_of(settings)
    clients = Clients(trade_pb2_grpc.TradeServiceStub(ctx.channel("trade")),
                      payment_pb2_grpc.PaymentServiceStub(ctx.channel("payment")),
                      promotion_pb2_grpc.PromotionServiceStub(ctx.channel("promotion")),
                      catalog_pb2_grpc.CatalogServiceStub(ctx.channel("catalog")),
                      logistics_pb2_grpc.LogisticsServiceStub(ctx.channel("logistics")),
                      timeout=settings.call_timeout_seconds)
    servicer = AfterSalesServicer(ctx.db, clients, policy)
    events = Consumers(ctx.db, policy)

    def register(server: grpc.aio.Server) -> None:
        aftersales_pb2_grpc.add_AfterSalesServiceServicer_to_server(servicer, server)

    return BuiltService(
        registrar=register,
        consumers={
            PAYMENT.queue: consumer(ctx.db, PAYMENT, {
                payment_events.RefundSucceeded: events.refund_succeeded,
            }),
            LOGISTICS.queue: consumer(ctx.db, LOGISTICS, {
                logistics_events.LogisticsOrderChanged: events.logistics_order_changed,
            }),
        },
        timer_handlers=timer_handlers(ctx.db, clients, policy),
    )


SERVICE = ServiceSpec(
    name="aftersales",
    grpc_service_names=[SERVICE_NAME],
    metadata=store.metadata,
    plumbing=store.plumbing,
    migrations=Path(__file__).parent / "migrations",
    subscriptions=[PAYMENT, LOGISTICS],
    build=build,
    settings=AfterSalesSettings,
    policies={SERVICE_NAME: api.POLICY},
)
