"""The sandbox wallet provider (a real HTTP server) through SandboxChannel,
with a tiny notification receiver that verifies what it is sent."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from payment.channels.base import (
    ChannelError,
    ChannelTrade,
    Notification,
    NotificationRejected,
    RefundState,
    TradeState,
)
from payment.channels.sandbox import SandboxChannel
from payment.sandbox_server import SIGNATURE_HEADER, TIMESTAMP_HEADER, SandboxServer, sign
from tests.conftest import eventually

SECRET = "test-secret"
TOLERANCE = 300.0


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    notification: Notification | None
    rejected: str  # NotificationRejected.reason, or ""


class Receiver:
    """The merchant's notification endpoint: verifies, records, answers."""

    def __init__(self, channel: SandboxChannel) -> None:
        self.channel = channel
        self.received: list[Received] = []
        # Statuses to answer with before answering 200 to verified notifications.
        self.fail_next: list[int] = []
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/notify", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/notify"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        try:
            n = self.channel.verify_notification(request.headers, body, utcnow())
        except NotificationRejected as e:
            self.received.append(Received(dict(request.headers), body, None, e.reason))
            return web.json_response({"error": e.reason}, status=401)
        self.received.append(Received(dict(request.headers), body, n, ""))
        if self.fail_next:
            return web.json_response({"error": "try later"}, status=self.fail_next.pop(0))
        return web.json_response({"result": "success"})

    def accepted(self) -> list[Notification]:
        return [r.notification for r in self.received if r.notification is not None]

    async def wait_for(self, count: int, within: float = 5.0) -> None:
        async def enough() -> bool:
            return len(self.received) >= count

        await eventually(enough, within=within, interval=0.01)


class Admin:
    """What a test (or the buyer) does at the sandbox, over HTTP."""

    def __init__(self, url: str, session: aiohttp.ClientSession) -> None:
        self.url = url
        self.http = session

    async def post(self, path: str, body: dict[str, Any] | None = None,
                   expect: int = 200) -> dict[str, Any]:
        async with self.http.post(self.url + path, json=body) as resp:
            data: dict[str, Any] = await resp.json()
            assert resp.status == expect, (resp.status, data)
            return data

    async def get(self, path: str) -> tuple[int, str]:
        async with self.http.get(self.url + path) as resp:
            return resp.status, await resp.text()

    async def pay(self, no: str, *, force: bool = False, expect: int = 200) -> dict[str, Any]:
        return await self.post(f"/v1/trades/{no}/pay", {"force": force}, expect)

    async def control(self, **faults: Any) -> dict[str, Any]:
        return await self.post("/v1/control", faults)


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxServer]:
    server = SandboxServer(SECRET, notify_backoff_seconds=0.02, notify_max_attempts=3,
                           refund_delay_seconds=0.05)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def channel(sandbox: SandboxServer) -> AsyncIterator[SandboxChannel]:
    ch = SandboxChannel(sandbox.url, SECRET, TOLERANCE, timeout_seconds=2.0)
    yield ch
    await ch.aclose()


@pytest.fixture
async def receiver(channel: SandboxChannel) -> AsyncIterator[Receiver]:
    r = Receiver(channel)
    await r.start()
    yield r
    await r.stop()


@pytest.fixture
async def admin(sandbox: SandboxServer) -> AsyncIterator[Admin]:
    async with aiohttp.ClientSession() as session:
        yield Admin(sandbox.url, session)


def new_trade(receiver: Receiver, amount: int = 1000) -> ChannelTrade:
    return ChannelTrade(attempt_id=f"att-{uuid.uuid4().hex[:12]}", amount=amount,
                        currency="CNY", subject="a test order", notify_url=receiver.url)


