"""A paid order cancelled before shipping (trade's ship timeout) on
PostgreSQL, under real concurrency: the same OrderCancelled delivered twice at
once under two event ids (the inbox cannot tell them apart) restocks
catalog's units and returns promotion's benefits exactly once."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from catalog import items, warehouse_stock
from catalog import stock as catalog_stock
from catalog import store as ct
from catalog.app import SERVICE as CATALOG
from catalog.app import STOCK_DEDUCT, STOCK_RELEASE
from catalog.domain import NewItem, SkuInput, StockLine
from promotion import cards, points, requests
from promotion import coupons as coupons_
from promotion import store as pt
from promotion.app import BENEFIT_REDEEM, BENEFIT_RELEASE
from promotion.app import SERVICE as PROMOTION
from tests.builders import cny
from tests.conftest import OpenDb
from tests.paid_cancel_support import cancelled, consumers, outbox_events, paid
from tests.promotion_support import STAFF, hold_benefits
from zhongtai.auth import Identity
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.db import Database
from zhongtai.money import Money
from zhongtai.promotion.v1 import promotion_pb2 as pb

pytestmark = pytest.mark.postgres

ORDERS = 8


@pytest.fixture
async def catalog_db(migrated_pg: OpenDb) -> Database:
    return await migrated_pg(CATALOG)


@pytest.fixture
async def promotion_db(migrated_pg: OpenDb) -> Database:
    return await migrated_pg(PROMOTION)


async def test_two_concurrent_deliveries_of_a_ship_timeout_restock_once(
        catalog_db: Database) -> None:
    db = catalog_db
    async with db.transaction() as s:
        seller = await items.create_seller(s, display_name="shop")
        item = await items.create_item(s, Identity.for_service("tests"), NewItem(
            seller_id=seller.seller_id, title="rice", item_type=cat.ITEM_TYPE_PHYSICAL,
            skus=(SkuInput(price=Money(100, "CNY"), attributes={"size": "5kg"},
                           initial_stock=0, weight_grams=5000),
                  SkuInput(price=Money(200, "CNY"), attributes={"size": "10kg"},
                           initial_stock=0, weight_grams=10000))))
        skus = sorted(k.sku_id for k in item.skus)
        for sku_id in skus:
            await warehouse_stock.set_warehouse_stock(s, db.dialect, sku_id=sku_id,
                                                      warehouse_id="hz", quantity=100)
    consume = consumers(CATALOG, db)
    for i in range(ORDERS):
        async with db.transaction() as s:
            await catalog_stock.reserve_stock(s, db.dialect, order_id=f"o{i}",
                                              lines=[StockLine(sku_id=skus[0], quantity=2),
                                                     StockLine(sku_id=skus[1], quantity=3)])
        await consume[STOCK_DEDUCT.queue](paid(f"o{i}"))

    async def stock() -> list[tuple[int, int, int]]:
        async with db.transaction() as s:
            return [(x.available, x.reserved, x.sold)
                    for x in [await catalog_stock.get_stock(s, k) for k in skus]]

    assert await stock() == [(100 - 2 * ORDERS, 0, 2 * ORDERS), (100 - 3 * ORDERS, 0, 3 * ORDERS)]
    # Every order's cancel twice, under two event ids, all at once.
    await asyncio.gather(*(consume[STOCK_RELEASE.queue](cancelled(f"o{i}"))
                           for i in range(ORDERS) for _ in range(2)))
    assert await stock() == [(100, 0, 0), (100, 0, 0)]
    for i in range(ORDERS):
        events = await outbox_events(db, "catalog.reservation.changed", f"o{i}")
        assert [e.reservation.status for e in events] == [
            cat.RESERVATION_STATUS_RESERVED, cat.RESERVATION_STATUS_DEDUCTED,
            cat.RESERVATION_STATUS_RESTOCKED]
    async with db.transaction() as s:
        on_hand = (await s.execute(select(func.sum(ct.warehouse_stock.c.quantity)))).scalar_one()
        handled = (await s.execute(select(func.count()).select_from(db.plumbing.inbox).where(
            db.plumbing.inbox.c.consumer == STOCK_RELEASE.queue))).scalar_one()
    assert on_hand == 200  # nothing shipped: the warehouses hold every unit still
    assert handled == 2 * ORDERS  # both deliveries consumed, neither left to retry


async def test_two_concurrent_deliveries_of_a_ship_timeout_return_benefits_once(
        promotion_db: Database) -> None:
    db = promotion_db
    async with db.transaction() as s:
        await points.earn_points(s, db.dialect, request_id="earn-1", buyer_id="buyer-1",
                                 points=10_000, reason="welcome")
        card = await cards.create_stored_value_card(s, requests.card(
            pb.CreateStoredValueCardRequest(buyer_id="buyer-1", balance=cny(100_000))))
        tpl = await coupons_.create_coupon_template(s, STAFF, requests.coupon_template(
            pb.CreateCouponTemplateRequest(template=pb.CouponTemplate(
                title="10 off 50", kind=pb.COUPON_KIND_FULL_REDUCTION, threshold=cny(5000),
                amount_off=cny(1000), valid_days=7, total_quantity=100,
                restore_on_cancel=True,
                cost_sharing=pb.CostSharing(platform_share_bps=10_000)))))
    consume = consumers(PROMOTION, db)
    coupons = []
    for i in range(ORDERS):
        async with db.transaction() as s:
            coupon = (await coupons_.claim_coupon(s, db.dialect, STAFF, tpl.template_id,
                                                  "buyer-1")).coupon_id
            coupons.append(coupon)
            await hold_benefits(s, db.dialect, pb.HoldBenefitsRequest(
                order_id=f"o{i}", quote=pb.QuoteRequest(
                    buyer_id="buyer-1",
                    lines=[pb.QuoteLine(line_id="l1", seller_id="s1", sku_id="sku-1",
                                        category_id="c1", unit_price=cny(10_000),
                                        quantity=1)],
                    coupon_ids=[coupon], points=300, stored_value_card_id=card.card_id,
                    stored_value_amount=cny(2000))))
        await consume[BENEFIT_REDEEM.queue](paid(f"o{i}"))

    async def wallet() -> tuple[tuple[int, int], tuple[int, int], list[int]]:
        async with db.transaction() as s:
            account = await points.get_points_account(s, STAFF, "buyer-1")
            c = await cards.get_stored_value_card(s, STAFF, card.card_id)
            statuses = (await s.execute(select(pt.coupons.c.status)
                                        .order_by(pt.coupons.c.coupon_id))).scalars().all()
        return ((account.balance, account.frozen),
                (c.balance, c.held), list(statuses))

    assert await wallet() == ((10_000 - 300 * ORDERS, 0), (100_000 - 2000 * ORDERS, 0),
                              [pb.COUPON_STATUS_USED] * ORDERS)
    await asyncio.gather(*(consume[BENEFIT_RELEASE.queue](cancelled(f"o{i}"))
                           for i in range(ORDERS) for _ in range(2)))
    assert await wallet() == ((10_000, 0), (100_000, 0), [pb.COUPON_STATUS_AVAILABLE] * ORDERS)
    async with db.transaction() as s:
        returns = (await s.execute(select(pt.points_ledger.c.order_id).where(
            pt.points_ledger.c.kind == points.RETURN))).scalars().all()
    assert sorted(returns) == sorted(f"o{i}" for i in range(ORDERS))
    for i in range(ORDERS):
        events = await outbox_events(db, "promotion.hold.changed", f"o{i}")
        assert [e.hold.status for e in events] == [
            pb.HOLD_STATUS_HELD, pb.HOLD_STATUS_REDEEMED, pb.HOLD_STATUS_RETURNED]
