"""The sandbox wallet provider (a real HTTP server) through SandboxChannel,
with a tiny notification receiver that verifies what it is sent."""

from __future__ import annotations

import asyncio
import json

import pytest

from payment.channels.base import (
    ChannelError,
    ChannelTrade,
    NotificationRejected,
    RefundState,
    TradeState,
)
from payment.channels.sandbox import SandboxChannel
from payment.sandbox_server import SIGNATURE_HEADER, TIMESTAMP_HEADER, SandboxServer, sign
from tests.sandbox_channel_support import (
    SECRET,
    TOLERANCE,
    Admin,
    Receiver,
    new_trade,
    utcnow,
)


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
