"""Settlement cycles, batches and payouts (pure): periods and when they
close; a batch nets clearings against reversals exactly; a payout never
exceeds the available balance, never happens while it is negative, resolves
once; a hypothesis state machine drives random clear / reverse / payout /
resolve / batch steps and checks the ledger's invariants after each."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from settlement import cycles, statement
from settlement.clearing import Line, LineKind
from settlement.cycles import Cycle, CycleKind, Movement, Period
from settlement.ledger import (
    PAYOUT_CLEARING,
    Entry,
    EntryKind,
    Posting,
    balances,
    merchant_available,
    merchant_payout_pending,
)
from settlement.payout import Payout, PayoutState
from settlement.payout_adapter import SandboxPayoutAdapter
from zhongtai.errors import ZhongtaiError

UTC = dt.UTC
MON = dt.datetime(2026, 3, 2, tzinfo=UTC)  # a Monday
A = merchant_available("s1")


def at(day: int, hour: int = 0) -> dt.datetime:
    return MON + dt.timedelta(days=day, hours=hour)


def test_t_plus_n_periods_are_utc_days_closed_n_days_after_their_start() -> None:
    c = Cycle()
    assert c == Cycle.parse("T+1")
    p = c.period_of(at(2, 15))
    assert p == Period(at(2), at(3))
    assert c.closes_at(p) == at(3)
    assert Cycle.parse("T+3").closes_at(p) == at(5)
    assert c.last_closable(at(3)) == p
    assert c.last_closable(at(2, 23)) == Period(at(1), at(2))
    assert Cycle.parse("T+3").last_closable(at(5, 1)) == p
    assert Cycle.parse("T+0").last_closable(at(2, 15)) == p  # the day so far


def test_weekly_periods_end_on_the_weekday_and_close_then() -> None:
    c = Cycle.parse("weekly:2")  # Wednesday
    assert c.kind is CycleKind.WEEKLY
    assert c.period_of(at(0, 5)) == Period(at(-5), at(2))
    assert c.period_of(at(2)) == Period(at(2), at(9))  # a Wednesday opens the next week
    assert c.closes_at(Period(at(2), at(9))) == at(9)
    assert c.last_closable(at(8, 23)) == Period(at(-5), at(2))


@pytest.mark.parametrize("text", ["T+-1", "weekly:7", "monthly", "T+x"])
def test_a_bad_cycle_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Cycle.parse(text)


def mv(entry_id: str, kind: EntryKind, amount: int, when: dt.datetime,
       currency: str = "CNY") -> Movement:
    return Movement(entry_id, kind, "o-" + entry_id, amount, currency, when)


def test_a_batch_nets_clearings_against_reversals_of_its_period_only() -> None:
    period = Period(at(0), at(1))
    ms = [mv("c1", EntryKind.CLEARING, -1700, at(0, 1)),
          mv("c2", EntryKind.CLEARING, -500, at(0, 2)),
          mv("r1", EntryKind.REVERSAL, 300, at(0, 3)),
          mv("p1", EntryKind.PAYOUT, 1000, at(0, 4)),        # payouts are not batched
          mv("c3", EntryKind.CLEARING, -900, at(1, 0)),      # next period
          mv("u1", EntryKind.CLEARING, -100, at(0, 5), "USD")]
    cny, usd = cycles.close("s1", period, ms, at(1, 1))
    assert (cny.batch_id, cny.entry_ids) == ("s1:2026-03-02:CNY", ("c1", "c2", "r1"))
    assert (cny.cleared, cny.reversed, cny.net) == (2200, 300, 1900)
    assert (usd.currency, usd.net, usd.entry_ids) == ("USD", 100, ("u1",))


def test_a_late_reversal_makes_a_negative_batch() -> None:
    (b,) = cycles.close("s1", Period(at(1), at(2)),
                        [mv("r9", EntryKind.REVERSAL, 1700, at(1, 2))], at(2))
    assert b.net == -1700


def test_nothing_to_net_makes_no_batch() -> None:
    assert cycles.close("s1", Period(at(0), at(1)), [], at(1)) == []


def test_a_payout_moves_available_to_pending_then_out() -> None:
    p, e = Payout.request("po1", "rq1", "s1", 1500, "CNY", available=1700, by="s1", now=at(0))
    assert p.state is PayoutState.PENDING and e.kind is EntryKind.PAYOUT
    posted = p.posted("bank-1", at(0, 1))
    b = balances([e, posted])
    assert b == {(A, "CNY"): 1500, (merchant_payout_pending("s1"), "CNY"): 0,
                 (PAYOUT_CLEARING, "CNY"): -1500}
    assert (p.state, p.reference, posted.reverses) == (PayoutState.POSTED, "bank-1",
                                                       "po1:requested")
    with pytest.raises(ZhongtaiError) as err:
        p.voided("late", at(0, 2))
    assert err.value.reason == "ILLEGAL_PAYOUT_TRANSITION"


def test_a_refused_payout_gives_the_money_back() -> None:
    p, e = Payout.request("po1", "rq1", "s1", 1500, "CNY", available=1500, by="op", now=at(0))
    voided = p.voided("account closed", at(0, 1))
    assert (p.state, p.reason) == (PayoutState.VOIDED, "account closed")
    assert balances([e, voided])[(A, "CNY")] == 0
    with pytest.raises(ZhongtaiError):
        p.posted("x", at(0, 2))


@pytest.mark.parametrize(("amount", "available", "reason"), [
    (1501, 1500, "PAYOUT_EXCEEDS_AVAILABLE"),
    (1, -1, "NEGATIVE_BALANCE"),
    (0, 1500, "INVALID_ARGUMENT"),
    (-5, 1500, "INVALID_ARGUMENT"),
])
def test_a_payout_is_refused_beyond_the_available_balance(amount: int, available: int,
                                                          reason: str) -> None:
    with pytest.raises(ZhongtaiError) as err:
        Payout.request("po1", "rq1", "s1", amount, "CNY", available, "s1", at(0))
    assert reason in (err.value.reason, err.value.code)


async def test_the_sandbox_adapter_pays_or_refuses_and_answers_the_same_twice() -> None:
    adapter = SandboxPayoutAdapter()
    assert (await adapter.pay("po1", "s1", 10, "CNY")).reference == "sandbox-po1"
    adapter.refuse("s1", "frozen")
    refused = await adapter.pay("po2", "s1", 10, "CNY")
    assert (refused.paid, refused.reason) == (False, "frozen")
    adapter.accept("s1")
    assert await adapter.pay("po2", "s1", 10, "CNY") == refused
    assert (await adapter.pay("po3", "s1", 10, "CNY")).paid
    assert not (await adapter.pay("po4", "s1", 1099, "CNY")).paid  # the planted refusal


class Payouts(RuleBasedStateMachine):
    """Random clearings, reversals, payouts and their resolutions on one
    merchant: every entry balances, balances are sums of postings, the
    available money is what was cleared less reversed less paid out or in
    flight, and a payout is only made from a non-negative balance."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[Entry] = []
        self.pending: list[Payout] = []
        self.cleared = self.reversed = self.paid = self.n = 0
        self.clock = at(0)

    def available(self) -> int:
        return -balances(self.entries).get((A, "CNY"), 0)

    def _tick(self) -> dt.datetime:
        self.n += 1
        self.clock += dt.timedelta(hours=1)
        return self.clock

    @rule(amount=st.integers(1, 10_000))
    def clear(self, amount: int) -> None:
        self._tick()
        self.entries.append(Entry(f"c{self.n}", EntryKind.CLEARING, "o", (
            Posting("merchant_pending:s1", amount, "CNY"), Posting(A, -amount, "CNY"))))
        self.cleared += amount

    @rule(amount=st.integers(1, 10_000))
    def reverse(self, amount: int) -> None:
        self._tick()
        self.entries.append(Entry(f"r{self.n}", EntryKind.REVERSAL, "o", (
            Posting(A, amount, "CNY"), Posting("channel_receivable:", -amount, "CNY"))))
        self.reversed += amount

    @rule(amount=st.integers(1, 20_000))
    def payout(self, amount: int) -> None:
        now, available = self._tick(), self.available()
        try:
            p, e = Payout.request(f"po{self.n}", f"rq{self.n}", "s1", amount, "CNY",
                                  available, "s1", now)
        except ZhongtaiError:
            assert available < 0 or amount > available
            return
        assert 0 < amount <= available
        self.entries.append(e)
        self.pending.append(p)

    @rule(paid=st.booleans(), data=st.data())
    def resolve(self, paid: bool, data: st.DataObject) -> None:
        if not self.pending:
            return
        p = self.pending.pop(data.draw(st.integers(0, len(self.pending) - 1)))
        now = self._tick()
        self.entries.append(p.posted("ref", now) if paid else p.voided("no", now))
        if paid:
            self.paid += p.amount

    @rule()
    def batch(self) -> None:
        ms = [Movement(e.entry_id, e.kind, e.order_id, p.amount, p.currency, self.clock)
              for e in self.entries for p in e.postings if p.account == A]
        for b in cycles.close("s1", Period(at(-1), self.clock + dt.timedelta(1)), ms,
                              self.clock):
            assert b.net == self.cleared - self.reversed

    @invariant()
    def ledger_holds(self) -> None:
        b = balances(self.entries)
        in_flight = sum(p.amount for p in self.pending)
        assert self.available() == self.cleared - self.reversed - self.paid - in_flight
        assert -b.get((merchant_payout_pending("s1"), "CNY"), 0) == in_flight
        assert b.get((PAYOUT_CLEARING, "CNY"), 0) == -self.paid
        assert sum(v for (_, c), v in b.items() if c == "CNY") == 0


