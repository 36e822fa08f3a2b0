"""Wiring of the promotion service."""

from __future__ import annotations

import logging
from pathlib import Path

import grpc
from sqlalchemy.ext.asyncio import AsyncSession

from promotion import api, holds, store
from promotion.api import PromotionServicer
from zhongtai.errors import FailedPrecondition, NotFound
from zhongtai.events import Envelope
from zhongtai.inbox import consumer
from zhongtai.promotion.v1 import promotion_pb2, promotion_pb2_grpc
from zhongtai.service import BuiltService, ServiceContext, ServiceSpec, Subscription
from zhongtai.trade.v1 import events_pb2 as trade_events

log = logging.getLogger(__name__)

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

    async def release(s: AsyncSession, event: trade_events.OrderCreationFailed,
                      _env: Envelope) -> None:
        try:
            await holds.release_benefits(s, db.dialect, event.order.order_id)
        except FailedPrecondition as e:
            # A failed order was never paid; redelivering would not help.
            log.warning("not releasing the benefits of order %s: %s",
                        event.order.order_id, e.message)

    async def cancelled(s: AsyncSession, event: trade_events.OrderCancelled,
                        _env: Envelope) -> None:
        # Unpaid: release the hold. Paid, then cancelled before anything
        # shipped (ship timeout, money refunding): what the order consumed goes
        # back to the buyer. Refunds after delivery are after-sales' business.
        await holds.benefits_on_order_cancelled(s, db.dialect, event.order.order_id,
                                                paid=event.paid)

    async def redeem(s: AsyncSession, event: trade_events.OrderPaid, _env: Envelope) -> None:
        try:
            await holds.redeem_benefits(s, event.order.order_id)
        except (NotFound, FailedPrecondition) as e:
            # No hold, or released: redelivering would not change that.
            log.error("not redeeming the benefits of paid order %s: %s",
                      event.order.order_id, e.message)

    servicer = PromotionServicer(db)

    def register(server: grpc.aio.Server) -> None:
        promotion_pb2_grpc.add_PromotionServiceServicer_to_server(servicer, server)

    return BuiltService(
        registrar=register,
        consumers={
            BENEFIT_RELEASE.queue: consumer(db, BENEFIT_RELEASE, {
                trade_events.OrderCreationFailed: release,
                trade_events.OrderCancelled: cancelled,
            }),
            BENEFIT_REDEEM.queue: consumer(db, BENEFIT_REDEEM, {
                trade_events.OrderPaid: redeem,
            }),
        },
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
