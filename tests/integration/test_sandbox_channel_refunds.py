"""The sandbox wallet provider through SandboxChannel: refunds, statements,
API failures and its command line."""


from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
import sys
from typing import Any

import pytest

from payment.channels.base import (
    ChannelError,
    RefundState,
    TradeState,
)
from payment.channels.sandbox import SandboxChannel
from payment.sandbox_server import SandboxServer
from tests.sandbox_channel_support import (
    SECRET,
    TOLERANCE,
    Admin,
    Receiver,
    new_trade,
)


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
