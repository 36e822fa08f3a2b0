"""promotion's consumer of trade.order.cancelled on a SQLite database of its
own: a paid order cancelled before shipping (ship timeout) gets back what it
consumed — card amount, points (a RETURN ledger entry), coupons per the
restore-on-cancel policy while valid, the red packet while not expired — once,
whatever the redeliveries; any other cancel of a redeemed hold is logged and
kept."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from typing import Any

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import select, update

from promotion import domain, holds, promotions, trail
from promotion import store as t
from promotion.app import BENEFIT_REDEEM, BENEFIT_RELEASE
from promotion.app import SERVICE as PROMOTION
from tests.builders import cny
from tests.conftest import OpenDb
from tests.paid_cancel_support import cancelled, consumers, outbox_events, paid
from tests.promotion_support import (
    STAFF,
    cart,
    create_promotion,
    hold_benefits,
    hold_status,
    paid_order,
    wallet_of_buyer_1,
    wallet_state,
)
from zhongtai.audit import acting
from zhongtai.auth import Identity
from zhongtai.db import Database, utcnow
from zhongtai.errors import FailedPrecondition
from zhongtai.promotion.v1 import promotion_pb2 as pb

H = pb.HoldStatus
HELD, REDEEMED, RETURNED = H.HOLD_STATUS_HELD, H.HOLD_STATUS_REDEEMED, H.HOLD_STATUS_RETURNED


@pytest.fixture
async def db(migrated_sqlite: OpenDb) -> Database:
    return await migrated_sqlite(PROMOTION)


@pytest.fixture
async def wallet(db: Database) -> dict[str, str]:
    return await wallet_of_buyer_1(db)


async def state(db: Database, wallet: dict[str, str]) -> dict[str, Any]:
    return await wallet_state(db, wallet, detail=True)


async def hold_events(db: Database, order_id: str) -> list[int]:
    return [e.hold.status for e in await outbox_events(db, "promotion.hold.changed", order_id)]


# --- the rules ---------------------------------------------------------------


def test_only_a_redeemed_hold_is_returned_and_a_returned_one_is_final() -> None:
    for current in H.values():
        if current == REDEEMED:
            assert holds.HOLDS.machine.next(current, domain.RETURN, "o") == RETURNED
        else:
            with pytest.raises(FailedPrecondition) as e:
                holds.HOLDS.machine.next(current, domain.RETURN, "o")
            assert e.value.reason == "ILLEGAL_HOLD_TRANSITION"
        for action in (domain.RELEASE, domain.REDEEM):
            if current == RETURNED:
                with pytest.raises(FailedPrecondition):
                    holds.HOLDS.machine.next(current, action, "o")


@pytest.mark.parametrize(("current", "paid_cancelled"),
                         list(itertools.product(H.values(), [True, False])))
def test_what_a_cancel_does_to_each_hold_state(current: int, paid_cancelled: bool) -> None:
    expected = {(int(HELD), True): domain.RELEASE, (HELD, False): domain.RELEASE,
                (REDEEMED, True): domain.RETURN}.get((current, paid_cancelled))
    action = holds.HOLDS.statuses.on_cancel(current, paid_cancelled)
    assert action == expected
    if action is not None:
        assert holds.HOLDS.machine.next(current, action, "o") == holds.HOLDS.statuses.target(action)


def test_the_coupon_rule() -> None:
    now = utcnow()
    later, earlier = now + dt.timedelta(seconds=1), now - dt.timedelta(seconds=1)
    assert domain.coupon_returns(True, later, now)
    assert not domain.coupon_returns(True, earlier, now)
    assert not domain.coupon_returns(True, now, now)
    assert not domain.coupon_returns(False, later, now)


# --- the consumer ------------------------------------------------------------


async def test_a_ship_timeout_returns_card_points_coupon_and_red_packet_once(
        db: Database, wallet: dict[str, str]) -> None:
    q = await paid_order(db, "o1", cart(wallet))
    assert q.payable_amount.amount_minor == 6200 and q.points_used == 500
    before = await state(db, wallet)
    assert before["coupon"] == (pb.COUPON_STATUS_USED, "o1")
    assert before["red_packet"] == (pb.RED_PACKET_STATUS_USED, "o1")
    assert before["points"] == (500, 0) and before["card"] == (18_000, 0)

    release = consumers(PROMOTION, db)[BENEFIT_RELEASE.queue]
    event = cancelled("o1")
    await release(event)
    assert await hold_status(db, "o1") == H.HOLD_STATUS_RETURNED
    after = await state(db, wallet)
    assert after["coupon"] == (pb.COUPON_STATUS_AVAILABLE, "")
    assert after["red_packet"] == (pb.RED_PACKET_STATUS_AVAILABLE, "")
    assert after["points"] == (1000, 0)
    assert after["card"] == (20_000, 0)
    assert [(k, p, o) for k, p, o, _ in after["ledger"]] == [
        ("EARN", 1000, ""), ("FREEZE", 500, "o1"), ("DEDUCT", 500, "o1"),
        ("RETURN", 500, "o1")]
    assert after["ledger"][-1][3] == 1000  # balance after the entry
    # Redelivered, and the same cancel under a new event id: nothing more.
    await release(event)
    await release(cancelled("o1"))
    assert await state(db, wallet) == after
    assert await hold_events(db, "o1") == [H.HOLD_STATUS_HELD, H.HOLD_STATUS_REDEEMED,
                                           H.HOLD_STATUS_RETURNED]
    returned = (await outbox_events(db, "promotion.hold.changed", "o1"))[-1].hold
    assert (returned.points, returned.stored_value_amount.amount_minor) == (500, 2000)
    # A late OrderPaid redelivery does not consume them again; the returned
    # benefits are the buyer's for the next order.
    await consumers(PROMOTION, db)[BENEFIT_REDEEM.queue](paid("o1"))
    assert await state(db, wallet) == after
    assert (await paid_order(db, "o2", cart(wallet))).payable_amount.amount_minor == 6200


async def test_each_benefit_an_order_moved_has_each_move_in_its_trail(
        db: Database, wallet: dict[str, str]) -> None:
    """Held by trade's call, redeemed and returned by the events promotion
    consumed: each benefit's trail says so, once, redeliveries or not."""
    with acting(Identity.for_service("trade"), "HoldBenefits"):
        await paid_order(db, "o1", cart(wallet))
    release = consumers(PROMOTION, db)[BENEFIT_RELEASE.queue]
    event = cancelled("o1")
    for again in (event, event):
        await release(again)

    async def trail_of(resource_type: str, resource_id: str) -> list[tuple[str, str]]:
        async with db.transaction() as s:
            entries, _ = await trail.list_audit_entries(
                s, resource_type=resource_type, resource_id=resource_id, page_size=0,
                page_token="")
        return [(e.action, e.detail) for e in entries]

    hold, paid_, cancel = ("HoldBenefits", "event zhongtai.trade.v1.OrderPaid",
                           "event zhongtai.trade.v1.OrderCancelled")
    assert (await trail_of("stored_value_card", wallet["card"]))[1:] == [
        (hold, "2000 held for order o1"), (paid_, "2000 captured by order o1"),
        (cancel, "2000 refunded to the card by order o1")]
    assert [d for _, d in await trail_of("points_account", "buyer-1")] == [
        "EARN 1000: welcome", "FREEZE 500 for order o1", "DEDUCT 500 for order o1",
        "RETURN 500 for order o1"]
    assert [d for _, d in await trail_of("red_packet", wallet["red_packet"])][1:] == [
        "locked for order o1", "used by order o1", "given back by order o1"]
    assert [d for _, d in await trail_of("coupon", wallet["coupon"])][1:] == [
        "locked for order o1", "used by order o1", "given back by order o1"]
    assert [a for a, _ in await trail_of("benefit_hold", "o1")] == [hold, paid_, cancel]


