"""logistics' packages under concurrency on PostgreSQL: two shipments racing
for the last units, a shipment racing the order's cancellation, the same
carrier events pushed twice at once and out of order."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import func, select

from logistics import consumers, orders, shipping, tracking
from logistics import store as t
from logistics import values as v
from logistics.app import SERVICE as LOGISTICS
from logistics.carriers.base import Milestone, TrackingEvent
from logistics.domain import TrackingPolicy
from tests.conftest import OpenDb
from zhongtai.auth import Identity, Role
from zhongtai.common.v1.common_pb2 import Address
from zhongtai.db import Database, utcnow
from zhongtai.errors import FailedPrecondition
from zhongtai.logistics.v1 import logistics_pb2 as lg
from zhongtai.trade.v1 import events_pb2 as trade_events
from zhongtai.trade.v1 import trade_pb2 as tr

pytestmark = pytest.mark.postgres

T0 = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)
SELLER = Identity(Role.SELLER, "seller-account", frozenset({"seller"}))


@pytest.fixture
async def db(migrated_pg: OpenDb) -> Database:
    return await migrated_pg(LOGISTICS)


def paid(order_id: str, quantity: int) -> trade_events.OrderPaid:
    return trade_events.OrderPaid(order=tr.Order(
        order_id=order_id, buyer_id="buyer", seller_id="seller", quantity=quantity,
        item=tr.ItemSnapshot(sku_id="sku-1"),
        log_order=tr.LogOrder(log_order_id=f"log-{order_id}", order_id=order_id,
                              address=Address(province="浙江省", city="杭州市")),
        pay_order=tr.PayOrder(pay_order_id=f"po-{order_id}")))


async def paid_in(db: Database, order: trade_events.OrderPaid) -> None:
    async with db.transaction() as s:
        await consumers.order_paid(s, db, order, utcnow())


async def logistics_order(db: Database, order_id: str) -> v.LogisticsOrder:
    async with db.transaction() as s:
        [lo], _ = await orders.list_orders(s, SELLER, order_id=order_id, seller_id="",
                                           status=0, page_size=0, page_token="")
        return lo


Shipped = tuple[v.LogisticsOrder, list[v.LogisticsOrder]]


async def ship(db: Database, lo_id: str, quantity: int, tracking_no: str
               ) -> Shipped | FailedPrecondition:
    try:
        async with db.transaction() as s:
            return await shipping.ship_package(
                s, db, SELLER, seller_id="seller", carrier="sandbox", tracking_no=tracking_no,
                items=[(lo_id, quantity)], policy=TrackingPolicy(), now=utcnow())
    except FailedPrecondition as exc:
        return exc


async def test_two_shipments_race_for_the_last_units(db: Database) -> None:
    for _ in range(2):  # a redelivered OrderPaid creates nothing more
        await paid_in(db, paid("o-1", 3))
    lo = await logistics_order(db, "o-1")
    results = await asyncio.gather(*(ship(db, lo.logistics_order_id, 2, f"T-{i}")
                                     for i in range(6)))
    shipped = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, FailedPrecondition)]
    assert len(shipped) == 1 and len(refused) == 5
    assert {r.reason for r in refused} == {"NOTHING_TO_SHIP"}
    now = await logistics_order(db, "o-1")
    assert (now.shipped_quantity, now.status, len(now.child_ids)) == (
        2, lg.LOGISTICS_ORDER_STATUS_PARTIALLY_SHIPPED, 1)
    async with db.transaction() as s:
        count = (await s.execute(select(func.count()).select_from(t.logistics_orders))).scalar()
    assert count == 2  # the order and its one split child


async def test_a_shipment_racing_the_cancel_wins_or_loses_whole(db: Database) -> None:
    await paid_in(db, paid("o-2", 1))
    lo = await logistics_order(db, "o-2")

    async def cancel() -> None:
        async with db.transaction() as s:
            await consumers.order_cancelled(s, trade_events.OrderCancelled(
                order=paid("o-2", 1).order), utcnow())

    result, _ = await asyncio.gather(ship(db, lo.logistics_order_id, 0, "C-1"), cancel())
    now = await logistics_order(db, "o-2")
    if isinstance(result, tuple):
        assert (now.status, now.shipped_quantity) == (lg.LOGISTICS_ORDER_STATUS_SHIPPED, 1)
    else:
        assert result.reason == "NOTHING_TO_SHIP"
        assert (now.status, now.shipped_quantity) == (lg.LOGISTICS_ORDER_STATUS_CANCELLED, 0)


async def test_duplicate_and_reordered_pushes_apply_once(db: Database) -> None:
    await paid_in(db, paid("o-3", 1))
    lo = await logistics_order(db, "o-3")
    assert isinstance(await ship(db, lo.logistics_order_id, 0, "D-1"), tuple)
    journey = [
        TrackingEvent("e1", "D-1", Milestone.ACCEPTED, T0),
        TrackingEvent("e2", "D-1", Milestone.IN_TRANSIT, T0 + dt.timedelta(hours=5)),
        TrackingEvent("e3", "D-1", Milestone.DELIVERED, T0 + dt.timedelta(days=1)),
    ]

    async def push(events: list[TrackingEvent]) -> str:
        async with db.transaction() as s:
            return await tracking.record_tracking(s, db, "sandbox", events, utcnow())

    # Delivered first, the rest after, everything twice and concurrently.
    await asyncio.gather(push([journey[2]]), push([journey[2]]))
    await asyncio.gather(push(journey[:2]), push(journey[:2]))
    now = await logistics_order(db, "o-3")
    assert now.status == lg.LOGISTICS_ORDER_STATUS_DELIVERED
    assert [e.event_id for e in now.tracking] == ["e1", "e2", "e3"]
    assert now.deliver_time == journey[2].occurred_at
    # An unknown waybill is ignored, not retried forever.
    assert await push([TrackingEvent("x", "NOPE", Milestone.ACCEPTED, T0)]) == (
        "0 of 1 event(s) applied")
