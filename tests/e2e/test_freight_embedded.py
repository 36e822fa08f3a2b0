"""Freight end to end (embedded): a seller's freight template priced by
logistics while trade quotes and creates orders, free shipping from a
promotion, an undeliverable destination refused with nothing written, and
freight by weight: SKUs weigh something, orders snapshot it, an unknown
weight is never priced."""

from __future__ import annotations

import json
from dataclasses import dataclass

import grpc
import pytest
from sqlalchemy import select, update

from catalog.store import item_versions
from tests.builders import cny
from tests.e2e.builders import DAY, ts
from tests.e2e.platform import Platform
from tests.e2e.support import ADDRESS, Stubs, order_request, rich_error, seed_shop, stock_of
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.common.v1.common_pb2 import Address
from zhongtai.logistics.v1 import logistics_pb2 as lg
from zhongtai.logistics.v1 import logistics_pb2_grpc as lg_grpc
from zhongtai.promotion.v1 import promotion_pb2 as pr
from zhongtai.promotion.v1 import promotion_pb2_grpc as pr_grpc
from zhongtai.trade.v1 import trade_pb2 as tr

pytestmark = pytest.mark.e2e

LHASA = Address(country_code="CN", province="西藏自治区", city="拉萨市", district="城关区",
                detail="北京中路 1 号", recipient_name="韩梅梅", recipient_phone="13900000000")


def rule(first_fee: int, additional_fee: int) -> lg.FreightRule:
    return lg.FreightRule(first_units=1, first_fee=cny(first_fee), additional_units=1,
                          additional_fee=cny(additional_fee))


@dataclass
class Env:
    platform: Platform
    logistics: lg_grpc.LogisticsServiceStub
    promotion: pr_grpc.PromotionServiceStub


@pytest.fixture
def env(platform: Platform) -> Env:
    return Env(platform, platform.logistics, platform.promotion)


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
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await env.logistics.GetFreightTemplate(lg.GetFreightTemplateRequest(template_id="nope"))
    assert (e.value.code(), rich_error(e.value)["reason"]) == (
        grpc.StatusCode.NOT_FOUND, "FREIGHT_TEMPLATE_NOT_FOUND")


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


# --- by weight (issue 8) -------------------------------------------------------

async def by_weight_template(stub: lg_grpc.LogisticsServiceStub, seller_id: str
                             ) -> lg.FreightTemplate:
    """First 1000 g 10.00, each further 500 g 3.00; delivered everywhere."""
    return (await stub.CreateFreightTemplate(lg.CreateFreightTemplateRequest(
        request_id=f"kg-{seller_id}", template=lg.FreightTemplate(
            seller_id=seller_id, name="by weight", delivery_method=lg.DELIVERY_METHOD_EXPRESS,
            charging_basis=lg.CHARGING_BASIS_BY_WEIGHT,
            default_rule=lg.FreightRule(first_units=1000, first_fee=cny(1000),
                                        additional_units=500, additional_fee=cny(300)),
            unlisted_regions_deliverable=True, is_default=True)))).template


async def quoted(stubs: Stubs, buyer: str, sku_id: str, quantity: int) -> tr.Order:
    return (await stubs.trade.QuoteOrder(tr.QuoteOrderRequest(
        buyer_id=buyer, address=ADDRESS,
        lines=[tr.OrderLineInput(sku_id=sku_id, quantity=quantity)]))).order


