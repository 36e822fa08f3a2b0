"""Split settlement's pure parts: where an order's splits go, what a
clearing's splits pay, the split's one resolution and its SPLIT entry (for
every part and rule: after the split the merchant's available is back to 0
and the channel keeps exactly what the platform earned), what a payout may
take, and the sandbox channel's split book (idempotent by key, never
beyond the capture less earlier splits and refunds)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given

from payment.sandbox_splits import REFUSED, SUCCEEDED, SplitBook
from settlement.clearing import LineKind, total
from settlement.ledger import (
    CHANNEL_RECEIVABLE,
    EntryKind,
    balances,
    merchant_available,
)
from settlement.order import Mode, OrderClearing
from settlement.split import (
    SPLIT_TIMER,
    Route,
    Skip,
    Split,
    SplitState,
    payable,
    receivables,
    route_of,
)
from tests.settlement_support import T0, parts, rules
from zhongtai.errors import ZhongtaiError
from zhongtai.httpserver import ApiError

SANDBOX = Route("sandbox", "att-1", "sbx-1")
CHANNELS = frozenset({"sandbox"})


def test_an_order_is_split_only_when_paid_through_one_split_channel_transaction() -> None:
    assert route_of([], CHANNELS) is None  # payment's event not here yet
    assert route_of([SANDBOX], CHANNELS) == SANDBOX
    assert isinstance(route_of([Route("balance", "", "")], CHANNELS), Skip)
    assert isinstance(route_of([SANDBOX, Route("sandbox", "att-2", "sbx-2")], CHANNELS), Skip)
    assert isinstance(route_of([SANDBOX], frozenset()), Skip)


@given(part=parts("s1"), other=parts("s2"), rule=rules())
def test_after_its_splits_the_merchants_hold_nothing_and_the_channel_keeps_the_platforms_part(
        part: object, other: object, rule: object) -> None:
    o, entries = OrderClearing.on_payment(
        "o1", "b1", "default", Mode.COLLECTION, "CNY", [part, other],  # type: ignore[list-item]
        {"s1": rule, "s2": None}, T0, T0)  # type: ignore[dict-item]
    (clearing,) = [e for e in entries if e.kind is EntryKind.CLEARING] or [None]
    if clearing is None:
        return  # nothing to clear (a free order)
    lines = o.lines()
    owed = receivables(clearing.postings)
    assert owed == {s: total([x for x in lines if x.seller_id == s],
                             LineKind.MERCHANT_RECEIVABLE)
                    for s in ("s1", "s2") if total([x for x in lines if x.seller_id == s],
                                                   LineKind.MERCHANT_RECEIVABLE)}
    splits = [Split.instruct("o1", s, v, "CNY", SANDBOX, T0) for s, v in owed.items()]
    posted = [*entries, *(s.confirmed("ref", 1, T0) for s in splits)]
    b = balances(posted)
    for s in ("s1", "s2"):
        assert b.get((merchant_available(s), "CNY"), 0) == 0
    # What the channel still holds for the platform is what the buyer paid
    # less what the merchants got: the platform's commission and fees, less
    # the subsidies it funded.
    assert b.get((CHANNEL_RECEIVABLE, "CNY"), 0) == o.paid - sum(owed.values())


def test_a_split_is_resolved_once_and_only_a_confirmed_one_posts() -> None:
    s = Split.instruct("o1", "s1", 9_000, "CNY", SANDBOX, T0)
    assert (s.state, s.channel, s.trade_no, s.transaction_id) == (
        SplitState.PENDING, "sandbox", "att-1", "sbx-1")
    (deadline,) = s.pull()[1]
    assert (deadline.kind, deadline.key, deadline.due_at) == (SPLIT_TIMER, "o1:s1", T0)
    later = T0 + dt.timedelta(minutes=1)
    entry = s.confirmed("sbxs-1", 2, later)
    assert (entry.kind, entry.order_id, entry.reference) == (EntryKind.SPLIT, "o1", "o1:s1")
    assert {(p.account, p.amount) for p in entry.postings} == {
        (merchant_available("s1"), 9_000), (CHANNEL_RECEIVABLE, -9_000)}
    assert (s.state, s.reference, s.attempts, s.resolved_time) == (
        SplitState.CONFIRMED, "sbxs-1", 2, later)
    for again in (lambda: s.refused("late", 3, later), lambda: s.confirmed("x", 3, later),
                  lambda: s.skipped("x", later)):
        with pytest.raises(ZhongtaiError) as e:
            again()
        assert e.value.reason == "ILLEGAL_SPLIT_TRANSITION"


def test_a_refused_or_skipped_split_posts_nothing_and_keeps_its_reason() -> None:
    refused = Split.instruct("o1", "s1", 1_099, "CNY", SANDBOX, T0)
    refused.refused("ends in 99", 1, T0)
    skipped = Split.instruct("o2", "s1", 500, "CNY", Route("elsewhere", "t", "x"), T0)
    skipped.skipped("no split adapter", T0)
    assert (refused.state, refused.reason) == (SplitState.REFUSED, "ends in 99")
    assert (skipped.state, skipped.reason) == (SplitState.SKIPPED, "no split adapter")


def test_a_payout_never_takes_what_pending_splits_will_take() -> None:
    assert payable(10_000, [9_000]) == 1_000
    assert payable(10_000, []) == 10_000
    assert payable(-500, [100]) == -600


NOW = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)


def capture(status: str = SUCCEEDED, left: int = 10_000):  # type: ignore[no-untyped-def]
    return lambda _no: (status, left, "CNY")


def test_the_sandbox_splits_once_per_key_within_the_capture() -> None:
    book = SplitBook()
    first = book.split("o1:s1", "t1", "s1", 6_000, "CNY", capture(), NOW)
    assert first.status == SUCCEEDED and first.split_transaction_id
    # A retry (same key and fields) is the same answer: applied once.
    assert book.split("o1:s1", "t1", "s1", 6_000, "CNY", capture(), NOW) == first
    assert len(book.of_trade("t1")) == 1
    # Beyond what is left of the capture (10 000 - 6 000): refused, kept.
    over = book.split("o1:s2", "t1", "s2", 4_001, "CNY", capture(), NOW)
    assert (over.status, "exceeds" in over.reason) == (REFUSED, True)
    assert book.split("o1:s2", "t1", "s2", 4_001, "CNY", capture(), NOW) == over
    assert book.split("o1:s3", "t1", "s3", 4_000, "CNY", capture(), NOW).status == SUCCEEDED
    # Refunds lower what is left (the capture function says so).
    assert book.split("o2:s1", "t2", "s1", 600, "CNY", capture(left=500), NOW
                      ).status == REFUSED
    assert book.split("o3:s1", "t3", "s1", 1_099, "CNY", capture(), NOW).status == REFUSED
    assert book.split("o4:s1", "t4", "s1", 100, "CNY", capture("PENDING"), NOW
                      ).status == REFUSED
    with pytest.raises(ApiError) as e:
        book.split("o1:s1", "t1", "s1", 5_000, "CNY", capture(), NOW)
    assert e.value.status == 409
