"""payment's use cases on the in-memory unit of work with an in-memory
channel and trade: balance and channel payments, idempotency, switching and
closing, notifications, the sweeps, refunds and the events from trade."""

from __future__ import annotations

import pytest

from payment.channels.base import RefundState, TradeState
from tests.builders import cny
from tests.fakes import FakeChannel, FakeTrade
from tests.payment_support import (
    CONTEXT,
    Payments,
    create_request,
    get,
    in_memory,
    outbox_count,
    refund_rows,
    run_sweeps,
    top_up,
)
from zhongtai.errors import AlreadyExists, FailedPrecondition, Unavailable
from zhongtai.payment.v1 import payment_pb2 as pb
from zhongtai.trade.v1 import events_pb2 as trade_events
from zhongtai.trade.v1 import trade_pb2 as tr

P = pb.PaymentStatus
SANDBOX, BALANCE = pb.METHOD_SANDBOX, pb.METHOD_BALANCE


@pytest.fixture
def channel() -> FakeChannel:
    return FakeChannel()


@pytest.fixture
def payments(channel: FakeChannel) -> Payments:
    return in_memory(channel)


async def balance_of(payments: Payments, buyer: str) -> int:
    account = (await payments.api.GetBalance(pb.GetBalanceRequest(buyer_id=buyer),
                                             CONTEXT)).account
    return account.balance.amount_minor


async def refund(payments: Payments, payment_id: str, amount: int,
                 request_id: str = "") -> pb.Refund:
    return (await payments.create_refund(pb.CreateRefundRequest(
        request_id=request_id, payment_id=payment_id, amount=cny(amount)))).refund


async def test_balance_payment_succeeds_at_once_and_debits_exactly(payments: Payments) -> None:
    await top_up(payments, "buyer-1", 1000)
    p = (await payments.create_payment(create_request("po-1", 600, BALANCE))).payment
    assert p.status == P.PAYMENT_STATUS_SUCCEEDED
    assert p.winning_attempt_id == p.attempts[0].attempt_id
    assert p.attempts[0].status == P.PAYMENT_STATUS_SUCCEEDED
    assert await balance_of(payments, "buyer-1") == 400
    assert await outbox_count(payments, "payment.payment.succeeded") == 1
    ledger = payments.memory.state.ledger
    assert [(kind, amount, after) for (kind, _), (_, _, amount, after) in ledger.items()] == [
        ("TOP_UP", 1000, 1000), ("PAYMENT", -600, 400)]

    # Not enough left: refused, and nothing of it remains.
    with pytest.raises(FailedPrecondition) as e:
        await payments.create_payment(create_request("po-2", 401, BALANCE))
    assert e.value.reason == "INSUFFICIENT_BALANCE"
    assert await balance_of(payments, "buyer-1") == 400
    assert len(payments.memory.state.payments) == 1
    # The pay order is free for another way to pay.
    other = (await payments.create_payment(create_request("po-2", 401))).payment
    assert other.status == P.PAYMENT_STATUS_PENDING


async def test_a_paid_pay_order_takes_no_second_payment(payments: Payments) -> None:
    await top_up(payments, "buyer-1", 1000)
    await payments.create_payment(create_request("po-1", 600, BALANCE))
    for method in (BALANCE, SANDBOX):
        with pytest.raises(FailedPrecondition) as e:
            await payments.create_payment(create_request("po-1", 600, method))
        assert e.value.reason == "PAY_ORDER_ALREADY_PAID"


