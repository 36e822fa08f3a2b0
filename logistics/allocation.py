"""Where a paid order's units ship from: the allocation timer
(``domain.ALLOCATE_TIMER``, armed by ``orders.on_order_paid``) records each
ROLE_ORDER's share of its warehouse plan (``domain.shares_of_plan``) and its
ETA. The plan itself is ``warehouses.plan``, the one behind PlanFulfilment.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from logistics import domain, orders, views, warehouses
from logistics import store as t
from logistics.values import Shipment
from zhongtai import timers
from zhongtai.catalog.v1.catalog_pb2_grpc import CatalogServiceStub
from zhongtai.errors import FailedPrecondition, InvalidArgument, NotFound

log = logging.getLogger(__name__)

LO = t.logistics_orders.c


async def on_allocate_timer(s: AsyncSession, timer: timers.Timer,
                            catalog: CatalogServiceStub, now: dt.datetime) -> None:
    """Plan where a paid order's units ship from (per seller: each ships its
    own) and record each order's share and ETA, each published. The plan is
    ``warehouses.plan`` for the seller's lines, the address, the method and
    the payment time (the timer's payload): exactly what PlanFulfilment
    answers for them on the same stock. An order no warehouse can serve
    keeps no plan and says why (``plan_note``); catalog being unreachable
    fails the timer, which is retried."""
    rows = (await s.execute(select(t.logistics_orders).where(
        LO.top_order_id == timer.key, LO.role == domain.ROLE_ORDER, LO.plan.is_(None),
        LO.status != domain.CANCELLED).order_by(LO.logistics_order_id))).all()
    by_seller: dict[str, list[Any]] = {}
    for row in rows:
        by_seller.setdefault(row.seller_id, []).append(row)
    stamp = timer.payload.get("paid_time")  # older timers: the orders' creation
    for group in by_seller.values():
        lines = {row.logistics_order_id: (await s.execute(select(t.logistics_lines).where(
            t.logistics_lines.c.logistics_order_id == row.logistics_order_id))).one()
            for row in group}
        wanted: dict[str, int] = {}
        for line in lines.values():
            wanted[line.sku_id] = wanted.get(line.sku_id, 0) + line.quantity
        try:
            planned, _ = await warehouses.plan(
                s, catalog, destination=views.address_from_json(group[0].address),
                lines=list(wanted.items()), method=group[0].delivery_method,
                paid_time=(dt.datetime.fromisoformat(stamp) if stamp
                           else group[0].created_at), now=now)
        except (FailedPrecondition, InvalidArgument, NotFound) as exc:
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
