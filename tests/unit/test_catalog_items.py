"""catalog's items on its own SQLite database: a version is read back as it
was written (SKUs, prices, presale terms), also one written before the terms
were stored as ``catalog.domain`` values (nanosecond RFC 3339 times), and an
update carries the terms over to the next version."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import update

from catalog import items
from catalog import store as t
from catalog.app import SERVICE as CATALOG
from catalog.domain import ItemChange, NewItem, PresaleTerms, SkuInput
from tests.conftest import OpenDb
from zhongtai.auth import Identity
from zhongtai.catalog.v1 import catalog_pb2 as pb
from zhongtai.db import Database
from zhongtai.money import Money

STAFF = Identity.for_service("tests")


@pytest.fixture
async def db(migrated_sqlite: OpenDb) -> Database:
    return await migrated_sqlite(CATALOG)


def presale_item(seller_id: str) -> NewItem:
    start = dt.datetime(2026, 6, 1, 8, 0, 0, 120000, tzinfo=dt.UTC)
    return NewItem(
        seller_id=seller_id, title=" mooncakes ", item_type=pb.ITEM_TYPE_PHYSICAL,
        skus=(SkuInput(price=Money(9900, "CNY"), attributes={"box": "6"}, weight_grams=800),
              SkuInput(price=Money(15900, "CNY"), attributes={"box": "12"},
                       weight_grams=1500)),
        presale=PresaleTerms(deposit=Money(1000, "CNY"), balance_start=start,
                             balance_end=start + dt.timedelta(days=3, microseconds=7)))


async def test_a_presale_version_reads_back_as_written_and_carries_over(db: Database) -> None:
    async with db.transaction() as s:
        seller = await items.create_seller(s, display_name="shop")
        created = await items.create_item(s, STAFF, presale_item(seller.seller_id))
    assert (created.title, created.version, created.currency) == ("mooncakes", 1, "CNY")
    assert created.stock_mode == pb.STOCK_MODE_RESERVE_AT_ORDER
    async with db.transaction() as s:
        assert await items.get_item_version(s, created.item_id, 1) == created
        updated = await items.update_item(s, STAFF, ItemChange(
            item_id=created.item_id, expected_version=1,
            skus=(SkuInput(sku_id=created.skus[0].sku_id, price=Money(8900, "CNY")),)))
    assert updated.version == 2 and updated.presale == created.presale
    assert [(k.price.amount, k.weight_grams) for k in updated.skus] == [(8900, 800),
                                                                        (15900, 1500)]
    async with db.transaction() as s:
        assert await items.get_item(s, created.item_id) == updated
        assert await items.get_item_version(s, created.item_id, 1) == created


async def test_a_version_stored_with_nanosecond_times_reads(db: Database) -> None:
    async with db.transaction() as s:
        seller = await items.create_seller(s, display_name="shop")
        item = await items.create_item(s, STAFF, presale_item(seller.seller_id))
        await s.execute(update(t.item_versions).where(
            t.item_versions.c.item_id == item.item_id).values(presale=json.dumps({
                "deposit": 1000, "balance_start_time": "2026-06-01T08:00:00.123456789Z",
                "balance_end_time": "2026-06-04T08:00:00Z"})))
        terms = (await items.get_item(s, item.item_id)).presale
    assert terms == PresaleTerms(
        deposit=Money(1000, "CNY"),
        balance_start=dt.datetime(2026, 6, 1, 8, 0, 0, 123456, tzinfo=dt.UTC),
        balance_end=dt.datetime(2026, 6, 4, 8, tzinfo=dt.UTC))
