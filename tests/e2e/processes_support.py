"""The process harness of the end-to-end tests: catalog, promotion, trade,
payment, logistics, after-sales and settlement as separate ``zhongtai serve
--service X`` processes on PostgreSQL (a database each) and RabbitMQ (a
virtual host of the test's own), and helpers of the tests that drive them.

The ``vhost`` and ``distributed`` fixtures (tests/e2e/conftest.py) are
built here; ``running_distributed`` starts the seven with a service's
settings changed (e.g. trade's after-sales window).
"""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest

from tests.conftest import CreateDb, eventually
from tests.e2e.support import (
    Recorder,
    ServerProcess,
    Stubs,
    channel_to,
    free_port,
    key_files,
)
from tests.identity import NaturalIdentity, identities_for
from zhongtai.ids import new_id
from zhongtai.logistics.v1 import logistics_pb2 as lg
from zhongtai.logistics.v1 import logistics_pb2_grpc as lg_grpc
from zhongtai.payment.v1 import payment_pb2 as pay_pb
from zhongtai.payment.v1 import payment_pb2_grpc as pay_grpc
from zhongtai.promotion.v1 import promotion_pb2 as pr
from zhongtai.promotion.v1 import promotion_pb2_grpc as pr_grpc
from zhongtai.rabbit import RabbitBus
from zhongtai.trade.v1 import trade_pb2 as tr

# How long the processes together may take to serve (each is awaited in
# turn; the first waits while all seven migrate their databases).
STARTUP_SECONDS = 90.0

KILL_AFTER_RESERVE = {"ZHONGTAI_FAILPOINTS": "trade.create.after_reserve=kill"}


@contextmanager
def rabbit_vhost(amqp_url: str) -> Iterator[str]:
    """A RabbitMQ virtual host of this test's own, so no queue is shared:
    its URL; deleted on leaving the block."""
    name = f"zt-test-{uuid.uuid4().hex[:8]}"

    def ctl(*args: str) -> None:
        try:
            subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True,
                           timeout=60)
        except (OSError, subprocess.SubprocessError) as exc:
            pytest.fail(f"rabbitmqctl {' '.join(args)} failed: {exc}", pytrace=False)

    ctl("add_vhost", name)
    ctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    try:
        yield f"{amqp_url.rstrip('/')}/{name}"
    finally:
        ctl("delete_vhost", name)


@dataclass
class Distributed:
    catalog: ServerProcess
    promotion: ServerProcess
    trade: ServerProcess
    payment: ServerProcess
    logistics: ServerProcess
    aftersales: ServerProcess
    settlement: ServerProcess
    trade_addr: str
    promo_addr: str
    payment_addr: str
    logistics_addr: str
    aftersales_addr: str
    settlement_addr: str
    carrier_url: str
    stubs: Stubs
    events: Recorder
    bus: RabbitBus
    identity: NaturalIdentity

    def channel(self, address: str) -> grpc.aio.Channel:
        return channel_to(address, self.identity)


Env = Mapping[str, str]