async def test_a_coupon_that_does_not_restore_stays_used(db: Database,
                                                         wallet: dict[str, str]) -> None:
    await paid_order(db, "o1", cart(wallet, coupon="coupon_no_restore"))
    await consumers(PROMOTION, db)[BENEFIT_RELEASE.queue](cancelled("o1"))
    after = await state(db, wallet)
    assert after["coupon_no_restore"] == (pb.COUPON_STATUS_USED, "o1")
    assert after["coupon"] == (pb.COUPON_STATUS_AVAILABLE, "")  # never used
    assert after["points"] == (1000, 0) and after["card"] == (20_000, 0)
    assert after["red_packet"] == (pb.RED_PACKET_STATUS_AVAILABLE, "")


async def test_an_ended_coupon_and_an_expired_red_packet_stay_used(
        db: Database, wallet: dict[str, str], caplog: pytest.LogCaptureFixture) -> None:
    await paid_order(db, "o1", cart(wallet))
    past = utcnow() - dt.timedelta(minutes=1)
    async with db.transaction() as s:
        await s.execute(update(t.coupons).where(t.coupons.c.coupon_id == wallet["coupon"])
                        .values(valid_end_at=past))
        await s.execute(update(t.red_packets)
                        .where(t.red_packets.c.red_packet_id == wallet["red_packet"])
                        .values(expire_at=past))
    with caplog.at_level(logging.INFO, logger="promotion"):
        await consumers(PROMOTION, db)[BENEFIT_RELEASE.queue](cancelled("o1"))
    assert f"coupon {wallet['coupon']} stays used: its validity ended" in caplog.text
    assert f"red packet {wallet['red_packet']} stays used" in caplog.text
    after = await state(db, wallet)
    assert after["coupon"] == (pb.COUPON_STATUS_USED, "o1")
    assert after["red_packet"] == (pb.RED_PACKET_STATUS_USED, "o1")
    # The buyer's own money and points come back regardless.
    assert after["points"] == (1000, 0) and after["card"] == (20_000, 0)
    assert await hold_status(db, "o1") == H.HOLD_STATUS_RETURNED


