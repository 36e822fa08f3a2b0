"""promotion under real concurrency on PostgreSQL: coupons, pools and
flash-sale limits never overshoot; a hold is all or nothing; release and
redeem are idempotent and follow the hold state machine."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from promotion import coupons, promotions, red_packets, requests
from promotion import holds as holds_
from promotion import store as t
from promotion.app import SERVICE as PROMOTION
from promotion.values import BenefitHold, CouponTemplate
from tests.builders import cny
from tests.conftest import OpenDb
from tests.promotion_support import (
    STAFF,
    claim,
    create_promotion,
    hold_benefits,
    make_template,
    quote,
    wallet_of_buyer_1,
    wallet_state,
)
from zhongtai.db import Database, utcnow
from zhongtai.errors import AlreadyExists, FailedPrecondition, NotFound
from zhongtai.promotion.v1 import promotion_pb2 as pb
from zhongtai.wire import timestamp as ts

pytestmark = pytest.mark.postgres


@pytest.fixture
async def db(migrated_pg: OpenDb) -> Database:
    return await migrated_pg(PROMOTION)


async def template_of(db: Database, template_id: str) -> CouponTemplate:
    async with db.transaction() as s:
        return await coupons.get_coupon_template(s, template_id)


async def coupon_count(db: Database, template_id: str) -> int:
    async with db.transaction() as s:
        return int((await s.execute(select(func.count()).select_from(t.coupons)
                                    .where(t.coupons.c.template_id == template_id))).scalar_one())


async def test_50_concurrent_claims_of_10_coupons_issue_exactly_10(db: Database) -> None:
    template_id = await make_template(db, total=10, per_buyer=1)
    results = await asyncio.gather(*(claim(db, template_id, f"buyer-{i}") for i in range(50)))
    issued = [r for r in results if r not in ("COUPONS_EXHAUSTED",)]
    assert len(issued) == 10 and len(set(issued)) == 10
    assert results.count("COUPONS_EXHAUSTED") == 40
    assert (await template_of(db, template_id)).issued_quantity == 10
    assert await coupon_count(db, template_id) == 10
    # The losers' per-buyer counters rolled back with their claims.
    async with db.transaction() as s:
        claimed = (await s.execute(select(func.sum(t.coupon_claims.c.claimed)))).scalar_one()
    assert claimed == 10


async def test_10_concurrent_claims_by_one_buyer_with_limit_1_issue_1(db: Database) -> None:
    template_id = await make_template(db, total=100, per_buyer=1)
    results = await asyncio.gather(*(claim(db, template_id, "buyer-1") for _ in range(10)))
    assert results.count("PER_BUYER_LIMIT_REACHED") == 9
    assert (await template_of(db, template_id)).issued_quantity == 1
    assert await coupon_count(db, template_id) == 1


async def test_30_concurrent_red_packets_from_a_pool_of_10_yuan(db: Database) -> None:
    async with db.transaction() as s:
        pool = await red_packets.create_red_packet_pool(s, requests.pool(
            pb.CreateRedPacketPoolRequest(pool=pb.RedPacketPool(budget=cny(1000),
                                                                valid_days=3))))

    async def issue(i: int) -> str:
        try:
            async with db.transaction() as s:
                await red_packets.issue_red_packet(s, requests.red_packet(pb.IssueRedPacketRequest(
                    pool_id=pool.pool_id, buyer_id=f"buyer-{i}", amount=cny(100))))
            return "ok"
        except FailedPrecondition as e:
            return e.reason

    results = await asyncio.gather(*(issue(i) for i in range(30)))
    assert results.count("ok") == 10
    assert results.count("POOL_EXHAUSTED") == 20
    async with db.transaction() as s:
        assert (await red_packets.get_red_packet_pool(s, pool.pool_id)).remaining == 0
        paid = (await s.execute(select(func.sum(t.red_packets.c.amount)))).scalar_one()
    assert paid == 1000


async def test_random_red_packets_stay_in_range_and_within_budget(db: Database) -> None:
    async with db.transaction() as s:
        pool = await red_packets.create_red_packet_pool(s, requests.pool(
            pb.CreateRedPacketPoolRequest(pool=pb.RedPacketPool(budget=cny(5000),
                                                                valid_days=3))))
    amounts = []
    for i in range(40):
        try:
            async with db.transaction() as s:
                packet = await red_packets.issue_red_packet(s, requests.red_packet(
                    pb.IssueRedPacketRequest(pool_id=pool.pool_id, buyer_id=f"b{i}",
                                             amount=cny(100), max_amount=cny(500))))
            amounts.append(packet.amount)
        except FailedPrecondition as e:
            assert e.reason == "POOL_EXHAUSTED"
    assert all(100 <= a <= 500 for a in amounts)
    async with db.transaction() as s:
        remaining = (await red_packets.get_red_packet_pool(s, pool.pool_id)).remaining
    assert remaining == 5000 - sum(amounts) and 0 <= remaining < 100


# --- holds -------------------------------------------------------------------


@pytest.fixture
async def wallet(db: Database) -> dict[str, str]:
    return await wallet_of_buyer_1(db)


def cart(wallet: dict[str, str] | None = None, coupon: str = "coupon", points: int = 500,
         **kw: Any) -> pb.QuoteRequest:
    req = pb.QuoteRequest(buyer_id="buyer-1", lines=[pb.QuoteLine(
        line_id="l1", seller_id="s1", sku_id="sku-1", category_id="c1",
        unit_price=cny(10_000), quantity=1)], **kw)
    if wallet is not None:
        req.coupon_ids.append(wallet[coupon])
        req.points = points
        req.red_packet_id = wallet["red_packet"]
        req.stored_value_card_id = wallet["card"]
        req.stored_value_amount.CopyFrom(cny(2000))
    return req


async def hold(db: Database, order_id: str, req: pb.QuoteRequest) -> pb.HoldBenefitsResponse:
    async with db.transaction() as s:
        return await hold_benefits(s, db.dialect, pb.HoldBenefitsRequest(
            order_id=order_id, quote=req))


async def release(db: Database, order_id: str) -> BenefitHold:
    async with db.transaction() as s:
        return await holds_.release_benefits(s, db.dialect, order_id)


async def redeem(db: Database, order_id: str) -> BenefitHold:
    async with db.transaction() as s:
        return await holds_.redeem_benefits(s, order_id)


async def state(db: Database, wallet: dict[str, str]) -> dict[str, Any]:
    return await wallet_state(db, wallet)


async def test_hold_takes_exactly_what_the_quote_used(db: Database,
                                                      wallet: dict[str, str]) -> None:
    held = await hold(db, "o1", cart(wallet))
    q = held.quote
    # 100.00 - 10.00 coupon - 3.00 red packet - 5.00 points - 20.00 card
    assert q.payable_amount.amount_minor == 6200 and q.points_used == 500
    assert list(held.hold.coupon_ids) == [wallet["coupon"]]
    assert (held.hold.points, held.hold.red_packet_id) == (500, wallet["red_packet"])
    assert held.hold.stored_value_amount.amount_minor == 2000
    st = await state(db, wallet)
    assert st["coupon"] == (pb.COUPON_STATUS_LOCKED, "o1")
    assert st["red_packet"] == pb.RED_PACKET_STATUS_LOCKED
    assert st["points"] == (1000, 500) and st["card"] == (20_000, 2000)  # held included
    # A repeat returns the original hold and quote; another cart is refused.
    assert await hold(db, "o1", cart(wallet)) == held
    with pytest.raises(AlreadyExists) as e:
        await hold(db, "o1", cart(wallet, points=100))
    assert e.value.reason == "IDEMPOTENCY_KEY_REUSED"


@pytest.mark.parametrize("coupon", ["coupon", "coupon_no_restore"])
async def test_hold_then_release_gives_back_per_the_restore_policy(
        db: Database, wallet: dict[str, str], coupon: str) -> None:
    await hold(db, "o1", cart(wallet, coupon=coupon))
    released = await release(db, "o1")
    assert released.status == pb.HOLD_STATUS_RELEASED
    st = await state(db, wallet)
    expected = ((pb.COUPON_STATUS_AVAILABLE, "") if coupon == "coupon"
                else (pb.COUPON_STATUS_USED, "o1"))
    assert st[coupon] == expected
    assert st["red_packet"] == pb.RED_PACKET_STATUS_AVAILABLE
    assert st["points"] == (1000, 0) and st["card"] == (20_000, 0)
    assert st["ledger"] == [("EARN", 1000), ("FREEZE", 500), ("UNFREEZE", 500)]
    # Idempotent: a second release changes nothing; redeeming is refused.
    assert (await release(db, "o1")).status == pb.HOLD_STATUS_RELEASED
    assert (await state(db, wallet)) == st
    with pytest.raises(FailedPrecondition) as e:
        await redeem(db, "o1")
    assert e.value.reason == "ILLEGAL_HOLD_TRANSITION"
    # The hold itself is not repeated either.
    with pytest.raises(FailedPrecondition) as e:
        await hold(db, "o1", cart(wallet, coupon=coupon))
    assert e.value.reason == "HOLD_RELEASED"


async def test_hold_then_redeem_consumes_everything(db: Database,
                                                    wallet: dict[str, str]) -> None:
    held = await hold(db, "o1", cart(wallet))
    redeemed = await redeem(db, "o1")
    assert redeemed.status == pb.HOLD_STATUS_REDEEMED
    st = await state(db, wallet)
    assert st["coupon"] == (pb.COUPON_STATUS_USED, "o1")
    assert st["red_packet"] == pb.RED_PACKET_STATUS_USED
    assert st["points"] == (500, 0) and st["card"] == (18_000, 0)
    assert st["ledger"] == [("EARN", 1000), ("FREEZE", 500), ("DEDUCT", 500)]
    assert (await redeem(db, "o1")).status == pb.HOLD_STATUS_REDEEMED
    assert (await state(db, wallet)) == st
    with pytest.raises(FailedPrecondition) as e:
        await release(db, "o1")
    assert e.value.reason == "ILLEGAL_HOLD_TRANSITION"
    again = await hold(db, "o1", cart(wallet))
    assert again.quote == held.quote and again.hold.status == pb.HOLD_STATUS_REDEEMED


async def test_release_before_hold_refuses_the_late_hold(db: Database,
                                                         wallet: dict[str, str]) -> None:
    tombstone = await release(db, "late")
    assert tombstone.status == pb.HOLD_STATUS_RELEASED and not tombstone.coupon_ids
    with pytest.raises(FailedPrecondition) as e:
        await hold(db, "late", cart(wallet))
    assert e.value.reason == "HOLD_RELEASED"
    st = await state(db, wallet)
    assert st["coupon"] == (pb.COUPON_STATUS_AVAILABLE, "")
    assert st["points"] == (1000, 0) and st["card"] == (20_000, 0)
    with pytest.raises(NotFound) as e2:
        await redeem(db, "never-held")
    assert e2.value.reason == "HOLD_NOT_FOUND"


async def test_two_orders_racing_for_one_coupon_one_wins(db: Database,
                                                         wallet: dict[str, str]) -> None:
    async def attempt(order_id: str) -> str:
        try:
            await hold(db, order_id, cart(wallet, points=300))
            return "ok"
        except FailedPrecondition as e:
            return e.reason

    results = await asyncio.gather(*(attempt(f"o{i}") for i in range(2)))
    # The loser is refused by whichever of the two exclusive benefits it finds
    # taken first: the coupon (taken while it priced, or at its lock), or the
    # red packet (the winner committed between the loser's reads of the two).
    assert results.count("ok") == 1
    assert {r for r in results if r != "ok"} <= {"COUPON_NOT_USABLE", "RED_PACKET_NOT_USABLE"}
    winner = f"o{results.index('ok')}"
    st = await state(db, wallet)
    assert st["coupon"] == (pb.COUPON_STATUS_LOCKED, winner)
    # The loser held nothing: points, red packet and card only once.
    assert st["points"] == (1000, 300) and st["card"] == (20_000, 2000)
    async with db.transaction() as s:
        holds = (await s.execute(select(t.benefit_holds.c.order_id))).scalars().all()
    assert holds == [winner]


async def test_hold_racing_release_of_the_same_order_leaks_nothing(
        db: Database, wallet: dict[str, str]) -> None:
    for i in range(5):
        order_id = f"race-{i}"

        async def try_hold(order_id: str = order_id) -> None:
            try:
                await hold(db, order_id, cart(wallet, points=100))
            except FailedPrecondition as e:
                assert e.reason == "HOLD_RELEASED"

        await asyncio.gather(try_hold(), release(db, order_id))
        await release(db, order_id)  # whatever the order, the last word is a release
        st = await state(db, wallet)
        assert st["coupon"] == (pb.COUPON_STATUS_AVAILABLE, "")
        assert st["red_packet"] == pb.RED_PACKET_STATUS_AVAILABLE
        assert st["points"] == (1000, 0) and st["card"] == (20_000, 0)


async def test_concurrent_holds_never_exceed_a_flash_sale_limit(db: Database) -> None:
    now = utcnow()
    async with db.transaction() as s:
        promo = await create_promotion(s, STAFF, pb.CreatePromotionRequest(
            promotion=pb.Promotion(
                kind=pb.PROMOTION_KIND_FLASH_SALE, title="flash", price=cny(100),
                per_buyer_limit=2, scope=pb.Scope(seller_id="s1", sku_ids=["sku-1"]),
                start_time=ts(now - dt.timedelta(hours=1)),
                end_time=ts(now + dt.timedelta(hours=1)))))

    async def attempt(i: int) -> pb.QuoteResponse | str:
        try:
            return (await hold(db, f"f{i}", cart())).quote
        except FailedPrecondition as e:
            return e.reason

    results = await asyncio.gather(*(attempt(i) for i in range(8)))
    quotes = [r for r in results if isinstance(r, pb.QuoteResponse)]
    assert all(r == "FLASH_SALE_LIMIT_EXCEEDED" for r in results if isinstance(r, str))
    flash_priced = [q for q in quotes if q.payable_amount.amount_minor == 100]
    assert len(flash_priced) <= 2
    async with db.transaction() as s:
        used = (await s.execute(select(func.sum(t.flash_sale_usage.c.units)))).scalar_one()
        counter = (await s.execute(select(t.flash_sale_counters.c.units))).scalar_one()
    assert used == counter == len(flash_priced)
    # Releasing gives the units back: the buyer may buy at the flash price again.
    for i, r in enumerate(results):
        if isinstance(r, pb.QuoteResponse) and r.payable_amount.amount_minor == 100:
            await release(db, f"f{i}")
    async with db.transaction() as s:
        again = await quote(s, STAFF, cart())
        assert (await s.execute(select(t.flash_sale_counters.c.units))).scalar_one() == 0
    assert again.payable_amount.amount_minor == 100
    assert again.lines[0].deductions[0].source_id == promo.promotion_id


# --- promotion budgets -------------------------------------------------------


async def budgeted_promotion(db: Database, budget: int) -> str:
    """1.00 off sku-1 per unit, at most ``budget`` in all."""
    now = utcnow()
    async with db.transaction() as s:
        return (await create_promotion(s, STAFF, pb.CreatePromotionRequest(
            promotion=pb.Promotion(
                kind=pb.PROMOTION_KIND_ITEM_DIRECT_REDUCTION, title="1 off", amount_off=cny(100),
                scope=pb.Scope(seller_id="s1", sku_ids=["sku-1"]), budget=cny(budget),
                start_time=ts(now - dt.timedelta(hours=1)),
                end_time=ts(now + dt.timedelta(hours=1)))))).promotion_id


async def budget_state(db: Database, promotion_id: str) -> tuple[int, dict[str, int]]:
    """budget_used, and what each order's hold took."""
    bu = t.promotion_budget_usage
    async with db.transaction() as s:
        used = (await promotions.get_promotion(s, promotion_id)).budget_used
        rows = (await s.execute(select(bu.c.order_id, bu.c.amount)
                                .where(bu.c.promotion_id == promotion_id))).all()
    return used, {order_id: amount for order_id, amount in rows}