async def test_by_weight_freight_charges_the_snapshotted_weight(env: Env) -> None:
    stubs = env.platform.stubs
    shop = await seed_shop(stubs, "W", [1000], weight_grams=700)
    sku_id = shop.sku_ids[0]
    await by_weight_template(env.logistics, shop.seller_id)
    # 700 g: the first fee; 1400 g: one started 500 g step; 2100 g: three.
    for quantity, freight in ((1, 1000), (2, 1300), (3, 1900)):
        quote = await quoted(stubs, "buyer-w", sku_id, quantity)
        assert quote.freight_amount == cny(freight)
        assert quote.pay_order.actual_amount == cny(1000 * quantity + freight)
        assert quote.item.weight_grams == 700

    order = (await stubs.trade.CreateOrder(order_request(
        "buyer-w", [(sku_id, 3)], request_id="w-1"))).order
    assert order.freight_amount == cny(1900) and order.actual_amount == cny(3000)
    assert order.pay_order.freight_amount == cny(1900)
    assert order.pay_order.actual_amount == cny(3000 + 1900)
    assert (order.item.weight_grams, order.item.item_version) == (700, 1)

    # A new weight is a new item version; the order keeps what it was bought at.
    item = (await stubs.catalog.UpdateItem(cat.UpdateItemRequest(
        item_id=order.item.item_id, expected_version=1, skus=[cat.SkuInput(
            sku_id=sku_id, price=cny(1000), weight_grams=900, volume_cm3=1200)]))).item
    assert (item.version, item.skus[0].weight_grams, item.skus[0].volume_cm3) == (2, 900, 1200)
    v1 = (await stubs.catalog.GetItemVersion(cat.GetItemVersionRequest(
        item_id=item.item_id, version=1))).item
    assert (v1.skus[0].weight_grams, v1.skus[0].volume_cm3) == (700, 0)
    [view] = (await stubs.catalog.BatchGetSkus(cat.BatchGetSkusRequest(sku_ids=[sku_id]))).skus
    assert (view.weight_grams, view.volume_cm3, view.item_version) == (900, 1200, 2)
    again = (await stubs.trade.GetOrder(tr.GetOrderRequest(order_id=order.order_id))).order
    assert (again.item.weight_grams, again.item.item_version) == (700, 1)
    assert again.pay_order.actual_amount == cny(4900)
    # 3 × 900 g = 2700 g: 10.00 + 4 started steps of 500 g.
    assert (await quoted(stubs, "buyer-w", sku_id, 3)).freight_amount == cny(1000 + 4 * 300)
    # Weight and volume 0 on an update keep what the SKU had.
    kept = (await stubs.catalog.UpdateItem(cat.UpdateItemRequest(
        item_id=item.item_id, skus=[cat.SkuInput(sku_id=sku_id, price=cny(1100))]))).item
    assert (kept.skus[0].weight_grams, kept.skus[0].volume_cm3) == (900, 1200)


async def test_items_without_a_valid_weight_are_refused_and_nothing_is_created(env: Env
                                                                             ) -> None:
    stubs = env.platform.stubs
    shop = await seed_shop(stubs, "N", [1000])
    seller_id = shop.seller_id

    async def refused(req: cat.CreateItemRequest | cat.UpdateItemRequest) -> list[str]:
        call = (stubs.catalog.CreateItem(req) if isinstance(req, cat.CreateItemRequest)
                else stubs.catalog.UpdateItem(req))
        with pytest.raises(grpc.aio.AioRpcError) as e:
            await call
        assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        return sorted(rich_error(e.value)["fields"])  # type: ignore[arg-type]

    assert await refused(cat.CreateItemRequest(
        seller_id=seller_id, title="no weight", item_type=cat.ITEM_TYPE_PHYSICAL,
        skus=[cat.SkuInput(sku_id="kg-0", price=cny(100), initial_stock=5)])) == [
        "skus[0].weight_grams"]
    assert await refused(cat.CreateItemRequest(
        seller_id=seller_id, title="bounds", item_type=cat.ITEM_TYPE_PHYSICAL, skus=[
            cat.SkuInput(sku_id="kg-1", price=cny(100), weight_grams=10**8 + 1),
            cat.SkuInput(sku_id="kg-2", price=cny(100), attributes={"a": "b"},
                         weight_grams=1, volume_cm3=-1)])) == [
        "skus[0].weight_grams", "skus[1].volume_cm3"]
    assert await refused(cat.CreateItemRequest(
        seller_id=seller_id, title="spa", item_type=cat.ITEM_TYPE_E_VOUCHER,
        skus=[cat.SkuInput(sku_id="kg-3", price=cny(100), weight_grams=1, volume_cm3=1)])
    ) == ["skus[0].volume_cm3", "skus[0].weight_grams"]
    [item_id] = [i.item_id for i in (await stubs.catalog.ListItems(
        cat.ListItemsRequest(seller_id=seller_id))).items]
    missing = await stubs.catalog.BatchGetSkus(cat.BatchGetSkusRequest(
        sku_ids=["kg-0", "kg-1", "kg-2", "kg-3"]))
    assert list(missing.skus) == [] and len(missing.missing_sku_ids) == 4

    # An update adding a weightless SKU writes no version and no SKU.
    assert await refused(cat.UpdateItemRequest(item_id=item_id, skus=[
        cat.SkuInput(sku_id="kg-4", price=cny(100), attributes={"size": "L"})])) == [
        "skus[0].weight_grams"]
    assert (await stubs.catalog.GetItem(cat.GetItemRequest(item_id=item_id))).item.version == 1
    assert list((await stubs.catalog.BatchGetSkus(cat.BatchGetSkusRequest(
        sku_ids=["kg-4"]))).missing_sku_ids) == ["kg-4"]


