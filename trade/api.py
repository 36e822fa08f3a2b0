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
    views,
    vouchers,
)
from trade.checkout import Clients
from trade.order import Party, TradePolicy
from trade.repository import Clock, SqlTradeUnitOfWork, TradeUnitOfWork
from zhongtai.auth import ANYONE, BUYER, OPERATOR, SELLER, SERVICE, STAFF, AccessPolicy, allow
from zhongtai.db import Database, utcnow
from zhongtai.idempotency import Keys, idempotent_rpc
from zhongtai.trade.v1 import trade_pb2 as pb
from zhongtai.trade.v1 import trade_pb2_grpc

Ctx: TypeAlias = grpc.aio.ServicerContext

# Who may call each RPC (zhongtai.auth): the roles, and the ownership rule
# the use case applies on top (docs/security.md lists them all).
POLICY: AccessPolicy = {
    "QuoteOrder": allow(BUYER, SERVICE, ownership="a buyer for themself"),
    "CreateOrder": allow(BUYER, SERVICE, ownership="a buyer for themself"),
    "GetOrder": allow(*ANYONE, ownership="a buyer their own orders, a seller its own"),
    "ListOrders": allow(*ANYONE, ownership="a buyer their own orders, a seller its own"),
    "CancelOrder": allow(*ANYONE, ownership="a buyer their own orders, a seller its own"),
    "AdjustPrice": allow(SELLER, OPERATOR, ownership="the order's seller"),
    "ConfirmReceipt": allow(BUYER, *STAFF, ownership="the order's buyer"),
    "ExtendReceipt": allow(BUYER, *STAFF, ownership="the order's buyer"),
    "RedeemVoucher": allow(SELLER, OPERATOR, ownership="the code's seller"),
    "ListVouchers": allow(*ANYONE, ownership="the order's buyer or seller"),
    "CheckPayable": allow(SERVICE, ownership="payment's pre-check"),
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
                          run: Callable[[TradeUnitOfWork], Awaitable[R]]) -> R:
        """Run a mutating use case once per ``request_id`` (a repeat replays)."""
        async def action(session: AsyncSession) -> R:
            async with self.uow(session) as uow:
                return await run(uow)

        return await idempotent_rpc(self.db, self.keys, request, response_type, action)

    async def QuoteOrder(self, request: pb.QuoteOrderRequest, context: Ctx
                         ) -> pb.QuoteOrderResponse:
        priced = await checkout.price(self.clients, request, self.clock(), self.policy,
                                      context.time_remaining())
        return views.quote_response(priced.order, priced.quote)

    async def CreateOrder(self, request: pb.CreateOrderRequest, context: Ctx
                          ) -> pb.CreateOrderResponse:
        return await create_saga.create_order(self.uow, self.clients, self.policy, request,
                                              context.time_remaining(), self.clock)

    async def GetOrder(self, request: pb.GetOrderRequest, context: Ctx) -> pb.GetOrderResponse:
        async with self.uow() as uow:
            order, order_id = await queries.get_order(uow, request.order_id)
        return pb.GetOrderResponse(order=views.order_or_line(order, order_id))

    async def ListOrders(self, request: pb.ListOrdersRequest, context: Ctx
                         ) -> pb.ListOrdersResponse:
        async with self.uow() as uow:
            listed, token = await queries.list_orders(
                uow, buyer_id=request.buyer_id, seller_id=request.seller_id,
                statuses=list(request.statuses), page_size=request.page_size,
                page_token=request.page_token)
        return pb.ListOrdersResponse(orders=[views.order_or_line(o, x) for o, x in listed],
                                     next_page_token=token)

    async def CancelOrder(self, request: pb.CancelOrderRequest, context: Ctx
                          ) -> pb.CancelOrderResponse:
        async def run(uow: TradeUnitOfWork) -> pb.CancelOrderResponse:
            order = await cancel.cancel_order(
                uow, order_id=request.order_id, reason=request.reason, clock=self.clock,
                by=Party(request.operator.role, request.operator.id))
            return pb.CancelOrderResponse(order=views.order_message(order))

        return await self._idempotent(request, pb.CancelOrderResponse, run)

    async def AdjustPrice(self, request: pb.AdjustPriceRequest, context: Ctx
                          ) -> pb.AdjustPriceResponse:
        async def run(uow: TradeUnitOfWork) -> pb.AdjustPriceResponse:
            amount = request.adjust_amount
            order = await adjust_price.adjust_price(
                uow, order_id=request.order_id, seller_id=request.seller_id,
                adjust=amount.amount_minor if request.HasField("adjust_amount") else None,
                currency=amount.currency_code, reason=request.reason, clock=self.clock)
            return pb.AdjustPriceResponse(order=views.order_message(order))

        return await self._idempotent(request, pb.AdjustPriceResponse, run)

    async def ConfirmReceipt(self, request: pb.ConfirmReceiptRequest, context: Ctx
                             ) -> pb.ConfirmReceiptResponse:
        async def run(uow: TradeUnitOfWork) -> pb.ConfirmReceiptResponse:
            order = await fulfilment.confirm_receipt(
                uow, order_id=request.order_id, buyer_id=request.buyer_id, clock=self.clock)
            return pb.ConfirmReceiptResponse(order=views.order_message(order))

        return await self._idempotent(request, pb.ConfirmReceiptResponse, run)

    async def ExtendReceipt(self, request: pb.ExtendReceiptRequest, context: Ctx
                            ) -> pb.ExtendReceiptResponse:
        async def run(uow: TradeUnitOfWork) -> pb.ExtendReceiptResponse:
            order = await fulfilment.extend_receipt(
                uow, order_id=request.order_id, buyer_id=request.buyer_id, clock=self.clock,
                policy=self.policy)
            return pb.ExtendReceiptResponse(order=views.order_message(order))

        return await self._idempotent(request, pb.ExtendReceiptResponse, run)

    async def RedeemVoucher(self, request: pb.RedeemVoucherRequest, context: Ctx
                            ) -> pb.RedeemVoucherResponse:
        async def run(uow: TradeUnitOfWork) -> pb.RedeemVoucherResponse:
            voucher, order = await vouchers.redeem_voucher(
                uow, code=request.code, seller_id=request.seller_id, clock=self.clock)
            return pb.RedeemVoucherResponse(
                voucher=views.voucher_message(order.order_id, voucher),
                order=views.order_message(order))

        return await self._idempotent(request, pb.RedeemVoucherResponse, run)

    async def ListVouchers(self, request: pb.ListVouchersRequest, context: Ctx
                           ) -> pb.ListVouchersResponse:
        async with self.uow() as uow:
            order, page, token = await vouchers.list_vouchers(
                uow, order_id=request.order_id, page_size=request.page_size,
                page_token=request.page_token)
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
