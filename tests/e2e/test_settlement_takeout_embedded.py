"""Seed 003's take-out receipt settled end to end on the embedded platform
(issue 12 item 7): the checkout of tests/e2e/takeout_support.py (m1's rice
and box fee, its delivery fee less its freight reduction, the platform's
membership, a red packet and a shop full reduction: 36.00 paid) created,
paid, shipped, received, and cleared when trade's after-sales window ends,
under the "takeout" fee rule (10% of the goods, the platform delivers,
no channel fee). The merchant's statement is the receipt (goods 40,
discounts 19, commission 4, receivable 17); the membership is the
platform's sale; the red packet its subsidy; the delivery fee its; every
entry balances and every balance is the sum of its postings."""

from __future__ import annotations

from pathlib import Path

import grpc

from settlement.settings import SettlementSettings
from tests.conftest import eventually
from tests.e2e.builders import order_of, pay_by_balance, ship
from tests.e2e.platform import running_platform
from tests.e2e.settlement_support import (
    OPERATOR,
    accounts_shown,
    balance_of,
    delivery_rule,
    ledger_of,
    reaches,
    settlement,
)
from tests.e2e.support import refusal, status_is
from tests.e2e.takeout_support import BUSINESS_TYPE, PAYS, refund_everything, seed_003
from tests.settlement_support import lines_by_kind
from zhongtai.ids import new_id
from zhongtai.logistics.v1 import logistics_pb2 as lg
from zhongtai.promotion.v1 import promotion_pb2 as pr
from zhongtai.settlement.v1 import settlement_pb2 as st
from zhongtai.trade.v1 import trade_pb2 as tr
from zhongtai.wire import money

# The platform's own seller; a T+0 cycle for both (the platform's must
# batch nothing).
TAKEOUT = SettlementSettings(platform_seller_ids="platform",
                             merchant_cycles="m1=T+0,platform=T+0")


def red_packet_of(order: tr.Order, seller_id: str) -> int:
    """The red packet allotted to a seller's lines."""
    return sum(d.amount.amount_minor for x in order.sub_orders if x.seller_id == seller_id
               for d in x.deductions if d.kind == pr.DEDUCTION_KIND_RED_PACKET)