async def test_sandbox_payment_notification_refunds_and_refunded(
        payments: Payments, channel: FakeChannel) -> None:
    p = (await payments.create_payment(create_request("po-1", 1000))).payment
    attempt = p.attempts[0]
    assert p.status == P.PAYMENT_STATUS_PENDING and attempt.pay_url.endswith(attempt.attempt_id)
    assert channel.trades[attempt.attempt_id]["notify_url"] == (
        "http://127.0.0.1:1/callbacks/sandbox")

    paid = channel.pay(attempt.attempt_id)
    assert await payments.handle_notification(channel, paid) == "SUCCEEDED"
    assert await payments.handle_notification(channel, paid) == "DUPLICATE_NOTIFICATION"
    p = await get(payments, p.payment_id)
    assert p.status == P.PAYMENT_STATUS_SUCCEEDED and p.winning_attempt_id == attempt.attempt_id
    assert p.attempts[0].channel_transaction_id == f"txn-{attempt.attempt_id}"
    assert await outbox_count(payments, "payment.payment.succeeded") == 1

    r1 = await refund(payments, p.payment_id, 300, request_id="rf-1")
    assert r1.status == pb.REFUND_STATUS_PENDING and r1.attempt_id == attempt.attempt_id
    assert r1.kind == pb.REFUND_KIND_REQUESTED
    assert (await refund(payments, p.payment_id, 300, request_id="rf-1")) == r1
    await run_sweeps(payments)  # submitted: the channel accepted it
    assert channel.refunds[r1.refund_id]["amount"] == 300
    assert (await get(payments, p.payment_id)).refunds[0].status == pb.REFUND_STATUS_PENDING
    assert await payments.handle_notification(
        channel, channel.settle_refund(r1.refund_id)) == "REFUND_SUCCEEDED"
    with pytest.raises(FailedPrecondition) as e:
        await refund(payments, p.payment_id, 701)
    assert e.value.reason == "REFUND_EXCEEDS_CAPTURED"
    r2 = await refund(payments, p.payment_id, 700)
    await run_sweeps(payments)
    assert await payments.handle_notification(
        channel, channel.settle_refund(r2.refund_id)) == "REFUND_SUCCEEDED"
    p = await get(payments, p.payment_id)
    assert p.status == P.PAYMENT_STATUS_REFUNDED and p.refunded_amount.amount_minor == 1000
    assert await outbox_count(payments, "payment.refund.succeeded") == 2
    with pytest.raises(FailedPrecondition) as e:
        await refund(payments, p.payment_id, 1)
    assert e.value.reason == "PAYMENT_NOT_REFUNDABLE"


async def test_a_refund_accepted_but_never_notified_is_found_by_asking(
        payments: Payments, channel: FakeChannel) -> None:
    p = (await payments.create_payment(create_request("po-1", 1000))).payment
    await payments.handle_notification(channel, channel.pay(p.attempts[0].attempt_id))
    r = await refund(payments, p.payment_id, 1000)
    await run_sweeps(payments)  # accepted
    channel.refunds[r.refund_id]["state"] = RefundState.SUCCEEDED  # the notification is lost
    await run_sweeps(payments)  # asked
    p = await get(payments, p.payment_id)
    assert p.refunds[0].status == pb.REFUND_STATUS_SUCCEEDED
    assert p.status == P.PAYMENT_STATUS_REFUNDED


async def test_create_is_idempotent_by_request_id_and_by_pay_order(payments: Payments) -> None:
    first = (await payments.create_payment(create_request("po-1", 1000,
                                                          request_id="c-1"))).payment
    again = (await payments.create_payment(create_request("po-1", 1000,
                                                          request_id="c-1"))).payment
    assert again == first
    with pytest.raises(AlreadyExists):
        await payments.create_payment(create_request("po-1", 999, request_id="c-1"))
    # No request id, same pay order and method: the open payment, not a new one.
    same = (await payments.create_payment(create_request("po-1", 1000))).payment
    assert same.payment_id == first.payment_id and len(same.attempts) == 1
    # Another buyer's open payment is in the way (trade refuses a stranger
    # first: BUYER_MISMATCH; this fake trade does not).
    with pytest.raises(FailedPrecondition) as e:
        await payments.create_payment(create_request("po-1", 1000, buyer="buyer-2"))
    assert e.value.reason == "PAYMENT_IN_PROGRESS"
    assert e.value.metadata["payment_id"] == first.payment_id


async def test_the_buyers_new_payment_supersedes_the_open_one(
        payments: Payments, channel: FakeChannel) -> None:
    first = (await payments.create_payment(create_request("po-1", 1000))).payment
    # A superseding payment that fails changes nothing: the first stays open.
    with pytest.raises(FailedPrecondition) as e:
        await payments.create_payment(create_request("po-1", 1000, BALANCE))
    assert e.value.reason == "INSUFFICIENT_BALANCE"
    assert (await get(payments, first.payment_id)).status == P.PAYMENT_STATUS_PENDING
    await top_up(payments, "buyer-1", 1000)
    second = (await payments.create_payment(create_request("po-1", 1000, BALANCE))).payment
    assert second.status == P.PAYMENT_STATUS_SUCCEEDED
    closed = await get(payments, first.payment_id)
    assert closed.status == P.PAYMENT_STATUS_CLOSED
    assert await outbox_count(payments, "payment.payment.closed") == 1
    # Its channel trade is closed by the sweep; paid anyway, it is refunded.
    await run_sweeps(payments)
    attempt = first.attempts[0].attempt_id
    assert channel.trades[attempt]["state"] is TradeState.CLOSED
    assert await payments.handle_notification(channel, channel.pay(attempt)) == (
        "EXCEPTION_REFUND")
    assert await outbox_count(payments, "payment.payment.succeeded") == 1