async def test_create_pay_notify_and_query(sandbox: SandboxServer, channel: SandboxChannel,
                                           receiver: Receiver, admin: Admin) -> None:
    trade = new_trade(receiver)
    params = await channel.create(trade)
    assert params.pay_url == f"{sandbox.url}/pay/{trade.attempt_id}"
    status = await channel.query(trade.attempt_id)
    assert status.state is TradeState.PENDING and status.amount == 1000
    assert status.channel_transaction_id == "" and status.paid_at is None

    await admin.pay(trade.attempt_id)
    await receiver.wait_for(1)
    got = receiver.received[0]
    assert got.rejected == ""
    assert got.headers[SIGNATURE_HEADER] == sign(SECRET, got.headers[TIMESTAMP_HEADER], got.body)
    n = got.notification
    assert n is not None
    status = await channel.query(trade.attempt_id)
    assert status.state is TradeState.SUCCEEDED
    assert status.channel_transaction_id.startswith("sbx")
    assert status.paid_at is not None and abs((utcnow() - status.paid_at).total_seconds()) < 5
    assert (n.kind, n.attempt_id, n.state, n.amount, n.currency, n.refund_id) == (
        "payment", trade.attempt_id, "SUCCEEDED", 1000, "CNY", "")
    assert n.channel_transaction_id == status.channel_transaction_id
    assert n.occurred_at == status.paid_at
    assert set(json.loads(got.body)) == {"type", "out_trade_no", "out_refund_no", "status",
                                         "transaction_id", "amount", "currency", "time",
                                         "paid_amount", "channel_discount_amount"}
    assert n.channel_discount_amount == 0 and status.channel_discount_amount == 0
    # Paying again changes nothing and notifies nothing.
    await admin.pay(trade.attempt_id)
    await sandbox.drain()
    assert len(receiver.received) == 1


async def test_create_is_idempotent(channel: SandboxChannel, receiver: Receiver) -> None:
    trade = new_trade(receiver)
    first = await channel.create(trade)
    assert await channel.create(trade) == first
    other = ChannelTrade(trade.attempt_id, 999, "CNY", trade.subject, trade.notify_url)
    with pytest.raises(ChannelError) as e:
        await channel.create(other)
    assert not e.value.retryable and "409" in str(e.value)


async def test_close_and_payment_after_closure(sandbox: SandboxServer, channel: SandboxChannel,
                                               receiver: Receiver, admin: Admin) -> None:
    trade = new_trade(receiver)
    await channel.create(trade)
    assert (await channel.close(trade.attempt_id)).state is TradeState.CLOSED
    assert (await channel.close(trade.attempt_id)).state is TradeState.CLOSED
    with pytest.raises(ChannelError):  # a closed trade cannot be opened again
        await channel.create(trade)
    closed = await admin.pay(trade.attempt_id, expect=409)
    assert closed["code"] == "TRADE_CLOSED"
    await admin.pay(trade.attempt_id, force=True)  # captured after the merchant closed it
    await receiver.wait_for(1)
    assert receiver.accepted()[0].state == "SUCCEEDED"
    # A paid trade stays paid when closed.
    assert (await channel.close(trade.attempt_id)).state is TradeState.SUCCEEDED
    assert (await channel.query(trade.attempt_id)).state is TradeState.SUCCEEDED


async def test_unknown_trade_and_refund(channel: SandboxChannel) -> None:
    assert (await channel.query("nope")).state is TradeState.NOT_FOUND
    assert (await channel.close("nope")).state is TradeState.NOT_FOUND
    assert (await channel.query_refund("nope")).state is RefundState.NOT_FOUND
    with pytest.raises(ChannelError) as e:
        await channel.refund("nope", "r-nope", 1, "CNY")
    assert not e.value.retryable


async def test_pay_page(sandbox: SandboxServer, channel: SandboxChannel,
                        receiver: Receiver, admin: Admin) -> None:
    trade = new_trade(receiver)
    params = await channel.create(trade)
    async with admin.http.get(params.pay_url) as resp:
        page = await resp.text()
    assert resp.status == 200 and f'action="/v1/trades/{trade.attempt_id}/pay"' in page
    async with admin.http.post(f"{sandbox.url}/v1/trades/{trade.attempt_id}/pay",
                               data={"force": ""}) as resp:
        page = await resp.text()
    assert resp.status == 200 and resp.url.path == f"/pay/{trade.attempt_id}"
    assert "SUCCEEDED" in page
    await receiver.wait_for(1)


