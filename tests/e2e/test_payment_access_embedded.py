"""payment's access rules end to end, through the stubs with explicit
credentials: what the issue saw (anyone refunding someone's payment, topping
up their own balance, closing or reading another buyer's payment, a currency
that opens a balance, unbounded input) is refused with the right code and
changes nothing; the owner and staff are served; every change is in the
audit trail operators read."""

from __future__ import annotations

import grpc
import pytest

from tests.builders import cny
from tests.conftest import eventually
from tests.e2e.builders import balance, parts_of, payment_is, payment_of
from tests.e2e.platform import Platform
from tests.e2e.support import refusal, rich_error, single_order
from zhongtai.auth import Identity, Role
from zhongtai.common.v1.common_pb2 import Money, Operator
from zhongtai.payment.v1 import payment_pb2 as pb
from zhongtai.trade.v1 import trade_pb2 as tr

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


async def trail(p: Platform, resource_type: str, resource_id: str
                ) -> list[tuple[str, str, str, str]]:
    """(subject, role, action, detail) of a resource's audit entries."""
    entries = (await p.payment.ListAuditEntries(pb.ListAuditEntriesRequest(
        resource_type=resource_type, resource_id=resource_id),
        metadata=p.as_(OPERATOR))).entries
    assert all(e.resource_type == resource_type and e.resource_id == resource_id
               and e.occur_time.seconds > 0 for e in entries)
    return [(e.subject, e.role, e.action, e.detail) for e in entries]


async def attempt_closed(p: Platform, payment_id: str) -> bool:
    return (await payment_of(p, payment_id)).attempts[0].status == pb.PAYMENT_STATUS_CLOSED


async def test_every_change_is_in_the_audit_trail_operators_read(platform: Platform) -> None:
    """A buyer's call, then trade's event: both entries, each with its
    actor; a balance's top-up by an operator and debit by the buyer."""
    p = platform
    buyer = Identity(Role.BUYER, "buyer-a", app="web-shop")
    order = await single_order(p.stubs, "buyer-a", 900)
    payment = (await p.payment.CreatePayment(pb.CreatePaymentRequest(
        buyer_id="buyer-a", method=pb.METHOD_SANDBOX, parts=parts_of(order)),
        metadata=p.as_(buyer))).payment
    await p.stubs.trade.CancelOrder(tr.CancelOrderRequest(
        order_id=order.order_id, operator=Operator(role=Operator.ROLE_BUYER, id="buyer-a")))
    await eventually(lambda: payment_is(p, payment.payment_id, pb.PAYMENT_STATUS_CLOSED))
    attempt = payment.attempts[0].attempt_id
    await eventually(lambda: attempt_closed(p, payment.payment_id))  # at the channel too
    assert await trail(p, "payment", payment.payment_id) == [
        ("buyer-a", "buyer", "CreatePayment",
         f"opened 900 CNY by METHOD_SANDBOX for pay orders {order.pay_order.pay_order_id}; "
         f"attempt {attempt} METHOD_SANDBOX opened"),
        ("buyer-a", "buyer", "CreatePayment", f"attempt {attempt} pay URL stored"),
        ("payment", "service", "event zhongtai.trade.v1.OrderCancelled", "PENDING -> CLOSED"),
        ("payment", "service", "worker AttemptSweep", f"attempt {attempt} PENDING -> CLOSED")]

    other = await single_order(p.stubs, "buyer-a", 1200)
    await p.payment.TopUpBalance(pb.TopUpBalanceRequest(
        request_id="t-a", buyer_id="buyer-a", amount=cny(5000)), metadata=p.as_(OPERATOR))
    await p.payment.CreatePayment(pb.CreatePaymentRequest(
        buyer_id="buyer-a", method=pb.METHOD_BALANCE, parts=parts_of(other)),
        metadata=p.as_(buyer))
    assert [(s, r, a, d.split(" (")[0]) for s, r, a, d in await trail(p, "balance",
                                                                      "buyer-a/CNY")] == [
        ("ops-1", "operator", "TopUpBalance", "TOP_UP +5000"),
        ("buyer-a", "buyer", "CreatePayment", "PAYMENT -1200")]

    assert (await refusal(p.payment.ListAuditEntries(pb.ListAuditEntriesRequest(
        resource_type="payment", resource_id=payment.payment_id), metadata=p.as_(buyer)),
        DENIED))["reason"] == "ROLE_NOT_ALLOWED"
    assert (await refusal(p.payment.ListAuditEntries(pb.ListAuditEntriesRequest(
        resource_type="order", resource_id="o-1"), metadata=p.as_(OPERATOR)),
        grpc.StatusCode.INVALID_ARGUMENT))["fields"] == ["resource_type"]

