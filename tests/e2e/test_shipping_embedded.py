"""Logistics orders and packages end to end on the embedded default: a paid
order gets one logistics order per log_order; the seller ships them split
(拆包) and merged (并包) as master/child logistics orders; a cancelled order's
unshipped logistics orders are cancelled (seed 001 §四)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from logistics.settings import LogisticsSettings
from tests.conftest import eventually
from tests.e2e.builders import logistics_orders, paid_order, sandbox
from tests.e2e.platform import Platform, running_platform
from tests.e2e.support import (
    Recorder,
    free_port,
    rich_error,
    seed_shop,
)
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.common.v1.common_pb2 import Operator
from zhongtai.ids import new_id
from zhongtai.logistics.v1 import events_pb2 as lev
from zhongtai.logistics.v1 import logistics_pb2 as lg
from zhongtai.logistics.v1 import logistics_pb2_grpc as lg_grpc
from zhongtai.logistics.v1 import warehouse_pb2 as wh
from zhongtai.logistics.v1 import warehouse_pb2_grpc as wh_grpc
from zhongtai.trade.v1 import events_pb2 as trade_events
from zhongtai.trade.v1 import trade_pb2 as tr

pytestmark = pytest.mark.e2e

CHANGED = "zhongtai.logistics.v1.LogisticsOrderChanged"


def stub(p: Platform) -> lg_grpc.LogisticsServiceStub:
    return lg_grpc.LogisticsServiceStub(p.stubs.channels[0])


async def get(p: Platform, lo_id: str) -> lg.LogisticsOrder:
    return (await stub(p).GetLogisticsOrder(lg.GetLogisticsOrderRequest(
        logistics_order_id=lo_id))).logistics_order


def ship(seller: str, tracking_no: str, *items: tuple[str, int],
         request_id: str = "") -> lg.ShipPackageRequest:
    return lg.ShipPackageRequest(
        request_id=request_id, seller_id=seller, carrier="sandbox", tracking_no=tracking_no,
        items=[lg.PackageItem(logistics_order_id=i, quantity=q) for i, q in items])


def statuses(events: Recorder, lo_id: str) -> list[int]:
    """The statuses a logistics order's events moved it to (an event that
    moved nothing, e.g. its warehouse plan, is left out)."""
    changes = [lev.LogisticsOrderChanged.FromString(e.payload) for e in events.of(CHANGED, lo_id)]
    return [c.logistics_order.status for c in changes
            if c.previous_status != c.logistics_order.status]


async def test_an_order_split_then_merged_into_packages(platform: Platform) -> None:
    p = platform
    logistics_events = p.events
    shop = await seed_shop(p.stubs, "S", [1000, 2000])
    order = await paid_order(p, "buyer-1", [(shop.sku_ids[0], 3), (shop.sku_ids[1], 1)])
    a, b = await logistics_orders(p, order.order_id, 2)
    by_sku = {sub.item.sku_id: sub for sub in order.sub_orders}
    assert (a.role, a.status, a.lines[0].quantity) == (
        lg.LOGISTICS_ORDER_ROLE_ORDER, lg.LOGISTICS_ORDER_STATUS_WAIT_SHIP, 3)
    assert a.log_order_id == by_sku[shop.sku_ids[0]].log_order.log_order_id
    assert (a.order_id, a.top_order_id, a.buyer_id) == (
        by_sku[shop.sku_ids[0]].order_id, order.order_id, "buyer-1")

    # Two of the three units of A in a first package: A is split.
    first = (await stub(p).ShipPackage(ship(shop.seller_id, "T-1", (a.logistics_order_id, 2),
                                            request_id="ship-1")))
    package = first.package
    assert (package.role, package.parent_id, package.is_package, package.tracking_no) == (
        lg.LOGISTICS_ORDER_ROLE_SPLIT_CHILD, a.logistics_order_id, True, "T-1")
    assert [(x.sku_id, x.quantity) for x in package.lines] == [(shop.sku_ids[0], 2)]
    assert package.status == lg.LOGISTICS_ORDER_STATUS_SHIPPED
    [a_now] = first.orders
    assert (a_now.split, a_now.shipped_quantity, a_now.status, list(a_now.child_ids)) == (
        True, 2, lg.LOGISTICS_ORDER_STATUS_PARTIALLY_SHIPPED, [package.logistics_order_id])
    # The same request again: the same package, nothing shipped twice.
    again = await stub(p).ShipPackage(ship(shop.seller_id, "T-1", (a.logistics_order_id, 2),
                                            request_id="ship-1"))
    assert again == first

    # The last unit of A and all of B together: merged under a new master.
    second = await stub(p).ShipPackage(ship(shop.seller_id, "T-2", (a.logistics_order_id, 0),
                                            (b.logistics_order_id, 0)))
    master = second.package
    assert (master.role, master.is_package, master.tracking_no) == (
        lg.LOGISTICS_ORDER_ROLE_MERGE_MASTER, True, "T-2")
    assert sorted((x.sku_id, x.quantity) for x in master.lines) == sorted(
        [(shop.sku_ids[0], 1), (shop.sku_ids[1], 1)])
    assert len(master.child_ids) == 2 and b.logistics_order_id in master.child_ids
    [split_child] = [c for c in master.child_ids if c != b.logistics_order_id]
    child = await get(p, split_child)
    assert (child.role, child.parent_id, child.merged_into, child.status) == (
        lg.LOGISTICS_ORDER_ROLE_SPLIT_CHILD, a.logistics_order_id, master.logistics_order_id,
        lg.LOGISTICS_ORDER_STATUS_SHIPPED)
    a_now, b_now = sorted(second.orders, key=lambda lo: lo.lines[0].sku_id)
    assert (a_now.shipped_quantity, a_now.status) == (3, lg.LOGISTICS_ORDER_STATUS_SHIPPED)
    assert sorted(a_now.child_ids) == sorted([package.logistics_order_id, split_child])
    assert (b_now.merged_into, b_now.status) == (master.logistics_order_id,
                                                  lg.LOGISTICS_ORDER_STATUS_SHIPPED)

    # Nothing is left to ship; trade heard of every step, once each.
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await stub(p).ShipPackage(ship(shop.seller_id, "T-3", (b.logistics_order_id, 0)))
    assert rich_error(e.value)["reason"] == "NOTHING_TO_SHIP"

    async def heard() -> bool:
        return statuses(logistics_events, a.logistics_order_id) == [
            lg.LOGISTICS_ORDER_STATUS_WAIT_SHIP, lg.LOGISTICS_ORDER_STATUS_PARTIALLY_SHIPPED,
            lg.LOGISTICS_ORDER_STATUS_SHIPPED] and statuses(
            logistics_events, b.logistics_order_id) == [
            lg.LOGISTICS_ORDER_STATUS_WAIT_SHIP, lg.LOGISTICS_ORDER_STATUS_SHIPPED]

    await eventually(heard)


async def test_two_orders_merged_into_one_package(platform: Platform) -> None:
    p = platform
    shop = await seed_shop(p.stubs, "M", [500])
    one = await paid_order(p, "buyer-2", [(shop.sku_ids[0], 1)])
    two = await paid_order(p, "buyer-2", [(shop.sku_ids[0], 2)])
    [x] = await logistics_orders(p, one.order_id, 1)
    [y] = await logistics_orders(p, two.order_id, 1)
    resp = await stub(p).ShipPackage(ship(shop.seller_id, "M-1", (x.logistics_order_id, 0),
                                          (y.logistics_order_id, 0)))
    assert resp.package.role == lg.LOGISTICS_ORDER_ROLE_MERGE_MASTER
    assert sorted(resp.package.child_ids) == sorted([x.logistics_order_id,
                                                     y.logistics_order_id])
    assert sum(line.quantity for line in resp.package.lines) == 3
    assert {lo.merged_into for lo in resp.orders} == {resp.package.logistics_order_id}


async def test_refusals_change_nothing(platform: Platform) -> None:
    p = platform
    shop = await seed_shop(p.stubs, "R", [500])
    other = await seed_shop(p.stubs, "O", [500])
    near = await paid_order(p, "buyer-3", [(shop.sku_ids[0], 2)])
    far = await paid_order(p, "buyer-4", [(shop.sku_ids[0], 1)])
    theirs = await paid_order(p, "buyer-3", [(other.sku_ids[0], 1)])
    [x] = await logistics_orders(p, near.order_id, 1)
    [y] = await logistics_orders(p, far.order_id, 1)
    [z] = await logistics_orders(p, theirs.order_id, 1)

    async def refused(req: lg.ShipPackageRequest) -> dict[str, object]:
        with pytest.raises(grpc.aio.AioRpcError) as e:
            await stub(p).ShipPackage(req)
        return rich_error(e.value)

    bad = await refused(lg.ShipPackageRequest(seller_id=shop.seller_id,
                                              items=[lg.PackageItem(quantity=-1)]))
    assert bad["code"] == grpc.StatusCode.INVALID_ARGUMENT
    assert {"carrier", "tracking_no", "items[0].logistics_order_id",
            "items[0].quantity"} <= set(bad["fields"])  # type: ignore[arg-type]
    # Another seller's order (issue 9: PERMISSION_DENIED, was INVALID_ARGUMENT).
    wrong_seller = await refused(ship(other.seller_id, "R-1", (x.logistics_order_id, 1)))
    assert (wrong_seller["code"], wrong_seller["reason"], wrong_seller["metadata"]) == (
        grpc.StatusCode.PERMISSION_DENIED, "NOT_A_PARTY_TO_THE_ORDER",
        {"logistics_order_id": x.logistics_order_id})
    too_many = await refused(ship(shop.seller_id, "R-1", (x.logistics_order_id, 3)))
    assert too_many["reason"] == "NOTHING_TO_SHIP"
    apart = await refused(ship(shop.seller_id, "R-1", (x.logistics_order_id, 0),
                               (y.logistics_order_id, 0)))
    assert apart["reason"] == "PACKAGE_DESTINATIONS_DIFFER"
    await stub(p).ShipPackage(ship(other.seller_id, "R-1", (z.logistics_order_id, 0)))
    in_use = await refused(ship(shop.seller_id, "R-1", (x.logistics_order_id, 1)))
    assert in_use["reason"] == "TRACKING_NO_IN_USE"
    # None of the refusals shipped or split anything.
    x_now = await get(p, x.logistics_order_id)
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await get(p, "nope")
    assert (e.value.code(), rich_error(e.value)["reason"]) == (
        grpc.StatusCode.NOT_FOUND, "LOGISTICS_ORDER_NOT_FOUND")
    assert (x_now.status, x_now.shipped_quantity, x_now.split, list(x_now.child_ids)) == (
        lg.LOGISTICS_ORDER_STATUS_WAIT_SHIP, 0, False, [])

    # A flag is recorded; the status stays what the carrier made it.
    flagged = (await stub(p).FlagLogisticsOrder(lg.FlagLogisticsOrderRequest(
        logistics_order_id=z.logistics_order_id, flag="NOT_RECEIVED", note="where is it",
        operator=Operator(role=Operator.ROLE_BUYER, id="buyer-3")))).logistics_order
    assert [f.flag for f in flagged.flags] == ["NOT_RECEIVED"]
    assert flagged.status == lg.LOGISTICS_ORDER_STATUS_SHIPPED
    stranger = await refused_flag(p, z.logistics_order_id, "buyer-4")
    assert (stranger["code"], stranger["reason"]) == (grpc.StatusCode.PERMISSION_DENIED,
                                                      "NOT_A_PARTY_TO_THE_ORDER")


async def refused_flag(p: Platform, lo_id: str, buyer: str) -> dict[str, object]:
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await stub(p).FlagLogisticsOrder(lg.FlagLogisticsOrderRequest(
            logistics_order_id=lo_id, flag="DAMAGED",
            operator=Operator(role=Operator.ROLE_BUYER, id=buyer)))
    return rich_error(e.value)


async def test_the_carrier_moves_the_package_whatever_order_its_pushes_arrive_in(
        tracked: tuple[Platform, str, str]) -> None:
    p, carrier, notify = tracked
    shop = await seed_shop(p.stubs, "T", [800])
    order = await paid_order(p, "buyer-5", [(shop.sku_ids[0], 2)])
    [lo] = await logistics_orders(p, order.order_id, 1)
    await stub(p).ShipPackage(ship(shop.seller_id, "SF-1", (lo.logistics_order_id, 0)))

    async def subscribed() -> bool:  # the subscribe timer told the carrier
        async with p.http.get(f"{carrier}/v1/waybills/SF-1/events") as resp:
            return resp.status == 200

    await eventually(subscribed)
    # Every push twice, and held back to be delivered last first.
    await sandbox(p, "POST", f"{carrier}/v1/control",
                  {"tracking_no": "SF-1", "duplicate": 2, "reorder": True})
    t0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
    journey = await sandbox(p, "POST", f"{carrier}/v1/waybills/SF-1/journey",
                            {"start": t0.isoformat(), "step_seconds": 3600})
    await sandbox(p, "POST", f"{carrier}/v1/control/flush", {})

    async def delivered() -> bool:
        now = await get(p, lo.logistics_order_id)
        return now.status == lg.LOGISTICS_ORDER_STATUS_DELIVERED and len(now.tracking) == 4

    await eventually(delivered)
    now = await get(p, lo.logistics_order_id)
    assert [e.event_id for e in now.tracking] == [e["event_id"] for e in journey["events"]]
    assert [e.milestone for e in now.tracking] == [
        lg.TRACKING_MILESTONE_ACCEPTED, lg.TRACKING_MILESTONE_IN_TRANSIT,
        lg.TRACKING_MILESTONE_OUT_FOR_DELIVERY, lg.TRACKING_MILESTONE_DELIVERED]
    assert now.deliver_time.ToDatetime(dt.UTC) == t0 + dt.timedelta(hours=3)
    # DELIVERED arrived first: the later (earlier-made) events moved nothing back.
    assert statuses(p.events, lo.logistics_order_id) == [
        lg.LOGISTICS_ORDER_STATUS_WAIT_SHIP, lg.LOGISTICS_ORDER_STATUS_SHIPPED,
        lg.LOGISTICS_ORDER_STATUS_DELIVERED]
    # A forged push is refused and changes nothing.
    async with p.http.post(f"{notify}/carriers/sandbox/notify", json={
            "tracking_no": "SF-1", "events": []},
            headers={"X-Carrier-Timestamp": "1", "X-Carrier-Signature": "00"}) as resp:
        assert resp.status == 401


async def test_a_paid_order_is_allocated_to_warehouses(platform: Platform) -> None:
    p = platform
    warehouses = wh_grpc.WarehouseServiceStub(p.stubs.channels[0])
    for w in [wh.Warehouse(warehouse_id="hz", name="杭州仓", kind=wh.WAREHOUSE_KIND_REGIONAL,
                           coverage=[wh.CoverageArea(province="浙江省", city="杭州市",
                                                     delivery_hours=24)],
                           production_hours=2, default_delivery_hours=72),
              wh.Warehouse(warehouse_id="cn", name="中心仓", kind=wh.WAREHOUSE_KIND_CENTRAL,
                           production_hours=6, default_delivery_hours=96)]:
        await warehouses.CreateWarehouse(wh.CreateWarehouseRequest(warehouse=w))
    shop = await seed_shop(p.stubs, "W", [1000, 2000], stock=0)
    a, b = shop.sku_ids
    for sku, where, n in [(a, "hz", 3), (b, "hz", 1), (b, "cn", 5)]:
        await p.stubs.catalog.SetWarehouseStock(cat.SetWarehouseStockRequest(
            sku_id=sku, warehouse_id=where, quantity=n))
    order = await paid_order(p, "buyer-6", [(a, 2), (b, 3)])
    x, y = await logistics_orders(p, order.order_id, 2)

    async def planned() -> bool:
        return all([(await get(p, lo.logistics_order_id)).plan for lo in (x, y)])

    await eventually(planned)
    x, y = [await get(p, lo.logistics_order_id) for lo in sorted(
        (x, y), key=lambda lo: lo.lines[0].sku_id)]
    by_sku = {lo.lines[0].sku_id: lo for lo in (x, y)}
    # No one warehouse holds everything: two packages, the local one with all
    # it has, the central one with the rest of b; b arrives with the later.
    assert [(s.warehouse_id, s.quantity) for s in by_sku[a].plan] == [("hz", 2)]
    assert [(s.warehouse_id, s.quantity) for s in by_sku[b].plan] == [("hz", 1), ("cn", 2)]
    hz_eta, cn_eta = (s.estimated_delivery_time.ToDatetime(dt.UTC) for s in by_sku[b].plan)
    assert cn_eta > hz_eta
    assert by_sku[b].estimated_delivery_time.ToDatetime(dt.UTC) == cn_eta
    assert by_sku[a].estimated_delivery_time.ToDatetime(dt.UTC) == hz_eta


PACKAGE = "zhongtai.logistics.v1.PackageChanged"
PAID = "zhongtai.trade.v1.OrderPaid"


async def transfer_case(p: Platform) -> tuple[str, str, tr.Order, lg.LogisticsOrder]:
    """Issue 8's case: 杭州仓 holds 1 unit, its parent 浙江母仓 10, a paid
    order asks 3. Returns the seller, the SKU, the order and its logistics
    order once planned."""
    warehouses = wh_grpc.WarehouseServiceStub(p.stubs.channels[0])
    for w in [wh.Warehouse(warehouse_id="zj", name="浙江母仓", kind=wh.WAREHOUSE_KIND_PARENT,
                           coverage=[wh.CoverageArea(province="浙江省", delivery_hours=48)],
                           production_hours=4),
              wh.Warehouse(warehouse_id="hz", name="杭州仓", kind=wh.WAREHOUSE_KIND_REGIONAL,
                           parent_warehouse_id="zj", transfer_hours=12,
                           coverage=[wh.CoverageArea(province="浙江省", city="杭州市",
                                                     delivery_hours=24)],
                           production_hours=2)]:
        await warehouses.CreateWarehouse(wh.CreateWarehouseRequest(warehouse=w))
    shop = await seed_shop(p.stubs, "X", [1000], stock=0)
    [sku] = shop.sku_ids
    for where, n in [("hz", 1), ("zj", 10)]:
        await p.stubs.catalog.SetWarehouseStock(cat.SetWarehouseStockRequest(
            sku_id=sku, warehouse_id=where, quantity=n))
    order = await paid_order(p, "buyer-x", [(sku, 3)])
    [lo] = await logistics_orders(p, order.order_id, 1)
    await eventually(lambda: has_plan(p, lo.logistics_order_id))
    return shop.seller_id, sku, order, await get(p, lo.logistics_order_id)


async def has_plan(p: Platform, lo_id: str) -> bool:
    return bool((await get(p, lo_id)).plan)


async def plan_for(p: Platform, lo: lg.LogisticsOrder, quantity: int,
                   paid_time: Timestamp | None = None) -> wh.PlanFulfilmentResponse:
    answer: wh.PlanFulfilmentResponse = await wh_grpc.WarehouseServiceStub(
        p.stubs.channels[0]).PlanFulfilment(wh.PlanFulfilmentRequest(
            destination=lo.address, delivery_method=lo.delivery_method, paid_time=paid_time,
            lines=[wh.FulfilmentLine(sku_id=lo.lines[0].sku_id, quantity=quantity)]))
    return answer


def as_shares(answer: wh.PlanFulfilmentResponse) -> list[tuple[str, int, str, Timestamp]]:
    """PlanFulfilment's packages as a one-SKU order's shares: own units, then
    transferred ones."""
    shares = []
    for pkg in answer.packages:
        moved = {x.sku_id: x.quantity for x in pkg.transfer_lines}
        for line in pkg.lines:
            for source, n in [("", line.quantity - moved.get(line.sku_id, 0)),
                              (pkg.transfer_from_warehouse_id, moved.get(line.sku_id, 0))]:
                if n:
                    shares.append((pkg.warehouse_id, n, source, pkg.estimated_delivery_time))
    return shares


async def books(p: Platform, sku: str) -> tuple[dict[str, int], tuple[int, int, int, int]]:
    """The units per warehouse and the SKU's (available, reserved, sold, shipped)."""
    found = await p.stubs.catalog.BatchGetWarehouseStock(cat.BatchGetWarehouseStockRequest(
        sku_ids=[sku]))
    s = (await p.stubs.catalog.GetStock(cat.GetStockRequest(sku_id=sku))).stock
    return ({x.warehouse_id: x.quantity for x in found.warehouse_stock},
            (s.available, s.reserved, s.sold, s.shipped))


