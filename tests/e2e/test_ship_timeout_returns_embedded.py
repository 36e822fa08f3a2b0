"""A paid order the seller does not ship in time, end to end on the embedded
default (every service in one process, SQLite, in-process broker), through
gRPC stubs: trade's ship timeout cancels it; catalog puts the sold units back
on sale, promotion gives back the points, the stored-value card amount and
the coupon, payment refunds the balance — each once, also when the
cancellation is delivered again."""

from __future__ import annotations

import pytest

from tests.builders import cny
from tests.conftest import eventually
from tests.e2e.builders import (
    CANCELLED,
    again,
    deliver,
    make_due_and_fire,
    order_of,
    order_with_benefits,
    pay_by_balance,
)
from tests.e2e.platform import Platform
from tests.e2e.support import order_request, seed_shop, status_is
from tests.paid_cancel_support import outbox_events
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.payment.v1 import payment_pb2 as pb
from zhongtai.promotion.v1 import promotion_pb2 as pr
from zhongtai.trade.v1 import trade_pb2 as tr

pytestmark = pytest.mark.e2e

HOLD_CHANGED = "zhongtai.promotion.v1.BenefitHoldChanged"
RESERVATION_CHANGED = "zhongtai.catalog.v1.ReservationChanged"


async def test_ship_timeout_gives_back_stock_points_card_coupon_and_money(
        platform: Platform) -> None:
    p, buyer = platform, "b-return"
    made = await order_with_benefits(p, buyer, "returns-1")
    order, sku_id, coupon = made.order, made.sku_id, made.coupon_id
    # 200.00 - 10.00 coupon - 5.00 points - 30.00 card = 155.00 paid by balance.
    assert order.pay_order.stored_value_amount.amount_minor == 3_000
    assert order.pay_order.actual_amount.amount_minor == 15_500

    async def stock() -> tuple[int, int, int]:
        s = (await p.stubs.catalog.GetStock(cat.GetStockRequest(sku_id=sku_id))).stock
        return s.available, s.reserved, s.sold

    async def wallet() -> tuple[tuple[int, int], tuple[int, int], int]:
        a = (await p.promotion.GetPointsAccount(pr.GetPointsAccountRequest(
            buyer_id=buyer))).account
        c = (await p.promotion.GetStoredValueCard(pr.GetStoredValueCardRequest(
            card_id=made.card_id))).card
        coupons = (await p.promotion.ListCoupons(pr.ListCouponsRequest(buyer_id=buyer))).coupons
        return ((a.balance, a.frozen), (c.balance.amount_minor, c.held.amount_minor),
                next(x.status for x in coupons if x.coupon_id == coupon))

    async def balance() -> int:
        account = (await p.payment.GetBalance(pb.GetBalanceRequest(buyer_id=buyer))).account
        return int(account.balance.amount_minor)

    payment = await pay_by_balance(p, buyer, order)  # tops up 1000.00 first
    await eventually(lambda: status_is(p.stubs, order.order_id, tr.ORDER_STATUS_WAIT_SHIP))

    async def settled() -> bool:  # catalog deducted, promotion redeemed
        return (await stock() == (8, 0, 2) and await wallet() == (
            (500, 0), (2_000, 0), pr.COUPON_STATUS_USED))

    await eventually(settled)
    assert await balance() == 100_000 - 15_500

    await make_due_and_fire(p, "order.ship_timeout", order.order_id)
    closed = await order_of(p, order.order_id)
    assert closed.status == tr.ORDER_STATUS_CANCELLED
    assert closed.close_reason == tr.CLOSE_REASON_SHIP_TIMEOUT
    assert closed.pay_status == tr.PAY_STATUS_REFUNDING

    async def all_back() -> bool:
        return (await stock() == (10, 0, 0)
                and await wallet() == ((1_000, 0), (5_000, 0), pr.COUPON_STATUS_AVAILABLE)
                and await balance() == 100_000)

    await eventually(all_back)
    refunds = (await p.payment.GetPayment(pb.GetPaymentRequest(
        payment_id=payment.payment_id))).payment.refunds
    assert [(r.amount.amount_minor, r.status) for r in refunds] == [
        (15_500, pb.REFUND_STATUS_SUCCEEDED)]
    # Catalog and promotion each wrote their change once, through the outbox.
    assert await statuses(p, order.order_id) == (
        [cat.RESERVATION_STATUS_RESERVED, cat.RESERVATION_STATUS_DEDUCTED,
         cat.RESERVATION_STATUS_RESTOCKED],
        [pr.HOLD_STATUS_HELD, pr.HOLD_STATUS_REDEEMED, pr.HOLD_STATUS_RETURNED])
    restocked = (await outbox_events(p.runtime.dbs["catalog"], "catalog.reservation.changed",
                                     order.order_id))[-1].reservation
    assert [(x.sku_id, x.quantity) for x in restocked.lines] == [(sku_id, 2)]
    hold = (await outbox_events(p.runtime.dbs["promotion"], "promotion.hold.changed",
                                order.order_id))[-1].hold
    assert (hold.points, hold.stored_value_amount.amount_minor) == (500, 3_000)

    async def published() -> bool:  # the relays hand them to the bus
        return (len(p.events.of(RESERVATION_CHANGED, order.order_id)) == 3
                and len(p.events.of(HOLD_CHANGED, order.order_id)) == 3)

    await eventually(published)

    # The cancellation redelivered (same id) and re-sent (new id): nothing more.
    cancelled = await p.events.the_one(CANCELLED, order.order_id)
    assert cancelled.decode().paid  # type: ignore[attr-defined]
    await deliver(p, again(cancelled, new_event_id=False))
    await deliver(p, again(cancelled, new_event_id=True))
    assert await stock() == (10, 0, 0)
    assert await wallet() == ((1_000, 0), (5_000, 0), pr.COUPON_STATUS_AVAILABLE)
    assert await balance() == 100_000
    assert await statuses(p, order.order_id) == (
        [cat.RESERVATION_STATUS_RESERVED, cat.RESERVATION_STATUS_DEDUCTED,
         cat.RESERVATION_STATUS_RESTOCKED],
        [pr.HOLD_STATUS_HELD, pr.HOLD_STATUS_REDEEMED, pr.HOLD_STATUS_RETURNED])
    assert len((await p.payment.GetPayment(pb.GetPaymentRequest(
        payment_id=payment.payment_id))).payment.refunds) == 1


