"""Seller price adjustment (改价) end to end on the embedded default."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from tests.builders import cny
from tests.conftest import eventually
from tests.e2e.builders import order_of, parts_of
from tests.e2e.platform import Platform
from tests.e2e.support import has_event, order_request, rich_error, seed_shop, status_is
from zhongtai.payment.v1 import payment_pb2 as pb
from zhongtai.trade.v1 import events_pb2 as ev
from zhongtai.trade.v1 import trade_pb2 as tr

pytestmark = pytest.mark.e2e

ADJUSTED = "zhongtai.trade.v1.OrderPriceAdjusted"


async def adjust(p: Platform, order: tr.Order, amount: int, seller: str | None = None,
                 request_id: str = "", reason: str = "") -> tr.Order:
    response: tr.AdjustPriceResponse = await p.stubs.trade.AdjustPrice(tr.AdjustPriceRequest(
        request_id=request_id, order_id=order.order_id,
        seller_id=order.seller_id if seller is None else seller,
        adjust_amount=cny(amount), reason=reason))
    return response.order


def assert_exact(order: tr.Order, adjust: int) -> None:
    """The order, its pay order and its lines agree on the adjustment, to the cent."""
    lines = list(order.sub_orders) if order.is_main else [order]
    assert order.adjust_amount.amount_minor == adjust
    assert order.pay_order.adjust_amount.amount_minor == adjust
    assert sum(x.adjust_amount.amount_minor for x in lines) == adjust
    for x in lines:
        assert x.actual_amount.amount_minor == (
            x.total_amount.amount_minor - x.discount_amount.amount_minor
            + x.adjust_amount.amount_minor) >= 0
    assert sum(x.actual_amount.amount_minor for x in lines) == \
        order.pay_order.actual_amount.amount_minor == order.actual_amount.amount_minor
    assert order.pay_order.actual_amount.amount_minor == (
        order.total_amount.amount_minor - order.discount_amount.amount_minor + adjust)


async def test_seller_lowers_the_price_and_the_buyer_pays_the_new_amount(
        platform: Platform) -> None:
    p = platform
    shop = await seed_shop(p.stubs, "A", [3900, 2500])
    order = (await p.stubs.trade.CreateOrder(order_request(
        "buyer-1", [(shop.sku_ids[0], 2), (shop.sku_ids[1], 1)]))).order
    assert order.is_main and order.pay_order.actual_amount.amount_minor == 10_300

    adjusted = await adjust(p, order, -1000, request_id="adj-1", reason="regular customer")
    assert_exact(adjusted, -1000)
    assert adjusted.pay_order.actual_amount.amount_minor == 9300
    # Split by the lines' amounts (7800 and 2500), the remainder on the last.
    assert [x.adjust_amount.amount_minor for x in adjusted.sub_orders] == [-757, -243]
    assert await order_of(p, order.order_id) == adjusted
    await eventually(lambda: has_event(p.events, ADJUSTED, order.order_id))
    [envelope] = p.events.of(ADJUSTED, order.order_id)
    event = ev.OrderPriceAdjusted.FromString(envelope.payload)
    assert event.previous_adjust_amount == cny(0) and event.reason == "regular customer"
    assert event.order.pay_order.actual_amount == cny(9300)
    # The same request again: the same answer, applied once.
    assert await adjust(p, order, -1000, request_id="adj-1",
                        reason="regular customer") == adjusted
    assert len(p.events.of(ADJUSTED, order.order_id)) == 1

    await p.payment.TopUpBalance(pb.TopUpBalanceRequest(request_id="t-1", buyer_id="buyer-1",
                                                        amount=cny(10_000)))
    payment = (await p.payment.CreatePayment(pb.CreatePaymentRequest(
        request_id="pay-1", buyer_id="buyer-1", method=pb.METHOD_BALANCE,
        parts=parts_of(adjusted)))).payment
    assert payment.status == pb.PAYMENT_STATUS_SUCCEEDED
    await eventually(lambda: status_is(p.stubs, order.order_id, tr.ORDER_STATUS_WAIT_SHIP))
    assert (await p.payment.GetBalance(pb.GetBalanceRequest(
        buyer_id="buyer-1"))).account.balance.amount_minor == 10_000 - 9300

    # Paid: the price is settled.
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await adjust(p, order, -2000)
    assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert rich_error(e.value)["reason"] == "PRICE_NOT_ADJUSTABLE"
    assert_exact(await order_of(p, order.order_id), -1000)


async def test_only_the_orders_one_seller_can_adjust(platform: Platform) -> None:
    p = platform
    a = await seed_shop(p.stubs, "A", [1000])
    b = await seed_shop(p.stubs, "B", [2000])
    order = (await p.stubs.trade.CreateOrder(order_request("buyer-2", [(a.sku_ids[0], 1)]))).order
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await adjust(p, order, -100, seller=b.seller_id)
    assert e.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert rich_error(e.value)["reason"] == "NOT_A_PARTY_TO_THE_ORDER"

    both = (await p.stubs.trade.CreateOrder(order_request(
        "buyer-2", [(a.sku_ids[0], 1), (b.sku_ids[0], 1)]))).order
    assert both.is_main and not both.seller_id
    for seller in (a.seller_id, b.seller_id):
        with pytest.raises(grpc.aio.AioRpcError) as e:
            await adjust(p, both, -100, seller=seller)
        assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert rich_error(e.value)["reason"] == "MULTI_SELLER_ORDER"
    assert await order_of(p, order.order_id) == order
    assert await order_of(p, both.order_id) == both


async def test_an_adjustment_leaving_nothing_to_pay_is_refused(platform: Platform) -> None:
    p = platform
    shop = await seed_shop(p.stubs, "A", [1000, 500])
    order = (await p.stubs.trade.CreateOrder(order_request(
        "buyer-3", [(shop.sku_ids[0], 1), (shop.sku_ids[1], 1)]))).order
    for amount in (-1500, -1600):
        with pytest.raises(grpc.aio.AioRpcError) as e:
            await adjust(p, order, amount, request_id=f"adj{amount}")
        assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert rich_error(e.value)["fields"] == ["adjust_amount"]
    assert await order_of(p, order.order_id) == order
    assert not p.events.of(ADJUSTED, order.order_id)
    # One cent left is fine.
    assert_exact(await adjust(p, order, -1499), -1499)


async def test_concurrent_adjustments_the_last_one_wins_whole(platform: Platform) -> None:
    p = platform
    shop = await seed_shop(p.stubs, "A", [3333, 1111, 777])
    order = (await p.stubs.trade.CreateOrder(order_request(
        "buyer-4", [(shop.sku_ids[0], 3), (shop.sku_ids[1], 2), (shop.sku_ids[2], 1)]))).order
    amounts = [-1001, 2002, -555, -3001]
    answers = await asyncio.gather(*(adjust(p, order, a) for a in amounts))
    for answer, amount in zip(answers, amounts, strict=True):
        assert_exact(answer, amount)
    final = await order_of(p, order.order_id)
    await eventually(lambda: _count(p, order.order_id, len(amounts)))
    events = sorted((ev.OrderPriceAdjusted.FromString(e.payload)
                     for e in p.events.of(ADJUSTED, order.order_id)),
                    key=lambda e: e.occur_time.ToDatetime())
    # Each adjustment replaced exactly the one committed before it.
    chain = [0] + [e.order.adjust_amount.amount_minor for e in events]
    assert [e.previous_adjust_amount.amount_minor for e in events] == chain[:-1]
    assert sorted(chain[1:]) == sorted(amounts)
    assert_exact(final, chain[-1])
    assert final == events[-1].order


async def _count(p: Platform, order_id: str, n: int) -> bool:
    return len(p.events.of(ADJUSTED, order_id)) == n
