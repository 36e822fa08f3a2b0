"""logistics' gRPC servicers (LogisticsService, WarehouseService): request ->
use case in a transaction (idempotent by request_id where it writes) ->
response."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from logistics import freight_templates as h
from logistics import orders, returns, shipping, trail
from logistics import warehouses as wh
from logistics.domain import TrackingPolicy
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
        return await idempotent_rpc(self.db, self.keys, request,
                                    pb.CreateFreightTemplateResponse,
                                    lambda s: h.create_template(s, current_identity(), request,
                                                                utcnow()))

    async def GetFreightTemplate(self, request: pb.GetFreightTemplateRequest, context: Ctx
                                 ) -> pb.GetFreightTemplateResponse:
        async with self.db.transaction() as s:
            return pb.GetFreightTemplateResponse(
                template=await h.get_template(s, request.template_id))

    async def ListFreightTemplates(self, request: pb.ListFreightTemplatesRequest,
                                   context: Ctx) -> pb.ListFreightTemplatesResponse:
        async with self.db.transaction() as s:
            return await h.list_templates(s, request)

    async def QuoteFreight(self, request: pb.QuoteFreightRequest, context: Ctx
                           ) -> pb.QuoteFreightResponse:
        async with self.db.transaction() as s:
            return await h.quote_freight(s, request)

    async def GetLogisticsOrder(self, request: pb.GetLogisticsOrderRequest, context: Ctx
                                ) -> pb.GetLogisticsOrderResponse:
        async with self.db.transaction() as s:
            return pb.GetLogisticsOrderResponse(logistics_order=await orders.read(
                s, current_identity(), request.logistics_order_id))

    async def ListLogisticsOrders(self, request: pb.ListLogisticsOrdersRequest, context: Ctx
                                  ) -> pb.ListLogisticsOrdersResponse:
        async with self.db.transaction() as s:
            return await orders.list_orders(s, current_identity(), request)

    async def ShipPackage(self, request: pb.ShipPackageRequest, context: Ctx
                          ) -> pb.ShipPackageResponse:
        return await idempotent_rpc(self.db, self.keys, request, pb.ShipPackageResponse,
                                    lambda s: shipping.ship_package(
                                        s, self.db, current_identity(), request, self.tracking,
                                        utcnow()))

    async def FlagLogisticsOrder(self, request: pb.FlagLogisticsOrderRequest, context: Ctx
                                 ) -> pb.FlagLogisticsOrderResponse:
        return await idempotent_rpc(self.db, self.keys, request, pb.FlagLogisticsOrderResponse,
                                    lambda s: orders.flag(s, current_identity(), request,
                                                          utcnow()))

    async def CreateReturn(self, request: pb.CreateReturnRequest, context: Ctx
                           ) -> pb.CreateReturnResponse:
        return await idempotent_rpc(self.db, self.keys, request, pb.CreateReturnResponse,
                                    lambda s: returns.create_return(s, self.db, request,
                                                                    utcnow()))

    async def ShipReturn(self, request: pb.ShipReturnRequest, context: Ctx
                         ) -> pb.ShipReturnResponse:
        return await idempotent_rpc(self.db, self.keys, request, pb.ShipReturnResponse,
                                    lambda s: returns.ship_return(s, self.db, request,
                                                                  self.tracking, utcnow()))

    async def ListAuditEntries(self, request: pb.ListAuditEntriesRequest, context: Ctx
                               ) -> pb.ListAuditEntriesResponse:
        async with self.db.transaction() as s:
            return await trail.list_trail(s, request)


class WarehouseServicer(warehouse_pb2_grpc.WarehouseServiceServicer):
    def __init__(self, db: Database, catalog: CatalogServiceStub) -> None:
        self.db = db
        self.catalog = catalog
        self.keys = Keys(db.plumbing, db.dialect)

    async def CreateWarehouse(self, request: wpb.CreateWarehouseRequest, context: Ctx
                              ) -> wpb.CreateWarehouseResponse:
        return await idempotent_rpc(self.db, self.keys, request, wpb.CreateWarehouseResponse,
                                    lambda s: wh.create_warehouse(s, request, utcnow()))

    async def GetWarehouse(self, request: wpb.GetWarehouseRequest, context: Ctx
                           ) -> wpb.GetWarehouseResponse:
        async with self.db.transaction() as s:
            return wpb.GetWarehouseResponse(
                warehouse=await wh.get_warehouse(s, request.warehouse_id))

    async def ListWarehouses(self, request: wpb.ListWarehousesRequest, context: Ctx
                             ) -> wpb.ListWarehousesResponse:
        async with self.db.transaction() as s:
            return await wh.list_warehouses(s, request)

    async def PlanFulfilment(self, request: wpb.PlanFulfilmentRequest, context: Ctx
                             ) -> wpb.PlanFulfilmentResponse:
        async with self.db.transaction() as s:
            return await wh.plan(s, self.catalog, request, utcnow(),
                                 time_remaining=context.time_remaining())
