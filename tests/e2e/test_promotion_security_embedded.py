"""promotion's security end to end, through the stubs on the embedded
platform, with explicit credentials: the contract's limits refuse
out-of-range input with INVALID_ARGUMENT and field violations (never
INTERNAL, UNAVAILABLE or an oversized error); a seller acts only on its own
shop's promotions, a buyer only on their own benefits, value is created by
staff only; whatever is refused writes nothing; every change is in the
trail of the resources it changed, for operators."""

from __future__ import annotations

import datetime as dt

import grpc
import pytest

from tests.builders import cny, envelope
from tests.e2e.builders import deliver, ts
from tests.e2e.platform import Platform
from tests.e2e.support import credential, refusal
from tests.promotion_support import rows
from zhongtai.auth import Identity, Role
from zhongtai.common.v1.audit_pb2 import AuditEntry
from zhongtai.common.v1.common_pb2 import Money
from zhongtai.promotion.v1 import promotion_pb2 as pb
from zhongtai.trade.v1 import events_pb2 as trade_events
from zhongtai.trade.v1 import trade_pb2 as tr

pytestmark = pytest.mark.e2e

INVALID = grpc.StatusCode.INVALID_ARGUMENT
HUGE = 2**62 + 1


HOUR = dt.timedelta(hours=1)


async def test_out_of_range_input_is_invalid_argument_and_writes_nothing(
        platform: Platform) -> None:
    stub = platform.promotion
    db = platform.runtime.dbs["promotion"]
    before = await rows(db)
    line = pb.QuoteLine(line_id="l", seller_id="s", sku_id="k", unit_price=cny(HUGE),
                        quantity=2**62)
    cases = {
        # An oversized id is refused as such, not echoed (RESOURCE_EXHAUSTED).
        "promotion_id": stub.GetPromotion(pb.GetPromotionRequest(promotion_id="p" * 20_000)),
        "card_id": stub.GetStoredValueCard(pb.GetStoredValueCardRequest(card_id="c" * 20_000)),
        # A 999-off promotion of 2^62+1 off, a price beyond any SKU's.
        "promotion.amount_off.amount_minor": stub.CreatePromotion(pb.CreatePromotionRequest(
            promotion=pb.Promotion(kind=pb.PROMOTION_KIND_ITEM_DIRECT_REDUCTION, title="t",
                                   amount_off=cny(HUGE), start_time=ts(-HOUR),
                                   end_time=ts(HOUR)))),
        "lines[0].unit_price.amount_minor": stub.Quote(pb.QuoteRequest(
            buyer_id="b", lines=[line])),
        "points": stub.EarnPoints(pb.EarnPointsRequest(request_id="e", buyer_id="b",
                                                       points=2**62)),
        "balance.currency_code": stub.CreateStoredValueCard(pb.CreateStoredValueCardRequest(
            buyer_id="b", balance=Money(currency_code="XXX", amount_minor=100))),
        "buyer_id": stub.CreateStoredValueCard(pb.CreateStoredValueCardRequest(
            buyer_id="   ", balance=cny(100))),
        "pool.budget.amount_minor": stub.CreateRedPacketPool(pb.CreateRedPacketPoolRequest(
            pool=pb.RedPacketPool(budget=cny(-1), valid_days=1))),
        "order_id": stub.ReleaseBenefits(pb.ReleaseBenefitsRequest(order_id="o\x00")),
    }
    for field, call in cases.items():
        error = await refusal(call, INVALID)
        assert field in error["fields"], (field, error)  # type: ignore[operator]
        assert all(len(v) <= 256 for v in error["metadata"].values())  # type: ignore[attr-defined]
    assert await rows(db) == before


S1 = Identity(Role.SELLER, "acct-1", frozenset({"s1"}))
S2 = Identity(Role.SELLER, "acct-2", frozenset({"s2"}))
B1, B2 = Identity(Role.BUYER, "b1"), Identity(Role.BUYER, "b2")
OPS = Identity(Role.OPERATOR, "ops-1")
DENIED = grpc.StatusCode.PERMISSION_DENIED


def off_999(seller: str, platform_share_bps: int = 0) -> pb.CreatePromotionRequest:
    """9.99 off every unit of a shop's goods (no seller: every shop's)."""
    return pb.CreatePromotionRequest(promotion=pb.Promotion(
        kind=pb.PROMOTION_KIND_ITEM_DIRECT_REDUCTION, title="999 off", amount_off=cny(999),
        scope=pb.Scope(seller_id=seller), start_time=ts(-HOUR), end_time=ts(HOUR),
        cost_sharing=pb.CostSharing(platform_share_bps=platform_share_bps)))


