"""Helpers for payment tests below end to end: an in-memory channel and
trade, and payment's use cases driven as the service drives them, on the
in-memory unit of work or on a database of payment's own."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import grpc
from sqlalchemy import func, select

from payment import capture, consumers, opening, views
from payment import store as t
from payment.api import PaymentServicer
from payment.app import policy
from payment.channels.base import (
    Channel,
    ChannelError,
    ChannelTrade,
    Notification,
    NotificationRejected,
    PayParams,
    RefundState,
    RefundStatus,
    StatementLine,
    TradeState,
    TradeStatus,
)
from payment.channels.registry import Channels
from payment.fakes import InMemoryPaymentUnitOfWork
from payment.repository import PaymentUnitOfWork, SqlPaymentUnitOfWork
from payment.rules import Policy
from payment.settings import PaymentSettings
from payment.workers import AttemptSweep, RefundSweep
from zhongtai.common.v1.common_pb2 import Money
from zhongtai.db import Database, utcnow
from zhongtai.events import routing_key
from zhongtai.payment.v1 import payment_pb2 as pb
from zhongtai.trade.v1 import events_pb2 as trade_events
from zhongtai.trade.v1 import trade_pb2 as tr


def cny(amount: int) -> Money:
    return Money(currency_code="CNY", amount_minor=amount)


@dataclass
class FakeChannel(Channel):
    """A channel in memory: trades and refunds by our ids, like a real one.

    ``fail`` makes the next calls raise a ChannelError (retryable unless
    ``fail_retryable`` is False); ``refund_state`` is what refunds settle as
    in the answer (PENDING: they wait for ``settle_refund``).
    """

    name: str = "sandbox"
    trades: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    fail: int = 0
    fail_retryable: bool = True
    refund_state: RefundState = RefundState.PENDING
    calls: list[tuple[str, str]] = field(default_factory=list)

    def _maybe_fail(self, what: str, key: str) -> None:
        self.calls.append((what, key))
        if self.fail > 0:
            self.fail -= 1
            raise ChannelError(f"{what} failed on purpose", retryable=self.fail_retryable)

    async def create(self, trade: ChannelTrade) -> PayParams:
        self._maybe_fail("create", trade.attempt_id)
        self.trades.setdefault(trade.attempt_id, {
            "amount": trade.amount, "currency": trade.currency, "state": TradeState.PENDING,
            "notify_url": trade.notify_url})
        return PayParams(pay_url=f"https://fake.example/pay/{trade.attempt_id}")

    def _status(self, attempt_id: str) -> TradeStatus:
        tr = self.trades.get(attempt_id)
        if tr is None:
            return TradeStatus(attempt_id, TradeState.NOT_FOUND)
        return TradeStatus(attempt_id, tr["state"], tr["amount"], tr["currency"],
                           tr.get("txn", ""), tr.get("paid_at"))

    async def query(self, attempt_id: str) -> TradeStatus:
        self._maybe_fail("query", attempt_id)
        return self._status(attempt_id)

    async def close(self, attempt_id: str) -> TradeStatus:
        self._maybe_fail("close", attempt_id)
        tr = self.trades.get(attempt_id)
        if tr is not None and tr["state"] is TradeState.PENDING:
            tr["state"] = TradeState.CLOSED
        return self._status(attempt_id)

    def pay(self, attempt_id: str, amount: int | None = None) -> Notification:
        """The buyer pays (even a closed trade); the notification the channel sends."""
        tr = self.trades.setdefault(attempt_id, {"amount": amount or 0, "currency": "CNY",
                                                 "state": TradeState.PENDING})
        tr.update(state=TradeState.SUCCEEDED, txn=f"txn-{attempt_id}", paid_at=utcnow())
        return Notification(kind="payment", attempt_id=attempt_id, state="SUCCEEDED",
                            amount=amount if amount is not None else tr["amount"],
                            currency=tr["currency"], channel_transaction_id=tr["txn"],
                            occurred_at=tr["paid_at"])

    async def refund(self, attempt_id: str, refund_id: str, amount: int,
                     currency: str) -> RefundStatus:
        self._maybe_fail("refund", refund_id)
        r = self.refunds.setdefault(refund_id, {"attempt_id": attempt_id, "amount": amount,
                                                "currency": currency,
                                                "state": self.refund_state})
        return RefundStatus(refund_id, attempt_id, r["state"], amount, currency)

    async def query_refund(self, refund_id: str) -> RefundStatus:
        self._maybe_fail("query_refund", refund_id)
        r = self.refunds.get(refund_id)
        if r is None:
            return RefundStatus(refund_id, "", RefundState.NOT_FOUND)
        return RefundStatus(refund_id, r["attempt_id"], r["state"], r["amount"], r["currency"])

    def settle_refund(self, refund_id: str, ok: bool = True) -> Notification:
        r = self.refunds[refund_id]
        r["state"] = RefundState.SUCCEEDED if ok else RefundState.FAILED
        return Notification(kind="refund", attempt_id=r["attempt_id"], state=r["state"].value,
                            amount=r["amount"], currency=r["currency"], refund_id=refund_id)

    def verify_notification(self, headers: Mapping[str, str], body: bytes,
                            now: dt.datetime) -> Notification:
        if headers.get("X-Fake-Signature") != "ok":
            raise NotificationRejected("BAD_SIGNATURE", "not signed by the fake")
        return Notification(**json.loads(body))

    async def fetch_statement(self, day: dt.date) -> list[StatementLine]:
        return []


@dataclass
class FakeTrade:
    """trade's CheckPayable in memory: every part is payable unless
    ``refuse`` names its reason; ``down`` makes the call fail UNAVAILABLE."""

    refuse: dict[str, int] = field(default_factory=dict)
    down: bool = False
    asked: list[tr.CheckPayableRequest] = field(default_factory=list)

    async def CheckPayable(self, request: tr.CheckPayableRequest,
                           timeout: float | None = None,  # noqa: ASYNC109 - a stub's signature
                           ) -> tr.CheckPayableResponse:
        self.asked.append(request)
        if self.down:
            raise grpc.aio.AioRpcError(grpc.StatusCode.UNAVAILABLE, grpc.aio.Metadata(),
                                       grpc.aio.Metadata(), "trade is down")
        return tr.CheckPayableResponse(results=[
            tr.PayableResult(pay_order_id=p.pay_order_id,
                             reason=self.refuse.get(p.pay_order_id, 0),  # type: ignore[arg-type]
                             detail="refused on purpose" if p.pay_order_id in self.refuse else "")
            for p in request.parts])


class _Context:
    """The servicer context a test call has (no deadline)."""

    def time_remaining(self) -> float | None:
        return None


CONTEXT: Any = _Context()


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

    @property
    def api(self) -> PaymentServicer:
        return PaymentServicer(self.uows, self.channels, self.trade,  # type: ignore[arg-type]
                               self.policy, PaymentSettings().cod_denied_provinces)

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
        await opening.close_at_channels_first(self.uows, self.channels, req.payment_id)

    async def close_payment(self, req: pb.ClosePaymentRequest) -> pb.ClosePaymentResponse:
        """ClosePayment's transaction alone (without closing the channel trades first)."""
        async with self.uows() as uow:
            p = await opening.close_payment(uow, req.payment_id, req.reason, utcnow())
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