async def test_forged_stale_future_and_malformed_are_rejected(
        sandbox: SandboxServer, channel: SandboxChannel, receiver: Receiver,
        admin: Admin) -> None:
    now = utcnow()
    ts = str(int(now.timestamp()))
    body = json.dumps({"type": "payment", "out_trade_no": "a1", "out_refund_no": "",
                       "status": "SUCCEEDED", "transaction_id": "t1", "amount": 5,
                       "currency": "CNY", "time": "2025-01-01T00:00:00.000000Z"}).encode()

    def reason(headers: dict[str, str], payload: bytes = body) -> str:
        with pytest.raises(NotificationRejected) as e:
            channel.verify_notification(headers, payload, now)
        return e.value.reason

    good = {TIMESTAMP_HEADER: ts, SIGNATURE_HEADER: sign(SECRET, ts, body)}
    assert channel.verify_notification(good, body, now).attempt_id == "a1"
    # While the secret is rotated, the previous one is accepted too (only those two).
    rotating = SandboxChannel(sandbox.url, "new-secret", TOLERANCE,
                              previous_secret=SECRET)
    try:
        for key in ("new-secret", SECRET):
            signed = {TIMESTAMP_HEADER: ts, SIGNATURE_HEADER: sign(key, ts, body)}
            assert rotating.verify_notification(signed, body, now).attempt_id == "a1"
        with pytest.raises(NotificationRejected):
            rotating.verify_notification({TIMESTAMP_HEADER: ts,
                                          SIGNATURE_HEADER: sign("other", ts, body)}, body, now)
    finally:
        await rotating.aclose()
    lower = {k.lower(): v for k, v in good.items()}
    assert channel.verify_notification(lower, body, now).amount == 5
    assert reason({}) == "BAD_SIGNATURE"
    assert reason({TIMESTAMP_HEADER: ts}) == "BAD_SIGNATURE"
    assert reason({**good, SIGNATURE_HEADER: sign("other", ts, body)}) == "BAD_SIGNATURE"
    assert reason({**good, SIGNATURE_HEADER: "zz" * 32}) == "BAD_SIGNATURE"
    assert reason(good, body.replace(b'"amount": 5', b'"amount": 50')) == "BAD_SIGNATURE"
    assert reason({**good, TIMESTAMP_HEADER: str(int(ts) + 1)}) == "BAD_SIGNATURE"
    for offset, why in ((-301, "STALE"), (301, "FUTURE")):
        t = str(int(ts) + offset)
        assert reason({TIMESTAMP_HEADER: t, SIGNATURE_HEADER: sign(SECRET, t, body)}) == why
    t = str(int(ts) - 299)  # within the tolerance
    channel.verify_notification({TIMESTAMP_HEADER: t, SIGNATURE_HEADER: sign(SECRET, t, body)},
                                body, now)
    for bad in (b"not json", b"[]", body.replace(b'"payment"', b'"gift"'),
                body.replace(b"SUCCEEDED", b"PAID"),
                body.replace(b'"amount": 5', b'"amount": "5"')):
        assert reason({TIMESTAMP_HEADER: ts, SIGNATURE_HEADER: sign(SECRET, ts, bad)},
                      bad) == "MALFORMED"

    # The same from the provider: stale, future and forged signatures are refused,
    # and the provider retries (a bounded number of times).
    for faults, why in (({"stale_timestamp_seconds": 3600}, "STALE"),
                        ({"stale_timestamp_seconds": -3600}, "FUTURE"),
                        ({"bad_signature": True}, "BAD_SIGNATURE")):
        await admin.post("/v1/control/reset")
        await admin.control(**faults)
        receiver.received.clear()
        trade = new_trade(receiver)
        await channel.create(trade)
        await admin.pay(trade.attempt_id)
        await sandbox.drain()
        assert [r.rejected for r in receiver.received] == [why] * 3


async def test_retries_until_accepted(sandbox: SandboxServer, channel: SandboxChannel,
                                      receiver: Receiver, admin: Admin) -> None:
    receiver.fail_next = [500]
    trade = new_trade(receiver)
    await channel.create(trade)
    await admin.pay(trade.attempt_id)
    await sandbox.drain()
    assert len(receiver.accepted()) == 2  # the first answered 500, the second 200
    assert receiver.received[0].body == receiver.received[1].body


async def test_duplicate_delivers_copies(sandbox: SandboxServer, channel: SandboxChannel,
                                         receiver: Receiver, admin: Admin) -> None:
    await admin.control(duplicate=2)
    trade = new_trade(receiver)
    await channel.create(trade)
    await admin.pay(trade.attempt_id)
    await sandbox.drain()
    assert len(receiver.accepted()) == 3
    assert len({r.body for r in receiver.received}) == 1
    assert len({r.headers["X-Sandbox-Notification-Id"] for r in receiver.received}) == 1


