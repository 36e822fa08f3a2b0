"""catalog's gRPC servicer: request -> use case arguments (plain values,
``catalog.domain`` values) -> use case in a transaction -> response
(``catalog.views``). The only place, with the views and ``catalog.clients``,
where catalog reads or builds protobuf messages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeAlias, TypeVar

import grpc
from google.protobuf.message import Message
from sqlalchemy.ext.asyncio import AsyncSession

from catalog import clients, items, restock, stock, trail, views, warehouse_stock
from catalog.domain import ItemChange, NewItem, PresaleTerms, SkuInput, StockLine
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
from zhongtai.common.v1 import common_pb2
from zhongtai.db import Database
from zhongtai.idempotency import Keys, idempotent_rpc
from zhongtai.logistics.v1.warehouse_pb2_grpc import WarehouseServiceStub
from zhongtai.money import Money
from zhongtai.wire import to_datetime

Ctx: TypeAlias = grpc.aio.ServicerContext
R = TypeVar("R", bound=Message)

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


# --- requests to use-case arguments -----------------------------------------


def _money(m: common_pb2.Money) -> Money:
    return Money(m.amount_minor, m.currency_code)


def _sku_input(k: pb.SkuInput) -> SkuInput:
    return SkuInput(sku_id=k.sku_id, attributes=dict(k.attributes),
                    price=_money(k.price) if k.HasField("price") else None,
                    initial_stock=k.initial_stock, weight_grams=k.weight_grams,
                    volume_cm3=k.volume_cm3)


def _presale(terms: pb.PresaleTerms) -> PresaleTerms:
    return PresaleTerms(
        deposit=_money(terms.deposit) if terms.HasField("deposit") else None,
        balance_start=(to_datetime(terms.balance_start_time)
                       if terms.HasField("balance_start_time") else None),
        balance_end=(to_datetime(terms.balance_end_time)
                     if terms.HasField("balance_end_time") else None))


def new_item(req: pb.CreateItemRequest) -> NewItem:
    """CreateItem's request as the item to create."""
    return NewItem(seller_id=req.seller_id, title=req.title, description=req.description,
                   category_id=req.category_id, item_type=req.item_type,
                   stock_mode=req.stock_mode, skus=tuple(_sku_input(k) for k in req.skus),
                   presale=_presale(req.presale) if req.HasField("presale") else None)


def item_change(req: pb.UpdateItemRequest) -> ItemChange:
    """UpdateItem's request as the change to make."""
    return ItemChange(item_id=req.item_id, expected_version=req.expected_version,
                      title=req.title, description=req.description,
                      category_id=req.category_id,
                      skus=tuple(_sku_input(k) for k in req.skus))


