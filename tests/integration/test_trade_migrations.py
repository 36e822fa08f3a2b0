"""trade's data migrations on orders written before them, on both backends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import BigInteger, Boolean, Integer, String, Table, Text, select

from tests.conftest import CreateDb
from trade import store as t
from trade.app import SERVICE as TRADE
from zhongtai import migrate
from zhongtai.db import Database, utcnow

pytestmark = pytest.mark.postgres

CARD, POINTS, COUPON = 11, 10, 8


def row(table: Table, **values: Any) -> dict[str, Any]:
    """A row of ``table``: the values given, blanks for the other required
    columns (not those with a database default: a later migration may add them)."""
    out = dict(values)
    for c in table.c:
        if c.name in out or c.nullable or c.server_default is not None:
            continue
        if isinstance(c.type, Boolean):
            out[c.name] = False
        elif isinstance(c.type, Integer | BigInteger):
            out[c.name] = 0
        elif isinstance(c.type, String | Text):
            out[c.name] = ""
        else:
            out[c.name] = utcnow()
    return out


@asynccontextmanager
async def trade_db(backend: str, pg_database: CreateDb, tmp_path: object, name: str,
                   revision: str) -> AsyncIterator[Database]:
    """trade's database on ``backend``, migrated up to ``revision``."""
    url = (await pg_database(name) if backend == "postgres"
           else f"sqlite+aiosqlite:///{tmp_path}/trade.db")
    db = Database(url, TRADE.metadata, TRADE.plumbing)
    try:
        await migrate.upgrade(db, TRADE, revision)
        yield db
    finally:
        await db.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_trade_0009_puts_the_card_in_the_discount_and_on_the_platform(
        backend: str, pg_database: CreateDb, tmp_path: object) -> None:
    async with trade_db(backend, pg_database, tmp_path, "trade_0009", "trade_0008") as db:
        # As written before: discount without the card, actual with it.
        orders = [("m", None, 1500, 100, 1400), ("s1", "m", 1000, 100, 900),
                  ("s2", "m", 500, 0, 500), ("x", None, 2000, 50, 1950),
                  ("y", None, 700, 0, 700)]
        deductions = [("s1", 0, COUPON, 100, 100), ("s1", 1, CARD, 300, 0),
                      ("s2", 0, CARD, 200, 0), ("x", 0, POINTS, 50, 50),
                      ("x", 1, CARD, 500, 0)]
        async with db.transaction() as s:
            for order_id, parent, total, discount, actual in orders:
                await s.execute(t.biz_orders.insert().values(row(
                    t.biz_orders, order_id=order_id, parent_id=parent, is_main=order_id == "m",
                    currency="CNY", total_amount=total, discount_amount=discount,
                    actual_amount=actual)))
            for order_id, seq, kind, amount, platform in deductions:
                await s.execute(t.order_deductions.insert().values(
                    order_id=order_id, seq=seq, kind=kind, source_id="", currency="CNY",
                    amount=amount, platform_amount=platform, merchant_amount=amount - platform))
        await migrate.upgrade(db, TRADE)
        async with db.transaction() as s:
            amounts = {r.order_id: (r.discount_amount, r.actual_amount) for r in (
                await s.execute(select(t.biz_orders))).all()}
            bearers = {(r.order_id, r.seq): (r.platform_amount, r.merchant_amount) for r in (
                await s.execute(select(t.order_deductions))).all()}
        assert amounts == {"m": (600, 900), "s1": (400, 600), "s2": (200, 300),
                           "x": (550, 1450), "y": (0, 700)}
        assert bearers == {("s1", 0): (100, 0), ("s1", 1): (300, 0), ("s2", 0): (200, 0),
                           ("x", 0): (50, 0), ("x", 1): (500, 0)}


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_trade_0012_gives_orders_written_before_the_default_business_type(
        backend: str, pg_database: CreateDb, tmp_path: object) -> None:
    async with trade_db(backend, pg_database, tmp_path, "trade_0012", "trade_0011") as db:
        async with db.transaction() as s:
            for order_id, parent in (("m", None), ("s1", "m")):
                await s.execute(t.biz_orders.insert().values(row(
                    t.biz_orders, order_id=order_id, parent_id=parent, is_main=parent is None,
                    currency="CNY")))
        await migrate.upgrade(db, TRADE)
        async with db.transaction() as s:
            await s.execute(t.biz_orders.insert().values(row(
                t.biz_orders, order_id="n", currency="CNY", business_type="takeout")))
            types = {r.order_id: r.business_type for r in (
                await s.execute(select(t.biz_orders))).all()}
        assert types == {"m": "default", "s1": "default", "n": "takeout"}
