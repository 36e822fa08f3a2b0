"""Seed 003's take-out receipt end to end (embedded): a seller's freight
reduction (减配送费) deducted from its freight, never from the goods; a
checkout of a restaurant's physical goods and the platform's online-service
membership with a red packet and a shop full reduction, paid 36.00 with each
deduction recorded by kind, line and bearer; the business type on every
order and event; full refunds giving back exactly the cash paid."""

from __future__ import annotations

import grpc
import pytest

from tests.builders import cny
from tests.conftest import eventually
from tests.e2e.builders import (
    DAY,
    FREIGHT_REDUCTION,
    check_amounts,
    express_template,
    order_of,
    pay_by_balance,
    ts,
)
from tests.e2e.platform import Platform
from tests.e2e.support import order_request, refusal, seed_shop, status_is
from tests.e2e.takeout_support import (
    BUSINESS_TYPE,
    FREIGHT,
    PAYS,
    RED_PACKET,
    refund_everything,
    seed_003,
)
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.promotion.v1 import promotion_pb2 as pr
from zhongtai.trade.v1 import events_pb2 as ev
from zhongtai.trade.v1 import trade_pb2 as tr

pytestmark = pytest.mark.e2e

SHOP = pr.DEDUCTION_KIND_SHOP_PROMOTION
RED = pr.DEDUCTION_KIND_RED_PACKET
PAID = "zhongtai.trade.v1.OrderPaid"


def by_line(order: tr.Order) -> dict[str, list[tuple[int, str, int, int, int]]]:
    """Each sub order's deductions: (kind, source, amount, platform, merchant)."""
    return {x.order_id: [(d.kind, d.source_id, d.amount.amount_minor,
                          d.platform_amount.amount_minor, d.merchant_amount.amount_minor)
                         for d in x.deductions] for x in order.sub_orders}


async def test_seed_003_checkout_pays_36_with_every_deduction_by_kind_line_and_bearer(
        platform: Platform) -> None:
    p = platform
    t = await seed_003(p, "chen")
    quoted = await p.stubs.trade.QuoteOrder(tr.QuoteOrderRequest(
        buyer_id=t.buyer, address=t.order_request("").address, lines=t.order_request("").lines,
        benefits=t.order_request("").benefits, business_type=BUSINESS_TYPE))
    offers = {s.seller_id: s.freight_reduction for s in quoted.quote.sellers
              if s.HasField("freight_reduction")}
    assert offers == {t.merchant: pr.Deduction(
        kind=FREIGHT_REDUCTION, source_id=t.freight_reduction_id, amount=cny(500),
        platform_amount=cny(0), merchant_amount=cny(500))}
    assert quoted.order.pay_order.actual_amount == cny(PAYS) == cny(3_600)

    order = (await p.stubs.trade.CreateOrder(t.order_request("takeout-1"))).order
    check_amounts(order)
    assert order.is_main and order.business_type == BUSINESS_TYPE
    assert {x.business_type for x in order.sub_orders} == {BUSINESS_TYPE}
    assert (order.total_amount, order.discount_amount, order.freight_amount,
            order.freight_reduction_amount, order.actual_amount) == (
        cny(5_500), cny(1_400 + 700 + 500), cny(700), cny(500), cny(3_400))
    pay = order.pay_order
    assert (pay.discount_amount, pay.freight_amount, pay.actual_amount) == (
        cny(2_600), cny(700), cny(3_600))
    rice, box, membership = order.sub_orders
    assert [(x.seller_id, x.item.sku_id) for x in (rice, box, membership)] == [
        (t.merchant, t.rice), (t.merchant, t.box), (t.platform_seller, t.membership)]
    assert membership.item.item_type == cat.ITEM_TYPE_ONLINE_SERVICE
    assert not membership.HasField("log_order") and rice.HasField("log_order")
    # The freight and its reduction on m1's first physical line only.
    assert [(x.freight_amount.amount_minor, x.freight_reduction_amount.amount_minor)
            for x in (rice, box, membership)] == [(FREIGHT, 500), (0, 0), (0, 0)]
    lines = by_line(order)
    # m1's full reduction, merchant-borne, on m1's lines (39 : 1).
    assert [d for d in lines[rice.order_id] + lines[box.order_id] if d[0] == SHOP] == [
        (SHOP, t.full_reduction_id, 1_365, 0, 1_365), (SHOP, t.full_reduction_id, 35, 0, 35)]
    # The platform's red packet over every line, platform-borne.
    reds = [d for x in lines.values() for d in x if d[0] == RED]
    assert sum(d[2] for d in reds) == RED_PACKET and len(reds) == 3
    assert all(d[1] == t.red_packet_id and d[3] == d[2] for d in reds)
    # The delivery fee reduction, merchant-borne, on the rice line.
    assert [d for d in lines[rice.order_id] if d[0] == FREIGHT_REDUCTION] == [
        (FREIGHT_REDUCTION, t.freight_reduction_id, 500, 0, 500)]
    assert [d[0] for x in (box, membership) for d in lines[x.order_id]
            if d[0] == FREIGHT_REDUCTION] == []

    await pay_by_balance(p, t.buyer, order)
    await eventually(lambda: status_is(p.stubs, order.order_id, tr.ORDER_STATUS_WAIT_SHIP))
    paid = ev.OrderPaid.FromString((await p.events.the_one(PAID, order.order_id)).payload)
    assert paid.order.business_type == BUSINESS_TYPE
    assert {x.business_type for x in paid.order.sub_orders} == {BUSINESS_TYPE}
    assert paid.order.pay_order.actual_amount == cny(3_600)


