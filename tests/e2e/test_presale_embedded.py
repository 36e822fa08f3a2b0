"""Presale (定金+尾款, seed 001 §九.4) end to end on the embedded default:
a deposit at order time, the balance only inside its window, paid from the
buyer's balance account; the lapse timer cancels an order whose window ends
unpaid (the deposit is kept)."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from tests.conftest import equals, eventually
from tests.e2e.builders import (
    PAID,
    REJECTED,
    balance,
    order_of,
    ordered_and_deposit_paid,
    pay,
    payment_of,
    presale_item,
    refunds_settled,
    sold,
)
from tests.e2e.platform import Platform
from tests.e2e.support import order_request, rich_error, seed_shop, status_is, stock_is
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.payment.v1 import payment_pb2 as pb
from zhongtai.trade.v1 import trade_pb2 as tr

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


async def test_balance_before_its_window_is_rejected_and_refunded(platform: Platform) -> None:
    p = platform
    sku_id = await presale_item(p, start_in=3600, end_in=7200)
    order = await ordered_and_deposit_paid(p, "pre-2", sku_id)
    payment = await pay(p, "pre-2", order.pay_order)
    await eventually(lambda: refunds_settled(p, payment.payment_id, 1))
    [rejected] = p.events.of(REJECTED, order.order_id)
    assert "OUTSIDE_BALANCE_WINDOW" in rejected.decode().reason  # type: ignore[attr-defined]
    assert (await payment_of(p, payment.payment_id)).status == pb.PAYMENT_STATUS_REFUNDED
    assert await balance(p, "pre-2") == 50_000 - 1_000
    assert (await order_of(p, order.order_id)).status == tr.ORDER_STATUS_WAIT_PAY_BALANCE
    assert await sold(p, sku_id) == 0


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
