"""Payment end to end on the embedded default (every service in one process,
SQLite, in-process broker), called through generated stubs, with the real
sandbox wallet provider over real HTTP: its pay endpoint, its signed
notifications to payment's callback server, its refunds."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest

from tests.builders import cny
from tests.conftest import equals, eventually
from tests.e2e.builders import (
    PAID,
    REJECTED,
    balance,
    buyer_pays,
    order_of,
    parts_of,
    payment_is,
    payment_of,
    points,
    refunds_settled,
    sandbox,
    sandbox_of,
    sold,
)
from tests.e2e.platform import Platform, running_platform
from tests.e2e.support import (
    order_request,
    refusal,
    seed_shop,
    single_order,
    status_is,
)
from zhongtai.common.v1.common_pb2 import Operator
from zhongtai.payment.v1 import payment_pb2 as pb
from zhongtai.promotion.v1 import promotion_pb2 as pr
from zhongtai.trade.v1 import trade_pb2 as tr

pytestmark = pytest.mark.e2e

P = pb.PaymentStatus


async def test_balance_payment_pays_the_order_deducts_stock_and_redeems_benefits(
        platform: Platform) -> None:
    p = platform
    shop = await seed_shop(p.stubs, "A", [3900])
    await p.promotion.EarnPoints(pr.EarnPointsRequest(request_id="e-1", buyer_id="buyer-1",
                                                      points=100))
    req = order_request("buyer-1", [(shop.sku_ids[0], 2)], request_id="o-1")
    req.benefits.points = 60
    order = (await p.stubs.trade.CreateOrder(req)).order
    due = order.pay_order.actual_amount.amount_minor
    assert due == 2 * 3900 - 60 and await points(p, "buyer-1") == (100, 60)

    methods = (await p.payment.ListPaymentMethods(pb.ListPaymentMethodsRequest(
        buyer_id="buyer-1", amount=cny(due), address=req.address))).methods
    assert [(m.method, m.available) for m in methods] == [
        (pb.METHOD_BALANCE, False), (pb.METHOD_SANDBOX, True),
        (pb.METHOD_CASH_ON_DELIVERY, True)]
    await p.payment.TopUpBalance(pb.TopUpBalanceRequest(request_id="t-1", buyer_id="buyer-1",
                                                        amount=cny(10_000)))
    payment = (await p.payment.CreatePayment(pb.CreatePaymentRequest(
        request_id="pay-1", buyer_id="buyer-1", method=pb.METHOD_BALANCE,
        parts=parts_of(order)))).payment
    assert payment.status == P.PAYMENT_STATUS_SUCCEEDED

    await eventually(lambda: status_is(p.stubs, order.order_id, tr.ORDER_STATUS_WAIT_SHIP))
    paid = await order_of(p, order.order_id)
    assert paid.pay_status == tr.PAY_STATUS_PAID
    assert paid.pay_order.status == tr.PAY_STATUS_PAID
    assert (await p.payment.GetBalance(pb.GetBalanceRequest(
        buyer_id="buyer-1"))).account.balance.amount_minor == 10_000 - due
    # catalog sold the reserved units; promotion consumed the frozen points.
    await eventually(lambda: equals(sold(p, shop.sku_ids[0]), 2))
    await eventually(lambda: equals(points(p, "buyer-1"), (40, 0)))
    await p.events.the_one(PAID, order.order_id)
    # The same request again: the same payment, nothing paid twice.
    again = (await p.payment.CreatePayment(pb.CreatePaymentRequest(
        request_id="pay-1", buyer_id="buyer-1", method=pb.METHOD_BALANCE,
        parts=parts_of(order)))).payment
    assert again.payment_id == payment.payment_id
    # Paid (trade says so): nothing more is taken for it.
    assert (await refusal(p.payment.CreatePayment(pb.CreatePaymentRequest(
        buyer_id="buyer-1", method=pb.METHOD_SANDBOX, parts=parts_of(order)))))[
        "reason"] == "ALREADY_PAID"
    # The unpaid timeout no longer applies to it.
    assert (await order_of(p, order.order_id)).status == tr.ORDER_STATUS_WAIT_SHIP


async def test_sandbox_payment_over_http_pays_the_order(platform: Platform) -> None:
    p = platform
    shop = await seed_shop(p.stubs, "A", [1500])
    order = (await p.stubs.trade.CreateOrder(order_request(
        "buyer-2", [(shop.sku_ids[0], 1)]))).order
    payment = (await p.payment.CreatePayment(pb.CreatePaymentRequest(
        request_id="pay-2", buyer_id="buyer-2", method=pb.METHOD_SANDBOX,
        parts=parts_of(order)))).payment
    attempt = payment.attempts[0]
    assert payment.status == P.PAYMENT_STATUS_PENDING
    assert attempt.pay_url.endswith(f"/pay/{attempt.attempt_id}")

    trade = await buyer_pays(p, attempt)  # signed notification -> callback -> commit
    assert trade["status"] == "SUCCEEDED"
    await eventually(lambda: payment_is(p, payment.payment_id, P.PAYMENT_STATUS_SUCCEEDED))
    await eventually(lambda: status_is(p.stubs, order.order_id, tr.ORDER_STATUS_WAIT_SHIP))
    done = await payment_of(p, payment.payment_id)
    assert done.attempts[0].channel_transaction_id == trade["transaction_id"]
    await eventually(lambda: equals(sold(p, shop.sku_ids[0]), 1))

    # A refund of part of it goes back through the sandbox.
    r = (await p.payment.CreateRefund(pb.CreateRefundRequest(
        request_id="rf-1", payment_id=payment.payment_id, amount=cny(500),
        reason="one item broken"))).refund
    assert r.kind == pb.REFUND_KIND_REQUESTED and r.attempt_id == attempt.attempt_id
    await eventually(lambda: refunds_settled(p, payment.payment_id, 1))
    view = await sandbox(p, "GET", f"{sandbox_of(attempt)}/v1/trades/{attempt.attempt_id}")
    assert view["refunded_amount"] == 500


async def test_two_channel_trades_paid_the_second_is_refunded(platform: Platform) -> None:
    p = platform
    shop = await seed_shop(p.stubs, "A", [2000])
    order = (await p.stubs.trade.CreateOrder(order_request(
        "buyer-3", [(shop.sku_ids[0], 1)]))).order
    payment = (await p.payment.CreatePayment(pb.CreatePaymentRequest(
        buyer_id="buyer-3", method=pb.METHOD_SANDBOX, parts=parts_of(order)))).payment
    a = payment.attempts[0]
    switched = (await p.payment.SwitchChannel(pb.SwitchChannelRequest(
        request_id="sw-1", payment_id=payment.payment_id, method=pb.METHOD_SANDBOX))).payment
    b = switched.attempts[1]
    assert switched.payment_id == payment.payment_id
    assert [x.status for x in switched.attempts] == [P.PAYMENT_STATUS_CLOSED,
                                                     P.PAYMENT_STATUS_PENDING]

    # The buyer pays A (its page was still open: the sandbox takes it), then B.
    await buyer_pays(p, a, force=True)
    await eventually(lambda: payment_is(p, payment.payment_id, P.PAYMENT_STATUS_SUCCEEDED))
    await buyer_pays(p, b, force=True)
    await eventually(lambda: refunds_settled(p, payment.payment_id, 1))
    done = await payment_of(p, payment.payment_id)
    assert done.winning_attempt_id == a.attempt_id
    [refund] = done.refunds
    assert (refund.kind, refund.attempt_id, refund.amount.amount_minor) == (
        pb.REFUND_KIND_EXCEPTION, b.attempt_id, 2000)
    assert done.refunded_amount.amount_minor == 0  # the order's money is untouched
    await eventually(lambda: status_is(p.stubs, order.order_id, tr.ORDER_STATUS_WAIT_SHIP))
    view = await sandbox(p, "GET", f"{sandbox_of(b)}/v1/trades/{b.attempt_id}")
    assert view["refunded_amount"] == 2000
    await p.events.the_one(PAID, order.order_id)


async def test_a_payment_after_the_unpaid_timeout_is_refunded(tmp_path: Path) -> None:
    async with running_platform(tmp_path, pay_timeout_seconds=1.0) as p:
        shop = await seed_shop(p.stubs, "A", [990])
        order = (await p.stubs.trade.CreateOrder(order_request(
            "buyer-4", [(shop.sku_ids[0], 1)]))).order
        payment = (await p.payment.CreatePayment(pb.CreatePaymentRequest(
            buyer_id="buyer-4", method=pb.METHOD_SANDBOX, parts=parts_of(order)))).payment
        await eventually(lambda: status_is(p.stubs, order.order_id, tr.ORDER_STATUS_CANCELLED))
        # trade's OrderCancelled closed the payment; its channel trade is closed too.
        await eventually(lambda: payment_is(p, payment.payment_id, P.PAYMENT_STATUS_CLOSED))
        # Trade cancelled the order before anyone heard of it: its answer
        # comes first (payment's own PAY_ORDER_CLOSED only backs it up).
        assert (await refusal(p.payment.CreatePayment(pb.CreatePaymentRequest(
            buyer_id="buyer-4", method=pb.METHOD_SANDBOX, parts=parts_of(order)))))[
            "reason"] == "ORDER_NOT_PAYABLE"

        await buyer_pays(p, payment.attempts[0], force=True)  # too late
        await eventually(lambda: refunds_settled(p, payment.payment_id, 1))
        done = await payment_of(p, payment.payment_id)
        assert done.status == P.PAYMENT_STATUS_CLOSED
        assert done.refunds[0].kind == pb.REFUND_KIND_EXCEPTION
        assert (await order_of(p, order.order_id)).status == tr.ORDER_STATUS_CANCELLED
        assert not p.events.of(PAID, order.order_id)


async def payments_for(p: Platform, order: tr.Order) -> list[pb.Payment]:
    return list((await p.payment.ListPayments(pb.ListPaymentsRequest(
        pay_order_id=order.pay_order.pay_order_id))).payments)


async def test_a_price_adjusted_after_the_payment_opened_is_rejected_and_refunded(
        platform: Platform) -> None:
    """Trade's acceptance is the backstop for a check gone stale."""
    p = platform
    order = await single_order(p.stubs, "buyer-5", 1000)
    payment = (await p.payment.CreatePayment(pb.CreatePaymentRequest(
        buyer_id="buyer-5", method=pb.METHOD_SANDBOX, parts=parts_of(order)))).payment
    adjusted = (await p.stubs.trade.AdjustPrice(tr.AdjustPriceRequest(
        order_id=order.order_id, seller_id=order.seller_id, adjust_amount=cny(-100)))).order
    assert adjusted.pay_order.actual_amount == cny(900)
    # Its channel cannot be switched any more: trade would not take 10.00.
    error = await refusal(p.payment.SwitchChannel(pb.SwitchChannelRequest(
        request_id="sw-5", payment_id=payment.payment_id, method=pb.METHOD_SANDBOX)))
    assert error["reason"] == "AMOUNT_MISMATCH"
    # The buyer pays the page opened before: payment takes it, trade refuses it.
    await buyer_pays(p, payment.attempts[0])
    await eventually(lambda: refunds_settled(p, payment.payment_id, 1))
    [rejected] = p.events.of(REJECTED, order.order_id)
    event = rejected.decode()
    assert event.reason_code == tr.PAYMENT_REJECTION_REASON_AMOUNT_MISMATCH  # type: ignore[attr-defined]
    assert event.reason.startswith("AMOUNT_MISMATCH: ")  # type: ignore[attr-defined]
    done = await payment_of(p, payment.payment_id)
    assert done.status == P.PAYMENT_STATUS_REFUNDED
    assert done.refunds[0].kind == pb.REFUND_KIND_EXCEPTION
    assert (await order_of(p, order.order_id)).status == tr.ORDER_STATUS_WAIT_PAY
    # The pay order is free again: the new amount pays the order.
    await p.payment.TopUpBalance(pb.TopUpBalanceRequest(buyer_id="buyer-5",
                                                        amount=cny(5000)))
    right = (await p.payment.CreatePayment(pb.CreatePaymentRequest(
        buyer_id="buyer-5", method=pb.METHOD_BALANCE, parts=parts_of(adjusted)))).payment
    assert right.payment_id != payment.payment_id
    await eventually(lambda: status_is(p.stubs, order.order_id, tr.ORDER_STATUS_WAIT_SHIP))
    assert await balance(p, "buyer-5") == 5000 - 900