def balanced(book: tuple[dict[str, int], tuple[int, int, int, int]]) -> bool:
    """The invariant: the shelves hold what is on sale, reserved, and sold
    but not shipped."""
    on_hand, (available, reserved, sold, shipped) = book
    return sum(on_hand.values()) == available + reserved + sold - shipped


async def test_the_stored_plan_is_what_plan_fulfilment_answers(platform: Platform) -> None:
    p = platform
    _, _, order, lo = await transfer_case(p)
    paid = trade_events.OrderPaid.FromString((await p.events.the_one(
        PAID, order.order_id)).payload).occur_time
    answer = await plan_for(p, lo, 3, paid)
    # One package from hz: its own unit, two transferred from zj.
    [pkg] = answer.packages
    assert (pkg.warehouse_id, pkg.source, pkg.transfer_from_warehouse_id) == (
        "hz", wh.FULFILMENT_SOURCE_PARENT_TRANSFER, "zj")
    assert [(x.quantity, y.quantity) for x, y in zip(pkg.lines, pkg.transfer_lines,
                                                     strict=True)] == [(3, 2)]
    eta = pkg.estimated_delivery_time
    # The stored plan says exactly that, not "3 transferred".
    stored = [(x.warehouse_id, x.quantity, x.transfer_from_warehouse_id,
               x.estimated_delivery_time) for x in lo.plan]
    assert stored == as_shares(answer) == [("hz", 1, "", eta), ("hz", 2, "zj", eta)]
    assert lo.estimated_delivery_time == answer.estimated_delivery_time
    assert eta.ToDatetime(dt.UTC) == paid.ToDatetime(dt.UTC) + dt.timedelta(hours=12 + 2 + 24)


