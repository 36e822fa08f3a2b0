"""Wiring of the catalog service."""

from __future__ import annotations

from pathlib import Path

import grpc
from sqlalchemy.ext.asyncio import AsyncSession

from catalog import api, stock, store, warehouse_stock
from catalog.api import CatalogServicer
from zhongtai.catalog.v1 import catalog_pb2, catalog_pb2_grpc
from zhongtai.events import Envelope
from zhongtai.inbox import consumer
from zhongtai.logistics.v1 import events_pb2 as logistics_events
from zhongtai.logistics.v1.warehouse_pb2_grpc import WarehouseServiceStub
from zhongtai.participants import OrderParticipant
from zhongtai.service import BuiltService, ServiceContext, ServiceSpec, Subscription
from zhongtai.trade.v1 import events_pb2 as trade_events

# Compensation of the order saga: a failed or cancelled order's stock goes
# back; a paid order cancelled before shipping puts its sold units back on sale.
STOCK_RELEASE = Subscription(
    "catalog.stock-release", (trade_events.OrderCreationFailed, trade_events.OrderCancelled))

# A paid order's reserved stock is sold.
STOCK_DEDUCT = Subscription("catalog.stock-deduct", (trade_events.OrderPaid,))

# A shipped package's units leave the warehouses they were on.
STOCK_SHIPPED = Subscription("catalog.stock-shipped", (logistics_events.PackageChanged,))


def build(ctx: ServiceContext) -> BuiltService:
    db = ctx.db
    # Unpaid: the reservation is released; paid (cancelled before shipping,
    # money refunding): the sold units go back on sale.
    participant = OrderParticipant(
        "stock", STOCK_RELEASE, STOCK_DEDUCT,
        release=lambda s, order_id: stock.release_stock(s, db.dialect, order_id),
        cancelled=lambda s, order_id, paid: stock.stock_on_order_cancelled(
            s, db.dialect, order_id, paid=paid),
        commit=stock.deduct_stock)

    async def shipped(s: AsyncSession, event: logistics_events.PackageChanged,
                      _env: Envelope) -> None:
        # Only the shipment's own event lists units; tracking and flags none.
        await warehouse_stock.ship_from_warehouses(
            s, db.dialect, event.package.logistics_order_id,
            [(x.sku_id, x.warehouse_id, x.quantity) for x in event.shipped_from])

    # Stock is set only in warehouses logistics knows: asked as catalog (the
    # channel opens on the first such call).
    servicer = CatalogServicer(db, lambda: WarehouseServiceStub(ctx.channel("logistics")))

    def register(server: grpc.aio.Server) -> None:
        catalog_pb2_grpc.add_CatalogServiceServicer_to_server(servicer, server)

    return BuiltService(
        registrar=register,
        consumers={
            **participant.consumers(db),
            STOCK_SHIPPED.queue: consumer(db, STOCK_SHIPPED, {
                logistics_events.PackageChanged: shipped,
            }),
        },
    )


SERVICE = ServiceSpec(
    name="catalog",
    grpc_service_names=[catalog_pb2.DESCRIPTOR.services_by_name["CatalogService"].full_name],
    metadata=store.metadata,
    plumbing=store.plumbing,
    migrations=Path(__file__).parent / "migrations",
    subscriptions=[STOCK_RELEASE, STOCK_DEDUCT, STOCK_SHIPPED],
    build=build,
    policies={catalog_pb2.DESCRIPTOR.services_by_name["CatalogService"].full_name: api.POLICY},
)
