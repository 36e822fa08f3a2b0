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
