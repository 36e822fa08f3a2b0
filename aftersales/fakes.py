"""after-sales without a database and without the other services, for unit
tests of the use cases.

``InMemoryAfterSalesUnitOfWork`` keeps applications in a ``MemoryStore``
(copied in and out, staged until commit, so a rolled-back unit of work
leaves nothing). ``FakeTrade``, ``FakePayment``, ``FakePromotion``,
``FakeCatalog`` and ``FakeLogistics`` answer like the services' contracts
(each mutation idempotent by its key), count the effects they made, and
can be told to fail a method (``fail``: Unavailable before the effect) or
to "crash" after it (``crash_after``: the effect is made, then ``Crash`` is
raised, as if after-sales died before hearing the answer).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aftersales.application import Application
from aftersales.clients import Clients
from aftersales.repository import (
    AfterSalesUnitOfWork,
    Applications,
    Filter,
    concurrent_change,
)
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.common.v1.common_pb2 import Address
from zhongtai.errors import FailedPrecondition, NotFound, Unavailable
from zhongtai.idempotency import InMemoryKeyStore
from zhongtai.logistics.v1 import logistics_pb2 as lg
from zhongtai.payment.v1 import payment_pb2 as pay
from zhongtai.promotion.v1 import promotion_pb2 as promo
from zhongtai.trade.v1 import trade_pb2 as trade
from zhongtai.uow import InMemoryUnitOfWork
from zhongtai.wire import money


class Crash(BaseException):
    """after-sales died (the unit of work rolls back; the remote effect stays).
    A BaseException, so that nothing on the way catches it, as nothing
    survives a kill -9: the timer worker does not count it as a failure."""


@dataclass
class MemoryStore:
    applications: dict[str, Application] = field(default_factory=dict)
    keys: InMemoryKeyStore = field(default_factory=InMemoryKeyStore)


class InMemoryApplications(Applications):
    """Applications as copies in the store (written at once: the unit of work
    puts the store back as it found it when it rolls back)."""

    uow: InMemoryAfterSalesUnitOfWork

    @property
    def _all(self) -> dict[str, Application]:
        return self.uow.store.applications

    async def find(self, application_id: str, *, lock: bool = False) -> Application | None:
        app = self._all.get(application_id)
        return app.snapshot() if app is not None else None

    async def by_refund(self, refund_id: str) -> str | None:
        return next((a.application_id for a in self._all.values()
                     if any(p.refund_id == refund_id for p in a.refund.parts)), None)

    async def page(self, which: Filter) -> list[Application]:
        listed = sorted((a for a in self._all.values() if which.admits(a)),
                        key=lambda a: a.application_id, reverse=True)
        return [a.snapshot() for a in listed[:which.limit]]

    async def add(self, app: Application) -> None:
        app.version = 1
        self._all[app.application_id] = app.snapshot()
        self._hand_over(app)

    async def save(self, app: Application) -> None:
        if self._all[app.application_id].version != app.version:
            raise concurrent_change(app.application_id)
        app.version += 1
        self._all[app.application_id] = app.snapshot()
        self._hand_over(app)


class InMemoryAfterSalesUnitOfWork(InMemoryUnitOfWork, AfterSalesUnitOfWork):
    """after-sales' unit of work over a ``MemoryStore``; reused, one at a time,
    by every unit of work a use case opens (``lambda: uow``). It remembers
    the applications as they were when it began and puts them back if it
    rolls back."""

    def __init__(self, store: MemoryStore | None = None) -> None:
        super().__init__()
        self.store = store or MemoryStore()
        self.applications = InMemoryApplications(self)
        self.keys = self.store.keys
        self._before: dict[str, Application] = {}

    async def _begin(self) -> None:
        await super()._begin()
        self._before = dict(self.store.applications)
        self.store.keys.begin()

    async def _commit(self) -> None:
        self.store.keys.commit()
        await super()._commit()

    async def _rollback(self, exc: BaseException) -> None:
        self.store.applications.clear()
        self.store.applications.update(self._before)
        self.store.keys.rollback()
        await super()._rollback(exc)

    def application(self, application_id: str) -> Application:
        """The committed application (a copy), for assertions."""
        return self.store.applications[application_id].snapshot()


class FakeService:
    """Records calls; fails or "crashes" a method on demand."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.fail: Counter[str] = Counter()
        self.crash_after: Counter[str] = Counter()
        self.effects: Counter[str] = Counter()
        # Seconds each call takes (to let concurrent callers overlap).
        self.delay = 0.0

    async def _enter(self, method: str) -> None:
        self.calls.append(method)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail[method] > 0:
            self.fail[method] -= 1
            raise Unavailable("DEPENDENCY_FAILED", f"{method} unavailable (fake)")

    def _leave(self, method: str, key: str, new: bool) -> None:
        if new:
            self.effects[method] += 1
            self.effects[f"{method}:{key}"] += 1
        if self.crash_after[method] > 0:
            self.crash_after[method] -= 1
            raise Crash(f"after-sales died after {method}")


