"""logistics' calls to catalog: per-warehouse stock of SKUs (the one thing
warehouse planning needs from it). The only module that builds or reads
catalog's messages."""

from __future__ import annotations

from collections.abc import Sequence

from logistics.reasons import E
from logistics.warehousing import Stock
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.catalog.v1.catalog_pb2_grpc import CatalogServiceStub
from zhongtai.grpcclient import call
from zhongtai.logistics.v1 import logistics_pb2 as lpb

CATALOG_TIMEOUT = 5.0


async def warehouse_stock(catalog: CatalogServiceStub, sku_ids: Sequence[str], *,
                          time_remaining: float | None = None) -> Stock:
    """The units of ``sku_ids`` each warehouse holds (warehouse -> SKU ->
    units), as catalog answers within the caller's deadline; SKU_NOT_FOUND
    naming the SKUs catalog does not know."""
    found = await call(catalog.BatchGetWarehouseStock,
                       cat.BatchGetWarehouseStockRequest(sku_ids=sku_ids), CATALOG_TIMEOUT,
                       time_remaining)
    if found.missing_sku_ids:
        missing = list(found.missing_sku_ids)
        raise E(lpb.ERROR_REASON_SKU_NOT_FOUND, f"SKUs do not exist: {missing}",
                metadata={"sku_ids": ",".join(missing)})
    stock: dict[str, dict[str, int]] = {}
    for ws in found.warehouse_stock:
        stock.setdefault(ws.warehouse_id, {})[ws.sku_id] = ws.quantity
    return stock
