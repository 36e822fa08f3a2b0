"""After-sales' ReturnBenefits on promotion's own SQLite database, and its
rule: an agreed refund's share of the points (converted back at the rate the
order spent them, rounded down on the cumulative money, so that returns whose
money adds up to what the points paid give back exactly the points spent) and
of the card comes back, the coupons and red packet once (per the restore
policy); never more than the order consumed, with the whole-order return of a
paid order cancelled too; once per request id; refused: nothing written."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import update

from promotion import domain, trail
from promotion import store as t
from promotion.app import BENEFIT_RELEASE
from promotion.app import SERVICE as PROMOTION
from tests.builders import cny
from tests.conftest import OpenDb
from tests.paid_cancel_support import cancelled, consumers
from tests.promotion_support import (
    cart,
    hold_benefits,
    hold_status,
    paid_order,
    return_shares,
    rows,
    wallet_of_buyer_1,
)
from tests.promotion_support import wallet_state as state
from zhongtai.common.v1.common_pb2 import Money
from zhongtai.db import Database, utcnow
from zhongtai.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from zhongtai.promotion.v1 import promotion_pb2 as pb

# --- the rule ------------------------------------------------------------------------


def splits(total: int) -> st.SearchStrategy[list[int]]:
    """``total`` cut into positive shares, in random order."""
    return st.lists(st.integers(1, max(1, total - 1)), max_size=8, unique=True).map(
        lambda cuts: [b - a for a, b in zip([0, *sorted(c for c in cuts if c < total)],
                                            [*sorted(c for c in cuts if c < total), total],
                                            strict=True)])


@given(data=st.data(), points=st.integers(1, 100_000), money=st.integers(1, 100_000))
def test_returns_whose_money_adds_up_give_back_exactly_the_points_spent(
        data: st.DataObject, points: int, money: int) -> None:
    consumed = domain.Consumed(points, money, 0)
    returned, given_back = domain.Returned(), []
    for share in data.draw(splits(money)):
        after = domain.after_return(returned, consumed, share, 0, False)
        given_back.append(after.points - returned.points)
        returned = after
    assert sum(given_back) == points and min(given_back) >= 0
    # Anything more asked gives nothing more.
    assert domain.after_return(returned, consumed, 1, 0, False).points == points


@given(points=st.integers(0, 10_000), money=st.integers(0, 10_000), card=st.integers(0, 10_000),
       asks=st.lists(st.tuples(st.integers(0, 12_000), st.integers(0, 12_000), st.booleans()),
                     max_size=10))
def test_no_sequence_of_returns_gives_back_more_than_consumed(
        points: int, money: int, card: int, asks: list[tuple[int, int, bool]]) -> None:
    consumed = domain.Consumed(points if money else 0, money, card)
    returned = domain.Returned()
    for points_amount, card_amount, coupons in asks:
        after = domain.after_return(returned, consumed, points_amount, card_amount, coupons)
        assert returned.points <= after.points <= consumed.points
        assert returned.card_amount <= after.card_amount <= consumed.card_amount
        assert after.points_amount <= consumed.points_amount
        assert after.coupons == (returned.coupons or coupons)
        returned = after
    asked = sum(a for a, _, _ in asks), sum(c for _, c, _ in asks)
    assert returned.card_amount == min(card, asked[1])
    assert returned.points_amount == min(money, asked[0])


# --- the use case --------------------------------------------------------------------


@pytest.fixture
async def db_and_wallet(migrated_sqlite: OpenDb) -> tuple[Database, dict[str, str]]:
    """promotion's database, and buyer-1's wallet in it (``wallet_of_buyer_1``)."""
    db = await migrated_sqlite(PROMOTION)
    return db, await wallet_of_buyer_1(db)


def ask(request_id: str, points: int = 0, card: int = 0, restore: bool = False,
        order_id: str = "o1") -> pb.ReturnBenefitsRequest:
    return pb.ReturnBenefitsRequest(request_id=request_id, order_id=order_id,
                                    points_amount=cny(points), stored_value_amount=cny(card),
                                    restore_coupons=restore)


async def give_back(db: Database, req: pb.ReturnBenefitsRequest) -> pb.ReturnBenefitsResponse:
    async with db.transaction() as s:
        return await return_shares(s, db.dialect, req)


def answer(points: int, card: int, coupons: tuple[str, ...] = (), packet: str = ""
           ) -> pb.ReturnBenefitsResponse:
    return pb.ReturnBenefitsResponse(points_returned=points, stored_value_returned=cny(card),
                                     coupons_restored=coupons, red_packet_restored=packet)


async def test_shares_come_back_and_all_of_them_make_exactly_what_was_consumed(
        db_and_wallet: tuple[Database, dict[str, str]]) -> None:
    db, wallet = db_and_wallet
    # 500 points paid 5.00; 20.00 came from the card.
    await paid_order(db, "o1", cart(wallet))
    assert await give_back(db, ask("app-1", 200, 500)) == answer(200, 500)
    got = await state(db, wallet)
    assert (got["points"], got["card"]) == ((700, 0), (18_500, 0))
    assert got["coupon"] == (pb.COUPON_STATUS_USED, "o1")
    # The second refund returns the rest, and the coupons and the red packet.
    assert await give_back(db, ask("app-2", 300, 1_500, restore=True)) == answer(
        300, 1_500, (wallet["coupon"],), wallet["red_packet"])
    got = await state(db, wallet)
    assert (got["points"], got["card"]) == ((1_000, 0), (20_000, 0))
    assert got["coupon"] == (pb.COUPON_STATUS_AVAILABLE, "")
    assert got["red_packet"] == pb.RED_PACKET_STATUS_AVAILABLE
    # Nothing is left: a third gives nothing back.
    assert await give_back(db, ask("app-3", 1, 1, restore=True)) == answer(0, 0)
    assert await state(db, wallet) == got


async def test_once_per_request_id_another_payload_under_it_is_refused(
        db_and_wallet: tuple[Database, dict[str, str]]) -> None:
    db, wallet = db_and_wallet
    await paid_order(db, "o1", cart(wallet))
    first = await give_back(db, ask("app-1", 200, 500, restore=True))
    after = await state(db, wallet)
    assert await give_back(db, ask("app-1", 200, 500, restore=True)) == first
    assert await state(db, wallet) == after
    before = await rows(db)
    for other in (ask("app-1", 201, 500, restore=True), ask("app-1", 200, 500)):
        with pytest.raises(AlreadyExists) as e:
            await give_back(db, other)
        assert e.value.reason == "IDEMPOTENCY_KEY_REUSED"
    assert await rows(db) == before and await state(db, wallet) == after


async def test_with_the_paid_order_cancelled_too_never_more_than_it_took(
        db_and_wallet: tuple[Database, dict[str, str]]) -> None:
    db, wallet = db_and_wallet
    await paid_order(db, "o1", cart(wallet))
    await give_back(db, ask("app-1", 123, 456))
    # The ship timeout cancels the paid order: only the rest comes back.
    await consumers(PROMOTION, db)[BENEFIT_RELEASE.queue](cancelled("o1"))
    assert await hold_status(db, "o1") == pb.HOLD_STATUS_RETURNED
    got = await state(db, wallet)
    assert (got["points"], got["card"]) == ((1_000, 0), (20_000, 0))
    assert [(k, p) for k, p in got["ledger"]][-2:] == [("RETURN", 123), ("RETURN", 377)]
    # After-sales asking then gets nothing more.
    assert await give_back(db, ask("app-2", 377, 1_544, restore=True)) == answer(0, 0)
    assert await state(db, wallet) == got


async def test_a_coupon_that_does_not_restore_or_ended_stays_used(
        db_and_wallet: tuple[Database, dict[str, str]]) -> None:
    db, wallet = db_and_wallet
    await paid_order(db, "o1", cart(wallet, coupon="coupon_no_restore"))
    assert (await give_back(db, ask("app-1", restore=True))).coupons_restored == []
    assert (await state(db, wallet))["coupon_no_restore"] == (pb.COUPON_STATUS_USED, "o1")
    await paid_order(db, "o2", cart(wallet))
    async with db.transaction() as s:
        await s.execute(update(t.coupons).where(t.coupons.c.coupon_id == wallet["coupon"])
                        .values(valid_end_at=utcnow()))
    restored = await give_back(db, ask("app-2", order_id="o2", restore=True))
    assert list(restored.coupons_restored) == []
    assert (await state(db, wallet))["coupon"] == (pb.COUPON_STATUS_USED, "o2")


async def test_what_is_refused_writes_nothing(
        db_and_wallet: tuple[Database, dict[str, str]]) -> None:
    db, wallet = db_and_wallet
    await paid_order(db, "o2", cart(wallet, coupon="coupon_no_restore"))
    held_only = cart(wallet)
    held_only.ClearField("red_packet_id")
    async with db.transaction() as s:  # held, never paid
        await hold_benefits(s, db.dialect, pb.HoldBenefitsRequest(
            order_id="o1", quote=held_only))
    before = await rows(db), await state(db, wallet)
    for req, error, reason in (
            (ask("app-1", 100), FailedPrecondition, "ILLEGAL_HOLD_TRANSITION"),
            (ask("app-2", 100, order_id="o-none"), NotFound, "HOLD_NOT_FOUND")):
        with pytest.raises(error) as e:
            await give_back(db, req)
        assert e.value.reason == reason
    wrong = ask("app-3", order_id="o2")
    wrong.stored_value_amount.CopyFrom(Money(currency_code="USD", amount_minor=1))
    with pytest.raises(InvalidArgument) as bad:
        await give_back(db, wrong)
    assert bad.value.violations[0].field == "stored_value_amount.currency_code"
    assert (await rows(db), await state(db, wallet)) == before


async def test_each_return_is_in_the_orders_trail(
        db_and_wallet: tuple[Database, dict[str, str]]) -> None:
    db, wallet = db_and_wallet
    await paid_order(db, "o1", cart(wallet))
    await give_back(db, ask("app-1", 200, 30_000))
    async with db.transaction() as s:
        entries, _ = await trail.list_audit_entries(
            s, resource_type="benefit_hold", resource_id="o1", page_size=0, page_token="")
    assert entries[-1].detail == (
        f"after-sales app-1 gave back 200 points, 2000 to card {wallet['card']}, coupons [], "
        "red packet none (less than asked: that is all that was left)")
