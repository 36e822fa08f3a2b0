"""logistics orders as protobuf: stored rows → ``LogisticsOrder`` (with its
lines, children, tracking and flags, read by the caller), a carrier's event
→ ``TrackingEvent``, a stored plan ↔ its JSON. No database here."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from google.protobuf import json_format

from zhongtai.common.v1.common_pb2 import Address, Operator
from zhongtai.logistics.v1 import logistics_pb2 as pb
from zhongtai.wire import timestamp


def logistics_order(r: Any, lines: Sequence[Any], child_ids: Sequence[str],
                    events: Sequence[Any], flags: Sequence[Any]) -> pb.LogisticsOrder:
    """A ``logistics_orders`` row with its ``logistics_lines``, children's ids
    (split children of an order, members of a merge master),
    ``tracking_events`` (by occurrence) and ``logistics_flags`` rows."""
    lo = pb.LogisticsOrder(
        logistics_order_id=r.logistics_order_id, role=r.role, status=r.status,
        log_order_id=r.log_order_id or "", order_id=r.order_id,
        top_order_id=r.top_order_id, seller_id=r.seller_id, buyer_id=r.buyer_id,
        address=json_format.Parse(r.address, Address()),
        delivery_method=r.delivery_method,
        lines=[pb.LogisticsLine(order_id=x.order_id, sku_id=x.sku_id, quantity=x.quantity)
               for x in lines],
        split=r.split, parent_id=r.parent_id, merged_into=r.merged_into,
        child_ids=child_ids, is_package=r.is_package,
        carrier=r.carrier, tracking_no=r.tracking_no,
        tracking=[tracking_event(e.event_id, e.milestone, e.occurred_at, e.location,
                                 e.description) for e in events],
        exception=r.exception,
        flags=[pb.LogisticsFlag(flag=f.flag, note=f.note,
                                operator=Operator(role=f.operator_role, id=f.operator_id),
                                create_time=timestamp(f.created_at))
               for f in flags],
        shipped_quantity=r.shipped_quantity,
        create_time=timestamp(r.created_at), update_time=timestamp(r.updated_at),
        plan=plan(r.plan),
        plan_note=r.plan_note,
        application_id=r.application_id or "", warehouse_id=r.warehouse_id)
    if r.return_from is not None:
        lo.return_from.CopyFrom(json_format.Parse(r.return_from, Address()))
    if r.eta is not None:
        lo.estimated_delivery_time.CopyFrom(timestamp(r.eta))
    if r.ship_time is not None:
        lo.ship_time.CopyFrom(timestamp(r.ship_time))
    if r.deliver_time is not None:
        lo.deliver_time.CopyFrom(timestamp(r.deliver_time))
    return lo


def tracking_event(event_id: str, milestone: int, occurred_at: dt.datetime,
                   location: str, description: str) -> pb.TrackingEvent:
    """A carrier's event as the timeline shows it."""
    return pb.TrackingEvent(event_id=event_id, milestone=milestone,  # type: ignore[arg-type]
                            occur_time=timestamp(occurred_at), location=location,
                            description=description)


def plan(stored: str | None) -> list[pb.PlannedShipment]:
    """A ROLE_ORDER's stored plan (``logistics_orders.plan``; none: empty)."""
    return [json_format.ParseDict(x, pb.PlannedShipment()) for x in json.loads(stored or "[]")]


def plan_json(shipments: Iterable[pb.PlannedShipment]) -> str:
    """A ROLE_ORDER's plan as stored (``logistics_orders.plan``)."""
    return json.dumps([json_format.MessageToDict(x) for x in shipments])


def group(rows: Iterable[Any]) -> Mapping[str, list[Any]]:
    """Rows by their ``logistics_order_id``, in the order given."""
    grouped: dict[str, list[Any]] = {}
    for r in rows:
        grouped.setdefault(r.logistics_order_id, []).append(r)
    return grouped
