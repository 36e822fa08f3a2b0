"""trade's gRPC servicer: request -> use case -> response.

It only maps messages to the use cases' arguments and their results to
messages (``trade.views``), and opens the unit of work — inside the
idempotency record's transaction for the mutating RPCs (``request_id``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeAlias, TypeVar

import grpc
from google.protobuf.message import Message
from sqlalchemy.ext.asyncio import AsyncSession

from trade import (
    adjust_price,
    cancel,
    checkout,
    create_saga,
    fulfilment,
    payments,
    queries,
    refunds,
    views,
    vouchers,
)
from trade.checkout import Clients
from trade.order import TradePolicy
from trade.repository import Clock, SqlTradeUnitOfWork, TradeUnitOfWork
from zhongtai.auth import (
    ANYONE,
    BUYER,
    OPERATOR,
    SELLER,
    SERVICE,
    STAFF,
    AccessPolicy,
    Identity,
    allow,
    current_identity,
)
from zhongtai.db import Database, utcnow
from zhongtai.idempotency import Keys, run_idempotent
from zhongtai.trade.v1 import trade_pb2 as pb
from zhongtai.trade.v1 import trade_pb2_grpc

Ctx: TypeAlias = grpc.aio.ServicerContext

# Refund claims are after-sales' to open, agree and finish (the buyer named
# in a claim must be the order's).
AFTERSALES_ONLY = allow(SERVICE, services=("aftersales",),
                        ownership="after-sales' claims: its service identity only")
# Who may call each RPC (zhongtai.auth): the roles, and the ownership rule
# the use case applies on top (docs/security.md lists them all).
POLICY: AccessPolicy = {
    "QuoteOrder": allow(BUYER, SERVICE, ownership="a buyer for themself; a front names the "
                        "buyer and alone asserts VIP prices"),
    "CreateOrder": allow(BUYER, SERVICE, ownership="a buyer for themself; a front names the "
                         "buyer and alone asserts VIP prices"),
    "GetOrder": allow(*ANYONE, ownership="its buyer; a seller the lines it sells"),
    "ListOrders": allow(*ANYONE, ownership="a buyer their own, a seller its sellers'; staff "
                        "name either"),
    "CancelOrder": allow(*ANYONE, ownership="its buyer or its one seller; operator or service "
                         "as staff"),
    "AdjustPrice": allow(SELLER, OPERATOR, ownership="its one seller"),
    "ConfirmReceipt": allow(BUYER, *STAFF, ownership="its buyer"),
    "ExtendReceipt": allow(BUYER, *STAFF, ownership="its buyer"),
    "RedeemVoucher": allow(SELLER, OPERATOR, ownership="the seller of the code's line"),
    "ListVouchers": allow(*ANYONE, ownership="its buyer; a seller the lines it sells"),
    "CheckPayable": allow(SERVICE, ownership="payment's pre-check",
                          services=("payment",)),
    "ListAuditEntries": allow(OPERATOR, ownership="operators read any order's trail"),
    "GetRefundable": allow(*ANYONE, services=("aftersales",),
                           ownership="its buyer; a seller the lines it sells; staff; "
                           "after-sales"),
    "OpenRefund": AFTERSALES_ONLY,
    "AgreeRefund": AFTERSALES_ONLY,
    "FinishRefund": AFTERSALES_ONLY,
}
R = TypeVar("R", bound=Message)


class TradeServicer(trade_pb2_grpc.TradeServiceServicer):
    def __init__(self, db: Database, clients: Clients, policy: TradePolicy,
                 clock: Clock = utcnow) -> None:
        self.db = db
        self.clients = clients
        self.policy = policy
        self.clock = clock
        self.keys = Keys(db.plumbing, db.dialect)

    def uow(self, session: AsyncSession | None = None) -> SqlTradeUnitOfWork:
        return SqlTradeUnitOfWork(self.db, session)

    async def _idempotent(self, request: Message, response_type: type[R],
                          run: Callable[[TradeUnitOfWork, Identity], Awaitable[R]]) -> R:
        """Run a mutating use case as the caller, once per ``request_id`` (bound
        to the caller: ``zhongtai.idempotency.request_hash``)."""
        caller = current_identity()

        async def action(session: AsyncSession) -> R:
            async with self.uow(session) as uow:
                return await run(uow, caller)

        scope = response_type.DESCRIPTOR.name.removesuffix("Response")
        return await run_idempotent(self.db, self.keys, scope, request,
                                    str(getattr(request, "request_id", "")), response_type,
                                    action)

    async def QuoteOrder(self, request: pb.QuoteOrderRequest, context: Ctx
                         ) -> pb.QuoteOrderResponse:
        priced = await checkout.price(self.clients, request, current_identity(), self.clock(),
                                      self.policy, context.time_remaining())
        return views.quote_response(priced.order, priced.quote)

    async def CreateOrder(self, request: pb.CreateOrderRequest, context: Ctx
                          ) -> pb.CreateOrderResponse:
        return await create_saga.create_order(self.uow, self.clients, self.policy, request,
                                              current_identity(), context.time_remaining(),
                                              self.clock)

    async def GetOrder(self, request: pb.GetOrderRequest, context: Ctx) -> pb.GetOrderResponse:
        async with self.uow() as uow:
            order, order_id = await queries.get_order(uow, request.order_id, current_identity())
        return pb.GetOrderResponse(order=views.order_or_line(order, order_id))

    async def ListOrders(self, request: pb.ListOrdersRequest, context: Ctx
                         ) -> pb.ListOrdersResponse:
        async with self.uow() as uow:
            listed, token = await queries.list_orders(
                uow, caller=current_identity(), buyer_id=request.buyer_id,
                seller_id=request.seller_id, statuses=list(request.statuses),
                page_size=request.page_size, page_token=request.page_token)
        return pb.ListOrdersResponse(orders=[views.order_or_line(o, x) for o, x in listed],
                                     next_page_token=token)

    async def CancelOrder(self, request: pb.CancelOrderRequest, context: Ctx
                          ) -> pb.CancelOrderResponse:
        async def run(uow: TradeUnitOfWork, caller: Identity) -> pb.CancelOrderResponse:
            order = await cancel.cancel_order(uow, order_id=request.order_id, caller=caller,
                                              reason=request.reason, clock=self.clock)
            return pb.CancelOrderResponse(order=views.order_message(order))

        return await self._idempotent(request, pb.CancelOrderResponse, run)

    async def AdjustPrice(self, request: pb.AdjustPriceRequest, context: Ctx
                          ) -> pb.AdjustPriceResponse:
        async def run(uow: TradeUnitOfWork, caller: Identity) -> pb.AdjustPriceResponse:
            amount = request.adjust_amount
            order = await adjust_price.adjust_price(
                uow, order_id=request.order_id, caller=caller, seller_id=request.seller_id,
                adjust=amount.amount_minor if request.HasField("adjust_amount") else None,
                currency=amount.currency_code, reason=request.reason, clock=self.clock)
            return pb.AdjustPriceResponse(order=views.order_message(order))

        return await self._idempotent(request, pb.AdjustPriceResponse, run)

    async def ConfirmReceipt(self, request: pb.ConfirmReceiptRequest, context: Ctx
                             ) -> pb.ConfirmReceiptResponse:
        async def run(uow: TradeUnitOfWork, caller: Identity) -> pb.ConfirmReceiptResponse:
            order = await fulfilment.confirm_receipt(
                uow, order_id=request.order_id, caller=caller, buyer_id=request.buyer_id,
                clock=self.clock, policy=self.policy)
            return pb.ConfirmReceiptResponse(order=views.order_message(order))

        return await self._idempotent(request, pb.ConfirmReceiptResponse, run)

    async def ExtendReceipt(self, request: pb.ExtendReceiptRequest, context: Ctx
                            ) -> pb.ExtendReceiptResponse:
        async def run(uow: TradeUnitOfWork, caller: Identity) -> pb.ExtendReceiptResponse:
            order = await fulfilment.extend_receipt(
                uow, order_id=request.order_id, caller=caller, buyer_id=request.buyer_id,
                clock=self.clock, policy=self.policy)
            return pb.ExtendReceiptResponse(order=views.order_message(order))

        return await self._idempotent(request, pb.ExtendReceiptResponse, run)

    async def RedeemVoucher(self, request: pb.RedeemVoucherRequest, context: Ctx
                            ) -> pb.RedeemVoucherResponse:
        async def run(uow: TradeUnitOfWork, caller: Identity) -> pb.RedeemVoucherResponse:
            voucher, order = await vouchers.redeem_voucher(
                uow, code=request.code, caller=caller, seller_id=request.seller_id,
                clock=self.clock, policy=self.policy)
            return pb.RedeemVoucherResponse(
                voucher=views.voucher_message(order.order_id, voucher),
                order=views.order_message(order))

        return await self._idempotent(request, pb.RedeemVoucherResponse, run)

    async def ListVouchers(self, request: pb.ListVouchersRequest, context: Ctx
                           ) -> pb.ListVouchersResponse:
        async with self.uow() as uow:
            order, page, token = await vouchers.list_vouchers(
                uow, order_id=request.order_id, caller=current_identity(),
                page_size=request.page_size, page_token=request.page_token)
        return pb.ListVouchersResponse(
            vouchers=[views.voucher_message(order.order_id, v) for v in page],
            next_page_token=token)

    async def CheckPayable(self, request: pb.CheckPayableRequest, context: Ctx
                           ) -> pb.CheckPayableResponse:
        async with self.uow() as uow:
            results = await payments.check_payable(
                uow, buyer_id=request.buyer_id, now=self.clock(), parts=[
                    payments.Part(p.pay_order_id, p.order_id, p.amount.currency_code,
                                  p.amount.amount_minor) for p in request.parts])
        return pb.CheckPayableResponse(results=[
            views.payable_result(part.pay_order_id, order, rejection)
            for part, order, rejection in results])


    async def GetRefundable(self, request: pb.GetRefundableRequest, context: Ctx
                            ) -> pb.GetRefundableResponse:
        async with self.uow() as uow:
            order, lines = await refunds.get_refundable(uow, order_id=request.order_id,
                                                        caller=current_identity())
        return views.refundable_response(order, lines, self.clock())

    async def OpenRefund(self, request: pb.OpenRefundRequest, context: Ctx
                         ) -> pb.OpenRefundResponse:
        async with self.uow() as uow:
            order, claim = await refunds.open_refund(
                uow, application_id=request.application_id,
                line_order_id=request.line_order_id, buyer_id=request.buyer_id,
                kind=request.kind, quantity=request.quantity,
                amount=request.amount.amount_minor, currency=request.amount.currency_code,
                clock=self.clock)
        return pb.OpenRefundResponse(
            line=views.line_refundable(order, order.line(claim.line_order_id)))

    async def AgreeRefund(self, request: pb.AgreeRefundRequest, context: Ctx
                          ) -> pb.AgreeRefundResponse:
        async with self.uow() as uow:
            order, plan = await refunds.agree_refund(
                uow, application_id=request.application_id,
                amount=request.amount.amount_minor if request.HasField("amount") else None,
                currency=request.amount.currency_code, quantity=request.quantity or None,
                returned=request.returned_quantity, clock=self.clock)
        return pb.AgreeRefundResponse(plan=views.plan_message(order, plan))

    async def FinishRefund(self, request: pb.FinishRefundRequest, context: Ctx
                           ) -> pb.FinishRefundResponse:
        async with self.uow() as uow:
            order = await refunds.finish_refund(
                uow, application_id=request.application_id, outcome=request.outcome,
                return_shipping=request.return_shipping_amount.amount_minor,
                by_seller=request.return_shipping_by_seller, clock=self.clock,
                policy=self.policy)
        return pb.FinishRefundResponse(order=views.order_message(order))

    async def ListAuditEntries(self, request: pb.ListAuditEntriesRequest, context: Ctx
                               ) -> pb.ListAuditEntriesResponse:
        async with self.uow() as uow:
            entries, token = await queries.audit_trail(
                uow, resource_type=request.resource_type, resource_id=request.resource_id,
                page_size=request.page_size, page_token=request.page_token)
        return pb.ListAuditEntriesResponse(entries=entries, next_page_token=token)
