"""settlement's gRPC servicer: request -> use case -> response.

It only maps messages to the use cases' arguments (``requests``) and their
results to messages (``views``), and remembers the mutating calls by
request id (``zhongtai.idempotency.once``, scope: the method's name, so the
keys stored before still match); who sees what is decided in the use cases
(``settlement.queries``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeAlias, TypeVar

import grpc
from google.protobuf.message import Message

from settlement import payouts, queries, requests, rules, settle, splits, statement, views
from settlement.payout import Payout
from settlement.payout_adapter import PayoutAdapter, SandboxPayoutAdapter
from settlement.repository import Clock, SqlSettlementUnitOfWork
from settlement.schedules import Schedules
from settlement.settings import SettlementSettings
from zhongtai.auth import OPERATOR, SELLER, STAFF, AccessPolicy, allow, current_identity
from zhongtai.common.v1.common_pb2 import Operator
from zhongtai.db import Database, utcnow
from zhongtai.idempotency import once
from zhongtai.settlement.v1 import settlement_pb2 as pb
from zhongtai.settlement.v1 import settlement_pb2_grpc
from zhongtai.settlement.v1 import split_pb2 as spb

Ctx: TypeAlias = grpc.aio.ServicerContext
R = TypeVar("R", bound=Message)

# Who may call each RPC (zhongtai.auth): the roles, and the ownership rule
# the use case applies on top (docs/security.md lists them all).
POLICY: AccessPolicy = {
    "CreateFeeRule": allow(OPERATOR, ownership="operators set any business's fees"),
    "ListFeeRules": allow(SELLER, *STAFF, ownership="a seller the rules that apply to it; "
                          "staff any"),
    "GetOrderClearing": allow(SELLER, *STAFF, ownership="a seller its own lines of the order; "
                              "staff any"),
    "GetAccountBalance": allow(SELLER, *STAFF, ownership="a seller its own accounts; "
                               "staff any"),
    "ListAccounts": allow(SELLER, *STAFF, ownership="a seller its own accounts; staff any"),
    "ListJournalEntries": allow(SELLER, *STAFF, ownership="a seller its accounts' or its "
                                "orders' (its own postings); staff any"),
    "ListAuditEntries": allow(OPERATOR, ownership="operators read any fee rule's or "
                              "clearing's trail"),
    "RunSettlementCycle": allow(OPERATOR, ownership="operators close every merchant's "
                                "due batches"),
    "ListSettlementBatches": allow(SELLER, *STAFF, ownership="a seller its own batches; "
                                   "staff any"),
    "GetMerchantStatement": allow(SELLER, *STAFF, ownership="a seller its own statement; "
                                  "staff any"),
    "ExportMerchantStatement": allow(SELLER, *STAFF, ownership="a seller its own statement; "
                                     "staff any"),
    "CreatePayout": allow(SELLER, OPERATOR, ownership="a seller for itself; operators for "
                          "any merchant"),
    "GetPayout": allow(SELLER, *STAFF, ownership="a seller its own payouts; staff any"),
    "ListPayouts": allow(SELLER, *STAFF, ownership="a seller its own payouts; staff any"),
    # Split settlement (issue 12 item A).
    "GetSplit": allow(SELLER, *STAFF, ownership="a seller its own splits; staff any"),
    "ListSplits": allow(SELLER, *STAFF, ownership="a seller its own splits; staff any"),
    "ListSchedules": allow(*STAFF, ownership="staff read every schedule"),
}


def payout_once(request: pb.CreatePayoutRequest) -> payouts.Once:
    """CreatePayout's first phase once per ``request_id`` (scope
    "CreatePayout"): the response remembered is the PENDING payout; a repeat
    answers its id, for ``payouts.create_payout`` to finish it."""
    async def record(uow: SqlSettlementUnitOfWork,
                     create: Callable[[], Awaitable[Payout]]) -> str:
        async def respond() -> pb.CreatePayoutResponse:
            return pb.CreatePayoutResponse(payout=views.payout_message(await create()))

        answer = await once(uow.keys, request, pb.CreatePayoutResponse, respond)
        return answer.payout.payout_id
    return record


class SettlementServicer(settlement_pb2_grpc.SettlementServiceServicer):
    def __init__(self, db: Database, clock: Clock = utcnow,
                 settings: SettlementSettings | None = None,
                 payout_adapter: PayoutAdapter | None = None,
                 schedules: Schedules | None = None) -> None:
        self.db = db
        self.schedules = schedules or Schedules(db, [], clock)
        self.clock = clock
        self.settings = settings or SettlementSettings()
        self.payout_adapter = payout_adapter or SandboxPayoutAdapter()

    def uow(self) -> SqlSettlementUnitOfWork:
        return SqlSettlementUnitOfWork(self.db)

    async def _once(self, request: Message, response_type: type[R],
                    action: Callable[[SqlSettlementUnitOfWork], Awaitable[R]]) -> R:
        """A one-transaction mutating call, once per ``request_id`` (the
        scope: the method's name, ``zhongtai.idempotency.once``)."""
        async with self.uow() as uow:
            return await once(uow.keys, request, response_type, lambda: action(uow))

    async def CreateFeeRule(self, request: pb.CreateFeeRuleRequest, context: Ctx
                            ) -> pb.CreateFeeRuleResponse:
        caller, now = current_identity(), self.clock()
        rule = requests.fee_rule(request.fee_rule, now)
        rules.check_not_past(rule, now)

        async def create(uow: SqlSettlementUnitOfWork) -> pb.CreateFeeRuleResponse:
            made = await rules.create_fee_rule(uow, rule, caller, now)
            return pb.CreateFeeRuleResponse(fee_rule=views.fee_rule_message(
                made, now, Operator(role=Operator.ROLE_OPERATOR, id=caller.subject)))

        return await self._once(request, pb.CreateFeeRuleResponse, create)

    async def ListFeeRules(self, request: pb.ListFeeRulesRequest, context: Ctx
                           ) -> pb.ListFeeRulesResponse:
        async with self.uow() as uow:
            found, token = await queries.fee_rules(uow, request.business_type, request.seller_id,
                                                 requests.page(request), current_identity())
        return pb.ListFeeRulesResponse(
            fee_rules=[views.fee_rule_message(r, created) for r, created in found],
            next_page_token=token)

    async def GetOrderClearing(self, request: pb.GetOrderClearingRequest, context: Ctx
                               ) -> pb.GetOrderClearingResponse:
        async with self.uow() as uow:
            found, sellers = await queries.order_clearing(uow, request.order_id,
                                                          current_identity())
        return pb.GetOrderClearingResponse(clearing=views.clearing_message(found, sellers))

    async def GetAccountBalance(self, request: pb.GetAccountBalanceRequest, context: Ctx
                                ) -> pb.GetAccountBalanceResponse:
        async with self.uow() as uow:
            found = await queries.account(uow, request.account_id, current_identity())
        return pb.GetAccountBalanceResponse(account=views.account_message(*found))

    async def ListAccounts(self, request: pb.ListAccountsRequest, context: Ctx
                           ) -> pb.ListAccountsResponse:
        async with self.uow() as uow:
            found, token = await queries.accounts(uow, request.owner_id, set(request.kinds),
                                                requests.page(request), current_identity())
        return pb.ListAccountsResponse(accounts=[views.account_message(*b) for b in found],
                                       next_page_token=token)

    async def ListJournalEntries(self, request: pb.ListJournalEntriesRequest, context: Ctx
                                 ) -> pb.ListJournalEntriesResponse:
        async with self.uow() as uow:
            found, token = await queries.journal_entries(uow, request.account_id,
                                                       request.order_id,
                                                       requests.page(request),
                                                       current_identity())
        return pb.ListJournalEntriesResponse(entries=[views.entry_message(e) for e in found],
                                             next_page_token=token)

    async def ListAuditEntries(self, request: pb.ListAuditEntriesRequest, context: Ctx
                               ) -> pb.ListAuditEntriesResponse:
        async with self.uow() as uow:
            entries, token = await queries.audit_trail(uow, request.resource_type,
                                                      request.resource_id,
                                                      requests.page(request))
        return pb.ListAuditEntriesResponse(entries=entries, next_page_token=token)

    # Settlement cycles, statements and payouts (issue 12 item 5).

    async def RunSettlementCycle(self, request: pb.RunSettlementCycleRequest, context: Ctx
                                 ) -> pb.RunSettlementCycleResponse:
        closed = await settle.run_cycle(self.uow, self.settings, self.clock())
        return pb.RunSettlementCycleResponse(batches=[views.batch_message(b) for b in closed])

    async def ListSettlementBatches(self, request: pb.ListSettlementBatchesRequest,
                                    context: Ctx) -> pb.ListSettlementBatchesResponse:
        async with self.uow() as uow:
            found, token = await settle.batches(uow, requests.seller_page(request),
                                                current_identity())
        return pb.ListSettlementBatchesResponse(
            batches=[views.batch_message(b) for b in found], next_page_token=token)

    async def GetMerchantStatement(self, request: pb.GetMerchantStatementRequest,
                                   context: Ctx) -> pb.GetMerchantStatementResponse:
        async with self.uow() as uow:
            seller, batch, lines = await settle.statement_of(
                uow, requests.statement(request), current_identity())
        return pb.GetMerchantStatementResponse(
            statement=views.statement_message(seller, batch, lines))

    async def ExportMerchantStatement(self, request: pb.ExportMerchantStatementRequest,
                                      context: Ctx) -> pb.ExportMerchantStatementResponse:
        async with self.uow() as uow:
            seller, batch, lines = await settle.statement_of(
                uow, requests.statement(request.statement), current_identity())
        return pb.ExportMerchantStatementResponse(
            content_type="text/csv; charset=utf-8",
            csv=statement.to_csv(seller, batch.batch_id if batch else "", lines))

    async def CreatePayout(self, request: pb.CreatePayoutRequest, context: Ctx
                           ) -> pb.CreatePayoutResponse:
        found = await payouts.create_payout(self.uow, self.payout_adapter,
                                            requests.payout(request), current_identity(),
                                            self.clock, payout_once(request))
        return pb.CreatePayoutResponse(payout=views.payout_message(found))

    async def GetPayout(self, request: pb.GetPayoutRequest, context: Ctx
                        ) -> pb.GetPayoutResponse:
        async with self.uow() as uow:
            found = await payouts.payout(uow, request.payout_id, current_identity())
        return pb.GetPayoutResponse(payout=views.payout_message(found))

    async def ListPayouts(self, request: pb.ListPayoutsRequest, context: Ctx
                          ) -> pb.ListPayoutsResponse:
        async with self.uow() as uow:
            found, token = await payouts.payouts(uow, requests.seller_page(request),
                                                 current_identity())
        return pb.ListPayoutsResponse(payouts=[views.payout_message(p) for p in found],
                                      next_page_token=token)

    # Split settlement (issue 12 item A).

    async def GetSplit(self, request: spb.GetSplitRequest, context: Ctx
                       ) -> spb.GetSplitResponse:
        async with self.uow() as uow:
            found = await splits.split(uow, request.split_id, current_identity())
        return spb.GetSplitResponse(split=views.split_message(found))

    async def ListSplits(self, request: spb.ListSplitsRequest, context: Ctx
                         ) -> spb.ListSplitsResponse:
        async with self.uow() as uow:
            found, token = await splits.splits(uow, requests.seller_page(request),
                                               current_identity())
        return spb.ListSplitsResponse(splits=[views.split_message(x) for x in found],
                                      next_page_token=token)

    # Schedules (issue 12: durable schedules).

    async def ListSchedules(self, request: pb.ListSchedulesRequest, context: Ctx
                            ) -> pb.ListSchedulesResponse:
        async with self.db.transaction() as session:
            found = await self.schedules.list(session)
        return pb.ListSchedulesResponse(schedules=[views.schedule_message(s) for s in found])
