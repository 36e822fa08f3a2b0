"""Reconciliation's pure matcher: every class of difference, a statement
equal to our records reconciles clean, the order of rows does not matter;
the sandbox statement's CSV and the report's CSV."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from settlement.reconciliation.matching import Kind, Txn, reconcile
from settlement.reconciliation.sources import parse_sandbox_csv
from settlement.reconciliation.store import result_from, result_json
from settlement.reconciliation.views import CSV_COLUMNS, csv_of

DAY = dt.date(2026, 11, 30)
NOON = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)


def txn(ref: str, amount: int = 1_000, *, kind: str = "PAY", status: str = "SUCCEEDED",
        at: dt.datetime = NOON) -> Txn:
    return Txn(kind, ref, f"sbx-{ref}", amount, "CNY", status, at)


def kinds(channel: list[Txn], ours: list[Txn], day: dt.date = DAY) -> dict[str, Kind]:
    return {d.reference: d.kind for d in reconcile(day, channel, ours).differences}


def test_equal_sides_reconcile_clean() -> None:
    rows = [txn("a1"), txn("r1", 300, kind="REFUND")]
    r = reconcile(DAY, rows, list(rows))
    assert (r.channel_rows, r.our_rows, r.matched, r.differences) == (2, 2, 2, ())
    assert set(r.counts().values()) == {0}


def test_every_class_of_difference() -> None:
    ours = [txn("ok"), txn("gone"), txn("amt", 500), txn("st"), txn("late")]
    channel = [txn("ok"), txn("amt", 499), txn("st", status="FAILED"),
               txn("late", at=NOON + dt.timedelta(hours=12)), txn("stranger")]
    assert kinds(channel, ours) == {
        "gone": Kind.MISSING_AT_CHANNEL, "amt": Kind.AMOUNT_MISMATCH,
        "st": Kind.STATUS_MISMATCH, "late": Kind.TIMING, "stranger": Kind.MISSING_HERE}
    r = reconcile(DAY, channel, ours)
    assert r.matched == 1 and r.counts()[Kind.TIMING] == 1
    amt = next(d for d in r.differences if d.kind == Kind.AMOUNT_MISMATCH)
    assert (amt.channel and amt.channel.amount, amt.ours and amt.ours.amount) == (499, 500)


def test_a_timing_difference_is_matched_on_the_next_day() -> None:
    ours = [txn("late")]
    channel = [txn("late", at=NOON + dt.timedelta(hours=12))]
    next_day = reconcile(DAY + dt.timedelta(days=1), channel, ours)
    assert (next_day.matched, next_day.matched_carried, next_day.differences) == (1, 1, ())
    # The channel earlier than us: TIMING on the channel's day, carried on ours.
    assert kinds(ours, channel) == {"late": Kind.TIMING}
    assert reconcile(DAY + dt.timedelta(days=1), ours, channel).matched_carried == 1


def test_a_carried_pair_still_compares_amounts() -> None:
    ours = [txn("late", 100)]
    channel = [txn("late", 90, at=NOON + dt.timedelta(hours=12))]
    assert kinds(channel, ours, DAY + dt.timedelta(days=1)) == {"late": Kind.AMOUNT_MISMATCH}


def test_rows_two_days_away_are_not_neighbours() -> None:
    far = NOON + dt.timedelta(days=2)
    assert kinds([txn("x", at=far)], [txn("x")]) == {"x": Kind.MISSING_AT_CHANNEL}


def test_a_payment_and_a_refund_with_one_reference_are_apart() -> None:
    r = reconcile(DAY, [txn("x", kind="REFUND")], [txn("x")])
    assert sorted(d.kind for d in r.differences) == [Kind.MISSING_HERE,
                                                      Kind.MISSING_AT_CHANNEL]


rows = st.lists(st.builds(
    txn, st.text("abcdef0123", min_size=1, max_size=4), st.integers(1, 10**9),
    kind=st.sampled_from(["PAY", "REFUND"]),
    at=st.integers(-36, 47).map(lambda h: NOON + dt.timedelta(hours=h))),
    max_size=20, unique_by=lambda t: t.key)


@given(rows)
def test_a_statement_equal_to_our_records_reconciles_clean(ours: list[Txn]) -> None:
    r = reconcile(DAY, list(reversed(ours)), ours)
    assert r.differences == ()
    assert r.matched == r.channel_rows == r.our_rows == sum(t.day == DAY for t in ours)


@given(rows, rows, st.randoms())
def test_permutations_do_not_matter(channel: list[Txn], ours: list[Txn], rnd: object) -> None:
    shuffled_c, shuffled_o = list(channel), list(ours)
    rnd.shuffle(shuffled_c)  # type: ignore[attr-defined]
    rnd.shuffle(shuffled_o)  # type: ignore[attr-defined]
    assert reconcile(DAY, channel, ours) == reconcile(DAY, shuffled_c, shuffled_o)


@given(rows, rows)
def test_every_row_of_the_day_is_counted_once(channel: list[Txn], ours: list[Txn]) -> None:
    r = reconcile(DAY, channel, ours)
    keys = {t.key for t in [*channel, *ours] if t.day == DAY}
    assert r.matched + len(r.differences) == len(keys)
    assert result_from(result_json(r)) == r


def test_sandbox_csv_and_report_csv() -> None:
    text = ("type,out_trade_no,out_refund_no,transaction_id,amount,currency,time,status\n"
            "payment,a1,,sbx1,1000,CNY,2026-11-30T12:00:00.000000Z,SUCCEEDED\n"
            "refund,a1,r1,sbx1,300,CNY,2026-11-30T13:00:00.000000Z,SUCCEEDED\n")
    parsed = parse_sandbox_csv(text)
    assert [(t.type, t.reference, t.amount) for t in parsed] == [
        ("PAY", "a1", 1000), ("REFUND", "r1", 300)]
    ours = [dataclasses.replace(parsed[0], amount=1001)]
    lines = csv_of(reconcile(DAY, parsed, ours)).splitlines()
    assert lines[0] == ",".join(CSV_COLUMNS)
    assert lines[1].startswith("AMOUNT_MISMATCH,PAY,a1,sbx1,CNY,1000,1001,SUCCEEDED,SUCCEEDED,")
    assert lines[2].startswith("MISSING_HERE,REFUND,r1,sbx1,CNY,300,,SUCCEEDED,,")