async def test_reorder_holds_then_delivers_last_first(
        sandbox: SandboxServer, channel: SandboxChannel, receiver: Receiver,
        admin: Admin) -> None:
    await admin.control(reorder=True)
    trades = [new_trade(receiver) for _ in range(3)]
    for trade in trades:
        await channel.create(trade)
        await admin.pay(trade.attempt_id)
    await sandbox.drain()
    assert receiver.received == []
    assert (await admin.post("/v1/control/flush")) == {"delivered": 3}
    assert [n.attempt_id for n in receiver.accepted()] == [t.attempt_id for t in trades[::-1]]


async def test_drop_delivers_nothing_but_query_shows_paid(
        sandbox: SandboxServer, channel: SandboxChannel, receiver: Receiver,
        admin: Admin) -> None:
    dropped, kept = new_trade(receiver), new_trade(receiver)
    await admin.control(out_trade_no=dropped.attempt_id, drop=True)  # this trade only
    for trade in (dropped, kept):
        await channel.create(trade)
        await admin.pay(trade.attempt_id)
    await sandbox.drain()
    assert [n.attempt_id for n in receiver.accepted()] == [kept.attempt_id]
    assert (await channel.query(dropped.attempt_id)).state is TradeState.SUCCEEDED
    await admin.control(drop=True)
    trade = new_trade(receiver)
    await channel.create(trade)
    await admin.pay(trade.attempt_id)
    await sandbox.drain()
    assert len(receiver.received) == 1
    assert (await channel.query(trade.attempt_id)).state is TradeState.SUCCEEDED


async def test_delay(sandbox: SandboxServer, channel: SandboxChannel, receiver: Receiver,
                     admin: Admin) -> None:
    await admin.control(delay_seconds=0.3)
    trade = new_trade(receiver)
    await channel.create(trade)
    await admin.pay(trade.attempt_id)
    await asyncio.sleep(0.1)
    assert receiver.received == []
    await receiver.wait_for(1, within=3)


async def test_refunds_partial_repeated_and_capped(
        sandbox: SandboxServer, channel: SandboxChannel, receiver: Receiver,
        admin: Admin) -> None:
    trade = new_trade(receiver, amount=1000)
    await channel.create(trade)
    with pytest.raises(ChannelError) as e:  # not paid yet
        await channel.refund(trade.attempt_id, "r-unpaid", 100, "CNY")
    assert not e.value.retryable and "TRADE_NOT_PAID" in str(e.value)
    await admin.pay(trade.attempt_id)
    await receiver.wait_for(1)

    first = await channel.refund(trade.attempt_id, "r1", 300, "CNY")
    assert (first.state, first.amount, first.attempt_id) == (
        RefundState.PENDING, 300, trade.attempt_id)
    again = await channel.refund(trade.attempt_id, "r1", 300, "CNY")  # a repeat
    assert again.refund_id == "r1" and again.amount == 300
    with pytest.raises(ChannelError) as e:  # same refund id, other amount
        await channel.refund(trade.attempt_id, "r1", 301, "CNY")
    assert not e.value.retryable and "REFUND_CONFLICT" in str(e.value)
    with pytest.raises(ChannelError) as e:
        await channel.refund(trade.attempt_id, "r2", 701, "CNY")  # 300 + 701 > 1000
    assert not e.value.retryable and "409 REFUND_EXCEEDS_PAID" in str(e.value)
    assert (await channel.refund(trade.attempt_id, "r2", 700, "CNY")).amount == 700
    with pytest.raises(ChannelError) as e:
        await channel.refund(trade.attempt_id, "r3", 1, "CNY")
    assert not e.value.retryable
    # The repeat of an accepted refund is still answered once the cap is reached.
    assert (await channel.refund(trade.attempt_id, "r1", 300, "CNY")).amount == 300

    await sandbox.drain()  # refunds settle asynchronously, then notify
    assert (await channel.query_refund("r1")).state is RefundState.SUCCEEDED
    assert (await channel.query_refund("r2")).state is RefundState.SUCCEEDED
    refunds = [n for n in receiver.accepted() if n.kind == "refund"]
    assert sorted((n.refund_id, n.state, n.amount) for n in refunds) == [
        ("r1", "SUCCEEDED", 300), ("r2", "SUCCEEDED", 700)]
    assert {n.attempt_id for n in refunds} == {trade.attempt_id}
    status = await channel.query(trade.attempt_id)
    assert status.state is TradeState.SUCCEEDED
    assert refunds[0].channel_transaction_id == status.channel_transaction_id


