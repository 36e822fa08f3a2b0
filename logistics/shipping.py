"""The seller ships a package (``ship_package``): units of one or more of its
logistics orders, with a carrier and a tracking number, travelling as the
order itself, a split child of it, or a merge master over several
(``domain.pack`` decides which; seed 001 §四.2).

Locks: the orders (sorted by id) before the rows derived from them, so two
shipments racing for the last units, or a shipment racing the cancel,
cannot both win.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from logistics import domain, orders, tracking, views
from logistics import store as t
from logistics import values as v
from logistics.reasons import E
from zhongtai.auth import Identity, acting_seller
from zhongtai.db import Database, changed, insert_ignore
from zhongtai.errors import PreconditionViolation
from zhongtai.ids import new_id
from zhongtai.logistics.v1 import logistics_pb2 as pb

LO = t.logistics_orders.c
LL = t.logistics_lines.c


async def ship_package(s: AsyncSession, db: Database, caller: Identity, *, seller_id: str,
                       items: Sequence[tuple[str, int]], carrier: str, tracking_no: str,
                       policy: domain.TrackingPolicy, now: dt.datetime
                       ) -> tuple[v.LogisticsOrder, list[v.LogisticsOrder]]:
    """Ship ``items`` — (logistics order id, units; 0: all left) — of
    ``seller_id`` in one package with ``carrier`` and ``tracking_no``; the
    package and the orders it carries, after it (refusals change nothing: a seller
    credential ships only as one of its sellers, SUBJECT_MISMATCH, and only
    that seller's orders, see ``domain.pack``; TRACKING_NO_IN_USE when the
    carrier's tracking number is another package's).

    Each order whose status moved publishes ``LogisticsOrderChanged``, then
    the package ``PackageChanged`` with the warehouses its units leave
    (``domain.shipped_from``); the carrier subscription and the first
    tracking query are armed (``tracking.arm``)."""
    acting_seller(caller, seller_id)
    domain.validate_ship(items)
    ids = sorted({lo_id for lo_id, _ in items})
    rows = {r.logistics_order_id: r for r in (await s.execute(
        select(t.logistics_orders).where(LO.logistics_order_id.in_(ids))
        .order_by(LO.logistics_order_id).with_for_update())).all()}
    packing = domain.pack(seller_id, items,
                          {lo_id: _shippable(row) for lo_id, row in rows.items()})
    lines = {x.logistics_order_id: x for x in (await s.execute(
        select(t.logistics_lines).where(LL.logistics_order_id.in_(ids)))).all()}
    members = []
    for part in packing.parts:
        row = rows[part.logistics_order_id]
        members.append(row.logistics_order_id if part.whole
                       else await _split(s, row, lines[row.logistics_order_id],
                                         part.quantity, now))
    travelling = {"status": domain.SHIPPED, "ship_time": now, "updated_at": now}
    package_id = members[0]
    if packing.merged:
        package_id = new_id()
        await s.execute(t.logistics_orders.insert().values(**_derived(
            rows[packing.parts[0].logistics_order_id], logistics_order_id=package_id,
            role=domain.ROLE_MERGE_MASTER, order_id="", top_order_id="",
            total_quantity=packing.quantity, created_at=now, updated_at=now)))
        await s.execute(t.logistics_lines.insert(), [
            {"logistics_order_id": package_id, "seq": seq,
             "order_id": lines[part.logistics_order_id].order_id,
             "sku_id": lines[part.logistics_order_id].sku_id, "quantity": part.quantity}
            for seq, part in enumerate(packing.parts)])
        await s.execute(update(t.logistics_orders)
                        .where(LO.logistics_order_id.in_(members))
                        .values(merged_into=package_id, **travelling))
    carrier, tracking_no = carrier.strip(), tracking_no.strip()
    await claim_waybill(s, db, carrier, tracking_no, package_id)
    package_values = dict(travelling, is_package=True, carrier=carrier,
                          tracking_no=tracking_no)
    if package_id not in rows:  # a split child or a merge master: all of it
        package_values["shipped_quantity"] = packing.quantity
    await s.execute(update(t.logistics_orders)
                    .where(LO.logistics_order_id == package_id).values(**package_values))
    for part in packing.parts:
        await _shipped(s, rows[part.logistics_order_id], part, now)
    package = await orders.get(s, package_id)
    leaving = domain.shipped_from([
        (lines[p.logistics_order_id].sku_id, views.plan(rows[p.logistics_order_id].plan),
         rows[p.logistics_order_id].shipped_quantity, p.quantity) for p in packing.parts])
    await orders.publish_package(
        s, package, now, f"shipped {packing.quantity} unit(s) with {carrier} {tracking_no}",
        shipped_from=[v.ShippedUnits(sku_id, warehouse_id, n)
                      for sku_id, warehouse_id, n in leaving])
    await tracking.arm(s, db, package_id, policy, now)
    return package, [await orders.get(s, p.logistics_order_id) for p in packing.parts]


async def claim_waybill(s: AsyncSession, db: Database, carrier: str, tracking_no: str,
                        package_id: str) -> None:
    """The carrier's tracking number is now ``package_id``'s (an outbound
    package or a return: one package per number and carrier), else
    TRACKING_NO_IN_USE."""
    if not await changed(s, insert_ignore(db.dialect, t.waybills).values(
            carrier=carrier, tracking_no=tracking_no, logistics_order_id=package_id)):
        raise E(pb.ERROR_REASON_TRACKING_NO_IN_USE,
                f"{carrier} tracking number {tracking_no} is another package's",
                violations=[PreconditionViolation(
                    "TRACKING_NO", f"waybills/{carrier}/{tracking_no}", "already used")])


async def _split(s: AsyncSession, row: Any, line: Any, quantity: int, now: dt.datetime
                 ) -> str:
    """A new split child of the order ``row`` holding ``quantity`` of its units."""
    child_id = new_id()
    await s.execute(t.logistics_orders.insert().values(**_derived(
        row, logistics_order_id=child_id, role=domain.ROLE_SPLIT_CHILD,
        parent_id=row.logistics_order_id, total_quantity=quantity,
        created_at=now, updated_at=now)))
    await s.execute(t.logistics_lines.insert().values(
        logistics_order_id=child_id, seq=0, order_id=line.order_id, sku_id=line.sku_id,
        quantity=quantity))
    return child_id


async def _shipped(s: AsyncSession, row: Any, part: domain.Part, now: dt.datetime) -> None:
    """The order ``row`` (as locked) has ``part`` shipped: its units, its
    first ship time, split if a child took them, its new status (published
    when it moved)."""
    values: dict[str, Any] = {"shipped_quantity": LO.shipped_quantity + part.quantity}
    if not part.whole:
        values["split"] = True
    if row.shipped_quantity == 0:
        values["ship_time"] = now
    if part.status != row.status:
        values.update(status=part.status, updated_at=now)
    await s.execute(update(t.logistics_orders)
                    .where(LO.logistics_order_id == row.logistics_order_id).values(**values))
    if part.status != row.status:
        await orders.publish_changed(s, row.logistics_order_id, row.status, now)


def _shippable(row: Any) -> domain.Shippable:
    return domain.Shippable(row.logistics_order_id, row.role, row.status, row.seller_id,
                            (row.buyer_id, row.address), row.total_quantity,
                            row.shipped_quantity, row.split)


def _derived(row: Any, **values: Any) -> dict[str, Any]:
    """A new split child or merge master of an order: its destination, not
    yet a package."""
    base = {k: getattr(row, k) for k in ("order_id", "top_order_id", "seller_id",
                                         "buyer_id", "address", "delivery_method")}
    return base | {"status": domain.WAIT_SHIP, "log_order_id": None, "split": False,
                   "parent_id": "", "merged_into": "", "is_package": False, "carrier": "",
                   "tracking_no": "", "exception": False, "shipped_quantity": 0} | values
