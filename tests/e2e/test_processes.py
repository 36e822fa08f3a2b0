"""End to end with real server processes: ``zhongtai serve`` killed and
restarted on the embedded default, and catalog, promotion, trade and payment
as separate processes on PostgreSQL and RabbitMQ."""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import grpc
import pytest

from tests.conftest import CreateDb, eventually
from tests.e2e.support import (
    EPHEMERAL_ENV,
    Recorder,
    ServerProcess,
    Stubs,
    channel_to,
    free_port,
    has_event,
    key_files,
    order_request,
    refusal,
    rich_error,
    seed_shop,
    status_is,
    stock_is,
    stock_of,
)
from tests.identity import NaturalIdentity, identities_for
from zhongtai.auth import load_or_create_dev_key
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
from zhongtai.rabbit import RabbitBus
from zhongtai.trade.v1 import trade_pb2 as tr

pytestmark = pytest.mark.e2e

KILL_AFTER_RESERVE = {"ZHONGTAI_FAILPOINTS": "trade.create.after_reserve=kill"}


async def only_order(stubs: Stubs, buyer: str) -> tr.Order:
    orders = (await stubs.trade.ListOrders(tr.ListOrdersRequest(buyer_id=buyer))).orders
    assert len(orders) == 1
    return orders[0]




async def test_embedded_server_killed_after_reserving_rolls_back_after_restart(
        tmp_path: Path) -> None:
    port = free_port()
    addr = f"127.0.0.1:{port}"
    server = ServerProcess(
        ["serve", "--listen", addr, "--data-dir", str(tmp_path / "data")],
        {"ZHONGTAI_TRADE_ROLLBACK_AFTER_SECONDS": "2", "ZHONGTAI_POLL_INTERVAL_SECONDS": "0.1",
         **EPHEMERAL_ENV},
        tmp_path / "server.log")
    server.start(KILL_AFTER_RESERVE)
    stubs = Stubs.connect(addr, identity=identities_for(
        load_or_create_dev_key(tmp_path / "data")))
    try:
        await server.wait_ready(addr)
        shop = await seed_shop(stubs, "A", [700])
        with pytest.raises(grpc.aio.AioRpcError) as e:
            await stubs.trade.CreateOrder(order_request("buyer-k", [(shop.sku_ids[0], 3)]))
        assert e.value.code() == grpc.StatusCode.UNAVAILABLE
        assert server.proc is not None and server.proc.wait(10) == -9

        server.start()
        await server.wait_ready(addr)
        order = await only_order(stubs, "buyer-k")
        # Stock was reserved before the crash; the order is still INIT or
        # already rolled back, depending on how fast the restart was.
        assert order.status in (tr.ORDER_STATUS_INIT, tr.ORDER_STATUS_FAILED)
        await eventually(lambda: status_is(stubs, order.order_id, tr.ORDER_STATUS_FAILED),
                         within=15)
        failed = (await stubs.trade.GetOrder(tr.GetOrderRequest(order_id=order.order_id))).order
        assert failed.close_reason == tr.CLOSE_REASON_CREATION_TIMEOUT
        await eventually(lambda: stock_is(stubs, shop.sku_ids[0], (10, 0)), within=15)
    finally:
        await stubs.close()
        server.stop()


@pytest.fixture
def vhost(amqp_url: str) -> Iterator[str]:
    """A RabbitMQ virtual host of this test's own, so no queue is shared."""
    name = f"zt-test-{uuid.uuid4().hex[:8]}"

    def ctl(*args: str) -> None:
        try:
            subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True,
                           timeout=60)
        except (OSError, subprocess.SubprocessError) as exc:
            pytest.fail(f"rabbitmqctl {' '.join(args)} failed: {exc}", pytrace=False)

    ctl("add_vhost", name)
    ctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    yield f"{amqp_url.rstrip('/')}/{name}"
    ctl("delete_vhost", name)


@dataclass
class Distributed:
    catalog: ServerProcess
    promotion: ServerProcess
    trade: ServerProcess
    payment: ServerProcess
    logistics: ServerProcess
    aftersales: ServerProcess
    trade_addr: str
    promo_addr: str
    payment_addr: str
    logistics_addr: str
    aftersales_addr: str
    carrier_url: str
    stubs: Stubs
    events: Recorder
    bus: RabbitBus
    identity: NaturalIdentity

    def channel(self, address: str) -> grpc.aio.Channel:
        return channel_to(address, self.identity)


