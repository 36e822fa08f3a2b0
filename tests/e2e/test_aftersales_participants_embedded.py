"""What after-sales asks of payment, promotion and catalog, end to end on the
embedded platform through the stubs, with after-sales' service credential:
a refund of one pay order of a merged payment takes only that part's money
(to the balance that paid it, at once) and says which pay order it is for,
trade's order untouched; an agreed refund's points and card shares and its
units come back, once per application id, and the ship timeout that
cancels the paid order afterwards gives back only the rest. Others' calls
are refused before anything runs."""

from __future__ import annotations

import grpc
import pytest

from tests.builders import cny
from tests.conftest import eventually
from tests.e2e.builders import (
    balance,
    card_of,
    make_due_and_fire,
    order_of,
    order_with_benefits,
    parts_of,
    pay_by_balance,
    points_of,
)
from tests.e2e.platform import Platform
from tests.e2e.support import refusal, single_order, status_is
from zhongtai.auth import Identity, Role
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.payment.v1 import payment_pb2 as pb
from zhongtai.promotion.v1 import promotion_pb2 as pr
from zhongtai.trade.v1 import trade_pb2 as tr

pytestmark = pytest.mark.e2e

AFTERSALES = Identity.for_service("aftersales")
REFUND_SUCCEEDED = "zhongtai.payment.v1.RefundSucceeded"


async def test_a_refund_of_one_pay_order_takes_only_that_parts_money(platform: Platform) -> None:
    p, buyer = platform, "b-merged"
    first, second = (await single_order(p.stubs, buyer, 1_200),
                     await single_order(p.stubs, buyer, 800))
    await p.payment.TopUpBalance(pb.TopUpBalanceRequest(buyer_id=buyer, amount=cny(5_000)))
    payment = (await p.payment.CreatePayment(pb.CreatePaymentRequest(
        buyer_id=buyer, method=pb.METHOD_BALANCE,
        parts=[*parts_of(first), *parts_of(second)]))).payment
    assert payment.status == pb.PAYMENT_STATUS_SUCCEEDED and await balance(p, buyer) == 3_000
    await eventually(lambda: status_is(p.stubs, first.order_id, tr.ORDER_STATUS_WAIT_SHIP))
    await eventually(lambda: status_is(p.stubs, second.order_id, tr.ORDER_STATUS_WAIT_SHIP))
    as_aftersales = p.as_(AFTERSALES)
    po = second.pay_order.pay_order_id

    def refund(request_id: str, amount: int) -> pb.CreateRefundRequest:
        return pb.CreateRefundRequest(request_id=request_id, payment_id=payment.payment_id,
                                      amount=cny(amount), reason="damaged", pay_order_id=po)

    # The payment has 2000 left, but only 800 of it paid this pay order.
    error = await refusal(p.payment.CreateRefund(refund("app-0", 801), metadata=as_aftersales),
                          grpc.StatusCode.FAILED_PRECONDITION)
    assert error["reason"] == "REFUND_EXCEEDS_CAPTURED"
    made = (await p.payment.CreateRefund(refund("app-1", 500), metadata=as_aftersales)).refund
    # To the balance that paid it: credited at once.
    assert (made.pay_order_id, made.amount.amount_minor, made.status) == (
        po, 500, pb.REFUND_STATUS_SUCCEEDED)
    assert await balance(p, buyer) == 3_500
    # The same application again: the same refund, no more money.
    again = (await p.payment.CreateRefund(refund("app-1", 500), metadata=as_aftersales)).refund
    assert again == made and await balance(p, buyer) == 3_500
    error = await refusal(p.payment.CreateRefund(refund("app-2", 301), metadata=as_aftersales),
                          grpc.StatusCode.FAILED_PRECONDITION)
    assert error["metadata"] == {"payment_id": payment.payment_id, "pay_order_id": po,
                                 "refundable": "300"}
    await p.payment.CreateRefund(refund("app-2", 300), metadata=as_aftersales)
    assert await balance(p, buyer) == 3_800
    # The event names the pay order; trade, which marked nothing REFUNDING,
    # leaves both orders as they were.
    async def published() -> bool:
        return len([e for e in p.events.events if e.event_type == REFUND_SUCCEEDED]) == 2

    await eventually(published)
    succeeded = [e.decode() for e in p.events.events if e.event_type == REFUND_SUCCEEDED]
    assert {e.refund.pay_order_id for e in succeeded} == {po}  # type: ignore[attr-defined]
    for order in (first, second):
        now = await order_of(p, order.order_id)
        assert (now.status, now.pay_status) == (tr.ORDER_STATUS_WAIT_SHIP, tr.PAY_STATUS_PAID)
    # A buyer may not refund (staff's call); an operator refunds the other part.
    error = await refusal(p.payment.CreateRefund(refund("app-3", 1), metadata=p.as_(
        Identity(Role.BUYER, buyer))), grpc.StatusCode.PERMISSION_DENIED)
    assert error["reason"] == "ROLE_NOT_ALLOWED"
    await p.payment.CreateRefund(pb.CreateRefundRequest(
        request_id="ops-1", payment_id=payment.payment_id, amount=cny(1_200), reason="ops",
        pay_order_id=first.pay_order.pay_order_id), metadata=p.as_(
        Identity(Role.OPERATOR, "ops-1")))
    assert await balance(p, buyer) == 5_000


