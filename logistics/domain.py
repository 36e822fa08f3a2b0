"""logistics' rules of logistics orders and packages: their statuses, the
share of a warehouse plan each order gets and the warehouses its shipped
units leave. No database, gRPC, broker or clock here; logistics.proto's
messages are read and its enum values used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from zhongtai.errors import Violations
from zhongtai.logistics.v1 import logistics_pb2 as pb

ROLE_ORDER = pb.LOGISTICS_ORDER_ROLE_ORDER
ROLE_SPLIT_CHILD = pb.LOGISTICS_ORDER_ROLE_SPLIT_CHILD
ROLE_MERGE_MASTER = pb.LOGISTICS_ORDER_ROLE_MERGE_MASTER

WAIT_SHIP = pb.LOGISTICS_ORDER_STATUS_WAIT_SHIP
PARTIALLY_SHIPPED = pb.LOGISTICS_ORDER_STATUS_PARTIALLY_SHIPPED
SHIPPED = pb.LOGISTICS_ORDER_STATUS_SHIPPED
IN_TRANSIT = pb.LOGISTICS_ORDER_STATUS_IN_TRANSIT
OUT_FOR_DELIVERY = pb.LOGISTICS_ORDER_STATUS_OUT_FOR_DELIVERY
DELIVERED = pb.LOGISTICS_ORDER_STATUS_DELIVERED
CANCELLED = pb.LOGISTICS_ORDER_STATUS_CANCELLED

# Where a package is after a carrier milestone (EXCEPTION moves nothing).
MILESTONE_STATUS: Mapping[int, int] = {
    pb.TRACKING_MILESTONE_ACCEPTED: SHIPPED,
    pb.TRACKING_MILESTONE_IN_TRANSIT: IN_TRANSIT,
    pb.TRACKING_MILESTONE_OUT_FOR_DELIVERY: OUT_FOR_DELIVERY,
    pb.TRACKING_MILESTONE_DELIVERED: DELIVERED,
}
# How far along a travelling status is (the package statuses are ordered).
TRAVELLING = (SHIPPED, IN_TRANSIT, OUT_FOR_DELIVERY, DELIVERED)

MAX_PACKAGE_ITEMS = 100
MAX_FLAG = 64
MAX_NOTE = 2000


def package_status_after(current: int, milestone: int) -> int:
    """A package's status after a carrier milestone: the furthest reached,
    whatever order the events arrive in."""
    reached = MILESTONE_STATUS.get(milestone)
    if reached is None or current not in TRAVELLING:
        return current
    return max(current, reached)


def order_status(total: int, shipped: int, package_statuses: Sequence[int],
                 cancelled: bool = False) -> int:
    """A ROLE_ORDER's status: CANCELLED; nothing shipped; some shipped; else as
    far as its slowest package."""
    if cancelled:
        return CANCELLED
    if shipped <= 0:
        return WAIT_SHIP
    if shipped < total:
        return PARTIALLY_SHIPPED
    return min(package_statuses) if package_statuses else SHIPPED


def validate_ship(req: pb.ShipPackageRequest) -> None:
    v = Violations()
    v.check(bool(req.seller_id), "seller_id", "is required")
    v.check(bool(req.carrier.strip()), "carrier", "is required")
    v.check(len(req.carrier) <= 32, "carrier", "must be at most 32 characters")
    v.check(bool(req.tracking_no.strip()), "tracking_no", "is required")
    v.check(len(req.tracking_no) <= 64, "tracking_no", "must be at most 64 characters")
    v.check(0 < len(req.items) <= MAX_PACKAGE_ITEMS, "items",
            f"must list 1 to {MAX_PACKAGE_ITEMS} logistics orders")
    seen: set[str] = set()
    for i, item in enumerate(req.items):
        v.check(bool(item.logistics_order_id), f"items[{i}].logistics_order_id", "is required")
        v.check(item.logistics_order_id not in seen, f"items[{i}].logistics_order_id",
                "is listed twice")
        seen.add(item.logistics_order_id)
        v.check(item.quantity >= 0, f"items[{i}].quantity", "must not be negative")
    v.raise_if_any()


def validate_flag(req: pb.FlagLogisticsOrderRequest) -> None:
    v = Violations()
    v.check(bool(req.logistics_order_id), "logistics_order_id", "is required")
    v.check(bool(req.flag.strip()), "flag", "is required")
    v.check(len(req.flag) <= MAX_FLAG, "flag", f"must be at most {MAX_FLAG} characters")
    v.check(len(req.note) <= MAX_NOTE, "note", f"must be at most {MAX_NOTE} characters")
    v.check(bool(req.operator.id), "operator.id", "is required")
    v.raise_if_any()


def shares_of_plan(
    orders: Sequence[tuple[str, str, int]],
    packages: Sequence[tuple[str, str, dt.datetime, Sequence[tuple[str, int]],
                             Mapping[str, int]]],
) -> dict[str, list[pb.PlannedShipment]]:
    """Each order's share of a warehouse plan.

    ``orders``: (logistics order id, SKU, units), in order; ``packages``:
    (warehouse, transfer-from warehouse, ETA, [(SKU, units)], {SKU: units
    transferred}). A package's own units of a SKU, then its units transferred
    from the parent, go to that SKU's orders in turn. A share is all own
    units (no transfer-from) or all transferred ones, so every order gets
    exactly its units (when the plan covers them) and the shares add up, per
    warehouse and transfer-from, to exactly the plan's lines and transfer
    lines."""
    left = {lo_id: units for lo_id, _, units in orders}
    shares: dict[str, list[pb.PlannedShipment]] = {}
    for warehouse_id, transfer_from, eta, lines, transferred in packages:
        for sku_id, units in lines:
            moved = transferred.get(sku_id, 0)
            for source, portion in (("", units - moved), (transfer_from, moved)):
                rest = portion
                for lo_id, sku, _ in orders:
                    if sku != sku_id or rest <= 0 or left[lo_id] <= 0:
                        continue
                    take = min(rest, left[lo_id])
                    left[lo_id] -= take
                    rest -= take
                    share = pb.PlannedShipment(warehouse_id=warehouse_id, quantity=take,
                                               transfer_from_warehouse_id=source)
                    share.estimated_delivery_time.FromDatetime(eta)
                    shares.setdefault(lo_id, []).append(share)
    return shares


def leaving_warehouses(plan: Sequence[pb.PlannedShipment], shipped_before: int,
                       quantity: int) -> list[tuple[str, int]]:
    """Which warehouses the next ``quantity`` units of an order leave from,
    as (warehouse id, units), when ``shipped_before`` units already left.

    The order's plan is consumed share by share, in its order (packages in
    the plan's order, each one's own units before its transferred ones); a
    transferred share's units leave its transfer-from warehouse (the parent:
    the transfer is not booked separately), any other share's its warehouse.
    Units beyond the plan (none, or one that does not cover them) leave from
    an unknown warehouse, ``""``."""
    out: dict[str, int] = {}
    skip, want = shipped_before, quantity
    for share in plan:
        units = share.quantity
        skipped = min(skip, units)
        skip -= skipped
        take = min(units - skipped, want)
        if take > 0:
            source = share.transfer_from_warehouse_id or share.warehouse_id
            out[source] = out.get(source, 0) + take
            want -= take
    if want > 0:
        out[""] = out.get("", 0) + want
    return list(out.items())