@pytest.fixture
async def distributed(pg_database: CreateDb, vhost: str,
                      tmp_path: Path) -> AsyncIterator[Distributed]:
    cat_addr, trade_addr = f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"
    promo_addr, payment_addr = f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"
    logistics_addr, aftersales_addr = f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"
    carrier = f"127.0.0.1:{free_port()}"
    keys, signing = key_files(tmp_path / "keys")
    identity = identities_for(signing)
    common = {"ZHONGTAI_BROKER_URL": vhost, "ZHONGTAI_POLL_INTERVAL_SECONDS": "0.1",
              "ZHONGTAI_DATA_DIR": str(tmp_path / "must-not-be-used"), **keys}
    catalog = ServerProcess(
        ["serve", "--service", "catalog", "--listen", cat_addr],
        {**common, "ZHONGTAI_DATABASE_URL_CATALOG": await pg_database("catalog"),
         "ZHONGTAI_ENDPOINT_LOGISTICS": logistics_addr},
        tmp_path / "catalog.log")
    promotion = ServerProcess(
        ["serve", "--service", "promotion", "--listen", promo_addr],
        {**common, "ZHONGTAI_DATABASE_URL_PROMOTION": await pg_database("promotion")},
        tmp_path / "promotion.log")
    trade = ServerProcess(
        ["serve", "--service", "trade", "--listen", trade_addr],
        {**common, "ZHONGTAI_DATABASE_URL_TRADE": await pg_database("trade"),
         "ZHONGTAI_ENDPOINT_CATALOG": cat_addr, "ZHONGTAI_ENDPOINT_PROMOTION": promo_addr,
         "ZHONGTAI_ENDPOINT_LOGISTICS": logistics_addr,
         "ZHONGTAI_TRADE_ROLLBACK_AFTER_SECONDS": "2"},
        tmp_path / "trade.log")
    payment = ServerProcess(
        ["serve", "--service", "payment", "--listen", payment_addr],
        {**common, "ZHONGTAI_DATABASE_URL_PAYMENT": await pg_database("payment"),
         "ZHONGTAI_ENDPOINT_TRADE": trade_addr,
         "ZHONGTAI_PAYMENT_CALLBACK_LISTEN": f"127.0.0.1:{free_port()}",
         "ZHONGTAI_PAYMENT_SANDBOX_LISTEN": f"127.0.0.1:{free_port()}",
         "ZHONGTAI_PAYMENT_SANDBOX_SECRET": f"sandbox-{uuid.uuid4().hex}"},
        tmp_path / "payment.log")
    logistics = ServerProcess(
        ["serve", "--service", "logistics", "--listen", logistics_addr],
        {**common, "ZHONGTAI_DATABASE_URL_LOGISTICS": await pg_database("logistics"),
         "ZHONGTAI_ENDPOINT_CATALOG": cat_addr,
         "ZHONGTAI_LOGISTICS_NOTIFY_LISTEN": f"127.0.0.1:{free_port()}",
         "ZHONGTAI_LOGISTICS_CARRIER_SANDBOX_LISTEN": carrier,
         "ZHONGTAI_LOGISTICS_CARRIER_SANDBOX_SECRET": uuid.uuid4().hex},
        tmp_path / "logistics.log")
    aftersales = ServerProcess(
        ["serve", "--service", "aftersales", "--listen", aftersales_addr],
        {**common, "ZHONGTAI_DATABASE_URL_AFTERSALES": await pg_database("aftersales"),
         "ZHONGTAI_ENDPOINT_TRADE": trade_addr, "ZHONGTAI_ENDPOINT_PAYMENT": payment_addr,
         "ZHONGTAI_ENDPOINT_PROMOTION": promo_addr, "ZHONGTAI_ENDPOINT_CATALOG": cat_addr,
         "ZHONGTAI_ENDPOINT_LOGISTICS": logistics_addr,
         "ZHONGTAI_AFTERSALES_RETRY_BASE_SECONDS": "0.2",
         "ZHONGTAI_AFTERSALES_RETRY_CAP_SECONDS": "0.5"},
        tmp_path / "aftersales.log")
    events = Recorder()
    bus = RabbitBus(vhost)
    await bus.start()
    await bus.subscribe("test.observer", ["trade.order.#"], events)
    for server in (catalog, promotion, trade, payment, logistics, aftersales):
        server.start()
    stubs = Stubs.connect(cat_addr, trade_addr, identity=identity)
    try:
        await catalog.wait_ready(cat_addr)
        await promotion.wait_ready(promo_addr)
        await trade.wait_ready(trade_addr)
        await payment.wait_ready(payment_addr)
        await logistics.wait_ready(logistics_addr)
        await aftersales.wait_ready(aftersales_addr)
        yield Distributed(catalog, promotion, trade, payment, logistics, aftersales, trade_addr,
                          promo_addr, payment_addr, logistics_addr, aftersales_addr,
                          f"http://{carrier}", stubs, events, bus, identity)
    finally:
        await stubs.close()
        codes = (aftersales.stop(), payment.stop(), trade.stop(), promotion.stop(),
                 catalog.stop(), logistics.stop())
        await bus.close()
    assert not (tmp_path / "must-not-be-used").exists(), "a service used SQLite"
    assert codes == (0, 0, 0, 0, 0, 0), "servers did not shut down cleanly"


