"""Helpers for payment tests below end to end: shortcuts to the use cases on
a database of payment's own (the in-memory channel is tests/fakes.py's)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from payment import store as t
from payment.channels.base import Channel
from payment.handlers import Payments
from tests.builders import cny
from tests.fakes import FakeTrade
from zhongtai.db import Database, utcnow
from zhongtai.payment.v1 import payment_pb2 as pb


def payments_for(db: Database, channel: Channel, trade: FakeTrade | None = None,
                 **settings: Any) -> Payments:
    from payment.settings import PaymentSettings

    return Payments(db, PaymentSettings(**settings), {pb.METHOD_SANDBOX: channel},
                    notify_base=lambda: "http://127.0.0.1:1",
                    trade=trade or FakeTrade())  # type: ignore[arg-type]


def create_request(pay_order: str, amount: int, method: int = pb.METHOD_SANDBOX,
                   buyer: str = "buyer-1", order: str | None = None,
                   request_id: str = "") -> pb.CreatePaymentRequest:
    return pb.CreatePaymentRequest(
        request_id=request_id, buyer_id=buyer, method=method,  # type: ignore[arg-type]
        parts=[pb.PaymentPart(pay_order_id=pay_order, order_id=order or f"o-{pay_order}",
                              amount=cny(amount))])


async def top_up(payments: Payments, buyer: str, amount: int) -> None:
    async with payments.db.transaction() as s:
        await payments.top_up(s, pb.TopUpBalanceRequest(buyer_id=buyer, amount=cny(amount)))


async def get(payments: Payments, payment_id: str) -> pb.Payment:
    async with payments.db.transaction() as s:
        return await payments.get_payment(s, payment_id)


async def outbox_count(db: Database, routing_key: str) -> int:
    ob = db.plumbing.outbox
    async with db.transaction() as s:
        return int((await s.execute(select(func.count()).select_from(ob)
                                    .where(ob.c.routing_key == routing_key))).scalar_one())


async def refund_rows(db: Database, payment_id: str) -> list[Any]:
    async with db.transaction() as s:
        return list((await s.execute(select(t.refunds).where(
            t.refunds.c.payment_id == payment_id).order_by(t.refunds.c.refund_id))).all())


async def run_sweeps(payments: Payments) -> None:
    """One pass of both sweeps, whatever their due time (tests' clock)."""
    from sqlalchemy import update

    async with payments.db.transaction() as s:
        await s.execute(update(t.refunds).where(t.refunds.c.status == pb.REFUND_STATUS_PENDING)
                        .values(next_attempt_at=utcnow()))
        await s.execute(update(t.payment_attempts)
                        .where(t.payment_attempts.c.status == pb.PAYMENT_STATUS_PENDING)
                        .values(next_check_at=utcnow()))
    for row in await payments.claim_due_refunds(100):
        await payments.submit_refund(row)
    for row in await payments.claim_due_attempts(100):
        await payments.check_attempt(row)
