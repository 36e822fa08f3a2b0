"""After-sales' returns (退货): the goods of an application travel back from
the buyer to a warehouse as a ROLE_RETURN logistics order.

- ``create_return`` (CreateReturn, after-sales' identity only): one WAIT_SHIP
  return per application (``application_id`` = the request id), to the
  warehouse ``domain.return_warehouse`` names (its address is the return's
  ``address``), from the buyer's address (``return_from``).
- ``ship_return`` (ShipReturn, after-sales' identity only): the buyer's
  parcel — carrier and tracking number — makes the return a package,
  SHIPPED; from then on it follows its carrier exactly as an outbound
  package does (``tracking``: the subscription, the pushes, the re-query
  timer) up to DELIVERED, the goods at the warehouse.

Every status change publishes ``logistics.order.changed`` (role
ROLE_RETURN, ``application_id`` set, no ``log_order_id``: trade mirrors
ROLE_ORDERs only). A return never counts as a package of its trade order:
no ROLE_ORDER's units or status depend on it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from logistics import domain, orders, shipping, tracking, views
from logistics import store as t
from logistics import values as v
from logistics import warehouses as wh
from zhongtai.db import Database, changed, insert_ignore
from zhongtai.errors import InvalidArgument
from zhongtai.ids import new_id
from zhongtai.logistics.v1 import logistics_pb2 as pb

LO = t.logistics_orders.c
LL = t.logistics_lines.c


async def create_return(s: AsyncSession, db: Database, asked: domain.AskedReturn,
                        now: dt.datetime) -> v.LogisticsOrder:
    """The return of ``asked.quantity`` units of line ``asked.order_id`` for
    application ``asked.application_id``: WAIT_SHIP, published; the return.

    The same application again (whatever else it says) is the same return,
    nothing written. Refusals write nothing: a request contradicting the
    line's logistics order (``domain.check_return``, INVALID_ARGUMENT), no
    warehouse known to take the goods (NO_RETURN_WAREHOUSE)."""
    existing = await _of_application(s, asked.application_id)
    if existing is not None:
        return existing
    line_row = (await s.execute(select(t.logistics_orders).where(
        LO.role == domain.ROLE_ORDER, LO.order_id == asked.order_id))).first()
    line = None if line_row is None else await _returned_line(s, line_row)
    domain.check_return(asked, line)
    warehouse_id = domain.return_warehouse(line, await _first_seller_plans(s, asked.seller_id))
    if not warehouse_id:
        raise domain.no_return_warehouse(asked)
    warehouse = await wh.get_warehouse(s, warehouse_id)
    came_from = asked.from_address if asked.from_address is not None else (
        views.address_from_json(line_row.address) if line_row is not None else v.Address())
    lo_id = new_id()
    if not await changed(s, insert_ignore(db.dialect, t.logistics_orders).values(
            logistics_order_id=lo_id, role=domain.ROLE_RETURN, status=domain.WAIT_SHIP,
            log_order_id=None, order_id=asked.order_id, top_order_id=asked.top_order_id,
            seller_id=asked.seller_id, buyer_id=asked.buyer_id,
            address=views.address_json(warehouse.address or v.Address()),
            delivery_method=pb.DELIVERY_METHOD_EXPRESS, split=False, parent_id="",
            merged_into="", is_package=False, carrier="", tracking_no="", exception=False,
            total_quantity=asked.quantity, shipped_quantity=0,
            application_id=asked.application_id, warehouse_id=warehouse_id,
            return_from=views.address_json(came_from),
            created_at=now, updated_at=now)):
        # The same application created it meanwhile (its row was locked).
        found = await _of_application(s, asked.application_id)
        assert found is not None
        return found
    await s.execute(t.logistics_lines.insert().values(
        logistics_order_id=lo_id, seq=0, order_id=asked.order_id, sku_id=asked.sku_id,
        quantity=asked.quantity))
    await orders.publish_changed(
        s, lo_id, pb.LOGISTICS_ORDER_STATUS_UNSPECIFIED, now,
        f"return of application {asked.application_id} to warehouse {warehouse_id}")
    return await orders.get(s, lo_id)


async def ship_return(s: AsyncSession, db: Database, *, logistics_order_id: str,
                      carrier: str, tracking_no: str, policy: domain.TrackingPolicy,
                      now: dt.datetime) -> v.LogisticsOrder:
    """The buyer's parcel: the return (locked) is a package of ``carrier``
    and ``tracking_no``, SHIPPED (``domain.RETURN``), published, and tracked
    as ShipPackage's packages are (``tracking.arm``); the return after it.

    The same waybill again answers the return as it is, nothing changed.
    Refusals change nothing: not a return (INVALID_ARGUMENT
    logistics_order_id), shipped with another waybill (NOTHING_TO_SHIP), the
    carrier's number another package's (TRACKING_NO_IN_USE)."""
    domain.validate_ship_return(carrier)
    carrier, tracking_no = carrier.strip(), tracking_no.strip()
    row = await orders.load(s, logistics_order_id, lock=True)
    lo_id = row.logistics_order_id
    if row.role != domain.ROLE_RETURN:
        raise InvalidArgument.field("logistics_order_id", f"{lo_id} is not a return")
    if row.is_package and (row.carrier, row.tracking_no) == (carrier, tracking_no):
        return await orders.get(s, lo_id)
    status = domain.RETURN.next(row.status, domain.SHIP_RETURN, lo_id)
    await shipping.claim_waybill(s, db, carrier, tracking_no, lo_id)
    await s.execute(update(t.logistics_orders).where(LO.logistics_order_id == lo_id).values(
        status=status, is_package=True, carrier=carrier, tracking_no=tracking_no,
        shipped_quantity=row.total_quantity, ship_time=now, updated_at=now))
    await orders.publish_changed(s, lo_id, row.status, now,
                                 f"return shipped with {carrier} {tracking_no}")
    await tracking.arm(s, db, lo_id, policy, now)
    return await orders.get(s, lo_id)


async def _of_application(s: AsyncSession, application_id: str) -> v.LogisticsOrder | None:
    row = (await s.execute(select(t.logistics_orders)
                           .where(LO.application_id == application_id))).first()
    return None if row is None else (await orders.values_of(s, [row]))[0]


async def _returned_line(s: AsyncSession, row: Any) -> domain.ReturnedLine:
    sku_id = (await s.execute(select(LL.sku_id).where(
        LL.logistics_order_id == row.logistics_order_id))).scalar() or ""
    return domain.ReturnedLine(row.top_order_id, row.seller_id, row.buyer_id, sku_id,
                               row.total_quantity, row.shipped_quantity, views.plan(row.plan))


async def _first_seller_plans(s: AsyncSession, seller_id: str
                              ) -> list[tuple[v.Shipment, ...]]:
    """The plan of the seller's oldest logistics order that has one (ids
    are time-ordered), as ``domain.return_warehouse`` reads them."""
    stored = (await s.execute(
        select(LO.plan).where(LO.seller_id == seller_id, LO.role == domain.ROLE_ORDER,
                              LO.plan.is_not(None), LO.plan != "[]")
        .order_by(LO.logistics_order_id).limit(1))).scalar()
    return [views.plan(stored)] if stored else []
