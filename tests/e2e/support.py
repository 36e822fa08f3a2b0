"""The basics of end-to-end tests: stubs, a shop and an order request, stock
and status reads, rich errors, an event recorder, ``zhongtai serve`` in a
subprocess. The embedded platform is tests/e2e/platform.py; scenario
builders (paid orders, presale, payments, coupons...) tests/e2e/builders.py."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import signal
import socket
import subprocess
import sys
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status

from tests.identity import NaturalIdentity
from zhongtai.auth import Identity, TokenIssuer
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.catalog.v1 import catalog_pb2_grpc as cat_grpc
from zhongtai.common.v1.common_pb2 import Address, Money
from zhongtai.events import Envelope
from zhongtai.trade.v1 import trade_pb2 as tr
from zhongtai.trade.v1 import trade_pb2_grpc as tr_grpc

ROOT = Path(__file__).resolve().parents[2]

ADDRESS = Address(country_code="CN", province="浙江省", city="杭州市", district="西湖区",
                  town="灵隐街道", detail="龙井路 1 号", recipient_name="李雷",
                  recipient_phone="13800000000")

# Every HTTP listener of a ``zhongtai serve`` process on a port of the
# system's, so tests never depend on a fixed port being free.
EPHEMERAL_ENV = {"ZHONGTAI_PAYMENT_CALLBACK_LISTEN": "127.0.0.1:0",
                 "ZHONGTAI_PAYMENT_SANDBOX_LISTEN": "127.0.0.1:0",
                 "ZHONGTAI_LOGISTICS_NOTIFY_LISTEN": "127.0.0.1:0",
                 "ZHONGTAI_LOGISTICS_CARRIER_SANDBOX_LISTEN": "127.0.0.1:0"}


@dataclass
class Stubs:
    catalog: cat_grpc.CatalogServiceStub
    trade: tr_grpc.TradeServiceStub
    health: health_pb2_grpc.HealthStub
    channels: list[grpc.aio.Channel]

    @classmethod
    def connect(cls, catalog_addr: str, trade_addr: str | None = None, *,
                identity: NaturalIdentity | None = None) -> Stubs:
        """Stubs on channels whose calls carry the credential ``identity``
        gives (``tests.identity``), or none."""
        c = channel_to(catalog_addr, identity)
        t = channel_to(trade_addr, identity) if trade_addr else c
        return cls(cat_grpc.CatalogServiceStub(c), tr_grpc.TradeServiceStub(t),
                   health_pb2_grpc.HealthStub(t), [c, t])

    async def close(self) -> None:
        for ch in self.channels:
            await ch.close()


def channel_to(address: str, identity: NaturalIdentity | None = None) -> grpc.aio.Channel:
    """A test's channel to a server, its calls carrying the credential
    ``identity`` gives."""
    return grpc.aio.insecure_channel(address, interceptors=[identity] if identity else None)


@dataclass
class Shop:
    seller_id: str
    sku_ids: list[str]


async def seed_shop(stubs: Stubs, name: str, prices: list[int], stock: int = 10,
                    item_type: int = cat.ITEM_TYPE_PHYSICAL, weight_grams: int = 500) -> Shop:
    """A seller with one single-SKU item per price; physical SKUs weigh
    ``weight_grams`` each (others nothing: they do not ship)."""
    seller = (await stubs.catalog.CreateSeller(cat.CreateSellerRequest(display_name=name))).seller
    sku_ids = []
    for i, price in enumerate(prices):
        item = (await stubs.catalog.CreateItem(cat.CreateItemRequest(
            seller_id=seller.seller_id, title=f"{name} item {i}", item_type=item_type,
            category_id="c1",
            skus=[cat.SkuInput(price=Money(currency_code="CNY", amount_minor=price),
                               initial_stock=stock, weight_grams=weight_grams
                               if item_type == cat.ITEM_TYPE_PHYSICAL else 0)]))).item
        sku_ids.append(item.skus[0].sku_id)
    return Shop(seller.seller_id, sku_ids)


async def stock_of(stubs: Stubs, sku_id: str) -> tuple[int, int]:
    s = (await stubs.catalog.GetStock(cat.GetStockRequest(sku_id=sku_id))).stock
    return s.available, s.reserved


async def has_event(events: Recorder, event_type: str, order_id: str) -> bool:
    return bool(events.of(event_type, order_id))


async def stock_is(stubs: Stubs, sku_id: str, expected: tuple[int, int]) -> bool:
    return await stock_of(stubs, sku_id) == expected


async def status_is(stubs: Stubs, order_id: str, status: int) -> bool:
    order = (await stubs.trade.GetOrder(tr.GetOrderRequest(order_id=order_id))).order
    return order.status == status


def order_request(buyer: str, lines: list[tuple[str, int]], **kw: object) -> tr.CreateOrderRequest:
    return tr.CreateOrderRequest(
        buyer_id=buyer, address=ADDRESS,
        lines=[tr.OrderLineInput(sku_id=s, quantity=q) for s, q in lines], **kw)  # type: ignore[arg-type]


async def single_order(stubs: Stubs, buyer: str, price: int) -> tr.Order:
    """A new seller's one item at ``price``, ordered once by ``buyer`` (WAIT_PAY)."""
    shop = await seed_shop(stubs, f"shop of {buyer}'s order", [price])
    return (await stubs.trade.CreateOrder(order_request(buyer, [(shop.sku_ids[0], 1)]))).order