async def test_an_unpaid_cancel_of_a_redeemed_hold_is_logged_and_kept(
        db: Database, wallet: dict[str, str], caplog: pytest.LogCaptureFixture) -> None:
    await paid_order(db, "o1", cart(wallet))
    before = await state(db, wallet)
    with caplog.at_level(logging.WARNING, logger="zhongtai.holds"):
        await consumers(PROMOTION, db)[BENEFIT_RELEASE.queue](cancelled("o1", paid=False))
    assert "not giving back the hold of cancelled order o1" in caplog.text
    assert await hold_status(db, "o1") == H.HOLD_STATUS_REDEEMED
    assert await state(db, wallet) == before
    assert await hold_events(db, "o1") == [H.HOLD_STATUS_HELD, H.HOLD_STATUS_REDEEMED]


async def test_a_ship_timeout_before_the_redeem_releases_the_hold(
        db: Database, wallet: dict[str, str]) -> None:
    """The redeem queue lagging behind: the cancel finds the benefits held
    and releases them; the late OrderPaid is refused and logged."""
    async with db.transaction() as s:
        await hold_benefits(s, db.dialect, pb.HoldBenefitsRequest(
            order_id="o1", quote=cart(wallet)))
    consume = consumers(PROMOTION, db)
    await consume[BENEFIT_RELEASE.queue](cancelled("o1"))
    await consume[BENEFIT_REDEEM.queue](paid("o1"))
    assert await hold_status(db, "o1") == H.HOLD_STATUS_RELEASED
    after = await state(db, wallet)
    assert after["coupon"] == (pb.COUPON_STATUS_AVAILABLE, "")
    assert after["points"] == (1000, 0) and after["card"] == (20_000, 0)


async def test_the_budget_a_returned_order_took_goes_back(db: Database) -> None:
    now = utcnow()
    start, end = Timestamp(), Timestamp()
    start.FromDatetime(now - dt.timedelta(hours=1))
    end.FromDatetime(now + dt.timedelta(hours=1))
    async with db.transaction() as s:
        promo = await create_promotion(s, STAFF, pb.CreatePromotionRequest(
            promotion=pb.Promotion(
                kind=pb.PROMOTION_KIND_ITEM_DIRECT_REDUCTION, title="1 off", amount_off=cny(100),
                scope=pb.Scope(seller_id="s1", sku_ids=["sku-1"]), budget=cny(1000),
                start_time=start, end_time=end)))
    req = pb.QuoteRequest(buyer_id="buyer-1", lines=[pb.QuoteLine(
        line_id="l1", seller_id="s1", sku_id="sku-1", category_id="c1",
        unit_price=cny(10_000), quantity=1)])
    await paid_order(db, "o1", req)

    async def used() -> int:
        async with db.transaction() as s:
            return (await promotions.get_promotion(s, promo.promotion_id)).budget_used

    assert await used() == 100
    await consumers(PROMOTION, db)[BENEFIT_RELEASE.queue](cancelled("o1"))
    await consumers(PROMOTION, db)[BENEFIT_RELEASE.queue](cancelled("o1"))
    assert await used() == 0
    async with db.transaction() as s:
        assert (await s.execute(select(t.promotion_budget_usage))).all() == []


async def test_return_benefits_use_case_refuses_what_was_not_redeemed(
        db: Database, wallet: dict[str, str]) -> None:
    async with db.transaction() as s:
        await hold_benefits(s, db.dialect, pb.HoldBenefitsRequest(
            order_id="o1", quote=cart(wallet)))
    with pytest.raises(FailedPrecondition) as e:
        async with db.transaction() as s:
            await holds.return_benefits(s, "o1")
    assert e.value.reason == "ILLEGAL_HOLD_TRANSITION"
    async with db.transaction() as s:
        await holds.redeem_benefits(s, "o1")
    for _ in range(2):
        async with db.transaction() as s:
            assert (await holds.return_benefits(s, "o1")).status == H.HOLD_STATUS_RETURNED
    assert (await state(db, wallet))["points"] == (1000, 0)
    with pytest.raises(FailedPrecondition) as e:
        async with db.transaction() as s:
            await holds.release_benefits(s, db.dialect, "o1")
    assert e.value.reason == "ILLEGAL_HOLD_TRANSITION"
