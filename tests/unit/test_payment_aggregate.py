"""The Payment aggregate alone: its transitions and, for any sequence of what
channels, buyers and trade can do to a payment, its money rules — never more
refunded than captured, never more back on a route than the buyer paid on
it, exactly one winning attempt once paid, every other paid attempt refunded
exactly once — and a refused action changes nothing."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payment import payment as agg
from payment import rules as r
from payment import views
from payment.payment import Payment
from payment.values import Part
from zhongtai.errors import FailedPrecondition, ZhongtaiError
from zhongtai.payment.v1 import events_pb2 as ev
from zhongtai.payment.v1 import payment_pb2 as pb

T0 = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
POLICY = r.Policy()


def opened(*amounts: int, method: int = r.SANDBOX) -> Payment:
    parts = [Part(f"po-{i}", f"o-{i}", a) for i, a in enumerate(amounts)]
    return Payment.open("P", "A0", "buyer", "CNY", parts, method, POLICY, T0)


def test_a_new_payment_holds_its_pay_orders_and_asks_its_channel_later() -> None:
    p = opened(600, 400)
    assert (p.status, p.amount, p.held) == (r.PENDING, 1000, {"po-0", "po-1"})
    assert p.current_attempt.next_check_at == T0 + POLICY.pending_query_after
    assert opened(1, method=r.BALANCE).current_attempt.next_check_at is None


def test_the_first_success_wins_and_the_others_are_closed_then_refunded() -> None:
    p = opened(1000)
    p.open_attempt("A1", r.SANDBOX, POLICY, T0)
    assert p.attempt_paid("A1", 1000, "CNY", 0, "t1", T0, "R1", T0) is r.Outcome.SUCCEEDED
    assert (p.status, p.winning_attempt_id, p.captured_amount) == (r.SUCCEEDED, "A1", 1000)
    assert p.attempt("A0").close_requested and p.attempt("A0").next_check_at == T0
    assert [type(e) for e in p.events] == [agg.PaymentSucceeded]
    assert p.attempt_paid("A1", 1000, "CNY", 0, "t1", T0, "R2", T0) is r.Outcome.DUPLICATE
    # A0 paid too, with a channel discount: all of it goes back, once — what
    # the buyer paid to the buyer, the discount to the channel.
    assert p.attempt_paid("A0", 1000, "CNY", 30, "t0", T0, "R3", T0) is r.Outcome.EXCEPTION_REFUND
    assert [(x.refund_id, x.kind, x.attempt_id, x.amount, x.payer_amount,
             x.channel_discount_amount, x.dedupe_key) for x in p.refunds] == [
        ("R3", r.EXCEPTION, "A0", 1000, 970, 30, "attempt:A0")]
    assert p.refunded_amount == 0  # the winning capture is untouched


def test_a_wrong_amount_or_a_closed_payment_is_refunded_not_won() -> None:
    p = opened(1000)
    assert p.attempt_paid("A0", 999, "CNY", 0, "", T0, "R1", T0) is r.Outcome.EXCEPTION_REFUND
    assert p.status == r.PENDING and p.refunds[0].amount == 999
    p = opened(1000)
    p.close("left", T0)
    assert not p.held and p.attempt("A0").close_requested
    assert p.attempt_paid("A0", 1000, "CNY", 0, "", T0, "R1", T0) is r.Outcome.EXCEPTION_REFUND
    assert p.status == r.CLOSED and "closed" in p.refunds[0].reason


def test_refunds_are_order_money_the_buyers_money_first_refunded_when_all_came_back() -> None:
    p = opened(5000)
    p.attempt_paid("A0", 5000, "CNY", 300, "", T0, "-", T0)
    with pytest.raises(FailedPrecondition) as e:
        p.request_refund("R0", 5001, "too much", "", T0)
    assert e.value.reason == "REFUND_EXCEEDS_CAPTURED" and e.value.metadata["refundable"] == "5000"
    first = p.request_refund("R1", 2000, "part", "", T0)
    last = p.request_refund("R2", 3000, "the rest", "", T0)
    assert (first.payer_amount, first.channel_discount_amount) == (2000, 0)
    assert (last.payer_amount, last.channel_discount_amount) == (2700, 300)
    assert p.refund_settled("R1", T0) is r.Outcome.REFUND_SUCCEEDED
    assert p.status == r.SUCCEEDED
    p.refund_settled("R2", T0)
    assert p.status == r.REFUNDED and p.settled_refund_amount == 5000


def test_a_failed_refund_in_between_gives_its_payer_amount_back() -> None:
    p = opened(5000)
    p.attempt_paid("A0", 5000, "CNY", 300, "", T0, "-", T0)
    p.request_refund("R1", 2000, "part", "", T0)
    p.request_refund("R2", 3000, "the rest", "", T0)
    p.refund_failed("R1", "refused", "-", T0)
    again = p.request_refund("R3", 2000, "part, again", "", T0)
    # R2 returned the whole discount already: R3 is all the buyer's.
    assert (again.payer_amount, again.channel_discount_amount) == (2000, 0)


def test_a_failed_exception_refund_is_replaced_a_failed_requested_one_frees_its_amount() -> None:
    p = opened(1000)
    p.attempt_paid("A0", 1000, "CNY", 0, "", T0, "-", T0)
    p.request_refund("R1", 400, "", "", T0)
    assert p.refund_failed("R1", "no", "R2", T0) is r.Outcome.REFUND_FAILED
    assert p.refunded_amount == 0 and len(p.refunds) == 1
    p.part_rejected("po-0", 1000, "AMOUNT_MISMATCH: x", "R3", T0)
    assert p.held == set()
    p.refund_failed("R3", "no", "R4", T0)
    replacement = p.refund("R4")
    assert (replacement.kind, replacement.amount, replacement.status) == (
        r.EXCEPTION, 1000, r.REFUND_PENDING)
    assert replacement.next_attempt_at == T0 + r.EXCEPTION_RETRY_AFTER
    assert p.refunded_amount == 1000
    assert p.refund_failed("R3", "again", "R5", T0) is r.Outcome.DUPLICATE


def test_an_order_cancelled_after_payment_refunds_its_part_once() -> None:
    p = opened(600, 400)
    p.attempt_paid("A0", 1000, "CNY", 0, "", T0, "-", T0)
    refund = p.refund_cancelled_order("po-1", "o-1", "R1", T0)
    assert refund is not None and (refund.kind, refund.amount, refund.pay_order_id) == (
        r.REQUESTED, 400, "po-1")
    assert p.refund_cancelled_order("po-1", "o-1", "R2", T0) is None
    assert p.refund_cancelled_order("po-9", "o-9", "R3", T0) is None


def test_events_become_the_integration_events_with_the_payment_as_saved() -> None:
    p = opened(1000)
    p.attempt_paid("A0", 1000, "CNY", 0, "t", T0, "-", T0)
    p.request_refund("R1", 100, "", "", T0)
    p.refund_settled("R1", T0)
    messages = [views.event(p, e) for e in p.pull()[0]]
    assert [type(m) for m in messages] == [ev.PaymentSucceeded, ev.RefundSucceeded]
    assert messages[1].refund.refund_id == "R1"  # type: ignore[attr-defined]
    assert messages[0].payment.status == pb.PAYMENT_STATUS_SUCCEEDED  # type: ignore[attr-defined]
    assert p.pull() == ([], [])


# --- any sequence ----------------------------------------------------------------

PAID = st.tuples(st.just("paid"), st.integers(0, 5), st.sampled_from([0, 0, 0, -1, 1]),
                 st.integers(0, 50))
ACTIONS = st.one_of(
    st.tuples(st.just("open"), st.sampled_from([r.SANDBOX, r.BALANCE])),
    PAID, PAID,
    st.tuples(st.just("closed"), st.integers(0, 5)),
    st.tuples(st.just("close")),
    st.tuples(st.just("refund"), st.integers(1, 400)),
    st.tuples(st.just("refund"), st.integers(1, 400)),
    st.tuples(st.just("settle"), st.integers(0, 9)),
    st.tuples(st.just("settle"), st.integers(0, 9)),
    st.tuples(st.just("fail"), st.integers(0, 9)),
    st.tuples(st.just("reject"), st.integers(0, 2), st.integers(0, 1200)),
    st.tuples(st.just("cancelled"), st.integers(0, 2)),
)


def apply(p: Payment, action: tuple[Any, ...], ids: Any) -> None:
    kind, *args = action
    attempt = p.attempts[args[0] % len(p.attempts)].attempt_id if args else ""
    refund = p.refunds[args[0] % len(p.refunds)].refund_id if p.refunds and args else ""
    part = p.parts[args[0] % len(p.parts)].pay_order_id if args else ""
    if kind == "open":
        p.open_attempt(next(ids), args[0], POLICY, T0)
    elif kind == "paid":
        amount = max(1, p.amount + args[1])  # the amount asked, or one off
        discount = min(args[2], amount - 1)
        p.attempt_paid(attempt, amount, "CNY", discount, "t", T0, next(ids), T0)
    elif kind == "closed":
        p.attempt_closed(attempt, T0)
    elif kind == "close":
        p.close("closed", T0)
    elif kind == "refund":
        p.request_refund(next(ids), args[0], "", "", T0)
    elif kind == "settle" and refund:
        p.refund_settled(refund, T0)
    elif kind == "fail" and refund:
        p.refund_failed(refund, "failed", next(ids), T0)
    elif kind == "reject":
        p.part_rejected(part, args[1], "refused", next(ids), T0)
    elif kind == "cancelled":
        p.refund_cancelled_order(part, "o", next(ids), T0)


def check_money(p: Payment) -> None:
    live = [x for x in p.refunds if x.status != r.REFUND_FAILED]
    paid = [a for a in p.attempts if a.status == r.SUCCEEDED]
    # Exactly one winning attempt once paid, none before (or when closed unpaid).
    if p.status in (r.SUCCEEDED, r.REFUNDED):
        winner = p.attempt(p.winning_attempt_id)
        assert winner.status == r.SUCCEEDED and p.captured_amount == winner.paid_amount
    else:
        assert not p.winning_attempt_id and p.captured_amount == 0
    # Never more refunded than captured; never more back on a route than the buyer paid.
    assert 0 <= p.settled_refund_amount <= p.refunded_amount <= p.captured_amount
    assert p.refunded_amount == sum(x.amount for x in live
                                    if x.attempt_id == p.winning_attempt_id)
    for a in p.attempts:
        assert a.refunded_amount == sum(x.amount for x in live if x.attempt_id == a.attempt_id)
        assert 0 <= a.refunded_amount <= a.paid_amount
        # Never more back to the buyer than they paid, never more to the
        # channel than it funded (a refund failing in between included); all
        # of each once everything came back.
        mine = [x for x in live if x.attempt_id == a.attempt_id]
        payer = sum(x.payer_amount for x in mine)
        returned = sum(x.channel_discount_amount for x in mine)
        assert 0 <= payer <= a.buyer_paid and 0 <= returned <= a.channel_discount_amount
        if a.refunded_amount == a.paid_amount:
            assert (payer, returned) == (a.buyer_paid, a.channel_discount_amount)
        assert all(x.payer_amount >= 0 and x.channel_discount_amount >= 0 for x in p.refunds)
    # Every other paid attempt: all the channel collected goes back, exactly once.
    for a in paid:
        if a.attempt_id != p.winning_attempt_id:
            mine = [x for x in live if x.attempt_id == a.attempt_id]
            assert [(x.kind, x.amount, x.payer_amount) for x in mine] == (
                [(r.EXCEPTION, a.paid_amount, a.buyer_paid)] if a.paid_amount else [])
    assert len({x.dedupe_key for x in p.refunds}) == len(p.refunds)
    done = sum(x.amount for x in p.refunds if x.status == r.REFUND_SUCCEEDED
               and x.attempt_id == p.winning_attempt_id)
    assert p.settled_refund_amount == done
    assert (p.status == r.REFUNDED) == (p.captured_amount > 0 and done >= p.captured_amount)
    assert p.status in r.PAYMENT.reachable([r.PENDING])
    if p.status == r.CLOSED:
        assert not p.held


@settings(max_examples=300, deadline=None)
@given(amounts=st.lists(st.integers(1, 600), min_size=1, max_size=3),
       actions=st.lists(ACTIONS, max_size=30))
def test_any_sequence_keeps_the_money_rules(amounts: list[int],
                                            actions: list[tuple[Any, ...]]) -> None:
    p = opened(*amounts)
    ids = (f"X{i:04d}" for i in itertools.count())
    for action in actions:
        before = copy.deepcopy(p)
        try:
            apply(p, action, ids)
        except ZhongtaiError:
            assert p == before  # refused: nothing changed
        check_money(p)
