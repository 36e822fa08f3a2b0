"""trade's events, as payment's use cases take them (``payment.order-events``).

Trade states the facts: a pay order it marked REFUNDING (a paid order it
cancelled) is refunded, in full, to the payment that paid it.
"""

from __future__ import annotations

import datetime as dt

from payment import refunds
from payment.repository import PaymentUnitOfWork
from zhongtai.trade.v1 import events_pb2 as trade_events
from zhongtai.trade.v1 import trade_pb2 as trade_pb


async def order_closed(uow: PaymentUnitOfWork,
                       event: trade_events.OrderCancelled | trade_events.OrderCreationFailed,
                       now: dt.datetime) -> None:
    """An order cancelled, timed out or never created (``refunds.on_order_closed``)."""
    order = event.order
    await refunds.on_order_closed(
        uow, order.order_id, order.pay_order.pay_order_id,
        [(po.pay_order_id, po.payment_id) for po in order.pay_orders
         if po.status == trade_pb.PAY_STATUS_REFUNDING and po.payment_id], now)


async def payment_rejected(uow: PaymentUnitOfWork, event: trade_events.PaymentRejected,
                           now: dt.datetime) -> None:
    """Trade could not take a part (``refunds.on_payment_rejected``)."""
    await refunds.on_payment_rejected(uow, event.payment_id, event.pay_order_id,
                                      event.amount.amount_minor, event.reason, now)