@dataclass
class FakeLine:
    """A line trade knows, with its caps and what its plan gives back."""

    order_id: str
    line_order_id: str
    buyer_id: str
    seller_id: str = "s1"
    sku_id: str = "sku-1"
    quantity: int = 2
    paid: int = 10_000
    shipped: bool = True
    physical: bool = True
    points: int = 0
    card: int = 0
    # Cash split across pay orders (latest first): pay order id -> amount.
    pay_orders: dict[str, int] = field(default_factory=dict)


class FakeTrade(FakeService):
    """Trade's refund claims: caps, one open claim per line, plans."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[str, FakeLine] = {}
        self.claims: dict[str, dict[str, Any]] = {}
        self.refundable = True

    def add_line(self, line: FakeLine) -> FakeLine:
        self.lines[line.line_order_id] = line
        return line

    def _open(self, line_order_id: str) -> str:
        return next((k for k, c in self.claims.items() if c["line"] == line_order_id
                     and c["state"] in ("OPEN", "AGREED")), "")

    def _refunded(self, line_order_id: str) -> tuple[int, int]:
        done = [c for c in self.claims.values()
                if c["line"] == line_order_id and c["state"] == "REFUNDED"]
        return sum(c["agreed"] for c in done), sum(c["quantity"] for c in done)

    async def GetRefundable(self, req: trade.GetRefundableRequest, **_: object
                            ) -> trade.GetRefundableResponse:
        await self._enter("GetRefundable")
        lines = [x for x in self.lines.values() if req.order_id in (x.order_id, x.line_order_id)]
        if not lines:
            raise NotFound("ORDER_NOT_FOUND", f"order {req.order_id} does not exist")
        order_id = lines[0].order_id
        siblings = [x for x in self.lines.values() if x.order_id == order_id]
        out = trade.GetRefundableResponse(
            order_id=order_id, buyer_id=lines[0].buyer_id, refundable=self.refundable,
            address=Address(country_code="CN", province="Zhejiang", detail="1 Road"))
        for x in siblings:
            refunded, units = self._refunded(x.line_order_id)
            out.lines.append(trade.LineRefundable(
                line_order_id=x.line_order_id, seller_id=x.seller_id, sku_id=x.sku_id,
                quantity=x.quantity, paid_amount=money("CNY", x.paid),
                refunded_amount=money("CNY", refunded),
                max_refundable=money("CNY", x.paid - refunded),
                refundable_quantity=x.quantity - units,
                open_application_id=self._open(x.line_order_id), shipped=x.shipped,
                physical=x.physical))
        return out

    async def OpenRefund(self, req: trade.OpenRefundRequest, **_: object
                         ) -> trade.OpenRefundResponse:
        await self._enter("OpenRefund")
        line = self.lines[req.line_order_id]
        if not self.refundable:
            raise FailedPrecondition("REFUND_WINDOW_CLOSED", "the after-sales window ended")
        if req.buyer_id != line.buyer_id:
            raise FailedPrecondition("NOT_A_PARTY_TO_THE_ORDER", "not the buyer's")
        other = self._open(line.line_order_id)
        if other and other != req.application_id:
            raise FailedPrecondition("LINE_REFUND_OPEN", f"claim {other} is open",
                                     metadata={"application_id": other})
        refunded, units = self._refunded(line.line_order_id)
        if req.amount.amount_minor > line.paid - refunded or \
                req.quantity > line.quantity - units:
            raise FailedPrecondition("REFUND_AMOUNT_EXCEEDED", "more than the line may refund",
                                     metadata={"max_refundable": str(line.paid - refunded)})
        new = req.application_id not in self.claims
        self.claims[req.application_id] = {
            "line": line.line_order_id, "state": "OPEN", "kind": req.kind,
            "quantity": req.quantity, "amount": req.amount.amount_minor, "agreed": 0,
            "plan": None, "finished": None}
        self._leave("OpenRefund", req.application_id, new)
        return trade.OpenRefundResponse()

    async def AgreeRefund(self, req: trade.AgreeRefundRequest, **_: object
                          ) -> trade.AgreeRefundResponse:
        await self._enter("AgreeRefund")
        claim = self.claims.get(req.application_id)
        if claim is None:
            raise NotFound("REFUND_NOT_FOUND", "no such claim")
        new = claim["plan"] is None
        if new:
            claim["plan"] = self._plan(req, claim)
            claim["state"] = "AGREED"
        self._leave("AgreeRefund", req.application_id, new)
        return trade.AgreeRefundResponse(plan=claim["plan"])

    def _plan(self, req: trade.AgreeRefundRequest, claim: dict[str, Any]) -> trade.RefundPlan:
        line = self.lines[claim["line"]]
        cash = req.amount.amount_minor if req.HasField("amount") else claim["amount"]
        claim["agreed"] = cash
        quantity = req.quantity or claim["quantity"]
        plan = trade.RefundPlan(
            application_id=req.application_id, order_id=line.order_id,
            line_order_id=line.line_order_id, seller_id=line.seller_id, buyer_id=line.buyer_id,
            sku_id=line.sku_id, kind=claim["kind"], quantity=quantity,
            cash_amount=money("CNY", cash), freight_amount=money("CNY", 0),
            points_amount=money("CNY", line.points * quantity // line.quantity),
            stored_value_amount=money("CNY", line.card * quantity // line.quantity),
            restock_quantity=(min(req.returned_quantity, quantity)
                              if claim["kind"] == trade.REFUND_KIND_RETURN_AND_REFUND
                              else 0 if line.shipped else quantity),
            shipped=line.shipped)
        left = cash
        for pay_order_id, amount in (line.pay_orders or {f"po-{line.order_id}": cash}).items():
            share = min(left, amount)
            left -= share
            plan.payments.append(trade.RefundPayment(
                pay_order_id=pay_order_id, payment_id=f"pay-{line.order_id}",
                amount=money("CNY", share)))
        return plan

    async def FinishRefund(self, req: trade.FinishRefundRequest, **_: object
                           ) -> trade.FinishRefundResponse:
        await self._enter("FinishRefund")
        claim = self.claims.get(req.application_id)
        if claim is None:
            raise NotFound("REFUND_NOT_FOUND", "no such claim")
        outcome = "REFUNDED" if req.outcome == trade.REFUND_OUTCOME_KIND_REFUNDED else "CLOSED"
        new = claim["finished"] is None
        if new:
            claim["finished"], claim["state"] = req, outcome
        self._leave("FinishRefund", req.application_id, new)
        return trade.FinishRefundResponse()


class FakePayment(FakeService):
    """Payment's refunds, one per request id, PENDING until ``settle``."""

    def __init__(self, *, settle_at_once: bool = False) -> None:
        super().__init__()
        self.refunds: dict[str, pay.Refund] = {}
        self.by_request: dict[str, str] = {}
        self.settle_at_once = settle_at_once

    def settle(self, refund_id: str) -> None:
        self.refunds[refund_id].status = pay.REFUND_STATUS_SUCCEEDED

    async def CreateRefund(self, req: pay.CreateRefundRequest, **_: object
                           ) -> pay.CreateRefundResponse:
        await self._enter("CreateRefund")
        new = req.request_id not in self.by_request
        if new:
            refund_id = f"rf-{len(self.refunds) + 1}"
            self.by_request[req.request_id] = refund_id
            self.refunds[refund_id] = pay.Refund(
                refund_id=refund_id, payment_id=req.payment_id, amount=req.amount,
                pay_order_id=req.pay_order_id, status=pay.REFUND_STATUS_SUCCEEDED
                if self.settle_at_once else pay.REFUND_STATUS_PENDING)
        self._leave("CreateRefund", req.request_id, new)
        return pay.CreateRefundResponse(refund=self.refunds[self.by_request[req.request_id]])

    async def GetRefund(self, req: pay.GetRefundRequest, **_: object
                        ) -> pay.GetRefundResponse:
        await self._enter("GetRefund")
        self._leave("GetRefund", req.refund_id, False)
        return pay.GetRefundResponse(refund=self.refunds[req.refund_id])


