"""Helpers for the fulfilment end-to-end tests: paid orders, logistics'
``logistics.order.changed`` events published on the embedded bus (what
logistics sends trade), redelivery of recorded events."""

from __future__ import annotations

import dataclasses

from tests.builders import cny
from tests.conftest import eventually
from tests.e2e.platform import Platform
from tests.e2e.support import order_request, status_is
from zhongtai.bus import PublishError
from zhongtai.db import utcnow
from zhongtai.events import Envelope
from zhongtai.ids import new_id
from zhongtai.logistics.v1 import events_pb2 as lev
from zhongtai.logistics.v1 import logistics_pb2 as lg
from zhongtai.payment.v1 import payment_pb2 as pb
from zhongtai.trade.v1 import trade_pb2 as tr

SHIPPED = "zhongtai.trade.v1.OrderShipped"
COMPLETED = "zhongtai.trade.v1.OrderCompleted"
CANCELLED = "zhongtai.trade.v1.OrderCancelled"
VOUCHERS_ISSUED = "zhongtai.trade.v1.VouchersIssued"


async def pay_by_balance(p: Platform, buyer: str, order: tr.Order) -> pb.Payment:
    await p.payment.TopUpBalance(pb.TopUpBalanceRequest(buyer_id=buyer, amount=cny(100_000)))
    po = order.pay_order
    payment = (await p.payment.CreatePayment(pb.CreatePaymentRequest(
        buyer_id=buyer, method=pb.METHOD_BALANCE,
        parts=[pb.PaymentPart(pay_order_id=po.pay_order_id, order_id=po.order_id,
                              amount=po.actual_amount)]))).payment
    assert payment.status == pb.PAYMENT_STATUS_SUCCEEDED
    return payment


async def paid_order(p: Platform, buyer: str, lines: list[tuple[str, int]],
                     status: int = tr.ORDER_STATUS_WAIT_SHIP) -> tr.Order:
    order = (await p.stubs.trade.CreateOrder(order_request(buyer, lines))).order
    await pay_by_balance(p, buyer, order)
    await eventually(lambda: status_is(p.stubs, order.order_id, status))
    return await order_of(p, order.order_id)


async def order_of(p: Platform, order_id: str) -> tr.Order:
    return (await p.stubs.trade.GetOrder(tr.GetOrderRequest(order_id=order_id))).order


async def deliver(p: Platform, envelope: Envelope) -> None:
    """Publish on the in-process bus (it returns when every consumer has
    committed). Only trade's and payment's consumers must succeed: another
    service refusing the event is not what these tests are about."""
    try:
        await p.runtime.bus.publish(envelope)
    except PublishError as e:
        failed = [part.split(":")[0].strip() for part in str(e).split(";")]
        mine = [q for q in failed if q.startswith(("trade.", "payment."))]
        assert not mine, str(e)


def logistics_changed(line: tr.Order, status: int, top_order_id: str,
                      logistics_order_id: str | None = None) -> Envelope:
    """logistics.order.changed for a line's (single or sub order's) log_order."""
    lo_id = logistics_order_id or f"lo-{line.log_order.log_order_id}"
    event = lev.LogisticsOrderChanged(
        logistics_order=lg.LogisticsOrder(
            logistics_order_id=lo_id, role=lg.LOGISTICS_ORDER_ROLE_ORDER, status=status,
            log_order_id=line.log_order.log_order_id, order_id=line.order_id,
            top_order_id=top_order_id, seller_id=line.seller_id, buyer_id=line.buyer_id))
    return Envelope(event_id=new_id(), routing_key="logistics.order.changed",
                    event_type=event.DESCRIPTOR.full_name,
                    payload=event.SerializeToString(), aggregate_id=lo_id,
                    occurred_at=utcnow())


async def ship(p: Platform, order: tr.Order, line: tr.Order, status: int) -> None:
    await deliver(p, logistics_changed(line, status, order.order_id))


def again(envelope: Envelope, *, new_event_id: bool) -> Envelope:
    """The same event redelivered, or the same content under a new id."""
    return dataclasses.replace(envelope, event_id=new_id()) if new_event_id else envelope