async def test_a_seller_runs_promotions_only_for_its_own_shop_at_its_own_cost(
        platform: Platform) -> None:
    stub, issuer = platform.promotion, platform.runtime.access.issuer
    db = platform.runtime.dbs["promotion"]
    before = await rows(db)
    refused = {
        "SUBJECT_MISMATCH": stub.CreatePromotion(off_999("s2"),
                                                 metadata=credential(issuer, S1)),
        "PLATFORM_RULE_STAFF_ONLY": stub.CreatePromotion(off_999(""),
                                                         metadata=credential(issuer, S1)),
        "ROLE_NOT_ALLOWED": stub.CreatePromotion(off_999("s1"),
                                                 metadata=credential(issuer, B1)),
    }
    for name, call in refused.items():
        assert (await refusal(call, DENIED))["reason"] == name
    shared = await refusal(stub.CreatePromotion(off_999("s1", 10_000),
                                                metadata=credential(issuer, S1)), DENIED)
    assert shared["reason"] == "PLATFORM_RULE_STAFF_ONLY"
    assert shared["metadata"] == {"field": "promotion.cost_sharing.platform_share_bps"}
    template = pb.CreateCouponTemplateRequest(template=pb.CouponTemplate(
        title="t", kind=pb.COUPON_KIND_NO_THRESHOLD, amount_off=cny(999), valid_days=1,
        total_quantity=10, scope=pb.Scope(seller_id="s1")))
    mismatch = await refusal(stub.CreateCouponTemplate(template, metadata=credential(issuer, S2)),
                             DENIED)
    assert mismatch["reason"] == "SUBJECT_MISMATCH"
    assert await rows(db) == before  # nothing written

    own = (await stub.CreatePromotion(off_999("s1"), metadata=credential(issuer, S1))).promotion
    platform_wide = (await stub.CreatePromotion(off_999("", 5000),
                                                metadata=credential(issuer, OPS))).promotion
    # Ending: the promotion's seller, or staff; a platform-wide one staff only.
    for promotion_id, seller in ((own.promotion_id, S2), (platform_wide.promotion_id, S1)):
        error = await refusal(stub.EndPromotion(pb.EndPromotionRequest(
            promotion_id=promotion_id), metadata=credential(issuer, seller)), DENIED)
        assert (error["reason"], error["metadata"]) == (
            "NOT_THE_OWNER", {"resource": f"promotions/{promotion_id}"})
    assert not (await stub.GetPromotion(pb.GetPromotionRequest(
        promotion_id=own.promotion_id))).promotion.ended
    ended = await stub.EndPromotion(pb.EndPromotionRequest(promotion_id=own.promotion_id),
                                    metadata=credential(issuer, S1))
    assert ended.promotion.ended
    ended = await stub.EndPromotion(pb.EndPromotionRequest(
        promotion_id=platform_wide.promotion_id), metadata=credential(issuer, OPS))
    assert ended.promotion.ended


async def test_who_may_ask_is_checked_before_what_is_asked(platform: Platform) -> None:
    """AIP-211: a caller that may not create a rule, or quote for a buyer,
    learns nothing about its request's validity (PERMISSION_DENIED, not
    INVALID_ARGUMENT); the same request of one who may is INVALID_ARGUMENT."""
    stub, issuer = platform.promotion, platform.runtime.access.issuer
    db = platform.runtime.dbs["promotion"]
    before = await rows(db)
    # A promotion ending before it starts, without the amount its kind needs.
    promotion = off_999("s1")
    promotion.promotion.ClearField("amount_off")
    promotion.promotion.end_time.CopyFrom(ts(-2 * HOUR))
    # A no-threshold coupon with a rate and no amount, valid for no time.
    template = pb.CreateCouponTemplateRequest(template=pb.CouponTemplate(
        title="t", kind=pb.COUPON_KIND_NO_THRESHOLD, rate_bps=500, total_quantity=10,
        scope=pb.Scope(seller_id="s1")))
    platform_wide = pb.CreatePromotionRequest()
    platform_wide.CopyFrom(promotion)
    platform_wide.promotion.scope.seller_id = ""
    quote = pb.QuoteRequest(buyer_id="b1", coupon_ids=["c", "c"])  # no lines, a repeated id
    denied = {
        "SUBJECT_MISMATCH": [
            stub.CreatePromotion(promotion, metadata=credential(issuer, S2)),
            stub.CreateCouponTemplate(template, metadata=credential(issuer, S2)),
            stub.Quote(quote, metadata=credential(issuer, B2)),
            stub.BestCoupons(pb.BestCouponsRequest(quote=quote),
                             metadata=credential(issuer, B2))],
        "PLATFORM_RULE_STAFF_ONLY": [
            stub.CreatePromotion(platform_wide, metadata=credential(issuer, S1))],
    }
    for reason, calls in denied.items():
        for call in calls:
            assert (await refusal(call, DENIED))["reason"] == reason
    invalid = {
        "promotion.end_time": stub.CreatePromotion(promotion, metadata=credential(issuer, S1)),
        "template.amount_off": stub.CreateCouponTemplate(template,
                                                         metadata=credential(issuer, S1)),
        "lines": stub.Quote(quote, metadata=credential(issuer, B1)),
        "quote.coupon_ids": stub.BestCoupons(pb.BestCouponsRequest(quote=quote),
                                             metadata=credential(issuer, B1)),
    }
    for field, call in invalid.items():
        assert field in (await refusal(call, INVALID))["fields"]  # type: ignore[operator]
    assert await rows(db) == before  # nothing written


