"""promotion's use cases on a SQLite database of their own: what is in force
at a time, flash-sale limits across SKUs, who bears a red packet, what a hold
takes, BestCoupons' bounded search, idempotent points, promotion budgets and
free shipping."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import select, update

from promotion import (
    cards,
    coupons,
    holds,
    points,
    policy,
    promotions,
    red_packets,
    requests,
)
from promotion import store as t
from promotion.app import SERVICE as PROMOTION
from tests import promotion_support as support
from tests.builders import cny
from tests.conftest import OpenDb
from tests.promotion_support import STAFF, hold_benefits
from zhongtai.db import Database, utcnow
from zhongtai.errors import FailedPrecondition
from zhongtai.promotion.v1 import promotion_pb2 as pb

K = pb.DeductionKind


@pytest.fixture
async def db(migrated_sqlite: OpenDb) -> Database:
    return await migrated_sqlite(PROMOTION)


def ts(hours: float, base: dt.datetime | None = None) -> Timestamp:
    out = Timestamp()
    out.FromDatetime((base or utcnow()) + dt.timedelta(hours=hours))
    return out


def line(line_id: str, price: int, qty: int = 1, seller: str = "s1") -> pb.QuoteLine:
    return pb.QuoteLine(line_id=line_id, seller_id=seller, sku_id=line_id, category_id="c",
                        unit_price=cny(price), quantity=qty)


async def create_promotion(db: Database, **kw: object) -> pb.Promotion:
    kw.setdefault("start_time", ts(-1))
    kw.setdefault("end_time", ts(1))
    async with db.transaction() as s:
        return await support.create_promotion(s, STAFF, pb.CreatePromotionRequest(
            promotion=pb.Promotion(title="p", **kw)))  # type: ignore[arg-type]


async def new_coupon(db: Database, buyer: str = "b1", seller: str = "", threshold: int = 0,
                     off: int = 100, **kw: object) -> str:
    kw.setdefault("valid_days", 7)
    async with db.transaction() as s:
        tpl = await coupons.create_coupon_template(s, STAFF, requests.coupon_template(
            pb.CreateCouponTemplateRequest(template=pb.CouponTemplate(
                title="c", kind=pb.COUPON_KIND_FULL_REDUCTION, scope=pb.Scope(seller_id=seller),
                threshold=cny(threshold), amount_off=cny(off), total_quantity=100,
                **kw))))  # type: ignore[arg-type]
    async with db.transaction() as s:
        return (await coupons.claim_coupon(s, db.dialect, STAFF, tpl.template_id,
                                           buyer)).coupon_id


async def quote(db: Database, lines: list[pb.QuoteLine], **kw: object) -> pb.QuoteResponse:
    async with db.transaction() as s:
        return await support.quote(s, STAFF, pb.QuoteRequest(buyer_id="b1", lines=lines,
                                                             **kw))  # type: ignore[arg-type]


async def hold(db: Database, order_id: str, lines: list[pb.QuoteLine],
               **kw: object) -> pb.HoldBenefitsResponse:
    async with db.transaction() as s:
        return await hold_benefits(s, db.dialect, pb.HoldBenefitsRequest(
            order_id=order_id,
            quote=pb.QuoteRequest(buyer_id="b1", lines=lines, **kw)))  # type: ignore[arg-type]


async def coupon_status(db: Database, coupon_id: str) -> int:
    async with db.transaction() as s:
        return int((await s.execute(select(t.coupons.c.status)
                                    .where(t.coupons.c.coupon_id == coupon_id))).scalar_one())


async def test_a_flash_sale_limit_covers_the_whole_cart(db: Database) -> None:
    flash = await create_promotion(db, kind=pb.PROMOTION_KIND_FLASH_SALE, price=cny(100),
                                   per_buyer_limit=3, scope=pb.Scope(sku_ids=["x", "y"]))
    cart = [line("x", 1000, 2), line("y", 1000, 2)]
    q = await quote(db, cart)
    # 3 units at 1.00 across both SKUs, not 3 per line.
    assert [[(d.kind, d.amount.amount_minor) for d in x.deductions] for x in q.lines] == [
        [(K.DEDUCTION_KIND_FLASH_SALE, 1800)], [(K.DEDUCTION_KIND_FLASH_SALE, 900)]]
    await hold(db, "o1", cart)
    async with db.transaction() as s:
        usage = (await s.execute(select(t.flash_sale_usage.c.units))).scalars().all()
    assert usage == [3]
    assert (await quote(db, cart)).deducted_amount.amount_minor == 0  # the limit is used up
    async with db.transaction() as s:
        await holds.release_benefits(s, db.dialect, "o1")
    assert (await quote(db, cart)).lines[0].deductions[0].source_id == flash.promotion_id


async def test_only_promotions_in_force_at_the_quote_time_apply(db: Database) -> None:
    start = utcnow() + dt.timedelta(hours=1)
    direct = await create_promotion(
        db, kind=pb.PROMOTION_KIND_ITEM_DIRECT_REDUCTION, amount_off=cny(100),
        start_time=ts(0, start), end_time=ts(2, start))
    vip = await create_promotion(db, kind=pb.PROMOTION_KIND_VIP_PRICE, price=cny(500))
    cart = [line("x", 1000)]
    assert (await quote(db, cart)).deducted_amount.amount_minor == 0
    assert (await quote(db, cart, buyer_is_vip=True)).deducted_amount.amount_minor == 500
    later = await quote(db, cart, at_time=ts(1, start))
    assert [d.source_id for d in later.lines[0].deductions] == [direct.promotion_id]
    assert (await quote(db, cart, at_time=ts(3, start))).deducted_amount.amount_minor == 0
    async with db.transaction() as s:
        ended = await promotions.end_promotion(s, STAFF, vip.promotion_id)
    assert ended.ended
    assert (await quote(db, cart, buyer_is_vip=True)).deducted_amount.amount_minor == 0


async def test_coupons_are_usable_only_by_their_buyer_in_their_validity(db: Database) -> None:
    valid_from = utcnow() + dt.timedelta(days=1)
    coupon_id = await new_coupon(db, valid_days=0, valid_start_time=ts(0, valid_from),
                                 valid_end_time=ts(24, valid_from))
    with pytest.raises(FailedPrecondition) as e:
        await quote(db, [line("x", 1000)], coupon_ids=[coupon_id])
    assert e.value.reason == "COUPON_NOT_USABLE" and e.value.metadata == {"coupon_id": coupon_id}
    q = await quote(db, [line("x", 1000)], coupon_ids=[coupon_id], at_time=ts(1, valid_from))
    assert q.deducted_amount.amount_minor == 100
    async with db.transaction() as s:
        with pytest.raises(FailedPrecondition) as e:
            await support.quote(s, STAFF, pb.QuoteRequest(buyer_id="b2", lines=[line("x", 1000)],
                                          coupon_ids=[coupon_id], at_time=ts(1, valid_from)))
    assert e.value.reason == "COUPON_NOT_USABLE"
    # Past its validity, an unused coupon reads as EXPIRED.
    async with db.transaction() as s:
        await s.execute(update(t.coupons).values(valid_end_at=utcnow()))
        listed, _ = await coupons.list_coupons(s, STAFF, "b1", [pb.COUPON_STATUS_EXPIRED])
        assert [c.status for c in listed] == [pb.COUPON_STATUS_EXPIRED]
        assert not (await coupons.list_coupons(s, STAFF, "b1", [pb.COUPON_STATUS_AVAILABLE]))[0]


async def test_claim_window_and_pagination(db: Database) -> None:
    with pytest.raises(FailedPrecondition) as e:
        await new_coupon(db, claim_start_time=ts(1))
    assert e.value.reason == "CLAIM_WINDOW_CLOSED"
    ids = [await new_coupon(db) for _ in range(5)]
    async with db.transaction() as s:
        first, token = await coupons.list_coupons(s, STAFF, "b1", page_size=3)
        rest, last = await coupons.list_coupons(s, STAFF, "b1", page_size=3, page_token=token)
    assert [c.coupon_id for c in [*first, *rest]] == sorted(ids)
    assert not last
    assert first[0].template.total_quantity == 100


async def test_a_seller_red_packet_is_borne_by_that_seller_and_only_for_its_goods(
        db: Database) -> None:
    async with db.transaction() as s:
        pool = await red_packets.create_red_packet_pool(s, requests.pool(
            pb.CreateRedPacketPoolRequest(pool=pb.RedPacketPool(
                funded_by_seller_id="s1", budget=cny(1000), valid_days=1))))
        packet = await red_packets.issue_red_packet(s, requests.red_packet(
            pb.IssueRedPacketRequest(pool_id=pool.pool_id, buyer_id="b1", amount=cny(300))))
    q = await quote(db, [line("x", 1000), line("y", 1000)], red_packet_id=packet.red_packet_id)
    assert q.deducted_amount.amount_minor == 300
    assert all(d.platform_amount.amount_minor == 0 for x in q.lines for d in x.deductions)
    assert q.sellers[0].merchant_borne_amount.amount_minor == 300
    mixed = await quote(db, [line("x", 1000), line("z", 1000, seller="s2")],
                        red_packet_id=packet.red_packet_id)
    assert [x.actual_amount.amount_minor for x in mixed.lines] == [700, 1000]


async def test_a_hold_takes_only_the_coupons_that_took_something_off(db: Database) -> None:
    used = await new_coupon(db, off=300)
    wrong_shop = await new_coupon(db, seller="s2", off=5000)
    shop_all = await new_coupon(db, seller="s1", off=1000)
    # Capped to nothing: the shop coupon leaves the order at the floor (0.01).
    capped = await new_coupon(db, off=500)
    held = await hold(db, "o1", [line("x", 1000)], coupon_ids=[wrong_shop, shop_all, capped])
    assert list(held.quote.unused_coupon_ids) == [wrong_shop, capped]
    assert list(held.hold.coupon_ids) == [shop_all]
    assert held.quote.payable_amount.amount_minor == 1
    offered = {d.source_id: (d.amount.amount_minor, d.offered_amount.amount_minor)
               for d in held.quote.deductions}
    assert offered == {shop_all: (999, 1000), capped: (0, 500)}
    assert await coupon_status(db, shop_all) == pb.COUPON_STATUS_LOCKED
    for free in (wrong_shop, capped, used):
        assert await coupon_status(db, free) == pb.COUPON_STATUS_AVAILABLE
    # Nothing at all to hold is still a hold, released like any other.
    empty = await hold(db, "o2", [line("y", 1000)])
    assert empty.hold.status == pb.HOLD_STATUS_HELD and not empty.hold.coupon_ids
    async with db.transaction() as s:
        released = await holds.release_benefits(s, db.dialect, "o2")
    assert released.status == pb.HOLD_STATUS_RELEASED


async def test_best_coupons_is_bounded_and_picks_the_best_of_each_group(db: Database) -> None:
    cart = [line("a", 100_000, seller="s1"), line("b", 100_000, seller="s2"),
            line("c", 100_000, seller="s3")]
    best = {}
    for seller in ("s1", "s2", "s3", ""):
        offs = [100 * (i + 1) for i in range(12)]
        ids = [await new_coupon(db, seller=seller, off=off) for off in offs]
        best[seller] = ids[-1]
    started = time.monotonic()
    async with db.transaction() as s:
        chosen = await support.best_coupons(s, STAFF, pb.BestCouponsRequest(
            quote=pb.QuoteRequest(buyer_id="b1", lines=cart)))
    assert time.monotonic() - started < 30
    assert list(chosen.coupon_ids) == [best["s1"], best["s2"], best["s3"], best[""]]
    assert chosen.deducted_amount.amount_minor == 4 * 1200
    # Nothing usable: no coupons, the plain quote.
    async with db.transaction() as s:
        none = await support.best_coupons(s, STAFF, pb.BestCouponsRequest(
            quote=pb.QuoteRequest(buyer_id="nobody", lines=cart)))
    assert not none.coupon_ids and none.deducted_amount.amount_minor == 0


async def test_earning_points_twice_with_one_request_id_counts_once(db: Database) -> None:
    for _ in range(2):
        async with db.transaction() as s:
            account = await points.earn_points(s, db.dialect, request_id="r1", buyer_id="b1",
                                               points=70, reason="review")
    assert (account.balance, account.frozen) == (70, 0)
    async with db.transaction() as s:
        await points.earn_points(s, db.dialect, request_id="r2", buyer_id="b1", points=30)
        ledger = (await s.execute(select(t.points_ledger.c.points, t.points_ledger.c.balance_after)
                                  .order_by(t.points_ledger.c.entry_id))).all()
    assert [tuple(r) for r in ledger] == [(70, 70), (30, 100)]
    with pytest.raises(FailedPrecondition) as e:
        await quote(db, [line("x", 1000)], points=101)
    assert e.value.reason == "INSUFFICIENT_POINTS"
    q = await quote(db, [line("x", 1000)], points=100)
    assert q.points_used == 100 and q.payable_amount.amount_minor == 900


async def test_a_card_pays_as_much_as_it_can_even_when_over_discounts_are_refused(
        db: Database) -> None:
    async with db.transaction() as s:
        await policy.update_stacking_policy(s, db.dialect, requests.stacking_policy(
            pb.StackingPolicy(over_discount=pb.OVER_DISCOUNT_POLICY_REFUSE, floor_minor=1,
                              points_per_unit=100, points_max_share_bps=5000)))
        card = await cards.create_stored_value_card(s, requests.card(
            pb.CreateStoredValueCardRequest(buyer_id="b1", balance=cny(5000))))
    held = await hold(db, "o1", [line("x", 1000)], stored_value_card_id=card.card_id)
    # A card is a way to pay, not a discount: it may pay it all. It is the
    # buyer's prepaid money the platform holds: the platform funds it.
    assert held.quote.payable_amount.amount_minor == 0
    assert held.hold.stored_value_amount.amount_minor == 1000
    seller = held.quote.sellers[0]
    assert (seller.merchant_borne_amount.amount_minor,
            seller.platform_borne_amount.amount_minor) == (0, 1000)
    assert [(d.platform_amount.amount_minor, d.merchant_amount.amount_minor)
            for d in held.quote.lines[0].deductions] == [(1000, 0)]
    # Asking the card for more than the order is capped, not refused.
    capped = await quote(db, [line("y", 1000)], stored_value_card_id=card.card_id,
                         stored_value_amount=cny(1500))
    assert capped.payable_amount.amount_minor == 0
    assert capped.deducted_amount.amount_minor == 1000
    async with db.transaction() as s:
        redeemed = await holds.redeem_benefits(s, "o1")
        after = await cards.get_stored_value_card(s, STAFF, card.card_id)
    assert redeemed.status == pb.HOLD_STATUS_REDEEMED
    assert (after.balance, after.held, after.available) == (4000, 0, 4000)


# --- budgets -----------------------------------------------------------------


async def budget_of(db: Database, promotion_id: str) -> tuple[int, int]:
    async with db.transaction() as s:
        p = await promotions.get_promotion(s, promotion_id)
    assert p.budget is not None
    return p.budget, p.budget_used


async def budget_usage(db: Database) -> dict[str, int]:
    bu = t.promotion_budget_usage
    async with db.transaction() as s:
        rows = (await s.execute(select(bu.c.order_id, bu.c.amount))).all()
    return {order_id: amount for order_id, amount in rows}


async def test_a_budget_caps_quotes_and_is_counted_by_holds_until_released(
        db: Database) -> None:
    full = await create_promotion(
        db, kind=pb.PROMOTION_KIND_SHOP_FULL_REDUCTION, scope=pb.Scope(seller_id="s1"),
        ladders=[pb.Ladder(threshold=cny(1000), amount_off=cny(300))], budget=cny(500))
    assert await budget_of(db, full.promotion_id) == (500, 0)
    cart = [line("x", 1000)]
    assert (await quote(db, cart)).deducted_amount.amount_minor == 300
    await hold(db, "o1", cart)
    assert await budget_of(db, full.promotion_id) == (500, 300)
    # Only 2.00 left: the quote offers that much, the next hold takes it.
    q = await quote(db, cart)
    assert [(d.amount.amount_minor, d.offered_amount.amount_minor)
            for d in q.deductions] == [(200, 200)]
    await hold(db, "o2", cart)
    assert await budget_of(db, full.promotion_id) == (500, 500)
    # Spent: no more discount; a hold without it counts nothing.
    assert (await quote(db, cart)).deducted_amount.amount_minor == 0
    await hold(db, "o3", cart)
    assert await budget_usage(db) == {"o1": 300, "o2": 200}
    # A release gives back exactly what that order took, once; a redeem keeps it.
    for _ in range(2):
        async with db.transaction() as s:
            await holds.release_benefits(s, db.dialect, "o1")
        assert await budget_of(db, full.promotion_id) == (500, 200)
    async with db.transaction() as s:
        await holds.redeem_benefits(s, "o2")
        await holds.release_benefits(s, db.dialect, "o3")
    assert await budget_of(db, full.promotion_id) == (500, 200)
    assert await budget_usage(db) == {"o2": 200}
    assert (await quote(db, cart)).deducted_amount.amount_minor == 300


async def test_an_item_promotion_budget_covers_the_whole_cart(db: Database) -> None:
    direct = await create_promotion(db, kind=pb.PROMOTION_KIND_ITEM_DIRECT_REDUCTION,
                                    amount_off=cny(100), budget=cny(250))
    held = await hold(db, "o1", [line("x", 1000, 2), line("y", 1000, 2)])
    assert [x.deductions[0].amount.amount_minor for x in held.quote.lines] == [200, 50]
    assert await budget_of(db, direct.promotion_id) == (250, 250)
    assert await budget_usage(db) == {"o1": 250}
    unlimited = await create_promotion(db, kind=pb.PROMOTION_KIND_ITEM_DISCOUNT, rate_bps=9000)
    assert not unlimited.HasField("budget") and not unlimited.HasField("budget_used")


async def test_a_hold_refused_by_the_budget_takes_nothing(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    promo = await create_promotion(db, kind=pb.PROMOTION_KIND_ITEM_DIRECT_REDUCTION,
                                   amount_off=cny(100), budget=cny(1000))
    coupon_id = await new_coupon(db, off=50)
    real = promotions.in_force

    async def another_order_spends_it_meanwhile(s: Any, *args: Any) -> Any:
        loaded = await real(s, *args)
        await s.execute(update(t.promotions).values(budget_used=950))
        return loaded

    monkeypatch.setattr(promotions, "in_force", another_order_spends_it_meanwhile)
    with pytest.raises(FailedPrecondition) as e:
        await hold(db, "o1", [line("x", 1000)], coupon_ids=[coupon_id])
    assert e.value.reason == "PROMOTION_BUDGET_EXHAUSTED"
    assert e.value.metadata == {"promotion_id": promo.promotion_id}
    # All or nothing: the coupon, the hold and the budget are as they were.
    assert await coupon_status(db, coupon_id) == pb.COUPON_STATUS_AVAILABLE
    assert await budget_of(db, promo.promotion_id) == (1000, 0)
    assert await budget_usage(db) == {}
    async with db.transaction() as s:
        assert (await s.execute(select(t.benefit_holds))).first() is None


# --- free shipping -----------------------------------------------------------


async def test_free_shipping_is_reported_per_seller_after_promotions(db: Database) -> None:
    full = await create_promotion(
        db, kind=pb.PROMOTION_KIND_SHOP_FULL_REDUCTION, scope=pb.Scope(seller_id="s1"),
        ladders=[pb.Ladder(threshold=cny(10_000), amount_off=cny(1000))])
    shop = await create_promotion(db, kind=pb.PROMOTION_KIND_FREE_SHIPPING,
                                  scope=pb.Scope(seller_id="s1"),
                                  ladders=[pb.Ladder(threshold=cny(9000))])
    platform = await create_promotion(db, kind=pb.PROMOTION_KIND_FREE_SHIPPING,
                                      ladders=[pb.Ladder(threshold=cny(20_000))])
    assert [(x.threshold.amount_minor, x.HasField("amount_off")) for x in shop.ladders] == [
        (9000, False)]

    def free(q: pb.QuoteResponse) -> dict[str, tuple[bool, str]]:
        return {x.seller_id: (x.free_shipping, x.free_shipping_promotion_id) for x in q.sellers}

    # s1: 90.00 after its full reduction reaches its own rule; 140.00 in all
    # does not reach the platform's 200.00.
    q = await quote(db, [line("x", 10_000), line("y", 5000, seller="s2")])
    assert free(q) == {"s1": (True, shop.promotion_id), "s2": (False, "")}
    assert [d.source_id for d in q.deductions] == [full.promotion_id]  # nothing taken off
    assert q.payable_amount.amount_minor == 14_000
    held = await hold(db, "o1", [line("x", 10_000), line("y", 11_000, seller="s2")])
    assert free(held.quote) == {"s1": (True, shop.promotion_id),
                                "s2": (True, platform.promotion_id)}
    async with db.transaction() as s:
        await promotions.end_promotion(s, STAFF, shop.promotion_id)
    q = await quote(db, [line("x", 10_000), line("y", 5000, seller="s2")])
    assert free(q) == {"s1": (False, ""), "s2": (False, "")}


# --- freight reduction -------------------------------------------------------


async def test_a_freight_reduction_is_offered_per_seller_and_its_budget_counts_the_freight(
        db: Database) -> None:
    fr = await create_promotion(db, kind=pb.PROMOTION_KIND_FREIGHT_REDUCTION,
                                scope=pb.Scope(seller_id="s1"), amount_off=cny(500),
                                budget=cny(800))
    await create_promotion(db, kind=pb.PROMOTION_KIND_FREE_SHIPPING,
                           scope=pb.Scope(seller_id="s2"), ladders=[pb.Ladder(threshold=cny(0))])
    assert fr.amount_off == cny(500) and not fr.ladders
    cart = [line("x", 1000), line("y", 1000, seller="s2")]

    def offers(q: pb.QuoteResponse) -> dict[str, tuple[str, int, int]]:
        return {x.seller_id: (x.freight_reduction.source_id,
                              x.freight_reduction.amount.amount_minor,
                              x.freight_reduction.merchant_amount.amount_minor)
                for x in q.sellers if x.HasField("freight_reduction")}

    # s1 is offered 5.00, borne by itself; s2 ships free (free shipping wins).
    q = await quote(db, cart)
    assert offers(q) == {"s1": (fr.promotion_id, 500, 500)}
    assert q.deducted_amount.amount_minor == 0 and q.payable_amount.amount_minor == 2000
    assert [(d.kind, d.amount.amount_minor) for d in q.deductions] == [
        (pb.DEDUCTION_KIND_FREIGHT_REDUCTION, 500)]
    # A hold given s1's freight of 3.00 takes 3.00 and counts that.
    held = await hold(db, "o1", cart, seller_freights=[
        pb.SellerFreight(seller_id="s1", freight=cny(300))])
    assert offers(held.quote) == {"s1": (fr.promotion_id, 300, 300)}
    assert await budget_of(db, fr.promotion_id) == (800, 300)
    await hold(db, "o2", cart, seller_freights=[
        pb.SellerFreight(seller_id="s1", freight=cny(700))])
    assert await budget_of(db, fr.promotion_id) == (800, 800)
    assert offers(await quote(db, cart)) == {}  # nothing left
    async with db.transaction() as s:
        await holds.release_benefits(s, db.dialect, "o1")
    assert await budget_of(db, fr.promotion_id) == (800, 500)
    assert offers(await quote(db, cart)) == {"s1": (fr.promotion_id, 300, 300)}
