"""The after-sales servicer on its real SQLite database, the services it
calls faked: each RPC maps its request to the use case and the answer back
(application, history, pages, figures, audit trail), as the caller the
credential names."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from aftersales import consumers
from aftersales.api import AfterSalesServicer
from aftersales.app import LOGISTICS, PAYMENT, SERVICE
from aftersales.application import RefundPart
from aftersales.fakes import FakeLine, FakeServices
from aftersales.repository import SqlAfterSalesUnitOfWork
from tests.aftersales_support import (
    BUYER,
    OPERATOR,
    OTHER_BUYER,
    POLICY,
    SELLER,
    SELLER_ACTOR,
    application,
    create_request,
)
from tests.builders import envelope, migrated
from zhongtai.aftersales.v1 import aftersales_pb2 as pb
from zhongtai.audit import acting
from zhongtai.auth import Identity, reset_identity, set_identity
from zhongtai.db import Database, utcnow
from zhongtai.errors import AlreadyExists, InvalidArgument, PermissionDenied
from zhongtai.inbox import consumer
from zhongtai.logistics.v1 import events_pb2 as lg_events
from zhongtai.logistics.v1 import logistics_pb2 as lg
from zhongtai.payment.v1 import events_pb2 as pay_events
from zhongtai.payment.v1 import payment_pb2 as pay
from zhongtai.wire import money


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await migrated(f"sqlite+aiosqlite:///{tmp_path}/aftersales.db", SERVICE)
    yield database
    await database.dispose()


@contextmanager
def calling(identity: Identity) -> Iterator[None]:
    """As the server sets it for an RPC: the caller and the audit's actor."""
    token = set_identity(identity)
    try:
        with acting(identity, "rpc"):
            yield
    finally:
        reset_identity(token)


async def test_the_rpcs_of_an_application_from_apply_to_refunding(db: Database) -> None:
    services = FakeServices()
    services.trade.add_line(FakeLine(order_id="O1", line_order_id="L1", buyer_id="b1"))
    servicer = AfterSalesServicer(db, services.clients, POLICY)
    ctx = None
    with calling(BUYER):
        app = (await servicer.CreateApplication(create_request(), ctx)).application  # type: ignore[arg-type]
        listed = await servicer.ListApplications(pb.ListApplicationsRequest(), ctx)  # type: ignore[arg-type]
        with pytest.raises(InvalidArgument):
            await servicer.ListApplications(pb.ListApplicationsRequest(  # type: ignore[arg-type]
                statuses=[pb.APPLICATION_STATUS_UNSPECIFIED]), ctx)
    assert [a.application_id for a in listed.applications] == [app.application_id]
    with calling(OTHER_BUYER), pytest.raises(PermissionDenied):
        await servicer.GetApplication(pb.GetApplicationRequest(  # type: ignore[arg-type]
            application_id=app.application_id), ctx)
    with calling(SELLER):
        approved = (await servicer.ApproveApplication(pb.ApproveApplicationRequest(  # type: ignore[arg-type]
            request_id="ap", application_id=app.application_id, note="sorry"), ctx)).application
        seen = await servicer.GetApplication(pb.GetApplicationRequest(  # type: ignore[arg-type]
            application_id=app.application_id), ctx)
        stats = await servicer.GetRefundStats(pb.GetRefundStatsRequest(), ctx)  # type: ignore[arg-type]
    assert approved.status == pb.APPLICATION_STATUS_REFUNDING
    assert approved.agreed_amount == money("CNY", 6000) and approved.HasField("agree_time")
    assert [(h.action, h.actor.id) for h in seen.history] == [
        (pb.ACTION_APPLIED, "b1"), (pb.ACTION_APPROVED, "s1")]
    assert [(s.seller_id, s.applications, s.refunded) for s in stats.stats] == [("s1", 1, 0)]
    with calling(OPERATOR):
        trail = await servicer.ListAuditEntries(pb.ListAuditEntriesRequest(  # type: ignore[arg-type]
            resource_type="application", resource_id=app.application_id), ctx)
    assert [(e.role, e.subject) for e in trail.entries] == [("buyer", "b1"),
                                                            ("seller", "acct-1")]