@pytest.mark.postgres
@pytest.mark.rabbitmq
async def test_payment_on_its_own_needs_a_notification_secret_of_its_own(
        pg_database: CreateDb, vhost: str, tmp_path: Path) -> None:
    """No fixed default outside the embedded mode: payment without a secret,
    or with the one that used to be the default, does not start."""
    keys, _ = key_files(tmp_path / "keys")
    env = {"ZHONGTAI_BROKER_URL": vhost, **keys, **EPHEMERAL_ENV,
           "ZHONGTAI_DATABASE_URL_PAYMENT": await pg_database("payment"),
           "ZHONGTAI_ENDPOINT_TRADE": f"127.0.0.1:{free_port()}"}
    for n, secret in enumerate(({}, {"ZHONGTAI_PAYMENT_SANDBOX_SECRET":
                                     "zhongtai-sandbox-secret"})):
        log = tmp_path / f"payment-{n}.log"
        server = ServerProcess(["serve", "--service", "payment", "--listen",
                                f"127.0.0.1:{free_port()}"], {**env, **secret}, log)
        server.start()
        assert server.proc is not None and server.proc.wait(60) != 0
        assert "ZHONGTAI_PAYMENT_SANDBOX_SECRET" in log.read_text()


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
        await eventually(lambda: _points_are(promo, "buyer-d", (100, 0)))


async def points_of(promo: pr_grpc.PromotionServiceStub, buyer: str) -> tuple[int, int]:
    account = (await promo.GetPointsAccount(pr.GetPointsAccountRequest(buyer_id=buyer))).account
    return account.balance, account.frozen


async def _points_are(promo: pr_grpc.PromotionServiceStub, buyer: str,
                      expected: tuple[int, int]) -> bool:
    return await points_of(promo, buyer) == expected


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
async def test_distributed_trade_killed_after_reserving_rolls_back_after_restart(
        distributed: Distributed) -> None:
    d = distributed
    shop = await seed_shop(d.stubs, "A", [700])
    d.trade.stop()
    d.trade.start(KILL_AFTER_RESERVE)
    await d.trade.wait_ready(d.trade_addr)
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await d.stubs.trade.CreateOrder(order_request("buyer-k", [(shop.sku_ids[0], 4)]))
    assert e.value.code() == grpc.StatusCode.UNAVAILABLE
    assert d.trade.proc is not None and d.trade.proc.wait(10) == -9
    assert await stock_of(d.stubs, shop.sku_ids[0]) == (6, 4)  # catalog kept running

    d.trade.start()
    await d.trade.wait_ready(d.trade_addr)
    order = await only_order(d.stubs, "buyer-k")
    await eventually(lambda: status_is(d.stubs, order.order_id, tr.ORDER_STATUS_FAILED),
                     within=15)
    await eventually(lambda: stock_is(d.stubs, shop.sku_ids[0], (10, 0)), within=15)
    await eventually(lambda: has_event(d.events, "zhongtai.trade.v1.OrderCreationFailed",
                                  order.order_id))



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
        await eventually(lambda: _points_are(promo, "buyer-p", (0, 0)), within=15)
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
        await pay.TopUpBalance(pay_pb.TopUpBalanceRequest(
            request_id="t-f", buyer_id="buyer-f", amount=order.pay_order.actual_amount))
        await pay.CreatePayment(pay_pb.CreatePaymentRequest(
            request_id="pay-f", buyer_id="buyer-f", method=pay_pb.METHOD_BALANCE,
            parts=[pay_pb.PaymentPart(pay_order_id=order.pay_order.pay_order_id,
                                      order_id=order.order_id,
                                      amount=order.pay_order.actual_amount)]))
        found: list[lg.LogisticsOrder] = []

        async def created() -> bool:
            found[:] = (await logistics.ListLogisticsOrders(lg.ListLogisticsOrdersRequest(
                order_id=order.order_id))).logistics_orders
            return len(found) == 1

        await eventually(created, within=15)
        lo_id = found[0].logistics_order_id
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


