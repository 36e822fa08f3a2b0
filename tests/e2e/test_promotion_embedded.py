"""promotion end to end on the embedded default (SQLite, in-process broker),
called through generated stubs: set up promotions, coupons, points, red
packets and cards, price carts exactly, hold and release through events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from promotion.reasons import E as PROMOTION_REASONS
from tests.builders import cny
from tests.conftest import equals, eventually
from tests.e2e.platform import Platform
from tests.e2e.support import Recorder, refusal, rich_error
from zhongtai.db import utcnow
from zhongtai.events import Envelope
from zhongtai.ids import new_id
from zhongtai.promotion.v1 import promotion_pb2 as pb
from zhongtai.promotion.v1 import promotion_pb2_grpc as pb_grpc
from zhongtai.runtime import Runtime
from zhongtai.trade.v1 import events_pb2 as trade_events
from zhongtai.trade.v1 import trade_pb2 as tr

pytestmark = pytest.mark.e2e

K = pb.DeductionKind


@dataclass
class Env:
    runtime: Runtime
    stub: pb_grpc.PromotionServiceStub
    channel: grpc.aio.Channel


@pytest.fixture
def env(platform: Platform) -> Env:
    return Env(platform.runtime, platform.promotion, platform.stubs.channels[0])


def ts(delta_hours: float) -> Timestamp:
    out = Timestamp()
    out.FromDatetime(utcnow() + dt.timedelta(hours=delta_hours))
    return out


def line(line_id: str, seller: str, category: str, price: int, qty: int) -> pb.QuoteLine:
    return pb.QuoteLine(line_id=line_id, seller_id=seller, sku_id=line_id,
                        category_id=category, unit_price=cny(price), quantity=qty)


# Two sellers, three SKUs: 2 x 100.00 + 1 x 50.00 from A, 3 x 30.00 from B.
CART = [line("a1", "A", "c1", 10_000, 2), line("a2", "A", "c2", 5000, 1),
        line("b1", "B", "c1", 3000, 3)]


async def promotion(stub: pb_grpc.PromotionServiceStub, **fields: object) -> pb.Promotion:
    return (await stub.CreatePromotion(pb.CreatePromotionRequest(promotion=pb.Promotion(
        start_time=ts(-1), end_time=ts(1), **fields)))).promotion  # type: ignore[arg-type]


async def coupon(stub: pb_grpc.PromotionServiceStub, buyer: str, seller: str, threshold: int,
                 off: int, platform_bps: int = 10_000, restore: bool = True) -> str:
    template = (await stub.CreateCouponTemplate(pb.CreateCouponTemplateRequest(
        template=pb.CouponTemplate(
            title=f"{off} off {threshold}", kind=pb.COUPON_KIND_FULL_REDUCTION,
            scope=pb.Scope(seller_id=seller), threshold=cny(threshold), amount_off=cny(off),
            valid_days=30, total_quantity=100, per_buyer_limit=1, restore_on_cancel=restore,
            cost_sharing=pb.CostSharing(platform_share_bps=platform_bps))))).template
    claimed = await stub.ClaimCoupon(pb.ClaimCouponRequest(
        request_id=f"claim-{template.template_id}-{buyer}", template_id=template.template_id,
        buyer_id=buyer))
    return claimed.coupon.coupon_id


async def seed_promotions(stub: pb_grpc.PromotionServiceStub) -> tuple[str, str]:
    item = await promotion(stub, kind=pb.PROMOTION_KIND_ITEM_DIRECT_REDUCTION, title="a1 -10",
                           scope=pb.Scope(seller_id="A", sku_ids=["a1"]), amount_off=cny(1000))
    shop = await promotion(stub, kind=pb.PROMOTION_KIND_SHOP_FULL_REDUCTION,
                           title="B: 10 off 80, 30 off 200", scope=pb.Scope(seller_id="B"),
                           ladders=[pb.Ladder(threshold=cny(8000), amount_off=cny(1000)),
                                    pb.Ladder(threshold=cny(20_000), amount_off=cny(3000))])
    return item.promotion_id, shop.promotion_id


def deductions(q: pb.QuoteResponse) -> dict[str, list[tuple[int, int, int]]]:
    return {x.line_id: [(d.kind, d.amount.amount_minor, d.platform_amount.amount_minor)
                        for d in x.deductions] for x in q.lines}


def check_exact(q: pb.QuoteResponse) -> None:
    """Every part adds up to the cent."""
    for x in q.lines:
        assert x.original_amount.amount_minor - sum(
            d.amount.amount_minor for d in x.deductions) == x.actual_amount.amount_minor >= 0
        for d in x.deductions:
            # Every deduction is borne in full; the card by the platform.
            assert d.platform_amount.amount_minor + d.merchant_amount.amount_minor == \
                d.amount.amount_minor
            if d.kind == pb.DEDUCTION_KIND_STORED_VALUE_CARD:
                assert d.merchant_amount.amount_minor == 0
    assert sum(x.actual_amount.amount_minor for x in q.lines) == q.payable_amount.amount_minor
    assert (q.original_amount.amount_minor - q.deducted_amount.amount_minor
            == q.payable_amount.amount_minor)
    assert sum(s.actual_amount.amount_minor for s in q.sellers) == q.payable_amount.amount_minor
    assert sum(d.amount.amount_minor for d in q.deductions) == q.deducted_amount.amount_minor
    for total in q.deductions:
        assert total.amount.amount_minor == sum(
            d.amount.amount_minor for x in q.lines for d in x.deductions
            if (d.kind, d.source_id) == (total.kind, total.source_id))


async def test_two_seller_cart_with_every_kind_of_deduction_adds_up_exactly(env: Env) -> None:
    stub = env.stub
    item_id, shop_id = await seed_promotions(stub)
    platform_coupon = await coupon(stub, "buyer-1", "", 30_000, 2000, platform_bps=5000)
    await stub.EarnPoints(pb.EarnPointsRequest(request_id="welcome-1", buyer_id="buyer-1",
                                               points=10_000))
    q = await stub.Quote(pb.QuoteRequest(buyer_id="buyer-1", lines=CART,
                                         coupon_ids=[platform_coupon], points=1000))
    check_exact(q)
    # 340.00 - 20.00 item - 10.00 shop - 20.00 coupon - 10.00 points (1000 points)
    assert q.original_amount.amount_minor == 34_000
    assert q.payable_amount.amount_minor == 28_000 and q.points_used == 1000
    # The coupon and the points are spread over the lines in proportion to
    # what is left of them (18000 : 5000 : 8000, then 16839 : 4678 : 7483),
    # rounding down, the remainder to the last line.
    assert deductions(q) == {
        "a1": [(K.DEDUCTION_KIND_ITEM_DIRECT_REDUCTION, 2000, 0),
               (K.DEDUCTION_KIND_PLATFORM_COUPON, 1161, 580),
               (K.DEDUCTION_KIND_POINTS, 580, 580)],
        "a2": [(K.DEDUCTION_KIND_PLATFORM_COUPON, 322, 161),
               (K.DEDUCTION_KIND_POINTS, 161, 161)],
        "b1": [(K.DEDUCTION_KIND_SHOP_PROMOTION, 1000, 0),
               (K.DEDUCTION_KIND_PLATFORM_COUPON, 517, 258),
               (K.DEDUCTION_KIND_POINTS, 259, 259)],
    }
    assert [x.actual_amount.amount_minor for x in q.lines] == [16_259, 4517, 7224]
    sources = {(d.kind, d.source_id): d.amount.amount_minor for d in q.deductions}
    assert sources == {(K.DEDUCTION_KIND_ITEM_DIRECT_REDUCTION, item_id): 2000,
                       (K.DEDUCTION_KIND_SHOP_PROMOTION, shop_id): 1000,
                       (K.DEDUCTION_KIND_PLATFORM_COUPON, platform_coupon): 2000,
                       (K.DEDUCTION_KIND_POINTS, ""): 1000}
    sellers = {s.seller_id: (s.original_amount.amount_minor, s.deducted_amount.amount_minor,
                             s.merchant_borne_amount.amount_minor,
                             s.platform_borne_amount.amount_minor) for s in q.sellers}
    assert sellers == {"A": (25_000, 4224, 2742, 1482), "B": (9000, 1776, 1259, 517)}
    assert list(q.unused_coupon_ids) == []
    # No side effects: the same request gives the same quote.
    again = await stub.Quote(pb.QuoteRequest(buyer_id="buyer-1", lines=CART,
                                             coupon_ids=[platform_coupon], points=1000))
    assert again == q


async def test_best_coupons_picks_the_combination_that_saves_most(env: Env) -> None:
    stub = env.stub
    await seed_promotions(stub)
    small = await coupon(stub, "buyer-2", "", 10_000, 1000)
    big = await coupon(stub, "buyer-2", "", 30_000, 2500)
    shop_b = await coupon(stub, "buyer-2", "B", 5000, 500, platform_bps=0)
    await coupon(stub, "buyer-2", "A", 50_000, 5000, platform_bps=0)  # out of reach
    await coupon(stub, "someone-else", "", 100, 9000)  # not the buyer's
    best = (await stub.BestCoupons(pb.BestCouponsRequest(quote=pb.QuoteRequest(
        buyer_id="buyer-2", lines=CART)))).quote
    check_exact(best)
    assert list(best.coupon_ids) == [shop_b, big]
    assert best.payable_amount.amount_minor == 34_000 - 2000 - 1000 - 500 - 2500
    # The same coupons asked for by hand give the same quote; the smaller
    # platform coupon saves less.
    by_hand = await stub.Quote(pb.QuoteRequest(buyer_id="buyer-2", lines=CART,
                                               coupon_ids=[shop_b, big]))
    assert list(by_hand.lines) == list(best.lines)
    worse = await stub.Quote(pb.QuoteRequest(buyer_id="buyer-2", lines=CART,
                                             coupon_ids=[shop_b, small]))
    assert worse.payable_amount.amount_minor > best.payable_amount.amount_minor


async def test_refusals_carry_reasons_and_fields(env: Env) -> None:
    stub = env.stub
    theirs = await coupon(stub, "buyer-3", "", 100, 50)
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await stub.Quote(pb.QuoteRequest(buyer_id="buyer-4", lines=CART, coupon_ids=[theirs]))
    err = rich_error(e.value)
    assert (err["code"], err["reason"]) == (grpc.StatusCode.FAILED_PRECONDITION,
                                            "COUPON_NOT_USABLE")
    assert err["preconditions"] == [f"coupons/{theirs}"]
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await stub.Quote(pb.QuoteRequest(buyer_id="buyer-3", lines=CART, points=10))
    assert rich_error(e.value)["reason"] == "INSUFFICIENT_POINTS"
    # The contract's limits first (promotion.proto), then the domain's rules.
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await stub.Quote(pb.QuoteRequest(buyer_id="buyer-3", lines=[
            line("x", "A", "c1", -1, 0), line("x", "A", "c1", 100, 1)]))
    err = rich_error(e.value)
    assert err["code"] == grpc.StatusCode.INVALID_ARGUMENT
    assert err["fields"] == ["lines[0].unit_price.amount_minor", "lines[0].quantity"]
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await stub.Quote(pb.QuoteRequest(buyer_id="buyer-3", lines=[
            line("x", "A", "c1", 1, 1), line("x", "A", "c1", 100, 1)]))
    assert rich_error(e.value)["fields"] == ["lines[1].line_id"]
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await stub.CreatePromotion(pb.CreatePromotionRequest(promotion=pb.Promotion(
            kind=pb.PROMOTION_KIND_SHOP_FULL_REDUCTION, title="no seller", start_time=ts(1),
            end_time=ts(-1), ladders=[pb.Ladder(threshold=cny(100))])))
    assert rich_error(e.value)["fields"] == [
        "promotion.end_time", "promotion.ladders[0].amount_off", "promotion.scope.seller_id"]
    pool = (await stub.CreateRedPacketPool(pb.CreateRedPacketPoolRequest(
        pool=pb.RedPacketPool(budget=cny(150), valid_days=1)))).pool
    await stub.IssueRedPacket(pb.IssueRedPacketRequest(pool_id=pool.pool_id, buyer_id="b",
                                                       amount=cny(100)))
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await stub.IssueRedPacket(pb.IssueRedPacketRequest(pool_id=pool.pool_id, buyer_id="b",
                                                           amount=cny(100)))
    assert rich_error(e.value)["reason"] == "POOL_EXHAUSTED"
    remaining = (await stub.GetRedPacketPool(pb.GetRedPacketPoolRequest(
        pool_id=pool.pool_id))).pool.remaining
    assert remaining.amount_minor == 50


async def test_earn_points_and_claims_are_idempotent_by_request_id(env: Env) -> None:
    stub = env.stub
    for _ in range(2):
        account = (await stub.EarnPoints(pb.EarnPointsRequest(
            request_id="e-1", buyer_id="buyer-5", points=300, reason="review"))).account
    assert (account.balance, account.frozen) == (300, 0)
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await stub.EarnPoints(pb.EarnPointsRequest(request_id="e-1", buyer_id="buyer-5",
                                                   points=999))
    assert e.value.code() == grpc.StatusCode.ALREADY_EXISTS
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await stub.EarnPoints(pb.EarnPointsRequest(buyer_id="buyer-5", points=1))
    assert rich_error(e.value)["fields"] == ["request_id"]
    template = (await stub.CreateCouponTemplate(pb.CreateCouponTemplateRequest(
        template=pb.CouponTemplate(title="5 off", kind=pb.COUPON_KIND_NO_THRESHOLD,
                                   amount_off=cny(500), valid_days=1, total_quantity=1,
                                   per_buyer_limit=1)))).template
    claims = [await stub.ClaimCoupon(pb.ClaimCouponRequest(
        request_id="c-1", template_id=template.template_id, buyer_id="buyer-5"))
        for _ in range(2)]
    assert claims[0] == claims[1]
    got = (await stub.GetCouponTemplate(pb.GetCouponTemplateRequest(
        template_id=template.template_id))).template
    assert got.issued_quantity == 1


async def test_a_cancelled_order_gets_its_benefits_back_through_the_event(env: Env) -> None:
    stub = env.stub
    events = Recorder()
    await env.runtime.bus.subscribe("test.observer", ["promotion.#"], events)
    platform_coupon = await coupon(stub, "buyer-6", "", 100, 1000)
    await stub.EarnPoints(pb.EarnPointsRequest(request_id="e-6", buyer_id="buyer-6",
                                               points=500))
    card = (await stub.CreateStoredValueCard(pb.CreateStoredValueCardRequest(
        buyer_id="buyer-6", balance=cny(5000)))).card
    request = pb.QuoteRequest(buyer_id="buyer-6", lines=CART, coupon_ids=[platform_coupon],
                              points=500, stored_value_card_id=card.card_id)
    held = await stub.HoldBenefits(pb.HoldBenefitsRequest(order_id="order-6", quote=request))
    assert held.hold.status == pb.HOLD_STATUS_HELD
    assert list(held.hold.coupon_ids) == [platform_coupon] and held.hold.points == 500
    # The card pays what it can: all 50.00 of it.
    assert held.hold.stored_value_amount.amount_minor == 5000
    check_exact(held.quote)
    assert held.quote.payable_amount.amount_minor == 34_000 - 1000 - 500 - 5000
    card_a = (await stub.GetStoredValueCard(pb.GetStoredValueCardRequest(
        card_id=card.card_id))).card
    assert card_a.held.amount_minor == 5000
    # A second order cannot use the locked coupon.
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await stub.Quote(request)
    assert rich_error(e.value)["reason"] == "COUPON_NOT_USABLE"

    event = trade_events.OrderCancelled(order=tr.Order(order_id="order-6"))
    envelope = Envelope(new_id(), "trade.order.cancelled", event.DESCRIPTOR.full_name,
                        event.SerializeToString(), "order-6", utcnow())
    await env.runtime.bus.publish(envelope)
    await env.runtime.bus.publish(envelope)  # a redelivery: no second effect
    coupons = (await stub.ListCoupons(pb.ListCouponsRequest(
        buyer_id="buyer-6", statuses=[pb.COUPON_STATUS_AVAILABLE]))).coupons
    assert [c.coupon_id for c in coupons] == [platform_coupon]
    account = (await stub.GetPointsAccount(pb.GetPointsAccountRequest(
        buyer_id="buyer-6"))).account
    assert (account.balance, account.frozen) == (500, 0)
    card_b = (await stub.GetStoredValueCard(pb.GetStoredValueCardRequest(
        card_id=card.card_id))).card
    assert (card_b.balance.amount_minor, card_b.held.amount_minor) == (5000, 0)
    released = await stub.ReleaseBenefits(pb.ReleaseBenefitsRequest(order_id="order-6"))
    assert released.hold.status == pb.HOLD_STATUS_RELEASED
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await stub.HoldBenefits(pb.HoldBenefitsRequest(order_id="order-6", quote=request))
    assert rich_error(e.value)["reason"] == "HOLD_RELEASED"

    async def hold_events() -> list[int]:
        return [e.decode().hold.status  # type: ignore[attr-defined]
                for e in events.of("zhongtai.promotion.v1.BenefitHoldChanged", "order-6")]

    await eventually(lambda: equals(hold_events(), [pb.HOLD_STATUS_HELD,
                                                    pb.HOLD_STATUS_RELEASED]))
    await events.the_one("zhongtai.promotion.v1.CouponClaimed", platform_coupon)


async def test_stacking_policy_defaults_and_replacement(env: Env) -> None:
    stub = env.stub
    policy = (await stub.GetStackingPolicy(pb.GetStackingPolicyRequest())).policy
    assert list(policy.order) == [K.DEDUCTION_KIND_SHOP_PROMOTION,
                                  K.DEDUCTION_KIND_PLATFORM_PROMOTION,
                                  K.DEDUCTION_KIND_SHOP_COUPON,
                                  K.DEDUCTION_KIND_PLATFORM_COUPON,
                                  K.DEDUCTION_KIND_RED_PACKET, K.DEDUCTION_KIND_POINTS,
                                  K.DEDUCTION_KIND_STORED_VALUE_CARD]
    assert policy.floor_minor == 1 and policy.points_per_unit == 100
    assert policy.over_discount == pb.OVER_DISCOUNT_POLICY_CAP
    assert len(policy.exclusions) == 4
    # Two coupons that together exceed the order (seed 004): capped by default...
    first = await coupon(stub, "buyer-7", "A", 10_000, 9000)
    second = await coupon(stub, "buyer-7", "", 10_000, 7000)
    small = [line("a2", "A", "c2", 10_000, 1)]
    capped = await stub.Quote(pb.QuoteRequest(buyer_id="buyer-7", lines=small,
                                              coupon_ids=[first, second]))
    assert capped.payable_amount.amount_minor == 1
    offered = {d.source_id: (d.amount.amount_minor, d.offered_amount.amount_minor)
               for d in capped.deductions}
    assert offered == {first: (9000, 9000), second: (999, 7000)}
    # ...refused once the policy says so.
    policy.over_discount = pb.OVER_DISCOUNT_POLICY_REFUSE
    updated = (await stub.UpdateStackingPolicy(pb.UpdateStackingPolicyRequest(
        request_id="p-1", policy=policy))).policy
    assert updated == policy
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await stub.Quote(pb.QuoteRequest(buyer_id="buyer-7", lines=small,
                                         coupon_ids=[first, second]))
    assert rich_error(e.value)["reason"] == "OVER_DISCOUNT"
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await stub.UpdateStackingPolicy(pb.UpdateStackingPolicyRequest(policy=pb.StackingPolicy(
            order=[K.DEDUCTION_KIND_FLASH_SALE], points_per_unit=0)))
    assert rich_error(e.value)["fields"] == ["policy.points_per_unit"]  # the contract's
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await stub.UpdateStackingPolicy(pb.UpdateStackingPolicyRequest(policy=pb.StackingPolicy(
            order=[K.DEDUCTION_KIND_FLASH_SALE], points_per_unit=100)))
    assert rich_error(e.value)["fields"] == ["policy.order[0]"]  # the domain's


async def test_a_budget_is_held_and_given_back_by_the_cancel_event_and_shipping_is_free(
        env: Env) -> None:
    stub = env.stub
    full = await promotion(stub, kind=pb.PROMOTION_KIND_SHOP_FULL_REDUCTION,
                           title="B: 10 off 80, at most 15.00", scope=pb.Scope(seller_id="B"),
                           ladders=[pb.Ladder(threshold=cny(8000), amount_off=cny(1000))],
                           budget=cny(1500))
    free = await promotion(stub, kind=pb.PROMOTION_KIND_FREE_SHIPPING, title="B ships free",
                           scope=pb.Scope(seller_id="B"), ladders=[pb.Ladder(threshold=cny(0))])
    request = pb.QuoteRequest(buyer_id="buyer-7", lines=CART)
    held = await stub.HoldBenefits(pb.HoldBenefitsRequest(order_id="order-7", quote=request))
    check_exact(held.quote)
    assert {s.seller_id: (s.free_shipping, s.free_shipping_promotion_id)
            for s in held.quote.sellers} == {"A": (False, ""), "B": (True, free.promotion_id)}

    async def budget() -> tuple[int, int]:
        p = (await stub.GetPromotion(pb.GetPromotionRequest(
            promotion_id=full.promotion_id))).promotion
        return p.budget.amount_minor, p.budget_used.amount_minor

    assert await budget() == (1500, 1000)
    # 5.00 left: the next quote offers that much.
    again = await stub.Quote(request)
    assert [(d.source_id, d.amount.amount_minor) for d in again.deductions] == [
        (full.promotion_id, 500)]
    event = trade_events.OrderCancelled(order=tr.Order(order_id="order-7"))
    await env.runtime.bus.publish(Envelope(
        new_id(), "trade.order.cancelled", event.DESCRIPTOR.full_name,
        event.SerializeToString(), "order-7", utcnow()))
    await eventually(lambda: equals(budget(), (1500, 0)))


async def test_promotion_refusals_carry_the_code_their_reason_declares(env: Env) -> None:
    """Each reason is reported with the status code promotion.proto declares
    for it; a refused move of a hold names the order, its status and the
    move."""
    stub = env.stub
    await stub.ReleaseBenefits(pb.ReleaseBenefitsRequest(order_id="o-r"))  # a tombstone
    refused = {
        pb.ERROR_REASON_PROMOTION_NOT_FOUND: lambda: stub.GetPromotion(
            pb.GetPromotionRequest(promotion_id="nope")),
        pb.ERROR_REASON_COUPON_TEMPLATE_NOT_FOUND: lambda: stub.GetCouponTemplate(
            pb.GetCouponTemplateRequest(template_id="nope")),
        pb.ERROR_REASON_RED_PACKET_POOL_NOT_FOUND: lambda: stub.GetRedPacketPool(
            pb.GetRedPacketPoolRequest(pool_id="nope")),
        pb.ERROR_REASON_STORED_VALUE_CARD_NOT_FOUND: lambda: stub.GetStoredValueCard(
            pb.GetStoredValueCardRequest(card_id="nope")),
        pb.ERROR_REASON_RED_PACKET_NOT_FOUND: lambda: stub.Quote(pb.QuoteRequest(
            buyer_id="b-r", lines=CART, red_packet_id="nope")),
        pb.ERROR_REASON_HOLD_NOT_FOUND: lambda: stub.RedeemBenefits(
            pb.RedeemBenefitsRequest(order_id="nope")),
        pb.ERROR_REASON_ILLEGAL_HOLD_TRANSITION: lambda: stub.RedeemBenefits(
            pb.RedeemBenefitsRequest(order_id="o-r")),
        pb.ERROR_REASON_HOLD_RELEASED: lambda: stub.HoldBenefits(pb.HoldBenefitsRequest(
            order_id="o-r", quote=pb.QuoteRequest(buyer_id="b-r", lines=CART))),
    }
    errors = {}
    for value, call in refused.items():
        reason = PROMOTION_REASONS[value]
        errors[reason.name] = await refusal(call(), grpc.StatusCode[reason.code])
        assert errors[reason.name]["reason"] == reason.name
    assert errors["COUPON_TEMPLATE_NOT_FOUND"]["metadata"] == {"template_id": "nope"}
    assert errors["ILLEGAL_HOLD_TRANSITION"]["metadata"] == {
        "order_id": "o-r", "status": "HOLD_STATUS_RELEASED", "action": "redeem"}
