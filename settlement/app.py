"""Wiring of the settlement service: the servicer and the consumer of
trade's events around settlement's database, reconciliation's servicer
and consumer of payment's events, the timer sending split instructions and
the schedules' timers (armed at start: settlement.schedules). Settlement
calls no other service (it fetches the channels' statements and sends them
split instructions)."""

from __future__ import annotations

from pathlib import Path

import grpc
from sqlalchemy.ext.asyncio import AsyncSession

from settlement import api, splits, store
from settlement.api import SettlementServicer
from settlement.consumers import TRADE, Consumers
from settlement.reconciliation import api as recon_api
from settlement.reconciliation.consumers import PAYMENT, PaymentConsumers
from settlement.reconciliation.sources import SandboxStatementSource
from settlement.repository import SqlSettlementUnitOfWork
from settlement.schedules import Schedules, jobs
from settlement.settings import SettlementSettings
from settlement.split import SPLIT_TIMER, Split
from settlement.split_adapter import SandboxSplitAdapter, SplitAdapter, SplitResult
from zhongtai.db import utcnow
from zhongtai.inbox import consumer
from zhongtai.service import BuiltService, ServiceContext, ServiceSpec
from zhongtai.settlement.v1 import (
    reconciliation_pb2,
    reconciliation_pb2_grpc,
    settlement_pb2,
    settlement_pb2_grpc,
)
from zhongtai.timers import RemoteTimer, Timer

SERVICE_NAME = settlement_pb2.DESCRIPTOR.services_by_name["SettlementService"].full_name
RECONCILIATION = reconciliation_pb2.DESCRIPTOR.services_by_name[
    "ReconciliationService"].full_name


def build(ctx: ServiceContext) -> BuiltService:
    settings: SettlementSettings = ctx.config
    events = Consumers(ctx.db, settings)
    sources = {"sandbox": SandboxStatementSource(settings.sandbox_statement_url)}
    recon = recon_api.ReconciliationServicer(ctx.db, sources)
    scheduled = Schedules(ctx.db, jobs(ctx.db, settings, sources), utcnow)
    servicer = SettlementServicer(ctx.db, settings=settings, schedules=scheduled)
    adapters: dict[str, SplitAdapter] = {
        "sandbox": SandboxSplitAdapter(settings.sandbox_statement_url)}

    async def to_send(session: AsyncSession, timer: Timer) -> Split | None:
        async with SqlSettlementUnitOfWork(ctx.db, session) as uow:
            return await splits.to_send(uow, timer.key, adapters, utcnow)

    async def ask(s: Split) -> SplitResult:
        return await splits.ask(adapters, s)

    async def book(session: AsyncSession, timer: Timer, s: Split, result: SplitResult) -> None:
        async with SqlSettlementUnitOfWork(ctx.db, session) as uow:
            await splits.book(uow, s.split_id, result, timer.attempts, utcnow)

    def register(server: grpc.aio.Server) -> None:
        settlement_pb2_grpc.add_SettlementServiceServicer_to_server(servicer, server)
        reconciliation_pb2_grpc.add_ReconciliationServiceServicer_to_server(recon, server)

    return BuiltService(
        registrar=register,
        consumers={TRADE.queue: consumer(ctx.db, TRADE, events.handlers()),
                   PAYMENT.queue: consumer(ctx.db, PAYMENT,
                                           PaymentConsumers(
                                               ctx.db, settings.split_channel_set()).handlers())},
        timer_handlers={SPLIT_TIMER: RemoteTimer(to_send, ask, book), **scheduled.handlers()},
        start=scheduled.arm_schedules,
    )


SERVICE = ServiceSpec(
    name="settlement",
    grpc_service_names=[SERVICE_NAME, RECONCILIATION],
    metadata=store.metadata,
    plumbing=store.plumbing,
    migrations=Path(__file__).parent / "migrations",
    subscriptions=[TRADE, PAYMENT],
    build=build,
    settings=SettlementSettings,
    policies={SERVICE_NAME: api.POLICY, RECONCILIATION: recon_api.POLICY},
)