@pytest.mark.postgres
@pytest.mark.rabbitmq
async def test_aftersales_runs_on_its_own_on_postgres_and_rabbitmq(
        pg_database: CreateDb, vhost: str, tmp_path: Path) -> None:
    """`zhongtai serve --service aftersales`: its database migrated on
    PostgreSQL, its queues on RabbitMQ, its RPCs served with credentials
    checked; with trade unreachable an application is refused as UNAVAILABLE
    and nothing is written; it stops cleanly."""
    from zhongtai.aftersales.v1 import aftersales_pb2 as af
    from zhongtai.aftersales.v1 import aftersales_pb2_grpc as af_grpc
    from zhongtai.auth import Identity, Role

    addr = f"127.0.0.1:{free_port()}"
    keys, signing = key_files(tmp_path / "keys")
    server = ServerProcess(
        ["serve", "--service", "aftersales", "--listen", addr],
        {"ZHONGTAI_BROKER_URL": vhost, "ZHONGTAI_DATA_DIR": str(tmp_path / "unused"), **keys,
         "ZHONGTAI_DATABASE_URL_AFTERSALES": await pg_database("aftersales"),
         "ZHONGTAI_ENDPOINT_TRADE": f"127.0.0.1:{free_port()}",
         "ZHONGTAI_AFTERSALES_CALL_TIMEOUT_SECONDS": "2"},
        tmp_path / "aftersales.log")
    server.start()
    identity = identities_for(signing)
    buyer = (("authorization",
              f"Bearer {identity.token(Identity(Role.BUYER, 'buyer-as'))}"),)
    try:
        await server.wait_ready(addr)
        async with channel_to(addr, identity) as channel:
            stub = af_grpc.AfterSalesServiceStub(channel)
            listed = await stub.ListApplications(af.ListApplicationsRequest(), metadata=buyer)
            assert list(listed.applications) == []
            with pytest.raises(grpc.aio.AioRpcError) as e:
                await stub.CreateApplication(af.CreateApplicationRequest(
                    request_id="r1", line_order_id="L1", quantity=1,
                    kind=af.APPLICATION_KIND_REFUND_ONLY,
                    reason=af.APPLICATION_REASON_DAMAGED), metadata=buyer)
            assert e.value.code() == grpc.StatusCode.UNAVAILABLE
            with pytest.raises(grpc.aio.AioRpcError) as e:
                await stub.GetApplication(af.GetApplicationRequest(application_id="nope"),
                                          metadata=buyer)
            assert rich_error(e.value)["reason"] == "APPLICATION_NOT_FOUND"
            assert list((await stub.ListApplications(
                af.ListApplicationsRequest(), metadata=buyer)).applications) == []
    finally:
        code = server.stop()
    assert code == 0 and not (tmp_path / "unused").exists()


