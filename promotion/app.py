"""Wiring of the promotion service."""

from __future__ import annotations

from pathlib import Path

import grpc

from promotion import api, holds, store
from promotion.api import PromotionServicer
from zhongtai.participants import OrderParticipant
from zhongtai.promotion.v1 import promotion_pb2, promotion_pb2_grpc
from zhongtai.service import BuiltService, ServiceContext, ServiceSpec, Subscription
from zhongtai.trade.v1 import events_pb2 as trade_events

# Compensation of the order saga: a failed or cancelled order's coupons,
# points, red packet and card amount go back to the buyer (held ones
# released; a paid order's consumed ones returned when it is cancelled before
# anything shipped).
BENEFIT_RELEASE = Subscription(
    "promotion.benefit-release", (trade_events.OrderCreationFailed, trade_events.OrderCancelled))

# A paid order's held benefits are consumed.
BENEFIT_REDEEM = Subscription("promotion.benefit-redeem", (trade_events.OrderPaid,))


def build(ctx: ServiceContext) -> BuiltService:
    db = ctx.db

    # Unpaid: the hold is released. Paid, then cancelled before anything
    # shipped (ship timeout, money refunding): what the order consumed goes
    # back to the buyer. Refunds after delivery are after-sales' business.
    participant = OrderParticipant(
        "benefits", BENEFIT_RELEASE, BENEFIT_REDEEM,
        release=lambda s, order_id: holds.release_benefits(s, db.dialect, order_id),
        cancelled=lambda s, order_id, paid: holds.benefits_on_order_cancelled(
            s, db.dialect, order_id, paid=paid),
        commit=holds.redeem_benefits)
    servicer = PromotionServicer(db)

    def register(server: grpc.aio.Server) -> None:
        promotion_pb2_grpc.add_PromotionServiceServicer_to_server(servicer, server)

    return BuiltService(
        registrar=register,
        consumers=participant.consumers(db),
    )


SERVICE = ServiceSpec(
    name="promotion",
    grpc_service_names=[
        promotion_pb2.DESCRIPTOR.services_by_name["PromotionService"].full_name],
    metadata=store.metadata,
    plumbing=store.plumbing,
    migrations=Path(__file__).parent / "migrations",
    subscriptions=[BENEFIT_RELEASE, BENEFIT_REDEEM],
    build=build,
    policies={promotion_pb2.DESCRIPTOR.services_by_name["PromotionService"].full_name: api.POLICY},
)