def package(*items: tuple[str, int, int], free: bool = False) -> lg.FreightPackage:
    return lg.FreightPackage(package_id="p1", seller_id="kg-seller", free_shipping=free, items=[
        lg.FreightItem(sku_id=sku, quantity=q, weight_grams=w, amount=cny(1000 * q))
        for sku, q, w in items])


async def test_quote_freight_never_prices_an_unknown_weight(env: Env) -> None:
    await by_weight_template(env.logistics, "kg-seller")

    async def quote(p: lg.FreightPackage) -> lg.PackageFreight:
        [out] = (await env.logistics.QuoteFreight(lg.QuoteFreightRequest(
            destination=ADDRESS, packages=[p]))).packages
        return out

    priced = await quote(package(("a", 2, 700), ("b", 1, 101)))  # 1501 g
    assert (priced.freight, priced.units) == (cny(1600), 1501)
    for p in (package(("a", 2, 700), ("b", 1, 0)), package(("b", 1, 0), free=True)):
        with pytest.raises(grpc.aio.AioRpcError) as e:
            await quote(p)
        err = rich_error(e.value)
        assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert err["reason"] == "WEIGHT_REQUIRED"
        assert err["metadata"]["sku_id"] == "b"  # type: ignore[index]
        assert err["preconditions"] == ["skus/b"]


async def test_a_sku_from_before_weights_is_refused_by_weight_until_updated(env: Env) -> None:
    stubs = env.platform.stubs
    shop = await seed_shop(stubs, "Old", [1000])
    sku_id = shop.sku_ids[0]
    await by_weight_template(env.logistics, shop.seller_id)
    # As the SKU was stored before SKUs had weights: no weight in its version.
    async with env.platform.runtime.dbs["catalog"].transaction() as s:
        row = (await s.execute(select(item_versions))).one()
        skus = [{k: v for k, v in sku.items() if k not in ("weight_grams", "volume_cm3")}
                for sku in json.loads(row.skus)]
        await s.execute(update(item_versions).values(skus=json.dumps(skus)))
    before = await stock_of(stubs, sku_id)
    for call in (stubs.trade.QuoteOrder(tr.QuoteOrderRequest(
                     buyer_id="buyer-o", address=ADDRESS,
                     lines=[tr.OrderLineInput(sku_id=sku_id, quantity=1)])),
                 stubs.trade.CreateOrder(order_request("buyer-o", [(sku_id, 1)],
                                                       request_id="o-1"))):
        with pytest.raises(grpc.aio.AioRpcError) as e:
            await call
        assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert rich_error(e.value)["reason"] == "WEIGHT_REQUIRED"
        assert rich_error(e.value)["metadata"]["sku_id"] == sku_id  # type: ignore[index]
    assert list((await stubs.trade.ListOrders(tr.ListOrdersRequest(buyer_id="buyer-o"))).orders
                ) == []
    assert await stock_of(stubs, sku_id) == before

    # Its next version must weigh it: a title change alone is refused.
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await stubs.catalog.UpdateItem(cat.UpdateItemRequest(item_id=row.item_id, title="new"))
    assert rich_error(e.value)["fields"] == ["skus"]
    await stubs.catalog.UpdateItem(cat.UpdateItemRequest(item_id=row.item_id, skus=[
        cat.SkuInput(sku_id=sku_id, price=cny(1000), weight_grams=1001)]))
    assert (await quoted(stubs, "buyer-o", sku_id, 1)).freight_amount == cny(1300)
