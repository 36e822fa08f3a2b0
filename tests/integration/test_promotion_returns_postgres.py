"""ReturnBenefits under real concurrency on PostgreSQL: after-sales requests
under different application ids, and the ship timeout's cancel of the paid
order, racing for what is left of an order's points and card amount never
give back more than the order consumed — exactly that, once all asked for
the whole — and the coupon once."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from promotion.app import BENEFIT_RELEASE
from promotion.app import SERVICE as PROMOTION
from tests.builders import cny
from tests.conftest import OpenDb
from tests.paid_cancel_support import cancelled, consumers
from tests.promotion_support import (
    cart,
    paid_order,
    return_shares,
    wallet_of_buyer_1,
    wallet_state,
)
from zhongtai.db import Database
from zhongtai.errors import Aborted
from zhongtai.promotion.v1 import promotion_pb2 as pb

pytestmark = pytest.mark.postgres


async def give_back(db: Database, request_id: str, points: int, card: int
                    ) -> pb.ReturnBenefitsResponse:
    async with db.transaction() as s:
        return await return_shares(s, db.dialect, pb.ReturnBenefitsRequest(
            request_id=request_id, order_id="o1", points_amount=cny(points),
            stored_value_amount=cny(card), restore_coupons=True))


async def cancel(db: Database) -> None:
    with contextlib.suppress(Aborted):  # a consumer's retry would come again
        await consumers(PROMOTION, db)[BENEFIT_RELEASE.queue](cancelled("o1"))


@pytest.mark.parametrize("with_cancel", [False, True])
async def test_returns_racing_each_other_and_the_cancel_give_back_exactly_once(
        migrated_pg: OpenDb, with_cancel: bool) -> None:
    db = await migrated_pg(PROMOTION)
    wallet = await wallet_of_buyer_1(db)
    # 500 points paid 5.00; 20.00 came from the card.
    await paid_order(db, "o1", cart(wallet))
    shares = [(f"app-{i}", 100, 400) for i in range(5)] * 2  # each application twice
    done = await asyncio.gather(*(give_back(db, *share) for share in shares),
                                *([cancel(db)] if with_cancel else []))
    answers = done[:len(shares)]
    # A repeat of an application got its first answer.
    for i in range(5):
        assert answers[i] == answers[i + 5]
    got = await wallet_state(db, wallet)
    assert (got["points"], got["card"]) == ((1_000, 0), (20_000, 0))
    assert got["coupon"] == (pb.COUPON_STATUS_AVAILABLE, "")
    if not with_cancel:
        assert sum(a.points_returned for a in answers[:5]) == 500
        assert sum(a.stored_value_returned.amount_minor for a in answers[:5]) == 2_000
        assert sum(len(a.coupons_restored) for a in answers[:5]) == 1
