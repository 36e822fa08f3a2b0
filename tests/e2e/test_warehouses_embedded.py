"""Warehouses end to end (embedded): warehouses created in logistics, stock
per warehouse set in catalog, and PlanFulfilment through gRPC stubs for the
issue's cases — the local warehouse, a transfer from the parent, a
multi-SKU order split over two warehouses (two packages), an order paid
after the cut-off, same-day and self-pickup only where a rule offers them
and inside their windows, ties between equally covering warehouses — and
catalog's per-warehouse stock keeping the sellable total orders reserve
against."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from tests.e2e.platform import Platform
from tests.e2e.support import ADDRESS, rich_error, seed_shop, stock_of
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.catalog.v1 import catalog_pb2_grpc as cat_grpc
from zhongtai.common.v1.common_pb2 import Address
from zhongtai.logistics.v1 import logistics_pb2 as lg
from zhongtai.logistics.v1 import warehouse_pb2 as wh
from zhongtai.logistics.v1 import warehouse_pb2_grpc as wh_grpc
from zhongtai.wire import timestamp as ts

pytestmark = pytest.mark.e2e

SH_TZ = dt.timezone(dt.timedelta(hours=8))
MORNING = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH_TZ)


def when(t: Timestamp) -> dt.datetime:
    return t.ToDatetime(tzinfo=dt.UTC)


@dataclass
class Env:
    platform: Platform
    warehouses: wh_grpc.WarehouseServiceStub
    sku_a: str
    sku_b: str
    sku_c: str

    @property
    def catalog(self) -> cat_grpc.CatalogServiceStub:
        return self.platform.stubs.catalog


WAREHOUSES = [
    wh.Warehouse(warehouse_id="zj", name="浙江母仓", kind=wh.WAREHOUSE_KIND_PARENT,
                 coverage=[wh.CoverageArea(province="浙江省", delivery_hours=48)],
                 production_hours=4, default_delivery_hours=72),
    wh.Warehouse(warehouse_id="hz", name="杭州仓", kind=wh.WAREHOUSE_KIND_REGIONAL,
                 parent_warehouse_id="zj",
                 coverage=[wh.CoverageArea(province="浙江省", city="杭州市",
                                           delivery_hours=24)],
                 production_hours=2, default_delivery_hours=72, transfer_hours=12,
                 cutoff_time="16:00",
                 method_rules=[wh.DeliveryMethodRule(
                     delivery_method=lg.DELIVERY_METHOD_SAME_DAY, window_start="08:00",
                     window_end="17:00", delivery_hours=3)]),
    wh.Warehouse(warehouse_id="sh", name="上海仓", kind=wh.WAREHOUSE_KIND_REGIONAL,
                 coverage=[wh.CoverageArea(region_code="31", delivery_hours=24)],
                 production_hours=2, default_delivery_hours=48),
    wh.Warehouse(warehouse_id="cn", name="中心仓", kind=wh.WAREHOUSE_KIND_CENTRAL,
                 production_hours=6, default_delivery_hours=96),
]


async def set_stock(env: Env, sku_id: str, warehouse_id: str, quantity: int
                    ) -> cat.SetWarehouseStockResponse:
    resp: cat.SetWarehouseStockResponse = await env.catalog.SetWarehouseStock(
        cat.SetWarehouseStockRequest(request_id=f"ws-{sku_id}-{warehouse_id}-{quantity}",
                                     sku_id=sku_id, warehouse_id=warehouse_id,
                                     quantity=quantity))
    return resp


@pytest.fixture
async def env(platform: Platform) -> Env:
    stub = platform.warehouses
    shop = await seed_shop(platform.stubs, "W", [1000, 2000, 3000], stock=0)
    e = Env(platform, stub, *shop.sku_ids)
    for w in WAREHOUSES:
        await stub.CreateWarehouse(wh.CreateWarehouseRequest(request_id=f"w-{w.warehouse_id}",
                                                             warehouse=w))
    # a: 5 local, 10 in the parent, 1 central; b: 5 local, 1 central; c: 5 in 上海.
    for sku, where, n in [(e.sku_a, "hz", 5), (e.sku_a, "zj", 10), (e.sku_a, "cn", 1),
                          (e.sku_b, "hz", 5), (e.sku_b, "cn", 1), (e.sku_c, "sh", 5)]:
        await set_stock(e, sku, where, n)
    return e


async def plan(env: Env, lines: list[tuple[str, int]], paid: dt.datetime = MORNING,
               method: int = lg.DELIVERY_METHOD_EXPRESS) -> wh.PlanFulfilmentResponse:
    resp: wh.PlanFulfilmentResponse = await env.warehouses.PlanFulfilment(
        wh.PlanFulfilmentRequest(
            destination=ADDRESS, delivery_method=method,  # type: ignore[arg-type]
            paid_time=ts(paid),
            lines=[wh.FulfilmentLine(sku_id=s, quantity=q) for s, q in lines]))
    return resp


def packages(resp: wh.PlanFulfilmentResponse) -> list[tuple[str, int, list[tuple[str, int]]]]:
    return [(p.warehouse_id, p.source, [(x.sku_id, x.quantity) for x in p.lines])
            for p in resp.packages]


async def refusal(env: Env, lines: list[tuple[str, int]], **kw: object) -> dict[str, object]:
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await plan(env, lines, **kw)  # type: ignore[arg-type]
    return rich_error(e.value)


async def test_warehouses_are_created_idempotently_got_and_listed(env: Env) -> None:
    again = await env.warehouses.CreateWarehouse(wh.CreateWarehouseRequest(
        request_id="w-hz", warehouse=WAREHOUSES[1]))
    got = await env.warehouses.GetWarehouse(wh.GetWarehouseRequest(warehouse_id="hz"))
    assert again.warehouse == got.warehouse
    assert got.warehouse.parent_warehouse_id == "zj"
    assert got.warehouse.method_rules[0].window_end == "17:00"
    first = await env.warehouses.ListWarehouses(wh.ListWarehousesRequest(page_size=3))
    rest = await env.warehouses.ListWarehouses(wh.ListWarehousesRequest(
        page_size=3, page_token=first.next_page_token))
    assert [w.warehouse_id for w in [*first.warehouses, *rest.warehouses]] == [
        "cn", "hz", "sh", "zj"]
    assert rest.next_page_token == ""
    # The id is taken; a bad warehouse lists every bad field and is not stored.
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await env.warehouses.CreateWarehouse(wh.CreateWarehouseRequest(warehouse=WAREHOUSES[0]))
    assert (e.value.code(), rich_error(e.value)["reason"]) == (
        grpc.StatusCode.ALREADY_EXISTS, "WAREHOUSE_EXISTS")
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await env.warehouses.CreateWarehouse(wh.CreateWarehouseRequest(warehouse=wh.Warehouse(
            warehouse_id="bad", name="x", kind=wh.WAREHOUSE_KIND_REGIONAL,
            parent_warehouse_id="sh", cutoff_time="4pm")))
    err = rich_error(e.value)
    assert err["code"] == grpc.StatusCode.INVALID_ARGUMENT
    assert err["fields"] == ["warehouse.parent_warehouse_id", "warehouse.coverage",
                             "warehouse.cutoff_time"]
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await env.warehouses.GetWarehouse(wh.GetWarehouseRequest(warehouse_id="bad"))
    assert (e.value.code(), rich_error(e.value)["reason"]) == (
        grpc.StatusCode.NOT_FOUND, "WAREHOUSE_NOT_FOUND")


async def test_stock_per_warehouse_moves_the_sellable_total(env: Env) -> None:
    assert await stock_of(env.platform.stubs, env.sku_a) == (16, 0)
    got = await env.catalog.BatchGetWarehouseStock(cat.BatchGetWarehouseStockRequest(
        sku_ids=[env.sku_a, "nope"]))
    assert [(x.warehouse_id, x.quantity) for x in got.warehouse_stock] == [
        ("cn", 1), ("hz", 5), ("zj", 10)]
    assert list(got.missing_sku_ids) == ["nope"]
    # Orders reserve against the sellable total, as before.
    await env.catalog.ReserveStock(cat.ReserveStockRequest(
        order_id="o-1", lines=[cat.StockLine(sku_id=env.sku_b, quantity=6)]))
    assert await stock_of(env.platform.stubs, env.sku_b) == (0, 6)
    # Taking units out of a warehouse cannot eat into what orders reserved.
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await set_stock(env, env.sku_b, "hz", 0)
    err = rich_error(e.value)
    assert (err["code"], err["reason"]) == (grpc.StatusCode.FAILED_PRECONDITION,
                                           "INSUFFICIENT_STOCK")
    assert await stock_of(env.platform.stubs, env.sku_b) == (0, 6)
    got = await env.catalog.BatchGetWarehouseStock(cat.BatchGetWarehouseStockRequest(
        sku_ids=[env.sku_b]))
    assert [(x.warehouse_id, x.quantity) for x in got.warehouse_stock] == [("cn", 1), ("hz", 5)]
    await env.catalog.ReleaseStock(cat.ReleaseStockRequest(order_id="o-1"))
    done = await set_stock(env, env.sku_b, "hz", 2)
    assert (done.warehouse_stock.quantity, done.stock.available) == (2, 3)
    # A repeat replays the answer; bad input changes nothing.
    assert await set_stock(env, env.sku_b, "hz", 2) == done
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await env.catalog.SetWarehouseStock(cat.SetWarehouseStockRequest(
            sku_id=env.sku_b, quantity=-1))
    assert rich_error(e.value)["fields"] == ["warehouse_id", "quantity"]
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await set_stock(env, "nope", "hz", 1)
    assert e.value.code() == grpc.StatusCode.NOT_FOUND
    assert await stock_of(env.platform.stubs, env.sku_b) == (3, 0)


async def test_the_whole_order_ships_from_the_local_warehouse(env: Env) -> None:
    resp = await plan(env, [(env.sku_a, 2), (env.sku_b, 1)])
    assert packages(resp) == [("hz", wh.FULFILMENT_SOURCE_LOCAL,
                               sorted([(env.sku_a, 2), (env.sku_b, 1)]))]
    # Direct: production 2 h + delivery 24 h.
    assert when(resp.estimated_delivery_time) == MORNING + dt.timedelta(hours=26)
    assert resp.delivery_method == lg.DELIVERY_METHOD_EXPRESS


async def test_missing_units_come_from_the_parent_by_transfer(env: Env) -> None:
    resp = await plan(env, [(env.sku_a, 8)])
    [pkg] = resp.packages
    assert (pkg.warehouse_id, pkg.source, pkg.transfer_from_warehouse_id) == (
        "hz", wh.FULFILMENT_SOURCE_PARENT_TRANSFER, "zj")
    assert [(x.sku_id, x.quantity) for x in pkg.transfer_lines] == [(env.sku_a, 3)]
    # Transfer 12 h + direct (2 h + 24 h).
    assert when(pkg.estimated_delivery_time) == MORNING + dt.timedelta(hours=38)
    assert when(resp.estimated_delivery_time) == MORNING + dt.timedelta(hours=38)


async def test_a_multi_sku_order_splits_over_two_warehouses_into_two_packages(
        env: Env) -> None:
    resp = await plan(env, [(env.sku_a, 1), (env.sku_c, 2)])
    assert packages(resp) == [("hz", wh.FULFILMENT_SOURCE_LOCAL, [(env.sku_a, 1)]),
                              ("sh", wh.FULFILMENT_SOURCE_MESH, [(env.sku_c, 2)])]
    # 上海 ships outside its coverage (48 h): the order is complete then.
    assert [when(p.estimated_delivery_time) for p in resp.packages] == [
        MORNING + dt.timedelta(hours=26), MORNING + dt.timedelta(hours=50)]
    assert when(resp.estimated_delivery_time) == MORNING + dt.timedelta(hours=50)


async def test_an_order_paid_after_the_cut_off_starts_production_the_next_day(
        env: Env) -> None:
    paid = dt.datetime(2026, 3, 2, 16, 30, tzinfo=SH_TZ)
    resp = await plan(env, [(env.sku_a, 1)], paid=paid)
    next_day = dt.datetime(2026, 3, 3, 0, 0, tzinfo=SH_TZ)
    assert when(resp.packages[0].production_start_time) == next_day
    assert when(resp.estimated_delivery_time) == next_day + dt.timedelta(hours=26)
    assert when(resp.paid_time) == paid


async def test_same_day_only_inside_its_window(env: Env) -> None:
    same_day = lg.DELIVERY_METHOD_SAME_DAY
    resp = await plan(env, [(env.sku_a, 1)], method=same_day)
    assert when(resp.estimated_delivery_time) == MORNING + dt.timedelta(hours=2 + 3)
    err = await refusal(env, [(env.sku_a, 1)], method=same_day,
                        paid=dt.datetime(2026, 3, 2, 17, 0, tzinfo=SH_TZ))
    assert (err["code"], err["reason"]) == (grpc.StatusCode.FAILED_PRECONDITION,
                                           "OUTSIDE_DELIVERY_WINDOW")
    # c is only in 上海, which does not deliver same-day to Hangzhou.
    err = await refusal(env, [(env.sku_c, 1)], method=same_day)
    assert err["reason"] == "INSUFFICIENT_STOCK"
    # Nobody delivers same-day to Lhasa.
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await env.warehouses.PlanFulfilment(wh.PlanFulfilmentRequest(
            destination=Address(province="西藏自治区", city="拉萨市"),
            delivery_method=same_day, paid_time=ts(MORNING),
            lines=[wh.FulfilmentLine(sku_id=env.sku_a, quantity=1)]))
    assert rich_error(e.value)["reason"] == "NOT_COVERED"


async def test_self_pickup_only_where_a_rule_offers_it(env: Env) -> None:
    pickup = lg.DELIVERY_METHOD_SELF_PICKUP
    # No warehouse has a self-pickup rule: none offers it.
    err = await refusal(env, [(env.sku_a, 1)], method=pickup)
    assert (err["code"], err["reason"]) == (grpc.StatusCode.FAILED_PRECONDITION,
                                           "DELIVERY_METHOD_NOT_OFFERED")
    await env.warehouses.CreateWarehouse(wh.CreateWarehouseRequest(warehouse=wh.Warehouse(
        warehouse_id="xh", name="西湖自提点", kind=wh.WAREHOUSE_KIND_REGIONAL,
        coverage=[wh.CoverageArea(province="浙江省", city="杭州市", delivery_hours=24)],
        production_hours=1,
        method_rules=[wh.DeliveryMethodRule(delivery_method=pickup, window_start="09:00",
                                            window_end="18:00")])))
    await set_stock(env, env.sku_c, "xh", 2)
    # Inside its window xh serves it; 上海 holds c too but has no rule.
    resp = await plan(env, [(env.sku_c, 2)], method=pickup)
    assert packages(resp) == [("xh", wh.FULFILMENT_SOURCE_LOCAL, [(env.sku_c, 2)])]
    assert when(resp.estimated_delivery_time) == MORNING + dt.timedelta(hours=1)
    err = await refusal(env, [(env.sku_c, 3)], method=pickup)
    assert (err["reason"], err["preconditions"]) == ("INSUFFICIENT_STOCK",
                                                      [f"skus/{env.sku_c}"])
    # Outside it: the window is the reason, not stock.
    err = await refusal(env, [(env.sku_c, 1)], method=pickup,
                        paid=dt.datetime(2026, 3, 2, 19, 0, tzinfo=SH_TZ))
    assert (err["code"], err["reason"], err["preconditions"]) == (
        grpc.StatusCode.FAILED_PRECONDITION, "OUTSIDE_DELIVERY_WINDOW", ["warehouses/xh"])


async def test_ties_between_equally_covering_warehouses_follow_the_documented_rule(
        env: Env) -> None:
    ningbo = Address(province="浙江省", city="宁波市", district="海曙区")
    # Created largest id first: creation order decides nothing.
    for warehouse_id, production_hours in [("nb-2", 2), ("nb-1", 2), ("nb-0", 3)]:
        await env.warehouses.CreateWarehouse(wh.CreateWarehouseRequest(warehouse=wh.Warehouse(
            warehouse_id=warehouse_id, name=warehouse_id, kind=wh.WAREHOUSE_KIND_REGIONAL,
            coverage=[wh.CoverageArea(province="浙江省", city="宁波市", delivery_hours=24)],
            production_hours=production_hours)))
        await set_stock(env, env.sku_b, warehouse_id, 1)

    async def to_ningbo() -> list[tuple[str, int, list[tuple[str, int]]]]:
        return packages(await env.warehouses.PlanFulfilment(wh.PlanFulfilmentRequest(
            destination=ningbo, paid_time=ts(MORNING),
            lines=[wh.FulfilmentLine(sku_id=env.sku_b, quantity=1)])))

    # Same coverage level: the earliest ETA (nb-0 produces an hour longer),
    # then the smallest id; every time.
    expected = [("nb-1", wh.FULFILMENT_SOURCE_LOCAL, [(env.sku_b, 1)])]
    assert [await to_ningbo() for _ in range(3)] == [expected] * 3
    # Without stock there, the next by the same rule ships (as mesh).
    await set_stock(env, env.sku_b, "nb-1", 0)
    assert await to_ningbo() == [("nb-2", wh.FULFILMENT_SOURCE_MESH, [(env.sku_b, 1)])]


async def test_refusals(env: Env) -> None:
    err = await refusal(env, [(env.sku_a, 17)])
    assert (err["code"], err["reason"]) == (grpc.StatusCode.FAILED_PRECONDITION,
                                           "INSUFFICIENT_STOCK")
    assert err["preconditions"] == [f"skus/{env.sku_a}"]
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await plan(env, [("nope", 1)])
    assert rich_error(e.value)["reason"] == "SKU_NOT_FOUND"
    # The contract's limits are checked first, then the rules.
    for lines, fields in [([wh.FulfilmentLine(sku_id=env.sku_a, quantity=0)],
                           ["lines[0].quantity"]),
                          ([wh.FulfilmentLine(sku_id=env.sku_a, quantity=1)], ["destination"])]:
        with pytest.raises(grpc.aio.AioRpcError) as e:
            await env.warehouses.PlanFulfilment(wh.PlanFulfilmentRequest(lines=lines))
        err = rich_error(e.value)
        assert (err["code"], err["fields"]) == (grpc.StatusCode.INVALID_ARGUMENT, fields)
