"""Helpers for the tests of a paid order cancelled before shipping (trade's
ship timeout): the OrderCancelled / OrderPaid events trade publishes, built
by hand, handed to the real consumers of catalog and promotion (the inbox
included), and the events those services wrote to their outbox."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import select

from tests.builders import envelope
from zhongtai.bus import Handler
from zhongtai.config import Settings
from zhongtai.db import Database
from zhongtai.events import Envelope
from zhongtai.service import ServiceContext, ServiceSpec
from zhongtai.trade.v1 import events_pb2 as ev
from zhongtai.trade.v1 import trade_pb2 as tr


def consumers(spec: ServiceSpec, db: Database) -> Mapping[str, Handler]:
    """The service's bus handlers (queue -> handler), as the runtime wires them."""
    ctx = ServiceContext(settings=Settings(), db=db, bus=cast(Any, None),
                         channel=cast(Any, None))
    return spec.build(ctx).consumers


def ship_timeout_order(order_id: str) -> tr.Order:
    """The order as trade's ship timeout leaves it: cancelled by the system,
    its pay order and pay_status REFUNDING."""
    return tr.Order(
        order_id=order_id, status=tr.ORDER_STATUS_CANCELLED,
        close_reason=tr.CLOSE_REASON_SHIP_TIMEOUT, pay_status=tr.PAY_STATUS_REFUNDING,
        logistics_status=tr.LOGISTICS_STATUS_CANCELLED,
        pay_orders=[tr.PayOrder(pay_order_id=f"po-{order_id}", order_id=order_id,
                                status=tr.PAY_STATUS_REFUNDING, payment_id=f"pay-{order_id}")])


def cancelled(order_id: str, *, paid: bool = True, event_id: str | None = None) -> Envelope:
    """trade.order.cancelled: after a ship timeout (paid), or a buyer's cancel
    of an unpaid order."""
    order = (ship_timeout_order(order_id) if paid else tr.Order(
        order_id=order_id, status=tr.ORDER_STATUS_CANCELLED,
        close_reason=tr.CLOSE_REASON_BUYER_CANCELLED, pay_status=tr.PAY_STATUS_CLOSED))
    return envelope(ev.OrderCancelled(order=order, paid=paid), "trade.order.cancelled",
                    order_id, event_id)


def paid(order_id: str) -> Envelope:
    order = tr.Order(order_id=order_id, status=tr.ORDER_STATUS_WAIT_SHIP,
                     pay_status=tr.PAY_STATUS_PAID)
    return envelope(ev.OrderPaid(order=order, payment_id=f"pay-{order_id}"),
                    "trade.order.paid", order_id)


async def outbox_events(db: Database, routing_key: str, aggregate_id: str) -> list[Any]:
    """The events the service wrote for an aggregate, decoded, oldest first."""
    ob = db.plumbing.outbox
    async with db.transaction() as s:
        rows = (await s.execute(
            select(ob.c.event_id, ob.c.routing_key, ob.c.event_type, ob.c.payload,
                   ob.c.aggregate_id, ob.c.created_at)
            .where(ob.c.routing_key == routing_key, ob.c.aggregate_id == aggregate_id)
            .order_by(ob.c.id))).all()
    return [Envelope(r.event_id, r.routing_key, r.event_type, r.payload, r.aggregate_id,
                     r.created_at).decode() for r in rows]
