"""Fakes of what a service talks to: a payment channel in memory, catalog's
and promotion's gRPC stubs as trade calls them (``FakeShop``: with
logistics, for trade's use cases in memory), trade's as payment calls it."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import grpc

from payment.channels.base import (
    Channel,
    ChannelError,
    ChannelTrade,
    Notification,
    NotificationRejected,
    PayParams,
    RefundState,
    RefundStatus,
    StatementLine,
    TradeState,
    TradeStatus,
)
from tests.builders import cny
from trade.checkout import Clients
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.common.v1.common_pb2 import Money
from zhongtai.db import utcnow
from zhongtai.logistics.v1 import logistics_pb2 as lg
from zhongtai.promotion.v1 import promotion_pb2 as promo
from zhongtai.trade.v1 import trade_pb2 as tr


@dataclass
class FakeChannel(Channel):
    """A channel in memory: trades and refunds by our ids, like a real one.

    ``fail`` makes the next calls raise a ChannelError (retryable unless
    ``fail_retryable`` is False); ``refund_state`` is what refunds settle as
    in the answer (PENDING: they wait for ``settle_refund``).
    """

    name: str = "sandbox"
    trades: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    fail: int = 0
    fail_retryable: bool = True
    refund_state: RefundState = RefundState.PENDING
    calls: list[tuple[str, str]] = field(default_factory=list)

    def _maybe_fail(self, what: str, key: str) -> None:
        self.calls.append((what, key))
        if self.fail > 0:
            self.fail -= 1
            raise ChannelError(f"{what} failed on purpose", retryable=self.fail_retryable)

    async def create(self, trade: ChannelTrade) -> PayParams:
        self._maybe_fail("create", trade.attempt_id)
        self.trades.setdefault(trade.attempt_id, {
            "amount": trade.amount, "currency": trade.currency, "state": TradeState.PENDING,
            "notify_url": trade.notify_url})
        return PayParams(pay_url=f"https://fake.example/pay/{trade.attempt_id}")

    def _status(self, attempt_id: str) -> TradeStatus:
        tr = self.trades.get(attempt_id)
        if tr is None:
            return TradeStatus(attempt_id, TradeState.NOT_FOUND)
        return TradeStatus(attempt_id, tr["state"], tr["amount"], tr["currency"],
                           tr.get("txn", ""), tr.get("paid_at"))

    async def query(self, attempt_id: str) -> TradeStatus:
        self._maybe_fail("query", attempt_id)
        return self._status(attempt_id)

    async def close(self, attempt_id: str) -> TradeStatus:
        self._maybe_fail("close", attempt_id)
        tr = self.trades.get(attempt_id)
        if tr is not None and tr["state"] is TradeState.PENDING:
            tr["state"] = TradeState.CLOSED
        return self._status(attempt_id)

    def pay(self, attempt_id: str, amount: int | None = None) -> Notification:
        """The buyer pays (even a closed trade); the notification the channel sends."""
        tr = self.trades.setdefault(attempt_id, {"amount": amount or 0, "currency": "CNY",
                                                 "state": TradeState.PENDING})
        tr.update(state=TradeState.SUCCEEDED, txn=f"txn-{attempt_id}", paid_at=utcnow())
        return Notification(kind="payment", attempt_id=attempt_id, state="SUCCEEDED",
                            amount=amount if amount is not None else tr["amount"],
                            currency=tr["currency"], channel_transaction_id=tr["txn"],
                            occurred_at=tr["paid_at"])

    async def refund(self, attempt_id: str, refund_id: str, amount: int,
                     currency: str) -> RefundStatus:
        self._maybe_fail("refund", refund_id)
        r = self.refunds.setdefault(refund_id, {"attempt_id": attempt_id, "amount": amount,
                                                "currency": currency,
                                                "state": self.refund_state})
        return RefundStatus(refund_id, attempt_id, r["state"], amount, currency)

    async def query_refund(self, refund_id: str) -> RefundStatus:
        self._maybe_fail("query_refund", refund_id)
        r = self.refunds.get(refund_id)
        if r is None:
            return RefundStatus(refund_id, "", RefundState.NOT_FOUND)
        return RefundStatus(refund_id, r["attempt_id"], r["state"], r["amount"], r["currency"])

    def settle_refund(self, refund_id: str, ok: bool = True) -> Notification:
        r = self.refunds[refund_id]
        r["state"] = RefundState.SUCCEEDED if ok else RefundState.FAILED
        return Notification(kind="refund", attempt_id=r["attempt_id"], state=r["state"].value,
                            amount=r["amount"], currency=r["currency"], refund_id=refund_id)

    def verify_notification(self, headers: Mapping[str, str], body: bytes,
                            now: dt.datetime) -> Notification:
        if headers.get("X-Fake-Signature") != "ok":
            raise NotificationRejected("BAD_SIGNATURE", "not signed by the fake")
        return Notification(**json.loads(body))

    async def fetch_statement(self, day: dt.date) -> list[StatementLine]:
        return []


class FakeCatalog:
    """Stands in for CatalogServiceStub; ReserveStock can be held at a gate."""

    def __init__(self) -> None:
        self.gate: asyncio.Event | None = None
        self.reserved: list[str] = []
        self.unavailable = False

    async def BatchGetSkus(self, req: cat.BatchGetSkusRequest, **_: object
                           ) -> cat.BatchGetSkusResponse:
        return cat.BatchGetSkusResponse(skus=[cat.SkuView(
            sku_id=s, item_id=f"i-{s}", seller_id="seller-1", item_version=1, title=s,
            item_type=cat.ITEM_TYPE_ONLINE_SERVICE,
            price=Money(currency_code="CNY", amount_minor=1000)) for s in req.sku_ids])

    async def ReserveStock(self, req: cat.ReserveStockRequest, **_: object
                           ) -> cat.ReserveStockResponse:
        if self.gate is not None:
            await self.gate.wait()
        if self.unavailable:
            raise grpc.aio.AioRpcError(grpc.StatusCode.UNAVAILABLE, grpc.aio.Metadata(),
                                       grpc.aio.Metadata(), "connection refused")
        self.reserved.append(req.order_id)
        return cat.ReserveStockResponse()


class FakePromotion:
    """Stands in for PromotionServiceStub: nothing to deduct, holds succeed."""

    async def Quote(self, req: promo.QuoteRequest, **_: object) -> promo.QuoteResponse:
        return promo.QuoteResponse(lines=[
            promo.LineQuote(line_id=line.line_id, seller_id=line.seller_id,
                            original_amount=line.unit_price, actual_amount=Money(
                                currency_code=line.unit_price.currency_code,
                                amount_minor=line.unit_price.amount_minor * line.quantity))
            for line in req.lines])

    async def HoldBenefits(self, req: promo.HoldBenefitsRequest, **_: object
                           ) -> promo.HoldBenefitsResponse:
        return promo.HoldBenefitsResponse(quote=await self.Quote(req.quote))


@dataclass
class FakeTrade:
    """trade's CheckPayable in memory: every part is payable unless
    ``refuse`` names its reason; ``down`` makes the call fail UNAVAILABLE."""

    refuse: dict[str, int] = field(default_factory=dict)
    down: bool = False
    asked: list[tr.CheckPayableRequest] = field(default_factory=list)

    async def CheckPayable(self, request: tr.CheckPayableRequest,
                           timeout: float | None = None,  # noqa: ASYNC109 - a stub's signature
                           ) -> tr.CheckPayableResponse:
        self.asked.append(request)
        if self.down:
            raise grpc.aio.AioRpcError(grpc.StatusCode.UNAVAILABLE, grpc.aio.Metadata(),
                                       grpc.aio.Metadata(), "trade is down")
        return tr.CheckPayableResponse(results=[
            tr.PayableResult(pay_order_id=p.pay_order_id,
                             reason=self.refuse.get(p.pay_order_id, 0),  # type: ignore[arg-type]
                             detail="refused on purpose" if p.pay_order_id in self.refuse else "")
            for p in request.parts])


@dataclass
class FakeShop:
    """Catalog, promotion and logistics as trade's checkout and creation saga
    call them (one object for the three stubs, ``clients()``): SKUs in
    memory, no deductions unless ``deductions`` says so, freight per seller,
    a reservation refused with ``refuse_reservation``."""

    skus: dict[str, cat.SkuView] = field(default_factory=dict)
    deductions: dict[str, list[promo.Deduction]] = field(default_factory=dict)
    freight: dict[str, int] = field(default_factory=dict)
    reserved: list[str] = field(default_factory=list)
    refuse_reservation: Exception | None = None
    held: list[str] = field(default_factory=list)

    def sku(self, sku_id: str, price: int, *, seller: str = "s1",
            item_type: int = cat.ITEM_TYPE_PHYSICAL) -> str:
        self.skus[sku_id] = cat.SkuView(
            sku_id=sku_id, item_id=f"i-{sku_id}", seller_id=seller, item_version=1,
            title=sku_id, item_type=item_type, category_id="c1", price=cny(price),
            weight_grams=500 if item_type == cat.ITEM_TYPE_PHYSICAL else 0)
        return sku_id

    def clients(self) -> Clients:
        return Clients(self, self, self)  # type: ignore[arg-type]

    async def BatchGetSkus(self, req: cat.BatchGetSkusRequest, **_: object
                           ) -> cat.BatchGetSkusResponse:
        return cat.BatchGetSkusResponse(
            skus=[self.skus[s] for s in req.sku_ids if s in self.skus],
            missing_sku_ids=[s for s in req.sku_ids if s not in self.skus])

    async def Quote(self, req: promo.QuoteRequest, **_: object) -> promo.QuoteResponse:
        lines = []
        for x in req.lines:
            ds = self.deductions.get(x.sku_id, [])
            total = x.unit_price.amount_minor * x.quantity
            lines.append(promo.LineQuote(
                line_id=x.line_id, seller_id=x.seller_id, original_amount=cny(total),
                deductions=ds, actual_amount=cny(total - sum(d.amount.amount_minor
                                                             for d in ds))))
        return promo.QuoteResponse(lines=lines)

    async def HoldBenefits(self, req: promo.HoldBenefitsRequest, **_: object
                           ) -> promo.HoldBenefitsResponse:
        self.held.append(req.order_id)
        return promo.HoldBenefitsResponse(quote=await self.Quote(req.quote))

    async def ReserveStock(self, req: cat.ReserveStockRequest, **_: object
                           ) -> cat.ReserveStockResponse:
        if self.refuse_reservation is not None:
            raise self.refuse_reservation
        self.reserved.append(req.order_id)
        return cat.ReserveStockResponse()

    async def QuoteFreight(self, req: lg.QuoteFreightRequest, **_: object
                           ) -> lg.QuoteFreightResponse:
        return lg.QuoteFreightResponse(packages=[
            lg.PackageFreight(package_id=p.package_id, seller_id=p.seller_id,
                              freight=cny(self.freight.get(p.seller_id, 0)))
            for p in req.packages])
