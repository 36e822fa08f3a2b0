"""ReconciliationService's servicer: request -> use case -> response.

It maps messages to the use cases' arguments and their reports to messages
(``views``); ReconcileDay's transaction is remembered by request id
(``zhongtai.idempotency.once``, scope "ReconcileDay")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeAlias

import grpc

from settlement.reconciliation import reconcile, views
from settlement.reconciliation.sources import StatementSource
from settlement.repository import Clock, SqlSettlementUnitOfWork
from zhongtai.auth import OPERATOR, AccessPolicy, allow, current_identity
from zhongtai.db import Database, utcnow
from zhongtai.idempotency import once
from zhongtai.settlement.v1 import reconciliation_pb2 as pb
from zhongtai.settlement.v1 import reconciliation_pb2_grpc

Ctx: TypeAlias = grpc.aio.ServicerContext

POLICY: AccessPolicy = {
    "ReconcileDay": allow(OPERATOR, ownership="operators reconcile any channel's day"),
    "GetReconciliationReport": allow(OPERATOR, ownership="operators read any report"),
    "ExportReconciliationReport": allow(OPERATOR, ownership="operators export any report"),
}


def report_message(r: reconcile.Report) -> pb.ReconciliationReport:
    """A report as its message (``views.report``)."""
    return views.report(r.channel, r.day, r.result, r.reported_at, r.provisional)


class ReconciliationServicer(reconciliation_pb2_grpc.ReconciliationServiceServicer):
    def __init__(self, db: Database, sources: Mapping[str, StatementSource],
                 clock: Clock = utcnow) -> None:
        self.db = db
        self.sources = sources
        self.clock = clock

    def uow(self) -> SqlSettlementUnitOfWork:
        return SqlSettlementUnitOfWork(self.db)

    async def ReconcileDay(self, request: pb.ReconcileDayRequest, context: Ctx
                           ) -> pb.ReconcileDayResponse:
        caller, now = current_identity(), self.clock()
        day = await reconcile.prepare_day(self.uow(), self.sources, request.channel,
                                          request.date, now)
        if day.stored is not None:  # stored already: whatever the request id
            return pb.ReconcileDayResponse(report=report_message(day.stored))
        uow = self.uow()

        async def run() -> pb.ReconcileDayResponse:
            return pb.ReconcileDayResponse(report=report_message(
                await reconcile.reconcile_day(uow, day, request.request_id, caller, now)))

        async with uow:
            return await once(uow.keys, request, pb.ReconcileDayResponse, run)

    async def GetReconciliationReport(self, request: pb.GetReconciliationReportRequest,
                                      context: Ctx) -> pb.GetReconciliationReportResponse:
        day = reconcile.parse_day(request.date)
        async with self.uow() as uow:
            found = await reconcile.stored_report(uow, request.channel, day)
        return pb.GetReconciliationReportResponse(report=report_message(found))

    async def ExportReconciliationReport(self, request: pb.ExportReconciliationReportRequest,
                                         context: Ctx) -> pb.ExportReconciliationReportResponse:
        day = reconcile.parse_day(request.date)
        async with self.uow() as uow:
            text = await reconcile.export(uow, request.channel, day)
        return pb.ExportReconciliationReportResponse(csv=text)
