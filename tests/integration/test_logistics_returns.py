"""After-sales' returns under concurrency on PostgreSQL: the same
application opened twice at once is one return; two parcels racing for one
return, one wins; a line refunded before shipment racing its shipment: the
cancel or the package, never both. And what a return says: the warehouse that
shipped the line, its address, the buyer's address; no warehouse known,
nothing written."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

import pytest
from sqlalchemy import func, select, update

from logistics import consumers, domain, orders, returns, shipping, views
from logistics import store as t
from logistics import warehouses as wh
from logistics.app import SERVICE as LOGISTICS
from logistics.domain import TrackingPolicy
from logistics.values import Shipment
from tests.conftest import OpenDb
from zhongtai.auth import Identity, Role
from zhongtai.common.v1.common_pb2 import Address
from zhongtai.db import Database, utcnow
from zhongtai.errors import FailedPrecondition
from zhongtai.logistics.v1 import logistics_pb2 as lg
from zhongtai.logistics.v1 import warehouse_pb2 as wpb
from zhongtai.trade.v1 import events_pb2 as trade_events
from zhongtai.trade.v1 import trade_pb2 as tr

pytestmark = pytest.mark.postgres

SHOP = Identity(Role.SELLER, "shop-account", frozenset({"shop"}))
HOME = Address(province="浙江省", city="杭州市", detail="西湖区 1 号")
DEPOT = Address(province="浙江省", city="杭州市", detail="余杭仓库")
R = TypeVar("R")


@pytest.fixture
async def db(migrated_pg: OpenDb) -> Database:
    return await migrated_pg(LOGISTICS)


async def line_of(db: Database, line_id: str, units: int, planned_at: str = "") -> str:
    """A paid line's ROLE_ORDER (its plan sends every unit from
    ``planned_at``, none: no plan); its id."""
    event = trade_events.OrderPaid(order=tr.Order(
        order_id=line_id, buyer_id="buyer", seller_id="shop", quantity=units,
        item=tr.ItemSnapshot(sku_id="sku"),
        log_order=tr.LogOrder(log_order_id=f"log-{line_id}", order_id=line_id, address=HOME)))
    async with db.transaction() as s:
        await consumers.order_paid(s, db, event, utcnow())
        lo_id = str((await s.execute(select(t.logistics_orders.c.logistics_order_id).where(
            t.logistics_orders.c.order_id == line_id))).scalar_one())
        if planned_at:
            await s.execute(update(t.logistics_orders)
                            .where(t.logistics_orders.c.logistics_order_id == lo_id)
                            .values(plan=views.plan_json([Shipment(planned_at, units)])))
    return lo_id


async def warehouse(db: Database, warehouse_id: str) -> None:
    async with db.transaction() as s:
        await wh.create_warehouse(s, views.warehouse_of(wpb.Warehouse(
            warehouse_id=warehouse_id, name=warehouse_id, kind=wpb.WAREHOUSE_KIND_CENTRAL,
            address=DEPOT, default_delivery_hours=48)), utcnow())


def application(app_id: str, line_id: str, units: int = 1) -> domain.AskedReturn:
    return domain.AskedReturn(application_id=app_id, order_id=line_id, top_order_id=line_id,
                              seller_id="shop", buyer_id="buyer", sku_id="sku", quantity=units)


async def outcome(use_case: Awaitable[R]) -> R | FailedPrecondition:
    try:
        return await use_case
    except FailedPrecondition as exc:
        return exc


async def create(db: Database, req: domain.AskedReturn) -> lg.LogisticsOrder:
    async with db.transaction() as s:
        return views.logistics_order(await returns.create_return(s, db, req, utcnow()))


async def ship_back(db: Database, lo_id: str, tracking_no: str) -> lg.LogisticsOrder:
    async with db.transaction() as s:
        return views.logistics_order(await returns.ship_return(
            s, db, logistics_order_id=lo_id, carrier="sandbox", tracking_no=tracking_no,
            policy=TrackingPolicy(), now=utcnow()))


async def ship_out(db: Database, lo_id: str, tracking_no: str) -> object:
    async with db.transaction() as s:
        return await shipping.ship_package(
            s, db, SHOP, seller_id="shop", carrier="sandbox", tracking_no=tracking_no,
            items=[(lo_id, 0)], policy=TrackingPolicy(), now=utcnow())


async def published(db: Database, lo_id: str) -> int:
    async with db.transaction() as s:
        return int((await s.execute(select(func.count()).select_from(t.plumbing.outbox).where(
            t.plumbing.outbox.c.aggregate_id == lo_id,
            t.plumbing.outbox.c.routing_key == "logistics.order.changed"))).scalar_one())


async def test_one_application_opened_twice_at_once_is_one_return(db: Database) -> None:
    await warehouse(db, "yh")
    lo_id = await line_of(db, "line-1", 3, planned_at="yh")
    await ship_out(db, lo_id, "OUT-1")
    made = await asyncio.gather(*(create(db, application("app-1", "line-1", 2))
                                  for _ in range(5)))
    assert len({r.logistics_order_id for r in made}) == 1
    ret = made[0]
    assert (ret.role, ret.status, ret.application_id, ret.warehouse_id, ret.address,
            ret.return_from, ret.log_order_id, ret.is_package) == (
        lg.LOGISTICS_ORDER_ROLE_RETURN, lg.LOGISTICS_ORDER_STATUS_WAIT_SHIP, "app-1", "yh",
        DEPOT, HOME, "", False)
    assert [(x.order_id, x.sku_id, x.quantity) for x in ret.lines] == [("line-1", "sku", 2)]
    assert await published(db, ret.logistics_order_id) == 1
    # Listed with its line, after the order's own logistics order (newest first).
    async with db.transaction() as s:
        listed, _ = await orders.list_orders(s, SHOP, order_id="line-1", seller_id="",
                                             status=0, page_size=0, page_token="")
    assert [x.logistics_order_id for x in listed] == [ret.logistics_order_id, lo_id]


async def test_two_parcels_racing_for_one_return_one_wins(db: Database) -> None:
    await warehouse(db, "yh")
    lo_id = await line_of(db, "line-2", 1, planned_at="yh")
    await ship_out(db, lo_id, "OUT-2")
    ret = await create(db, application("app-2", "line-2"))
    results = await asyncio.gather(*(outcome(ship_back(db, ret.logistics_order_id, f"B-{i}"))
                                     for i in range(5)))
    shipped = [r for r in results if isinstance(r, lg.LogisticsOrder)]
    refused = [r for r in results if isinstance(r, FailedPrecondition)]
    assert len(shipped) == 1 and {r.reason for r in refused} == {"NOTHING_TO_SHIP"}
    assert (shipped[0].status, shipped[0].is_package) == (lg.LOGISTICS_ORDER_STATUS_SHIPPED,
                                                          True)
    # The same waybill again: the return as it is; the outbound one's number: in use.
    again = await ship_back(db, ret.logistics_order_id, shipped[0].tracking_no)
    assert again.status == lg.LOGISTICS_ORDER_STATUS_SHIPPED
    other = await create(db, application("app-3", "line-2"))
    in_use = await outcome(ship_back(db, other.logistics_order_id, "OUT-2"))
    assert isinstance(in_use, FailedPrecondition) and in_use.reason == "TRACKING_NO_IN_USE"
    assert await published(db, ret.logistics_order_id) == 2  # created, shipped


async def test_a_refunded_line_racing_its_shipment_is_cancelled_or_shipped(
        db: Database) -> None:
    for i in range(4):
        lo_id = await line_of(db, f"line-r{i}", 2)
        refunded = trade_events.OrderRefunded(
            plan=tr.RefundPlan(line_order_id=f"line-r{i}", quantity=2), line_cancelled=True)

        async def cancel(lo_id: str = lo_id, event: trade_events.OrderRefunded = refunded
                         ) -> None:
            async with db.transaction() as s:
                await consumers.order_refunded(s, event, utcnow())

        shipped, _ = await asyncio.gather(outcome(ship_out(db, lo_id, f"R-{i}")), cancel())
        async with db.transaction() as s:
            now = await orders.get(s, lo_id)
        if isinstance(shipped, FailedPrecondition):
            assert (shipped.reason, now.status) == ("NOTHING_TO_SHIP",
                                                    lg.LOGISTICS_ORDER_STATUS_CANCELLED)
        else:
            assert now.status == lg.LOGISTICS_ORDER_STATUS_SHIPPED


async def test_no_warehouse_known_writes_nothing(db: Database) -> None:
    await line_of(db, "line-4", 1)  # never planned, and the seller never was
    refused = await outcome(create(db, application("app-4", "line-4")))
    assert isinstance(refused, FailedPrecondition)
    assert (refused.reason, refused.metadata) == (
        "NO_RETURN_WAREHOUSE", {"order_id": "line-4", "seller_id": "shop"})
    async with db.transaction() as s:
        assert (await s.execute(select(func.count()).select_from(t.logistics_orders).where(
            t.logistics_orders.c.role == lg.LOGISTICS_ORDER_ROLE_RETURN))).scalar_one() == 0
    # Once one of the seller's orders was planned from a warehouse, returns go there.
    await warehouse(db, "cn")
    await line_of(db, "line-5", 1, planned_at="cn")
    assert (await create(db, application("app-4", "line-4"))).warehouse_id == "cn"