async def test_an_order_points_and_the_card_paid_is_refunded_at_once_by_the_ship_timeout(
        platform: Platform) -> None:
    """Nothing of it went through payment (its pay order asks 0, no payment
    id): the ship timeout marks it REFUNDED at once — nothing for payment to
    refund — and promotion gives the card and the points back."""
    p, buyer = platform, "b-card-only"
    shop = await seed_shop(p.stubs, "A", [3_000], stock=5)
    await p.promotion.EarnPoints(pr.EarnPointsRequest(request_id="earn-c", buyer_id=buyer,
                                                      points=1_000, reason="welcome"))
    card = (await p.promotion.CreateStoredValueCard(pr.CreateStoredValueCardRequest(
        request_id="card-c", buyer_id=buyer, balance=cny(5_000)))).card
    req = order_request(buyer, [(shop.sku_ids[0], 1)], request_id="card-only-1")
    req.benefits.CopyFrom(tr.Benefits(points=500, stored_value_card_id=card.card_id))
    order = (await p.stubs.trade.CreateOrder(req)).order
    # 30.00 - 5.00 points - 25.00 card: nothing to pay through payment, paid at once.
    assert order.status == tr.ORDER_STATUS_WAIT_SHIP and order.pay_order.payment_id == ""
    assert order.pay_order.actual_amount.amount_minor == 0

    async def card_and_points() -> tuple[int, int]:
        c = (await p.promotion.GetStoredValueCard(pr.GetStoredValueCardRequest(
            card_id=card.card_id))).card
        a = (await p.promotion.GetPointsAccount(pr.GetPointsAccountRequest(
            buyer_id=buyer))).account
        return c.balance.amount_minor, a.balance

    async def redeemed() -> bool:
        return await card_and_points() == (2_500, 500)

    await eventually(redeemed)
    await make_due_and_fire(p, "order.ship_timeout", order.order_id)
    closed = await order_of(p, order.order_id)
    assert (closed.status, closed.close_reason) == (tr.ORDER_STATUS_CANCELLED,
                                                    tr.CLOSE_REASON_SHIP_TIMEOUT)
    assert closed.pay_status == closed.pay_order.status == tr.PAY_STATUS_REFUNDED
    cancelled = (await p.events.the_one(CANCELLED, order.order_id)).decode()
    assert cancelled.paid  # type: ignore[attr-defined]
    assert cancelled.order.pay_status == tr.PAY_STATUS_REFUNDED  # type: ignore[attr-defined]

    async def given_back() -> bool:
        return await card_and_points() == (5_000, 1_000)

    await eventually(given_back)


async def statuses(p: Platform, order_id: str) -> tuple[list[int], list[int]]:
    """The reservation and hold statuses catalog and promotion wrote to their
    outboxes for the order, oldest first."""
    reservations = await outbox_events(p.runtime.dbs["catalog"], "catalog.reservation.changed",
                                       order_id)
    holds = await outbox_events(p.runtime.dbs["promotion"], "promotion.hold.changed", order_id)
    return ([e.reservation.status for e in reservations], [e.hold.status for e in holds])
