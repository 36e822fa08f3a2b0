"""Payment end to end on the embedded default, with the real sandbox wallet
provider over real HTTP: forged, rotated, reordered and duplicated
notifications, a channel's instant discount, and each reason's status code."""

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
    buyer_pays,
    order_of,
    parts_of,
    payment_is,
    payment_of,
    refunds_settled,
    sandbox,
    sandbox_of,
    sold,
)
from tests.e2e.platform import EPHEMERAL_PAYMENT, Platform, running_platform
from tests.e2e.support import (
    order_request,
    rich_error,
    seed_shop,
    single_order,
    status_is,
)
from zhongtai import signing
from zhongtai.errors import Reasons
from zhongtai.payment.v1 import payment_pb2 as pb
from zhongtai.trade.v1 import trade_pb2 as tr

pytestmark = pytest.mark.e2e

P = pb.PaymentStatus

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
