"""Split settlement (分账) on the embedded platform, through the stubs and
the sandbox channel: an escrow order paid through the sandbox and cleared
is split at the channel (which holds the split), the ledger has its SPLIT
entry, the merchant's available balance is back to 0 and the platform
keeps exactly its commission; a split the channel refuses stays available
and is paid by a payout; a split whose first send fails is retried by its
timer and applied once at the channel; a merchant sees its own splits
only; every step is audited."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from tests.conftest import eventually
from tests.e2e.reconciliation_support import Channel, channel_platform, paid_by_sandbox
from tests.e2e.settlement_support import (
    OPERATOR,
    balance_of,
    fee_rule,
    reaches,
    settlement,
    split_reaches,
    splits_of,
)
from tests.e2e.support import seed_shop, status_is
from zhongtai.auth import Identity, Role
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.ids import new_id
from zhongtai.payment.v1 import payment_pb2 as pay
from zhongtai.settlement.v1 import settlement_pb2 as st
from zhongtai.settlement.v1 import split_pb2 as sp
from zhongtai.trade.v1 import trade_pb2 as tr
from zhongtai.wire import money

pytestmark = pytest.mark.e2e


@pytest.fixture
async def channel(tmp_path: Path) -> AsyncIterator[Channel]:
    """Split settlement on for the sandbox (the default), a one-second
    after-sales window (escrow clears a second after receipt)."""
    async with channel_platform(tmp_path, after_sales_window_seconds=1.0) as c:
        yield c


async def shop(c: Channel, name: str, price: int) -> tuple[str, str]:
    s = await seed_shop(c.p.stubs, name, [price], stock=20,
                        item_type=cat.ITEM_TYPE_ONLINE_SERVICE)
    return s.seller_id, s.sku_ids[0]


async def cleared_by_sandbox(c: Channel, buyer: str, sku: str,
                             before_receipt: Any = None) -> tuple[str, pay.Payment]:
    """An order paid through the sandbox, received, and cleared (escrow)."""
    payment = await paid_by_sandbox(c.p, buyer, sku)
    order_id = payment.parts[0].order_id
    await eventually(lambda: status_is(c.p.stubs, order_id, tr.ORDER_STATUS_WAIT_RECEIVE))
    if before_receipt is not None:
        await before_receipt(payment.attempts[0].attempt_id)
    await c.p.stubs.trade.ConfirmReceipt(tr.ConfirmReceiptRequest(order_id=order_id,
                                                                  buyer_id=buyer))
    await reaches(c.p, order_id, st.CLEARING_STATE_CLEARED)
    return order_id, payment


async def at_channel(c: Channel, trade_no: str) -> list[dict[str, Any]]:
    async with c.p.http.get(f"{c.url}/v1/trades/{trade_no}/splits") as r:
        assert r.status == 200
        found: list[dict[str, Any]] = await r.json()
        return found


async def test_a_cleared_escrow_order_is_split_and_the_platform_keeps_its_commission(
        channel: Channel) -> None:
    c, p = channel, channel.p
    seller, sku = await shop(c, "Split", 10_000)
    await fee_rule(p, seller, 1_000)  # 10%
    order_id, payment = await cleared_by_sandbox(c, "b-split", sku)
    attempt = payment.attempts[0]

    split = await split_reaches(p, order_id, sp.SPLIT_STATE_CONFIRMED)
    assert (split.split_id, split.seller_id, split.amount.amount_minor, split.channel,
            split.channel_trade_no) == (f"{order_id}:{seller}", seller, 9_000, "sandbox",
                                        attempt.attempt_id)
    (held,) = await at_channel(c, attempt.attempt_id)
    assert (held["out_split_no"], held["payee"], held["amount"], held["status"]) == (
        split.split_id, seller, 9_000, "SUCCEEDED")
    assert held["split_transaction_id"] == split.reference

    entries = (await settlement(p).ListJournalEntries(st.ListJournalEntriesRequest(
        order_id=order_id), metadata=p.as_(OPERATOR))).entries
    assert [e.kind for e in entries] == [st.ENTRY_KIND_PAYMENT, st.ENTRY_KIND_CLEARING,
                                         st.ENTRY_KIND_SPLIT]
    assert {(x.account_id, x.amount.amount_minor) for x in entries[2].postings} == {
        (f"merchant_available:{seller}", 9_000), ("channel_receivable:", -9_000)}
    assert await balance_of(p, f"merchant_available:{seller}") == 0
    # What the channel still holds for the platform is exactly its commission.
    assert await balance_of(p, "channel_receivable:") == 1_000
    assert await balance_of(p, "platform_revenue:") == 1_000

    me = Identity(Role.SELLER, "split-owner", frozenset({seller}))
    assert [s.split_id for s in await splits_of(p, order_id, me)] == [split.split_id]
    other = Identity(Role.SELLER, "someone-else", frozenset({"another-seller"}))
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await settlement(p).GetSplit(sp.GetSplitRequest(split_id=split.split_id),
                                     metadata=p.as_(other))
    assert e.value.code() == grpc.StatusCode.NOT_FOUND
    assert (await settlement(p).ListSplits(sp.ListSplitsRequest(), metadata=p.as_(other))
            ).splits == []
    trail = (await settlement(p).ListAuditEntries(st.ListAuditEntriesRequest(
        resource_type="split", resource_id=split.split_id), metadata=p.as_(OPERATOR))).entries
    assert [x.detail.split(":")[0] for x in trail] == ["instructed 9000 CNY", "confirmed"]


async def test_a_refused_split_stays_available_for_a_payout(channel: Channel) -> None:
    c, p = channel, channel.p
    seller, sku = await shop(c, "Refused", 1_099)  # no fee rule: receivable 10.99
    order_id, payment = await cleared_by_sandbox(c, "b-refused", sku)
    split = await split_reaches(p, order_id, sp.SPLIT_STATE_REFUSED)
    assert "ending in 99" in split.reason and split.entry_id == ""
    assert await balance_of(p, f"merchant_available:{seller}") == 1_099
    kinds = [e.kind for e in (await settlement(p).ListJournalEntries(
        st.ListJournalEntriesRequest(order_id=order_id), metadata=p.as_(OPERATOR))).entries]
    assert st.ENTRY_KIND_SPLIT not in kinds
    (refused,) = await at_channel(c, payment.attempts[0].attempt_id)
    assert refused["status"] == "REFUSED"
    paid_out = (await settlement(p).CreatePayout(st.CreatePayoutRequest(
        request_id=new_id(), seller_id=seller, amount=money("CNY", 1_000)),
        metadata=p.as_(OPERATOR))).payout
    assert paid_out.state == st.PAYOUT_STATE_POSTED


async def test_a_split_that_failed_to_send_is_retried_and_applied_once(
        channel: Channel) -> None:
    c, p = channel, channel.p
    seller, sku = await shop(c, "Retried", 5_000)
    await fee_rule(p, seller, 1_000)

    async def fail_once(trade_no: str) -> None:
        async with p.http.post(f"{c.url}/v1/control", json={
                "out_trade_no": trade_no, "fail_api": 503, "fail_api_times": 1}) as r:
            assert r.status == 200, await r.text()

    order_id, payment = await cleared_by_sandbox(c, "b-retried", sku, fail_once)
    split = await split_reaches(p, order_id, sp.SPLIT_STATE_CONFIRMED)
    assert split.attempts >= 2 and split.amount.amount_minor == 4_500
    assert len(await at_channel(c, payment.attempts[0].attempt_id)) == 1
    assert await balance_of(p, f"merchant_available:{seller}") == 0
