"""Stock per warehouse under real concurrency on PostgreSQL: SetWarehouseStock
racing reservations and other sets never loses an update, never drives the
sellable stock below zero, and keeps available + reserved equal to the units
on hand in the warehouses (the SKU starts with none outside them)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from catalog import items, warehouse_stock
from catalog import stock as catalog_stock
from catalog import store as t
from catalog.app import SERVICE as CATALOG
from catalog.domain import NewItem, SkuInput, StockLine
from tests.conftest import CreateDb
from zhongtai import migrate
from zhongtai.auth import Identity
from zhongtai.catalog.v1 import catalog_pb2 as pb
from zhongtai.db import Database
from zhongtai.errors import FailedPrecondition
from zhongtai.money import Money

pytestmark = pytest.mark.postgres


async def set_stock(db: Database, sku_id: str, warehouse_id: str, quantity: int) -> bool:
    try:
        async with db.transaction() as s:
            await warehouse_stock.set_warehouse_stock(s, db.dialect, sku_id=sku_id,
                                                      warehouse_id=warehouse_id, quantity=quantity)
        return True
    except FailedPrecondition as e:
        assert e.reason == "INSUFFICIENT_STOCK"
        return False


async def reserve(db: Database, sku_id: str, order_id: str) -> bool:
    try:
        async with db.transaction() as s:
            await catalog_stock.reserve_stock(s, db.dialect, order_id=order_id,
                                              lines=[StockLine(sku_id=sku_id, quantity=1)])
        return True
    except FailedPrecondition as e:
        assert e.reason == "OUT_OF_STOCK"
        return False


async def test_set_warehouse_stock_racing_reservations_keeps_the_books(
        pg_database: CreateDb) -> None:
    db = Database(await pg_database("catalog"), CATALOG.metadata, CATALOG.plumbing)
    await migrate.upgrade(db, CATALOG)
    try:
        async with db.transaction() as s:
            seller = await items.create_seller(s, display_name="shop")
            item = await items.create_item(s, Identity.for_service("tests"), NewItem(
                seller_id=seller.seller_id, title="rice", item_type=pb.ITEM_TYPE_PHYSICAL,
                skus=(SkuInput(price=Money(3900, "CNY"), initial_stock=0, weight_grams=5000),)))
        sku_id = item.skus[0].sku_id
        assert await set_stock(db, sku_id, "hz", 10)
        sets = [("hz", q) for q in (15, 12, 3, 20, 0, 7, 9, 1)] + [
            ("sh", q) for q in (5, 8, 2, 0, 6)]
        results = await asyncio.gather(
            *(reserve(db, sku_id, f"order-{i}") for i in range(30)),
            *(set_stock(db, sku_id, where, q) for where, q in sets))
        reserved = sum(results[:30])
        async with db.transaction() as s:
            stock = await catalog_stock.get_stock(s, sku_id)
            on_hand = (await s.execute(
                select(func.sum(t.warehouse_stock.c.quantity))
                .where(t.warehouse_stock.c.sku_id == sku_id))).scalar_one()
            lines = (await s.execute(
                select(func.count()).select_from(t.reservation_lines)
                .where(t.reservation_lines.c.sku_id == sku_id))).scalar_one()
        assert stock.reserved == reserved == lines
        assert stock.available >= 0
        # No lost update: every unit set into a warehouse is sellable or reserved.
        assert stock.available + stock.reserved == on_hand
    finally:
        await db.dispose()