@asynccontextmanager
async def running_distributed(pg_database: CreateDb, vhost: str, tmp_path: Path, *,
                              trade: Env | None = None, settlement: Env | None = None
                              ) -> AsyncIterator[Distributed]:
    """The seven processes, ready, each on its own database, with ``trade``
    and ``settlement`` added to those services' environment (e.g.
    ``ZHONGTAI_TRADE_AFTER_SALES_WINDOW_SECONDS``); settlement fetches
    statements from and sends splits to payment's sandbox listener. On
    leaving the block every process must stop cleanly, none having used
    SQLite."""
    cat_addr, trade_addr = f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"
    promo_addr, payment_addr = f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"
    logistics_addr, aftersales_addr = f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"
    settlement_addr = f"127.0.0.1:{free_port()}"
    carrier, sandbox = f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"
    keys, signing = key_files(tmp_path / "keys")
    identity = identities_for(signing)
    common = {"ZHONGTAI_BROKER_URL": vhost, "ZHONGTAI_POLL_INTERVAL_SECONDS": "0.1",
              "ZHONGTAI_DATA_DIR": str(tmp_path / "must-not-be-used"), **keys}

    async def process(name: str, address: str, env: Env) -> ServerProcess:
        """``zhongtai serve --service name`` on a fresh database of its own."""
        return ServerProcess(
            ["serve", "--service", name, "--listen", address],
            {**common, f"ZHONGTAI_DATABASE_URL_{name.upper()}": await pg_database(name), **env},
            tmp_path / f"{name}.log")

    catalog = await process("catalog", cat_addr, {"ZHONGTAI_ENDPOINT_LOGISTICS": logistics_addr})
    promotion = await process("promotion", promo_addr, {})
    trade_process = await process("trade", trade_addr, {
        "ZHONGTAI_ENDPOINT_CATALOG": cat_addr, "ZHONGTAI_ENDPOINT_PROMOTION": promo_addr,
        "ZHONGTAI_ENDPOINT_LOGISTICS": logistics_addr,
        "ZHONGTAI_TRADE_ROLLBACK_AFTER_SECONDS": "2", **(trade or {})})
    payment = await process("payment", payment_addr, {
        "ZHONGTAI_ENDPOINT_TRADE": trade_addr,
        "ZHONGTAI_PAYMENT_CALLBACK_LISTEN": f"127.0.0.1:{free_port()}",
        "ZHONGTAI_PAYMENT_SANDBOX_LISTEN": sandbox,
        "ZHONGTAI_PAYMENT_SANDBOX_SECRET": f"sandbox-{uuid.uuid4().hex}"})
    logistics = await process("logistics", logistics_addr, {
        "ZHONGTAI_ENDPOINT_CATALOG": cat_addr,
        "ZHONGTAI_LOGISTICS_NOTIFY_LISTEN": f"127.0.0.1:{free_port()}",
        "ZHONGTAI_LOGISTICS_CARRIER_SANDBOX_LISTEN": carrier,
        "ZHONGTAI_LOGISTICS_CARRIER_SANDBOX_SECRET": uuid.uuid4().hex})
    aftersales = await process("aftersales", aftersales_addr, {
        "ZHONGTAI_ENDPOINT_TRADE": trade_addr, "ZHONGTAI_ENDPOINT_PAYMENT": payment_addr,
        "ZHONGTAI_ENDPOINT_PROMOTION": promo_addr, "ZHONGTAI_ENDPOINT_CATALOG": cat_addr,
        "ZHONGTAI_ENDPOINT_LOGISTICS": logistics_addr,
        "ZHONGTAI_AFTERSALES_RETRY_BASE_SECONDS": "0.2",
        "ZHONGTAI_AFTERSALES_RETRY_CAP_SECONDS": "0.5"})
    settlement_process = await process("settlement", settlement_addr, {
        "ZHONGTAI_SETTLEMENT_SANDBOX_STATEMENT_URL": f"http://{sandbox}", **(settlement or {})})
    servers = (catalog, promotion, trade_process, payment, logistics, aftersales,
               settlement_process)
    addresses = (cat_addr, promo_addr, trade_addr, payment_addr, logistics_addr,
                 aftersales_addr, settlement_addr)
    events = Recorder()
    bus = RabbitBus(vhost)
    await bus.start()
    await bus.subscribe("test.observer", ["trade.order.#"], events)
    for server in servers:
        server.start()
    stubs = Stubs.connect(cat_addr, trade_addr, identity=identity)
    try:
        for server, address in zip(servers, addresses, strict=True):
            await server.wait_ready(address, within=STARTUP_SECONDS)
        yield Distributed(catalog, promotion, trade_process, payment, logistics, aftersales,
                          settlement_process, trade_addr, promo_addr, payment_addr,
                          logistics_addr, aftersales_addr, settlement_addr,
                          f"http://{carrier}", stubs, events, bus, identity)
    finally:
        await stubs.close()
        codes = tuple(server.stop() for server in (
            settlement_process, aftersales, payment, trade_process, promotion, catalog,
            logistics))
        await bus.close()
    assert not (tmp_path / "must-not-be-used").exists(), "a service used SQLite"
    assert codes == (0,) * len(servers), f"servers did not shut down cleanly: {codes}"


async def only_order(stubs: Stubs, buyer: str) -> tr.Order:
    orders = (await stubs.trade.ListOrders(tr.ListOrdersRequest(buyer_id=buyer))).orders
    assert len(orders) == 1
    return orders[0]


async def points_of(promo: pr_grpc.PromotionServiceStub, buyer: str) -> tuple[int, int]:
    account = (await promo.GetPointsAccount(pr.GetPointsAccountRequest(buyer_id=buyer))).account
    return account.balance, account.frozen


async def points_are(promo: pr_grpc.PromotionServiceStub, buyer: str,
                     expected: tuple[int, int]) -> bool:
    return await points_of(promo, buyer) == expected


async def died(server: ServerProcess) -> bool:
    """Whether the process has exited (``eventually(lambda: died(s))``)."""
    return server.proc is not None and server.proc.poll() is not None


async def pay_by_balance(payment: pay_grpc.PaymentServiceStub, buyer: str,
                         order: tr.Order) -> pay_pb.Payment:
    """Top the buyer's balance up by what the order asks, then pay its pay
    order from it."""
    amount = order.pay_order.actual_amount
    await payment.TopUpBalance(pay_pb.TopUpBalanceRequest(
        request_id=new_id(), buyer_id=buyer, amount=amount))
    return (await payment.CreatePayment(pay_pb.CreatePaymentRequest(
        request_id=new_id(), buyer_id=buyer, method=pay_pb.METHOD_BALANCE,
        parts=[pay_pb.PaymentPart(pay_order_id=order.pay_order.pay_order_id,
                                  order_id=order.order_id, amount=amount)]))).payment


async def logistics_order_of(logistics: lg_grpc.LogisticsServiceStub,
                             order_id: str) -> lg.LogisticsOrder:
    """The one logistics order logistics creates from trade's event about a
    paid order, once it has."""
    found: list[lg.LogisticsOrder] = []

    async def created() -> bool:
        found[:] = (await logistics.ListLogisticsOrders(lg.ListLogisticsOrdersRequest(
            order_id=order_id))).logistics_orders
        return len(found) == 1

    await eventually(created, within=15)
    return found[0]
