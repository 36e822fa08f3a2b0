"""Wiring of the logistics service (freight templates and quotes)."""

from __future__ import annotations

from pathlib import Path

import grpc

from logistics import store
from logistics.api import LogisticsServicer
from zhongtai.logistics.v1 import logistics_pb2, logistics_pb2_grpc
from zhongtai.service import BuiltService, ServiceContext, ServiceSpec


def build(ctx: ServiceContext) -> BuiltService:
    servicer = LogisticsServicer(ctx.db)

    def register(server: grpc.aio.Server) -> None:
        logistics_pb2_grpc.add_LogisticsServiceServicer_to_server(servicer, server)

    return BuiltService(registrar=register)


SERVICE = ServiceSpec(
    name="logistics",
    grpc_service_names=[
        logistics_pb2.DESCRIPTOR.services_by_name["LogisticsService"].full_name],
    metadata=store.metadata,
    plumbing=store.plumbing,
    migrations=Path(__file__).parent / "migrations",
    subscriptions=[],
    build=build,
)
