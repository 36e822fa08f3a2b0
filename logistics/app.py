"""Wiring of the logistics service: freight, warehouses, logistics orders and
packages (created from trade's events), carriers' tracking.

Besides its gRPC servicers, logistics runs (``BuiltService.start``/``stop``)
the HTTP endpoint carriers push tracking to (its ``notify_listen`` setting)
and the carrier adapters — the sandbox carrier, run in this
process on ``carrier_sandbox_listen`` unless ``carrier_sandbox_url`` points to
one elsewhere."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path

import grpc
from sqlalchemy.ext.asyncio import AsyncSession

from logistics import allocation, api, consumers, store, tracking
from logistics.api import LogisticsServicer, WarehouseServicer
from logistics.carrier_setup import start_carriers, stop_carriers, with_secret
from logistics.carriers.base import Carrier, TrackingEvent
from logistics.domain import ALLOCATE_TIMER, SUBSCRIBE_TIMER, TRACK_QUERY_TIMER, TrackingPolicy
from logistics.notify import NotifyServer
from logistics.sandbox_carrier import SandboxCarrierServer
from logistics.settings import LogisticsSettings
from logistics.tracking import Waybill
from zhongtai.audit import acting
from zhongtai.auth import Identity
from zhongtai.catalog.v1 import catalog_pb2_grpc
from zhongtai.config import Settings
from zhongtai.db import utcnow
from zhongtai.events import Envelope
from zhongtai.inbox import consumer
from zhongtai.logistics.v1 import (
    logistics_pb2,
    logistics_pb2_grpc,
    warehouse_pb2,
    warehouse_pb2_grpc,
)
from zhongtai.sandbox import run_until_signal
from zhongtai.service import BuiltService, Command, ServiceContext, ServiceSpec, Subscription
from zhongtai.timers import RemoteTimer, Timer
from zhongtai.trade.v1 import events_pb2 as trade_events

log = logging.getLogger(__name__)

# A paid order gets its logistics orders; a cancelled one loses the unshipped,
# and so does a line refunded in full before shipment.
TRADE_EVENTS = Subscription("logistics.trade-events",
                            (trade_events.OrderPaid, trade_events.OrderCancelled,
                             trade_events.OrderRefunded))


def build(ctx: ServiceContext) -> BuiltService:
    settings = with_secret(ctx.config, embedded=ctx.embedded)
    policy = TrackingPolicy(settings.tracking_query_after_seconds, settings.tracking_max_queries)
    servicer = LogisticsServicer(ctx.db, policy)
    catalog = catalog_pb2_grpc.CatalogServiceStub(ctx.channel("catalog"))
    warehouses = WarehouseServicer(ctx.db, catalog)
    carriers: dict[str, Carrier] = {}

    async def record(carrier_name: str, events: Sequence[TrackingEvent]) -> str:
        # A verified push is acted on by logistics, like an event it consumes.
        with acting(Identity.for_service("logistics"), f"carrier push {carrier_name}"):
            async with ctx.db.transaction() as s:
                return await tracking.record_tracking(s, ctx.db, carrier_name, events,
                                                      utcnow())

    notify = NotifyServer(record, carriers, settings.notify_listen)
    sandbox: SandboxCarrierServer | None = None

    async def start() -> None:
        nonlocal sandbox
        await notify.start()
        started, sandbox = await start_carriers(settings)
        carriers.update(started)

    async def stop() -> None:
        await notify.stop()
        await stop_carriers(dict(carriers), sandbox)
        carriers.clear()

    async def paid(s: AsyncSession, event: trade_events.OrderPaid, _env: Envelope) -> None:
        await consumers.order_paid(s, ctx.db, event, utcnow())

    async def cancelled(s: AsyncSession, event: trade_events.OrderCancelled,
                        _env: Envelope) -> None:
        await consumers.order_cancelled(s, event, utcnow())

    async def refunded(s: AsyncSession, event: trade_events.OrderRefunded,
                       _env: Envelope) -> None:
        await consumers.order_refunded(s, event, utcnow())

    async def subscribe(waybill: Waybill) -> None:
        carrier_name, tracking_no = waybill
        carrier = carriers.get(carrier_name)
        if carrier is None:
            log.warning("no adapter for carrier %s: waybill %s is not tracked",
                        carrier_name, tracking_no)
            return
        await carrier.subscribe(tracking_no, notify_url(carrier_name))

    def notify_url(carrier_name: str) -> str:
        return f"{settings.notify_base_url or notify.url}/carriers/{carrier_name}/notify"

    async def query(waybill: Waybill) -> Sequence[TrackingEvent] | None:
        carrier = carriers.get(waybill[0])
        return None if carrier is None else await carrier.query(waybill[1])

    async def queried(s: AsyncSession, timer: Timer, waybill: Waybill,
                      events: Sequence[TrackingEvent] | None) -> None:
        await tracking.record_query(s, ctx.db, timer, waybill, events, policy, utcnow())

    async def ask_stock(skus: dict[str, list[str]]) -> allocation.Stocks:
        return await allocation.ask_stock(catalog, skus)

    async def allocate(s: AsyncSession, timer: Timer, _skus: dict[str, list[str]],
                       stocks: allocation.Stocks) -> None:
        await allocation.allocate(s, timer, stocks, utcnow())

    def register(server: grpc.aio.Server) -> None:
        logistics_pb2_grpc.add_LogisticsServiceServicer_to_server(servicer, server)
        warehouse_pb2_grpc.add_WarehouseServiceServicer_to_server(warehouses, server)

    return BuiltService(
        registrar=register,
        consumers={
            TRADE_EVENTS.queue: consumer(ctx.db, TRADE_EVENTS, {
                trade_events.OrderPaid: paid,
                trade_events.OrderCancelled: cancelled,
                trade_events.OrderRefunded: refunded,
            }),
        },
        timer_handlers={
            SUBSCRIBE_TIMER: RemoteTimer(tracking.to_subscribe, subscribe),
            ALLOCATE_TIMER: RemoteTimer(allocation.to_allocate, ask_stock, allocate),
            TRACK_QUERY_TIMER: RemoteTimer(tracking.to_query, query, queried)},
        start=start,
        stop=stop,
    )


def _sandbox_carrier_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--listen", dest="sandbox_listen", help="HOST:PORT (default: logistics' "
                        "carrier_sandbox_listen, 127.0.0.1:50055)")
    parser.add_argument("--secret", help="push signing secret, required (default: logistics' "
                        "carrier_sandbox_secret; ZHONGTAI_LOGISTICS_CARRIER_SANDBOX_SECRET "
                        "or ..._FILE)")


async def _sandbox_carrier(settings: Settings, ns: argparse.Namespace) -> None:
    """``zhongtai sandbox-carrier``: the sandbox carrier alone, until SIGTERM."""
    config = settings.section("logistics", LogisticsSettings)
    secret = ns.secret or config.carrier_sandbox_secret
    if not secret:
        raise SystemExit("zhongtai sandbox-carrier: a push secret is required (--secret, or "
                         "ZHONGTAI_LOGISTICS_CARRIER_SANDBOX_SECRET / ..._FILE)")
    server = SandboxCarrierServer(secret, ns.sandbox_listen or config.carrier_sandbox_listen)
    await run_until_signal(server, "sandbox carrier")


SERVICE = ServiceSpec(
    name="logistics",
    grpc_service_names=[
        logistics_pb2.DESCRIPTOR.services_by_name["LogisticsService"].full_name,
        warehouse_pb2.DESCRIPTOR.services_by_name["WarehouseService"].full_name],
    metadata=store.metadata,
    plumbing=store.plumbing,
    migrations=Path(__file__).parent / "migrations",
    subscriptions=[TRADE_EVENTS],
    build=build,
    settings=LogisticsSettings,
    commands=[Command("sandbox-carrier", "run the sandbox carrier alone",
                      _sandbox_carrier_arguments, _sandbox_carrier)],
    policies={
        logistics_pb2.DESCRIPTOR.services_by_name["LogisticsService"].full_name: api.POLICY,
        warehouse_pb2.DESCRIPTOR.services_by_name["WarehouseService"].full_name:
            api.WAREHOUSE_POLICY},
)