async def test_a_wrong_amount_is_refused_before_money_moves(platform: Platform) -> None:
    p = platform
    order = await single_order(p.stubs, "buyer-9", 3000)
    await p.payment.TopUpBalance(pb.TopUpBalanceRequest(buyer_id="buyer-9",
                                                        amount=cny(5000)))
    for method in (pb.METHOD_BALANCE, pb.METHOD_SANDBOX):
        error = await refusal(p.payment.CreatePayment(pb.CreatePaymentRequest(
            request_id="pay-9", buyer_id="buyer-9", method=method,
            parts=parts_of(order, 1))))
        assert error["reason"] == "AMOUNT_MISMATCH"
        assert error["preconditions"] == [f"pay_orders/{order.pay_order.pay_order_id}"]
    # Nothing charged, no payment (so no channel trade), the request id unused.
    assert await balance(p, "buyer-9") == 5000
    assert await payments_for(p, order) == []
    paid = (await p.payment.CreatePayment(pb.CreatePaymentRequest(
        request_id="pay-9", buyer_id="buyer-9", method=pb.METHOD_BALANCE,
        parts=parts_of(order)))).payment
    assert paid.status == P.PAYMENT_STATUS_SUCCEEDED
    assert await balance(p, "buyer-9") == 2000


async def test_a_stranger_cannot_hold_someone_elses_checkout(platform: Platform) -> None:
    p = platform
    order = await single_order(p.stubs, "victim", 3000)
    error = await refusal(p.payment.CreatePayment(pb.CreatePaymentRequest(
        buyer_id="stranger", method=pb.METHOD_SANDBOX, parts=parts_of(order))))
    assert error["reason"] == "BUYER_MISMATCH"
    assert await payments_for(p, order) == []
    # The buyer pays as if nothing happened.
    payment = (await p.payment.CreatePayment(pb.CreatePaymentRequest(
        buyer_id="victim", method=pb.METHOD_SANDBOX, parts=parts_of(order)))).payment
    await buyer_pays(p, payment.attempts[0])
    await eventually(lambda: status_is(p.stubs, order.order_id, tr.ORDER_STATUS_WAIT_SHIP))


