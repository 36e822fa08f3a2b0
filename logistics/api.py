"""logistics' gRPC servicers (LogisticsService, WarehouseService): request ->
use case arguments (plain values) -> use case in a transaction (idempotent
by request_id where it writes) -> response (``views``). The only place
logistics reads its request messages."""

from __future__ import annotations

from typing import TypeAlias

import grpc
from sqlalchemy.ext.asyncio import AsyncSession

from logistics import freight_templates as h
from logistics import orders, returns, shipping, trail, views
from logistics import warehouses as wh
from logistics.domain import AskedReturn, TrackingPolicy
from zhongtai.auth import (
    ANYONE,
    BUYER,
    OPERATOR,
    SELLER,
    SERVICE,
    STAFF,
    AccessPolicy,
    allow,
    current_identity,
)
from zhongtai.catalog.v1.catalog_pb2_grpc import CatalogServiceStub
from zhongtai.db import Database, utcnow
from zhongtai.idempotency import Keys, idempotent_rpc
from zhongtai.logistics.v1 import logistics_pb2 as pb
from zhongtai.logistics.v1 import logistics_pb2_grpc, warehouse_pb2_grpc
from zhongtai.logistics.v1 import warehouse_pb2 as wpb
from zhongtai.wire import to_datetime

Ctx: TypeAlias = grpc.aio.ServicerContext

# Returns are opened and shipped by after-sales, for its applications.
AFTER_SALES_ONLY = allow(SERVICE, services=("aftersales",),
                         ownership="after-sales' calls only, for its applications")

# Who may call each RPC (zhongtai.auth): the roles, and the ownership rule
# the use case applies on top (docs/security.md lists them all).
POLICY: AccessPolicy = {
    "CreateFreightTemplate": allow(SELLER, *STAFF, ownership="a seller for its own seller_id"),
    "GetFreightTemplate": allow(*ANYONE),
    "ListFreightTemplates": allow(*ANYONE),
    "QuoteFreight": allow(*ANYONE),
    "GetLogisticsOrder": allow(*ANYONE, ownership="the order's buyer or seller"),
    "ListLogisticsOrders": allow(*ANYONE, ownership="every order listed the caller's: its "
                                 "buyer or seller; a seller by its own seller_id"),
    "ShipPackage": allow(SELLER, *STAFF, ownership="a seller for its own seller_id, only "
                         "that seller's orders"),
    "FlagLogisticsOrder": allow(BUYER, SELLER, OPERATOR,
                                ownership="the order's buyer or seller; the flag's operator "
                                "is the caller"),
    "CreateReturn": AFTER_SALES_ONLY,
    "ShipReturn": AFTER_SALES_ONLY,
    "ListAuditEntries": allow(OPERATOR, ownership="the platform's operators only"),
}
WAREHOUSE_POLICY: AccessPolicy = {
    "CreateWarehouse": allow(*STAFF, ownership="the platform's network"),
    "GetWarehouse": allow(*ANYONE),
    "ListWarehouses": allow(*ANYONE),
    "PlanFulfilment": allow(*ANYONE),
}