async def test_a_buyer_reads_and_uses_only_their_own_benefits(platform: Platform) -> None:
    stub, issuer = platform.promotion, platform.runtime.access.issuer
    db = platform.runtime.dbs["promotion"]
    as_b1, as_b2 = credential(issuer, B1), credential(issuer, B2)
    template = (await stub.CreateCouponTemplate(pb.CreateCouponTemplateRequest(
        template=pb.CouponTemplate(title="5 off", kind=pb.COUPON_KIND_NO_THRESHOLD,
                                   amount_off=cny(500), valid_days=7, total_quantity=10)))
                ).template
    # A buyer claims for themself (no buyer_id: the credential's).
    coupon = (await stub.ClaimCoupon(pb.ClaimCouponRequest(
        template_id=template.template_id), metadata=as_b1)).coupon
    assert coupon.buyer_id == "b1"
    card = (await stub.CreateStoredValueCard(pb.CreateStoredValueCardRequest(
        buyer_id="b1", balance=cny(10_000)))).card
    await stub.EarnPoints(pb.EarnPointsRequest(request_id="e-b1", buyer_id="b1", points=500))
    before = await rows(db)

    cart = [pb.QuoteLine(line_id="l", seller_id="s1", sku_id="k", unit_price=cny(1000),
                         quantity=1)]
    someone_elses = {
        "ClaimCoupon": stub.ClaimCoupon(pb.ClaimCouponRequest(
            template_id=template.template_id, buyer_id="b1"), metadata=as_b2),
        "ListCoupons": stub.ListCoupons(pb.ListCouponsRequest(buyer_id="b1"), metadata=as_b2),
        "GetPointsAccount": stub.GetPointsAccount(pb.GetPointsAccountRequest(buyer_id="b1"),
                                                  metadata=as_b2),
        "ListRedPackets": stub.ListRedPackets(pb.ListRedPacketsRequest(buyer_id="b1"),
                                              metadata=as_b2),
        "Quote": stub.Quote(pb.QuoteRequest(buyer_id="b1", lines=cart,
                                            coupon_ids=[coupon.coupon_id]), metadata=as_b2),
        "BestCoupons": stub.BestCoupons(pb.BestCouponsRequest(quote=pb.QuoteRequest(
            buyer_id="b1", lines=cart)), metadata=as_b2),
    }
    for method, call in someone_elses.items():
        error = await refusal(call, DENIED)
        assert error["reason"] == "SUBJECT_MISMATCH", method
    error = await refusal(stub.GetStoredValueCard(pb.GetStoredValueCardRequest(
        card_id=card.card_id), metadata=as_b2), DENIED)
    assert error["reason"] == "NOT_THE_OWNER"
    # Creating value is staff's: a buyer cannot give themself points or a card.
    for call in (stub.EarnPoints(pb.EarnPointsRequest(request_id="e-b2", buyer_id="b2",
                                                      points=1_000_000), metadata=as_b2),
                 stub.CreateStoredValueCard(pb.CreateStoredValueCardRequest(
                     buyer_id="b2", balance=cny(1_000_000)), metadata=as_b2),
                 stub.HoldBenefits(pb.HoldBenefitsRequest(order_id="o-b2", quote=pb.QuoteRequest(
                     buyer_id="b2", lines=cart)), metadata=as_b2)):
        assert (await refusal(call, DENIED))["reason"] == "ROLE_NOT_ALLOWED"
    assert await rows(db) == before  # nothing written

    # Their own: the buyer with or without naming themself, and staff naming them.
    mine = await stub.ListCoupons(pb.ListCouponsRequest(), metadata=as_b1)
    assert [c.coupon_id for c in mine.coupons] == [coupon.coupon_id]
    assert (await stub.GetPointsAccount(pb.GetPointsAccountRequest(buyer_id="b1"),
                                        metadata=as_b1)).account.available == 500
    assert (await stub.GetStoredValueCard(pb.GetStoredValueCardRequest(card_id=card.card_id),
                                          metadata=as_b1)).card.buyer_id == "b1"
    quote = await stub.Quote(pb.QuoteRequest(lines=cart, coupon_ids=[coupon.coupon_id]),
                             metadata=as_b1)
    assert quote.payable_amount.amount_minor == 500
    staff = await stub.ListCoupons(pb.ListCouponsRequest(buyer_id="b1"),
                                   metadata=credential(issuer, OPS))
    assert [c.coupon_id for c in staff.coupons] == [coupon.coupon_id]
    # Staff name the buyer: a list for nobody in particular is refused.
    error = await refusal(stub.ListCoupons(pb.ListCouponsRequest(),
                                           metadata=credential(issuer, OPS)), INVALID)
    assert error["fields"] == ["buyer_id"]


