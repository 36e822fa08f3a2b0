"""Freight end to end (embedded): a seller's freight template priced by
logistics while trade quotes and creates orders, free shipping from a
promotion, and an undeliverable destination refused with nothing written."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest

from tests.e2e.support import ADDRESS, order_request, rich_error, seed_shop, stock_of
from tests.e2e.test_embedded import Platform, start
from tests.e2e.test_priced_orders import DAY, ts
from zhongtai.common.v1.common_pb2 import Address, Money
from zhongtai.logistics.v1 import logistics_pb2 as lg
from zhongtai.logistics.v1 import logistics_pb2_grpc as lg_grpc
from zhongtai.promotion.v1 import promotion_pb2 as pr
from zhongtai.promotion.v1 import promotion_pb2_grpc as pr_grpc
from zhongtai.trade.v1 import trade_pb2 as tr

pytestmark = pytest.mark.e2e

LHASA = Address(country_code="CN", province="西藏自治区", city="拉萨市", district="城关区",
                detail="北京中路 1 号", recipient_name="韩梅梅", recipient_phone="13900000000")


def cny(amount: int) -> Money:
    return Money(currency_code="CNY", amount_minor=amount)


def rule(first_fee: int, additional_fee: int) -> lg.FreightRule:
    return lg.FreightRule(first_units=1, first_fee=cny(first_fee), additional_units=1,
                          additional_fee=cny(additional_fee))


@dataclass
class Env:
    platform: Platform
    logistics: lg_grpc.LogisticsServiceStub
    promotion: pr_grpc.PromotionServiceStub


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    p = await start(tmp_path)
    channel = p.stubs.channels[0]
    yield Env(p, lg_grpc.LogisticsServiceStub(channel), pr_grpc.PromotionServiceStub(channel))
    await p.stubs.close()
    await p.runtime.stop(grace=0)


async def by_count_template(stub: lg_grpc.LogisticsServiceStub, seller_id: str
                            ) -> lg.FreightTemplate:
    """First unit 10.00, each more 2.00; Zhejiang: first 8.00; nothing else delivered."""
    return (await stub.CreateFreightTemplate(lg.CreateFreightTemplateRequest(
        request_id=f"tpl-{seller_id}", template=lg.FreightTemplate(
            seller_id=seller_id, name="express", delivery_method=lg.DELIVERY_METHOD_EXPRESS,
            charging_basis=lg.CHARGING_BASIS_BY_COUNT, default_rule=rule(1000, 200),
            region_rules=[lg.RegionRule(provinces=["浙江省"], rule=rule(800, 200))],
            unlisted_regions_deliverable=False, is_default=True)))).template


async def test_templates_are_created_idempotently_and_listed(env: Env) -> None:
    first = await by_count_template(env.logistics, "seller-x")
    again = await by_count_template(env.logistics, "seller-x")
    assert again == first
    got = (await env.logistics.GetFreightTemplate(lg.GetFreightTemplateRequest(
        template_id=first.template_id))).template
    assert got == first
    listed = await env.logistics.ListFreightTemplates(lg.ListFreightTemplatesRequest(
        seller_id="seller-x", page_size=10))
    assert [t.template_id for t in listed.templates] == [first.template_id]


async def test_freight_is_quoted_stored_and_paid(env: Env) -> None:
    stubs = env.platform.stubs
    shop = await seed_shop(stubs, "A", [1000])
    other = await seed_shop(stubs, "B", [500])  # no template: ships free
    await by_count_template(env.logistics, shop.seller_id)

    quote = (await stubs.trade.QuoteOrder(tr.QuoteOrderRequest(
        buyer_id="buyer-f", address=ADDRESS,
        lines=[tr.OrderLineInput(sku_id=shop.sku_ids[0], quantity=3)]))).order
    assert quote.freight_amount == cny(800 + 2 * 200)
    assert quote.pay_order.actual_amount == cny(3000 + 1200)

    order = (await stubs.trade.CreateOrder(order_request(
        "buyer-f", [(shop.sku_ids[0], 3)], request_id="f-1"))).order
    assert order.freight_amount == cny(1200)
    assert order.actual_amount == cny(3000)  # the goods
    assert order.pay_order.actual_amount == cny(4200)
    assert order.pay_order.freight_amount == cny(1200)
    again = (await stubs.trade.GetOrder(tr.GetOrderRequest(order_id=order.order_id))).order
    assert again.pay_order.actual_amount == cny(4200) and again.freight_amount == cny(1200)

    # Two sellers: A's freight on A's sub order, none for B (no template).
    main = (await stubs.trade.CreateOrder(order_request(
        "buyer-f", [(shop.sku_ids[0], 3), (other.sku_ids[0], 2)], request_id="f-2"))).order
    assert main.is_main and main.freight_amount == cny(1200)
    assert {s.seller_id: s.freight_amount.amount_minor for s in main.sub_orders} == {
        shop.seller_id: 1200, other.seller_id: 0}
    assert main.pay_order.actual_amount == cny(3000 + 1000 + 1200)


async def test_free_shipping_promotion_makes_freight_zero(env: Env) -> None:
    stubs = env.platform.stubs
    shop = await seed_shop(stubs, "A", [1000])
    await by_count_template(env.logistics, shop.seller_id)
    await env.promotion.CreatePromotion(pr.CreatePromotionRequest(promotion=pr.Promotion(
        kind=pr.PROMOTION_KIND_FREE_SHIPPING, title="A ships free from 20.00",
        scope=pr.Scope(seller_id=shop.seller_id), ladders=[pr.Ladder(threshold=cny(2000))],
        start_time=ts(-DAY), end_time=ts(DAY))))
    quote = await stubs.trade.QuoteOrder(tr.QuoteOrderRequest(
        buyer_id="buyer-g", address=ADDRESS,
        lines=[tr.OrderLineInput(sku_id=shop.sku_ids[0], quantity=3)]))
    assert [s.free_shipping for s in quote.quote.sellers] == [True]
    assert quote.order.freight_amount == cny(0)
    order = (await stubs.trade.CreateOrder(order_request(
        "buyer-g", [(shop.sku_ids[0], 3)], request_id="g-1"))).order
    assert order.freight_amount == cny(0) and order.pay_order.actual_amount == cny(3000)
    # Below the threshold the freight is charged again.
    small = (await stubs.trade.QuoteOrder(tr.QuoteOrderRequest(
        buyer_id="buyer-g", address=ADDRESS,
        lines=[tr.OrderLineInput(sku_id=shop.sku_ids[0], quantity=1)]))).order
    assert small.freight_amount == cny(800)


async def test_undeliverable_destination_is_refused_and_nothing_written(env: Env) -> None:
    stubs = env.platform.stubs
    shop = await seed_shop(stubs, "A", [1000])
    await by_count_template(env.logistics, shop.seller_id)
    before = await stock_of(stubs, shop.sku_ids[0])
    for call in (
        stubs.trade.QuoteOrder(tr.QuoteOrderRequest(
            buyer_id="buyer-h", address=LHASA,
            lines=[tr.OrderLineInput(sku_id=shop.sku_ids[0], quantity=3)])),
        stubs.trade.CreateOrder(tr.CreateOrderRequest(
            request_id="h-1", buyer_id="buyer-h", address=LHASA,
            lines=[tr.OrderLineInput(sku_id=shop.sku_ids[0], quantity=3)])),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as e:
            await call
        assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert rich_error(e.value)["reason"] == "NOT_DELIVERABLE"
    orders = await stubs.trade.ListOrders(tr.ListOrdersRequest(buyer_id="buyer-h"))
    assert list(orders.orders) == []
    assert await stock_of(stubs, shop.sku_ids[0]) == before
    assert env.platform.events.events == []
