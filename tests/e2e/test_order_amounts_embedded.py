"""What an order's amounts and a buyer's balances mean, end to end on the
embedded platform through the stubs: every deduction (the card's too) in the
order's discount with its bearer, the pay order's parts, held amounts in the
balances, and points over the cap refused the same way at checkout and at
creation."""

from __future__ import annotations

import grpc
import pytest

from tests.builders import cny
from tests.conftest import eventually
from tests.e2e.builders import (
    CARD,
    DAY,
    POINTS,
    card_of,
    check_amounts,
    coupon_for,
    coupon_status,
    deducted,
    express_template,
    points_of,
    ts,
)
from tests.e2e.platform import Platform
from tests.e2e.support import ADDRESS, order_request, rich_error, seed_shop, stock_of
from zhongtai.common.v1.common_pb2 import Operator
from zhongtai.promotion.v1 import promotion_pb2 as pr
from zhongtai.trade.v1 import trade_pb2 as tr

pytestmark = pytest.mark.e2e


async def card_points_coupon_promotion_order(f: Platform, buyer: str
                                             ) -> tuple[tr.Order, tr.Order, str, str]:
    """Two lines of one seller (100.00 + 2 x 50.00, freight 10.00 + 2.00 a
    unit more) with a shop promotion (10.00 off 200.00), a platform coupon
    (20.00 off 100.00, half the platform's), 5.00 of points and 30.00 of a
    card: the QuoteOrder and the CreateOrder answers, the card and the coupon."""
    a = await seed_shop(f.stubs, "A", [10_000, 5_000])
    await express_template(f.logistics, a.seller_id, 1000, 200)
    await f.promotion.CreatePromotion(pr.CreatePromotionRequest(promotion=pr.Promotion(
        kind=pr.PROMOTION_KIND_SHOP_FULL_REDUCTION, title="满200减10",
        scope=pr.Scope(seller_id=a.seller_id),
        ladders=[pr.Ladder(threshold=cny(20_000), amount_off=cny(1_000))],
        start_time=ts(-DAY), end_time=ts(DAY))))
    coupon = await coupon_for(f.promotion, buyer, threshold=10_000, off=2_000,
                              platform_share=5_000)
    await f.promotion.EarnPoints(pr.EarnPointsRequest(request_id=f"earn-{buyer}",
                                                      buyer_id=buyer, points=1_000))
    card = (await f.promotion.CreateStoredValueCard(pr.CreateStoredValueCardRequest(
        request_id=f"card-{buyer}", buyer_id=buyer, balance=cny(10_000)))).card
    req = order_request(buyer, [(a.sku_ids[0], 1), (a.sku_ids[1], 2)], request_id=buyer)
    req.benefits.CopyFrom(tr.Benefits(coupon_ids=[coupon], points=500,
                                      stored_value_card_id=card.card_id,
                                      stored_value_amount=cny(3_000)))
    quoted = (await f.stubs.trade.QuoteOrder(tr.QuoteOrderRequest(
        buyer_id=buyer, lines=req.lines, address=ADDRESS, benefits=req.benefits))).order
    order = (await f.stubs.trade.CreateOrder(req)).order
    return quoted, order, card.card_id, coupon


async def test_every_deduction_is_in_the_discount_with_its_bearer_and_the_pay_order_parts(
        platform: Platform) -> None:
    quoted, order, _, _ = await card_points_coupon_promotion_order(platform, "buyer-1")
    check_amounts(order)
    check_amounts(quoted)
    assert order.is_main and len(order.sub_orders) == 2
    by_kind: dict[int, int] = {}
    for d in order.deductions:
        by_kind[d.kind] = by_kind.get(d.kind, 0) + d.amount.amount_minor
    assert by_kind == {pr.DEDUCTION_KIND_SHOP_PROMOTION: 1_000,
                       pr.DEDUCTION_KIND_PLATFORM_COUPON: 2_000, POINTS: 500, CARD: 3_000}
    # 200.00 - 10.00 - 20.00 - 5.00 - 30.00: the card is in the discount.
    assert (order.total_amount.amount_minor, order.discount_amount.amount_minor,
            order.actual_amount.amount_minor) == (20_000, 6_500, 13_500)
    assert [d.merchant_amount.amount_minor for d in order.deductions if d.kind == CARD] == [0]
    coupon = [d for d in order.deductions if d.kind == pr.DEDUCTION_KIND_PLATFORM_COUPON]
    assert [(d.platform_amount.amount_minor, d.merchant_amount.amount_minor)
            for d in coupon] == [(1_000, 1_000)]
    pay = order.pay_order
    assert (pay.point_amount.amount_minor, pay.stored_value_amount.amount_minor,
            pay.discount_amount.amount_minor) == (500, 3_000, 3_000)
    # Freight: 10.00 for the first unit, 2.00 for each of the two more.
    assert (order.freight_amount.amount_minor, pay.freight_amount.amount_minor) == (1_400, 1_400)
    assert pay.actual_amount.amount_minor == 20_000 - 6_500 + 1_400
    # The checkout page showed exactly what was written.
    for name in ("total_amount", "discount_amount", "actual_amount", "freight_amount"):
        assert getattr(quoted, name) == getattr(order, name)
    assert quoted.pay_order.actual_amount == pay.actual_amount