async def try_hold(db: Database, order_id: str) -> pb.QuoteResponse | str:
    try:
        return (await hold(db, order_id, cart())).quote
    except FailedPrecondition as e:
        return e.reason


async def test_30_concurrent_holds_of_1_yuan_spend_a_10_yuan_budget_exactly(
        db: Database) -> None:
    promotion_id = await budgeted_promotion(db, 1000)
    results = await asyncio.gather(*(try_hold(db, f"o{i}") for i in range(30)))
    discounted = {f"o{i}" for i, r in enumerate(results)
                  if isinstance(r, pb.QuoteResponse) and r.deducted_amount.amount_minor == 100}
    assert len(discounted) == 10
    # The others lost the compare-and-set (refused, nothing held) or were
    # priced after the budget was spent (no discount, nothing counted).
    for r in results:
        assert r == "PROMOTION_BUDGET_EXHAUSTED" or (
            isinstance(r, pb.QuoteResponse) and r.deducted_amount.amount_minor in (0, 100))
    used, usage = await budget_state(db, promotion_id)
    assert used == 1000 and usage == dict.fromkeys(discounted, 100)
    async with db.transaction() as s:
        assert (await quote(s, STAFF, cart())).deducted_amount.amount_minor == 0


async def test_released_holds_give_their_budget_back_exactly_even_racing_new_holds(
        db: Database) -> None:
    promotion_id = await budgeted_promotion(db, 1000)
    for i in range(10):
        await hold(db, f"o{i}", cart())
    assert (await budget_state(db, promotion_id))[0] == 1000
    # Redeemed orders keep what they took; released ones give it back, once.
    await redeem(db, "o0")
    await asyncio.gather(*(release(db, f"o{i}") for i in (1, 2, 3, 1, 2)))
    used, usage = await budget_state(db, promotion_id)
    assert used == 700 and set(usage) == {"o0", *(f"o{i}" for i in range(4, 10))}
    # Releases racing new holds: never over the budget, always the sum of the holds.
    results = await asyncio.gather(*(release(db, f"o{i}") for i in range(4, 7)),
                                   *(try_hold(db, f"n{i}") for i in range(12)))
    used, usage = await budget_state(db, promotion_id)
    assert used == sum(usage.values()) <= 1000
    new = [r for r in results[3:] if isinstance(r, pb.QuoteResponse)
           and r.deducted_amount.amount_minor == 100]
    assert len(new) == len([o for o in usage if o.startswith("n")]) >= 3
    for order_id in list(usage):
        if order_id != "o0":
            await release(db, order_id)
    assert await budget_state(db, promotion_id) == (100, {"o0": 100})