async def test_seed_003_settles_to_the_receipt_and_the_platforms_side(tmp_path: Path) -> None:
    async with running_platform(tmp_path, settlement=TAKEOUT,
                                after_sales_window_seconds=1.0) as p:
        rule = await delivery_rule(p, BUSINESS_TYPE, 1_000)
        t = await seed_003(p, "chen")
        created = (await p.stubs.trade.CreateOrder(t.order_request("seed-003"))).order
        oid = created.order_id
        await pay_by_balance(p, t.buyer, created)
        await eventually(lambda: status_is(p.stubs, oid, tr.ORDER_STATUS_WAIT_SHIP))
        pending = await reaches(p, oid, st.CLEARING_STATE_PENDING)
        assert (pending.business_type, list(pending.fee_rule_ids)) == (
            BUSINESS_TYPE, [rule.fee_rule_id])
        assert pending.paid_amount.amount_minor == PAYS == 3_600

        order = await order_of(p, oid)
        for line in order.sub_orders:
            if line.HasField("log_order"):
                await ship(p, order, line, lg.LOGISTICS_ORDER_STATUS_SHIPPED)
        await eventually(lambda: status_is(p.stubs, oid, tr.ORDER_STATUS_WAIT_RECEIVE))
        await p.stubs.trade.ConfirmReceipt(tr.ConfirmReceiptRequest(
            order_id=oid, buyer_id=t.buyer))
        cleared = await reaches(p, oid, st.CLEARING_STATE_CLEARED)

        # The clearing lines per seller part.
        red_m1, red_own = red_packet_of(order, t.merchant), red_packet_of(order, "platform")
        assert red_m1 + red_own == 700
        assert lines_by_kind(cleared, t.merchant) == {
            st.LINE_KIND_GOODS: 4_000, st.LINE_KIND_PLATFORM_DISCOUNT: -red_m1,
            st.LINE_KIND_MERCHANT_DISCOUNT: -1_900,  # full reduction 14 + freight 5
            st.LINE_KIND_FREIGHT: 700, st.LINE_KIND_MERCHANT_RECEIVABLE: 1_700,
            st.LINE_KIND_PLATFORM_COMMISSION: 400, st.LINE_KIND_CHANNEL_FEE: 0,
            st.LINE_KIND_PLATFORM_CHANNEL_FEE: 0, st.LINE_KIND_DELIVERY_FEE: 700,
            st.LINE_KIND_RIDER_FEE: 0}
        own = lines_by_kind(cleared, "platform")
        assert (own[st.LINE_KIND_GOODS], own[st.LINE_KIND_PLATFORM_DISCOUNT],
                own[st.LINE_KIND_PLATFORM_SALES], own[st.LINE_KIND_PLATFORM_COMMISSION]) == (
            1_500, -red_own, 1_500, 0)
        assert st.LINE_KIND_MERCHANT_RECEIVABLE not in own

        # The merchant's statement is the receipt: 40 - 19 - 4 = 17.
        run = st.RunSettlementCycleRequest()
        (batch,) = (await settlement(p).RunSettlementCycle(run, metadata=p.as_(OPERATOR))
                    ).batches
        assert (batch.seller_id, batch.net_amount.amount_minor) == (t.merchant, 1_700)
        statement = (await settlement(p).GetMerchantStatement(st.GetMerchantStatementRequest(
            seller_id=t.merchant, batch_id=batch.batch_id), metadata=p.as_(OPERATOR))).statement
        totals = statement.totals
        assert [m.amount_minor for m in (
            totals.goods_amount, totals.merchant_discount_amount, totals.freight_amount,
            totals.commission_amount, totals.channel_fee_amount,
            totals.receivable_amount)] == [4_000, 1_900, 0, 400, 0, 1_700]
        assert [x.order_id for x in statement.lines] == [oid]

        # The platform's side; nothing of the membership on a merchant account.
        for account, amount in (("platform_sales:", 1_500), ("platform_subsidy:", 700),
                                ("platform_delivery_revenue:", 700),
                                ("platform_revenue:", 400), ("rider_payable:", 0),
                                ("platform_sales_pending:", 0),
                                (f"merchant_pending:{t.merchant}", 0),
                                (f"merchant_available:{t.merchant}", 1_700),
                                ("channel_receivable:", 3_600)):
            assert await balance_of(p, account) == amount, account
        await refusal(settlement(p).CreatePayout(st.CreatePayoutRequest(
            request_id=new_id(), seller_id="platform", amount=money("CNY", 1)),
            metadata=p.as_(OPERATOR)), grpc.StatusCode.FAILED_PRECONDITION)

        # Every entry balances; every balance is the sum of its postings.
        postings = await ledger_of(p, [oid])
        shown = await accounts_shown(p)
        assert {a: v for a, v in shown.items() if v} == {a: v for a, v in postings.items() if v}
        assert not [a for a in postings if a.endswith(":platform")]


async def test_seed_003_refunded_in_full_before_shipping_reverses_every_line(
        tmp_path: Path) -> None:
    """Trade's plans (the goods' cash and deductions line by line, the
    order's freight cash 2.00 with the last line, the platform's, and the
    freight reduction as 0): m1's freight and its reduction go back with
    that cash, nothing is left on any account, and no rider or delivery fee
    stays behind."""
    async with running_platform(tmp_path, settlement=TAKEOUT) as p:
        await delivery_rule(p, BUSINESS_TYPE, 1_000, rider_fee=300)
        t = await seed_003(p, "chen")
        created = (await p.stubs.trade.CreateOrder(t.order_request("seed-003-r"))).order
        await pay_by_balance(p, t.buyer, created)
        await eventually(lambda: status_is(p.stubs, created.order_id,
                                           tr.ORDER_STATUS_WAIT_SHIP))
        pending = await reaches(p, created.order_id, st.CLEARING_STATE_PENDING)
        m1 = lines_by_kind(pending, t.merchant)
        assert (m1[st.LINE_KIND_DELIVERY_FEE], m1[st.LINE_KIND_RIDER_FEE]) == (400, 300)
        plans = await refund_everything(p, await order_of(p, created.order_id))
        # The freight's cash comes back with the last line, the platform's.
        assert [(x.seller_id, x.freight_amount.amount_minor) for x in plans][-1] == (
            "platform", 200)
        reversed_ = await reaches(p, created.order_id, st.CLEARING_STATE_REVERSED)
        assert reversed_.refunded_amount.amount_minor == PAYS
        assert all(x.amount.amount_minor == 0 for x in reversed_.lines)
        postings = await ledger_of(p, [created.order_id])
        assert {a: v for a, v in postings.items() if v} == {}
        assert {a: v for a, v in (await accounts_shown(p)).items() if v} == {}
