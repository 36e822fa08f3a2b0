"""After-sales refunds of an order paid with a channel instant discount
(随机立减) on the embedded platform, through the stubs and the sandbox
channel: refunds are order money, split the buyer's money first. A 50.00
order the channel took 3.00 off (the buyer paid 47.00), refunded in full
through an agreed refund-only application, completes: payment's refund is
50.00 — 47.00 back to the buyer, 3.00 of discount back to the channel — the
sandbox paid the buyer 47.00, trade's line is refunded 50.00, settlement's
accounts of the order are 0 and the day reconciles with no difference; and
so does 20.00 then 30.00 (the discount goes back with the last 30.00)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import eventually
from tests.e2e.aftersales_support import apply, approve, lines_of, reaches
from tests.e2e.builders import order_of, payment_of, sandbox
from tests.e2e.reconciliation_support import (
    Channel,
    channel_platform,
    paid_by_sandbox,
    report_once,
)
from tests.e2e.settlement_support import fee_rule, ledger_of
from tests.e2e.support import seed_shop, status_is
from zhongtai.aftersales.v1 import aftersales_pb2 as af
from zhongtai.payment.v1 import payment_pb2 as pay
from zhongtai.trade.v1 import trade_pb2 as tr

pytestmark = pytest.mark.e2e


@pytest.fixture
async def channel(tmp_path: Path) -> AsyncIterator[Channel]:
    async with channel_platform(tmp_path) as c:
        yield c


async def refunded_through_aftersales(c: Channel, name: str, amounts: list[int]
                                      ) -> tuple[pay.Payment, str]:
    """A 50.00 order paid through the sandbox with a 3.00 instant discount,
    refunded by one agreed refund-only application per amount, each
    completed (REFUNDED) before the next; the payment and the order id."""
    p = c.p
    shop = await seed_shop(p.stubs, name, [5_000], stock=5)
    await fee_rule(p, shop.seller_id, 1_000)
    buyer = f"b-{name}"
    payment = await paid_by_sandbox(p, buyer, shop.sku_ids[0], instant_discount=300)
    order_id = payment.parts[0].order_id
    await eventually(lambda: status_is(p.stubs, order_id, tr.ORDER_STATUS_WAIT_SHIP))
    for amount in amounts:
        (line,) = lines_of(await order_of(p, order_id))
        application = await apply(p, buyer, line, amount=amount)
        await approve(p, application)
        done = await reaches(p, application.application_id, af.APPLICATION_STATUS_REFUNDED)
        assert done.refund.plan.cash_amount.amount_minor == amount
    return await payment_of(p, payment.payment_id), order_id


async def paid_back(c: Channel, refund_id: str) -> tuple[int, int, int]:
    """What the sandbox says of a refund: (amount, payer_amount, discount)."""
    r = await sandbox(c.p, "GET", f"{c.url}/v1/refunds/{refund_id}")
    return r["amount"], r["payer_amount"], r["channel_discount_amount"]


async def settled_and_reconciled(c: Channel, payment: pay.Payment, order_id: str) -> None:
    """Every account of the order back to 0; the day of the payment
    reconciles with no difference (the payment and each refund matched)."""
    async def zero() -> bool:
        return not {a: v for a, v in (await ledger_of(c.p, [order_id])).items() if v}

    await eventually(zero)
    day = payment.attempts[0].paid_time.ToDatetime().date()
    report = await report_once(c.p, day, 1 + len(payment.refunds))
    assert (report.matched, list(report.differences)) == (1 + len(payment.refunds), [])


async def test_a_full_refund_returns_the_buyers_47_and_the_channels_3(
        channel: Channel) -> None:
    payment, order_id = await refunded_through_aftersales(channel, "RCD1", [5_000])
    assert payment.status == pay.PAYMENT_STATUS_REFUNDED
    (refund,) = payment.refunds
    assert (refund.status, refund.amount.amount_minor, refund.payer_amount.amount_minor,
            refund.channel_discount_amount.amount_minor) == (
        pay.REFUND_STATUS_SUCCEEDED, 5_000, 4_700, 300)
    assert await paid_back(channel, refund.refund_id) == (5_000, 4_700, 300)
    order = await order_of(channel.p, order_id)
    assert (order.refunded_amount.amount_minor, order.refund_status) == (
        5_000, tr.LINE_REFUND_STATUS_REFUNDED)
    await settled_and_reconciled(channel, payment, order_id)


async def test_20_then_30_the_discount_goes_back_with_the_last_30(channel: Channel) -> None:
    payment, order_id = await refunded_through_aftersales(channel, "RCD2", [2_000, 3_000])
    assert payment.status == pay.PAYMENT_STATUS_REFUNDED
    splits = [(r.amount.amount_minor, r.payer_amount.amount_minor,
               r.channel_discount_amount.amount_minor) for r in payment.refunds]
    assert splits == [(2_000, 2_000, 0), (3_000, 2_700, 300)]
    assert [await paid_back(channel, r.refund_id) for r in payment.refunds] == splits
    assert (await order_of(channel.p, order_id)).refunded_amount.amount_minor == 5_000
    await settled_and_reconciled(channel, payment, order_id)