async def test_nothing_is_written_or_charged_when_trade_refuses_or_cannot_be_asked(
        channel: FakeChannel) -> None:
    trade = FakeTrade(refuse={"po-2": tr.PAYMENT_REJECTION_REASON_AMOUNT_MISMATCH})
    payments = in_memory(channel, trade)
    await top_up(payments, "buyer-1", 5000)
    req = create_request("po-1", 1000, BALANCE, request_id="c-1")
    req.parts.add(pay_order_id="po-2", order_id="o-po-2", amount=cny(1))
    with pytest.raises(FailedPrecondition) as e:
        await payments.create_payment(req)
    assert e.value.reason == "AMOUNT_MISMATCH"
    assert [v.subject for v in e.value.violations] == ["pay_orders/po-2"]
    assert e.value.metadata["pay_order_ids"] == "po-2"
    trade.refuse.clear()
    trade.down = True
    with pytest.raises(Unavailable):
        await payments.create_payment(req)
    state = payments.memory.state
    assert not state.payments and not state.locks and not payments.memory.key_store.records
    assert await balance_of(payments, "buyer-1") == 5000 and not channel.calls
    # The same request, once trade takes it, pays.
    trade.down = False
    assert (await payments.create_payment(req)).payment.status == P.PAYMENT_STATUS_SUCCEEDED
    assert [p.pay_order_id for p in trade.asked[-1].parts] == ["po-1", "po-2"]


async def test_channel_unreachable_at_create_then_the_same_request_completes(
        payments: Payments, channel: FakeChannel) -> None:
    channel.fail = 1
    with pytest.raises(Unavailable) as e:
        await payments.create_payment(create_request("po-1", 1000, request_id="c-1"))
    payment_id = e.value.metadata["payment_id"]
    p = await get(payments, payment_id)
    assert p.status == P.PAYMENT_STATUS_PENDING and p.attempts[0].pay_url == ""
    again = (await payments.create_payment(create_request("po-1", 1000,
                                                          request_id="c-1"))).payment
    assert again.payment_id == payment_id and again.attempts[0].pay_url


async def test_channel_refusing_the_trade_closes_the_attempt_a_retry_opens_another(
        payments: Payments, channel: FakeChannel) -> None:
    channel.fail, channel.fail_retryable = 1, False
    with pytest.raises(FailedPrecondition) as e:
        await payments.create_payment(create_request("po-1", 1000, request_id="c-1"))
    assert e.value.reason == "CHANNEL_REFUSED"
    p = await get(payments, e.value.metadata["payment_id"])
    assert p.status == P.PAYMENT_STATUS_PENDING
    assert [a.status for a in p.attempts] == [P.PAYMENT_STATUS_CLOSED]
    with pytest.raises(FailedPrecondition):  # the same request: the same answer
        await payments.create_payment(create_request("po-1", 1000, request_id="c-1"))
    again = (await payments.create_payment(create_request("po-1", 1000))).payment
    assert again.payment_id == p.payment_id
    assert [a.status for a in again.attempts] == [P.PAYMENT_STATUS_CLOSED,
                                                  P.PAYMENT_STATUS_PENDING]
    assert again.attempts[1].pay_url


