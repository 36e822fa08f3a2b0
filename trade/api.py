"""trade's gRPC servicer: request -> use case -> response."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from trade.handlers import Trade
from zhongtai.idempotency import idempotent_rpc
from zhongtai.trade.v1 import trade_pb2 as pb
from zhongtai.trade.v1 import trade_pb2_grpc

Ctx: TypeAlias = grpc.aio.ServicerContext


class TradeServicer(trade_pb2_grpc.TradeServiceServicer):
    def __init__(self, trade: Trade) -> None:
        self.trade = trade
        self.db = trade.db

    async def QuoteOrder(self, request: pb.QuoteOrderRequest, context: Ctx
                         ) -> pb.QuoteOrderResponse:
        return await self.trade.quote_order(request, context.time_remaining())

    async def CreateOrder(self, request: pb.CreateOrderRequest, context: Ctx
                          ) -> pb.CreateOrderResponse:
        return await self.trade.create_order(request, context.time_remaining())

    async def GetOrder(self, request: pb.GetOrderRequest, context: Ctx) -> pb.GetOrderResponse:
        async with self.db.transaction() as s:
            return pb.GetOrderResponse(order=await self.trade.get_order(s, request.order_id))

    async def ListOrders(self, request: pb.ListOrdersRequest, context: Ctx
                         ) -> pb.ListOrdersResponse:
        async with self.db.transaction() as s:
            return await self.trade.list_orders(s, request)

    async def CancelOrder(self, request: pb.CancelOrderRequest, context: Ctx
                          ) -> pb.CancelOrderResponse:
        return await idempotent_rpc(self.db, self.trade.keys, request, pb.CancelOrderResponse,
                                    lambda s: self.trade.cancel_order(s, request))

    async def AdjustPrice(self, request: pb.AdjustPriceRequest, context: Ctx
                          ) -> pb.AdjustPriceResponse:
        return await idempotent_rpc(self.db, self.trade.keys, request, pb.AdjustPriceResponse,
                                    lambda s: self.trade.adjust_price(s, request))

    async def ConfirmReceipt(self, request: pb.ConfirmReceiptRequest, context: Ctx
                             ) -> pb.ConfirmReceiptResponse:
        return await idempotent_rpc(self.db, self.trade.keys, request,
                                    pb.ConfirmReceiptResponse,
                                    lambda s: self.trade.confirm_receipt(s, request))

    async def ExtendReceipt(self, request: pb.ExtendReceiptRequest, context: Ctx
                            ) -> pb.ExtendReceiptResponse:
        return await idempotent_rpc(self.db, self.trade.keys, request,
                                    pb.ExtendReceiptResponse,
                                    lambda s: self.trade.extend_receipt(s, request))

    async def RedeemVoucher(self, request: pb.RedeemVoucherRequest, context: Ctx
                            ) -> pb.RedeemVoucherResponse:
        return await idempotent_rpc(self.db, self.trade.keys, request,
                                    pb.RedeemVoucherResponse,
                                    lambda s: self.trade.redeem_voucher(s, request))

    async def ListVouchers(self, request: pb.ListVouchersRequest, context: Ctx
                           ) -> pb.ListVouchersResponse:
        async with self.db.transaction() as s:
            return await self.trade.list_vouchers(s, request)

    async def CheckPayable(self, request: pb.CheckPayableRequest, context: Ctx
                           ) -> pb.CheckPayableResponse:
        async with self.db.transaction() as s:
            return await self.trade.check_payable(s, request)