async def test_a_repeated_request_gets_its_first_answer_and_asks_nothing_again(
        db: Database) -> None:
    """Once per request id (its scope the RPC's name, bound to the caller):
    the repeat is answered from the record before any service is asked; the
    same id for another request is refused; a refused request leaves no key."""
    services = FakeServices()
    services.trade.add_line(FakeLine(order_id="O1", line_order_id="L1", buyer_id="b1"))
    servicer = AfterSalesServicer(db, services.clients, POLICY)
    ctx = None
    with calling(BUYER):
        first = await servicer.CreateApplication(create_request(), ctx)  # type: ignore[arg-type]
        again = await servicer.CreateApplication(create_request(), ctx)  # type: ignore[arg-type]
        with pytest.raises(AlreadyExists) as e:
            await servicer.CreateApplication(create_request(amount=100), ctx)  # type: ignore[arg-type]
    assert again == first and services.trade.effects["OpenRefund"] == 1
    assert e.value.reason == "IDEMPOTENCY_KEY_REUSED"
    approve = pb.ApproveApplicationRequest(request_id="ap",
                                           application_id=first.application.application_id)
    with calling(OTHER_BUYER), pytest.raises(PermissionDenied):
        await servicer.ApproveApplication(approve, ctx)  # type: ignore[arg-type]
    with calling(SELLER):
        approved = await servicer.ApproveApplication(approve, ctx)  # type: ignore[arg-type]
        repeated = await servicer.ApproveApplication(approve, ctx)  # type: ignore[arg-type]
    assert repeated == approved
    assert approved.application.status == pb.APPLICATION_STATUS_REFUNDING
    async with SqlAfterSalesUnitOfWork(db) as uow:
        assert len((await uow.applications.get(first.application.application_id)).history) == 2


async def test_the_consumers_settle_refunds_and_deliveries_once(db: Database) -> None:
    """Through after-sales' queues as the bus delivers them (the inbox):
    payment's refund settles its part once, whatever the redeliveries; a
    delivered return restarts the receive deadline; other logistics orders
    are not after-sales' business."""
    refunding, returning = application(application_id="A1", now=utcnow()), application(
        pb.APPLICATION_KIND_RETURN_AND_REFUND, application_id="A2", now=utcnow())
    refunding.approve(SELLER_ACTOR, "", utcnow(), POLICY)
    refunding.refund_agreed(b"\x0a\x02A1", [RefundPart("po1", "pay1", 6000),
                                            RefundPart("po2", "pay1", 10)],
                            points_amount=0, stored_value_amount=0, restore_coupons=False,
                            restock_quantity=0, now=utcnow())
    refunding.refund_requested("po1", "rf-1")
    refunding.refund_requested("po2", "rf-2")
    returning.return_created("lo-A2", "wh-1", b"")
    returning.approve(SELLER_ACTOR, "", utcnow(), POLICY)
    returning.ship_return("sf", "SF1", 0, utcnow(), POLICY)
    async with SqlAfterSalesUnitOfWork(db) as uow:
        await uow.applications.add(refunding)
        await uow.applications.add(returning)
    events = consumers.Consumers(db, POLICY)
    on_payment = consumer(db, PAYMENT, {pay_events.RefundSucceeded: events.refund_succeeded})
    on_logistics = consumer(db, LOGISTICS, {
        lg_events.LogisticsOrderChanged: events.logistics_order_changed})
    settled = envelope(pay_events.RefundSucceeded(refund=pay.Refund(refund_id="rf-1")),
                       "payment.refund.succeeded", "pay1")
    for delivery in (settled, settled, envelope(pay_events.RefundSucceeded(
            refund=pay.Refund(refund_id="rf-1")), "payment.refund.succeeded", "pay1")):
        await on_payment(delivery)
    for role in (lg.LOGISTICS_ORDER_ROLE_ORDER, lg.LOGISTICS_ORDER_ROLE_RETURN):
        await on_logistics(envelope(lg_events.LogisticsOrderChanged(
            logistics_order=lg.LogisticsOrder(logistics_order_id="lo-A2", application_id="A2",
                                              role=role,
                                              status=lg.LOGISTICS_ORDER_STATUS_DELIVERED)),
            "logistics.order.changed", "lo-A2"))
    async with SqlAfterSalesUnitOfWork(db) as uow:
        a1, a2 = await uow.applications.get("A1"), await uow.applications.get("A2")
    assert [p.settled for p in a1.refund.parts] == [True, False]
    assert a1.version == 2  # one change for three deliveries
    assert [h.action for h in a2.history].count(pb.ACTION_RETURN_DELIVERED) == 1