async def test_balances_include_what_an_open_order_holds_until_it_is_cancelled(
        platform: Platform) -> None:
    f = platform
    assert await points_of(f.promotion, "nobody") == (0, 0, 0)
    _, order, card_id, coupon = await card_points_coupon_promotion_order(f, "buyer-2")
    # (balance, frozen / held, available): the held part stays in the balance.
    assert await points_of(f.promotion, "buyer-2") == (1_000, 500, 500)
    assert await card_of(f.promotion, card_id) == (10_000, 3_000, 7_000)
    assert deducted(order, {POINTS}) == 500 and deducted(order, {CARD}) == 3_000
    # What is held cannot be asked for again: only the available part.
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await f.promotion.Quote(pr.QuoteRequest(
            buyer_id="buyer-2", points=501, lines=[pr.QuoteLine(
                line_id="x", seller_id="s", sku_id="x", unit_price=cny(100_000),
                quantity=1)]))
    assert rich_error(e.value)["reason"] == "INSUFFICIENT_POINTS"

    await f.stubs.trade.CancelOrder(tr.CancelOrderRequest(
        order_id=order.order_id, operator=Operator(role=Operator.ROLE_BUYER, id="buyer-2")))

    async def back() -> bool:
        return (await points_of(f.promotion, "buyer-2") == (1_000, 0, 1_000)
                and await card_of(f.promotion, card_id) == (10_000, 0, 10_000)
                and await coupon_status(f.promotion, "buyer-2", coupon)
                == pr.COUPON_STATUS_AVAILABLE)

    await eventually(back)


async def test_points_over_the_cap_are_refused_alike_at_checkout_and_creation(
        platform: Platform) -> None:
    f = platform
    a = await seed_shop(f.stubs, "A", [10_000])
    coupon = await coupon_for(f.promotion, "buyer-3", threshold=0, off=1_000)
    await f.promotion.EarnPoints(pr.EarnPointsRequest(request_id="earn-3", buyer_id="buyer-3",
                                                      points=100_000))
    req = order_request("buyer-3", [(a.sku_ids[0], 1)])
    req.benefits.coupon_ids.append(coupon)

    def checkout(points: int) -> tr.QuoteOrderRequest:
        benefits = tr.Benefits(coupon_ids=[coupon], points=points)
        return tr.QuoteOrderRequest(buyer_id="buyer-3", lines=req.lines, address=ADDRESS,
                                    benefits=benefits)

    # 100.00 less the 10.00 coupon: points may pay half of the 90.00 left.
    offered = await f.stubs.trade.QuoteOrder(checkout(0))
    assert offered.quote.points_max == 4_500 and offered.quote.points_used == 0

    req.benefits.points = 4_501
    for call, request in ((f.stubs.trade.QuoteOrder, checkout(4_501)),
                          (f.stubs.trade.CreateOrder, req)):
        with pytest.raises(grpc.aio.AioRpcError) as e:
            await call(request)  # type: ignore[operator]
        err = rich_error(e.value)
        assert (err["code"], err["reason"]) == (grpc.StatusCode.FAILED_PRECONDITION,
                                                "POINTS_OVER_LIMIT")
        assert err["metadata"] == {"points_max": "4500", "requested": "4501"}
        assert err["preconditions"] == ["points"]
    # The refused CreateOrder wrote and held nothing.
    orders = await f.stubs.trade.ListOrders(tr.ListOrdersRequest(buyer_id="buyer-3"))
    assert list(orders.orders) == []
    assert await points_of(f.promotion, "buyer-3") == (100_000, 0, 100_000)
    assert await coupon_status(f.promotion, "buyer-3", coupon) == pr.COUPON_STATUS_AVAILABLE
    assert await stock_of(f.stubs, a.sku_ids[0]) == (10, 0)

    # Exactly points_max is taken, as asked.
    req.benefits.points = 4_500
    order = (await f.stubs.trade.CreateOrder(req)).order
    check_amounts(order)
    assert order.pay_order.point_amount.amount_minor == 4_500
    assert order.pay_order.actual_amount.amount_minor == 10_000 - 1_000 - 4_500
    assert await points_of(f.promotion, "buyer-3") == (100_000, 4_500, 95_500)
