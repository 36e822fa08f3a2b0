"""Helpers for payment tests below end to end: payment's use cases driven as
the service drives them, on the in-memory unit of work or on a database of
payment's own (the in-memory channel and trade are tests/fakes.py's). Calls
are made as ``Payments.caller`` (a service, unless a test says otherwise),
as the server makes them after checking the credential and the request's
limits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import func, select

from payment import capture, consumers, opening, views
from payment import store as t
from payment.api import PaymentServicer
from payment.app import policy
from payment.channels.base import Channel, Notification
from payment.channels.registry import Channels
from payment.fakes import InMemoryPaymentUnitOfWork
from payment.repository import PaymentUnitOfWork
from payment.rules import Policy
from payment.settings import PaymentSettings
from payment.sql_repository import SqlPaymentUnitOfWork
from payment.workers import AttemptSweep, RefundSweep
from tests.builders import cny
from tests.fakes import FakeTrade
from zhongtai.auth import Identity, reset_identity, set_identity
from zhongtai.db import Database, utcnow
from zhongtai.events import routing_key
from zhongtai.payment.v1 import payment_pb2 as pb
from zhongtai.trade.v1 import events_pb2 as trade_events
from zhongtai.validation import Validator


class _Context:
    """The servicer context a test call has (no deadline)."""

    def time_remaining(self) -> float | None:
        return None


CONTEXT: Any = _Context()
SERVICE = Identity.for_service("test-front")


class _AsCaller:
    """The servicer, each call made as ``caller`` with a request within its
    contract's limits (what the server checks and sets before the servicer
    runs)."""

    def __init__(self, servicer: PaymentServicer, caller: Identity) -> None:
        self._servicer = servicer
        self._caller = caller

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._servicer, name)

        async def call(request: Any, context: Any = CONTEXT) -> Any:
            Validator().check(request)
            token = set_identity(self._caller)
            try:
                return await method(request, context)
            finally:
                reset_identity(token)

        return call


@dataclass
class Payments:
    """payment's use cases over one unit-of-work factory, as the servicer,
    the callback server, the consumers and the sweeps call them (protobuf in
    and out). ``db`` when the units of work are SQL ones."""

    uows: Callable[[], PaymentUnitOfWork]
    channels: Channels
    trade: FakeTrade
    policy: Policy
    db: Database | None = None
    # The sweeps' clock: a day later at each run_sweeps, so all is due.
    sweep_time: dt.datetime = field(default_factory=utcnow)
    # Who calls the servicer.
    caller: Identity = SERVICE

    @property
    def api(self) -> Any:
        """The servicer, called as ``caller``."""
        return _AsCaller(PaymentServicer(self.uows, self.channels,
                                         self.trade,  # type: ignore[arg-type]
                                         self.policy, PaymentSettings().cod_denied_provinces),
                         self.caller)

    def as_(self, caller: Identity) -> Payments:
        """The same payments, called as someone else."""
        return replace(self, caller=caller)

    @property
    def memory(self) -> InMemoryPaymentUnitOfWork:
        uow = self.uows()
        assert isinstance(uow, InMemoryPaymentUnitOfWork)
        return uow

    async def create_payment(self, req: pb.CreatePaymentRequest) -> pb.CreatePaymentResponse:
        return await self.api.CreatePayment(req, CONTEXT)

    async def switch_channel(self, req: pb.SwitchChannelRequest) -> pb.SwitchChannelResponse:
        return await self.api.SwitchChannel(req, CONTEXT)

    async def close_payment_at_channels(self, req: pb.ClosePaymentRequest) -> None:
        await opening.close_at_channels_first(self.uows, self.channels, req.payment_id,
                                              self.caller)

    async def close_payment(self, req: pb.ClosePaymentRequest) -> pb.ClosePaymentResponse:
        """ClosePayment's transaction alone (without closing the channel trades first)."""
        async with self.uows() as uow:
            p = await opening.close_payment(uow, req.payment_id, req.reason, self.caller,
                                            utcnow())
        return pb.ClosePaymentResponse(payment=views.payment(p))

    async def create_refund(self, req: pb.CreateRefundRequest) -> pb.CreateRefundResponse:
        return await self.api.CreateRefund(req, CONTEXT)

    async def handle_notification(self, channel: Channel, n: Notification) -> str:
        async with self.uows() as uow:
            return await capture.handle_notification(uow, channel.name, n, utcnow())

    async def on_order_closed(self, event: trade_events.OrderCancelled) -> None:
        async with self.uows() as uow:
            await consumers.order_closed(uow, event, utcnow())

    async def on_payment_rejected(self, event: trade_events.PaymentRejected) -> None:
        async with self.uows() as uow:
            await consumers.payment_rejected(uow, event, utcnow())

    async def run_sweeps(self) -> None:
        """One pass of both sweeps, whatever their due time (a day later each pass)."""
        self.sweep_time += dt.timedelta(days=1)
        refunds_, attempts = (cls(self.uows, self.channels, self.policy,
                                  clock=lambda: self.sweep_time)
                              for cls in (RefundSweep, AttemptSweep))
        await refunds_.step()
        await attempts.step()