def rich_error(exc: grpc.aio.AioRpcError) -> dict[str, object]:
    """ErrorInfo reason (and metadata), BadRequest fields and precondition
    subjects of a failed call."""
    status = rpc_status.from_call(exc)
    out: dict[str, object] = {"code": exc.code(), "reason": None, "fields": []}
    assert status is not None, "status carries no details"
    for d in status.details:
        if d.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            d.Unpack(info)
            out["reason"] = info.reason
            out["domain"] = info.domain
            out["metadata"] = dict(info.metadata)
        elif d.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            br = error_details_pb2.BadRequest()
            d.Unpack(br)
            out["fields"] = [v.field for v in br.field_violations]
        elif d.Is(error_details_pb2.PreconditionFailure.DESCRIPTOR):
            pf = error_details_pb2.PreconditionFailure()
            d.Unpack(pf)
            out["preconditions"] = [v.subject for v in pf.violations]
    return out


def credential(issuer: TokenIssuer, identity: Identity) -> tuple[tuple[str, str], ...]:
    """Call metadata carrying ``identity``'s token (minted by the platform's
    ``runtime.access.issuer``): an explicit caller, left as is by the harness."""
    token = issuer.issue(identity, dt.timedelta(minutes=10))
    return (("authorization", f"Bearer {token}"),)


async def refusal(call: Awaitable[object],
                  code: grpc.StatusCode = grpc.StatusCode.FAILED_PRECONDITION
                  ) -> dict[str, object]:
    """The rich error (``rich_error``) of a call that must be refused with ``code``."""
    try:
        await call
    except grpc.aio.AioRpcError as exc:
        assert exc.code() == code, exc
        return rich_error(exc)
    raise AssertionError(f"not refused with {code.name}")


@dataclass
class Recorder:
    """Collects events from a bus subscription."""

    events: list[Envelope] = field(default_factory=list)

    async def __call__(self, envelope: Envelope) -> None:
        self.events.append(envelope)

    def of(self, event_type: str, order_id: str) -> list[Envelope]:
        return [e for e in self.events
                if e.event_type == event_type and e.aggregate_id == order_id]

    async def the_one(self, event_type: str, aggregate_id: str,
                      within: float = 10.0) -> Envelope:
        """Wait for an event (the relay publishes after the commit another
        read may already see), then insist it was published exactly once."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not self.of(event_type, aggregate_id):
            assert loop.time() < deadline, f"no {event_type} for {aggregate_id}"
            await asyncio.sleep(0.05)
        [envelope] = self.of(event_type, aggregate_id)
        return envelope


def _ephemeral_ports() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def free_port() -> int:
    """A port nothing listens on, for a server a test starts later. Drawn at
    random below the kernel's ephemeral range where there is room: the
    system's own choice (port 0) is an ephemeral port, which an outgoing
    connection (to PostgreSQL, RabbitMQ, another test's server) may take
    before the server binds it."""
    low, _ = _ephemeral_ports()
    for _ in range(50):
        port = random.randint(10000, low - 1) if low > 11000 else 0
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(s.getsockname()[1])
    raise RuntimeError("no free port")


class ServerProcess:
    """``zhongtai serve`` in a subprocess."""

    def __init__(self, args: list[str], env: Mapping[str, str], log_path: Path) -> None:
        self.args = args
        self.env = {**os.environ, **env}
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, extra_env: Mapping[str, str] | None = None) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "zhongtai.cli", *self.args],
            env={**self.env, **(extra_env or {})}, stdout=log, stderr=subprocess.STDOUT,
            cwd=ROOT)
        log.close()

    async def wait_ready(self, address: str, within: float = 30.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        async with grpc.aio.insecure_channel(address) as ch:
            stub = health_pb2_grpc.HealthStub(ch)
            while True:
                assert self.proc is not None
                if self.proc.poll() is not None:
                    raise AssertionError(f"server exited: {self.log_path.read_text()[-3000:]}")
                try:
                    r = await stub.Check(health_pb2.HealthCheckRequest(), timeout=1)
                    if r.status == health_pb2.HealthCheckResponse.SERVING:
                        return
                except grpc.aio.AioRpcError:
                    pass
                if loop.time() > deadline:
                    raise AssertionError(f"server not ready: {self.log_path.read_text()[-3000:]}")
                await asyncio.sleep(0.1)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode


def key_files(directory: Path) -> tuple[dict[str, str], bytes]:
    """A signing key and its public key in ``directory``, as the environment
    of a service running on its own (``ZHONGTAI_AUTH_*``), and the signing key."""
    from zhongtai.auth import new_signing_key, public_key_of

    directory.mkdir(parents=True, exist_ok=True)
    signing = new_signing_key()
    (directory / "signing.pem").write_bytes(signing)
    (directory / "public.pem").write_bytes(public_key_of(signing))
    return {"ZHONGTAI_AUTH_SIGNING_KEY_FILE": str(directory / "signing.pem"),
            "ZHONGTAI_AUTH_PUBLIC_KEY_FILES": str(directory / "public.pem")}, signing
