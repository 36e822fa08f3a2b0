"""RestockUnits under real concurrency on PostgreSQL: after-sales requests
under different request ids racing for the last sold units of an order (and
the restock of the order cancelled after payment racing them) never put back
more than the order bought; the books stay whole."""

from __future__ import annotations

import asyncio

import pytest

from catalog import stock as catalog_stock
from catalog.app import SERVICE as CATALOG
from tests.catalog_support import books, deduct, reserve, restock, restocked, sku_in_warehouses
from tests.conftest import OpenDb
from zhongtai.db import Database
from zhongtai.errors import FailedPrecondition

pytestmark = pytest.mark.postgres


async def try_restock(db: Database, request_id: str, order_id: str, sku_id: str,
                      quantity: int) -> int:
    """The units this request put back (0: refused, as it must be when none are left)."""
    try:
        await restock(db, request_id, order_id, sku_id, quantity)
        return quantity
    except FailedPrecondition as e:
        assert e.reason in ("INSUFFICIENT_STOCK", "ILLEGAL_RESERVATION_TRANSITION")
        return 0


async def cancel(db: Database, order_id: str) -> None:
    async with db.transaction() as s:
        await catalog_stock.stock_on_order_cancelled(s, db.dialect, order_id, paid=True)


async def test_requests_racing_for_the_last_units_never_restock_more_than_sold(
        migrated_pg: OpenDb) -> None:
    db = await migrated_pg(CATALOG)
    sku_id = await sku_in_warehouses(db)
    await reserve(db, "o1", sku_id, 3)
    await deduct(db, "o1")
    assert await try_restock(db, "app-0", "o1", sku_id, 1) == 1
    # Two units left; eight requests of one or two units race for them.
    done = await asyncio.gather(*(try_restock(db, f"app-{i}", "o1", sku_id, 1 + i % 2)
                                  for i in range(1, 9)))
    assert sum(done) == 2 == await restocked(db, "o1", sku_id) - 1
    assert await books(db, sku_id) == (10, 0, 0, 10)


async def test_requests_racing_the_cancel_of_the_paid_order_put_back_each_unit_once(
        migrated_pg: OpenDb) -> None:
    db = await migrated_pg(CATALOG)
    sku_id = await sku_in_warehouses(db)
    for round_ in range(5):
        order_id = f"o-{round_}"
        await reserve(db, order_id, sku_id, 3)
        await deduct(db, order_id)
        await asyncio.gather(cancel(db, order_id),
                             *(try_restock(db, f"{order_id}-app-{i}", order_id, sku_id, 2)
                               for i in range(3)))
        assert await restocked(db, order_id, sku_id) == 3
        assert await books(db, sku_id) == (10, 0, 0, 10)
