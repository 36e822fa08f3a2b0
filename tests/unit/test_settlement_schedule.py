"""settlement.schedule (pure): run times, the first day a schedule runs,
each day's occurrence and the next; a bad run time refused at start."""

from __future__ import annotations

import datetime as dt

import pytest

from settlement.schedule import Occurrence, day_of, first_day, parse_run_time
from settlement.settings import SettlementSettings

TWO = dt.time(2, 0)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 1, day, hour, minute, tzinfo=dt.UTC)


@pytest.mark.parametrize("text", ["2:00", "24:00", "02:60", "0200", "02:00:00", "noon"])
def test_a_run_time_is_hh_mm_or_empty(text: str) -> None:
    assert parse_run_time("") is None and parse_run_time(" 23:59 ") == dt.time(23, 59)
    with pytest.raises(ValueError):
        parse_run_time(text)
    with pytest.raises(ValueError):
        SettlementSettings(cycle_run_time=text)


def test_the_first_day_is_the_next_due_time_never_a_day_that_ran() -> None:
    assert first_day(at(5, 1, 59), TWO) == dt.date(2026, 1, 5)
    assert first_day(at(5, 2), TWO) == dt.date(2026, 1, 5)  # due right now
    assert first_day(at(5, 2, 1), TWO) == dt.date(2026, 1, 6)
    assert first_day(at(5, 1), TWO, last=dt.date(2026, 1, 5)) == dt.date(2026, 1, 6)
    assert first_day(at(5, 1), TWO, last=dt.date(2026, 1, 2)) == dt.date(2026, 1, 5)


def test_an_occurrence_keys_its_day_and_the_next_follows_at_the_run_time() -> None:
    occ = Occurrence.of("reconcile:sandbox", dt.date(2026, 1, 31), TWO)
    assert (occ.key, occ.at, occ.reconciled_day) == (
        "reconcile:sandbox@2026-01-31", at(31, 2), dt.date(2026, 1, 30))
    assert Occurrence.from_payload(occ.payload()) == occ
    assert day_of(occ.key) == occ.day
    nxt = occ.following(dt.time(3, 30))
    assert (nxt.key, nxt.at) == ("reconcile:sandbox@2026-02-01",
                                 dt.datetime(2026, 2, 1, 3, 30, tzinfo=dt.UTC))
