"""payment's access rules end to end, through the stubs with explicit
credentials: what the issue saw (anyone refunding someone's payment, topping
up their own balance, closing or reading another buyer's payment) is refused
with the right code and changes nothing; the owner and staff are served."""

from __future__ import annotations

import grpc
import pytest

from tests.builders import cny
from tests.e2e.builders import balance, parts_of, payment_of
from tests.e2e.platform import Platform
from tests.e2e.support import refusal, rich_error, single_order
from zhongtai.auth import Identity, Role
from zhongtai.common.v1.common_pb2 import Money
from zhongtai.payment.v1 import payment_pb2 as pb

pytestmark = pytest.mark.e2e

DENIED = grpc.StatusCode.PERMISSION_DENIED
VICTIM = Identity(Role.BUYER, "victim")
ATTACKER = Identity(Role.BUYER, "attacker")
OPERATOR = Identity(Role.OPERATOR, "ops-1")


async def test_another_buyer_cannot_refund_top_up_close_or_read(platform: Platform) -> None:
    p = platform
    paid_order = await single_order(p.stubs, "victim", 1200)
    open_order = await single_order(p.stubs, "victim", 800)
    await p.payment.TopUpBalance(pb.TopUpBalanceRequest(buyer_id="victim", amount=cny(5000)))
    paid = (await p.payment.CreatePayment(pb.CreatePaymentRequest(
        buyer_id="victim", method=pb.METHOD_BALANCE, parts=parts_of(paid_order)),
        metadata=p.as_(VICTIM))).payment
    pending = (await p.payment.CreatePayment(pb.CreatePaymentRequest(
        buyer_id="victim", method=pb.METHOD_SANDBOX, parts=parts_of(open_order)),
        metadata=p.as_(VICTIM))).payment
    attacker = p.as_(ATTACKER)

    async def reason(call: object) -> object:
        return (await refusal(call, DENIED))["reason"]  # type: ignore[arg-type]

    # Money moves to someone only by staff.
    assert await reason(p.payment.CreateRefund(pb.CreateRefundRequest(
        payment_id=paid.payment_id, amount=cny(1200)), metadata=attacker)) == "ROLE_NOT_ALLOWED"
    assert await reason(p.payment.TopUpBalance(pb.TopUpBalanceRequest(
        buyer_id="attacker", amount=cny(10_000_000)), metadata=attacker)) == "ROLE_NOT_ALLOWED"
    # Another buyer's payments are neither read nor acted on.
    for call in (p.payment.GetPayment(pb.GetPaymentRequest(payment_id=paid.payment_id),
                                      metadata=attacker),
                 p.payment.ListPayments(pb.ListPaymentsRequest(
                     pay_order_id=paid_order.pay_order.pay_order_id), metadata=attacker),
                 p.payment.ClosePayment(pb.ClosePaymentRequest(payment_id=pending.payment_id),
                                        metadata=attacker),
                 p.payment.SwitchChannel(pb.SwitchChannelRequest(
                     payment_id=pending.payment_id, method=pb.METHOD_SANDBOX),
                     metadata=attacker)):
        assert await reason(call) == "NOT_THE_PAYMENT_BUYER"
    # Nor is their balance, nor is paying in their name.
    for call in (p.payment.GetBalance(pb.GetBalanceRequest(buyer_id="victim"),
                                      metadata=attacker),
                 p.payment.CreatePayment(pb.CreatePaymentRequest(
                     buyer_id="victim", method=pb.METHOD_BALANCE, parts=parts_of(open_order)),
                     metadata=attacker)):
        assert await reason(call) == "SUBJECT_MISMATCH"

    assert await balance(p, "attacker") == 0 and await balance(p, "victim") == 3800
    assert (await payment_of(p, paid.payment_id)).refunds == []
    still = await payment_of(p, pending.payment_id)
    assert (still.status, len(still.attempts)) == (pb.PAYMENT_STATUS_PENDING, 1)

    # The buyer reads and closes their own; an operator refunds.
    own = (await p.payment.GetPayment(pb.GetPaymentRequest(payment_id=paid.payment_id),
                                      metadata=p.as_(VICTIM))).payment
    assert own.status == pb.PAYMENT_STATUS_SUCCEEDED
    closed = (await p.payment.ClosePayment(pb.ClosePaymentRequest(
        payment_id=pending.payment_id), metadata=p.as_(VICTIM))).payment
    assert closed.status == pb.PAYMENT_STATUS_CLOSED
    refund = (await p.payment.CreateRefund(pb.CreateRefundRequest(
        request_id="r-1", payment_id=paid.payment_id, amount=cny(200), reason="damaged"),
        metadata=p.as_(OPERATOR))).refund
    assert refund.amount == cny(200)
    assert await balance(p, "victim") == 4000  # a balance refund is credited at once


async def test_input_outside_the_contract_is_invalid_argument_and_writes_nothing(
        platform: Platform) -> None:
    """A currency the platform does not enable opens no balance; oversized
    ids and texts, out-of-range amounts and undefined enums are refused
    field by field, with an error that does not echo them."""
    p = platform
    ops = p.as_(OPERATOR)
    huge, xxx = cny(2**62), Money(currency_code="XXX", amount_minor=100)
    part = pb.PaymentPart(pay_order_id="po-x", order_id="o-x", amount=huge)
    cases = [
        (p.payment.GetBalance(pb.GetBalanceRequest(buyer_id="b-x", currency_code="XXX")),
         ["currency_code"]),
        (p.payment.TopUpBalance(pb.TopUpBalanceRequest(buyer_id="b-x", amount=xxx),
                                metadata=ops), ["amount.currency_code"]),
        (p.payment.TopUpBalance(pb.TopUpBalanceRequest(buyer_id="b-x", amount=huge),
                                metadata=ops), ["amount.amount_minor"]),
        (p.payment.GetPayment(pb.GetPaymentRequest(payment_id="x" * 20_000)), ["payment_id"]),
        (p.payment.GetRefund(pb.GetRefundRequest(refund_id=" ")), ["refund_id"]),
        (p.payment.CreatePayment(pb.CreatePaymentRequest(
            buyer_id="b-x", method=99, parts=[part])),  # type: ignore[arg-type]
         ["parts[0].amount.amount_minor", "method"]),
        (p.payment.ClosePayment(pb.ClosePaymentRequest(payment_id="p", reason="r" * 100_000)),
         ["reason"]),
        (p.payment.CreateRefund(pb.CreateRefundRequest(payment_id="p", amount=cny(-990)),
                                metadata=ops), ["amount.amount_minor"]),
    ]
    for call, fields in cases:
        with pytest.raises(grpc.aio.AioRpcError) as e:
            await call
        error = rich_error(e.value)
        assert (error["code"], error["reason"]) == (grpc.StatusCode.INVALID_ARGUMENT,
                                                    "INVALID_ARGUMENT")
        assert sorted(error["fields"]) == sorted(fields)  # type: ignore[type-var]
        assert len(e.value.details() or "") <= 1024
    assert await balance(p, "b-x") == 0
