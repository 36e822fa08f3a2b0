"""Warehouses: the use cases behind ``WarehouseService``.

The rules (coverage, topology, allocation, ETA) are in ``warehousing``; this
module stores warehouses, reads per-warehouse stock from catalog and maps
the plan to its response.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from google.protobuf import json_format
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from logistics import trail
from logistics import warehouse_store as t
from logistics import warehousing as rules
from logistics.reasons import E
from zhongtai import pagination
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.catalog.v1.catalog_pb2_grpc import CatalogServiceStub
from zhongtai.grpcclient import call
from zhongtai.ids import new_id
from zhongtai.logistics.v1 import logistics_pb2 as lpb
from zhongtai.logistics.v1 import warehouse_pb2 as pb
from zhongtai.wire import timestamp, to_datetime

CATALOG_TIMEOUT = 5.0


def _view(row: Any) -> pb.Warehouse:
    w = json_format.Parse(row.definition, pb.Warehouse())
    w.create_time.CopyFrom(timestamp(row.created_at))
    return w


async def create_warehouse(s: AsyncSession, req: pb.CreateWarehouseRequest, now: dt.datetime
                           ) -> pb.CreateWarehouseResponse:
    """Store a warehouse (checked by ``warehousing.validate_warehouse`` against
    its named parent); WAREHOUSE_EXISTS if its id is taken."""
    w = pb.Warehouse()
    w.CopyFrom(req.warehouse)
    w.ClearField("create_time")
    w.name = w.name.strip()
    parent_kind: int | None = None
    if w.parent_warehouse_id:
        parent_kind = (await s.execute(
            select(t.warehouses.c.kind)
            .where(t.warehouses.c.warehouse_id == w.parent_warehouse_id))).scalar()
    rules.validate_warehouse(w, parent_kind)
    w.warehouse_id = w.warehouse_id or new_id()
    if await _row(s, w.warehouse_id) is not None:
        raise E(lpb.ERROR_REASON_WAREHOUSE_EXISTS, f"warehouse {w.warehouse_id} already exists",
                metadata={"warehouse_id": w.warehouse_id})
    await s.execute(t.warehouses.insert().values(
        warehouse_id=w.warehouse_id, name=w.name, kind=w.kind,
        parent_warehouse_id=w.parent_warehouse_id or None,
        definition=json_format.MessageToJson(w, indent=None, sort_keys=True),
        created_at=now))
    w.create_time.CopyFrom(timestamp(now))
    await trail.record(s, trail.WAREHOUSE, w.warehouse_id, "created")
    return pb.CreateWarehouseResponse(warehouse=w)


async def get_warehouse(s: AsyncSession, warehouse_id: str) -> pb.Warehouse:
    """One warehouse, or WAREHOUSE_NOT_FOUND."""
    row = await _row(s, warehouse_id)
    if row is None:
        raise E(lpb.ERROR_REASON_WAREHOUSE_NOT_FOUND, f"warehouse {warehouse_id!r} does not exist",
                metadata={"warehouse_id": warehouse_id})
    return _view(row)


async def _row(s: AsyncSession, warehouse_id: str) -> Any:
    return (await s.execute(select(t.warehouses)
                            .where(t.warehouses.c.warehouse_id == warehouse_id))).first()


async def list_warehouses(s: AsyncSession, req: pb.ListWarehousesRequest
                          ) -> pb.ListWarehousesResponse:
    """Warehouses by id, by pages."""
    size = pagination.page_size(req.page_size)
    after = pagination.decode_token(req.page_token, "warehouses")
    c = t.warehouses.c
    q = select(t.warehouses).order_by(c.warehouse_id).limit(size + 1)
    if after:
        q = q.where(c.warehouse_id > after)
    rows = (await s.execute(q)).all()
    resp = pb.ListWarehousesResponse(warehouses=[_view(r) for r in rows[:size]])
    if len(rows) > size:
        resp.next_page_token = pagination.encode_token(rows[size - 1].warehouse_id,
                                                       "warehouses")
    return resp


async def plan(s: AsyncSession, catalog: CatalogServiceStub, req: pb.PlanFulfilmentRequest,
               now: dt.datetime, *, time_remaining: float | None = None
               ) -> pb.PlanFulfilmentResponse:
    """Plan an order's packages and ETA (paid at ``req.paid_time``, else
    ``now``). No side effects.

    Catalog is asked first (per-warehouse stock), so no database transaction
    is open during the remote call; then the warehouses are read."""
    rules.validate_plan(req)
    paid = to_datetime(req.paid_time) if req.HasField("paid_time") else now
    sku_ids = [line.sku_id for line in req.lines]
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
    rows = (await s.execute(select(t.warehouses).order_by(t.warehouses.c.warehouse_id))).all()
    sites = [rules.site_of(_view(r)) for r in rows]
    result = rules.plan(sites, stock, req.destination,
                        {line.sku_id: line.quantity for line in req.lines},
                        req.delivery_method, paid)
    return pb.PlanFulfilmentResponse(
        packages=[_package(p) for p in result.packages],
        estimated_delivery_time=timestamp(result.eta),
        delivery_method=result.method,  # type: ignore[arg-type]
        paid_time=timestamp(paid))


def _package(p: rules.Package) -> pb.PlannedPackage:
    return pb.PlannedPackage(
        warehouse_id=p.warehouse_id, source=p.source,  # type: ignore[arg-type]
        transfer_from_warehouse_id=p.transfer_from,
        lines=[pb.FulfilmentLine(sku_id=k, quantity=q) for k, q in p.lines],
        transfer_lines=[pb.FulfilmentLine(sku_id=k, quantity=q) for k, q in p.transfer_lines],
        production_start_time=timestamp(p.production_start.astimezone(dt.UTC)),
        transfer_hours=p.transfer_hours, production_hours=p.production_hours,
        delivery_hours=p.delivery_hours, estimated_delivery_time=timestamp(p.eta))
