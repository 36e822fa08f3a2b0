"""trade's SQL repository on both backends: an order goes to its rows and
comes back the same; a save writes what changed behind the version check;
events and timers are written with the change, and only with it."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import CreateDb
from tests.trade_support import (
    CARD,
    POLICY,
    T0,
    deduction,
    line,
    paid,
    placed,
    voucher_line,
)
from trade import views
from trade.app import SERVICE as TRADE
from trade.order import Party, Presale
from trade.repository import SqlTradeUnitOfWork
from zhongtai import migrate
from zhongtai.db import Database
from zhongtai.errors import Aborted, NotFound
from zhongtai.trade.v1 import trade_pb2 as pb

pytestmark = pytest.mark.postgres


@pytest.fixture(params=["sqlite", "postgres"])
async def db(request: pytest.FixtureRequest, pg_database: CreateDb,
             tmp_path: Path) -> AsyncIterator[Database]:
    url = await pg_database("trade") if request.param == "postgres" \
        else f"sqlite+aiosqlite:///{tmp_path}/trade.db"
    database = Database(url, TRADE.metadata, TRADE.plumbing)
    await migrate.upgrade(database, TRADE)
    yield database
    await database.dispose()


async def outbox(db: Database) -> list[str]:
    ob = db.plumbing.outbox
    async with db.transaction() as s:
        return list((await s.execute(select(ob.c.event_type).order_by(ob.c.id))).scalars())


async def test_an_order_round_trips_through_its_rows(db: Database) -> None:
    order = paid(line("a", deductions=[deduction(CARD, 300)], freight=800),
                 voucher_line("b"), line("c", seller="s2"), order_id="m")
    order.mirror_logistics("lo-a", pb.LOGISTICS_STATUS_SHIPPED, T0, POLICY)
    order.pull()
    async with SqlTradeUnitOfWork(db) as uow:
        await uow.orders.add(order)
    async with SqlTradeUnitOfWork(db) as uow:
        loaded = await uow.orders.get("b")  # a sub order's id: its main order
        by_code = await uow.orders.by_voucher(order.vouchers[0].code)
    assert loaded == order and by_code == order
    assert views.order_message(loaded) == views.order_message(order)
    # A single presale order, its deposit paid.
    presale = placed(line("p", price=5000), order_id="p",
                     presale=Presale(1000, T0, T0 + dt.timedelta(days=2)))
    presale.creation_succeeded(T0, POLICY)
    deposit = presale.due_pay_order
    presale.accept_payment(payment_id="d-1", pay_order_id=deposit.pay_order_id, order_id="p",
                           buyer_id="b1", currency="CNY", amount=1000, paid_at=T0, now=T0,
                           policy=POLICY)
    async with SqlTradeUnitOfWork(db) as uow:
        await uow.orders.add(presale)
    async with SqlTradeUnitOfWork(db) as uow:
        again = await uow.orders.by_pay_orders([deposit.pay_order_id])
    assert again == {deposit.pay_order_id: presale}
    assert again[deposit.pay_order_id].status == pb.ORDER_STATUS_WAIT_PAY_BALANCE


async def test_a_save_writes_the_change_its_events_and_timers_or_nothing(db: Database) -> None:
    created = placed(line("a"), line("b"), order_id="m")
    created.creation_succeeded(T0, POLICY)
    async with SqlTradeUnitOfWork(db) as uow:
        await uow.orders.add(created)
    async with SqlTradeUnitOfWork(db) as uow:
        stale = await uow.orders.get("m")
    async with SqlTradeUnitOfWork(db) as uow:
        order = await uow.orders.get_for_update("m")
        order.adjust_price(Party.seller("s1"), -100, "", T0)
        await uow.orders.save(order)
    with pytest.raises(Aborted) as e:
        async with SqlTradeUnitOfWork(db) as uow:
            stale.cancel(Party.buyer("b1"), "", T0)
            await uow.orders.save(stale)
    assert e.value.reason == "CONCURRENT_ORDER_CHANGE"
    async with SqlTradeUnitOfWork(db) as uow:
        after = await uow.orders.get("m")
    assert after.status == pb.ORDER_STATUS_WAIT_PAY and after.adjust == -100
    assert after.version == 2 and [x.adjust for x in after.lines] == [-50, -50]
    assert await outbox(db) == ["zhongtai.trade.v1.OrderCreated",
                                "zhongtai.trade.v1.OrderPriceAdjusted"]
    timers = db.plumbing.timers
    async with db.transaction() as s:
        armed = (await s.execute(select(timers.c.kind, timers.c.status)
                                 .order_by(timers.c.kind))).all()
    assert [tuple(r) for r in armed] == [("order.creation_rollback", "CANCELLED"),
                                         ("order.pay_timeout", "PENDING")]


async def test_unknown_ids_are_not_found(db: Database) -> None:
    async with SqlTradeUnitOfWork(db) as uow:
        with pytest.raises(NotFound) as e:
            await uow.orders.get("nope")
        assert (await uow.orders.by_pay_orders(["nope"]), await uow.orders.by_voucher("x"),
                await uow.orders.by_log_order("y")) == ({}, None, None)
    assert e.value.reason == "ORDER_NOT_FOUND"
