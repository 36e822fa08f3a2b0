"""Builders for after-sales' Application aggregate and its use cases in
memory: applications in any status, the callers, a hand-moved clock and a
``Desk`` (the unit of work, the faked services, the use cases' arguments)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import grpc

from aftersales import views
from aftersales.application import Actor, AfterSalesPolicy, Application
from aftersales.fakes import FakeLine, FakeServices, InMemoryAfterSalesUnitOfWork
from tests.trade_support import T0, Clock
from zhongtai.aftersales.v1 import aftersales_pb2 as pb
from zhongtai.auth import Identity, Role
from zhongtai.trade.v1.trade_pb2 import RefundPlan
from zhongtai.wire import money

POLICY = AfterSalesPolicy()
BUYER = Identity(Role.BUYER, "b1")
OTHER_BUYER = Identity(Role.BUYER, "b2")
SELLER = Identity(Role.SELLER, "acct-1", frozenset({"s1"}))
OTHER_SELLER = Identity(Role.SELLER, "acct-2", frozenset({"s2"}))
OPERATOR = Identity(Role.OPERATOR, "ops-1")
SELLER_ACTOR = Actor("seller", "s1")
REFUND_ONLY, RETURN = pb.APPLICATION_KIND_REFUND_ONLY, pb.APPLICATION_KIND_RETURN_AND_REFUND


def application(kind: int = REFUND_ONLY, *, reason: int = pb.APPLICATION_REASON_DAMAGED,
                amount: int = 6000, quantity: int = 2, now: dt.datetime = T0,
                application_id: str = "A1") -> Application:
    """A new application of line L1 (order O1) of buyer b1, seller s1, pulled
    (its creation's events and deadlines cleared)."""
    app = Application.apply(
        application_id=application_id, order_id="O1", line_order_id="L1", buyer_id="b1",
        seller_id="s1", sku_id="sku-1", kind=kind, reason=reason, note="broken",
        evidence_urls=(), quantity=quantity, currency="CNY", amount=amount, now=now,
        policy=POLICY)
    app.pull()
    return app


def in_status(status: int, kind: int = RETURN, now: dt.datetime = T0) -> Application:
    """An application brought to ``status`` by its own transitions (pulled)."""
    app = application(kind, now=now)
    if status == pb.APPLICATION_STATUS_WAIT_SELLER_REVIEW:
        return app
    if status in (pb.APPLICATION_STATUS_REJECTED, pb.APPLICATION_STATUS_ARBITRATING,
                  pb.APPLICATION_STATUS_CLOSED):
        app.reject(SELLER_ACTOR, "no", now, POLICY)
        if status == pb.APPLICATION_STATUS_ARBITRATING:
            app.escalate("please", now, POLICY)
        if status == pb.APPLICATION_STATUS_CLOSED:
            app.withdraw(now, POLICY)
        app.pull()
        return app
    if kind == pb.APPLICATION_KIND_REFUND_ONLY:
        app.approve(SELLER_ACTOR, "", now, POLICY)
    else:
        app.return_created("lo-A1", "wh-1", b"")
        app.approve(SELLER_ACTOR, "", now, POLICY)
        if status != pb.APPLICATION_STATUS_WAIT_BUYER_RETURN:
            app.ship_return("sf", "T1", 800, now, POLICY)
        if status in (pb.APPLICATION_STATUS_WAIT_BUYER_CONFIRM,):
            app.confirm_receipt(SELLER_ACTOR, 1, 3000, "one broken", now, POLICY)
        if status in (pb.APPLICATION_STATUS_REFUNDING, pb.APPLICATION_STATUS_REFUNDED):
            app.confirm_receipt(SELLER_ACTOR, 2, None, "", now, POLICY)
    if status == pb.APPLICATION_STATUS_REFUNDED:
        app.refund_agreed(RefundPlan(application_id=app.application_id).SerializeToString(),
                          [], points_amount=0, stored_value_amount=0,
                          restore_coupons=False, restock_quantity=0, now=now)
        app.refunded(now, POLICY)
    app.pull()
    assert app.status == status, pb.ApplicationStatus.Name(app.status)
    return app


@dataclass
class Desk:
    """A use case's world: the unit of work, the faked services, the clock."""

    uow: InMemoryAfterSalesUnitOfWork = field(default_factory=InMemoryAfterSalesUnitOfWork)
    services: FakeServices = field(default_factory=FakeServices)
    clock: Clock = field(default_factory=Clock)
    policy: AfterSalesPolicy = POLICY

    def __post_init__(self) -> None:
        self.line = self.services.trade.add_line(FakeLine(
            order_id="O1", line_order_id="L1", buyer_id="b1", quantity=2, paid=10_000,
            points=500, card=300))

    def new_uow(self) -> InMemoryAfterSalesUnitOfWork:
        return self.uow

    async def change(self, write: Callable[[InMemoryAfterSalesUnitOfWork, Any],
                                           Awaitable[Application]],
                     prepare: Callable[[], Awaitable[Any]] | None = None) -> pb.Application:
        """A mutating use case as the servicer runs it (its request ids
        apart): ``prepare`` (the calls to other services), then ``write``
        in a unit of work; the application as the API shows it."""
        prepared = await prepare() if prepare is not None else None
        async with self.uow as uow:
            app = await write(uow, prepared)
        return views.application_message(app)


def create_request(kind: int = REFUND_ONLY, *, request_id: str = "r1", amount: int = 6000,
                   quantity: int = 2, line: str = "L1",
                   reason: int = pb.APPLICATION_REASON_DAMAGED) -> pb.CreateApplicationRequest:
    return pb.CreateApplicationRequest(
        request_id=request_id, line_order_id=line, kind=kind,  # type: ignore[arg-type]
        reason=reason, note="broken",  # type: ignore[arg-type]
        evidence_urls=["https://img.example/1.jpg"], quantity=quantity,
        amount=money("CNY", amount))


async def run_effects(desk: Desk, application_id: str = "A1") -> None:
    """Fire the application's armed effects timer (its current round) as the
    timer worker would: prepared in a unit of work, called outside it,
    settled in another."""
    from aftersales import refunds
    from aftersales.application import EFFECTS_TIMER

    key = desk.uow.application(application_id).effects_key
    assert (EFFECTS_TIMER, key) in desk.uow.timers, f"no effects timer {key} armed"
    async with desk.uow as uow:
        app = await refunds.prepare_effects(uow, key)
    if app is None:
        return
    steps = await refunds.call_effects(desk.services.clients, app, desk.policy, desk.clock)
    async with desk.uow as uow:
        await refunds.settle_effects(uow, key, steps)


async def fire_deadline(desk: Desk, application_id: str = "A1") -> bool:
    """Fire the current status's deadline timer at its due time."""
    from aftersales import review

    app = desk.uow.application(application_id)
    timer = next(kind for (kind, key) in desk.uow.timers
                 if key == application_id and kind != "aftersales.effects")
    assert app.deadline_at is not None
    desk.clock.now = app.deadline_at
    async with desk.uow as uow:
        return await review.on_deadline(uow, timer, application_id, desk.clock, desk.policy)


# The RPCs after-sales calls, by service, that ``serve_fakes`` answers.
FAKED_RPCS = {
    "zhongtai.trade.v1.TradeService": ("trade", ("GetRefundable", "OpenRefund", "AgreeRefund",
                                                 "FinishRefund")),
    "zhongtai.payment.v1.PaymentService": ("payment", ("CreateRefund", "GetRefund")),
    "zhongtai.promotion.v1.PromotionService": ("promotion", ("ReturnBenefits",)),
    "zhongtai.catalog.v1.CatalogService": ("catalog", ("RestockUnits",)),
    "zhongtai.logistics.v1.LogisticsService": ("logistics", ("CreateReturn", "ShipReturn")),
}


def _answering(call: Any) -> Any:
    async def handle(request: Any, _context: Any) -> Any:
        return await call(request)
    return handle


async def serve_fakes(services: FakeServices, address: str) -> grpc.aio.Server:
    """The five faked services on one gRPC port (their refusals as the real
    ones report them), for an after-sales process to call."""
    from google.protobuf import descriptor_pool, message_factory

    from zhongtai.grpcserver import ErrorAndLogInterceptor

    server = grpc.aio.server(interceptors=[ErrorAndLogInterceptor()])
    for service, (name, methods) in FAKED_RPCS.items():
        fake = getattr(services, name)
        descriptor = descriptor_pool.Default().FindServiceByName(service)
        handlers = {}
        for method in methods:
            m = descriptor.methods_by_name[method]
            handlers[method] = grpc.unary_unary_rpc_method_handler(
                _answering(getattr(fake, method)),
                request_deserializer=message_factory.GetMessageClass(m.input_type).FromString,
                response_serializer=message_factory.GetMessageClass(
                    m.output_type).SerializeToString)
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(service,
                                                                              handlers),))
    server.add_insecure_port(address)
    await server.start()
    return server