async def test_a_freight_reduction_above_the_freight_takes_the_freight_and_refunds_to_the_cent(
        platform: Platform) -> None:
    p = platform
    shop = await seed_shop(p.stubs, "noodles", [2_000, 500])
    await express_template(p.logistics, shop.seller_id, 700, 100)  # 2 units: 8.00
    promotion = (await p.promotion.CreatePromotion(pr.CreatePromotionRequest(
        request_id="fr-1", promotion=pr.Promotion(
            kind=pr.PROMOTION_KIND_FREIGHT_REDUCTION, title="减配送费10元",
            scope=pr.Scope(seller_id=shop.seller_id), amount_off=cny(1_000),
            ladders=[pr.Ladder(threshold=cny(2_000))], budget=cny(5_000),
            cost_sharing=pr.CostSharing(platform_share_bps=4_000),
            start_time=ts(-DAY), end_time=ts(DAY))))).promotion
    assert promotion.kind == pr.PROMOTION_KIND_FREIGHT_REDUCTION
    assert promotion.amount_off == cny(1_000)

    # Below the threshold: the freight is paid in full.
    small = (await p.stubs.trade.QuoteOrder(tr.QuoteOrderRequest(
        buyer_id="b-fr", address=order_request("b-fr", []).address,
        lines=[tr.OrderLineInput(sku_id=shop.sku_ids[1], quantity=1)]))).order
    assert (small.freight_amount, small.freight_reduction_amount) == (cny(700), cny(0))
    assert small.pay_order.actual_amount == cny(500 + 700)

    order = (await p.stubs.trade.CreateOrder(order_request(
        "b-fr", [(shop.sku_ids[0], 1), (shop.sku_ids[1], 1)], request_id="fr-order"))).order
    check_amounts(order)
    assert order.business_type == "default"
    # 10.00 offered, 8.00 of freight: 8.00 off, the platform's 40% of it.
    first = order.sub_orders[0]
    assert [(d.kind, d.source_id, d.amount.amount_minor, d.platform_amount.amount_minor)
            for d in first.deductions] == [
        (FREIGHT_REDUCTION, promotion.promotion_id, 800, 320)]
    assert (order.freight_amount, order.freight_reduction_amount, order.actual_amount) == (
        cny(800), cny(800), cny(2_500))
    assert order.pay_order.actual_amount == cny(2_500)
    # The hold counted what was deducted against the budget.
    got = (await p.promotion.GetPromotion(pr.GetPromotionRequest(
        promotion_id=promotion.promotion_id))).promotion
    assert got.budget_used == cny(800)

    await pay_by_balance(p, "b-fr", order)
    await eventually(lambda: status_is(p.stubs, order.order_id, tr.ORDER_STATUS_WAIT_SHIP))
    plans = await refund_everything(p, await order_of(p, order.order_id))
    # Exactly the cash paid: the goods, and no freight (all of it was reduced).
    assert [x.cash_amount.amount_minor for x in plans] == [2_000, 500]
    assert sum(x.freight_amount.amount_minor for x in plans) == 0
    assert [(d.kind, d.amount.amount_minor) for d in plans[0].deductions] == [
        (FREIGHT_REDUCTION, 0)]
    refunded = await order_of(p, order.order_id)
    assert (refunded.status, refunded.pay_status) == (tr.ORDER_STATUS_CANCELLED,
                                                      tr.PAY_STATUS_REFUNDED)


async def test_the_seed_003_order_refunded_in_full_returns_36(platform: Platform) -> None:
    p = platform
    t = await seed_003(p, "chen")
    order = (await p.stubs.trade.CreateOrder(t.order_request("takeout-r"))).order
    await pay_by_balance(p, t.buyer, order)
    await eventually(lambda: status_is(p.stubs, order.order_id, tr.ORDER_STATUS_WAIT_SHIP))
    plans = await refund_everything(p, await order_of(p, order.order_id))
    # The goods' cash line by line, and the freight paid (7.00 − 5.00) once.
    assert sum(x.cash_amount.amount_minor for x in plans) == 3_400
    assert [x.freight_amount.amount_minor for x in plans] == [0, 0, FREIGHT - 500]
    assert sum(x.cash_amount.amount_minor + x.freight_amount.amount_minor
               for x in plans) == PAYS
    assert plans[-1].restore_coupons


async def test_business_type_is_checked_like_other_strings(platform: Platform) -> None:
    p = platform
    shop = await seed_shop(p.stubs, "bt", [1_000])
    for bad in ("x" * 65, " takeout"):
        req = order_request("b-bt", [(shop.sku_ids[0], 1)], request_id=f"bt-{len(bad)}",
                            business_type=bad)
        refused = await refusal(p.stubs.trade.CreateOrder(req), grpc.StatusCode.INVALID_ARGUMENT)
        assert "business_type" in str(refused)
    ok = (await p.stubs.trade.CreateOrder(order_request(
        "b-bt", [(shop.sku_ids[0], 1)], request_id="bt-ok", business_type="membership"))).order
    assert ok.business_type == "membership"
    assert (await order_of(p, ok.order_id)).business_type == "membership"
