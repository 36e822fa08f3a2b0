"""Who may act on a payment, on the in-memory unit of work: a buyer reads
and acts on their own payments, refunds and balance only, whatever the
request names; staff on any. A refused call writes nothing and calls no
channel. Every change that commits is in the audit trail, saying what
changed."""

from __future__ import annotations

import pytest

from payment.rules import check_payer
from tests.builders import cny
from tests.fakes import FakeChannel
from tests.payment_support import Payments, create_request, in_memory, run_sweeps, top_up
from zhongtai.auth import Identity, Role
from zhongtai.errors import FailedPrecondition, InvalidArgument, PermissionDenied
from zhongtai.payment.v1 import payment_pb2 as pb

OWNER = Identity(Role.BUYER, "buyer-1")
STRANGER = Identity(Role.BUYER, "buyer-2")
OPERATOR = Identity(Role.OPERATOR, "ops-1")
SELLER = Identity(Role.SELLER, "acct", frozenset({"buyer-1"}))


def test_a_buyer_acts_on_their_own_payments_staff_on_any() -> None:
    for caller in (OWNER, OPERATOR, Identity.for_service("trade")):
        check_payer(caller, "p-1", "buyer-1")
    for caller in (STRANGER, SELLER, Identity(Role.BUYER, "")):
        with pytest.raises(PermissionDenied) as e:
            check_payer(caller, "p-1", "buyer-1")
        assert e.value.reason == "NOT_THE_PAYMENT_BUYER"
        assert e.value.metadata == {"payment_id": "p-1"}


def memory() -> tuple[Payments, FakeChannel]:
    channel = FakeChannel()
    return in_memory(channel), channel


async def denied(call: object) -> str:
    with pytest.raises(PermissionDenied) as e:
        await call  # type: ignore[misc]
    return e.value.reason


async def test_another_buyer_can_neither_read_nor_touch_a_payment() -> None:
    payments, channel = memory()
    owner, stranger = payments.as_(OWNER), payments.as_(STRANGER)
    p = (await owner.create_payment(create_request("po-1", 1000))).payment
    calls = list(channel.calls)
    before = payments.memory.state.payments[p.payment_id].version
    refusals = [
        stranger.api.GetPayment(pb.GetPaymentRequest(payment_id=p.payment_id)),
        stranger.api.ListPayments(pb.ListPaymentsRequest(pay_order_id="po-1")),
        stranger.switch_channel(pb.SwitchChannelRequest(
            request_id="s-1", payment_id=p.payment_id, method=pb.METHOD_SANDBOX)),
        stranger.api.ClosePayment(pb.ClosePaymentRequest(request_id="c-1",
                                                         payment_id=p.payment_id)),
    ]
    for call in refusals:
        assert await denied(call) == "NOT_THE_PAYMENT_BUYER"
    assert payments.memory.state.payments[p.payment_id].version == before
    assert channel.calls == calls  # no channel trade closed or opened
    # The request ids were not taken: the owner can use them.
    closed = (await owner.api.ClosePayment(pb.ClosePaymentRequest(
        request_id="c-1", payment_id=p.payment_id))).payment
    assert closed.status == pb.PAYMENT_STATUS_CLOSED
    assert (await owner.api.GetPayment(pb.GetPaymentRequest(
        payment_id=p.payment_id))).payment == closed
    listed = (await payments.as_(OPERATOR).api.ListPayments(pb.ListPaymentsRequest(
        pay_order_id="po-1"))).payments
    assert [x.payment_id for x in listed] == [p.payment_id]


async def test_a_buyer_pays_and_reads_balances_for_themself_only() -> None:
    payments, _ = memory()
    stranger = payments.as_(STRANGER)
    await top_up(payments, "buyer-1", 500)
    for call in (stranger.create_payment(create_request("po-1", 100, pb.METHOD_BALANCE)),
                 stranger.api.GetBalance(pb.GetBalanceRequest(buyer_id="buyer-1")),
                 stranger.api.ListPaymentMethods(pb.ListPaymentMethodsRequest(
                     buyer_id="buyer-1", amount=cny(100)))):
        assert await denied(call) == "SUBJECT_MISMATCH"
    assert payments.memory.state.payments == {}
    assert payments.memory.state.balances == {("buyer-1", "CNY"): 500}
    own = await payments.as_(OWNER).api.GetBalance(pb.GetBalanceRequest(buyer_id="buyer-1"))
    assert own.account.balance == cny(500)


async def test_a_refund_is_read_by_its_payments_buyer_and_staff() -> None:
    payments, channel = memory()
    p = (await payments.as_(OWNER).create_payment(create_request("po-1", 1000))).payment
    await payments.handle_notification(channel, channel.pay(p.attempts[0].attempt_id, 1000))
    r = (await payments.create_refund(pb.CreateRefundRequest(
        request_id="r-1", payment_id=p.payment_id, amount=cny(300)))).refund
    await run_sweeps(payments)
    await payments.handle_notification(channel, channel.settle_refund(r.refund_id))
    assert payments.memory.audited[-1] == ("payment", p.payment_id,
                                           f"refund {r.refund_id} SUCCEEDED")
    ask = pb.GetRefundRequest(refund_id=r.refund_id)
    assert await denied(payments.as_(STRANGER).api.GetRefund(ask)) == "NOT_THE_PAYMENT_BUYER"
    for caller in (OWNER, OPERATOR):
        assert (await payments.as_(caller).api.GetRefund(ask)).refund.refund_id == r.refund_id


async def test_every_committed_change_is_audited_with_what_changed() -> None:
    payments, _ = memory()
    await top_up(payments, "buyer-1", 1000)
    with pytest.raises(FailedPrecondition):  # rolled back: nothing recorded
        await payments.create_payment(create_request("po-1", 1001, pb.METHOD_BALANCE))
    p = (await payments.create_payment(create_request("po-1", 600, pb.METHOD_BALANCE))).payment
    r = (await payments.create_refund(pb.CreateRefundRequest(
        request_id="r-1", payment_id=p.payment_id, amount=cny(100), reason="broken"))).refund
    attempt = p.attempts[0].attempt_id
    balance = [d for kind, key, d in payments.memory.audited
               if (kind, key) == ("balance", "buyer-1/CNY")]
    assert [d.split(" (")[0] for d in balance] == ["TOP_UP +1000", "PAYMENT -600",
                                                   "REFUND +100"]
    assert balance[-1].endswith(": balance 500")
    ops = payments.as_(OPERATOR)
    listed = (await ops.api.ListAuditEntries(pb.ListAuditEntriesRequest(
        resource_type="payment", resource_id=p.payment_id))).entries
    assert [e.detail for e in listed] == [
        f"opened 600 CNY by METHOD_BALANCE for pay orders po-1; "
        f"attempt {attempt} METHOD_BALANCE opened",
        f"PENDING -> SUCCEEDED; attempt {attempt} PENDING -> SUCCEEDED",
        f"refund {r.refund_id} REQUESTED 100 CNY SUCCEEDED: broken"]
    with pytest.raises(InvalidArgument) as e:
        await ops.api.ListAuditEntries(pb.ListAuditEntriesRequest(resource_type="order",
                                                                  resource_id="o-1"))
    assert [v.field for v in e.value.violations] == ["resource_type"]