async def test_a_shipped_package_leaves_its_warehouses_once(platform: Platform) -> None:
    p = platform
    seller, sku, _, lo = await transfer_case(p)

    async def left(expected: tuple[dict[str, int], tuple[int, int, int, int]]) -> bool:
        return await books(p, sku) == expected

    # Paid (sold, once catalog deducted it), nothing shipped: all on the shelves.
    paid = ({"hz": 1, "zj": 10}, (8, 0, 3, 0))
    await eventually(lambda: left(paid))
    assert balanced(paid)
    # Two of the three units: hz's own one and the first transferred one.
    first = (await stub(p).ShipPackage(ship(seller, "W-1", (lo.logistics_order_id, 2)))).package
    shipped = lev.PackageChanged.FromString(
        (await p.events.the_one(PACKAGE, first.logistics_order_id)).payload)
    assert [(x.sku_id, x.warehouse_id, x.quantity) for x in shipped.shipped_from] == [
        (sku, "hz", 1), (sku, "zj", 1)]
    after_first = ({"hz": 0, "zj": 9}, (8, 0, 3, 2))
    await eventually(lambda: left(after_first))
    assert balanced(after_first)
    # The next order's plan no longer counts the unit that left hz.
    [pkg] = (await plan_for(p, lo, 1)).packages
    assert (pkg.warehouse_id, pkg.source, [x.quantity for x in pkg.transfer_lines]) == (
        "hz", wh.FULFILMENT_SOURCE_PARENT_TRANSFER, [1])
    # The shipment redelivered, and re-sent under a new id: nothing moves
    # again (the in-process bus returns once every consumer committed).
    envelope = await p.events.the_one(PACKAGE, first.logistics_order_id)
    await p.runtime.bus.publish(envelope)
    await p.runtime.bus.publish(dataclasses.replace(envelope, event_id=new_id()))
    assert await books(p, sku) == after_first
    # The last unit leaves zj (a transferred one).
    await stub(p).ShipPackage(ship(seller, "W-2", (lo.logistics_order_id, 0)))
    done = ({"hz": 0, "zj": 8}, (8, 0, 3, 3))
    await eventually(lambda: left(done))
    assert balanced(done)


