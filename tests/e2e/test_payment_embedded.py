"""Payment end to end on the embedded default (every service in one process,
SQLite, in-process broker), called through generated stubs, with the real
sandbox wallet provider over real HTTP: its pay endpoint, its signed
notifications to payment's callback server, its refunds."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import grpc
import pytest

from payment.sandbox_server import SIGNATURE_HEADER, TIMESTAMP_HEADER
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
from tests.e2e.platform import EPHEMERAL_PAYMENT, Platform, running_platform
from tests.e2e.support import (
    order_request,
    refusal,
    rich_error,
    seed_shop,
    single_order,
    status_is,
)
from zhongtai import signing
from zhongtai.common.v1.common_pb2 import Operator
from zhongtai.errors import Reasons
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


async def test_forged_notifications_get_401_and_change_nothing(platform: Platform) -> None:
    p = platform
    shop = await seed_shop(p.stubs, "A", [800])
    order = (await p.stubs.trade.CreateOrder(order_request(
        "buyer-6", [(shop.sku_ids[0], 1)]))).order
    payment = (await p.payment.CreatePayment(pb.CreatePaymentRequest(
        buyer_id="buyer-6", method=pb.METHOD_SANDBOX, parts=parts_of(order)))).payment
    attempt = payment.attempts[0]
    body = paid_notification(attempt, 800)
    url = f"{p.callback_url}/callbacks/sandbox"
    # Signed with nothing, garbage, or the fixed secret there used to be by default.
    for headers in ({}, {"X-Sandbox-Timestamp": "1", "X-Sandbox-Signature": "00" * 32},
                    signed(body, "zhongtai-sandbox-secret")):
        async with p.http.post(url, data=body, headers=headers) as resp:
            assert resp.status == 401
    async with p.http.post(f"{p.callback_url}/callbacks/nope", data=body) as resp:
        assert resp.status == 404

    # The sandbox itself, told to sign wrongly: every delivery is refused.
    base = sandbox_of(attempt)
    await sandbox(p, "POST", f"{base}/v1/control",
                  {"out_trade_no": attempt.attempt_id, "bad_signature": True})
    await buyer_pays(p, attempt)

    async def refused() -> bool:
        control = await sandbox(p, "GET", f"{base}/v1/control")
        return any(d.get("result") == 401 for d in control["deliveries"])

    await eventually(refused)
    assert (await payment_of(p, payment.payment_id)).status == P.PAYMENT_STATUS_PENDING
    assert (await order_of(p, order.order_id)).status == tr.ORDER_STATUS_WAIT_PAY


def paid_notification(attempt: pb.PaymentAttempt, amount: int) -> bytes:
    """What the sandbox posts when an attempt is paid."""
    return json.dumps({"type": "payment", "out_trade_no": attempt.attempt_id,
                       "out_refund_no": "", "status": "SUCCEEDED", "transaction_id": "x",
                       "amount": amount, "currency": "CNY",
                       "time": "2030-01-01T00:00:00.000000Z"}).encode()


def signed(body: bytes, secret: str) -> dict[str, str]:
    return signing.signed_headers(secret, body, timestamp_header=TIMESTAMP_HEADER,
                                  signature_header=SIGNATURE_HEADER)


async def test_while_the_secret_rotates_the_previous_one_is_accepted_too(
        tmp_path: Path) -> None:
    rotating = dataclasses.replace(EPHEMERAL_PAYMENT, sandbox_secret="the-new-secret-0123",
                                   sandbox_secret_previous="the-old-secret-0123")
    async with running_platform(tmp_path, payment=rotating) as p:
        order = await single_order(p.stubs, "buyer-r", 700)
        payment = (await p.payment.CreatePayment(pb.CreatePaymentRequest(
            buyer_id="buyer-r", method=pb.METHOD_SANDBOX, parts=parts_of(order)))).payment
        body = paid_notification(payment.attempts[0], 700)
        url = f"{p.callback_url}/callbacks/sandbox"
        async with p.http.post(url, data=body, headers=signed(body, "another-secret-0123")
                               ) as resp:
            assert resp.status == 401
        async with p.http.post(url, data=body, headers=signed(body, "the-old-secret-0123")
                               ) as resp:
            assert resp.status == 200
        await eventually(lambda: payment_is(p, payment.payment_id, P.PAYMENT_STATUS_SUCCEEDED))
        await eventually(lambda: status_is(p.stubs, order.order_id, tr.ORDER_STATUS_WAIT_SHIP))


async def test_reordered_and_duplicated_notifications(platform: Platform) -> None:
    """Both channel trades paid, their notifications held and delivered last
    first, each three times: one attempt wins, the other is refunded once."""
    p = platform
    shop = await seed_shop(p.stubs, "A", [2500])
    order = (await p.stubs.trade.CreateOrder(order_request(
        "buyer-7", [(shop.sku_ids[0], 1)]))).order
    payment = (await p.payment.CreatePayment(pb.CreatePaymentRequest(
        buyer_id="buyer-7", method=pb.METHOD_SANDBOX, parts=parts_of(order)))).payment
    a = payment.attempts[0]
    b = (await p.payment.SwitchChannel(pb.SwitchChannelRequest(
        request_id="sw-7", payment_id=payment.payment_id,
        method=pb.METHOD_SANDBOX))).payment.attempts[1]
    base = sandbox_of(a)
    await sandbox(p, "POST", f"{base}/v1/control", {"reorder": True, "duplicate": 2})

    await buyer_pays(p, a, force=True)  # A first (its page was still open) ...
    await buyer_pays(p, b, force=True)  # ... then B
    assert (await sandbox(p, "GET", f"{base}/v1/control"))["held"] == 6
    assert await payment_is(p, payment.payment_id, P.PAYMENT_STATUS_PENDING)
    # Delivered last first: B's three copies, then A's three.
    await sandbox(p, "POST", f"{base}/v1/control", {"reorder": None})
    assert (await sandbox(p, "POST", f"{base}/v1/control/flush"))["delivered"] == 6

    await eventually(lambda: refunds_settled(p, payment.payment_id, 1))
    done = await payment_of(p, payment.payment_id)
    assert done.status == P.PAYMENT_STATUS_SUCCEEDED
    assert done.winning_attempt_id == b.attempt_id
    assert [x.status for x in done.attempts] == [P.PAYMENT_STATUS_SUCCEEDED] * 2
    [refund] = done.refunds
    assert (refund.kind, refund.attempt_id, refund.amount.amount_minor) == (
        pb.REFUND_KIND_EXCEPTION, a.attempt_id, 2500)
    assert done.refunded_amount.amount_minor == 0
    await eventually(lambda: status_is(p.stubs, order.order_id, tr.ORDER_STATUS_WAIT_SHIP))
    await eventually(lambda: equals(sold(p, shop.sku_ids[0]), 1))
    # Every copy was answered 200 (the duplicates as duplicates) and had no effect.
    async def all_answered() -> bool:
        # Two trades and the refund, three copies each, all answered 200.
        deliveries = (await sandbox(p, "GET", f"{base}/v1/control"))["deliveries"]
        return len(deliveries) == 9 and all(d.get("result") == 200 for d in deliveries)

    await eventually(all_answered)
    view_a = await sandbox(p, "GET", f"{base}/v1/trades/{a.attempt_id}")
    view_b = await sandbox(p, "GET", f"{base}/v1/trades/{b.attempt_id}")
    assert (view_a["refunded_amount"], view_b["refunded_amount"]) == (2500, 0)
    again = await payment_of(p, payment.payment_id)
    assert len(again.refunds) == 1 and again.status == P.PAYMENT_STATUS_SUCCEEDED
    await p.events.the_one(PAID, order.order_id)
    await p.events.the_one("zhongtai.payment.v1.PaymentSucceeded", payment.payment_id)


async def test_a_channel_instant_discount_pays_in_full_and_is_refunded_last(
        platform: Platform) -> None:
    """随机立减: the channel takes 3.00 off a 50.00 trade and funds it itself."""
    p = platform
    shop = await seed_shop(p.stubs, "A", [5000])
    order = (await p.stubs.trade.CreateOrder(order_request(
        "buyer-8", [(shop.sku_ids[0], 1)]))).order
    assert order.pay_order.actual_amount.amount_minor == 5000
    payment = (await p.payment.CreatePayment(pb.CreatePaymentRequest(
        buyer_id="buyer-8", method=pb.METHOD_SANDBOX, parts=parts_of(order)))).payment
    attempt = payment.attempts[0]
    base = sandbox_of(attempt)
    await sandbox(p, "POST", f"{base}/v1/control",
                  {"out_trade_no": attempt.attempt_id, "instant_discount": 300})

    trade = await buyer_pays(p, attempt)
    assert (trade["amount"], trade["paid_amount"], trade["channel_discount_amount"]) == (
        5000, 4700, 300)
    await eventually(lambda: payment_is(p, payment.payment_id, P.PAYMENT_STATUS_SUCCEEDED))
    await eventually(lambda: status_is(p.stubs, order.order_id, tr.ORDER_STATUS_WAIT_SHIP))
    assert (await order_of(p, order.order_id)).pay_status == tr.PAY_STATUS_PAID
    [paid] = (await payment_of(p, payment.payment_id)).attempts
    assert (paid.buyer_paid_amount, paid.channel_discount_amount) == (cny(4700), cny(300))

    # Refunds are order money (at most the 50.00 captured), the buyer's
    # money first: 20.00 is all the buyer's, the last 30.00 gives them 27.00
    # and the channel its 3.00 back.
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await p.payment.CreateRefund(pb.CreateRefundRequest(
            request_id="rf-8a", payment_id=payment.payment_id, amount=cny(5001)))
    assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert rich_error(e.value)["reason"] == "REFUND_EXCEEDS_CAPTURED"
    splits = []
    for request_id, amount in (("rf-8b", 2000), ("rf-8c", 3000)):
        r = (await p.payment.CreateRefund(pb.CreateRefundRequest(
            request_id=request_id, payment_id=payment.payment_id, amount=cny(amount)))).refund
        assert (r.kind, r.amount) == (pb.REFUND_KIND_REQUESTED, cny(amount))
        splits.append((r.payer_amount, r.channel_discount_amount))
    assert splits == [(cny(2000), cny(0)), (cny(2700), cny(300))]
    await eventually(lambda: refunds_settled(p, payment.payment_id, 2))
    await eventually(lambda: payment_is(p, payment.payment_id, P.PAYMENT_STATUS_REFUNDED))
    view = await sandbox(p, "GET", f"{base}/v1/trades/{attempt.attempt_id}")
    assert (view["refunded_amount"], view["paid_amount"]) == (5000, 4700)
    last = await sandbox(p, "GET", f"{base}/v1/refunds/{r.refund_id}")
    assert (last["payer_amount"], last["channel_discount_amount"]) == (2700, 300)


async def test_payment_reports_each_reason_with_the_code_its_contract_declares(
        platform: Platform) -> None:
    """ErrorInfo.reason is a value of payment's ErrorReason (trade's refusals
    included), reported with the status code that value declares."""
    p = platform
    declared = Reasons(pb.ErrorReason)
    order = await single_order(p.stubs, "buyer-13", 1200)
    calls = [
        p.payment.GetPayment(pb.GetPaymentRequest(payment_id="nope")),
        p.payment.GetRefund(pb.GetRefundRequest(refund_id="nope")),
        p.payment.ClosePayment(pb.ClosePaymentRequest(payment_id="nope")),
        p.payment.CreatePayment(pb.CreatePaymentRequest(
            buyer_id="buyer-13", method=pb.METHOD_CASH_ON_DELIVERY, parts=parts_of(order))),
        p.payment.CreatePayment(pb.CreatePaymentRequest(
            buyer_id="buyer-13", method=pb.METHOD_BALANCE, parts=parts_of(order))),
        p.payment.CreatePayment(pb.CreatePaymentRequest(
            buyer_id="buyer-13", method=pb.METHOD_SANDBOX, parts=parts_of(order, 1199))),
    ]
    reasons = []
    for call in calls:
        with pytest.raises(grpc.aio.AioRpcError) as e:
            await call
        error = rich_error(e.value)
        reason = declared[pb.ErrorReason.Value(f"ERROR_REASON_{error['reason']}")]
        assert e.value.code().name == reason.code and error["domain"] == "zhongtai.dev"
        reasons.append(reason.name)
    assert reasons == ["PAYMENT_NOT_FOUND", "REFUND_NOT_FOUND", "PAYMENT_NOT_FOUND",
                       "METHOD_NOT_SUPPORTED", "INSUFFICIENT_BALANCE", "AMOUNT_MISMATCH"]
