"""End to end with real server processes killed and restarted: ``zhongtai
serve`` on the embedded default, and trade on its own on PostgreSQL and
RabbitMQ (tests/e2e/processes_support.py), both with a failpoint; payment on
its own refuses to start without a notification secret of its own."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest

from tests.conftest import CreateDb, eventually
from tests.e2e.processes_support import (
    KILL_AFTER_RESERVE,
    Distributed,
    only_order,
)
from tests.e2e.support import (
    EPHEMERAL_ENV,
    ServerProcess,
    Stubs,
    free_port,
    has_event,
    key_files,
    order_request,
    seed_shop,
    status_is,
    stock_is,
    stock_of,
)
from tests.identity import identities_for
from zhongtai.auth import load_or_create_dev_key
from zhongtai.trade.v1 import trade_pb2 as tr

pytestmark = pytest.mark.e2e


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
