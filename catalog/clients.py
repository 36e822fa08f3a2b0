"""catalog's calls to other services over gRPC (the one place, with the
servicer and ``catalog.views``, where catalog builds protobuf messages:
the requests it sends). Each is called before any transaction is open."""

from __future__ import annotations

from catalog.domain import E
from zhongtai.catalog.v1 import catalog_pb2 as pb
from zhongtai.errors import NotFound
from zhongtai.grpcclient import call
from zhongtai.logistics.v1 import warehouse_pb2 as wh
from zhongtai.logistics.v1.warehouse_pb2_grpc import WarehouseServiceStub

LOGISTICS_TIMEOUT = 5.0


async def require_warehouse(logistics: WarehouseServiceStub, warehouse_id: str,
                            time_remaining: float | None = None) -> None:
    """The warehouse is one logistics knows (WarehouseService.GetWarehouse,
    called as catalog); else WAREHOUSE_NOT_FOUND. Logistics unreachable:
    UNAVAILABLE, worth retrying (warehouses are never deleted, so a repeat
    finds the same)."""
    try:
        await call(logistics.GetWarehouse, wh.GetWarehouseRequest(warehouse_id=warehouse_id),
                   LOGISTICS_TIMEOUT, time_remaining)
    except NotFound:
        raise E(pb.ERROR_REASON_WAREHOUSE_NOT_FOUND,
                f"logistics has no warehouse {warehouse_id!r}",
                metadata={"warehouse_id": warehouse_id}) from None
