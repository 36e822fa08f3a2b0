"""The embedded platform the end-to-end tests drive: every service in one
process on SQLite files in the test's directory with the in-process broker,
a gRPC stub for each service, a recorder of the events about orders, and an
HTTP session for the sandboxes (payment's wallet, logistics' carrier).

The ``platform`` fixture (tests/e2e/conftest.py) is one with the default
settings; ``running_platform`` starts one with other settings (trade's
timeouts, logistics' listeners), or again on the same directory (a restart).
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp

from aftersales.settings import AfterSalesSettings
from logistics.settings import LogisticsSettings
from payment.settings import PaymentSettings
from settlement.settings import SettlementSettings
from tests.e2e.support import Recorder, Stubs, credential, free_port
from tests.identity import NaturalIdentity
from trade.settings import TradeSettings
from zhongtai.auth import Identity
from zhongtai.config import Settings
from zhongtai.logistics.v1 import logistics_pb2_grpc as lg_grpc
from zhongtai.logistics.v1 import warehouse_pb2_grpc as wh_grpc
from zhongtai.payment.v1 import payment_pb2_grpc as pb_grpc
from zhongtai.promotion.v1 import promotion_pb2_grpc as pr_grpc
from zhongtai.runtime import Runtime

# payment's and logistics' HTTP listeners (channel callbacks, carrier pushes,
# the in-process sandboxes) on ports the system picks, so tests never depend
# on a fixed port being free.
EPHEMERAL_PAYMENT = PaymentSettings(callback_listen="127.0.0.1:0",
                                    sandbox_listen="127.0.0.1:0")
EPHEMERAL_LOGISTICS = LogisticsSettings(notify_listen="127.0.0.1:0",
                                        carrier_sandbox_listen="127.0.0.1:0")

# What ``Platform.events`` records: what happens to orders, payments,
# shipments, reservations and benefit holds; not the set-up facts (item
# versions, freight templates, coupons claimed), so that a test can assert
# that a refused request published nothing.
RECORDED = ("trade.order.#", "payment.#", "logistics.order.#", "logistics.package.#",
            "catalog.reservation.#", "promotion.hold.#")


@dataclasses.dataclass
class Platform:
    runtime: Runtime
    stubs: Stubs  # catalog, trade, health
    payment: pb_grpc.PaymentServiceStub
    promotion: pr_grpc.PromotionServiceStub
    logistics: lg_grpc.LogisticsServiceStub
    warehouses: wh_grpc.WarehouseServiceStub
    events: Recorder
    callback_url: str  # where payment takes channel notifications
    http: aiohttp.ClientSession

    def as_(self, identity: Identity) -> tuple[tuple[str, str], ...]:
        """The metadata of a call made with ``identity``'s credential (the
        harness leaves an explicit one as it is)."""
        return credential(self.runtime.access.issuer, identity)


async def start_platform(data_dir: Path, logistics: LogisticsSettings = EPHEMERAL_LOGISTICS,
                         payment: PaymentSettings = EPHEMERAL_PAYMENT,
                         aftersales: AfterSalesSettings | None = None,
                         settlement: SettlementSettings | None = None,
                         **trade: float) -> Platform:
    """The platform on ``data_dir`` with trade's settings ``trade`` (e.g.
    ``pay_timeout_seconds=0.3``), logistics' ``logistics``, payment's
    ``payment``, after-sales' ``aftersales`` and settlement's
    ``settlement``; payment queries a pending
    payment after a minute and a refund after 5 s."""
    callback = f"127.0.0.1:{free_port()}"
    # The sandbox channel on a known port, so that settlement's statement
    # source and split adapter reach this platform's sandbox, not a default.
    sandbox = payment.sandbox_listen
    if sandbox.endswith(":0"):
        sandbox = f"127.0.0.1:{free_port()}"
    payment = dataclasses.replace(payment, callback_listen=callback, sandbox_listen=sandbox,
                                  pending_query_after_seconds=60,
                                  refund_query_after_seconds=5)
    settlement = dataclasses.replace(settlement or SettlementSettings(),
                                     sandbox_statement_url=f"http://{sandbox}")
    runtime = Runtime(Settings(
        listen="127.0.0.1:0", data_dir=data_dir, poll_interval_seconds=0.05,
        sections={"trade": TradeSettings(**trade), "payment": payment,
                  "logistics": logistics, "aftersales": aftersales or AfterSalesSettings(),
                  "settlement": settlement}))
    await runtime.start()
    events = Recorder()
    await runtime.bus.subscribe("test.events", RECORDED, events)
    identity = NaturalIdentity(runtime.access.issuer, runtime.access.authenticator.policies)
    stubs = Stubs.connect(f"127.0.0.1:{runtime.port}", identity=identity)
    channel = stubs.channels[0]
    return Platform(runtime, stubs, pb_grpc.PaymentServiceStub(channel),
                    pr_grpc.PromotionServiceStub(channel), lg_grpc.LogisticsServiceStub(channel),
                    wh_grpc.WarehouseServiceStub(channel), events, f"http://{callback}",
                    aiohttp.ClientSession())


async def close_platform(p: Platform) -> None:
    """Stop the platform at once (nothing pending is waited for); a platform
    already closed is left as it is."""
    if p.http.closed:
        return
    await p.http.close()
    await p.stubs.close()
    await p.runtime.stop(grace=0)


@asynccontextmanager
async def running_platform(data_dir: Path, logistics: LogisticsSettings = EPHEMERAL_LOGISTICS,
                           payment: PaymentSettings = EPHEMERAL_PAYMENT,
                           aftersales: AfterSalesSettings | None = None,
                           settlement: SettlementSettings | None = None,
                           **trade: float) -> AsyncIterator[Platform]:
    """``start_platform``, closed on leaving the block."""
    p = await start_platform(data_dir, logistics, payment, aftersales, settlement, **trade)
    try:
        yield p
    finally:
        await close_platform(p)