async def test_benefits_and_units_come_back_per_refund_then_the_rest_at_the_ship_timeout(
        platform: Platform) -> None:
    p, buyer = platform, "b-aftersales"
    made = await order_with_benefits(p, buyer, "aftersales-1")
    order, sku_id, card_id = made.order, made.sku_id, made.card_id
    await pay_by_balance(p, buyer, order)
    await eventually(lambda: status_is(p.stubs, order.order_id, tr.ORDER_STATUS_WAIT_SHIP))

    async def stock() -> tuple[int, int]:
        s = (await p.stubs.catalog.GetStock(cat.GetStockRequest(sku_id=sku_id))).stock
        return s.available, s.sold

    async def consumed() -> bool:  # catalog deducted, promotion redeemed
        return (await stock() == (8, 2) and (await points_of(p.promotion, buyer))[0] == 500
                and (await card_of(p.promotion, card_id))[:2] == (2_000, 0))

    await eventually(consumed)
    as_aftersales = p.as_(AFTERSALES)
    # One line's refund (one of two units): its shares of points and card.
    ret = pr.ReturnBenefitsRequest(request_id="app-1", order_id=order.order_id,
                                   points_amount=cny(250), stored_value_amount=cny(1_500))
    given = await p.promotion.ReturnBenefits(ret, metadata=as_aftersales)
    assert (given.points_returned, given.stored_value_returned.amount_minor,
            list(given.coupons_restored)) == (250, 1_500, [])
    restock = cat.RestockUnitsRequest(request_id="app-1", order_id=order.order_id,
                                      sku_id=sku_id, quantity=1)
    assert (await p.stubs.catalog.RestockUnits(restock, metadata=as_aftersales)).stock.sold == 1
    # The application again (a retry): the same answers, nothing more back.
    assert await p.promotion.ReturnBenefits(ret, metadata=as_aftersales) == given
    await p.stubs.catalog.RestockUnits(restock, metadata=as_aftersales)
    assert await stock() == (9, 1) and (await points_of(p.promotion, buyer))[0] == 750
    assert (await card_of(p.promotion, card_id))[0] == 3_500
    # Only after-sales: trade's identity, an operator and the buyer are refused.
    for who in (Identity.for_service("trade"), Identity(Role.OPERATOR, "ops-1"),
                Identity(Role.BUYER, buyer)):
        for call in (p.promotion.ReturnBenefits(ret, metadata=p.as_(who)),
                     p.stubs.catalog.RestockUnits(restock, metadata=p.as_(who))):
            assert (await refusal(call, grpc.StatusCode.PERMISSION_DENIED))["reason"] == \
                "ROLE_NOT_ALLOWED"
    # More units than the order has left are refused, nothing moves.
    error = await refusal(p.stubs.catalog.RestockUnits(cat.RestockUnitsRequest(
        request_id="app-2", order_id=order.order_id, sku_id=sku_id, quantity=2),
        metadata=as_aftersales), grpc.StatusCode.FAILED_PRECONDITION)
    assert error["reason"] == "INSUFFICIENT_STOCK" and await stock() == (9, 1)

    # The seller never ships: the ship timeout gives back only the rest.
    await make_due_and_fire(p, "order.ship_timeout", order.order_id)

    async def all_back_once() -> bool:
        return (await stock() == (10, 0)
                and await points_of(p.promotion, buyer) == (1_000, 0, 1_000)
                and await card_of(p.promotion, card_id) == (5_000, 0, 5_000))

    await eventually(all_back_once)
    # And after-sales asking again then gets nothing.
    late = await p.promotion.ReturnBenefits(pr.ReturnBenefitsRequest(
        request_id="app-3", order_id=order.order_id, points_amount=cny(250),
        stored_value_amount=cny(1_500), restore_coupons=True), metadata=as_aftersales)
    assert (late.points_returned, late.stored_value_returned.amount_minor) == (0, 0)
    assert await all_back_once()