async def test_a_cancelled_order_is_refused_before_money_moves(platform: Platform) -> None:
    p = platform
    order = await single_order(p.stubs, "buyer-10", 3000)
    await p.stubs.trade.CancelOrder(tr.CancelOrderRequest(
        order_id=order.order_id, operator=Operator(role=Operator.ROLE_BUYER, id="buyer-10")))
    error = await refusal(p.payment.CreatePayment(pb.CreatePaymentRequest(
        buyer_id="buyer-10", method=pb.METHOD_SANDBOX, parts=parts_of(order))))
    assert error["reason"] == "ORDER_NOT_PAYABLE"
    assert await payments_for(p, order) == []


async def test_trade_answers_check_payable_per_part_and_writes_nothing(
        platform: Platform) -> None:
    p = platform
    order = await single_order(p.stubs, "buyer-12", 1500)
    due = order.pay_order

    def part(pay_order_id: str, order_id: str = order.order_id) -> tr.PayablePart:
        return tr.PayablePart(pay_order_id=pay_order_id, order_id=order_id,
                              amount=due.actual_amount)

    results = (await p.stubs.trade.CheckPayable(tr.CheckPayableRequest(
        buyer_id="buyer-12", parts=[part(due.pay_order_id), part("nope"),
                                    part(due.pay_order_id, "another")]))).results
    assert [(r.pay_order_id, r.reason) for r in results] == [
        (due.pay_order_id, tr.PAYMENT_REJECTION_REASON_UNSPECIFIED),
        ("nope", tr.PAYMENT_REJECTION_REASON_PAY_ORDER_NOT_FOUND),
        (due.pay_order_id, tr.PAYMENT_REJECTION_REASON_ORDER_MISMATCH)]
    assert results[0].pay_order == due and not results[1].HasField("pay_order")
    # Nothing is told about a pay order asked for with another order or buyer.
    assert not results[2].HasField("pay_order") and order.order_id not in results[2].detail
    [stranger] = (await p.stubs.trade.CheckPayable(tr.CheckPayableRequest(
        buyer_id="stranger", parts=[part(due.pay_order_id)]))).results
    assert stranger.reason == tr.PAYMENT_REJECTION_REASON_BUYER_MISMATCH
    assert not stranger.HasField("pay_order")
    error = await refusal(p.stubs.trade.CheckPayable(tr.CheckPayableRequest(
        parts=[part(due.pay_order_id)])), grpc.StatusCode.INVALID_ARGUMENT)
    assert error["fields"] == ["buyer_id"]
    assert await order_of(p, order.order_id) == order


