"""Builders for end-to-end tests of priced orders: the embedded platform with
promotion and logistics stubs, coupons, a freight template, the buyer's
points and card as they read, and what every order's amounts must satisfy."""

from __future__ import annotations

import datetime as dt

from google.protobuf.timestamp_pb2 import Timestamp

from tests.builders import cny
from zhongtai.logistics.v1 import logistics_pb2 as lg
from zhongtai.logistics.v1 import logistics_pb2_grpc as lg_grpc
from zhongtai.promotion.v1 import promotion_pb2 as pr
from zhongtai.promotion.v1 import promotion_pb2_grpc as pr_grpc
from zhongtai.trade.v1 import trade_pb2 as tr

DAY = dt.timedelta(days=1)
CARD = pr.DEDUCTION_KIND_STORED_VALUE_CARD
POINTS = pr.DEDUCTION_KIND_POINTS


def ts(delta: dt.timedelta) -> Timestamp:
    t = Timestamp()
    t.FromDatetime(dt.datetime.now(dt.UTC) + delta)
    return t


async def coupon_for(promo: pr_grpc.PromotionServiceStub, buyer: str, *, seller: str = "",
                     threshold: int, off: int, restore: bool = True,
                     platform_share: int = 0) -> str:
    template = (await promo.CreateCouponTemplate(pr.CreateCouponTemplateRequest(
        template=pr.CouponTemplate(
            title="coupon", kind=pr.COUPON_KIND_FULL_REDUCTION, scope=pr.Scope(seller_id=seller),
            threshold=cny(threshold), amount_off=cny(off), claim_start_time=ts(-DAY),
            claim_end_time=ts(DAY), valid_start_time=ts(-DAY), valid_end_time=ts(DAY),
            total_quantity=100, per_buyer_limit=5, restore_on_cancel=restore,
            cost_sharing=pr.CostSharing(platform_share_bps=platform_share))))).template
    coupon = (await promo.ClaimCoupon(pr.ClaimCouponRequest(
        template_id=template.template_id, buyer_id=buyer))).coupon
    return coupon.coupon_id


async def coupon_status(promo: pr_grpc.PromotionServiceStub, buyer: str, coupon_id: str) -> int:
    coupons = (await promo.ListCoupons(pr.ListCouponsRequest(buyer_id=buyer))).coupons
    return next(c.status for c in coupons if c.coupon_id == coupon_id)


async def express_template(logistics: lg_grpc.LogisticsServiceStub, seller_id: str,
                           first_fee: int, additional_fee: int) -> None:
    """The seller's default freight: ``first_fee`` for the first unit,
    ``additional_fee`` for each more, anywhere."""
    await logistics.CreateFreightTemplate(lg.CreateFreightTemplateRequest(
        request_id=f"express-{seller_id}", template=lg.FreightTemplate(
            seller_id=seller_id, name="express", delivery_method=lg.DELIVERY_METHOD_EXPRESS,
            charging_basis=lg.CHARGING_BASIS_BY_COUNT, is_default=True,
            unlisted_regions_deliverable=True,
            default_rule=lg.FreightRule(first_units=1, first_fee=cny(first_fee),
                                        additional_units=1,
                                        additional_fee=cny(additional_fee)))))


async def points_of(promo: pr_grpc.PromotionServiceStub, buyer: str) -> tuple[int, int, int]:
    """(balance, frozen, available)."""
    a = (await promo.GetPointsAccount(pr.GetPointsAccountRequest(buyer_id=buyer))).account
    return a.balance, a.frozen, a.available


async def card_of(promo: pr_grpc.PromotionServiceStub, card_id: str) -> tuple[int, int, int]:
    """(balance, held, available)."""
    c = (await promo.GetStoredValueCard(pr.GetStoredValueCardRequest(card_id=card_id))).card
    return c.balance.amount_minor, c.held.amount_minor, c.available.amount_minor


def deducted(order: tr.Order, kinds: set[int] | None = None) -> int:
    return sum(d.amount.amount_minor for d in order.deductions
               if kinds is None or d.kind in kinds)


def check_amounts(order: tr.Order) -> None:
    """What trade.proto says of a top-level order's amounts, exactly."""
    lines = list(order.sub_orders) if order.is_main else [order]
    for o in [order, *order.sub_orders]:
        # discount: every deduction, the card's included; actual: what is left.
        assert o.discount_amount.amount_minor == deducted(o)
        assert o.actual_amount.amount_minor == (o.total_amount.amount_minor
                                                - o.discount_amount.amount_minor
                                                + o.adjust_amount.amount_minor) >= 0
        for d in o.deductions:
            assert d.platform_amount.amount_minor + d.merchant_amount.amount_minor == \
                d.amount.amount_minor
            if d.kind == CARD:  # the platform's prepaid money: it funds the card
                assert d.platform_amount == d.amount
    for name in ("total_amount", "discount_amount", "actual_amount", "freight_amount"):
        assert getattr(order, name).amount_minor == sum(
            getattr(x, name).amount_minor for x in lines)
    pay = order.pay_order
    assert pay.kind == tr.PAY_ORDER_KIND_FULL
    assert pay.point_amount.amount_minor == deducted(order, {POINTS})
    assert pay.stored_value_amount.amount_minor == deducted(order, {CARD})
    assert (pay.point_amount.amount_minor + pay.stored_value_amount.amount_minor
            + pay.discount_amount.amount_minor) == order.discount_amount.amount_minor
    assert pay.actual_amount.amount_minor == (
        order.total_amount.amount_minor - order.discount_amount.amount_minor
        + order.adjust_amount.amount_minor + order.freight_amount.amount_minor)
    assert pay.actual_amount.amount_minor == (order.actual_amount.amount_minor
                                              + pay.freight_amount.amount_minor)