async def test_switch_to_balance_closes_the_old_trade_and_a_late_payment_is_refunded(
        payments: Payments, channel: FakeChannel) -> None:
    await top_up(payments, "buyer-1", 1000)
    p = (await payments.create_payment(create_request("po-1", 1000))).payment
    old = p.attempts[0].attempt_id
    switched = (await payments.switch_channel(pb.SwitchChannelRequest(
        request_id="s-1", payment_id=p.payment_id, method=BALANCE))).payment
    assert switched.payment_id == p.payment_id
    assert switched.status == P.PAYMENT_STATUS_SUCCEEDED and switched.method == BALANCE
    assert [a.status for a in switched.attempts] == [P.PAYMENT_STATUS_CLOSED,
                                                     P.PAYMENT_STATUS_SUCCEEDED]
    assert channel.trades[old]["state"] is TradeState.CLOSED
    # A repeat replays the answer.
    assert (await payments.switch_channel(pb.SwitchChannelRequest(
        request_id="s-1", payment_id=p.payment_id, method=BALANCE))).payment == switched

    # The buyer pays the closed trade anyway: refunded as an exception, once.
    late = channel.pay(old)
    assert await payments.handle_notification(channel, late) == "EXCEPTION_REFUND"
    assert await payments.handle_notification(channel, late) == "DUPLICATE_NOTIFICATION"
    rows = await refund_rows(payments, p.payment_id)
    assert [(r.kind, r.attempt_id, r.amount) for r in rows] == [
        (pb.REFUND_KIND_EXCEPTION, old, 1000)]
    await run_sweeps(payments)
    await payments.handle_notification(channel, channel.settle_refund(rows[0].refund_id))
    p = await get(payments, p.payment_id)
    # The exception refund does not touch what the winning payment can refund.
    assert p.status == P.PAYMENT_STATUS_SUCCEEDED and p.refunded_amount.amount_minor == 0
    assert p.refunds[0].status == pb.REFUND_STATUS_SUCCEEDED


async def test_switch_finds_the_old_trade_paid_and_keeps_it(payments: Payments,
                                                           channel: FakeChannel) -> None:
    p = (await payments.create_payment(create_request("po-1", 1000))).payment
    channel.pay(p.attempts[0].attempt_id)  # paid; the notification is still on its way
    switched = (await payments.switch_channel(pb.SwitchChannelRequest(
        payment_id=p.payment_id, method=BALANCE))).payment
    assert switched.status == P.PAYMENT_STATUS_SUCCEEDED
    assert switched.winning_attempt_id == p.attempts[0].attempt_id
    assert len(switched.attempts) == 1
    with pytest.raises(FailedPrecondition) as e:
        await payments.switch_channel(pb.SwitchChannelRequest(payment_id=p.payment_id,
                                                              method=SANDBOX))
    assert e.value.reason == "PAYMENT_NOT_PENDING"


async def test_switch_with_the_channel_unreachable_leaves_the_close_to_the_sweep(
        payments: Payments, channel: FakeChannel) -> None:
    await top_up(payments, "buyer-1", 1000)
    p = (await payments.create_payment(create_request("po-1", 1000))).payment
    old = p.attempts[0].attempt_id
    channel.fail = 1
    switched = (await payments.switch_channel(pb.SwitchChannelRequest(
        payment_id=p.payment_id, method=BALANCE))).payment
    assert switched.status == P.PAYMENT_STATUS_SUCCEEDED
    assert channel.trades[old]["state"] is TradeState.PENDING
    await run_sweeps(payments)
    assert channel.trades[old]["state"] is TradeState.CLOSED
    assert (await get(payments, p.payment_id)).attempts[0].status == P.PAYMENT_STATUS_CLOSED


async def test_two_trades_paid_the_first_wins_the_second_is_refunded(
        payments: Payments, channel: FakeChannel) -> None:
    p = (await payments.create_payment(create_request("po-1", 1000))).payment
    a = p.attempts[0].attempt_id
    p = (await payments.switch_channel(pb.SwitchChannelRequest(
        payment_id=p.payment_id, method=SANDBOX))).payment  # a fresh trade B
    b = p.attempts[1].attempt_id
    assert [x.status for x in p.attempts] == [P.PAYMENT_STATUS_CLOSED, P.PAYMENT_STATUS_PENDING]
    assert p.attempts[1].pay_url and channel.trades[a]["state"] is TradeState.CLOSED
    # A is paid although closed (the buyer had its page open): it wins.
    assert await payments.handle_notification(channel, channel.pay(a)) == "SUCCEEDED"
    await run_sweeps(payments)  # B is closed at the channel
    assert channel.trades[b]["state"] is TradeState.CLOSED
    assert await payments.handle_notification(channel, channel.pay(b)) == "EXCEPTION_REFUND"
    p = await get(payments, p.payment_id)
    assert p.winning_attempt_id == a and p.status == P.PAYMENT_STATUS_SUCCEEDED
    assert [(r.kind, r.attempt_id, r.amount.amount_minor) for r in p.refunds] == [
        (pb.REFUND_KIND_EXCEPTION, b, 1000)]
    assert await outbox_count(payments, "payment.payment.succeeded") == 1


