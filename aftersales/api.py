"""after-sales' gRPC servicer: request -> use case -> response.

It only maps messages to the use cases' arguments and their results to
messages (``aftersales.views``); the use cases open their units of work
(``aftersales.keyed``: once per request id, around calls to other services).
"""

from __future__ import annotations

from typing import TypeAlias

import grpc

from aftersales import apply, queries, returns, review, stats, views
from aftersales.application import AfterSalesPolicy
from aftersales.clients import Clients
from aftersales.repository import Clock, SqlAfterSalesUnitOfWork
from zhongtai.aftersales.v1 import aftersales_pb2 as pb
from zhongtai.aftersales.v1 import aftersales_pb2_grpc
from zhongtai.auth import ANYONE, BUYER, OPERATOR, SELLER, AccessPolicy, allow, current_identity
from zhongtai.db import Database, utcnow
from zhongtai.wire import to_datetime

Ctx: TypeAlias = grpc.aio.ServicerContext

# Who may call each RPC (zhongtai.auth): the roles, and the ownership rule
# the use case applies on top (docs/security.md lists them all).
POLICY: AccessPolicy = {
    "CreateApplication": allow(BUYER, ownership="a buyer for a line of their own order"),
    "GetApplication": allow(*ANYONE, ownership="its buyer, its line's seller; staff any"),
    "ListApplications": allow(*ANYONE, ownership="a buyer their own, a seller its sellers'; "
                              "staff name either or neither"),
    "UpdateApplication": allow(BUYER, ownership="its buyer"),
    "WithdrawApplication": allow(BUYER, ownership="its buyer"),
    "ApproveApplication": allow(SELLER, OPERATOR, ownership="its line's seller"),
    "RejectApplication": allow(SELLER, OPERATOR, ownership="its line's seller"),
    "EscalateApplication": allow(BUYER, ownership="its buyer"),
    "ArbitrateApplication": allow(OPERATOR, ownership="operators decide any"),
    "ShipReturn": allow(BUYER, ownership="its buyer"),
    "ConfirmReturnReceipt": allow(SELLER, OPERATOR, ownership="its line's seller"),
    "AcceptReducedRefund": allow(BUYER, ownership="its buyer"),
    "GetRefundStats": allow(SELLER, OPERATOR, ownership="a seller its own; operators any"),
    "ListAuditEntries": allow(OPERATOR, ownership="operators read any application's trail"),
}


class AfterSalesServicer(aftersales_pb2_grpc.AfterSalesServiceServicer):
    def __init__(self, db: Database, clients: Clients, policy: AfterSalesPolicy,
                 clock: Clock = utcnow) -> None:
        self.db = db
        self.clients = clients
        self.policy = policy
        self.clock = clock

    def uow(self) -> SqlAfterSalesUnitOfWork:
        return SqlAfterSalesUnitOfWork(self.db)

    async def CreateApplication(self, request: pb.CreateApplicationRequest, context: Ctx
                                ) -> pb.CreateApplicationResponse:
        return await apply.create_application(self.uow, self.clients, self.policy, request,
                                              current_identity(), self.clock)

    async def GetApplication(self, request: pb.GetApplicationRequest, context: Ctx
                             ) -> pb.GetApplicationResponse:
        async with self.uow() as uow:
            app = await queries.get_application(uow, request.application_id,
                                                current_identity())
        return pb.GetApplicationResponse(application=views.application_message(app),
                                         history=map(views.history_message, app.history))

    async def ListApplications(self, request: pb.ListApplicationsRequest, context: Ctx
                               ) -> pb.ListApplicationsResponse:
        async with self.uow() as uow:
            listed, token = await queries.list_applications(uow, current_identity(), request)
        return pb.ListApplicationsResponse(
            applications=map(views.application_message, listed), next_page_token=token)

    async def UpdateApplication(self, request: pb.UpdateApplicationRequest, context: Ctx
                                ) -> pb.UpdateApplicationResponse:
        return await apply.update_application(self.uow, self.clients, self.policy, request,
                                              current_identity(), self.clock)

    async def WithdrawApplication(self, request: pb.WithdrawApplicationRequest, context: Ctx
                                  ) -> pb.WithdrawApplicationResponse:
        return await apply.buyer_step(
            self.uow, request, pb.WithdrawApplicationResponse, current_identity(),
            self.clock, self.policy)

    async def ApproveApplication(self, request: pb.ApproveApplicationRequest, context: Ctx
                                 ) -> pb.ApproveApplicationResponse:
        return await review.approve(self.uow, self.clients, self.policy, request,
                                    current_identity(), self.clock)

    async def RejectApplication(self, request: pb.RejectApplicationRequest, context: Ctx
                                ) -> pb.RejectApplicationResponse:
        return await review.reject(self.uow, self.policy, request, current_identity(),
                                   self.clock)

    async def EscalateApplication(self, request: pb.EscalateApplicationRequest, context: Ctx
                                  ) -> pb.EscalateApplicationResponse:
        return await apply.buyer_step(
            self.uow, request, pb.EscalateApplicationResponse, current_identity(),
            self.clock, self.policy)

    async def ArbitrateApplication(self, request: pb.ArbitrateApplicationRequest, context: Ctx
                                   ) -> pb.ArbitrateApplicationResponse:
        return await review.arbitrate(self.uow, self.clients, self.policy, request,
                                      current_identity(), self.clock)

    async def ShipReturn(self, request: pb.ShipReturnRequest, context: Ctx
                         ) -> pb.ShipReturnResponse:
        return await returns.ship_return(self.uow, self.clients, self.policy, request,
                                         current_identity(), self.clock)

    async def ConfirmReturnReceipt(self, request: pb.ConfirmReturnReceiptRequest, context: Ctx
                                   ) -> pb.ConfirmReturnReceiptResponse:
        return await returns.confirm_receipt(self.uow, self.policy, request,
                                             current_identity(), self.clock)

    async def AcceptReducedRefund(self, request: pb.AcceptReducedRefundRequest, context: Ctx
                                  ) -> pb.AcceptReducedRefundResponse:
        return await apply.buyer_step(
            self.uow, request, pb.AcceptReducedRefundResponse, current_identity(),
            self.clock, self.policy)

    async def GetRefundStats(self, request: pb.GetRefundStatsRequest, context: Ctx
                             ) -> pb.GetRefundStatsResponse:
        async with self.uow() as uow:
            found = await stats.refund_stats(
                uow, current_identity(), request.seller_id,
                to_datetime(request.start_time) if request.HasField("start_time") else None,
                to_datetime(request.end_time) if request.HasField("end_time") else None)
        return pb.GetRefundStatsResponse(stats=[views.refund_stat(x) for x in found])

    async def ListAuditEntries(self, request: pb.ListAuditEntriesRequest, context: Ctx
                               ) -> pb.ListAuditEntriesResponse:
        async with self.uow() as uow:
            entries, token = await queries.audit_trail(uow, request)
        return pb.ListAuditEntriesResponse(entries=entries, next_page_token=token)

