"""Where a paid order's units ship from: the allocation timer
(``domain.ALLOCATE_TIMER``, armed by ``orders.on_order_paid``) records each
ROLE_ORDER's share of its warehouse plan (``domain.shares_of_plan``) and its
ETA. The plan itself is ``warehouses.plan``, the one behind PlanFulfilment.
It is a remote timer (``zhongtai.timers.RemoteTimer``): catalog's stock is
asked outside any transaction (``to_allocate``, ``ask_stock``,
``allocate``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from logistics import catalog_client, domain, orders, views, warehouses
from logistics import store as t
from logistics.values import Shipment
from logistics.warehousing import Stock
from zhongtai import timers
from zhongtai.catalog.v1.catalog_pb2_grpc import CatalogServiceStub
from zhongtai.errors import FailedPrecondition, InvalidArgument, NotFound, ZhongtaiError

log = logging.getLogger(__name__)

LO = t.logistics_orders.c


# Per seller: catalog's per-warehouse stock of its SKUs, or why there is none.
Stocks = dict[str, Stock | ZhongtaiError]
_UNPLANNABLE = (FailedPrecondition, InvalidArgument, NotFound)


async def to_allocate(s: AsyncSession, timer: timers.Timer) -> dict[str, list[str]] | None:
    """The allocation timer (a remote timer), first step: per seller (each
    ships its own), the SKUs of the paid order's logistics orders not
    planned yet; None when there are none."""
    groups = await _unplanned(s, timer.key)
    return {seller: sorted({line.sku_id for line in lines.values()})
            for seller, (_, lines) in groups.items()} or None


async def ask_stock(catalog: CatalogServiceStub, skus: dict[str, list[str]]) -> Stocks:
    """Second, outside any transaction: catalog's stock of each seller's
    SKUs (a read). Catalog being unreachable fails the timer, which is
    retried."""
    stocks: Stocks = {}
    for seller, sku_ids in skus.items():
        try:
            stocks[seller] = await catalog_client.warehouse_stock(catalog, sku_ids)
        except _UNPLANNABLE as exc:
            stocks[seller] = exc
    return stocks


async def allocate(s: AsyncSession, timer: timers.Timer, stocks: Stocks,
                   now: dt.datetime) -> None:
    """Third: plan each seller's orders on that stock and record each
    order's share and ETA, each published. The plan is ``warehouses.plan``
    for the seller's lines, the address, the method and the payment time
    (the timer's payload): exactly what PlanFulfilment answers for them on
    the same stock. An order no warehouse can serve keeps no plan and says
    why (``plan_note``)."""
    stamp = timer.payload.get("paid_time")  # older timers: the orders' creation
    for seller, (group, lines) in (await _unplanned(s, timer.key)).items():
        stock = stocks.get(seller)
        if stock is None:
            continue  # not asked about: its orders are created with the timer
        wanted: dict[str, int] = {}
        for line in lines.values():
            wanted[line.sku_id] = wanted.get(line.sku_id, 0) + line.quantity
        try:
            if isinstance(stock, ZhongtaiError):
                raise stock
            planned, _ = await warehouses.plan_on(
                s, stock, destination=views.address_from_json(group[0].address),
                lines=list(wanted.items()), method=group[0].delivery_method,
                paid_time=(dt.datetime.fromisoformat(stamp) if stamp
                           else group[0].created_at), now=now)
        except _UNPLANNABLE as exc:
            log.info("order %s not allocated to warehouses: %s", timer.key, exc)
            for row in group:
                await _set_plan(s, row, [], exc.reason, now)
            continue
        shares = domain.shares_of_plan(
            [(row.logistics_order_id, lines[row.logistics_order_id].sku_id,
              lines[row.logistics_order_id].quantity) for row in group],
            [(p.warehouse_id, p.transfer_from, p.eta.astimezone(dt.UTC), p.lines,
              dict(p.transfer_lines))
             for p in planned.packages])
        for row in group:
            await _set_plan(s, row, shares.get(row.logistics_order_id, []), "", now)


async def _unplanned(s: AsyncSession, top_order_id: str
                     ) -> dict[str, tuple[list[Any], dict[str, Any]]]:
    """Per seller: the order's ROLE_ORDERs not planned (nor cancelled) yet,
    and their lines."""
    rows = (await s.execute(select(t.logistics_orders).where(
        LO.top_order_id == top_order_id, LO.role == domain.ROLE_ORDER, LO.plan.is_(None),
        LO.status != domain.CANCELLED).order_by(LO.logistics_order_id))).all()
    groups: dict[str, tuple[list[Any], dict[str, Any]]] = {}
    for row in rows:
        group, lines = groups.setdefault(row.seller_id, ([], {}))
        group.append(row)
        lines[row.logistics_order_id] = (await s.execute(select(t.logistics_lines).where(
            t.logistics_lines.c.logistics_order_id == row.logistics_order_id))).one()
    return groups


async def _set_plan(s: AsyncSession, row: Any, shipments: Sequence[Shipment],
                    note: str, now: dt.datetime) -> None:
    eta = max((x.eta for x in shipments if x.eta is not None), default=None)
    await s.execute(update(t.logistics_orders)
                    .where(LO.logistics_order_id == row.logistics_order_id)
                    .values(plan=views.plan_json(shipments), plan_note=note[:500], eta=eta,
                            updated_at=now))
    await orders.publish_changed(
        s, row.logistics_order_id, row.status, now,
        f"planned: {len(shipments)} shipment(s)" if shipments else f"not planned: {note}")