@pytest.mark.postgres
@pytest.mark.rabbitmq
async def test_aftersales_killed_between_approval_and_refund_refunds_once_after_restart(
        pg_database: CreateDb, vhost: str, tmp_path: Path) -> None:
    """The after-sales process is SIGKILLed right after payment accepted the
    refund (before it wrote so): restarted, it finishes the same refund —
    one AgreeRefund, one payment refund, one benefits return, one restock,
    one FinishRefund — and the application is REFUNDED. The five services it
    calls are faked on one port (tests/aftersales_support.py)."""
    from aftersales.fakes import FakeLine, FakeServices
    from tests.aftersales_support import create_request, serve_fakes
    from zhongtai.aftersales.v1 import aftersales_pb2 as af
    from zhongtai.aftersales.v1 import aftersales_pb2_grpc as af_grpc
    from zhongtai.auth import Identity, Role

    services = FakeServices()
    services.trade.add_line(FakeLine(order_id="O1", line_order_id="L1", buyer_id="buyer-k",
                                     shipped=False, points=100))
    fakes_addr = f"127.0.0.1:{free_port()}"
    fakes = await serve_fakes(services, fakes_addr)
    addr = f"127.0.0.1:{free_port()}"
    keys, signing = key_files(tmp_path / "keys")
    env = {"ZHONGTAI_BROKER_URL": vhost, "ZHONGTAI_POLL_INTERVAL_SECONDS": "0.1", **keys,
           "ZHONGTAI_DATA_DIR": str(tmp_path / "unused"),
           "ZHONGTAI_DATABASE_URL_AFTERSALES": await pg_database("aftersales"),
           "ZHONGTAI_AFTERSALES_RETRY_BASE_SECONDS": "0.2",
           "ZHONGTAI_AFTERSALES_RETRY_CAP_SECONDS": "0.5",
           **{f"ZHONGTAI_ENDPOINT_{s}": fakes_addr
              for s in ("TRADE", "PAYMENT", "PROMOTION", "CATALOG", "LOGISTICS")}}
    server = ServerProcess(["serve", "--service", "aftersales", "--listen", addr], env,
                           tmp_path / "aftersales.log")
    identity = identities_for(signing)
    buyer = identity.as_(Identity(Role.BUYER, "buyer-k"))
    seller = identity.as_(Identity(Role.SELLER, "acct-s1", frozenset({"s1"})))
    server.start({"ZHONGTAI_FAILPOINTS": "aftersales.effects.after_refund=kill"})
    try:
        await server.wait_ready(addr)
        async with channel_to(addr) as channel:
            stub = af_grpc.AfterSalesServiceStub(channel)
            app = (await stub.CreateApplication(create_request(), metadata=buyer)).application
            approved = (await stub.ApproveApplication(af.ApproveApplicationRequest(
                request_id="ap-1", application_id=app.application_id),
                metadata=seller)).application
            assert approved.status == af.APPLICATION_STATUS_REFUNDING

        async def died() -> bool:
            return server.proc is not None and server.proc.poll() is not None

        await eventually(died, within=30)
        assert services.payment.effects["CreateRefund"] == 1
        assert services.trade.effects["FinishRefund"] == 0
        for refund_id in services.payment.refunds:  # payment's refund went through
            services.payment.settle(refund_id)
        server.start()
        await server.wait_ready(addr)
        async with channel_to(addr) as channel:
            stub = af_grpc.AfterSalesServiceStub(channel)

            async def refunded() -> bool:
                got = await stub.GetApplication(af.GetApplicationRequest(
                    application_id=app.application_id), metadata=buyer)
                return got.application.status == af.APPLICATION_STATUS_REFUNDED

            await eventually(refunded, within=30)
        effects = {**services.trade.effects, **services.payment.effects,
                   **services.promotion.effects, **services.catalog.effects}
        assert {k: v for k, v in effects.items() if ":" not in k} == {
            "OpenRefund": 1, "AgreeRefund": 1, "CreateRefund": 1, "ReturnBenefits": 1,
            "RestockUnits": 1, "FinishRefund": 1}
    finally:
        code = server.stop()
        await fakes.stop(0)
    assert code == 0


