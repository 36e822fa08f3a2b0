"""Wiring of the settlement service: the servicer and the consumer of
trade's events around settlement's database. Settlement calls no other
service."""

from __future__ import annotations

from pathlib import Path

import grpc

from settlement import api, store
from settlement.api import SettlementServicer
from settlement.consumers import TRADE, Consumers
from settlement.settings import SettlementSettings
from zhongtai.inbox import consumer
from zhongtai.service import BuiltService, ServiceContext, ServiceSpec
from zhongtai.settlement.v1 import settlement_pb2, settlement_pb2_grpc

SERVICE_NAME = settlement_pb2.DESCRIPTOR.services_by_name["SettlementService"].full_name


def build(ctx: ServiceContext) -> BuiltService:
    settings: SettlementSettings = ctx.config
    servicer = SettlementServicer(ctx.db, settings=settings)
    events = Consumers(ctx.db, settings)

    def register(server: grpc.aio.Server) -> None:
        settlement_pb2_grpc.add_SettlementServiceServicer_to_server(servicer, server)

    return BuiltService(
        registrar=register,
        consumers={TRADE.queue: consumer(ctx.db, TRADE, events.handlers())},
    )


SERVICE = ServiceSpec(
    name="settlement",
    grpc_service_names=[SERVICE_NAME],
    metadata=store.metadata,
    plumbing=store.plumbing,
    migrations=Path(__file__).parent / "migrations",
    subscriptions=[TRADE],
    build=build,
    settings=SettlementSettings,
    policies={SERVICE_NAME: api.POLICY},
)