def payments_for(db: Database, channel: Channel, trade: FakeTrade | None = None,
                 **settings: Any) -> Payments:
    """payment's use cases on a database of its own."""
    return Payments(lambda: SqlPaymentUnitOfWork(db), _channels(channel), trade or FakeTrade(),
                    policy(PaymentSettings(**settings)), db)


def in_memory(channel: Channel, trade: FakeTrade | None = None, **settings: Any) -> Payments:
    """payment's use cases on the in-memory unit of work."""
    uow = InMemoryPaymentUnitOfWork()
    return Payments(lambda: uow, _channels(channel), trade or FakeTrade(),
                    policy(PaymentSettings(**settings)))


def _channels(channel: Channel) -> Channels:
    return Channels({pb.METHOD_SANDBOX: channel}, notify_base=lambda: "http://127.0.0.1:1")


def create_request(pay_order: str, amount: int, method: int = pb.METHOD_SANDBOX,
                   buyer: str = "buyer-1", order: str | None = None,
                   request_id: str = "") -> pb.CreatePaymentRequest:
    return pb.CreatePaymentRequest(
        request_id=request_id, buyer_id=buyer, method=method,  # type: ignore[arg-type]
        parts=[pb.PaymentPart(pay_order_id=pay_order, order_id=order or f"o-{pay_order}",
                              amount=cny(amount))])


async def top_up(payments: Payments, buyer: str, amount: int) -> None:
    await payments.api.TopUpBalance(pb.TopUpBalanceRequest(buyer_id=buyer, amount=cny(amount)),
                                    CONTEXT)


async def get(payments: Payments, payment_id: str) -> pb.Payment:
    return (await payments.api.GetPayment(pb.GetPaymentRequest(payment_id=payment_id),
                                          CONTEXT)).payment


async def outbox_count(where: Database | Payments, key: str) -> int:
    """How many events under a routing key were published (committed)."""
    if isinstance(where, Payments):
        return sum(routing_key(e) == key for e, _ in where.memory.published)
    ob = where.plumbing.outbox
    async with where.transaction() as s:
        return int((await s.execute(select(func.count()).select_from(ob)
                                    .where(ob.c.routing_key == key))).scalar_one())


async def refund_rows(where: Database | Payments, payment_id: str) -> list[Any]:
    """A payment's refunds as stored (refund_id order)."""
    if isinstance(where, Payments):
        return sorted(where.memory.state.payments[payment_id].refunds,
                      key=lambda r: r.refund_id)
    async with where.transaction() as s:
        return list((await s.execute(select(t.refunds).where(
            t.refunds.c.payment_id == payment_id).order_by(t.refunds.c.refund_id))).all())


async def run_sweeps(payments: Payments) -> None:
    await payments.run_sweeps()