class LogisticsServicer(logistics_pb2_grpc.LogisticsServiceServicer):
    def __init__(self, db: Database, tracking: TrackingPolicy) -> None:
        self.db = db
        self.keys = Keys(db.plumbing, db.dialect)
        self.tracking = tracking

    async def CreateFreightTemplate(self, request: pb.CreateFreightTemplateRequest,
                                    context: Ctx) -> pb.CreateFreightTemplateResponse:
        async def run(s: AsyncSession) -> pb.CreateFreightTemplateResponse:
            made = await h.create_template(s, current_identity(),
                                           views.freight_template_of(request.template), utcnow())
            return pb.CreateFreightTemplateResponse(template=views.freight_template(made))
        return await idempotent_rpc(self.db, self.keys, request,
                                    pb.CreateFreightTemplateResponse, run)

    async def GetFreightTemplate(self, request: pb.GetFreightTemplateRequest, context: Ctx
                                 ) -> pb.GetFreightTemplateResponse:
        async with self.db.transaction() as s:
            return pb.GetFreightTemplateResponse(
                template=views.freight_template(await h.get_template(s, request.template_id)))

    async def ListFreightTemplates(self, request: pb.ListFreightTemplatesRequest,
                                   context: Ctx) -> pb.ListFreightTemplatesResponse:
        async with self.db.transaction() as s:
            page, token = await h.list_templates(s, seller_id=request.seller_id,
                                                 page_size=request.page_size,
                                                 page_token=request.page_token)
        return pb.ListFreightTemplatesResponse(
            templates=[views.freight_template(x) for x in page], next_page_token=token)

    async def QuoteFreight(self, request: pb.QuoteFreightRequest, context: Ctx
                           ) -> pb.QuoteFreightResponse:
        async with self.db.transaction() as s:
            quoted = await h.quote_freight(
                s, [views.freight_package_of(p) for p in request.packages],
                views.address_of(request.destination)
                if request.HasField("destination") else None)
        return pb.QuoteFreightResponse(packages=[views.package_freight(x) for x in quoted])

    async def GetLogisticsOrder(self, request: pb.GetLogisticsOrderRequest, context: Ctx
                                ) -> pb.GetLogisticsOrderResponse:
        async with self.db.transaction() as s:
            return pb.GetLogisticsOrderResponse(logistics_order=views.logistics_order(
                await orders.read(s, current_identity(), request.logistics_order_id)))

    async def ListLogisticsOrders(self, request: pb.ListLogisticsOrdersRequest, context: Ctx
                                  ) -> pb.ListLogisticsOrdersResponse:
        async with self.db.transaction() as s:
            page, token = await orders.list_orders(
                s, current_identity(), order_id=request.order_id, seller_id=request.seller_id,
                status=request.status, page_size=request.page_size,
                page_token=request.page_token)
        return pb.ListLogisticsOrdersResponse(logistics_orders=views.logistics_orders(page),
                                              next_page_token=token)

    async def ShipPackage(self, request: pb.ShipPackageRequest, context: Ctx
                          ) -> pb.ShipPackageResponse:
        async def run(s: AsyncSession) -> pb.ShipPackageResponse:
            package, shipped = await shipping.ship_package(
                s, self.db, current_identity(), seller_id=request.seller_id,
                items=[(x.logistics_order_id, x.quantity) for x in request.items],
                carrier=request.carrier, tracking_no=request.tracking_no,
                policy=self.tracking, now=utcnow())
            return pb.ShipPackageResponse(package=views.logistics_order(package),
                                          orders=views.logistics_orders(shipped))
        return await idempotent_rpc(self.db, self.keys, request, pb.ShipPackageResponse, run)

    async def FlagLogisticsOrder(self, request: pb.FlagLogisticsOrderRequest, context: Ctx
                                 ) -> pb.FlagLogisticsOrderResponse:
        async def run(s: AsyncSession) -> pb.FlagLogisticsOrderResponse:
            flagged = await orders.flag(s, current_identity(),
                                        logistics_order_id=request.logistics_order_id,
                                        flag=request.flag, note=request.note, now=utcnow())
            return pb.FlagLogisticsOrderResponse(logistics_order=views.logistics_order(flagged))
        return await idempotent_rpc(self.db, self.keys, request, pb.FlagLogisticsOrderResponse,
                                    run)

    async def CreateReturn(self, request: pb.CreateReturnRequest, context: Ctx
                           ) -> pb.CreateReturnResponse:
        asked = AskedReturn(
            application_id=request.request_id, order_id=request.order_id,
            top_order_id=request.top_order_id, seller_id=request.seller_id,
            buyer_id=request.buyer_id, sku_id=request.sku_id, quantity=request.quantity,
            from_address=(views.address_of(request.from_address)
                          if request.HasField("from_address") else None))

        async def run(s: AsyncSession) -> pb.CreateReturnResponse:
            made = await returns.create_return(s, self.db, asked, utcnow())
            return pb.CreateReturnResponse(return_order=views.logistics_order(made))
        return await idempotent_rpc(self.db, self.keys, request, pb.CreateReturnResponse, run)

    async def ShipReturn(self, request: pb.ShipReturnRequest, context: Ctx
                         ) -> pb.ShipReturnResponse:
        async def run(s: AsyncSession) -> pb.ShipReturnResponse:
            shipped = await returns.ship_return(
                s, self.db, logistics_order_id=request.logistics_order_id,
                carrier=request.carrier, tracking_no=request.tracking_no,
                policy=self.tracking, now=utcnow())
            return pb.ShipReturnResponse(return_order=views.logistics_order(shipped))
        return await idempotent_rpc(self.db, self.keys, request, pb.ShipReturnResponse, run)

    async def ListAuditEntries(self, request: pb.ListAuditEntriesRequest, context: Ctx
                               ) -> pb.ListAuditEntriesResponse:
        async with self.db.transaction() as s:
            entries, token = await trail.list_trail(
                s, resource_type=request.resource_type, resource_id=request.resource_id,
                page_size=request.page_size, page_token=request.page_token)
        return pb.ListAuditEntriesResponse(entries=entries, next_page_token=token)


class WarehouseServicer(warehouse_pb2_grpc.WarehouseServiceServicer):
    def __init__(self, db: Database, catalog: CatalogServiceStub) -> None:
        self.db = db
        self.catalog = catalog
        self.keys = Keys(db.plumbing, db.dialect)

    async def CreateWarehouse(self, request: wpb.CreateWarehouseRequest, context: Ctx
                              ) -> wpb.CreateWarehouseResponse:
        async def run(s: AsyncSession) -> wpb.CreateWarehouseResponse:
            made = await wh.create_warehouse(s, views.warehouse_of(request.warehouse), utcnow())
            return wpb.CreateWarehouseResponse(warehouse=views.warehouse(made))
        return await idempotent_rpc(self.db, self.keys, request, wpb.CreateWarehouseResponse,
                                    run)

    async def GetWarehouse(self, request: wpb.GetWarehouseRequest, context: Ctx
                           ) -> wpb.GetWarehouseResponse:
        async with self.db.transaction() as s:
            return wpb.GetWarehouseResponse(
                warehouse=views.warehouse(await wh.get_warehouse(s, request.warehouse_id)))

    async def ListWarehouses(self, request: wpb.ListWarehousesRequest, context: Ctx
                             ) -> wpb.ListWarehousesResponse:
        async with self.db.transaction() as s:
            page, token = await wh.list_warehouses(s, page_size=request.page_size,
                                                   page_token=request.page_token)
        return wpb.ListWarehousesResponse(warehouses=[views.warehouse(w) for w in page],
                                          next_page_token=token)

    async def PlanFulfilment(self, request: wpb.PlanFulfilmentRequest, context: Ctx
                             ) -> wpb.PlanFulfilmentResponse:
        async with self.db.transaction() as s:
            plan, paid = await wh.plan(
                s, self.catalog,
                destination=(views.address_of(request.destination)
                             if request.HasField("destination") else None),
                lines=[(x.sku_id, x.quantity) for x in request.lines],
                method=request.delivery_method,
                paid_time=(to_datetime(request.paid_time)
                           if request.HasField("paid_time") else None),
                now=utcnow(), time_remaining=context.time_remaining())
        return views.fulfilment_plan(plan, paid)
