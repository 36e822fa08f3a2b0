"""settlement's consumers of trade's events: each reads its message into
the plain facts a use case of ``settlement.booking`` takes (``paid_order``,
``refund_of``: the mapping layer), in the transaction the inbox opened (the
unit of work joins it; the inbox dedupes redeliveries).

``settlement.trade``: trade.order.paid, refund_opened, refund_closed,
refunded, after_sales_ended, cancelled (paid ones).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from google.protobuf.message import Message
from sqlalchemy.ext.asyncio import AsyncSession

from settlement import booking
from settlement.clearing import Deduction, SellerPart
from settlement.order import Refund
from settlement.repository import Clock, SqlSettlementUnitOfWork
from settlement.settings import SettlementSettings
from zhongtai.db import Database, utcnow
from zhongtai.events import Envelope
from zhongtai.promotion.v1 import promotion_pb2 as promo
from zhongtai.service import Subscription
from zhongtai.trade.v1 import events_pb2 as te
from zhongtai.trade.v1 import trade_pb2 as trade
from zhongtai.wire import to_datetime


def deductions_of(ds: Iterable[promo.Deduction]) -> tuple[Deduction, ...]:
    """Trade's deductions with their bearers' amounts."""
    return tuple(Deduction(d.kind, d.source_id, d.platform_amount.amount_minor,
                           d.merchant_amount.amount_minor) for d in ds)


def seller_parts(order: trade.Order) -> tuple[SellerPart, ...]:
    """The order's lines (goods at their prices plus the adjustment, the
    seller's freight, the deductions) summed per seller (a single order:
    itself)."""
    lines = list(order.sub_orders) or [order]
    acc: dict[str, list[SellerPart]] = defaultdict(list)
    for x in lines:
        acc[x.seller_id].append(SellerPart(
            x.seller_id, x.total_amount.amount_minor + x.adjust_amount.amount_minor,
            x.freight_amount.amount_minor, deductions_of(x.deductions)))
    return tuple(SellerPart(s, sum(p.goods for p in ps), sum(p.freight for p in ps),
                            tuple(d for p in ps for d in p.deductions))
                 for s, ps in acc.items())


def paid_order(order: trade.Order) -> booking.PaidOrder:
    """The facts of ``trade.order.paid``'s order (fully paid: every pay order
    of it PAID)."""
    pay_orders = list(order.pay_orders) or [order.pay_order]
    return booking.PaidOrder(
        order.order_id, order.buyer_id, order.business_type, order.total_amount.currency_code,
        to_datetime(order.create_time), seller_parts(order),
        all(p.status == trade.PAY_STATUS_PAID for p in pay_orders))


def refund_of(plan: trade.RefundPlan) -> Refund:
    """A refund plan's money: the seller's cash, freight and deductions."""
    return Refund(plan.application_id, plan.seller_id, plan.cash_amount.amount_minor,
                  plan.freight_amount.amount_minor, deductions_of(plan.deductions),
                  plan.shipped)


TRADE = Subscription("settlement.trade", (
    te.OrderPaid, te.OrderRefundOpened, te.OrderRefundClosed, te.OrderRefunded,
    te.OrderAfterSalesEnded, te.OrderCancelled))

Handler = Callable[[AsyncSession, Any, Envelope], Awaitable[None]]


class Consumers:
    """The event handlers ``(session, event, envelope)`` of settlement's queue."""

    def __init__(self, db: Database, settings: SettlementSettings,
                 clock: Clock = utcnow) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock

    def handlers(self) -> dict[type[Message], Handler]:
        s = self.settings
        split = s.split_channel_set()

        def run(act: Callable[[SqlSettlementUnitOfWork, Any], Awaitable[None]]) -> Handler:
            async def handle(session: AsyncSession, event: Any,
                             _env: Envelope) -> None:
                async with SqlSettlementUnitOfWork(self.db, session) as uow:
                    await act(uow, event)
            return handle

        return {
            te.OrderPaid: run(lambda u, e: booking.order_paid(u, paid_order(e.order), s,
                                                              self.clock())),
            te.OrderRefundOpened: run(lambda u, e: booking.refund_opened(
                u, e.order.order_id, e.application_id, self.clock())),
            te.OrderRefundClosed: run(lambda u, e: booking.refund_closed(
                u, e.order.order_id, e.application_id, self.clock(), split_channels=split)),
            te.OrderRefunded: run(lambda u, e: booking.order_refunded(
                u, e.order.order_id, refund_of(e.plan), self.clock(), split_channels=split)),
            te.OrderAfterSalesEnded: run(lambda u, e: booking.after_sales_ended(
                u, e.order.order_id, self.clock(), split_channels=split)),
            te.OrderCancelled: run(lambda u, e: booking.order_cancelled(
                u, e.order.order_id, e.paid, self.clock())),
        }
