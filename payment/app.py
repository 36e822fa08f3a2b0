"""Wiring of the payment service.

Payment asks trade (``ctx.channel("trade")``: in process, or at
``ZHONGTAI_ENDPOINT_TRADE``) whether it would take a payment's parts before
any money moves. Besides its gRPC servicer, payment runs (through
``BuiltService.start`` and ``stop``): the HTTP endpoint channels post
notifications to (its ``callback_listen`` setting), the channel
adapters — the sandbox wallet provider, run in this process on
``sandbox_listen`` unless ``sandbox_url`` points to one elsewhere — and the
two sweeps (refunds to submit, attempts to close or query). Notifications
are verified with the configured secret (and the previous one while it is
rotated); embedded without one, the in-process sandbox and payment share a
secret made at start; a payment service on its own does not start without
one of its own (``payment.settings.notification_secrets``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
from pathlib import Path

import grpc
from sqlalchemy.ext.asyncio import AsyncSession

from payment import api, consumers, store
from payment.api import PaymentServicer
from payment.callbacks import CallbackServer
from payment.channels.registry import Channels
from payment.channels.sandbox import SandboxChannel
from payment.rules import SANDBOX, Policy
from payment.sandbox_server import SandboxServer
from payment.settings import PaymentSettings, notification_secrets
from payment.sql_repository import SqlPaymentUnitOfWork
from payment.workers import AttemptSweep, RefundSweep
from zhongtai.config import Settings
from zhongtai.db import utcnow
from zhongtai.events import Envelope
from zhongtai.inbox import consumer
from zhongtai.payment.v1 import payment_pb2, payment_pb2_grpc
from zhongtai.sandbox import run_until_signal
from zhongtai.service import BuiltService, Command, ServiceContext, ServiceSpec, Subscription
from zhongtai.trade.v1 import events_pb2 as trade_events
from zhongtai.trade.v1 import trade_pb2_grpc

log = logging.getLogger(__name__)

# A closed order's open payment is closed (a later payment is refunded); a
# payment trade could not take is refunded.
ORDER_EVENTS = Subscription(
    "payment.order-events",
    (trade_events.OrderCancelled, trade_events.OrderCreationFailed, trade_events.PaymentRejected))


def policy(settings: PaymentSettings) -> Policy:
    return Policy(pending_query_after=dt.timedelta(seconds=settings.pending_query_after_seconds),
                  refund_query_after=dt.timedelta(seconds=settings.refund_query_after_seconds))


def build(ctx: ServiceContext) -> BuiltService:
    db, settings = ctx.db, ctx.config

    secret, previous_secret = notification_secrets(settings, ctx.embedded)

    def uows() -> SqlPaymentUnitOfWork:
        return SqlPaymentUnitOfWork(db)

    channels = Channels()
    callbacks = CallbackServer(uows, channels, settings.callback_listen)
    # Channels post to the callback server where it really listens (its port
    # may be chosen by the system), unless a public base URL is configured.
    channels.notify_base = lambda: settings.callback_base_url or callbacks.url
    timings = policy(settings)
    poll = ctx.settings.poll_interval_seconds
    refunds = RefundSweep(uows, channels, timings, poll_interval=poll)
    attempts = AttemptSweep(uows, channels, timings, poll_interval=poll)
    db.on_outbox_commit.extend([refunds.wake, attempts.wake])
    sandbox_server: SandboxServer | None = None

    async def start() -> None:
        nonlocal sandbox_server
        sandbox_url = settings.sandbox_url
        if not sandbox_url:
            sandbox_server = SandboxServer(secret, settings.sandbox_listen)
            await sandbox_server.start()
            sandbox_url = sandbox_server.url
        channels.by_method[SANDBOX] = SandboxChannel(
            sandbox_url, secret, settings.notification_tolerance_seconds,
            previous_secret=previous_secret)
        await callbacks.start()

    async def stop() -> None:
        await callbacks.stop()
        await channels.aclose()
        if sandbox_server is not None:
            await sandbox_server.stop()

    async def closed(s: AsyncSession, event: trade_events.OrderCancelled
                     | trade_events.OrderCreationFailed, _env: Envelope) -> None:
        async with SqlPaymentUnitOfWork(db, s) as uow:
            await consumers.order_closed(uow, event, utcnow())

    async def rejected(s: AsyncSession, event: trade_events.PaymentRejected,
                       _env: Envelope) -> None:
        async with SqlPaymentUnitOfWork(db, s) as uow:
            await consumers.payment_rejected(uow, event, utcnow())

    servicer = PaymentServicer(uows, channels,
                               trade_pb2_grpc.TradeServiceStub(ctx.channel("trade")), timings,
                               settings.cod_denied_provinces)

    def register(server: grpc.aio.Server) -> None:
        payment_pb2_grpc.add_PaymentServiceServicer_to_server(servicer, server)

    return BuiltService(
        registrar=register,
        consumers={
            ORDER_EVENTS.queue: consumer(db, ORDER_EVENTS, {
                trade_events.OrderCancelled: closed,
                trade_events.OrderCreationFailed: closed,
                trade_events.PaymentRejected: rejected,
            }),
        },
        start=start,
        stop=stop,
        workers=[refunds, attempts],
    )


def _sandbox_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--listen", dest="sandbox_listen",
                        help="HOST:PORT (default: payment's sandbox_listen, 127.0.0.1:50053)")
    parser.add_argument("--secret", help="notification signing secret (required, or payment's "
                        "sandbox_secret: ZHONGTAI_PAYMENT_SANDBOX_SECRET or ..._FILE)")
    parser.add_argument("--public-url",
                        help="base URL of the pay pages (default: the bound one)")


async def _sandbox(settings: Settings, ns: argparse.Namespace) -> None:
    """``zhongtai sandbox``: the sandbox wallet provider alone, until SIGTERM."""
    config = settings.section("payment", PaymentSettings)
    secret = ns.secret or config.sandbox_secret
    if not secret:
        raise SystemExit("zhongtai sandbox: a notification secret is needed (--secret, or "
                         "ZHONGTAI_PAYMENT_SANDBOX_SECRET or ..._FILE); payment verifies with it")
    server = SandboxServer(secret, ns.sandbox_listen or config.sandbox_listen,
                           public_url=ns.public_url)
    await run_until_signal(server, "sandbox payment provider")


SERVICE = ServiceSpec(
    name="payment",
    grpc_service_names=[payment_pb2.DESCRIPTOR.services_by_name["PaymentService"].full_name],
    metadata=store.metadata,
    plumbing=store.plumbing,
    migrations=Path(__file__).parent / "migrations",
    subscriptions=[ORDER_EVENTS],
    build=build,
    settings=PaymentSettings,
    commands=[Command("sandbox", "run the sandbox wallet provider alone", _sandbox_arguments,
                      _sandbox)],
    policies={payment_pb2.DESCRIPTOR.services_by_name["PaymentService"].full_name: api.POLICY},
)