class FakePromotion(FakeService):
    def __init__(self) -> None:
        super().__init__()
        self.returned: dict[str, promo.ReturnBenefitsRequest] = {}

    async def ReturnBenefits(self, req: promo.ReturnBenefitsRequest,
                             **_: object) -> promo.ReturnBenefitsResponse:
        await self._enter("ReturnBenefits")
        new = req.request_id not in self.returned
        self.returned.setdefault(req.request_id, req)
        self._leave("ReturnBenefits", req.request_id, new)
        return promo.ReturnBenefitsResponse()


class FakeCatalog(FakeService):
    def __init__(self) -> None:
        super().__init__()
        self.restocked: dict[str, cat.RestockUnitsRequest] = {}

    async def RestockUnits(self, req: cat.RestockUnitsRequest, **_: object
                           ) -> cat.RestockUnitsResponse:
        await self._enter("RestockUnits")
        new = req.request_id not in self.restocked
        self.restocked.setdefault(req.request_id, req)
        self._leave("RestockUnits", req.request_id, new)
        return cat.RestockUnitsResponse()


class FakeLogistics(FakeService):
    def __init__(self) -> None:
        super().__init__()
        self.returns: dict[str, lg.LogisticsOrder] = {}

    async def CreateReturn(self, req: lg.CreateReturnRequest, **_: object
                           ) -> lg.CreateReturnResponse:
        await self._enter("CreateReturn")
        new = req.request_id not in self.returns
        if new:
            self.returns[req.request_id] = lg.LogisticsOrder(
                logistics_order_id=f"lo-{req.request_id}", application_id=req.request_id,
                role=lg.LOGISTICS_ORDER_ROLE_RETURN, warehouse_id="wh-1",
                address=Address(country_code="CN", detail="Warehouse 1"),
                return_from=req.from_address)
        self._leave("CreateReturn", req.request_id, new)
        return lg.CreateReturnResponse(return_order=self.returns[req.request_id])

    async def ShipReturn(self, req: lg.ShipReturnRequest, **_: object
                         ) -> lg.ShipReturnResponse:
        await self._enter("ShipReturn")
        order = next(o for o in self.returns.values()
                     if o.logistics_order_id == req.logistics_order_id)
        new = order.status != lg.LOGISTICS_ORDER_STATUS_SHIPPED
        order.status = lg.LOGISTICS_ORDER_STATUS_SHIPPED
        self._leave("ShipReturn", req.request_id, new)
        return lg.ShipReturnResponse(return_order=order)


@dataclass
class FakeServices:
    """The five services after-sales calls, faked, and ``Clients`` over them."""

    trade: FakeTrade = field(default_factory=FakeTrade)
    payment: FakePayment = field(default_factory=FakePayment)
    promotion: FakePromotion = field(default_factory=FakePromotion)
    catalog: FakeCatalog = field(default_factory=FakeCatalog)
    logistics: FakeLogistics = field(default_factory=FakeLogistics)

    @property
    def clients(self) -> Clients:
        return Clients(self.trade, self.payment, self.promotion, self.catalog, self.logistics)
