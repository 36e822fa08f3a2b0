"""Priced orders end to end (embedded): promotions, coupons, points, the
seed 004 over-discount case, and benefits returned on cancel or failure."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from tests.builders import cny
from tests.conftest import eventually
from tests.e2e.builders import DAY, coupon_for, coupon_status, ts
from tests.e2e.platform import Platform
from tests.e2e.support import order_request, rich_error, seed_shop, stock_is, stock_of
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.common.v1.common_pb2 import Operator
from zhongtai.promotion.v1 import promotion_pb2 as pr
from zhongtai.promotion.v1 import promotion_pb2_grpc as pr_grpc
from zhongtai.trade.v1 import trade_pb2 as tr

pytestmark = pytest.mark.e2e


CREATED = "zhongtai.trade.v1.OrderCreated"
PAID = "zhongtai.trade.v1.OrderPaid"


async def test_two_seller_cart_with_every_kind_priced_created_and_cancelled(
        platform: Platform) -> None:
    p, promo = platform, platform.promotion
    s = p.stubs
    a = await seed_shop(s, "A", [10_000, 5_000])
    b = await seed_shop(s, "B", [20_000])
    await promo.CreatePromotion(pr.CreatePromotionRequest(promotion=pr.Promotion(
        kind=pr.PROMOTION_KIND_ITEM_DIRECT_REDUCTION, title="直降",
        scope=pr.Scope(seller_id=a.seller_id, sku_ids=[a.sku_ids[0]]), amount_off=cny(1_000),
        start_time=ts(-DAY), end_time=ts(DAY))))
    await promo.CreatePromotion(pr.CreatePromotionRequest(promotion=pr.Promotion(
        kind=pr.PROMOTION_KIND_SHOP_FULL_REDUCTION, title="满200减30",
        scope=pr.Scope(seller_id=a.seller_id),
        ladders=[pr.Ladder(threshold=cny(20_000), amount_off=cny(3_000))],
        start_time=ts(-DAY), end_time=ts(DAY))))
    coupon = await coupon_for(promo, "buyer-1", threshold=30_000, off=2_000,
                              platform_share=10_000)
    await promo.EarnPoints(pr.EarnPointsRequest(request_id="earn-1", buyer_id="buyer-1",
                                                points=500, reason="welcome"))
    lines = [(a.sku_ids[0], 2), (a.sku_ids[1], 1), (b.sku_ids[0], 1)]
    benefits = tr.Benefits(coupon_ids=[coupon], points=300)

    quoted = await s.trade.QuoteOrder(tr.QuoteOrderRequest(
        buyer_id="buyer-1", lines=[tr.OrderLineInput(sku_id=k, quantity=q) for k, q in lines],
        address=order_request("x", []).address, benefits=benefits))
    req = order_request("buyer-1", lines, request_id="priced-1")
    req.benefits.CopyFrom(benefits)
    order = (await s.trade.CreateOrder(req)).order
    # A repeat replays the answer, though the coupon is now held by the order.
    assert (await s.trade.CreateOrder(req)).order == order

    # 20000 + 5000 + 20000 = 45000; item -2000; shop A: 23000 >= 20000 -> -3000;
    # platform coupon on 40000 -> -2000; points 300 -> -300.
    assert order.total_amount.amount_minor == 45_000
    assert order.discount_amount.amount_minor == 2_000 + 3_000 + 2_000 + 300
    assert order.actual_amount.amount_minor == 45_000 - 7_300
    assert order.pay_order.point_amount.amount_minor == 300
    assert order.pay_order.discount_amount.amount_minor == 7_000
    assert order.pay_order.actual_amount.amount_minor == 37_700
    for sub in order.sub_orders:
        assert sub.actual_amount.amount_minor == (
            sub.total_amount.amount_minor - sum(d.amount.amount_minor for d in sub.deductions))
        for d in sub.deductions:
            assert d.platform_amount.amount_minor + d.merchant_amount.amount_minor == \
                d.amount.amount_minor
    by_kind: dict[int, int] = {}
    for sub in order.sub_orders:
        for d in sub.deductions:
            by_kind[d.kind] = by_kind.get(d.kind, 0) + d.amount.amount_minor
    assert by_kind == {pr.DEDUCTION_KIND_ITEM_DIRECT_REDUCTION: 2_000,
                       pr.DEDUCTION_KIND_SHOP_PROMOTION: 3_000,
                       pr.DEDUCTION_KIND_PLATFORM_COUPON: 2_000,
                       pr.DEDUCTION_KIND_POINTS: 300}
    shop_a = [d for sub in order.sub_orders if sub.seller_id == a.seller_id
              for d in sub.deductions if d.kind == pr.DEDUCTION_KIND_SHOP_PROMOTION]
    assert sum(d.merchant_amount.amount_minor for d in shop_a) == 3_000
    # The checkout page saw the same prices.
    assert [x.deductions for x in quoted.order.sub_orders] == [
        x.deductions for x in order.sub_orders]
    assert quoted.order.order_id == "" and quoted.quote.payable_amount.amount_minor == 37_700

    assert await coupon_status(promo, "buyer-1", coupon) == pr.COUPON_STATUS_LOCKED
    account = (await promo.GetPointsAccount(pr.GetPointsAccountRequest(
        buyer_id="buyer-1"))).account
    assert (account.balance, account.frozen, account.available) == (500, 300, 200)

    await s.trade.CancelOrder(tr.CancelOrderRequest(
        order_id=order.order_id, operator=Operator(role=Operator.ROLE_BUYER, id="buyer-1")))

    async def everything_back() -> bool:
        acc = (await promo.GetPointsAccount(pr.GetPointsAccountRequest(
            buyer_id="buyer-1"))).account
        return ((acc.balance, acc.frozen) == (500, 0)
                and await coupon_status(promo, "buyer-1", coupon) == pr.COUPON_STATUS_AVAILABLE
                and await stock_of(s, a.sku_ids[0]) == (10, 0)
                and await stock_of(s, b.sku_ids[0]) == (10, 0))

    await eventually(everything_back)


async def test_seed_004_over_discount_is_capped_or_refused_by_policy(
        platform: Platform) -> None:
    p, promo = platform, platform.promotion
    s = p.stubs
    a = await seed_shop(s, "A", [100_000])
    platform_coupon = await coupon_for(promo, "buyer-2", threshold=100_000, off=90_000,
                                       platform_share=10_000)
    shop_coupon = await coupon_for(promo, "buyer-2", seller=a.seller_id, threshold=100_000,
                                   off=70_000)
    req = order_request("buyer-2", [(a.sku_ids[0], 1)])
    req.benefits.coupon_ids.extend([platform_coupon, shop_coupon])
    order = (await s.trade.CreateOrder(req)).order
    assert order.pay_order.actual_amount.amount_minor == 1  # 0.01, never free or negative
    assert sum(d.amount.amount_minor for d in order.deductions) == 99_999
    await s.trade.CancelOrder(tr.CancelOrderRequest(
        order_id=order.order_id, operator=Operator(role=Operator.ROLE_BUYER, id="buyer-2")))
    await eventually(lambda: _available(promo, "buyer-2", platform_coupon))

    policy = (await promo.GetStackingPolicy(pr.GetStackingPolicyRequest())).policy
    policy.over_discount = pr.OVER_DISCOUNT_POLICY_REFUSE
    await promo.UpdateStackingPolicy(pr.UpdateStackingPolicyRequest(policy=policy))
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await s.trade.CreateOrder(req)
    assert rich_error(e.value)["reason"] == "OVER_DISCOUNT"


async def _available(promo: pr_grpc.PromotionServiceStub, buyer: str, coupon: str) -> bool:
    return await coupon_status(promo, buyer, coupon) == pr.COUPON_STATUS_AVAILABLE


async def test_one_coupon_two_orders_racing_one_wins_and_nothing_leaks(
        platform: Platform) -> None:
    p, promo = platform, platform.promotion
    s = p.stubs
    a = await seed_shop(s, "A", [10_000])
    coupon = await coupon_for(promo, "buyer-3", threshold=0, off=1_000)

    async def create() -> tr.Order | str:
        req = order_request("buyer-3", [(a.sku_ids[0], 2)])
        req.benefits.coupon_ids.append(coupon)
        try:
            return (await s.trade.CreateOrder(req)).order
        except grpc.aio.AioRpcError as e:
            assert e.code() == grpc.StatusCode.FAILED_PRECONDITION
            return str(rich_error(e)["reason"])

    results = await asyncio.gather(create(), create())
    winners = [r for r in results if isinstance(r, tr.Order)]
    assert len(winners) == 1
    assert await coupon_status(promo, "buyer-3", coupon) == pr.COUPON_STATUS_LOCKED
    # The loser's stock (if it got that far) comes back.
    await eventually(lambda: stock_is(s, a.sku_ids[0], (8, 2)))


async def test_an_order_a_card_pays_entirely_is_paid_at_once(
        platform: Platform) -> None:
    p, promo = platform, platform.promotion
    s = p.stubs
    a = await seed_shop(s, "A", [3_000])
    card = (await promo.CreateStoredValueCard(pr.CreateStoredValueCardRequest(
        request_id="card-1", buyer_id="buyer-4", balance=cny(10_000)))).card
    req = order_request("buyer-4", [(a.sku_ids[0], 2)])
    req.benefits.stored_value_card_id = card.card_id
    order = (await s.trade.CreateOrder(req)).order
    assert order.pay_order.stored_value_amount.amount_minor == 6_000
    assert order.pay_order.actual_amount.amount_minor == 0
    assert order.status == tr.ORDER_STATUS_WAIT_SHIP
    assert order.pay_status == order.pay_order.status == tr.PAY_STATUS_PAID
    assert not order.pay_order.HasField("pay_expire_time") and order.pay_order.payment_id == ""
    # The card is in the order's deductions, funded by the platform; nothing
    # is left to pay for the goods.
    assert (order.discount_amount.amount_minor, order.actual_amount.amount_minor) == (6_000, 0)
    assert [(d.kind, d.platform_amount.amount_minor, d.merchant_amount.amount_minor)
            for d in order.deductions] == [(pr.DEDUCTION_KIND_STORED_VALUE_CARD, 6_000, 0)]
    # Created, then paid in the same transaction, without a payment.
    created = (await p.events.the_one(CREATED, order.order_id)).decode()
    paid = (await p.events.the_one(PAID, order.order_id)).decode()
    assert created.order.status == tr.ORDER_STATUS_WAIT_PAY  # type: ignore[attr-defined]
    assert paid.order.status == tr.ORDER_STATUS_WAIT_SHIP  # type: ignore[attr-defined]
    assert paid.payment_id == ""  # type: ignore[attr-defined]

    async def settled() -> bool:
        c = (await promo.GetStoredValueCard(pr.GetStoredValueCardRequest(
            card_id=card.card_id))).card
        stock = (await s.catalog.GetStock(cat.GetStockRequest(sku_id=a.sku_ids[0]))).stock
        return ((c.balance.amount_minor, c.held.amount_minor) == (4_000, 0)
                and (stock.available, stock.reserved, stock.sold) == (8, 0, 2))

    await eventually(settled)
