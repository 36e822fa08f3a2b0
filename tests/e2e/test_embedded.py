"""End to end on the embedded default: every service in one process on
SQLite with the in-process broker, called through generated stubs."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2

from catalog.domain import E as CATALOG_REASONS
from tests.conftest import eventually
from tests.e2e.platform import EPHEMERAL_PAYMENT, Platform, running_platform
from tests.e2e.support import (
    ADDRESS,
    free_port,
    has_event,
    order_request,
    refusal,
    rich_error,
    seed_shop,
    status_is,
    stock_is,
    stock_of,
)
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.common.v1.common_pb2 import Money, Operator
from zhongtai.config import Settings
from zhongtai.runtime import Runtime
from zhongtai.trade.v1 import trade_pb2 as tr

pytestmark = pytest.mark.e2e

CREATED = "zhongtai.trade.v1.OrderCreated"
CANCELLED = "zhongtai.trade.v1.OrderCancelled"
FAILED = "zhongtai.trade.v1.OrderCreationFailed"


async def test_health_and_reflection_are_on(platform: Platform) -> None:
    r = await platform.stubs.health.Check(
        health_pb2.HealthCheckRequest(service="zhongtai.trade.v1.TradeService"))
    assert r.status == health_pb2.HealthCheckResponse.SERVING
    from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

    stub = reflection_pb2_grpc.ServerReflectionStub(platform.stubs.channels[0])
    responses = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(
        list_services="")]))
    names = set()
    async for resp in responses:
        names = {s.name for s in resp.list_services_response.service}
        break
    assert {"zhongtai.trade.v1.TradeService", "zhongtai.catalog.v1.CatalogService",
            "grpc.health.v1.Health"} <= names


async def test_two_seller_order_reserves_stock_and_cancel_releases_it(platform: Platform) -> None:
    s = platform.stubs
    a = await seed_shop(s, "A", [3900])
    b = await seed_shop(s, "B", [100])
    order = (await s.trade.CreateOrder(order_request(
        "buyer-1", [(a.sku_ids[0], 2), (b.sku_ids[0], 3)], request_id="r-1"))).order

    assert order.status == tr.ORDER_STATUS_WAIT_PAY and order.is_main
    assert [(o.seller_id, o.quantity) for o in order.sub_orders] == [(a.seller_id, 2),
                                                                       (b.seller_id, 3)]
    assert all(o.parent_id == order.order_id for o in order.sub_orders)
    assert all(o.log_order.status == tr.LOGISTICS_STATUS_UNSHIPPED for o in order.sub_orders)
    assert order.total_amount.amount_minor == 2 * 3900 + 3 * 100
    assert order.pay_order.actual_amount.amount_minor == order.total_amount.amount_minor
    assert order.pay_order.HasField("pay_expire_time")
    assert order.sub_orders[0].item.item_version == 1
    assert await stock_of(s, a.sku_ids[0]) == (8, 2)
    assert await stock_of(s, b.sku_ids[0]) == (7, 3)
    await eventually(lambda: has_event(platform.events, CREATED, order.order_id))
    created = platform.events.of(CREATED, order.order_id)[0].decode()
    assert len(created.order.sub_orders) == 2  # type: ignore[attr-defined]

    # The seller of one sub order cannot cancel a two-seller order.
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await s.trade.CancelOrder(tr.CancelOrderRequest(
            order_id=order.order_id, operator=Operator(role=Operator.ROLE_SELLER,
                                                       id=a.seller_id)))
    assert e.value.code() == grpc.StatusCode.PERMISSION_DENIED

    cancelled = (await s.trade.CancelOrder(tr.CancelOrderRequest(
        request_id="c-1", order_id=order.order_id, reason="changed my mind",
        operator=Operator(role=Operator.ROLE_BUYER, id="buyer-1")))).order
    assert cancelled.status == tr.ORDER_STATUS_CANCELLED
    assert cancelled.pay_status == tr.PAY_STATUS_CLOSED
    assert cancelled.close_reason == tr.CLOSE_REASON_BUYER_CANCELLED
    assert {o.status for o in cancelled.sub_orders} == {tr.ORDER_STATUS_CANCELLED}
    await eventually(lambda: stock_is(s, a.sku_ids[0], (10, 0)))
    await eventually(lambda: stock_is(s, b.sku_ids[0], (10, 0)))
    # Subscribers get the event one after the other: wait for ours too.
    await eventually(lambda: has_event(platform.events, CANCELLED, order.order_id))
    assert len(platform.events.of(CANCELLED, order.order_id)) == 1

    # Repeating the cancel with its request id replays; a new cancel is refused.
    again = await s.trade.CancelOrder(tr.CancelOrderRequest(
        request_id="c-1", order_id=order.order_id, reason="changed my mind",
        operator=Operator(role=Operator.ROLE_BUYER, id="buyer-1")))
    assert again.order == cancelled
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await s.trade.CancelOrder(tr.CancelOrderRequest(
            order_id=order.order_id, operator=Operator(role=Operator.ROLE_BUYER, id="buyer-1")))
    assert rich_error(e.value)["reason"] == "ILLEGAL_ORDER_TRANSITION"


async def test_single_sku_single_seller_is_one_order(platform: Platform) -> None:
    a = await seed_shop(platform.stubs, "A", [500])
    order = (await platform.stubs.trade.CreateOrder(
        order_request("buyer-1", [(a.sku_ids[0], 1)]))).order
    assert not order.is_main and not order.sub_orders
    assert order.seller_id == a.seller_id and order.item.sku_id == a.sku_ids[0]
    assert order.log_order.address == ADDRESS


async def test_bad_input_is_invalid_argument_with_field_violations_and_writes_nothing(
        platform: Platform) -> None:
    s = platform.stubs
    a = await seed_shop(s, "A", [500])
    bad = tr.CreateOrderRequest(buyer_id="buyer-1", lines=[
        tr.OrderLineInput(sku_id=a.sku_ids[0], quantity=0),
        tr.OrderLineInput(sku_id="no-such-sku", quantity=1)])
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await s.trade.CreateOrder(bad)
    err = rich_error(e.value)
    assert err["code"] == grpc.StatusCode.INVALID_ARGUMENT
    assert err["fields"] == ["lines[0].quantity"]
    assert err["domain"] == "zhongtai.dev"

    bad.lines[0].quantity = 1  # now the data checks: unknown SKU, missing address
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await s.trade.CreateOrder(bad)
    assert rich_error(e.value)["fields"] == ["lines[1].sku_id"]
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await s.trade.CreateOrder(tr.CreateOrderRequest(buyer_id="buyer-1", lines=[
            tr.OrderLineInput(sku_id=a.sku_ids[0], quantity=1)]))
    assert rich_error(e.value)["fields"] == ["address"]

    listed = await s.trade.ListOrders(tr.ListOrdersRequest(buyer_id="buyer-1"))
    assert list(listed.orders) == []
    assert await stock_of(s, a.sku_ids[0]) == (10, 0)
    assert platform.events.events == []


async def test_create_is_idempotent_by_request_id_and_by_out_id(platform: Platform) -> None:
    s = platform.stubs
    a = await seed_shop(s, "A", [500])
    req = order_request("buyer-1", [(a.sku_ids[0], 2)], request_id="same")
    first = await s.trade.CreateOrder(req)
    assert await s.trade.CreateOrder(req) == first
    changed = order_request("buyer-1", [(a.sku_ids[0], 3)], request_id="same")
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await s.trade.CreateOrder(changed)
    assert e.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert rich_error(e.value)["reason"] == "IDEMPOTENCY_KEY_REUSED"

    out = order_request("buyer-1", [(a.sku_ids[0], 1)], out_type="web", out_id="cart-9")
    by_out = await s.trade.CreateOrder(out)
    assert await s.trade.CreateOrder(out) == by_out
    assert by_out.order.out_id == "cart-9"
    assert await stock_of(s, a.sku_ids[0]) == (7, 3)  # 2 + 1, not more


async def test_stock_running_out_fails_the_order_and_holds_nothing(platform: Platform) -> None:
    s = platform.stubs
    a = await seed_shop(s, "A", [500, 600], stock=2)
    req = order_request("buyer-1", [(a.sku_ids[0], 1), (a.sku_ids[1], 3)], request_id="oos")
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await s.trade.CreateOrder(req)
    err = rich_error(e.value)
    assert err["code"] == grpc.StatusCode.FAILED_PRECONDITION
    assert err["reason"] == "OUT_OF_STOCK"
    assert err["preconditions"] == [f"skus/{a.sku_ids[1]}"]
    orders = (await s.trade.ListOrders(tr.ListOrdersRequest(buyer_id="buyer-1"))).orders
    assert [o.status for o in orders] == [tr.ORDER_STATUS_FAILED]
    assert orders[0].close_reason == tr.CLOSE_REASON_CREATION_FAILED
    await eventually(lambda: has_event(platform.events, FAILED, orders[0].order_id))
    assert await stock_of(s, a.sku_ids[0]) == (2, 0)
    assert await stock_of(s, a.sku_ids[1]) == (2, 0)
    # The repeat gets the original error, not a second order.
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await s.trade.CreateOrder(req)
    assert rich_error(e.value)["reason"] == "OUT_OF_STOCK"
    assert len((await s.trade.ListOrders(tr.ListOrdersRequest(buyer_id="buyer-1"))).orders) == 1
    # A late reservation for the failed order is refused (tombstone).
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await s.catalog.ReserveStock(cat.ReserveStockRequest(
            order_id=orders[0].order_id, lines=[cat.StockLine(sku_id=a.sku_ids[0], quantity=1)]))
    assert rich_error(e.value)["reason"] == "RESERVATION_RELEASED"


async def test_unpaid_order_closes_at_its_timeout_and_stock_returns(tmp_path: Path) -> None:
    async with running_platform(tmp_path, pay_timeout_seconds=0.3) as p:
        s = p.stubs
        a = await seed_shop(s, "A", [500])
        order = (await s.trade.CreateOrder(order_request("b", [(a.sku_ids[0], 4)]))).order
        assert await stock_of(s, a.sku_ids[0]) == (6, 4)
        await eventually(lambda: status_is(s, order.order_id, tr.ORDER_STATUS_CANCELLED))
        closed = (await s.trade.GetOrder(tr.GetOrderRequest(order_id=order.order_id))).order
        assert closed.close_reason == tr.CLOSE_REASON_PAY_TIMEOUT
        assert closed.closed_by.role == Operator.ROLE_SYSTEM
        await eventually(lambda: stock_is(s, a.sku_ids[0], (10, 0)))
        await eventually(lambda: has_event(p.events, CANCELLED, order.order_id))
        assert len(p.events.of(CANCELLED, order.order_id)) == 1


async def test_list_orders_paginates_and_filters(platform: Platform) -> None:
    s = platform.stubs
    a = await seed_shop(s, "A", [100, 200], stock=100)
    ids = []
    for i in range(5):
        ids.append((await s.trade.CreateOrder(order_request(
            "buyer-p", [(a.sku_ids[i % 2], 1)]))).order.order_id)
    await s.trade.CancelOrder(tr.CancelOrderRequest(
        order_id=ids[0], operator=Operator(role=Operator.ROLE_SYSTEM)))
    seen: list[str] = []
    token = ""
    while True:
        page = await s.trade.ListOrders(tr.ListOrdersRequest(
            buyer_id="buyer-p", page_size=2, page_token=token))
        seen += [o.order_id for o in page.orders]
        token = page.next_page_token
        if not token:
            break
    assert seen == list(reversed(ids))
    waiting = await s.trade.ListOrders(tr.ListOrdersRequest(
        seller_id=a.seller_id, statuses=[tr.ORDER_STATUS_WAIT_PAY]))
    assert [o.order_id for o in waiting.orders] == list(reversed(ids[1:]))
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await s.trade.ListOrders(tr.ListOrdersRequest(buyer_id="x", seller_id="y"))
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_item_versions_are_immutable_and_orders_keep_theirs(platform: Platform) -> None:
    s = platform.stubs
    a = await seed_shop(s, "A", [500])
    order = (await s.trade.CreateOrder(order_request("b", [(a.sku_ids[0], 1)]))).order
    item_id = order.item.item_id
    updated = (await s.catalog.UpdateItem(cat.UpdateItemRequest(
        item_id=item_id, expected_version=1, title="new title",
        skus=[cat.SkuInput(sku_id=a.sku_ids[0],
                           price=Money(currency_code="CNY", amount_minor=450))]))).item
    assert updated.version == 2 and updated.skus[0].price.amount_minor == 450
    v1 = (await s.catalog.GetItemVersion(cat.GetItemVersionRequest(
        item_id=item_id, version=order.item.item_version))).item
    assert v1.title == order.item.title and v1.skus[0].price.amount_minor == 500
    with pytest.raises(grpc.aio.AioRpcError) as e:  # stale expected_version
        await s.catalog.UpdateItem(cat.UpdateItemRequest(item_id=item_id, expected_version=1,
                                                         title="x"))
    assert rich_error(e.value)["reason"] == "ITEM_VERSION_MISMATCH"
    again = (await s.trade.GetOrder(tr.GetOrderRequest(order_id=order.order_id))).order
    assert again.item == order.item


async def test_catalog_refusals_carry_the_code_their_reason_declares(platform: Platform) -> None:
    """Each reason is reported with the status code catalog.proto declares for
    it; a refused move of a reservation names the order, its status and the
    move in catalog's words."""
    c = platform.stubs.catalog
    seller = (await c.CreateSeller(cat.CreateSellerRequest(seller_id="s-r", display_name="s"))
              ).seller
    await c.ReleaseStock(cat.ReleaseStockRequest(order_id="o-r"))  # a tombstone
    refused = {
        cat.ERROR_REASON_SELLER_NOT_FOUND: lambda: c.GetSeller(
            cat.GetSellerRequest(seller_id="nope")),
        cat.ERROR_REASON_SELLER_EXISTS: lambda: c.CreateSeller(cat.CreateSellerRequest(
            seller_id=seller.seller_id, display_name="again")),
        cat.ERROR_REASON_SKU_NOT_FOUND: lambda: c.GetStock(cat.GetStockRequest(sku_id="nope")),
        cat.ERROR_REASON_RESERVATION_NOT_FOUND: lambda: c.GetReservation(
            cat.GetReservationRequest(order_id="nope")),
        cat.ERROR_REASON_ILLEGAL_RESERVATION_TRANSITION: lambda: c.DeductStock(
            cat.DeductStockRequest(order_id="o-r")),
    }
    errors = {}
    for value, call in refused.items():
        reason = CATALOG_REASONS[value]
        errors[reason.name] = await refusal(call(), grpc.StatusCode[reason.code])
        assert errors[reason.name]["reason"] == reason.name
    assert errors["SELLER_NOT_FOUND"]["metadata"] == {"seller_id": "nope"}
    assert errors["ILLEGAL_RESERVATION_TRANSITION"]["metadata"] == {
        "order_id": "o-r", "status": "RESERVATION_STATUS_RELEASED", "action": "deduct"}


async def test_a_platform_that_fails_to_start_leaves_nothing_running(tmp_path: Path) -> None:
    """A listener that cannot bind (payment's sandbox on a taken port) fails
    the start, and the part that did start is stopped: the gRPC port is free
    again, no worker is left polling, and the same data directory starts
    cleanly afterwards."""
    grpc_port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        payment = dataclasses.replace(
            EPHEMERAL_PAYMENT, sandbox_listen=f"127.0.0.1:{taken.getsockname()[1]}")
        runtime = Runtime(Settings(listen=f"127.0.0.1:{grpc_port}", data_dir=tmp_path,
                                   sections={"payment": payment}))
        with pytest.raises(OSError):
            await runtime.start()
    with socket.socket() as again:
        again.bind(("127.0.0.1", grpc_port))
    workers = ("relay:", "janitor:", "timers:")
    assert not [t for t in asyncio.all_tasks() if t.get_name().startswith(workers)]
    async with running_platform(tmp_path) as p:
        await p.stubs.health.Check(health_pb2.HealthCheckRequest())