async def test_instant_discount_is_reported_and_refunded_with_the_last_money(
        sandbox: SandboxServer, channel: SandboxChannel, receiver: Receiver,
        admin: Admin) -> None:
    trade = new_trade(receiver, amount=5000)
    await channel.create(trade)
    await admin.control(out_trade_no=trade.attempt_id, instant_discount=300)
    paid = await admin.pay(trade.attempt_id)
    assert (paid["amount"], paid["paid_amount"], paid["channel_discount_amount"]) == (
        5000, 4700, 300)
    await receiver.wait_for(1)
    [n] = receiver.accepted()
    assert (n.amount, n.channel_discount_amount) == (5000, 300)
    status = await channel.query(trade.attempt_id)
    assert (status.state, status.amount, status.channel_discount_amount) == (
        TradeState.SUCCEEDED, 5000, 300)
    await admin.control(refund_delay_seconds=0)
    with pytest.raises(ChannelError) as e:  # refunds are order money: more than the trade
        await channel.refund(trade.attempt_id, "rd1", 5001, "CNY")
    assert not e.value.retryable and "REFUND_EXCEEDS_PAID" in str(e.value)
    # The buyer's money first: 20.00 all theirs, the last 30.00 returns the discount.
    first = await channel.refund(trade.attempt_id, "rd1", 2000, "CNY")
    last = await channel.refund(trade.attempt_id, "rd2", 3000, "CNY")
    assert [(x.amount, x.channel_discount_amount) for x in (first, last)] == [
        (2000, 0), (3000, 300)]
    code, text = await admin.get("/v1/refunds/rd2")
    view = json.loads(text)
    assert code == 200 and (view["payer_amount"], view["channel_discount_amount"]) == (2700, 300)
    await receiver.wait_for(3)
    assert sorted((n.refund_id, n.amount, n.channel_discount_amount) for n in
                  receiver.accepted() if n.kind == "refund") == [
        ("rd1", 2000, 0), ("rd2", 3000, 300)]
    lines = await channel.fetch_statement(status.paid_at.date())  # type: ignore[union-attr]
    assert [(x.refund_id, x.amount, x.channel_discount_amount) for x in lines] == [
        ("", 5000, 300), ("rd1", 2000, 0), ("rd2", 3000, 300)]
    # A discount never makes a trade free.
    other = new_trade(receiver, amount=100)
    await channel.create(other)
    await admin.control(out_trade_no=other.attempt_id, instant_discount=1000)
    assert (await admin.pay(other.attempt_id))["paid_amount"] == 1


async def test_refund_settlement_controls(sandbox: SandboxServer, channel: SandboxChannel,
                                          receiver: Receiver, admin: Admin) -> None:
    trade = new_trade(receiver, amount=500)
    await channel.create(trade)
    await admin.pay(trade.attempt_id)
    await admin.control(refund_delay_seconds=0)  # settle in the answer
    assert (await channel.refund(trade.attempt_id, "now", 100, "CNY")).state is \
        RefundState.SUCCEEDED
    await admin.control(refund_delay_seconds=3600)
    assert (await channel.refund(trade.attempt_id, "later", 100, "CNY")).state is \
        RefundState.PENDING
    assert await admin.post("/v1/control/settle") == {"settled": 1}
    assert (await channel.query_refund("later")).state is RefundState.SUCCEEDED
    await admin.control(refund_delay_seconds=0, refund_fail=True)
    assert (await channel.refund(trade.attempt_id, "fails", 300, "CNY")).state is \
        RefundState.FAILED
    await admin.post("/v1/control/reset")
    # A failed refund gives its room back.
    assert (await channel.refund(trade.attempt_id, "rest", 300, "CNY")).amount == 300
    await sandbox.drain()
    states = {n.refund_id: n.state for n in receiver.accepted() if n.kind == "refund"}
    assert states == {"now": "SUCCEEDED", "later": "SUCCEEDED", "fails": "FAILED",
                      "rest": "SUCCEEDED"}


