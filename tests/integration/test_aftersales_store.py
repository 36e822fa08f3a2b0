"""after-sales on a real database (SQLite and PostgreSQL): applications
stored and loaded whole, the optimistic version check, listing pages, the
refund figures' GROUP BY, and the refund driven by the real timer worker —
a crash inside the effects timer's transaction (the process dying after a
service acted) leaves the timer due, and the refund is made once."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt

import pytest

from aftersales import apply, queries, refunds, requests, review, stats
from aftersales.app import SERVICE
from aftersales.application import EFFECTS_TIMER, Application
from aftersales.consumers import timer_handlers
from aftersales.fakes import Crash, FakeLine, FakePayment, FakeServices
from aftersales.repository import Filter, SqlAfterSalesUnitOfWork
from tests.aftersales_support import (
    BUYER,
    OPERATOR,
    POLICY,
    SELLER,
    SELLER_ACTOR,
    application,
)
from tests.conftest import OpenDb
from zhongtai.aftersales.v1 import aftersales_pb2 as pb
from zhongtai.db import Database, utcnow
from zhongtai.errors import Aborted, FailedPrecondition
from zhongtai.timers import TimerWorker

pytestmark = pytest.mark.postgres


@pytest.fixture(params=["sqlite", "postgres"])
async def db(request: pytest.FixtureRequest, migrated_sqlite: OpenDb,
             migrated_pg: OpenDb) -> Database:
    return await (migrated_pg if request.param == "postgres" else migrated_sqlite)(SERVICE)


async def add(db: Database, app: Application) -> None:
    async with SqlAfterSalesUnitOfWork(db) as uow:
        await uow.applications.add(app)


def fresh(application_id: str, **kw: object) -> Application:
    """A new application created now (its timers due when the test wants)."""
    return application(application_id=application_id, now=utcnow(), **kw)  # type: ignore[arg-type]


async def test_an_application_is_stored_whole_and_saved_behind_its_version(
        db: Database) -> None:
    app = fresh("A1", kind=pb.APPLICATION_KIND_RETURN_AND_REFUND)
    app.return_created("lo-1", "wh-1", b"\x0a\x02CN")
    app.approve(SELLER_ACTOR, "ok", utcnow(), POLICY)
    app.ship_return("sf", "SF1", 900, utcnow(), POLICY)
    await add(db, app)
    async with SqlAfterSalesUnitOfWork(db) as uow:
        loaded = await uow.applications.get("A1")
    loaded.version, app.version = 0, 0
    assert loaded.snapshot() == app.snapshot()
    async with SqlAfterSalesUnitOfWork(db) as uow:
        first = await uow.applications.get("A1")
        second = await uow.applications.get("A1")
        first.return_delivered(utcnow(), POLICY)
        await uow.applications.save(first)
        second.return_delivered(utcnow(), POLICY)
        with pytest.raises(Aborted) as e:
            await uow.applications.save(second)
        assert e.value.reason == "CONCURRENT_APPLICATION_CHANGE"


async def test_listing_pages_newest_first_and_figures_group_by_seller_and_reason(
        db: Database) -> None:
    for i in range(5):
        app = fresh(f"A{i}", reason=pb.APPLICATION_REASON_DAMAGED if i % 2
                    else pb.APPLICATION_REASON_CHANGED_MIND, amount=1000 * (i + 1))
        if i < 3:
            app.withdraw(utcnow(), POLICY)
        await add(db, app)
    async with SqlAfterSalesUnitOfWork(db) as uow:
        page, token = await queries.list_applications(
            uow, SELLER, requests.listing(pb.ListApplicationsRequest(page_size=2)))
        rest, end = await queries.list_applications(
            uow, SELLER, requests.listing(pb.ListApplicationsRequest(page_size=10,
                                                                      page_token=token)))
        closed = await uow.applications.page(Filter(statuses=(pb.APPLICATION_STATUS_CLOSED,)))
        figures = await stats.refund_stats(uow, OPERATOR, "", None, None)
    assert [a.application_id for a in page + rest] == ["A4", "A3", "A2", "A1", "A0"]
    assert end == "" and len(closed) == 3
    assert [(f.seller_id, f.reason, f.applications, f.closed) for f in figures] == [
        ("s1", pb.APPLICATION_REASON_DAMAGED, 2, 1),
        ("s1", pb.APPLICATION_REASON_CHANGED_MIND, 3, 2)]


async def _worker_round(worker: TimerWorker) -> None:
    with contextlib.suppress(Crash):  # the process "died": the call's answer is lost
        await worker.fire_due()


async def test_the_timer_worker_makes_the_refund_once_through_crashes(db: Database) -> None:
    services = FakeServices()
    services.trade.add_line(FakeLine(
        order_id="O1", line_order_id="L1", buyer_id="b1", shipped=False, points=100))
    services.trade.claims["A1"] = {"line": "L1", "state": "OPEN", "kind": 1, "quantity": 2,
                                   "amount": 6000, "agreed": 0, "plan": None,
                                   "finished": None}
    app = fresh("A1")
    app.approve(SELLER_ACTOR, "", utcnow(), POLICY)
    await add(db, app)
    fast = type(POLICY)(retry_base=dt.timedelta(0), retry_cap=dt.timedelta(0))
    skew = dt.timedelta(0)
    worker = TimerWorker(db, timer_handlers(db, services.clients, fast), service="aftersales",
                         clock=lambda: utcnow() + skew)
    for step, service in (("AgreeRefund", services.trade), ("CreateRefund", services.payment),
                          ("ReturnBenefits", services.promotion),
                          ("RestockUnits", services.catalog)):
        service.crash_after[step] = 1
    for _ in range(12):
        await _worker_round(worker)
        skew += dt.timedelta(minutes=1)  # a crashed round's lease runs out
        for refund_id in list(services.payment.refunds):
            services.payment.settle(refund_id)
        async with SqlAfterSalesUnitOfWork(db) as uow:
            if (await uow.applications.get("A1")).status == pb.APPLICATION_STATUS_REFUNDED:
                break
        await asyncio.sleep(0)
    async with SqlAfterSalesUnitOfWork(db) as uow:
        done = await uow.applications.get("A1")
    assert done.status == pb.APPLICATION_STATUS_REFUNDED
    assert services.trade.effects["AgreeRefund"] == 1
    assert services.payment.effects["CreateRefund"] == 1
    assert services.promotion.effects["ReturnBenefits"] == 1
    assert services.catalog.effects["RestockUnits"] == 1
    assert services.trade.effects["FinishRefund"] == 1
    async with SqlAfterSalesUnitOfWork(db) as uow:  # the refund id finds its application
        assert await uow.applications.by_refund("rf-1") == "A1"
        assert not await refunds.refund_succeeded(uow, "rf-1", utcnow)
    t = db.plumbing.timers
    async with db.transaction() as s:
        pending = (await s.execute(t.select().where(t.c.kind == EFFECTS_TIMER,
                                                    t.c.status == "PENDING"))).all()
    assert pending == []


async def test_an_approval_racing_a_withdrawal_one_wins(db: Database) -> None:
    """Both load the application for update: the second sees the first's
    status (REFUNDING or CLOSED) and is refused; nothing is half done."""
    await add(db, fresh("A1"))

    def uows() -> SqlAfterSalesUnitOfWork:
        return SqlAfterSalesUnitOfWork(db)

    async def approve() -> Application:
        created = await review.prepare_approval(uows, FakeServices().clients, "A1", SELLER)
        async with uows() as uow:
            return await review.approve(uow, "A1", "", created, SELLER, utcnow, POLICY)

    async def withdraw() -> Application:
        async with uows() as uow:
            return await apply.withdraw(uow, "A1", BUYER, utcnow, POLICY)

    outcomes = await asyncio.gather(approve(), withdraw(), return_exceptions=True)
    refused = [o for o in outcomes if isinstance(o, FailedPrecondition)]
    assert len(refused) == 1 and refused[0].reason == "ILLEGAL_APPLICATION_TRANSITION"
    async with SqlAfterSalesUnitOfWork(db) as uow:
        app = await uow.applications.get("A1")
    assert len(app.history) == 2 and app.version == 2


async def test_two_timer_workers_make_one_refund(db: Database) -> None:
    services = FakeServices(payment=FakePayment(settle_at_once=True))
    services.trade.add_line(FakeLine(order_id="O1", line_order_id="L1", buyer_id="b1"))
    services.trade.claims["A1"] = {"line": "L1", "state": "OPEN", "kind": 1, "quantity": 2,
                                   "amount": 6000, "agreed": 0, "plan": None,
                                   "finished": None}
    services.trade.delay = services.payment.delay = 0.05
    app = fresh("A1")
    app.approve(SELLER_ACTOR, "", utcnow(), POLICY)
    await add(db, app)
    handlers = timer_handlers(db, services.clients, POLICY)
    workers = [TimerWorker(db, handlers, service="aftersales") for _ in range(2)]
    await asyncio.gather(*(w.fire_due() for w in workers))
    async with SqlAfterSalesUnitOfWork(db) as uow:
        assert (await uow.applications.get("A1")).status == pb.APPLICATION_STATUS_REFUNDED
    assert services.trade.calls.count("AgreeRefund") == 1
    assert services.payment.calls.count("CreateRefund") == 1
    assert services.trade.calls.count("FinishRefund") == 1
