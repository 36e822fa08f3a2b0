"""End to end with catalog, promotion, trade, payment and logistics as
separate processes on PostgreSQL and RabbitMQ (tests/e2e/processes_support.py):
orders created and cancelled, paid by balance and through the sandbox,
shipped, tracked and received; bad input writes nothing."""

from __future__ import annotations

import aiohttp
import grpc
import pytest

from tests.conftest import eventually
from tests.e2e.processes_support import (
    Distributed,
    logistics_order_of,
    pay_by_balance,
    points_are,
    points_of,
)
from tests.e2e.support import (
    Stubs,
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
from zhongtai.common.v1.common_pb2 import Operator
from zhongtai.logistics.v1 import logistics_pb2 as lg
from zhongtai.logistics.v1 import logistics_pb2_grpc as lg_grpc
from zhongtai.logistics.v1 import warehouse_pb2 as wh
from zhongtai.logistics.v1 import warehouse_pb2_grpc as wh_grpc
from zhongtai.payment.v1 import payment_pb2 as pay_pb
from zhongtai.payment.v1 import payment_pb2_grpc as pay_grpc
from zhongtai.promotion.v1 import promotion_pb2 as pr
from zhongtai.promotion.v1 import promotion_pb2_grpc as pr_grpc
from zhongtai.trade.v1 import trade_pb2 as tr

pytestmark = pytest.mark.e2e


@pytest.mark.postgres
@pytest.mark.rabbitmq
async def test_distributed_order_and_cancel_over_rabbitmq(distributed: Distributed) -> None:
    d = distributed
    a = await seed_shop(d.stubs, "A", [3900])
    b = await seed_shop(d.stubs, "B", [1000])
    async with d.channel(d.promo_addr) as channel:
        promo = pr_grpc.PromotionServiceStub(channel)
        await promo.EarnPoints(pr.EarnPointsRequest(request_id="e-1", buyer_id="buyer-d",
                                                    points=100))
        req = order_request("buyer-d", [(a.sku_ids[0], 1), (b.sku_ids[0], 2)],
                            request_id="d-1")
        req.benefits.points = 60
        order = (await d.stubs.trade.CreateOrder(req)).order
        assert order.pay_order.point_amount.amount_minor == 60
        assert await points_of(promo, "buyer-d") == (100, 60)  # balance includes the frozen
        await run_order_and_cancel(d, order, a.sku_ids[0], b.sku_ids[0])
        # promotion gives the points back on the OrderCancelled event it consumes.
        await eventually(lambda: points_are(promo, "buyer-d", (100, 0)))



async def run_order_and_cancel(d: Distributed, order: tr.Order, a_sku: str, b_sku: str) -> None:
    assert order.is_main and len(order.sub_orders) == 2
    assert await stock_of(d.stubs, b_sku) == (8, 2)
    await eventually(lambda: has_event(d.events, "zhongtai.trade.v1.OrderCreated", order.order_id))

    await d.stubs.trade.CancelOrder(tr.CancelOrderRequest(
        order_id=order.order_id, operator=Operator(role=Operator.ROLE_BUYER, id="buyer-d")))
    # catalog releases the stock on the OrderCancelled event it consumes.
    await eventually(lambda: stock_is(d.stubs, a_sku, (10, 0)))
    await eventually(lambda: stock_is(d.stubs, b_sku, (10, 0)))
    await eventually(
        lambda: has_event(d.events, "zhongtai.trade.v1.OrderCancelled", order.order_id))
    assert len(d.events.of("zhongtai.trade.v1.OrderCreated", order.order_id)) == 1


@pytest.mark.postgres
@pytest.mark.rabbitmq
async def test_distributed_catalog_asks_logistics_whether_a_warehouse_exists(
        distributed: Distributed) -> None:
    """catalog on its own takes stock only for warehouses the logistics
    process knows (it asks WarehouseService as its service identity)."""
    d = distributed
    [sku] = (await seed_shop(d.stubs, "W", [100], stock=0)).sku_ids
    request = cat.SetWarehouseStockRequest(sku_id=sku, warehouse_id="w-d", quantity=5)
    err = await refusal(d.stubs.catalog.SetWarehouseStock(request), grpc.StatusCode.NOT_FOUND)
    assert err["reason"] == "WAREHOUSE_NOT_FOUND"
    assert await stock_of(d.stubs, sku) == (0, 0)
    async with d.channel(d.logistics_addr) as channel:
        await wh_grpc.WarehouseServiceStub(channel).CreateWarehouse(wh.CreateWarehouseRequest(
            warehouse=wh.Warehouse(warehouse_id="w-d", name="central",
                                   kind=wh.WAREHOUSE_KIND_CENTRAL, default_delivery_hours=48)))
    await d.stubs.catalog.SetWarehouseStock(request)
    assert await stock_of(d.stubs, sku) == (5, 0)


@pytest.mark.postgres
@pytest.mark.rabbitmq
async def test_distributed_bad_input_writes_nothing(distributed: Distributed) -> None:
    d = distributed
    a = await seed_shop(d.stubs, "A", [100])
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await d.stubs.trade.CreateOrder(tr.CreateOrderRequest(
            buyer_id="buyer-x", lines=[tr.OrderLineInput(sku_id=a.sku_ids[0], quantity=-1)]))
    err = rich_error(e.value)
    assert err["code"] == grpc.StatusCode.INVALID_ARGUMENT
    assert err["fields"] == ["lines[0].quantity"]
    assert list((await d.stubs.trade.ListOrders(
        tr.ListOrdersRequest(buyer_id="buyer-x"))).orders) == []
    assert await stock_of(d.stubs, a.sku_ids[0]) == (10, 0)


@pytest.mark.postgres
@pytest.mark.rabbitmq
async def test_distributed_payments_pay_orders_over_rabbitmq(distributed: Distributed) -> None:
    """payment as its own process: a balance payment and a sandbox payment (over
    HTTP, the sandbox in the payment process) pay their orders through
    RabbitMQ; catalog sells the stock and promotion redeems the points."""
    d = distributed
    shop = await seed_shop(d.stubs, "A", [1200, 800])
    async with d.channel(d.promo_addr) as promo_channel, \
            d.channel(d.payment_addr) as pay_channel:
        promo = pr_grpc.PromotionServiceStub(promo_channel)
        pay = pay_grpc.PaymentServiceStub(pay_channel)
        await promo.EarnPoints(pr.EarnPointsRequest(request_id="e-1", buyer_id="buyer-p",
                                                    points=100))
        req = order_request("buyer-p", [(shop.sku_ids[0], 2)], request_id="p-1")
        req.benefits.points = 100
        first = (await d.stubs.trade.CreateOrder(req)).order
        second = (await d.stubs.trade.CreateOrder(order_request(
            "buyer-p", [(shop.sku_ids[1], 1)], request_id="p-2"))).order
        await pay.TopUpBalance(pay_pb.TopUpBalanceRequest(
            request_id="t-1", buyer_id="buyer-p", amount=first.pay_order.actual_amount))

        def part(order: tr.Order) -> pay_pb.PaymentPart:
            return pay_pb.PaymentPart(pay_order_id=order.pay_order.pay_order_id,
                                      order_id=order.order_id,
                                      amount=order.pay_order.actual_amount)

        by_balance = (await pay.CreatePayment(pay_pb.CreatePaymentRequest(
            request_id="pay-1", buyer_id="buyer-p", method=pay_pb.METHOD_BALANCE,
            parts=[part(first)]))).payment
        assert by_balance.status == pay_pb.PAYMENT_STATUS_SUCCEEDED
        by_sandbox = (await pay.CreatePayment(pay_pb.CreatePaymentRequest(
            request_id="pay-2", buyer_id="buyer-p", method=pay_pb.METHOD_SANDBOX,
            parts=[part(second)]))).payment
        attempt = by_sandbox.attempts[0]
        base = attempt.pay_url.rsplit("/pay/", 1)[0]
        async with aiohttp.ClientSession() as http, http.post(
                f"{base}/v1/trades/{attempt.attempt_id}/pay", json={}) as resp:
            assert resp.status == 200

        for order in (first, second):
            await eventually(lambda o=order: status_is(d.stubs, o.order_id,  # type: ignore[misc]
                                                       tr.ORDER_STATUS_WAIT_SHIP), within=15)
        await eventually(lambda: _sold_is(d.stubs, shop.sku_ids[0], 2), within=15)
        await eventually(lambda: _sold_is(d.stubs, shop.sku_ids[1], 1), within=15)
        await eventually(lambda: points_are(promo, "buyer-p", (0, 0)), within=15)
        await eventually(lambda: has_event(d.events, "zhongtai.trade.v1.OrderPaid",
                                           second.order_id), within=15)


async def _sold_is(stubs: Stubs, sku_id: str, expected: int) -> bool:
    stock = (await stubs.catalog.GetStock(cat.GetStockRequest(sku_id=sku_id))).stock
    return bool(stock.sold == expected)



@pytest.mark.postgres
@pytest.mark.rabbitmq
async def test_distributed_order_is_shipped_tracked_and_received(distributed: Distributed
                                                                 ) -> None:
    """Seed 001's fulfilment across processes: paid in payment, a logistics
    order created in logistics from trade's event, shipped in two packages,
    tracked by the sandbox carrier's pushes, mirrored on trade's order, which
    the buyer then confirms."""
    d = distributed
    shop = await seed_shop(d.stubs, "F", [900])
    async with d.channel(d.payment_addr) as pay_channel, \
            d.channel(d.logistics_addr) as lg_channel, \
            aiohttp.ClientSession() as http:
        pay = pay_grpc.PaymentServiceStub(pay_channel)
        logistics = lg_grpc.LogisticsServiceStub(lg_channel)
        order = (await d.stubs.trade.CreateOrder(order_request(
            "buyer-f", [(shop.sku_ids[0], 3)], request_id="f-1"))).order
        await pay_by_balance(pay, "buyer-f", order)
        lo_id = (await logistics_order_of(logistics, order.order_id)).logistics_order_id
        for n, (tracking_no, units) in enumerate([("DS-1", 1), ("DS-2", 2)]):
            await logistics.ShipPackage(lg.ShipPackageRequest(
                request_id=f"ship-{n}", seller_id=shop.seller_id, carrier="sandbox",
                tracking_no=tracking_no,
                items=[lg.PackageItem(logistics_order_id=lo_id, quantity=units)]))
        await eventually(lambda: status_is(d.stubs, order.order_id,
                                           tr.ORDER_STATUS_WAIT_RECEIVE), within=15)

        for tracking_no in ("DS-1", "DS-2"):
            async def subscribed(no: str = tracking_no) -> bool:
                async with http.get(f"{d.carrier_url}/v1/waybills/{no}/events") as resp:
                    return resp.status == 200

            await eventually(subscribed, within=15)
            async with http.post(f"{d.carrier_url}/v1/waybills/{tracking_no}/journey",
                                 json={}) as resp:
                assert resp.status == 200

        async def delivered() -> bool:
            o = (await d.stubs.trade.GetOrder(tr.GetOrderRequest(
                order_id=order.order_id))).order
            return o.log_order.status == tr.LOGISTICS_STATUS_DELIVERED

        await eventually(delivered, within=15)
        done = (await d.stubs.trade.ConfirmReceipt(tr.ConfirmReceiptRequest(
            request_id="r-f", order_id=order.order_id, buyer_id="buyer-f"))).order
        assert done.status == tr.ORDER_STATUS_COMPLETED
        await eventually(lambda: has_event(d.events, "zhongtai.trade.v1.OrderCompleted",
                                           order.order_id), within=15)