async def test_statement_lists_the_days_payments_and_refunds(
        sandbox: SandboxServer, channel: SandboxChannel, receiver: Receiver,
        admin: Admin) -> None:
    await admin.control(refund_delay_seconds=0)
    paid, unpaid = new_trade(receiver, 800), new_trade(receiver, 200)
    for trade in (paid, unpaid):
        await channel.create(trade)
    await admin.pay(paid.attempt_id)
    await channel.refund(paid.attempt_id, "st-r1", 150, "CNY")
    status = await channel.query(paid.attempt_id)
    assert status.paid_at is not None
    day = status.paid_at.date()
    lines = await channel.fetch_statement(day)
    assert [(x.kind, x.attempt_id, x.refund_id, x.amount, x.currency) for x in lines] == [
        ("payment", paid.attempt_id, "", 800, "CNY"),
        ("refund", paid.attempt_id, "st-r1", 150, "CNY")]
    assert all(x.channel_transaction_id == status.channel_transaction_id for x in lines)
    assert lines[0].at == status.paid_at and lines[1].at.date() == day
    assert await channel.fetch_statement(day - dt.timedelta(days=1)) == []
    code, csv_text = await admin.get(f"/v1/statements/{day.isoformat()}?format=csv")
    assert code == 200
    assert csv_text.splitlines()[0] == (
        "type,out_trade_no,out_refund_no,transaction_id,amount,currency,time,status,"
        "channel_discount_amount")
    assert len(csv_text.splitlines()) == 3
    assert (await admin.get("/v1/statements/yesterday"))[0] == 400


async def test_api_failures_become_channel_errors(
        sandbox: SandboxServer, channel: SandboxChannel, receiver: Receiver,
        admin: Admin) -> None:
    trade = new_trade(receiver)
    await admin.control(fail_api=503)
    with pytest.raises(ChannelError) as e:
        await channel.create(trade)
    assert e.value.retryable
    with pytest.raises(ChannelError) as e:
        await channel.query(trade.attempt_id)
    assert e.value.retryable
    await admin.control(fail_api=400, fail_api_times=1)
    with pytest.raises(ChannelError) as e:
        await channel.create(trade)
    assert not e.value.retryable
    await channel.create(trade)  # the injected failure was used up
    await admin.control(api_delay_seconds=1.0)
    slow = SandboxChannel(sandbox.url, SECRET, TOLERANCE, timeout_seconds=0.2)
    try:
        with pytest.raises(ChannelError) as e:
            await slow.query(trade.attempt_id)
        assert e.value.retryable
    finally:
        await slow.aclose()
    await admin.post("/v1/control/reset")
    assert (await channel.query(trade.attempt_id)).state is TradeState.PENDING


async def test_unreachable_provider_is_retryable(receiver: Receiver) -> None:
    server = SandboxServer(SECRET)
    await server.start()
    url = server.url
    await server.stop()
    ch = SandboxChannel(url, SECRET, TOLERANCE, timeout_seconds=1.0)
    try:
        with pytest.raises(ChannelError) as e:
            await ch.create(new_trade(receiver))
        assert e.value.retryable
    finally:
        await ch.aclose()


async def test_cli_runs_until_sigterm(tmp_path: Any) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "zhongtai.cli", "sandbox", "--listen", "127.0.0.1:0",
        "--secret", "cli-secret", stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "ZHONGTAI_DATA_DIR": str(tmp_path)})
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 15)).decode()
        assert "sandbox payment provider on http://127.0.0.1:" in line, line
        url = line.rsplit(" ", 1)[1].strip()
        ch = SandboxChannel(url, "cli-secret", TOLERANCE)
        try:
            assert (await ch.query("x")).state is TradeState.NOT_FOUND
        finally:
            await ch.aclose()
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 10) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_cli_needs_a_secret(tmp_path: Any) -> None:
    """``zhongtai sandbox`` has no secret of its own: without one it does not start."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHONGTAI_PAYMENT_SANDBOX")}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "zhongtai.cli", "sandbox", "--listen", "127.0.0.1:0",
        stderr=asyncio.subprocess.PIPE, env={**env, "ZHONGTAI_DATA_DIR": str(tmp_path)})
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 1
    assert b"a notification secret is needed" in err
