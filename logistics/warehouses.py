"""Warehouses: the use cases behind ``WarehouseService``.

The rules (coverage, topology, allocation, ETA) are in ``warehousing``; this
module stores warehouses (``warehousing.Warehouse``) and plans an order from
per-warehouse stock read from catalog (``catalog_client``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from logistics import catalog_client, trail, views
from logistics import warehouse_store as t
from logistics import warehousing as rules
from logistics.reasons import E
from logistics.values import Address
from zhongtai import pagination
from zhongtai.catalog.v1.catalog_pb2_grpc import CatalogServiceStub
from zhongtai.ids import new_id
from zhongtai.logistics.v1 import logistics_pb2 as lpb


def _value(row: Any) -> rules.Warehouse:
    return dataclasses.replace(views.warehouse_from_json(row.definition),
                               created_at=row.created_at)


async def create_warehouse(s: AsyncSession, warehouse: rules.Warehouse, now: dt.datetime
                           ) -> rules.Warehouse:
    """Store a warehouse (its name trimmed; checked by
    ``warehousing.validate_warehouse`` against its named parent; no id: a
    new one); WAREHOUSE_EXISTS if its id is taken. The warehouse stored."""
    w = dataclasses.replace(warehouse, name=warehouse.name.strip(), created_at=None)
    parent_kind: int | None = None
    if w.parent_warehouse_id:
        parent_kind = (await s.execute(
            select(t.warehouses.c.kind)
            .where(t.warehouses.c.warehouse_id == w.parent_warehouse_id))).scalar()
    rules.validate_warehouse(w, parent_kind)
    w = dataclasses.replace(w, warehouse_id=w.warehouse_id or new_id())
    if await _row(s, w.warehouse_id) is not None:
        raise E(lpb.ERROR_REASON_WAREHOUSE_EXISTS, f"warehouse {w.warehouse_id} already exists",
                metadata={"warehouse_id": w.warehouse_id})
    await s.execute(t.warehouses.insert().values(
        warehouse_id=w.warehouse_id, name=w.name, kind=w.kind,
        parent_warehouse_id=w.parent_warehouse_id or None,
        definition=views.warehouse_json(w), created_at=now))
    await trail.record(s, trail.WAREHOUSE, w.warehouse_id, "created")
    return dataclasses.replace(w, created_at=now)


async def get_warehouse(s: AsyncSession, warehouse_id: str) -> rules.Warehouse:
    """One warehouse, or WAREHOUSE_NOT_FOUND."""
    row = await _row(s, warehouse_id)
    if row is None:
        raise E(lpb.ERROR_REASON_WAREHOUSE_NOT_FOUND, f"warehouse {warehouse_id!r} does not exist",
                metadata={"warehouse_id": warehouse_id})
    return _value(row)


async def _row(s: AsyncSession, warehouse_id: str) -> Any:
    return (await s.execute(select(t.warehouses)
                            .where(t.warehouses.c.warehouse_id == warehouse_id))).first()


async def list_warehouses(s: AsyncSession, *, page_size: int, page_token: str
                          ) -> tuple[list[rules.Warehouse], str]:
    """Warehouses by id, by pages: the page and the next page's token ("" after
    the last)."""
    size = pagination.page_size(page_size)
    after = pagination.decode_token(page_token, "warehouses")
    c = t.warehouses.c
    q = select(t.warehouses).order_by(c.warehouse_id).limit(size + 1)
    if after:
        q = q.where(c.warehouse_id > after)
    rows = (await s.execute(q)).all()
    token = (pagination.encode_token(rows[size - 1].warehouse_id, "warehouses")
             if len(rows) > size else "")
    return [_value(r) for r in rows[:size]], token


async def plan(s: AsyncSession, catalog: CatalogServiceStub, *, destination: Address | None,
               lines: Sequence[tuple[str, int]], method: int, paid_time: dt.datetime | None,
               now: dt.datetime, time_remaining: float | None = None
               ) -> tuple[rules.Plan, dt.datetime]:
    """Plan an order's packages and ETA — ``lines`` ((SKU, units)) to
    ``destination`` by ``method`` — paid at ``paid_time``, else ``now``; the
    plan and that payment time. No side effects.

    Catalog is asked first (per-warehouse stock), so no database transaction
    is open during the remote call; then the warehouses are read."""
    rules.validate_plan(destination, lines, paid_time)
    stock = await catalog_client.warehouse_stock(catalog, [sku_id for sku_id, _ in lines],
                                                 time_remaining=time_remaining)
    return await plan_on(s, stock, destination=destination, lines=lines, method=method,
                         paid_time=paid_time, now=now)


async def plan_on(s: AsyncSession, stock: rules.Stock, *,
                  destination: Address | None, lines: Sequence[tuple[str, int]], method: int,
                  paid_time: dt.datetime | None, now: dt.datetime
                  ) -> tuple[rules.Plan, dt.datetime]:
    """``plan`` on the stock catalog answered (asked beforehand, outside
    any transaction)."""
    rules.validate_plan(destination, lines, paid_time)
    assert destination is not None
    paid = paid_time or now
    rows = (await s.execute(select(t.warehouses).order_by(t.warehouses.c.warehouse_id))).all()
    sites = [rules.site_of(_value(r)) for r in rows]
    return rules.plan(sites, stock, destination, dict(lines), method, paid), paid
