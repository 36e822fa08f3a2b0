"""catalog's gRPC servicer: request -> use case in a transaction -> response."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

import grpc

from catalog import items, restock, stock, trail, warehouse_stock
from zhongtai.auth import (
    ANYONE,
    OPERATOR,
    SELLER,
    SERVICE,
    STAFF,
    AccessPolicy,
    allow,
    current_identity,
)
from zhongtai.catalog.v1 import catalog_pb2 as pb
from zhongtai.catalog.v1 import catalog_pb2_grpc
from zhongtai.db import Database
from zhongtai.idempotency import Keys, idempotent_rpc
from zhongtai.logistics.v1.warehouse_pb2_grpc import WarehouseServiceStub

Ctx: TypeAlias = grpc.aio.ServicerContext

# Who may call each RPC (zhongtai.auth): the roles, and the ownership rule
# the use case applies on top (docs/security.md lists them all). An order's
# reservation is moved by calls of its saga's owner, trade, only (and by the
# events catalog consumes).
TRADE_ONLY = allow(SERVICE, services=("trade",), ownership="a saga participant: trade's calls only")
POLICY: AccessPolicy = {
    "CreateSeller": allow(*STAFF, ownership="sellers are onboarded by the platform"),
    "GetSeller": allow(*ANYONE),
    "ListSellers": allow(*ANYONE),
    "CreateItem": allow(SELLER, *STAFF, ownership="a seller for its own seller_id"),
    "UpdateItem": allow(SELLER, *STAFF, ownership="a seller only its own sellers' items"),
    "GetItem": allow(*ANYONE),
    "GetItemVersion": allow(*ANYONE),
    "ListItems": allow(*ANYONE),
    "BatchGetSkus": allow(*ANYONE),
    "AdjustStock": allow(SELLER, *STAFF, ownership="a seller only its own sellers' SKUs"),
    "GetStock": allow(*ANYONE),
    "ReserveStock": TRADE_ONLY,
    "ReleaseStock": TRADE_ONLY,
    "DeductStock": TRADE_ONLY,
    "RestockUnits": allow(SERVICE, services=("aftersales",),
                          ownership="after-sales' calls only (an agreed refund's units)"),
    "GetReservation": allow(*STAFF),
    "SetWarehouseStock": allow(SELLER, *STAFF, ownership="a seller only its own sellers' "
                               "SKUs, in warehouses logistics knows"),
    "BatchGetWarehouseStock": allow(*ANYONE),
    "ListAuditEntries": allow(OPERATOR, ownership="the platform's operators only"),
}


class CatalogServicer(catalog_pb2_grpc.CatalogServiceServicer):
    def __init__(self, db: Database, warehouses: Callable[[], WarehouseServiceStub]) -> None:
        self.db = db
        self.keys = Keys(db.plumbing, db.dialect)
        self.warehouses = warehouses

    async def CreateSeller(self, request: pb.CreateSellerRequest, context: Ctx
                           ) -> pb.CreateSellerResponse:
        return await idempotent_rpc(self.db, self.keys, request, pb.CreateSellerResponse,
                                    lambda s: items.create_seller(s, request))

    async def GetSeller(self, request: pb.GetSellerRequest, context: Ctx
                        ) -> pb.GetSellerResponse:
        async with self.db.transaction() as s:
            return pb.GetSellerResponse(seller=await items.get_seller(s, request.seller_id))

    async def ListSellers(self, request: pb.ListSellersRequest, context: Ctx
                          ) -> pb.ListSellersResponse:
        async with self.db.transaction() as s:
            return await items.list_sellers(s, request)

    async def CreateItem(self, request: pb.CreateItemRequest, context: Ctx
                         ) -> pb.CreateItemResponse:
        return await idempotent_rpc(self.db, self.keys, request, pb.CreateItemResponse,
                                    lambda s: items.create_item(s, current_identity(), request))

    async def UpdateItem(self, request: pb.UpdateItemRequest, context: Ctx
                         ) -> pb.UpdateItemResponse:
        return await idempotent_rpc(self.db, self.keys, request, pb.UpdateItemResponse,
                                    lambda s: items.update_item(s, current_identity(), request))

    async def GetItem(self, request: pb.GetItemRequest, context: Ctx) -> pb.GetItemResponse:
        async with self.db.transaction() as s:
            return pb.GetItemResponse(item=await items.get_item(s, request.item_id))

    async def GetItemVersion(self, request: pb.GetItemVersionRequest, context: Ctx
                             ) -> pb.GetItemVersionResponse:
        async with self.db.transaction() as s:
            return pb.GetItemVersionResponse(
                item=await items.get_item_version(s, request.item_id, request.version))

    async def ListItems(self, request: pb.ListItemsRequest, context: Ctx
                        ) -> pb.ListItemsResponse:
        async with self.db.transaction() as s:
            return await items.list_items(s, request)

    async def BatchGetSkus(self, request: pb.BatchGetSkusRequest, context: Ctx
                           ) -> pb.BatchGetSkusResponse:
        async with self.db.transaction() as s:
            return await items.batch_get_skus(s, request.sku_ids)

    async def AdjustStock(self, request: pb.AdjustStockRequest, context: Ctx
                          ) -> pb.AdjustStockResponse:
        return await idempotent_rpc(self.db, self.keys, request, pb.AdjustStockResponse,
                                    lambda s: stock.adjust_stock(s, current_identity(), request))

    async def GetStock(self, request: pb.GetStockRequest, context: Ctx) -> pb.GetStockResponse:
        async with self.db.transaction() as s:
            return pb.GetStockResponse(stock=await stock.get_stock(s, request.sku_id))

    async def ReserveStock(self, request: pb.ReserveStockRequest, context: Ctx
                           ) -> pb.ReserveStockResponse:
        async with self.db.transaction() as s:
            return await stock.reserve_stock(s, self.db.dialect, request)

    async def ReleaseStock(self, request: pb.ReleaseStockRequest, context: Ctx
                           ) -> pb.ReleaseStockResponse:
        async with self.db.transaction() as s:
            return pb.ReleaseStockResponse(
                reservation=await stock.release_stock(s, self.db.dialect, request.order_id))

    async def DeductStock(self, request: pb.DeductStockRequest, context: Ctx
                          ) -> pb.DeductStockResponse:
        async with self.db.transaction() as s:
            return pb.DeductStockResponse(reservation=await stock.deduct_stock(s, request.order_id))

    async def RestockUnits(self, request: pb.RestockUnitsRequest, context: Ctx
                           ) -> pb.RestockUnitsResponse:
        return await idempotent_rpc(self.db, self.keys, request, pb.RestockUnitsResponse,
                                    lambda s: restock.restock_units(s, self.db.dialect, request))

    async def GetReservation(self, request: pb.GetReservationRequest, context: Ctx
                             ) -> pb.GetReservationResponse:
        async with self.db.transaction() as s:
            return pb.GetReservationResponse(
                reservation=await stock.get_reservation(s, request.order_id))

    async def SetWarehouseStock(self, request: pb.SetWarehouseStockRequest, context: Ctx
                                ) -> pb.SetWarehouseStockResponse:
        return await warehouse_stock.set_stock_in_warehouse(
            self.db, self.keys, self.warehouses(), current_identity(), request,
            context.time_remaining())

    async def BatchGetWarehouseStock(self, request: pb.BatchGetWarehouseStockRequest,
                                     context: Ctx) -> pb.BatchGetWarehouseStockResponse:
        async with self.db.transaction() as s:
            return await warehouse_stock.batch_get_warehouse_stock(s, request.sku_ids)

    async def ListAuditEntries(self, request: pb.ListAuditEntriesRequest, context: Ctx
                               ) -> pb.ListAuditEntriesResponse:
        async with self.db.transaction() as s:
            return await trail.list_trail(s, request)