def trail_of(entries: list[AuditEntry]) -> list[tuple[str, str, str, str, str]]:
    return [(e.subject, e.role, e.app, e.action, e.detail) for e in entries]


async def test_every_change_is_in_the_trail_of_what_it_changed(platform: Platform) -> None:
    """A buyer's claim, trade's hold and the cancel event promotion consumed
    each left an entry on the coupon (who, as what, through what); operators
    read trails, page by page, and nobody else."""
    stub, issuer = platform.promotion, platform.runtime.access.issuer
    as_ops = credential(issuer, Identity(Role.OPERATOR, "ops-1", app="ops-console"))
    template = (await stub.CreateCouponTemplate(pb.CreateCouponTemplateRequest(
        template=pb.CouponTemplate(title="5 off", kind=pb.COUPON_KIND_NO_THRESHOLD,
                                   amount_off=cny(500), valid_days=7, total_quantity=10,
                                   restore_on_cancel=True)), metadata=as_ops)).template
    coupon = (await stub.ClaimCoupon(pb.ClaimCouponRequest(template_id=template.template_id),
                                     metadata=credential(issuer, B1))).coupon
    cart = [pb.QuoteLine(line_id="l", seller_id="s1", sku_id="k", unit_price=cny(1000),
                         quantity=1)]
    await stub.HoldBenefits(pb.HoldBenefitsRequest(order_id="o-1", quote=pb.QuoteRequest(
        buyer_id="b1", lines=cart, coupon_ids=[coupon.coupon_id])),
        metadata=credential(issuer, Identity.for_service("trade")))
    await deliver(platform, envelope(trade_events.OrderCancelled(order=tr.Order(
        order_id="o-1")), "trade.order.cancelled", "o-1"))

    async def entries(resource_type: str, resource_id: str) -> list[AuditEntry]:
        out, token = [], ""
        while True:  # two entries a page
            page = await stub.ListAuditEntries(pb.ListAuditEntriesRequest(
                resource_type=resource_type, resource_id=resource_id, page_size=2,
                page_token=token), metadata=as_ops)
            out.extend(page.entries)
            if not (token := page.next_page_token):
                return out

    cancelled = "event zhongtai.trade.v1.OrderCancelled"
    assert trail_of(await entries("coupon", coupon.coupon_id)) == [
        ("b1", "buyer", "", "ClaimCoupon",
         f"claimed from template {template.template_id} by buyer b1"),
        ("trade", "service", "", "HoldBenefits", "locked for order o-1"),
        ("promotion", "service", "", cancelled, "released by order o-1: AVAILABLE"),
    ]
    assert [e[:4] for e in trail_of(await entries("coupon_template", template.template_id))] == [
        ("ops-1", "operator", "ops-console", "CreateCouponTemplate"),
        ("b1", "buyer", "", "ClaimCoupon")]
    assert [(e[0], e[3], e[4]) for e in trail_of(await entries("benefit_hold", "o-1"))] == [
        ("trade", "HoldBenefits",
         "HELD for buyer b1: coupons ['" + coupon.coupon_id + "'], 0 points, red packet none, "
         "card none 0"),
        ("promotion", cancelled, "HELD -> RELEASED")]
    # Operators only, and only promotion's resources.
    denied = await refusal(stub.ListAuditEntries(pb.ListAuditEntriesRequest(
        resource_type="coupon", resource_id=coupon.coupon_id),
        metadata=credential(issuer, B1)), DENIED)
    assert denied["reason"] == "ROLE_NOT_ALLOWED"
    unknown = await refusal(stub.ListAuditEntries(pb.ListAuditEntriesRequest(
        resource_type="order", resource_id="o-1"), metadata=as_ops), INVALID)
    assert unknown["fields"] == ["resource_type"]
