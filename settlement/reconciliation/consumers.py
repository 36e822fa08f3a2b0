"""Settlement's record of channel transactions, from payment's events
(``settlement.payment``: payment.payment.succeeded, payment.refund.succeeded),
in the inbox's transaction: each SUCCEEDED attempt on a channel is a PAY
(its time the channel's, ``paid_time``), each succeeded refund a REFUND (its
time the event's). Balance payments never reach a channel: not recorded.

A succeeded payment also records which channel transaction paid each of its
orders, with the order's share of the winning attempt's channel instant
discount (``channel_discounts``), and books that share on the order's
clearing if it is there already (settlement.splits ``record_payment``,
settlement.booking ``channel_discounted``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from google.protobuf.message import Message
from sqlalchemy.ext.asyncio import AsyncSession

from settlement import booking, splits
from settlement.clearing import order_channel_discounts
from settlement.reconciliation.matching import Txn
from settlement.reconciliation.store import Reconciliations
from settlement.repository import SqlSettlementUnitOfWork
from settlement.split import Route
from zhongtai.db import Database, utcnow
from zhongtai.events import Envelope
from zhongtai.payment.v1 import events_pb2 as pe
from zhongtai.payment.v1 import payment_pb2 as pp
from zhongtai.service import Subscription
from zhongtai.wire import to_datetime

PAYMENT = Subscription("settlement.payment", (pe.PaymentSucceeded, pe.RefundSucceeded))
CHANNELS = {pp.METHOD_SANDBOX: "sandbox"}
SUCCEEDED = "SUCCEEDED"


def paid_attempts(payment: pp.Payment) -> list[tuple[str, Txn]]:
    """(channel, PAY) of every attempt the channel collected."""
    out = []
    for a in payment.attempts:
        channel = CHANNELS.get(a.method)
        if channel is None or a.status != pp.PAYMENT_STATUS_SUCCEEDED:
            continue
        amount = a.buyer_paid_amount.amount_minor + a.channel_discount_amount.amount_minor
        out.append((channel, Txn("PAY", a.attempt_id, a.channel_transaction_id,
                                 amount or payment.amount.amount_minor,
                                 payment.amount.currency_code, SUCCEEDED,
                                 to_datetime(a.paid_time))))
    return out


def refund_of(event: pe.RefundSucceeded) -> tuple[str, Txn] | None:
    """(channel, REFUND) of a refund to a channel's route."""
    r = event.refund
    for a in event.payment.attempts:
        channel = CHANNELS.get(a.method)
        if a.attempt_id == r.attempt_id and channel is not None:
            return channel, Txn("REFUND", r.refund_id, a.channel_transaction_id,
                                r.amount.amount_minor, r.amount.currency_code, SUCCEEDED,
                                to_datetime(event.occur_time))
    return None


def payment_route(payment: pp.Payment) -> Route:
    """The channel and channel trade of the payment's winning attempt."""
    won = next((a for a in payment.attempts if a.attempt_id == payment.winning_attempt_id),
               None)
    method = won.method if won is not None else payment.method
    channel = CHANNELS.get(method) or pp.Method.Name(method).removeprefix("METHOD_").lower()
    if won is None or method not in CHANNELS:
        return Route(channel, "", "")
    return Route(channel, won.attempt_id, won.channel_transaction_id)


def channel_discounts(payment: pp.Payment) -> dict[str, int]:
    """Each paid order's share of the winning attempt's channel discount
    (settlement.clearing ``order_channel_discounts``); empty without one."""
    won = next((a for a in payment.attempts if a.attempt_id == payment.winning_attempt_id),
               None)
    discount = won.channel_discount_amount.amount_minor if won is not None else 0
    if not discount:
        return {}
    return order_channel_discounts(discount, [(p.pay_order_id, p.order_id,
                                               p.amount.amount_minor) for p in payment.parts])


class PaymentConsumers:
    def __init__(self, db: Database, split_channels: frozenset[str] = frozenset(),
                 clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.db = db
        self.split_channels = split_channels
        self.clock = clock

    def handlers(self) -> dict[type[Message], Any]:
        async def payment_succeeded(session: AsyncSession, e: pe.PaymentSucceeded,
                                    _env: Envelope) -> None:
            repo = Reconciliations(session, self.db.dialect)
            for channel, txn in paid_attempts(e.payment):
                await repo.record(channel, txn)
            shares = channel_discounts(e.payment)
            async with SqlSettlementUnitOfWork(self.db, session) as uow:
                await splits.record_payment(uow, [p.order_id for p in e.payment.parts],
                                            e.payment.payment_id, payment_route(e.payment),
                                            self.split_channels, self.clock(), shares)
                for order_id, amount in sorted(shares.items()):
                    await booking.channel_discounted(uow, order_id, e.payment.payment_id,
                                                     amount, self.clock(),
                                                     split_channels=self.split_channels)

        async def refund_succeeded(session: AsyncSession, e: pe.RefundSucceeded,
                                   _env: Envelope) -> None:
            repo = Reconciliations(session, self.db.dialect)
            found = refund_of(e)
            for channel, txn in [*paid_attempts(e.payment), *([found] if found else [])]:
                await repo.record(channel, txn)

        return {pe.PaymentSucceeded: payment_succeeded, pe.RefundSucceeded: refund_succeeded}
