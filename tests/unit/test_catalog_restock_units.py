"""After-sales' RestockUnits on catalog's own SQLite database: an order's
sold units of a SKU go back on sale — never more in total than the order
bought of it, over every request and the restock of the order cancelled
after payment —, into the warehouse they came back to when catalog stocks
the SKU there (the books stay whole), once per request id; a refused
request changes nothing."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog import warehouse_stock
from catalog.app import SERVICE as CATALOG
from catalog.app import STOCK_RELEASE
from tests.catalog_support import books, deduct, reserve, restock, restocked, sku_in_warehouses
from tests.conftest import OpenDb
from tests.paid_cancel_support import cancelled, consumers
from zhongtai.db import Database
from zhongtai.errors import AlreadyExists, FailedPrecondition, NotFound


@pytest.fixture
async def db(migrated_sqlite: OpenDb) -> Database:
    return await migrated_sqlite(CATALOG)


async def sold_order(db: Database, order_id: str, quantity: int = 3) -> str:
    """A SKU stocked 6 + 4 in warehouses hz and sh, of which the order bought ``quantity``."""
    sku_id = await sku_in_warehouses(db)
    await reserve(db, order_id, sku_id, quantity)
    await deduct(db, order_id)
    return sku_id


async def refused(db: Database, reason: str, *args: object) -> None:
    sku_id = str(args[2])
    before = await books(db, sku_id)
    with pytest.raises((FailedPrecondition, NotFound, AlreadyExists)) as e:
        await restock(db, *args)  # type: ignore[arg-type]
    assert e.value.reason == reason
    assert await books(db, sku_id) == before


async def test_restocks_of_an_order_add_up_to_at_most_what_it_bought(db: Database) -> None:
    sku_id = await sold_order(db, "o1")
    assert await books(db, sku_id) == (7, 0, 3, 10)
    stock = await restock(db, "app-1", "o1", sku_id, 1)
    assert (stock.available, stock.sold) == (8, 2)
    await restock(db, "app-2", "o1", sku_id, 2)
    assert await books(db, sku_id) == (10, 0, 0, 10)
    await refused(db, "INSUFFICIENT_STOCK", "app-3", "o1", sku_id, 1)
    assert await restocked(db, "o1", sku_id) == 3


async def test_once_per_request_id_another_payload_under_it_is_refused(db: Database) -> None:
    sku_id = await sold_order(db, "o1")
    first = await restock(db, "app-1", "o1", sku_id, 2)
    assert await restock(db, "app-1", "o1", sku_id, 2) == first
    assert await books(db, sku_id) == (9, 0, 1, 10)
    await refused(db, "IDEMPOTENCY_KEY_REUSED", "app-1", "o1", sku_id, 1)
    await refused(db, "IDEMPOTENCY_KEY_REUSED", "app-1", "o1", sku_id, 2, "hz")
    # A refused request leaves its id free: corrected, it is served.
    await refused(db, "INSUFFICIENT_STOCK", "app-2", "o1", sku_id, 5)
    await restock(db, "app-2", "o1", sku_id, 1)
    assert await books(db, sku_id) == (10, 0, 0, 10)


async def test_with_the_paid_order_cancelled_the_units_come_back_once_in_total(
        db: Database) -> None:
    sku_id = await sold_order(db, "o1")
    await restock(db, "app-1", "o1", sku_id, 1)
    # The ship timeout cancels the paid order: the rest comes back.
    await consumers(CATALOG, db)[STOCK_RELEASE.queue](cancelled("o1"))
    assert await books(db, sku_id) == (10, 0, 0, 10)
    assert await restocked(db, "o1", sku_id) == 3
    await refused(db, "ILLEGAL_RESERVATION_TRANSITION", "app-2", "o1", sku_id, 1)
    # The first request again still answers, and moves nothing.
    await restock(db, "app-1", "o1", sku_id, 1)
    assert await books(db, sku_id) == (10, 0, 0, 10)


async def test_goods_back_in_a_warehouse_are_on_its_shelves_again(db: Database) -> None:
    sku_id = await sold_order(db, "o1")
    async with db.transaction() as s:  # two units left warehouse hz
        await warehouse_stock.ship_from_warehouses(s, db.dialect, "pkg-1", [(sku_id, "hz", 2)])
    assert await books(db, sku_id) == (7, 0, 3, 8)
    stock = await restock(db, "app-1", "o1", sku_id, 2, "hz")
    assert (stock.available, stock.sold, stock.shipped) == (9, 1, 0)
    # sum(warehouse_stock) == available + reserved + sold - shipped, again.
    assert await books(db, sku_id) == (9, 0, 1, 10)
    # A warehouse catalog does not stock the SKU in: the total only.
    stock = await restock(db, "app-2", "o1", sku_id, 1, "nowhere")
    assert (stock.available, stock.sold, stock.shipped) == (10, 0, 0)
    assert await books(db, sku_id) == (10, 0, 0, 10)


async def test_only_units_an_order_bought_and_was_deducted(db: Database) -> None:
    sku_id = await sku_in_warehouses(db)
    await reserve(db, "o1", sku_id, 2)  # reserved, not paid
    await refused(db, "ILLEGAL_RESERVATION_TRANSITION", "app-1", "o1", sku_id, 1)
    await refused(db, "RESERVATION_NOT_FOUND", "app-2", "o-none", sku_id, 1)
    other = await sold_order(db, "o2")
    await refused(db, "INSUFFICIENT_STOCK", "app-3", "o2", sku_id, 1)  # o2 bought another SKU
    assert await restocked(db, "o2", other) == 0


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture],
          deadline=None)
@given(asks=st.lists(st.integers(1, 4), max_size=6), cancel_at=st.integers(0, 6))
async def test_no_sequence_of_restocks_and_a_cancel_puts_back_more_than_sold(
        db: Database, asks: list[int], cancel_at: int) -> None:
    order_id = f"o-{len(asks)}-{cancel_at}-{sum(asks)}-{id(asks)}"
    sku_id = await sold_order(db, order_id, 4)
    consume = consumers(CATALOG, db)
    for i, quantity in enumerate(asks):
        if i == cancel_at:
            await consume[STOCK_RELEASE.queue](cancelled(order_id))
        with contextlib.suppress(FailedPrecondition):
            await restock(db, f"{order_id}-{i}", order_id, sku_id, quantity)
        assert await restocked(db, order_id, sku_id) <= 4
    sold = 4 - await restocked(db, order_id, sku_id)
    assert await books(db, sku_id) == (10 - sold, 0, sold, 10)