TestPayouts = Payouts.TestCase
TestPayouts.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)


def test_statement_lines_are_what_a_clearing_cleared_and_a_reversal_took_back() -> None:
    s = "s1"
    before = [Line(LineKind.GOODS, s, 4000), Line(LineKind.MERCHANT_DISCOUNT, s, -1400),
              Line(LineKind.FREIGHT, s, 500), Line(LineKind.PLATFORM_COMMISSION, s, 400),
              Line(LineKind.MERCHANT_RECEIVABLE, s, 2700)]
    after = [Line(LineKind.GOODS, s, 1000), Line(LineKind.MERCHANT_DISCOUNT, s, -400),
             Line(LineKind.FREIGHT, s, 500), Line(LineKind.PLATFORM_COMMISSION, s, 100),
             Line(LineKind.MERCHANT_RECEIVABLE, s, 1000)]
    clearing = Entry("c", EntryKind.CLEARING, "o", ())
    reversal = Entry("r", EntryKind.REVERSAL, "o", ())
    rows = statement.entry_lines([clearing, reversal, Entry("p", EntryKind.PAYMENT, "o", ())],
                                 before, after)
    by = {(e, k): v for e, _, k, v in rows}
    assert statement.figures({k: v for (e, k), v in by.items() if e == "c"}) == \
        statement.Figures(1000, 400, 500, 100, 0, 1000)
    took = statement.figures({k: v for (e, k), v in by.items() if e == "r"})
    assert took == statement.Figures(-3000, -1000, 0, -300, 0, -1700)
    f = took
    assert f.receivable == f.goods - f.merchant_discount + f.freight - f.commission - f.channel_fee


def test_the_csv_has_decimal_minor_units_and_a_total_per_currency() -> None:
    f = statement.Figures(12000, 1000, 0, 1200, 54, 9746)
    lines = [statement.StatementLine("o1", "e1", EntryKind.CLEARING, at(0), "CNY", f),
             statement.StatementLine("o1", "e2", EntryKind.REVERSAL, at(1), "CNY",
                                     statement.Figures(-100, 0, 0, -10, 0, -90)),
             statement.StatementLine("o2", "e3", EntryKind.CLEARING, at(1), "USD", f)]
    rows = statement.to_csv("s1", "b1", lines).split("\r\n")
    assert rows[0] == ",".join(statement.COLUMNS)
    assert rows[1] == ("s1,b1,o1,e1,CLEARING,2026-03-02T00:00:00+00:00,CNY,"
                       "12000,1000,0,1200,54,9746")
    assert rows[4:] == ["s1,b1,,,TOTAL,,CNY,11900,1000,0,1190,54,9656",
                        "s1,b1,,,TOTAL,,USD,12000,1000,0,1200,54,9746", ""]
