"""Settlement cycles, statements and payouts on the embedded platform,
through the stubs: a cleared order (collection mode) is batched by the
operator's RunSettlementCycle (T+0: the day so far), the merchant's
statement shows exact figures and the same as CSV, a payout is posted; a
refund after the payout leaves the balance negative and no payout is made
until the next clearing recovers it; a payout the sandbox refuses is voided
with its reason (the money available again), then one is posted."""

from __future__ import annotations

from pathlib import Path

import grpc

from settlement.payout_adapter import REFUSED_REASON
from settlement.settings import SettlementSettings
from tests.conftest import eventually
from tests.e2e.aftersales_support import apply, approve
from tests.e2e.aftersales_support import reaches as application_reaches
from tests.e2e.builders import order_of
from tests.e2e.platform import Platform, running_platform
from tests.e2e.settlement_support import (
    OPERATOR,
    balance_of,
    fee_rule,
    paid_with_coupon,
    reaches,
    settlement,
    shop_with_promotion,
)
from tests.e2e.support import refusal
from zhongtai.aftersales.v1 import aftersales_pb2 as af
from zhongtai.auth import Identity, Role
from zhongtai.ids import new_id
from zhongtai.settlement.v1 import settlement_pb2 as st
from zhongtai.wire import money

T_PLUS_0 = SettlementSettings(collection_business_types="default",
                              business_cycles="default=T+0")


async def payout(p: Platform, who: Identity, seller: str, amount: int) -> st.Payout:
    return (await settlement(p).CreatePayout(st.CreatePayoutRequest(
        request_id=new_id(), seller_id=seller, amount=money("CNY", amount)),
        metadata=p.as_(who))).payout


async def cleared_order(p: Platform, buyer: str, sku: str) -> str:
    order = await paid_with_coupon(p, buyer, sku)
    await reaches(p, order.order_id, st.CLEARING_STATE_CLEARED)
    return order.order_id


async def test_a_batch_a_statement_and_payouts_through_a_negative_balance(
        tmp_path: Path) -> None:
    async with running_platform(tmp_path, settlement=T_PLUS_0) as p:
        seller, sku = await shop_with_promotion(p, "Payout")
        me = Identity(Role.SELLER, "payout-owner", frozenset({seller}))
        await fee_rule(p, seller, 1_000)
        first = await cleared_order(p, "b-payout", sku)
        available = f"merchant_available:{seller}"
        assert await balance_of(p, available) == 9_800

        # 清算: the operator closes the day so far; once.
        run = st.RunSettlementCycleRequest()
        (batch,) = (await settlement(p).RunSettlementCycle(run, metadata=p.as_(OPERATOR))
                    ).batches
        assert (batch.seller_id, batch.net_amount.amount_minor,
                batch.cleared_amount.amount_minor, batch.reversed_amount.amount_minor) == (
            seller, 9_800, 9_800, 0)
        assert not (await settlement(p).RunSettlementCycle(run, metadata=p.as_(OPERATOR))
                    ).batches
        listed = (await settlement(p).ListSettlementBatches(
            st.ListSettlementBatchesRequest(), metadata=p.as_(me))).batches
        assert [b.batch_id for b in listed] == [batch.batch_id]

        # The statement: 120.00 goods, 10.00 shop promotion (the merchant's),
        # 10% commission 12.00, receivable 98.00.
        asked = st.GetMerchantStatementRequest(seller_id=seller, batch_id=batch.batch_id)
        statement = (await settlement(p).GetMerchantStatement(asked, metadata=p.as_(me))
                     ).statement
        (line,) = statement.lines
        assert (line.order_id, line.kind) == (first, st.ENTRY_KIND_CLEARING)
        figures = [statement.totals.goods_amount, statement.totals.merchant_discount_amount,
                   statement.totals.freight_amount, statement.totals.commission_amount,
                   statement.totals.channel_fee_amount, statement.totals.receivable_amount]
        assert [m.amount_minor for m in figures] == [12_000, 1_000, 0, 1_200, 0, 9_800]
        csv = (await settlement(p).ExportMerchantStatement(st.ExportMerchantStatementRequest(
            statement=asked), metadata=p.as_(me))).csv.splitlines()
        assert csv[0] == ("seller_id,batch_id,order_id,entry_id,kind,post_time,currency,"
                          "goods,merchant_discount,freight,commission,channel_fee,receivable")
        assert csv[1].startswith(f"{seller},{batch.batch_id},{first},{line.entry_id},CLEARING,")
        assert csv[1].endswith(",CNY,12000,1000,0,1200,0,9800")
        assert csv[2] == f"{seller},{batch.batch_id},,,TOTAL,,CNY,12000,1000,0,1200,0,9800"
        other = Identity(Role.SELLER, "stranger", frozenset({"someone-else"}))
        await refusal(settlement(p).GetMerchantStatement(asked, metadata=p.as_(other)),
                      code=grpc.StatusCode.PERMISSION_DENIED)

        # 结算: the merchant takes 50.00 out.
        paid = await payout(p, me, seller, 5_000)
        assert (paid.state, paid.reference) == (st.PAYOUT_STATE_POSTED,
                                                f"sandbox-{paid.payout_id}")
        assert await balance_of(p, available) == 4_800
        assert await balance_of(p, f"merchant_payout_pending:{seller}") == 0

        # A refund after the payout: the merchant owes 50.00.
        application = await apply(p, "b-payout", await order_of(p, first))
        await approve(p, application)
        await application_reaches(p, application.application_id,
                                  af.APPLICATION_STATUS_REFUNDED)

        async def negative() -> bool:
            return await balance_of(p, available) == -5_000

        await eventually(negative)
        refused = await refusal(payout(p, me, seller, 100))
        assert refused["reason"] == "NEGATIVE_BALANCE"

        # Recovered from the next clearing: 98.00 - 50.00 = 48.00.
        await cleared_order(p, "b-payout-2", sku)
        assert await balance_of(p, available) == 4_800
        voided = await payout(p, OPERATOR, seller, 1_099)  # the sandbox refuses x.99
        assert (voided.state, voided.reason) == (st.PAYOUT_STATE_VOIDED, REFUSED_REASON)
        assert await balance_of(p, available) == 4_800
        last = await payout(p, me, seller, 4_800)
        assert last.state == st.PAYOUT_STATE_POSTED
        assert await balance_of(p, available) == 0
        assert await balance_of(p, "payout_clearing:") == -9_800
        mine = (await settlement(p).ListPayouts(st.ListPayoutsRequest(), metadata=p.as_(me))
                ).payouts
        assert [x.state for x in mine] == [st.PAYOUT_STATE_POSTED, st.PAYOUT_STATE_VOIDED,
                                           st.PAYOUT_STATE_POSTED]
        got = (await settlement(p).GetPayout(st.GetPayoutRequest(payout_id=voided.payout_id),
                                             metadata=p.as_(me))).payout
        assert got == voided
        hidden = await refusal(settlement(p).GetPayout(st.GetPayoutRequest(
            payout_id=voided.payout_id), metadata=p.as_(other)), code=grpc.StatusCode.NOT_FOUND)
        assert hidden["reason"] == "PAYOUT_NOT_FOUND"
        trail = (await settlement(p).ListAuditEntries(st.ListAuditEntriesRequest(
            resource_type="payout", resource_id=voided.payout_id),
            metadata=p.as_(OPERATOR))).entries
        assert [e.detail.split(":")[0] for e in trail] == ["requested 1099 CNY of 4800 available",
                                                           "voided"]
