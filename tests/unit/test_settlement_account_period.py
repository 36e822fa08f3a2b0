"""Joint operation (联营) and a supplier's account period (账期): the
month+N cycle's arithmetic for any time and N (its period is the calendar
month holding the time; it closes N days after the month ends; the last
closable period is the latest whose close has come), the settings that
choose it, and a joint-operation order cleared like escrow."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from settlement.clearing import SellerPart
from settlement.cycles import DAY, Cycle, CycleKind, Period
from settlement.ledger import EntryKind
from settlement.order import Mode, OrderClearing, State
from settlement.settings import SettlementSettings
from tests.settlement_support import T0

UTC = dt.UTC
times = st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 12, 31),
                     timezones=st.just(UTC))


@given(t=times, n=st.integers(0, 90))
def test_a_month_plus_n_period_is_the_calendar_month_closed_n_days_after_it(
        t: dt.datetime, n: int) -> None:
    c = Cycle.parse(f"month+{n}")
    assert (c.kind, c.days) == (CycleKind.MONTHLY, n)
    p = c.period_of(t)
    assert t in p
    assert (p.start.day, p.start.hour, p.start.minute, p.start.second) == (1, 0, 0, 0)
    assert p.end.day == 1 and (p.end - DAY).month == p.start.month
    assert 28 <= (p.end - p.start).days <= 31
    assert c.closes_at(p) == p.end + n * DAY
    assert c.period_of(p.end) == Period(p.end, c.period_of(p.end).end)  # the next month


@given(now=times, n=st.integers(0, 90))
def test_the_last_closable_account_period_is_the_latest_whose_close_has_come(
        now: dt.datetime, n: int) -> None:
    c = Cycle.parse(f"month+{n}")
    p = c.last_closable(now)
    assert p is not None
    assert c.closes_at(p) <= now  # never a period still in its account period
    assert c.closes_at(c.period_of(p.end)) > now  # and no later one could close


def test_an_account_period_by_example() -> None:
    c = Cycle.parse("month+10")
    march = Period(dt.datetime(2026, 3, 1, tzinfo=UTC), dt.datetime(2026, 4, 1, tzinfo=UTC))
    assert c.period_of(dt.datetime(2026, 3, 31, 23, 59, tzinfo=UTC)) == march
    assert c.closes_at(march) == dt.datetime(2026, 4, 11, tzinfo=UTC)
    assert c.last_closable(dt.datetime(2026, 4, 10, 23, tzinfo=UTC)) == Period(
        dt.datetime(2026, 2, 1, tzinfo=UTC), march.start)
    assert c.last_closable(dt.datetime(2026, 4, 11, tzinfo=UTC)) == march
    december = Cycle.parse("month+0").period_of(dt.datetime(2026, 12, 5, tzinfo=UTC))
    assert december.end == dt.datetime(2027, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("text", ["month+-1", "month+", "month-3"])
def test_a_bad_account_period_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Cycle.parse(text)


def test_joint_operation_business_types_and_their_account_periods() -> None:
    s = SettlementSettings(business_type="supply", joint_operation_business_types="supply",
                           merchant_cycles="s2=month+15")
    assert s.mode_of("supply") is Mode.JOINT_OPERATION
    assert s.mode_of("default") is Mode.ESCROW
    assert s.cycle_of("s1") == Cycle(CycleKind.MONTHLY, 0)  # a joint type's default
    assert s.cycle_of("s2") == Cycle(CycleKind.MONTHLY, 15)  # the supplier's own
    both = SettlementSettings(collection_business_types="x", joint_operation_business_types="y",
                              business_cycles="default=month+5")
    assert (both.mode_of("x"), both.mode_of("y")) == (Mode.COLLECTION, Mode.JOINT_OPERATION)
    assert both.cycle_of("s1") == Cycle(CycleKind.MONTHLY, 5)
    assert SettlementSettings().cycle_of("s1") == Cycle()  # T+1


def test_a_joint_operation_order_is_cleared_like_escrow() -> None:
    o, entries = OrderClearing.on_payment("o1", "b1", "supply", Mode.JOINT_OPERATION, "CNY",
                                          [SellerPart("s1", 10_000, 0)], {"s1": None}, T0, T0)
    assert [e.kind for e in entries] == [EntryKind.PAYMENT] and o.state is State.PENDING
    cleared = o.after_sales_ended(T0 + DAY)
    assert [e.kind for e in cleared] == [EntryKind.CLEARING] and o.state is State.CLEARED
