"""Channel instant discounts (随机立减) in settlement on the embedded
platform, through the stubs and the sandbox channel: an order paid with a
3.00 instant discount is cleared with a CHANNEL_DISCOUNT line, the
merchant's receivable as without the discount, the channel's funding in
channel_discount_receivable and every entry balanced; a paid order
cancelled at the ship timeout (payment refunds the whole 50.00: 47.00 to
the buyer, 3.00 of discount to the channel) leaves every account of the
order at 0."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import eventually
from tests.e2e.builders import make_due_and_fire, payment_is
from tests.e2e.reconciliation_support import Channel, channel_platform, paid_by_sandbox
from tests.e2e.settlement_support import clearing_of, fee_rule, ledger_of, line, reaches
from tests.e2e.support import seed_shop, status_is
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.payment.v1 import payment_pb2 as pay
from zhongtai.settlement.v1 import settlement_pb2 as st
from zhongtai.trade.v1 import trade_pb2 as tr

pytestmark = pytest.mark.e2e

CD = st.LINE_KIND_CHANNEL_DISCOUNT


@pytest.fixture
async def channel(tmp_path: Path) -> AsyncIterator[Channel]:
    """A one-second after-sales window (escrow clears a second after receipt)."""
    async with channel_platform(tmp_path, after_sales_window_seconds=1.0) as c:
        yield c


async def discounted(c: Channel, order_id: str) -> st.OrderClearing:
    """The order's clearing once payment's event (another queue, either
    before or after trade's) brought the channel's discount."""
    async def known() -> bool:
        try:
            return (await clearing_of(c.p, order_id)).channel_discount_amount.amount_minor > 0
        except Exception:
            return False

    await eventually(known)
    return await clearing_of(c.p, order_id)


async def test_an_order_paid_with_an_instant_discount_clears_as_without_it(
        channel: Channel) -> None:
    p = channel.p
    shop = await seed_shop(p.stubs, "CD", [5_000], stock=5,
                           item_type=cat.ITEM_TYPE_ONLINE_SERVICE)
    await fee_rule(p, shop.seller_id, 1_000)
    payment = await paid_by_sandbox(p, "b-cd1", shop.sku_ids[0], instant_discount=300)
    order_id = payment.parts[0].order_id
    assert payment.amount.amount_minor == 5_000
    c = await discounted(channel, order_id)
    assert (c.paid_amount.amount_minor, c.buyer_paid_amount.amount_minor,
            c.channel_discount_amount.amount_minor) == (5_000, 4_700, 300)
    await eventually(lambda: status_is(p.stubs, order_id, tr.ORDER_STATUS_WAIT_RECEIVE))
    await p.stubs.trade.ConfirmReceipt(tr.ConfirmReceiptRequest(order_id=order_id,
                                                                buyer_id="b-cd1"))
    c = await reaches(p, order_id, st.CLEARING_STATE_CLEARED)
    assert line(c, CD) == -300
    # The merchant's money is what it is without the discount: 50.00 less 10%.
    assert (line(c, st.LINE_KIND_MERCHANT_RECEIVABLE),
            line(c, st.LINE_KIND_PLATFORM_COMMISSION)) == (4_500, 500)
    sources = sum(line(c, k) for k in (st.LINE_KIND_GOODS, st.LINE_KIND_PLATFORM_DISCOUNT,
                                       st.LINE_KIND_MERCHANT_DISCOUNT, CD,
                                       st.LINE_KIND_FREIGHT))
    assert sources == c.buyer_paid_amount.amount_minor == 4_700
    sums = await ledger_of(p, [order_id])  # every entry balances
    assert sums["channel_discount_receivable:"] == 300
    assert sums[f"merchant_pending:{shop.seller_id}"] == 0


async def test_a_paid_order_cancelled_returns_every_account_to_0(channel: Channel) -> None:
    p = channel.p
    shop = await seed_shop(p.stubs, "CDX", [5_000], stock=5)
    await fee_rule(p, shop.seller_id, 1_000)
    payment = await paid_by_sandbox(p, "b-cd2", shop.sku_ids[0], instant_discount=300)
    order_id = payment.parts[0].order_id
    await eventually(lambda: status_is(p.stubs, order_id, tr.ORDER_STATUS_WAIT_SHIP))
    await discounted(channel, order_id)
    # Nothing shipped in time: trade cancels it, payment refunds it whole
    # (order money: the buyer's 47.00 and the channel's 3.00).
    await make_due_and_fire(p, "order.ship_timeout", order_id)
    await eventually(lambda: payment_is(p, payment.payment_id, pay.PAYMENT_STATUS_REFUNDED))
    refunded = await p.payment.GetPayment(pay.GetPaymentRequest(
        payment_id=payment.payment_id))
    assert refunded.payment.refunded_amount.amount_minor == 5_000
    (refund,) = refunded.payment.refunds
    assert (refund.payer_amount.amount_minor, refund.channel_discount_amount.amount_minor) == (
        4_700, 300)
    c = await reaches(p, order_id, st.CLEARING_STATE_REVERSED)
    assert [x for x in c.lines if x.amount.amount_minor] == []
    assert {a: v for a, v in (await ledger_of(p, [order_id])).items() if v} == {}
