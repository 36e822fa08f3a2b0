"""payment's gRPC servicer: request -> use case -> response.

Each method checks what the contract's limits (checked by the server
before) cannot say of its request (``requests``), opens the unit of work (or
hands the factory to a use case that calls a channel or trade) and the
request id's record (``keys``), passes the caller (the credential's
identity, ``current_identity``) to the use case, which applies the ownership
rule, and answers with ``views``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from typing import TypeAlias

import grpc
from google.protobuf.message import Message

from payment import keys, opening, queries, refunds, requests, views, wallet
from payment.channels.registry import Channels
from payment.payment import Payment
from payment.repository import PaymentUnitOfWork
from payment.rules import Policy
from zhongtai.auth import BUYER, OPERATOR, SERVICE, STAFF, AccessPolicy, allow, current_identity
from zhongtai.db import utcnow
from zhongtai.idempotency import once, request_hash
from zhongtai.payment.v1 import payment_pb2 as pb
from zhongtai.payment.v1 import payment_pb2_grpc
from zhongtai.trade.v1 import trade_pb2_grpc as trade_grpc

Ctx: TypeAlias = grpc.aio.ServicerContext

# Who may call each RPC (zhongtai.auth): the roles, and the ownership rule
# the use case applies on top (docs/security.md lists them all). Calls that
# move money to someone (refunds, top-ups) are staff's.
_OWN = "a buyer: only their own payments (NOT_THE_PAYMENT_BUYER)"
POLICY: AccessPolicy = {
    "ListPaymentMethods": allow(BUYER, *STAFF,
                                ownership="a buyer: buyer_id is theirs (SUBJECT_MISMATCH)"),
    "CreatePayment": allow(BUYER, SERVICE,
                           ownership="a buyer: buyer_id is theirs (SUBJECT_MISMATCH)"),
    "SwitchChannel": allow(BUYER, SERVICE, ownership=_OWN),
    "GetPayment": allow(BUYER, *STAFF, ownership=_OWN),
    "ListPayments": allow(BUYER, *STAFF,
                          ownership="a buyer: refused if a payment listed is another's"),
    "ClosePayment": allow(BUYER, *STAFF, ownership=_OWN),
    "CreateRefund": allow(*STAFF, ownership="after-sales and operators"),
    "GetRefund": allow(BUYER, *STAFF, ownership="a buyer: only their own payments' refunds"),
    "TopUpBalance": allow(*STAFF, ownership="creates value: staff only"),
    "GetBalance": allow(BUYER, *STAFF,
                        ownership="a buyer: buyer_id is theirs (SUBJECT_MISMATCH)"),
    "ListAuditEntries": allow(OPERATOR, ownership="the platform's operators only"),
}


def keyed(request: Message, response_type: type[keys.R],
          answer: Callable[[Payment], keys.R]) -> keys.Keyed[keys.R]:
    """A multi-transaction call's request id (scope: the method's name)."""
    return keys.Keyed(response_type.DESCRIPTOR.name.removesuffix("Response"),
                      str(getattr(request, "request_id", "")), request_hash(request),
                      response_type, answer)


class PaymentServicer(payment_pb2_grpc.PaymentServiceServicer):
    def __init__(self, uows: Callable[[], PaymentUnitOfWork], channels: Channels,
                 trade: trade_grpc.TradeServiceStub, policy: Policy,
                 cod_denied_provinces: Collection[str]) -> None:
        self.uows = uows
        self.channels = channels
        # Asked whether it would take the parts before money moves (CheckPayable).
        self.trade = trade
        self.policy = policy
        self.cod_denied_provinces = cod_denied_provinces

    async def _once(self, request: Message, response_type: type[keys.R],
                    action: Callable[[PaymentUnitOfWork], Awaitable[keys.R]]) -> keys.R:
        async with self.uows() as uow:
            return await once(uow.keys, request, response_type, lambda: action(uow))

    async def ListPaymentMethods(self, request: pb.ListPaymentMethodsRequest, context: Ctx
                                 ) -> pb.ListPaymentMethodsResponse:
        requests.validate_amount(request)
        async with self.uows() as uow:
            options = await wallet.payment_methods(
                uow, current_identity(), request.buyer_id, request.amount.currency_code,
                request.amount.amount_minor, request.address.province,
                self.cod_denied_provinces)
        return pb.ListPaymentMethodsResponse(methods=views.methods(options))

    async def CreatePayment(self, request: pb.CreatePaymentRequest, context: Ctx
                            ) -> pb.CreatePaymentResponse:
        return await opening.create_payment(
            self.uows, self.channels, self.trade, self.policy, requests.opening(request),
            keyed(request, pb.CreatePaymentResponse,
                  lambda p: pb.CreatePaymentResponse(payment=views.payment(p))),
            current_identity(), context.time_remaining())

    async def SwitchChannel(self, request: pb.SwitchChannelRequest, context: Ctx
                            ) -> pb.SwitchChannelResponse:
        requests.validate_switch(request)
        return await opening.switch_channel(
            self.uows, self.channels, self.trade, self.policy, request.payment_id,
            request.method, keyed(request, pb.SwitchChannelResponse,
                                  lambda p: pb.SwitchChannelResponse(payment=views.payment(p))),
            current_identity(), context.time_remaining())

    async def GetPayment(self, request: pb.GetPaymentRequest, context: Ctx
                         ) -> pb.GetPaymentResponse:
        async with self.uows() as uow:
            payment = await queries.get_payment(uow, request.payment_id, current_identity())
        return pb.GetPaymentResponse(payment=views.payment(payment))

    async def ListPayments(self, request: pb.ListPaymentsRequest, context: Ctx
                           ) -> pb.ListPaymentsResponse:
        async with self.uows() as uow:
            page, token = await queries.list_payments(uow, request.pay_order_id,
                                                      request.page_size, request.page_token,
                                                      current_identity())
        return pb.ListPaymentsResponse(payments=[views.payment(p) for p in page],
                                       next_page_token=token)

    async def ClosePayment(self, request: pb.ClosePaymentRequest, context: Ctx
                           ) -> pb.ClosePaymentResponse:
        # The channel trades are closed first (outside any transaction), then
        # the payment, remembered by request id.
        caller = current_identity()
        await opening.close_at_channels_first(self.uows, self.channels, request.payment_id,
                                              caller)

        async def close(uow: PaymentUnitOfWork) -> pb.ClosePaymentResponse:
            payment = await opening.close_payment(uow, request.payment_id, request.reason,
                                                  caller, utcnow())
            return pb.ClosePaymentResponse(payment=views.payment(payment))

        return await self._once(request, pb.ClosePaymentResponse, close)

    async def CreateRefund(self, request: pb.CreateRefundRequest, context: Ctx
                           ) -> pb.CreateRefundResponse:
        requests.validate_amount(request)

        async def refund(uow: PaymentUnitOfWork) -> pb.CreateRefundResponse:
            made = await refunds.create_refund(
                uow, request.payment_id, request.amount.amount_minor,
                request.amount.currency_code, request.reason, request.request_id, utcnow(),
                request.pay_order_id)
            return pb.CreateRefundResponse(refund=views.refund(made))

        return await self._once(request, pb.CreateRefundResponse, refund)

    async def GetRefund(self, request: pb.GetRefundRequest, context: Ctx
                        ) -> pb.GetRefundResponse:
        async with self.uows() as uow:
            return pb.GetRefundResponse(refund=views.refund(
                await queries.get_refund(uow, request.refund_id, current_identity())))

    async def TopUpBalance(self, request: pb.TopUpBalanceRequest, context: Ctx
                           ) -> pb.TopUpBalanceResponse:
        requests.validate_amount(request)
        currency = request.amount.currency_code

        async def top_up(uow: PaymentUnitOfWork) -> pb.TopUpBalanceResponse:
            after = await wallet.top_up(uow, request.buyer_id, currency,
                                        request.amount.amount_minor, request.request_id,
                                        utcnow())
            return pb.TopUpBalanceResponse(account=views.balance(request.buyer_id, currency,
                                                                 after))

        return await self._once(request, pb.TopUpBalanceResponse, top_up)

    async def GetBalance(self, request: pb.GetBalanceRequest, context: Ctx
                         ) -> pb.GetBalanceResponse:
        currency = requests.balance_currency(request)
        async with self.uows() as uow:
            amount = await wallet.balance(uow, current_identity(), request.buyer_id, currency)
        return pb.GetBalanceResponse(account=views.balance(request.buyer_id, currency, amount))

    async def ListAuditEntries(self, request: pb.ListAuditEntriesRequest, context: Ctx
                               ) -> pb.ListAuditEntriesResponse:
        async with self.uows() as uow:
            entries, token = await queries.audit_trail(
                uow, request.resource_type, request.resource_id, request.page_size,
                request.page_token)
        return pb.ListAuditEntriesResponse(entries=entries, next_page_token=token)
