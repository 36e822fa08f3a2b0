"""logistics' consumers of trade's events (queue ``logistics.trade-events``):
each reads the facts it needs from the message and calls the use case in
``orders``, in the transaction the inbox opened.

* ``trade.order.paid``: the lines that ship (those trade gave a log_order,
  with its address; the line's quantity) become ROLE_ORDERs;
* ``trade.order.cancelled``: the order's unshipped logistics orders are
  cancelled;
* ``trade.order.refunded``: a line refunded in full before shipment
  (``line_cancelled``) loses its ROLE_ORDER.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from logistics import orders, views
from logistics.values import PaidLine
from zhongtai.db import Database
from zhongtai.trade.v1 import events_pb2 as trade_events
from zhongtai.wire import to_datetime


async def order_paid(s: AsyncSession, db: Database, event: trade_events.OrderPaid,
                     now: dt.datetime) -> None:
    """``orders.on_order_paid`` for the paid order's lines with a log_order,
    paid at the event's time."""
    order = event.order
    lines = [PaidLine(line.log_order.log_order_id, line.order_id, line.seller_id,
                      line.item.sku_id, line.quantity, views.address_of(line.log_order.address))
             for line in [order, *order.sub_orders] if line.HasField("log_order")]
    await orders.on_order_paid(
        s, db, order_id=order.order_id, buyer_id=order.buyer_id, lines=lines,
        paid_at=to_datetime(event.occur_time) if event.HasField("occur_time") else None,
        now=now)


async def order_cancelled(s: AsyncSession, event: trade_events.OrderCancelled,
                          now: dt.datetime) -> None:
    """``orders.on_order_cancelled`` for the order's log orders."""
    order = event.order
    await orders.on_order_cancelled(
        s, order_id=order.order_id,
        log_order_ids=[line.log_order.log_order_id for line in [order, *order.sub_orders]
                       if line.HasField("log_order")], now=now)


async def order_refunded(s: AsyncSession, event: trade_events.OrderRefunded,
                         now: dt.datetime) -> None:
    """``orders.on_order_refunded`` for the refunded line."""
    await orders.on_order_refunded(s, line_id=event.plan.line_order_id,
                                   line_cancelled=event.line_cancelled, now=now)