async def test_an_order_no_warehouse_serves_keeps_no_plan(platform: Platform) -> None:
    p = platform
    shop = await seed_shop(p.stubs, "N", [1000])
    order = await paid_order(p, "buyer-7", [(shop.sku_ids[0], 1)])
    [lo] = await logistics_orders(p, order.order_id, 1)

    async def noted() -> bool:
        return bool((await get(p, lo.logistics_order_id)).plan_note)

    await eventually(noted)
    now = await get(p, lo.logistics_order_id)
    assert not now.plan and now.plan_note in ("NOT_COVERED", "INSUFFICIENT_STOCK")
    # It ships all the same.
    await stub(p).ShipPackage(ship(shop.seller_id, "N-1", (lo.logistics_order_id, 0)))



async def test_lost_pushes_are_found_by_querying_the_carrier(tmp_path: Path) -> None:
    carrier = f"127.0.0.1:{free_port()}"
    async with running_platform(tmp_path, logistics=LogisticsSettings(
            notify_listen="127.0.0.1:0", carrier_sandbox_listen=carrier,
            tracking_query_after_seconds=0.2)) as p:
        shop = await seed_shop(p.stubs, "Q", [800])
        order = await paid_order(p, "buyer-8", [(shop.sku_ids[0], 1)])
        [lo] = await logistics_orders(p, order.order_id, 1)
        await stub(p).ShipPackage(ship(shop.seller_id, "YT-1", (lo.logistics_order_id, 0)))

        async def subscribed() -> bool:
            async with p.http.get(f"http://{carrier}/v1/waybills/YT-1/events") as resp:
                return resp.status == 200

        await eventually(subscribed)
        # The carrier drops every push of this waybill.
        await sandbox(p, "POST", f"http://{carrier}/v1/control",
                      {"tracking_no": "YT-1", "drop": True})
        await sandbox(p, "POST", f"http://{carrier}/v1/waybills/YT-1/journey", {})

        async def delivered() -> bool:
            now = await get(p, lo.logistics_order_id)
            return now.status == lg.LOGISTICS_ORDER_STATUS_DELIVERED and len(now.tracking) == 4

        await eventually(delivered)
        deliveries = (await sandbox(p, "GET", f"http://{carrier}/v1/control"))["deliveries"]
        assert [d["result"] for d in deliveries] == ["dropped"] * 4  # no push arrived