async def test_close_frees_the_pay_order_and_refunds_a_late_payment(
        payments: Payments, channel: FakeChannel) -> None:
    p = (await payments.create_payment(create_request("po-1", 1000))).payment
    attempt = p.attempts[0].attempt_id
    await payments.close_payment_at_channels(pb.ClosePaymentRequest(payment_id=p.payment_id))
    closed = (await payments.close_payment(pb.ClosePaymentRequest(
        payment_id=p.payment_id, reason="buyer left"))).payment
    assert closed.status == P.PAYMENT_STATUS_CLOSED
    assert channel.trades[attempt]["state"] is TradeState.CLOSED
    assert await outbox_count(payments, "payment.payment.closed") == 1
    # Closing again changes nothing.
    await payments.close_payment(pb.ClosePaymentRequest(payment_id=p.payment_id))
    assert await outbox_count(payments, "payment.payment.closed") == 1
    fresh = (await payments.create_payment(create_request("po-1", 1000))).payment
    assert fresh.payment_id != p.payment_id

    assert await payments.handle_notification(channel, channel.pay(attempt)) == (
        "EXCEPTION_REFUND")
    assert [r.kind for r in await refund_rows(payments, p.payment_id)] == [pb.REFUND_KIND_EXCEPTION]


async def test_close_finds_the_trade_paid_and_the_payment_succeeds(payments: Payments,
                                                                  channel: FakeChannel) -> None:
    p = (await payments.create_payment(create_request("po-1", 1000))).payment
    channel.pay(p.attempts[0].attempt_id)
    await payments.close_payment_at_channels(pb.ClosePaymentRequest(payment_id=p.payment_id))
    with pytest.raises(FailedPrecondition) as e:
        await payments.close_payment(pb.ClosePaymentRequest(payment_id=p.payment_id))
    assert e.value.reason == "ILLEGAL_PAYMENT_TRANSITION"
    assert (await get(payments, p.payment_id)).status == P.PAYMENT_STATUS_SUCCEEDED


def cancelled(order_id: str, pay_order_id: str) -> trade_events.OrderCancelled:
    return trade_events.OrderCancelled(order=tr.Order(
        order_id=order_id, pay_order=tr.PayOrder(pay_order_id=pay_order_id)))


async def test_order_cancelled_closes_its_open_payment_and_refuses_new_ones(
        payments: Payments, channel: FakeChannel) -> None:
    p = (await payments.create_payment(create_request("po-1", 1000))).payment
    await payments.on_order_closed(cancelled("o-po-1", "po-1"))
    assert (await get(payments, p.payment_id)).status == P.PAYMENT_STATUS_CLOSED
    with pytest.raises(FailedPrecondition) as e:
        await payments.create_payment(create_request("po-1", 1000))
    assert e.value.reason == "PAY_ORDER_CLOSED"
    # The sweep closes the channel trade; a payment after that is refunded.
    await run_sweeps(payments)
    attempt = p.attempts[0].attempt_id
    assert channel.trades[attempt]["state"] is TradeState.CLOSED
    assert await payments.handle_notification(channel, channel.pay(attempt)) == (
        "EXCEPTION_REFUND")


async def test_payment_rejected_by_trade_is_refunded_once_to_the_balance(
        payments: Payments) -> None:
    await top_up(payments, "buyer-1", 1000)
    p = (await payments.create_payment(create_request("po-1", 700, BALANCE))).payment
    event = trade_events.PaymentRejected(order_id="o-po-1", pay_order_id="po-1",
                                         payment_id=p.payment_id, amount=cny(700),
                                         reason="ORDER_NOT_PAYABLE")
    for _ in range(2):
        await payments.on_payment_rejected(event)
    p = await get(payments, p.payment_id)
    assert [(r.kind, r.status, r.amount.amount_minor) for r in p.refunds] == [
        (pb.REFUND_KIND_EXCEPTION, pb.REFUND_STATUS_SUCCEEDED, 700)]
    assert p.status == P.PAYMENT_STATUS_REFUNDED
    assert await balance_of(payments, "buyer-1") == 1000


