"""Refunds of one part of a payment (CreateRefund.pay_order_id, as
after-sales sends them): capped by what is left of that part — its amount
(order money: a channel's discount is refunded with it) less every refund
recorded for its pay order — as well as by the payment's own caps; a refund of one part of a
merged payment never takes another part's money; the refund is recorded on
its pay order; once per request id."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payment import rules as r
from payment import views
from payment.payment import Payment
from payment.values import Part
from zhongtai.errors import AlreadyExists, FailedPrecondition, InvalidArgument
from zhongtai.payment.v1 import events_pb2 as ev

T0 = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


def paid(*amounts: int, discount: int = 0) -> Payment:
    """A payment of parts po-0, po-1... of these amounts, paid on its channel."""
    parts = [Part(f"po-{i}", f"o-{i}", a) for i, a in enumerate(amounts)]
    p = Payment.open("P", "A0", "buyer", "CNY", parts, r.SANDBOX, r.Policy(), T0)
    p.attempt_paid("A0", sum(amounts), "CNY", discount, "t0", T0, "-", T0)
    return p


def refused(p: Payment, amount: int, pay_order_id: str, request_id: str = "") -> dict[str, str]:
    before = (p.refunded_amount, len(p.refunds))
    with pytest.raises(FailedPrecondition) as e:
        p.request_refund(f"R-{len(p.refunds)}", amount, "x", request_id, T0, pay_order_id)
    assert e.value.reason == "REFUND_EXCEEDS_CAPTURED"
    assert (p.refunded_amount, len(p.refunds)) == before  # nothing changed
    return dict(e.value.metadata)


def test_a_refund_for_one_part_cannot_take_the_other_parts_money() -> None:
    p = paid(600, 400)
    refund = p.request_refund("R1", 400, "damaged", "app-1", T0, "po-1")
    assert (refund.pay_order_id, refund.amount) == ("po-1", 400)
    # The payment has 600 left, but none of it is po-1's.
    assert refused(p, 1, "po-1") == {"payment_id": "P", "pay_order_id": "po-1",
                                     "refundable": "0"}
    assert p.part_left("po-0") == 600
    p.request_refund("R2", 600, "damaged", "app-2", T0, "po-0")
    assert p.refunded_amount == 1000


def test_several_refunds_of_a_part_add_up_to_at_most_the_part() -> None:
    p = paid(600, 400)
    for i, amount in enumerate((100, 250, 200)):
        p.request_refund(f"R{i}", amount, "partial", f"app-{i}", T0, "po-0")
    assert p.part_left("po-0") == 50
    assert refused(p, 51, "po-0")["refundable"] == "50"
    # A refund of the payment as a whole (no part named) still has the rest.
    p.request_refund("R9", 450, "operator", "ops-1", T0)
    assert p.refunded_amount == 1000


def test_a_part_is_refunded_whole_the_channel_discount_returns_with_the_last_money() -> None:
    # 100 funded by the channel: the buyer paid 900 of the 1000.
    p = paid(600, 400, discount=100)
    assert (p.part_left("po-0"), p.part_left("po-1")) == (600, 400)
    refused(p, 401, "po-1")
    one = p.request_refund("R1", 400, "all of it", "app-1", T0, "po-1")
    two = p.request_refund("R2", 600, "all of it", "app-2", T0, "po-0")
    assert [(x.payer_amount, x.channel_discount_amount) for x in (one, two)] == [
        (400, 0), (500, 100)]
    for refund_id in ("R1", "R2"):
        p.refund_settled(refund_id, T0)
    assert p.status == r.REFUNDED


def test_exception_and_cancellation_refunds_of_the_part_count_a_failed_one_does_not() -> None:
    p = paid(600, 400)
    p.request_refund("R1", 150, "partial", "app-1", T0, "po-0")
    p.refund_failed("R1", "the channel refused", "-", T0)
    assert p.part_left("po-0") == 600  # a failed refund gives its amount back
    p.request_refund("R2", 200, "partial", "app-2", T0, "po-0")
    # Trade then cancels the order (ship timeout): only the rest of the part goes.
    cancelled = p.refund_cancelled_order("po-0", "o-0", "R3", T0)
    assert cancelled is not None and cancelled.amount == 400
    assert p.part_left("po-0") == 0 and p.part_left("po-1") == 400
    assert p.refund_cancelled_order("po-0", "o-0", "R4", T0) is None  # once


def test_once_per_request_id_another_payload_under_it_is_refused() -> None:
    p = paid(600, 400)
    first = p.request_refund("R1", 300, "partial", "app-1", T0, "po-0")
    assert p.request_refund("R2", 300, "partial", "app-1", T0, "po-0") is first
    assert p.refunded_amount == 300 and len(p.refunds) == 1
    for amount, part in ((301, "po-0"), (300, "po-1")):
        with pytest.raises(AlreadyExists) as e:
            p.request_refund("R3", amount, "partial", "app-1", T0, part)
        assert e.value.reason == "IDEMPOTENCY_KEY_REUSED"
    assert p.refunded_amount == 300


def test_a_pay_order_the_payment_does_not_pay_is_bad_input() -> None:
    p = paid(600)
    with pytest.raises(InvalidArgument) as e:
        p.request_refund("R1", 1, "x", "", T0, "po-9")
    assert e.value.violations[0].field == "pay_order_id" and not p.refunds


def test_the_refund_event_names_its_pay_order() -> None:
    p = paid(600, 400)
    p.request_refund("R1", 400, "damaged", "app-1", T0, "po-1")
    p.refund_settled("R1", T0)
    (message,) = [m for m in (views.event(p, e) for e in p.events)
                  if isinstance(m, ev.RefundSucceeded)]
    assert message.refund.pay_order_id == "po-1" and message.refund.amount.amount_minor == 400


@given(amounts=st.lists(st.integers(1, 10_000), min_size=1, max_size=4),
       discount_bps=st.integers(0, 10_000),
       asks=st.lists(st.tuples(st.integers(0, 3), st.integers(1, 6_000), st.booleans()),
                     max_size=20))
def test_no_sequence_of_part_refunds_exceeds_a_part_or_the_payment(
        amounts: list[int], discount_bps: int, asks: list[tuple[int, int, bool]]) -> None:
    discount = sum(amounts) * discount_bps // 10_000
    p = paid(*amounts, discount=discount)
    for i, (index, amount, fail) in enumerate(asks):
        po = f"po-{index % len(amounts)}"
        try:
            p.request_refund(f"R{i}", amount, "x", f"app-{i}", T0, po)
        except FailedPrecondition:
            continue
        if fail:
            p.refund_failed(f"R{i}", "refused", "-", T0)
    live = [x for x in p.refunds if x.status != r.REFUND_FAILED]
    for i, amount in enumerate(amounts):
        po = f"po-{i}"
        taken = sum(x.amount for x in live if x.pay_order_id == po)
        assert taken + p.part_left(po) <= amount and p.part_left(po) >= 0
    assert sum(x.amount for x in live) == p.refunded_amount <= sum(amounts)
    assert sum(x.payer_amount for x in live) <= sum(amounts) - discount
    assert sum(x.channel_discount_amount for x in live) <= discount
