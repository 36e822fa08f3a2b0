"""Presale (定金+尾款, seed 001 §九.4) end to end on the embedded default:
a deposit at order time, the balance only inside its window, paid from the
buyer's balance account; the lapse timer cancels an order whose window ends
unpaid (the deposit is kept)."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from tests.builders import cny
from tests.conftest import equals, eventually
from tests.e2e.builders import (
    PAID,
    REJECTED,
    balance,
    buyer_pays,
    order_of,
    ordered_and_deposit_paid,
    pay,
    presale_item,
    refunds_settled,
    sold,
)
from tests.e2e.platform import Platform
from tests.e2e.support import order_request, refusal, rich_error, seed_shop, status_is, stock_is
from trade.order import BALANCE_LAPSE_TIMER
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.db import utcnow
from zhongtai.payment.v1 import payment_pb2 as pb
from zhongtai.trade.v1 import trade_pb2 as tr
from zhongtai.wire import to_datetime

pytestmark = pytest.mark.e2e


async def test_deposit_then_balance_inside_the_window_pays_the_order(platform: Platform
                                                                     ) -> None:
    p = platform
    sku_id = await presale_item(p, start_in=-60, end_in=3600)
    order = await ordered_and_deposit_paid(p, "pre-1", sku_id)
    await pay(p, "pre-1", order.pay_order)
    await eventually(lambda: status_is(p.stubs, order.order_id, tr.ORDER_STATUS_WAIT_SHIP))
    paid = await order_of(p, order.order_id)
    assert paid.pay_status == tr.PAY_STATUS_PAID
    assert [po.status for po in paid.pay_orders] == [tr.PAY_STATUS_PAID] * 2
    await p.events.the_one(PAID, order.order_id)
    await eventually(lambda: equals(sold(p, sku_id), 1))
    assert await balance(p, "pre-1") == 50_000 - 10_000


async def test_a_balance_before_its_window_is_refused_before_money_moves(
        platform: Platform) -> None:
    p = platform
    sku_id = await presale_item(p, start_in=3600, end_in=7200)
    await p.payment.TopUpBalance(pb.TopUpBalanceRequest(buyer_id="pre-2", amount=cny(50_000)))
    order = (await p.stubs.trade.CreateOrder(order_request("pre-2", [(sku_id, 1)]))).order
    deposit, rest = order.pay_orders
    # The balance is not due while the deposit is unpaid ...
    assert (await refusal(pay(p, "pre-2", rest)))["reason"] == "ORDER_NOT_PAYABLE"
    await pay(p, "pre-2", deposit)
    await eventually(lambda: status_is(p.stubs, order.order_id,
                                       tr.ORDER_STATUS_WAIT_PAY_BALANCE))
    # ... nor before its window: refused, nothing charged, no payment.
    error = await refusal(pay(p, "pre-2", rest))
    assert error["reason"] == "OUTSIDE_BALANCE_WINDOW"
    assert error["preconditions"] == [f"pay_orders/{rest.pay_order_id}"]
    assert await balance(p, "pre-2") == 50_000 - 1_000
    assert not (await p.payment.ListPayments(pb.ListPaymentsRequest(
        pay_order_id=rest.pay_order_id))).payments
    assert (await order_of(p, order.order_id)).status == tr.ORDER_STATUS_WAIT_PAY_BALANCE


async def test_a_balance_after_its_window_is_refused_and_a_late_one_refunded(
        platform: Platform) -> None:
    """After the window, before the lapse timer cancelled the order (it is
    held back here): the check refuses a new payment; one opened inside the
    window and paid after it is rejected by trade and refunded."""
    p = platform
    lapse = p.runtime.timer_workers["trade"].handlers.pop(BALANCE_LAPSE_TIMER)
    sku_id = await presale_item(p, start_in=-60, end_in=4)
    order = await ordered_and_deposit_paid(p, "pre-5", sku_id)
    rest = order.pay_order
    opened = (await p.payment.CreatePayment(pb.CreatePaymentRequest(
        buyer_id="pre-5", method=pb.METHOD_SANDBOX,
        parts=[pb.PaymentPart(pay_order_id=rest.pay_order_id, order_id=rest.order_id,
                              amount=rest.actual_amount)]))).payment
    end = to_datetime(rest.balance_end_time)

    async def window_ended() -> bool:
        return utcnow() > end

    await eventually(window_ended)
    error = await refusal(pay(p, "pre-5", rest))
    assert error["reason"] == "OUTSIDE_BALANCE_WINDOW"
    await buyer_pays(p, opened.attempts[0])
    await eventually(lambda: refunds_settled(p, opened.payment_id, 1))
    [rejected] = p.events.of(REJECTED, order.order_id)
    assert rejected.decode().reason_code == (  # type: ignore[attr-defined]
        tr.PAYMENT_REJECTION_REASON_OUTSIDE_BALANCE_WINDOW)
    assert await balance(p, "pre-5") == 50_000 - 1_000
    assert (await order_of(p, order.order_id)).status == tr.ORDER_STATUS_WAIT_PAY_BALANCE
    p.runtime.timer_workers["trade"].handlers[BALANCE_LAPSE_TIMER] = lapse
    await eventually(lambda: status_is(p.stubs, order.order_id, tr.ORDER_STATUS_CANCELLED))


async def test_an_unpaid_balance_lapses_and_the_order_is_cancelled(platform: Platform) -> None:
    p = platform
    sku_id = await presale_item(p, start_in=-60, end_in=1.5)
    order = await ordered_and_deposit_paid(p, "pre-3", sku_id)
    await asyncio.sleep(1.5)
    await eventually(lambda: status_is(p.stubs, order.order_id, tr.ORDER_STATUS_CANCELLED))
    cancelled = await order_of(p, order.order_id)
    assert cancelled.close_reason == tr.CLOSE_REASON_BALANCE_LAPSED
    assert [po.status for po in cancelled.pay_orders] == [tr.PAY_STATUS_PAID,
                                                          tr.PAY_STATUS_CLOSED]
    await eventually(lambda: stock_is(p.stubs, sku_id, (10, 0)))
    # The deposit is kept.
    assert await balance(p, "pre-3") == 50_000 - 1_000


async def test_presale_terms_are_validated_and_a_presale_line_is_alone(platform: Platform
                                                                      ) -> None:
    p = platform
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await presale_item(p, start_in=-60, end_in=3600, deposit=10_000)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await presale_item(p, start_in=60, end_in=30)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    presale = await presale_item(p, start_in=-60, end_in=3600)
    plain = (await seed_shop(p.stubs, "plain", [500])).sku_ids[0]
    views = (await p.stubs.catalog.BatchGetSkus(cat.BatchGetSkusRequest(
        sku_ids=[presale, plain]))).skus
    assert views[0].presale.deposit.amount_minor == 1_000
    assert not views[1].HasField("presale")
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await p.stubs.trade.CreateOrder(order_request("pre-4", [(presale, 1), (plain, 1)]))
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert rich_error(e.value)["fields"] == ["lines[0].sku_id"]
    assert "presale item" in (e.value.details() or "")