async def test_a_lost_notification_is_found_by_the_janitor(payments: Payments,
                                                          channel: FakeChannel) -> None:
    p = (await payments.create_payment(create_request("po-1", 1000))).payment
    await run_sweeps(payments)  # asked: still pending, asked again later
    assert (await get(payments, p.payment_id)).status == P.PAYMENT_STATUS_PENDING
    channel.pay(p.attempts[0].attempt_id)  # the notification never arrives
    await run_sweeps(payments)
    assert (await get(payments, p.payment_id)).status == P.PAYMENT_STATUS_SUCCEEDED


async def test_refused_refunds_requested_fail_exception_ones_never_give_up(
        payments: Payments, channel: FakeChannel) -> None:
    p = (await payments.create_payment(create_request("po-1", 1000))).payment
    await payments.handle_notification(channel, channel.pay(p.attempts[0].attempt_id))
    r = await refund(payments, p.payment_id, 400)
    channel.fail, channel.fail_retryable = 1, False
    await run_sweeps(payments)
    p = await get(payments, p.payment_id)
    assert p.refunds[0].status == pb.REFUND_STATUS_FAILED
    assert p.refunded_amount.amount_minor == 0  # the cap is given back
    assert r.refund_id == p.refunds[0].refund_id

    # An exception refund the channel refuses stays pending and is retried.
    await payments.on_payment_rejected(trade_events.PaymentRejected(
        payment_id=p.payment_id, pay_order_id="po-1", amount=cny(1000), reason="x"))
    channel.fail = 3
    for _ in range(3):
        await run_sweeps(payments)
    exc = [r for r in await refund_rows(payments, p.payment_id)
           if r.kind == pb.REFUND_KIND_EXCEPTION]
    assert [(r.status, r.attempts) for r in exc] == [(pb.REFUND_STATUS_PENDING, 3)]
    channel.fail_retryable = True
    await run_sweeps(payments)
    # Accepted, then the channel says it failed: a new one is queued in its place.
    assert await payments.handle_notification(
        channel, channel.settle_refund(exc[0].refund_id, ok=False)) == "REFUND_FAILED"
    exc = [r for r in await refund_rows(payments, p.payment_id)
           if r.kind == pb.REFUND_KIND_EXCEPTION]
    assert [r.status for r in exc] == [pb.REFUND_STATUS_FAILED, pb.REFUND_STATUS_PENDING]
    await run_sweeps(payments)
    await payments.handle_notification(channel, channel.settle_refund(exc[1].refund_id))
    p = await get(payments, p.payment_id)
    assert p.status == P.PAYMENT_STATUS_REFUNDED and p.refunded_amount.amount_minor == 1000


async def test_list_payments_newest_first_with_pages(payments: Payments) -> None:
    ids = []
    for _ in range(3):
        p = (await payments.create_payment(create_request("po-1", 1000))).payment
        ids.append(p.payment_id)
        await payments.close_payment(pb.ClosePaymentRequest(payment_id=p.payment_id))
    page = await payments.api.ListPayments(pb.ListPaymentsRequest(
        pay_order_id="po-1", page_size=2), CONTEXT)
    rest = await payments.api.ListPayments(pb.ListPaymentsRequest(
        pay_order_id="po-1", page_size=2, page_token=page.next_page_token), CONTEXT)
    assert [x.payment_id for x in [*page.payments, *rest.payments]] == ids[::-1]
    assert not rest.next_page_token


async def test_cashier_lists_methods_from_the_balance(payments: Payments) -> None:
    await top_up(payments, "buyer-1", 500)
    methods = (await payments.api.ListPaymentMethods(pb.ListPaymentMethodsRequest(
        buyer_id="buyer-1", amount=cny(600)), CONTEXT)).methods
    assert [(m.method, m.available) for m in methods] == [
        (BALANCE, False), (SANDBOX, True), (pb.METHOD_CASH_ON_DELIVERY, False)]


async def test_switching_a_payment_trade_would_no_longer_take_is_refused(
        channel: FakeChannel) -> None:
    trade = FakeTrade()
    payments = in_memory(channel, trade)
    p = (await payments.create_payment(create_request("po-1", 1000))).payment
    trade.refuse["po-1"] = tr.PAYMENT_REJECTION_REASON_ORDER_NOT_PAYABLE
    with pytest.raises(FailedPrecondition) as e:
        await payments.switch_channel(pb.SwitchChannelRequest(
            request_id="s-1", payment_id=p.payment_id, method=SANDBOX))
    assert e.value.reason == "ORDER_NOT_PAYABLE"
    assert await get(payments, p.payment_id) == p
    assert [what for what, _ in channel.calls] == ["create"]