class CatalogServicer(catalog_pb2_grpc.CatalogServiceServicer):
    """CatalogService: each RPC maps its request to a use case's arguments,
    runs it in one transaction (a mutating one once per request id) and maps
    the values it returns to the response (``catalog.views``)."""

    def __init__(self, db: Database, warehouses: Callable[[], WarehouseServiceStub]) -> None:
        self.db = db
        self.keys = Keys(db.plumbing, db.dialect)
        self.warehouses = warehouses

    async def _once(self, request: Message, response_type: type[R],
                    action: Callable[[AsyncSession], Awaitable[R]]) -> R:
        """A mutating RPC in one transaction, once per its request id."""
        return await idempotent_rpc(self.db, self.keys, request, response_type, action)

    async def CreateSeller(self, request: pb.CreateSellerRequest, context: Ctx
                           ) -> pb.CreateSellerResponse:
        async def run(s: AsyncSession) -> pb.CreateSellerResponse:
            return pb.CreateSellerResponse(seller=views.seller(await items.create_seller(
                s, display_name=request.display_name, seller_id=request.seller_id)))

        return await self._once(request, pb.CreateSellerResponse, run)

    async def GetSeller(self, request: pb.GetSellerRequest, context: Ctx
                        ) -> pb.GetSellerResponse:
        async with self.db.transaction() as s:
            return pb.GetSellerResponse(
                seller=views.seller(await items.get_seller(s, request.seller_id)))

    async def ListSellers(self, request: pb.ListSellersRequest, context: Ctx
                          ) -> pb.ListSellersResponse:
        async with self.db.transaction() as s:
            sellers, token = await items.list_sellers(s, page_size=request.page_size,
                                                      page_token=request.page_token)
        return pb.ListSellersResponse(sellers=[views.seller(x) for x in sellers],
                                      next_page_token=token)

    async def CreateItem(self, request: pb.CreateItemRequest, context: Ctx
                         ) -> pb.CreateItemResponse:
        async def run(s: AsyncSession) -> pb.CreateItemResponse:
            return pb.CreateItemResponse(item=views.item(
                await items.create_item(s, current_identity(), new_item(request))))

        return await self._once(request, pb.CreateItemResponse, run)

    async def UpdateItem(self, request: pb.UpdateItemRequest, context: Ctx
                         ) -> pb.UpdateItemResponse:
        async def run(s: AsyncSession) -> pb.UpdateItemResponse:
            return pb.UpdateItemResponse(item=views.item(
                await items.update_item(s, current_identity(), item_change(request))))

        return await self._once(request, pb.UpdateItemResponse, run)

    async def GetItem(self, request: pb.GetItemRequest, context: Ctx) -> pb.GetItemResponse:
        async with self.db.transaction() as s:
            return pb.GetItemResponse(item=views.item(await items.get_item(s, request.item_id)))

    async def GetItemVersion(self, request: pb.GetItemVersionRequest, context: Ctx
                             ) -> pb.GetItemVersionResponse:
        async with self.db.transaction() as s:
            return pb.GetItemVersionResponse(item=views.item(
                await items.get_item_version(s, request.item_id, request.version)))

    async def ListItems(self, request: pb.ListItemsRequest, context: Ctx
                        ) -> pb.ListItemsResponse:
        async with self.db.transaction() as s:
            listed, token = await items.list_items(
                s, seller_id=request.seller_id, page_size=request.page_size,
                page_token=request.page_token)
        return pb.ListItemsResponse(items=[views.item(x) for x in listed],
                                    next_page_token=token)

    async def BatchGetSkus(self, request: pb.BatchGetSkusRequest, context: Ctx
                           ) -> pb.BatchGetSkusResponse:
        async with self.db.transaction() as s:
            found, missing = await items.batch_get_skus(s, request.sku_ids)
        return pb.BatchGetSkusResponse(skus=[views.sku_view(x, k) for x, k in found],
                                       missing_sku_ids=missing)

    async def AdjustStock(self, request: pb.AdjustStockRequest, context: Ctx
                          ) -> pb.AdjustStockResponse:
        async def run(s: AsyncSession) -> pb.AdjustStockResponse:
            return pb.AdjustStockResponse(stock=views.stock(await stock.adjust_stock(
                s, current_identity(), sku_id=request.sku_id, delta=request.delta)))

        return await self._once(request, pb.AdjustStockResponse, run)

    async def GetStock(self, request: pb.GetStockRequest, context: Ctx) -> pb.GetStockResponse:
        async with self.db.transaction() as s:
            return pb.GetStockResponse(
                stock=views.stock(await stock.get_stock(s, request.sku_id)))

    async def ReserveStock(self, request: pb.ReserveStockRequest, context: Ctx
                           ) -> pb.ReserveStockResponse:
        lines = [StockLine(sku_id=x.sku_id, quantity=x.quantity) for x in request.lines]
        async with self.db.transaction() as s:
            return pb.ReserveStockResponse(reservation=views.reservation(
                await stock.reserve_stock(s, self.db.dialect, order_id=request.order_id,
                                          lines=lines)))

    async def ReleaseStock(self, request: pb.ReleaseStockRequest, context: Ctx
                           ) -> pb.ReleaseStockResponse:
        async with self.db.transaction() as s:
            return pb.ReleaseStockResponse(reservation=views.reservation(
                await stock.release_stock(s, self.db.dialect, request.order_id)))

    async def DeductStock(self, request: pb.DeductStockRequest, context: Ctx
                          ) -> pb.DeductStockResponse:
        async with self.db.transaction() as s:
            return pb.DeductStockResponse(reservation=views.reservation(
                await stock.deduct_stock(s, request.order_id)))

    async def RestockUnits(self, request: pb.RestockUnitsRequest, context: Ctx
                           ) -> pb.RestockUnitsResponse:
        units = restock.UnitRestock(request_id=request.request_id, order_id=request.order_id,
                                    sku_id=request.sku_id, quantity=request.quantity,
                                    warehouse_id=request.warehouse_id)

        async def run(s: AsyncSession) -> pb.RestockUnitsResponse:
            return pb.RestockUnitsResponse(stock=views.stock(
                await restock.restock_units(s, self.db.dialect, units)))

        return await self._once(request, pb.RestockUnitsResponse, run)

    async def GetReservation(self, request: pb.GetReservationRequest, context: Ctx
                             ) -> pb.GetReservationResponse:
        async with self.db.transaction() as s:
            return pb.GetReservationResponse(reservation=views.reservation(
                await stock.get_reservation(s, request.order_id)))

    async def SetWarehouseStock(self, request: pb.SetWarehouseStockRequest, context: Ctx
                                ) -> pb.SetWarehouseStockResponse:
        caller = current_identity()
        # Only a warehouse logistics knows, asked before any transaction is open.
        await clients.require_warehouse(self.warehouses(), request.warehouse_id,
                                        context.time_remaining())

        async def run(s: AsyncSession) -> pb.SetWarehouseStockResponse:
            placed, total = await warehouse_stock.set_stock_in_warehouse(
                s, self.db.dialect, caller, sku_id=request.sku_id,
                warehouse_id=request.warehouse_id, quantity=request.quantity)
            return pb.SetWarehouseStockResponse(warehouse_stock=views.warehouse_stock(placed),
                                                stock=views.stock(total))

        return await self._once(request, pb.SetWarehouseStockResponse, run)

    async def BatchGetWarehouseStock(self, request: pb.BatchGetWarehouseStockRequest,
                                     context: Ctx) -> pb.BatchGetWarehouseStockResponse:
        async with self.db.transaction() as s:
            placed, missing = await warehouse_stock.batch_get_warehouse_stock(s, request.sku_ids)
        return pb.BatchGetWarehouseStockResponse(
            warehouse_stock=[views.warehouse_stock(x) for x in placed], missing_sku_ids=missing)

    async def ListAuditEntries(self, request: pb.ListAuditEntriesRequest, context: Ctx
                               ) -> pb.ListAuditEntriesResponse:
        async with self.db.transaction() as s:
            entries, token = await trail.list_trail(
                s, resource_type=request.resource_type, resource_id=request.resource_id,
                page_size=request.page_size, page_token=request.page_token)
        return pb.ListAuditEntriesResponse(entries=entries, next_page_token=token)