@pytest.mark.postgres
@pytest.mark.rabbitmq
async def test_distributed_refund_races_and_survives_a_killed_aftersales(
        distributed: Distributed) -> None:
    """Six processes on PostgreSQL and RabbitMQ: two applications racing for
    one line (one wins), then after-sales SIGKILLed right after payment took
    the refund: restarted, it finishes that refund — one refund, the money
    back once, the order closed by its refund."""
    from zhongtai.aftersales.v1 import aftersales_pb2 as af
    from zhongtai.aftersales.v1 import aftersales_pb2_grpc as af_grpc
    from zhongtai.auth import Identity, Role

    d, buyer = distributed, "buyer-as"
    shop = await seed_shop(d.stubs, "AS", [5_000])

    as_ = d.identity.as_

    def application(request_id: str) -> af.CreateApplicationRequest:
        return af.CreateApplicationRequest(
            request_id=request_id, line_order_id=order.order_id,
            kind=af.APPLICATION_KIND_REFUND_ONLY, reason=af.APPLICATION_REASON_CHANGED_MIND,
            quantity=1, amount=order.actual_amount)

    async with d.channel(d.payment_addr) as pch, d.channel(d.aftersales_addr) as ach:
        payment = pay_grpc.PaymentServiceStub(pch)
        aftersales = af_grpc.AfterSalesServiceStub(ach)
        order = (await d.stubs.trade.CreateOrder(order_request(
            buyer, [(shop.sku_ids[0], 1)], request_id="as-1"))).order
        await payment.TopUpBalance(pay_pb.TopUpBalanceRequest(
            buyer_id=buyer, amount=order.pay_order.actual_amount))
        paid = (await payment.CreatePayment(pay_pb.CreatePaymentRequest(
            buyer_id=buyer, method=pay_pb.METHOD_BALANCE, parts=[pay_pb.PaymentPart(
                pay_order_id=order.pay_order.pay_order_id, order_id=order.order_id,
                amount=order.pay_order.actual_amount)]))).payment
        await eventually(lambda: status_is(d.stubs, order.order_id, tr.ORDER_STATUS_WAIT_SHIP),
                         within=15)

        results = await asyncio.gather(
            *(aftersales.CreateApplication(application(f"race-{n}"), metadata=as_(
                Identity(Role.BUYER, buyer))) for n in range(2)), return_exceptions=True)
        won = [r.application for r in results if isinstance(r, af.CreateApplicationResponse)]
        lost = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
        assert len(won) == 1 and len(lost) == 1, results
        assert (lost[0].code(), rich_error(lost[0])["reason"]) == (
            grpc.StatusCode.FAILED_PRECONDITION, "LINE_REFUND_OPEN")

        d.aftersales.stop()
        d.aftersales.start({"ZHONGTAI_FAILPOINTS": "aftersales.effects.after_refund=kill"})
        await d.aftersales.wait_ready(d.aftersales_addr)
        await aftersales.ApproveApplication(af.ApproveApplicationRequest(
            request_id="approve-1", application_id=won[0].application_id),
            metadata=as_(Identity(Role.SELLER, "acct-as", frozenset({shop.seller_id}))))

        async def died() -> bool:
            return d.aftersales.proc is not None and d.aftersales.proc.poll() is not None

        await eventually(died, within=30)
        assert d.aftersales.proc is not None and d.aftersales.proc.returncode == -9
        d.aftersales.start()
        await d.aftersales.wait_ready(d.aftersales_addr)

        async def refunded() -> bool:
            got = await aftersales.GetApplication(af.GetApplicationRequest(
                application_id=won[0].application_id),
                metadata=as_(Identity(Role.BUYER, buyer)))
            return got.application.status == af.APPLICATION_STATUS_REFUNDED

        await eventually(refunded, within=30)
        refunds = (await payment.GetPayment(pay_pb.GetPaymentRequest(
            payment_id=paid.payment_id))).payment.refunds
        assert [(r.amount.amount_minor, r.status) for r in refunds] == [
            (order.pay_order.actual_amount.amount_minor, pay_pb.REFUND_STATUS_SUCCEEDED)]
        balance = (await payment.GetBalance(pay_pb.GetBalanceRequest(
            buyer_id=buyer))).account.balance
        assert balance.amount_minor == order.pay_order.actual_amount.amount_minor
        await eventually(lambda: status_is(d.stubs, order.order_id, tr.ORDER_STATUS_CANCELLED),
                         within=15)
