"""Settlement on the embedded platform, driven through the services' stubs:
trade's events cleared into the ledger exactly as the fee rule says; a rule
change applies only to orders placed after it; an open application holds an
order; a refund after clearing (collection mode) reverses exactly."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from settlement.settings import SettlementSettings
from tests.conftest import eventually
from tests.e2e.aftersales_support import apply, approve, as_buyer, stub
from tests.e2e.aftersales_support import reaches as application_reaches
from tests.e2e.builders import order_of
from tests.e2e.platform import Platform, running_platform
from tests.e2e.settlement_support import (
    OPERATOR,
    balance_of,
    clearing_of,
    fee_rule,
    line,
    paid_with_coupon,
    reaches,
    settlement,
    shop_with_promotion,
)
from zhongtai.aftersales.v1 import aftersales_pb2 as af
from zhongtai.ids import new_id
from zhongtai.settlement.v1 import settlement_pb2 as st
from zhongtai.trade.v1 import trade_pb2 as tr


@pytest.fixture
async def short_window(tmp_path: Path) -> AsyncIterator[Platform]:
    """The platform with a one-second after-sales window: trade's timer
    ends it (trade.order.after_sales_ended) a second after receipt."""
    async with running_platform(tmp_path, after_sales_window_seconds=1.0) as p:
        yield p


async def received(p: Platform, buyer: str, order: tr.Order) -> None:
    await p.stubs.trade.ConfirmReceipt(tr.ConfirmReceiptRequest(
        order_id=order.order_id, buyer_id=buyer))


async def test_a_discounted_order_clears_exactly_as_the_fee_rule_says(
        short_window: Platform) -> None:
    p = short_window
    seller, sku = await shop_with_promotion(p, "Clear")
    rule = await fee_rule(p, seller, 1_000, channel_fee_bps=60)
    order = await paid_with_coupon(p, "b-clear", sku)
    # 120.00 - 10.00 (shop, merchant) - 20.00 (coupon, platform) = 90.00.
    assert order.pay_order.actual_amount.amount_minor == 9_000
    pending = await reaches(p, order.order_id, st.CLEARING_STATE_PENDING)
    assert list(pending.fee_rule_ids) == [rule.fee_rule_id]
    assert await balance_of(p, f"merchant_pending:{seller}") == 11_000

    await received(p, "b-clear", order)
    cleared = await reaches(p, order.order_id, st.CLEARING_STATE_CLEARED)
    assert line(cleared, st.LINE_KIND_GOODS) == 12_000
    assert line(cleared, st.LINE_KIND_MERCHANT_DISCOUNT) == -1_000
    assert line(cleared, st.LINE_KIND_PLATFORM_DISCOUNT) == -2_000
    assert line(cleared, st.LINE_KIND_PLATFORM_COMMISSION) == 1_200  # 10% of 120.00
    assert line(cleared, st.LINE_KIND_CHANNEL_FEE) == 54  # 0.6% of 90.00
    assert line(cleared, st.LINE_KIND_MERCHANT_RECEIVABLE) == 9_800  # 120 - 10 - 12
    assert await balance_of(p, f"merchant_pending:{seller}") == 0
    assert await balance_of(p, f"merchant_available:{seller}") == 9_800
    entries = (await settlement(p).ListJournalEntries(st.ListJournalEntriesRequest(
        order_id=order.order_id), metadata=p.as_(OPERATOR))).entries
    assert [e.kind for e in entries] == [st.ENTRY_KIND_PAYMENT, st.ENTRY_KIND_CLEARING]
    for e in entries:
        assert sum(x.amount.amount_minor for x in e.postings) == 0
    commission = [x.amount.amount_minor for x in entries[1].postings
                  if x.account_id == "platform_revenue:"]
    assert commission == [-1_200]


async def test_a_fee_rule_change_applies_only_to_orders_placed_after_it(
        short_window: Platform) -> None:
    p = short_window
    seller, sku = await shop_with_promotion(p, "Change")
    old = await fee_rule(p, seller, 1_000)
    before = await paid_with_coupon(p, "b-old", sku)
    new = await fee_rule(p, seller, 500)
    after = await paid_with_coupon(p, "b-new", sku)
    for buyer, order in (("b-old", before), ("b-new", after)):
        await received(p, buyer, order)
    first = await reaches(p, before.order_id, st.CLEARING_STATE_CLEARED)
    second = await reaches(p, after.order_id, st.CLEARING_STATE_CLEARED)
    assert (list(first.fee_rule_ids), line(first, st.LINE_KIND_PLATFORM_COMMISSION)) == (
        [old.fee_rule_id], 1_200)
    assert (list(second.fee_rule_ids), line(second, st.LINE_KIND_PLATFORM_COMMISSION)) == (
        [new.fee_rule_id], 600)
    trail = (await settlement(p).ListAuditEntries(st.ListAuditEntriesRequest(
        resource_type="fee_rule", resource_id=new.fee_rule_id),
        metadata=p.as_(OPERATOR))).entries
    assert [e.subject for e in trail] == [OPERATOR.subject]
    booked = (await settlement(p).ListAuditEntries(st.ListAuditEntriesRequest(
        resource_type="order_clearing", resource_id=after.order_id),
        metadata=p.as_(OPERATOR))).entries
    assert [e.detail.split(":")[0] for e in booked] == ["paid", "after-sales ended"]


async def test_an_open_application_holds_the_order(platform: Platform) -> None:
    """Held while the application is open (the window ended meanwhile would
    not clear it); once withdrawn, released: pending, nothing cleared."""
    p = platform
    seller, sku = await shop_with_promotion(p, "Hold")
    await fee_rule(p, seller, 1_000)
    order = await paid_with_coupon(p, "b-hold", sku)
    await received(p, "b-hold", order)
    application = await apply(p, "b-hold", await order_of(p, order.order_id))
    held = await reaches(p, order.order_id, st.CLEARING_STATE_HELD)
    assert list(held.open_claims) == [application.application_id]
    await stub(p).WithdrawApplication(af.WithdrawApplicationRequest(
        request_id=new_id(), application_id=application.application_id),
        metadata=as_buyer(p, "b-hold"))
    await reaches(p, order.order_id, st.CLEARING_STATE_PENDING)
    assert await balance_of(p, f"merchant_available:{seller}") == 0


async def test_a_refund_after_clearing_reverses_exactly(tmp_path: Path) -> None:
    async with running_platform(tmp_path, settlement=SettlementSettings(
            collection_business_types="default")) as p:
        seller, sku = await shop_with_promotion(p, "Collect")
        await fee_rule(p, seller, 1_000)
        order = await paid_with_coupon(p, "b-refund", sku)
        cleared = await reaches(p, order.order_id, st.CLEARING_STATE_CLEARED)
        assert cleared.trade_mode == st.TRADE_MODE_COLLECTION
        assert await balance_of(p, f"merchant_available:{seller}") == 9_800
        application = await apply(p, "b-refund", order)  # the whole 90.00
        await approve(p, application)
        await application_reaches(p, application.application_id,
                                  af.APPLICATION_STATUS_REFUNDED)

        async def reversed_() -> bool:
            return (await clearing_of(p, order.order_id)).refunded_amount.amount_minor == 9_000

        await eventually(reversed_)
        after = await clearing_of(p, order.order_id)
        assert after.state == st.CLEARING_STATE_CLEARED
        assert all(x.amount.amount_minor == 0 for x in after.lines)
        for account in (f"merchant_available:{seller}", "platform_revenue:",
                        "platform_subsidy:", "channel_receivable:"):
            assert await balance_of(p, account) == 0, account
        entries = (await settlement(p).ListJournalEntries(st.ListJournalEntriesRequest(
            order_id=order.order_id), metadata=p.as_(OPERATOR))).entries
        assert [e.kind for e in entries] == [
            st.ENTRY_KIND_PAYMENT, st.ENTRY_KIND_CLEARING, st.ENTRY_KIND_REVERSAL]
        assert entries[2].reverses_entry_id == entries[1].entry_id
        assert entries[2].reference == application.application_id
