"""Seed 003's take-out checkout on the embedded platform, for any test to
reuse (trade's, settlement's): the catalog, promotions, red packet and
freight of the receipt, and the order that buys them.

The receipt (seed 003 §1, §3): m1's rice 39.00 and box fee 1.00, delivery
7.00 of which m1 takes 5.00 off (its 减配送费 promotion, merchant-borne), a
membership 15.00 sold by the platform's own seller (an online service, no
freight) in the same checkout, a platform red packet −7.00 and m1's shop
full reduction −14.00 (40.00 − 14.00, merchant-borne): 55.00 − 26.00 + 7.00
= 36.00 to pay. ``refund_everything`` refunds such an order line by line.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.builders import cny
from tests.e2e.builders import DAY, express_template, ts
from tests.e2e.platform import Platform
from tests.e2e.support import ADDRESS
from zhongtai.auth import Identity
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.promotion.v1 import promotion_pb2 as pr
from zhongtai.trade.v1 import trade_pb2 as tr

RICE, BOX, MEMBERSHIP, FREIGHT = 3_900, 100, 1_500, 700
FULL_REDUCTION, RED_PACKET, FREIGHT_REDUCTION = 1_400, 700, 500
# What the buyer pays: goods − discounts + freight − freight reduction.
PAYS = RICE + BOX + MEMBERSHIP - FULL_REDUCTION - RED_PACKET + FREIGHT - FREIGHT_REDUCTION
BUSINESS_TYPE = "takeout"


@dataclass(frozen=True)
class Takeout:
    """What ``seed_003`` set up: the sellers, SKUs and benefit ids."""

    buyer: str
    merchant: str  # m1: the restaurant
    platform_seller: str  # the platform's own seller (the membership)
    rice: str
    box: str
    membership: str
    full_reduction_id: str
    freight_reduction_id: str
    red_packet_id: str

    def order_request(self, request_id: str) -> tr.CreateOrderRequest:
        """The checkout: rice, box fee and membership, the red packet, as take-out."""
        return tr.CreateOrderRequest(
            request_id=request_id, buyer_id=self.buyer, address=ADDRESS,
            business_type=BUSINESS_TYPE,
            lines=[tr.OrderLineInput(sku_id=s, quantity=1)
                   for s in (self.rice, self.box, self.membership)],
            benefits=tr.Benefits(red_packet_id=self.red_packet_id))


async def _item(p: Platform, seller_id: str, title: str, price: int, item_type: int) -> str:
    item = (await p.stubs.catalog.CreateItem(cat.CreateItemRequest(
        seller_id=seller_id, title=title, item_type=item_type, category_id=title,
        skus=[cat.SkuInput(price=cny(price), initial_stock=100,
                           weight_grams=300 if item_type == cat.ITEM_TYPE_PHYSICAL else 0)]
    ))).item
    return item.skus[0].sku_id


async def seed_003(p: Platform, buyer: str = "chen", *, merchant: str = "m1",
                   platform_seller: str = "platform") -> Takeout:
    """Seed 003's sellers, SKUs, promotions, freight template and the
    buyer's red packet (ids chosen by the caller; once per platform)."""
    catalog = p.stubs.catalog
    for seller_id, name in ((merchant, "烤肉饭店"), (platform_seller, "平台自营")):
        await catalog.CreateSeller(cat.CreateSellerRequest(
            request_id=f"seller-{seller_id}", display_name=name, seller_id=seller_id))
    rice = await _item(p, merchant, "烤肉饭", RICE, cat.ITEM_TYPE_PHYSICAL)
    box = await _item(p, merchant, "打包费", BOX, cat.ITEM_TYPE_PHYSICAL)
    membership = await _item(p, platform_seller, "会员", MEMBERSHIP,
                             cat.ITEM_TYPE_ONLINE_SERVICE)
    # Delivery 7.00 however many units (first unit 7.00, each more 0).
    await express_template(p.logistics, merchant, FREIGHT, 0)
    full = (await p.promotion.CreatePromotion(pr.CreatePromotionRequest(
        request_id=f"full-{merchant}", promotion=pr.Promotion(
            kind=pr.PROMOTION_KIND_SHOP_FULL_REDUCTION, title="满40减14",
            scope=pr.Scope(seller_id=merchant),
            ladders=[pr.Ladder(threshold=cny(RICE + BOX), amount_off=cny(FULL_REDUCTION))],
            start_time=ts(-DAY), end_time=ts(DAY))))).promotion
    freight = (await p.promotion.CreatePromotion(pr.CreatePromotionRequest(
        request_id=f"freight-{merchant}", promotion=pr.Promotion(
            kind=pr.PROMOTION_KIND_FREIGHT_REDUCTION, title="减配送费5元",
            scope=pr.Scope(seller_id=merchant), amount_off=cny(FREIGHT_REDUCTION),
            start_time=ts(-DAY), end_time=ts(DAY))))).promotion
    pool = (await p.promotion.CreateRedPacketPool(pr.CreateRedPacketPoolRequest(
        request_id=f"pool-{buyer}", pool=pr.RedPacketPool(
            budget=cny(100_000), valid_days=7)))).pool
    red_packet = (await p.promotion.IssueRedPacket(pr.IssueRedPacketRequest(
        request_id=f"rp-{buyer}", pool_id=pool.pool_id, buyer_id=buyer,
        amount=cny(RED_PACKET)))).red_packet
    return Takeout(buyer, merchant, platform_seller, rice, box, membership, full.promotion_id,
                   freight.promotion_id, red_packet.red_packet_id)


async def refund_everything(p: Platform, order: tr.Order) -> list[tr.RefundPlan]:
    """Refund every line of a paid order in full, one claim each, as
    after-sales does (its service credential): the plans, in line order."""
    as_aftersales = p.as_(Identity.for_service("aftersales"))
    trade, plans = p.stubs.trade, []
    for line in order.sub_orders if order.is_main else [order]:
        app = f"refund-{line.order_id}"
        await trade.OpenRefund(tr.OpenRefundRequest(
            application_id=app, line_order_id=line.order_id, buyer_id=order.buyer_id,
            kind=tr.REFUND_KIND_REFUND_ONLY, quantity=line.quantity,
            amount=line.actual_amount), metadata=as_aftersales)
        plans.append((await trade.AgreeRefund(tr.AgreeRefundRequest(application_id=app),
                                              metadata=as_aftersales)).plan)
        await trade.FinishRefund(tr.FinishRefundRequest(
            application_id=app, outcome=tr.REFUND_OUTCOME_KIND_REFUNDED),
            metadata=as_aftersales)
    return plans