async def test_a_new_payment_supersedes_the_one_the_buyer_abandoned(platform: Platform
                                                                    ) -> None:
    p = platform
    order = await single_order(p.stubs, "buyer-11", 2000)
    first = (await p.payment.CreatePayment(pb.CreatePaymentRequest(
        request_id="s-1", buyer_id="buyer-11", method=pb.METHOD_SANDBOX,
        parts=parts_of(order)))).payment
    # The buyer leaves the pay page open and comes back to pay from the balance.
    await p.payment.TopUpBalance(pb.TopUpBalanceRequest(buyer_id="buyer-11",
                                                        amount=cny(5000)))
    second = (await p.payment.CreatePayment(pb.CreatePaymentRequest(
        request_id="s-2", buyer_id="buyer-11", method=pb.METHOD_BALANCE,
        parts=parts_of(order)))).payment
    assert second.status == P.PAYMENT_STATUS_SUCCEEDED
    assert (await payment_of(p, first.payment_id)).status == P.PAYMENT_STATUS_CLOSED
    await p.events.the_one("zhongtai.payment.v1.PaymentClosed", first.payment_id)
    await eventually(lambda: status_is(p.stubs, order.order_id, tr.ORDER_STATUS_WAIT_SHIP))
    # ... and then pays the old page too: that money goes back by itself.
    await buyer_pays(p, first.attempts[0], force=True)
    await eventually(lambda: refunds_settled(p, first.payment_id, 1))
    [refund] = (await payment_of(p, first.payment_id)).refunds
    assert (refund.kind, refund.amount) == (pb.REFUND_KIND_EXCEPTION, cny(2000))
    await p.events.the_one(PAID, order.order_id)
    assert await balance(p, "buyer-11") == 3000
