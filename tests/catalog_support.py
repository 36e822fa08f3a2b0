"""Builders of catalog's tests: a SKU stocked in warehouses, a reservation,
and the books to compare."""

from __future__ import annotations

from sqlalchemy import func, select

from catalog import items, warehouse_stock
from catalog import stock as catalog_stock
from catalog import store as t
from catalog.domain import NewItem, SkuInput, Stock, StockLine
from catalog.restock import UnitRestock, restock_units
from zhongtai.auth import Identity
from zhongtai.catalog.v1 import catalog_pb2 as pb
from zhongtai.db import Database
from zhongtai.money import Money


async def sku_in_warehouses(db: Database, hz: int = 6, sh: int = 4) -> str:
    """A SKU whose units are all on hand in two warehouses (none outside them)."""
    async with db.transaction() as s:
        seller = await items.create_seller(s, display_name="shop")
        item = await items.create_item(s, Identity.for_service("tests"), NewItem(
            seller_id=seller.seller_id, title="rice", item_type=pb.ITEM_TYPE_PHYSICAL,
            skus=(SkuInput(price=Money(3900, "CNY"), initial_stock=0, weight_grams=5000),)))
        sku_id = item.skus[0].sku_id
        for warehouse, quantity in (("hz", hz), ("sh", sh)):
            await warehouse_stock.set_warehouse_stock(s, db.dialect, sku_id=sku_id,
                                                      warehouse_id=warehouse, quantity=quantity)
    return sku_id


async def reserve(db: Database, order_id: str, sku_id: str, quantity: int) -> None:
    async with db.transaction() as s:
        await catalog_stock.reserve_stock(s, db.dialect, order_id=order_id,
                                          lines=[StockLine(sku_id=sku_id, quantity=quantity)])


async def books(db: Database, sku_id: str) -> tuple[int, int, int, int]:
    """available, reserved, sold, and the units on hand in the warehouses."""
    async with db.transaction() as s:
        stock = await catalog_stock.get_stock(s, sku_id)
        on_hand = (await s.execute(select(func.sum(t.warehouse_stock.c.quantity))
                                   .where(t.warehouse_stock.c.sku_id == sku_id))).scalar_one()
    return stock.available, stock.reserved, stock.sold, on_hand


async def deduct(db: Database, order_id: str) -> None:
    async with db.transaction() as s:
        await catalog_stock.deduct_stock(s, order_id)


async def restock(db: Database, request_id: str, order_id: str, sku_id: str, quantity: int,
                  warehouse_id: str = "") -> Stock:
    """After-sales' RestockUnits, as its use case, in a transaction of its own."""
    async with db.transaction() as s:
        return await restock_units(s, db.dialect, UnitRestock(
            request_id=request_id, order_id=order_id, sku_id=sku_id, quantity=quantity,
            warehouse_id=warehouse_id))


async def restocked(db: Database, order_id: str, sku_id: str) -> int:
    """The units of the order's SKU back on sale after the sale."""
    rl = t.reservation_lines.c
    async with db.transaction() as s:
        return int((await s.execute(select(rl.restocked).where(
            rl.order_id == order_id, rl.sku_id == sku_id))).scalar_one())
