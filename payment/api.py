"""payment's gRPC servicer: request -> use case -> response."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from payment.handlers import Payments
from zhongtai.idempotency import idempotent_rpc
from zhongtai.payment.v1 import payment_pb2 as pb
from zhongtai.payment.v1 import payment_pb2_grpc

Ctx: TypeAlias = grpc.aio.ServicerContext


class PaymentServicer(payment_pb2_grpc.PaymentServiceServicer):
    def __init__(self, payments: Payments) -> None:
        self.payments = payments
        self.db = payments.db
        self.keys = payments.keys

    async def ListPaymentMethods(self, request: pb.ListPaymentMethodsRequest, context: Ctx
                                 ) -> pb.ListPaymentMethodsResponse:
        async with self.db.transaction() as s:
            return await self.payments.list_payment_methods(s, request)

    async def CreatePayment(self, request: pb.CreatePaymentRequest, context: Ctx
                            ) -> pb.CreatePaymentResponse:
        return await self.payments.create_payment(request, context.time_remaining())

    async def SwitchChannel(self, request: pb.SwitchChannelRequest, context: Ctx
                            ) -> pb.SwitchChannelResponse:
        return await self.payments.switch_channel(request, context.time_remaining())

    async def GetPayment(self, request: pb.GetPaymentRequest, context: Ctx
                         ) -> pb.GetPaymentResponse:
        async with self.db.transaction() as s:
            return pb.GetPaymentResponse(
                payment=await self.payments.get_payment(s, request.payment_id))

    async def ListPayments(self, request: pb.ListPaymentsRequest, context: Ctx
                           ) -> pb.ListPaymentsResponse:
        async with self.db.transaction() as s:
            return await self.payments.list_payments(s, request)

    async def ClosePayment(self, request: pb.ClosePaymentRequest, context: Ctx
                           ) -> pb.ClosePaymentResponse:
        # The channel trades are closed first (outside any transaction), then
        # the payment, remembered by request id.
        await self.payments.close_payment_at_channels(request)
        return await idempotent_rpc(self.db, self.keys, request, pb.ClosePaymentResponse,
                                    lambda s: self.payments.close_payment(s, request))

    async def CreateRefund(self, request: pb.CreateRefundRequest, context: Ctx
                           ) -> pb.CreateRefundResponse:
        return await idempotent_rpc(self.db, self.keys, request, pb.CreateRefundResponse,
                                    lambda s: self.payments.create_refund(s, request))

    async def GetRefund(self, request: pb.GetRefundRequest, context: Ctx
                        ) -> pb.GetRefundResponse:
        async with self.db.transaction() as s:
            return pb.GetRefundResponse(refund=await self.payments.get_refund(
                s, request.refund_id))

    async def TopUpBalance(self, request: pb.TopUpBalanceRequest, context: Ctx
                           ) -> pb.TopUpBalanceResponse:
        return await idempotent_rpc(self.db, self.keys, request, pb.TopUpBalanceResponse,
                                    lambda s: self.payments.top_up(s, request))

    async def GetBalance(self, request: pb.GetBalanceRequest, context: Ctx
                         ) -> pb.GetBalanceResponse:
        async with self.db.transaction() as s:
            return pb.GetBalanceResponse(account=await self.payments.get_balance(s, request))
