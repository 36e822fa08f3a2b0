"""after-sales' gRPC servicer: request -> use case -> response.

It only maps messages to the use cases' arguments (``aftersales.requests``)
and their results to messages (``aftersales.views``). A mutating RPC runs
once per request id (``zhongtai.idempotency.idempotent_rpc``, its scope the
RPC's name): a repeat of an answered request gets the first answer before
anything is asked of another service; the use case's calls to other
services (each keyed by the application id) come next, outside any
transaction; its change is written in the idempotency record's transaction,
with the request id and its answer. A request racing its own repeat: one
writes, the other replays. A failed request leaves no key, so it can be
corrected and sent again (the calls it made are keyed: never doubled).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias, TypeVar

import grpc
from google.protobuf.message import Message
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales import apply, queries, requests, returns, review, stats, views
from aftersales.application import AfterSalesPolicy, Application
from aftersales.clients import Clients
from aftersales.repository import AfterSalesUnitOfWork, Clock, SqlAfterSalesUnitOfWork
from zhongtai.aftersales.v1 import aftersales_pb2 as pb
from zhongtai.aftersales.v1 import aftersales_pb2_grpc
from zhongtai.auth import ANYONE, BUYER, OPERATOR, SELLER, AccessPolicy, allow, current_identity
from zhongtai.db import Database, utcnow
from zhongtai.idempotency import Keys, idempotent_rpc, replay, request_hash
from zhongtai.wire import to_datetime

Ctx: TypeAlias = grpc.aio.ServicerContext
R = TypeVar("R", bound=Message)
Write = Callable[[AfterSalesUnitOfWork, Any], Awaitable[Application]]


async def _nothing() -> None:
    return None

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
    """Maps each RPC to its use case, as the caller the credential names."""

    def __init__(self, db: Database, clients: Clients, policy: AfterSalesPolicy,
                 clock: Clock = utcnow) -> None:
        self.db = db
        self.clients = clients
        self.policy = policy
        self.clock = clock
        self.keys = Keys(db.plumbing, db.dialect)

    def uow(self) -> SqlAfterSalesUnitOfWork:
        return SqlAfterSalesUnitOfWork(self.db)

    async def _change(self, request: Message, response_type: type[R], write: Write,
                      prepare: Callable[[], Awaitable[Any]] = _nothing) -> R:
        """A mutating RPC once per ``request_id`` (bound to the caller:
        ``request_hash``): replayed if answered; else ``prepare`` (calls to
        other services) and then ``write`` (given what ``prepare`` returned)
        in the idempotency record's transaction; the answer: the application."""
        if key := str(getattr(request, "request_id", "")):
            scope = response_type.DESCRIPTOR.name.removesuffix("Response")
            async with self.db.transaction() as session:
                stored = await self.keys.lookup(session, scope, key, request_hash(request))
            if stored is not None:
                return replay(stored, response_type)
        prepared = await prepare()

        async def action(session: AsyncSession) -> R:
            async with SqlAfterSalesUnitOfWork(self.db, session) as uow:
                app = await write(uow, prepared)
            return views.answer(response_type, app)

        return await idempotent_rpc(self.db, self.keys, request, response_type, action)

    async def CreateApplication(self, request: pb.CreateApplicationRequest, context: Ctx
                                ) -> pb.CreateApplicationResponse:
        asked, caller = requests.changes(request), current_identity()
        return await self._change(
            request, pb.CreateApplicationResponse, apply.add_application,
            lambda: apply.open_application(self.uow, self.clients, self.policy,
                                           request.line_order_id, asked, caller, self.clock))

    async def GetApplication(self, request: pb.GetApplicationRequest, context: Ctx
                             ) -> pb.GetApplicationResponse:
        async with self.uow() as uow:
            app = await queries.get_application(uow, request.application_id,
                                                current_identity())
        return pb.GetApplicationResponse(application=views.application_message(app),
                                         history=map(views.history_message, app.history))

    async def ListApplications(self, request: pb.ListApplicationsRequest, context: Ctx
                               ) -> pb.ListApplicationsResponse:
        asked = requests.listing(request)
        async with self.uow() as uow:
            listed, token = await queries.list_applications(uow, current_identity(), asked)
        return pb.ListApplicationsResponse(
            applications=map(views.application_message, listed), next_page_token=token)

    async def UpdateApplication(self, request: pb.UpdateApplicationRequest, context: Ctx
                                ) -> pb.UpdateApplicationResponse:
        asked, caller, app_id = requests.changes(request), current_identity(), \
            request.application_id
        return await self._change(
            request, pb.UpdateApplicationResponse,
            lambda uow, _: apply.reapply(uow, app_id, asked, caller, self.clock, self.policy),
            lambda: apply.prepare_reapplication(self.uow, self.clients, self.policy, app_id,
                                                asked, caller))

    async def WithdrawApplication(self, request: pb.WithdrawApplicationRequest, context: Ctx
                                  ) -> pb.WithdrawApplicationResponse:
        caller = current_identity()
        return await self._change(
            request, pb.WithdrawApplicationResponse,
            lambda uow, _: apply.withdraw(uow, request.application_id, caller, self.clock,
                                          self.policy))

    async def ApproveApplication(self, request: pb.ApproveApplicationRequest, context: Ctx
                                 ) -> pb.ApproveApplicationResponse:
        caller, app_id = current_identity(), request.application_id
        return await self._change(
            request, pb.ApproveApplicationResponse,
            lambda uow, created: review.approve(uow, app_id, request.note, created, caller,
                                                self.clock, self.policy),
            lambda: review.prepare_approval(self.uow, self.clients, app_id, caller))

    async def RejectApplication(self, request: pb.RejectApplicationRequest, context: Ctx
                                ) -> pb.RejectApplicationResponse:
        caller = current_identity()
        return await self._change(
            request, pb.RejectApplicationResponse,
            lambda uow, _: review.reject(uow, request.application_id, request.note, caller,
                                         self.clock, self.policy))

    async def EscalateApplication(self, request: pb.EscalateApplicationRequest, context: Ctx
                                  ) -> pb.EscalateApplicationResponse:
        caller = current_identity()
        return await self._change(
            request, pb.EscalateApplicationResponse,
            lambda uow, _: apply.escalate(uow, request.application_id, request.note, caller,
                                          self.clock, self.policy))

    async def ArbitrateApplication(self, request: pb.ArbitrateApplicationRequest, context: Ctx
                                   ) -> pb.ArbitrateApplicationResponse:
        decided, caller, app_id = requests.arbitration(request), current_identity(), \
            request.application_id
        return await self._change(
            request, pb.ArbitrateApplicationResponse,
            lambda uow, created: review.arbitrate(uow, app_id, decided, created, caller,
                                                  self.clock, self.policy),
            lambda: review.prepare_arbitration(self.uow, self.clients, app_id, decided))

    async def ShipReturn(self, request: pb.ShipReturnRequest, context: Ctx
                         ) -> pb.ShipReturnResponse:
        shipped, caller, app_id = requests.parcel(request), current_identity(), \
            request.application_id
        return await self._change(
            request, pb.ShipReturnResponse,
            lambda uow, created: returns.ship_return(uow, app_id, shipped, created, caller,
                                                     self.clock, self.policy),
            lambda: returns.prepare_shipment(self.uow, self.clients, app_id, shipped, caller))

    async def ConfirmReturnReceipt(self, request: pb.ConfirmReturnReceiptRequest, context: Ctx
                                   ) -> pb.ConfirmReturnReceiptResponse:
        received, caller = requests.receipt(request), current_identity()
        return await self._change(
            request, pb.ConfirmReturnReceiptResponse,
            lambda uow, _: returns.confirm_receipt(uow, request.application_id, received,
                                                   caller, self.clock, self.policy))

    async def AcceptReducedRefund(self, request: pb.AcceptReducedRefundRequest, context: Ctx
                                  ) -> pb.AcceptReducedRefundResponse:
        caller = current_identity()
        return await self._change(
            request, pb.AcceptReducedRefundResponse,
            lambda uow, _: apply.accept_reduced(uow, request.application_id, caller,
                                                self.clock, self.policy))

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
            entries, token = await queries.audit_trail(
                uow, request.resource_type, request.resource_id, request.page_size,
                request.page_token)
        return pb.ListAuditEntriesResponse(entries=entries, next_page_token=token)
