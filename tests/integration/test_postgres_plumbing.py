"""Plumbing and catalog under real concurrency on PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import Column, Integer, String, Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog import items, views
from catalog import stock as catalog_stock
from catalog.app import SERVICE as CATALOG
from catalog.domain import NewItem, SkuInput, StockLine
from tests.builders import migrated
from tests.conftest import CreateDb
from zhongtai import migrate, timers
from zhongtai.auth import Identity
from zhongtai.catalog.v1 import catalog_pb2 as pb
from zhongtai.db import Database, new_metadata, plumbing_tables, utcnow
from zhongtai.errors import FailedPrecondition
from zhongtai.idempotency import Keys, run_idempotent
from zhongtai.money import Money
from zhongtai.runtime import load_spec, service_names
from zhongtai.service import ServiceSpec
from zhongtai.timers import Timer, TimerWorker

pytestmark = pytest.mark.postgres

# Every service the entry points declare.
ALL_SERVICES = [load_spec(name) for name in service_names()]


@pytest.mark.parametrize("spec", ALL_SERVICES, ids=lambda s: s.name)
async def test_migrations_match_the_models_on_postgres(pg_database: CreateDb,
                                                       spec: ServiceSpec) -> None:
    db = await migrated(await pg_database(spec.name), spec)
    try:
        assert await migrate.diff(db, spec) == []
    finally:
        await db.dispose()


@pytest.mark.parametrize("spec", ALL_SERVICES, ids=lambda s: s.name)
async def test_migrations_match_the_models_on_sqlite(tmp_path: object, spec: ServiceSpec) -> None:
    db = await migrated(f"sqlite+aiosqlite:///{tmp_path}/{spec.name}.db", spec)
    try:
        assert await migrate.diff(db, spec) == []
    finally:
        await db.dispose()


async def seed_sku(db: Database, stock: int) -> str:
    async with db.transaction() as s:
        seller = await items.create_seller(s, display_name="shop")
        item = await items.create_item(s, Identity.for_service("tests"), NewItem(
            seller_id=seller.seller_id, title="rice", item_type=pb.ITEM_TYPE_PHYSICAL,
            skus=(SkuInput(price=Money(3900, "CNY"), initial_stock=stock, weight_grams=5000),)))
    return item.skus[0].sku_id


async def test_no_oversell_50_concurrent_reservations_for_10_units(pg_database: CreateDb) -> None:
    db = await migrated(await pg_database("catalog"), CATALOG)
    try:
        sku_id = await seed_sku(db, stock=10)

        async def reserve(i: int) -> bool:
            try:
                async with db.transaction() as s:
                    await catalog_stock.reserve_stock(
                        s, db.dialect, order_id=f"order-{i}",
                        lines=[StockLine(sku_id=sku_id, quantity=1)])
                return True
            except FailedPrecondition as e:
                assert e.reason == "OUT_OF_STOCK"
                return False

        results = await asyncio.gather(*(reserve(i) for i in range(50)))
        assert sum(results) == 10
        async with db.transaction() as s:
            stock = await catalog_stock.get_stock(s, sku_id)
            assert (stock.available, stock.reserved) == (0, 10)
            # Releasing twice, concurrently, returns each unit once.
            winners = [i for i, ok in enumerate(results) if ok]
        await asyncio.gather(*(release(db, f"order-{i}") for i in winners for _ in range(2)))
        async with db.transaction() as s:
            stock = await catalog_stock.get_stock(s, sku_id)
            assert (stock.available, stock.reserved) == (10, 0)
    finally:
        await db.dispose()


async def release(db: Database, order_id: str) -> None:
    async with db.transaction() as s:
        await catalog_stock.release_stock(s, db.dialect, order_id)


async def test_release_before_reserve_leaves_a_tombstone(pg_database: CreateDb) -> None:
    db = await migrated(await pg_database("catalog"), CATALOG)
    try:
        sku_id = await seed_sku(db, stock=5)
        await release(db, "late-order")
        with pytest.raises(FailedPrecondition) as e:
            async with db.transaction() as s:
                await catalog_stock.reserve_stock(s, db.dialect, order_id="late-order",
                                                  lines=[StockLine(sku_id=sku_id, quantity=2)])
        assert e.value.reason == "RESERVATION_RELEASED"
        async with db.transaction() as s:
            assert (await catalog_stock.get_stock(s, sku_id)).available == 5
    finally:
        await db.dispose()


async def test_concurrent_requests_with_one_request_id_create_one_seller(
        pg_database: CreateDb) -> None:
    db = await migrated(await pg_database("catalog"), CATALOG)
    keys = Keys(db.plumbing, db.dialect)
    req = pb.CreateSellerRequest(request_id="same-key", display_name="shop")

    async def create(s: AsyncSession) -> pb.CreateSellerResponse:
        return pb.CreateSellerResponse(seller=views.seller(
            await items.create_seller(s, display_name=req.display_name)))

    try:
        responses = await asyncio.gather(*(
            run_idempotent(db, keys, "CreateSeller", req, req.request_id,
                           pb.CreateSellerResponse, create)
            for _ in range(8)))
        assert len({r.seller.seller_id for r in responses}) == 1
        async with db.transaction() as s:
            listed, _ = await items.list_sellers(s, page_size=0, page_token="")
        assert len(listed) == 1
    finally:
        await db.dispose()


async def timer_db(url: str, copies: int = 1) -> tuple[list[Database], Table]:
    """Databases (separate pools) on one schema: plumbing tables plus ``effects``."""
    metadata = new_metadata()
    plumbing = plumbing_tables(metadata)
    effects = Table("effects", metadata, Column("id", Integer, primary_key=True),
                    Column("timer_key", String(100), nullable=False))
    dbs = [Database(url, metadata, plumbing) for _ in range(copies)]
    async with dbs[0].engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    return dbs, effects


async def test_a_timer_fires_once_with_two_workers_racing(pg_database: CreateDb) -> None:
    dbs, effects = await timer_db(await pg_database("timers"), copies=2)

    async def effect(session: object, timer: Timer) -> None:
        await asyncio.sleep(0.01)  # widen the window for a double fire
        await session.execute(effects.insert().values(timer_key=timer.key))  # type: ignore[attr-defined]

    try:
        async with dbs[0].transaction() as s:
            for i in range(40):
                await timers.arm(s, dbs[0], "test.effect", f"k{i}",
                                 utcnow() - dt.timedelta(seconds=1))
            await timers.arm(s, dbs[0], "test.effect", "cancelled",
                             utcnow() - dt.timedelta(seconds=1))
            assert await timers.cancel(s, dbs[0], "test.effect", "cancelled")
            await timers.arm(s, dbs[0], "test.effect", "future",
                             utcnow() + dt.timedelta(hours=1))
        workers = [TimerWorker(db, {"test.effect": effect}) for db in dbs for _ in range(2)]
        fired = await asyncio.gather(*(w.fire_due() for w in workers))
        assert sum(fired) == 40
        async with dbs[0].transaction() as s:
            rows = (await s.execute(select(effects.c.timer_key, func.count())
                                    .group_by(effects.c.timer_key))).all()
            statuses = dict((await s.execute(
                select(dbs[0].plumbing.timers.c.key, dbs[0].plumbing.timers.c.status))).all())
        assert len(rows) == 40 and all(n == 1 for _, n in rows)
        assert statuses["cancelled"] == timers.CANCELLED
        assert statuses["future"] == timers.PENDING
        assert {statuses[f"k{i}"] for i in range(40)} == {timers.FIRED}
        # Nothing more to fire: a second pass does nothing.
        assert await workers[0].fire_due() == 0
    finally:
        for db in dbs:
            await db.dispose()


async def test_a_failing_timer_is_retried_with_backoff_and_fires_once(
        pg_database: CreateDb) -> None:
    (db,), effects = await timer_db(await pg_database("timers"))
    calls = 0

    async def flaky(session: object, timer: Timer) -> None:
        nonlocal calls
        calls += 1
        await session.execute(effects.insert().values(timer_key=timer.key))  # type: ignore[attr-defined]
        if calls == 1:
            raise RuntimeError("first attempt fails")

    try:
        async with db.transaction() as s:
            await timers.arm(s, db, "test.flaky", "x", utcnow())
        worker = TimerWorker(db, {"test.flaky": flaky})
        before = utcnow()
        assert await worker.fire_due() == 0  # failed, rescheduled 0.5 s later
        t = db.plumbing.timers
        async with db.transaction() as s:
            row = (await s.execute(select(t.c.status, t.c.attempts, t.c.due_at))).one()
            assert row.status == timers.PENDING and row.attempts == 1
            assert row.due_at >= before + dt.timedelta(seconds=0.5)
            assert (await s.execute(select(func.count()).select_from(effects))).scalar() == 0
        await asyncio.sleep(max(0.0, (row.due_at - utcnow()).total_seconds()) + 0.01)
        assert await worker.fire_due() == 1
        async with db.transaction() as s:
            assert (await s.execute(select(func.count()).select_from(effects))).scalar() == 1
    finally:
        await db.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_janitor_deletes_only_what_is_past_retention(
        backend: str, pg_database: CreateDb, tmp_path: object) -> None:
    from zhongtai import outbox
    from zhongtai.catalog.v1 import events_pb2
    from zhongtai.janitor import Janitor, Retention

    url = (await pg_database("janitor") if backend == "postgres"
           else f"sqlite+aiosqlite:///{tmp_path}/j.db")
    (db,), _ = await timer_db(url)
    t = db.plumbing
    old, now = utcnow() - dt.timedelta(days=40), utcnow()
    try:
        async with db.transaction() as s:
            for _ in range(3):
                await outbox.publish(s, t, events_pb2.ReservationChanged())
            await timers.arm(s, db, "k", "pending-old", now)
            await timers.arm(s, db, "k", "fired-old", now)
            await timers.arm(s, db, "k", "fired-new", now)
            for key in ("pending-old", "fired-old", "fired-new"):
                await s.execute(t.timers.update().where(t.timers.c.key == key).values(
                    status=timers.PENDING if key == "pending-old" else timers.FIRED,
                    created_at=old if key.endswith("old") else now))
            ids = list((await s.execute(select(t.outbox.c.id).order_by(t.outbox.c.id))).scalars())
            # sent long ago / sent just now / never sent
            await s.execute(t.outbox.update().where(t.outbox.c.id == ids[0]).values(sent_at=old))
            await s.execute(t.outbox.update().where(t.outbox.c.id == ids[1]).values(sent_at=now))
            await s.execute(t.inbox.insert(), [
                {"consumer": "c", "event_id": "old", "event_type": "x", "processed_at": old},
                {"consumer": "c", "event_id": "new", "event_type": "x", "processed_at": now}])
        assert await Janitor(db, Retention()).purge() == 3
        async with db.transaction() as s:
            assert list((await s.execute(select(t.outbox.c.id).order_by(t.outbox.c.id)))
                        .scalars()) == ids[1:]
            assert set((await s.execute(select(t.inbox.c.event_id))).scalars()) == {"new"}
            assert set((await s.execute(select(t.timers.c.key))).scalars()) == {
                "pending-old", "fired-new"}
    finally:
        await db.dispose()
