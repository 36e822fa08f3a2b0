"""Settlement cycles (清算): when a merchant's cleared money is netted into
a batch, and the batch itself.

Pure: no database, clock or protobuf messages (times are passed in, UTC).

A cycle (``Cycle``) is either T+N (``DAILY``: what was cleared on day T is
batched on day T+N; the default is T+1; T+0 closes the current day so far,
what comes later that day going to the next day's batch), weekly (``WEEKLY``: what
was cleared in the week before a weekday is batched on that weekday) or an
account period (``MONTHLY``, "month+N", a joint-operation supplier's 账期:
what was cleared in a calendar month is batched N days after the month
ends). A
period (``Period``) is a half-open UTC interval ``[start, end)``; the cycle
says which period a time falls in and when a period may be closed
(``closes_at``).

A batch (``Batch``) nets, for one merchant and one currency, the movements of
its available account (``merchant_available:S``) that no earlier batch took
and that were posted before the period's end: the receivables cleared into
it (CLEARING, credits) against the reversals of cleared orders (REVERSAL,
debits). Payout entries are not settlements and are never batched. The
batch records the entry ids and the net; a late reversal (posted after its
order's batch) lands in the next batch, so nothing is absorbed silently.
Its id is ``<seller>:<period start date>:<currency>``: one batch per
(merchant, period, currency), which the store makes unique.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from settlement.ledger import EntryKind

DAY = dt.timedelta(days=1)
NETTED = frozenset({EntryKind.CLEARING, EntryKind.REVERSAL})


class CycleKind(IntEnum):
    DAILY = 1
    WEEKLY = 2
    MONTHLY = 3


@dataclass(frozen=True)
class Period:
    """A half-open UTC interval [start, end)."""

    start: dt.datetime
    end: dt.datetime

    def __contains__(self, t: dt.datetime) -> bool:
        return self.start <= t < self.end


def _midnight(t: dt.datetime) -> dt.datetime:
    return dt.datetime(t.year, t.month, t.day, tzinfo=dt.UTC)


def _month(t: dt.datetime) -> Period:
    """The calendar month (UTC) ``t`` falls in."""
    start = dt.datetime(t.year, t.month, 1, tzinfo=dt.UTC)
    end = dt.datetime(t.year + t.month // 12, t.month % 12 + 1, 1, tzinfo=dt.UTC)
    return Period(start, end)


@dataclass(frozen=True)
class Cycle:
    """T+``days`` (DAILY), weekly on ``weekday`` (0 Monday .. 6 Sunday) or
    month+``days`` (MONTHLY)."""

    kind: CycleKind = CycleKind.DAILY
    days: int = 1
    weekday: int = 0

    def __post_init__(self) -> None:
        if self.kind is not CycleKind.WEEKLY and self.days < 0:
            raise ValueError(f"a T+N or month+N cycle needs N >= 0, not {self.days}")
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday is 0 (Monday) .. 6 (Sunday), not {self.weekday}")

    @classmethod
    def parse(cls, text: str) -> Cycle:
        """``T+N``, ``weekly:<0..6>`` or ``month+N`` (ValueError otherwise)."""
        text = text.strip()
        if text.upper().startswith("T+"):
            return cls(CycleKind.DAILY, int(text[2:]))
        if text.lower().startswith("weekly:"):
            return cls(CycleKind.WEEKLY, weekday=int(text[7:]))
        if text.lower().startswith("month+"):
            return cls(CycleKind.MONTHLY, int(text[6:]))
        raise ValueError(f"a cycle is 'T+N', 'weekly:<weekday>' or 'month+N', not {text!r}")

    def period_of(self, t: dt.datetime) -> Period:
        """The period ``t`` falls in: its UTC day (DAILY); the seven days
        ending at the first ``weekday`` midnight after ``t`` (WEEKLY); its
        calendar month (MONTHLY)."""
        if self.kind is CycleKind.MONTHLY:
            return _month(t)
        day = _midnight(t)
        if self.kind is CycleKind.DAILY:
            return Period(day, day + DAY)
        ahead = (self.weekday - day.weekday()) % 7 or 7
        end = day + ahead * DAY
        return Period(end - 7 * DAY, end)

    def closes_at(self, period: Period) -> dt.datetime:
        """When ``period`` may be closed: start + N days (DAILY), its end
        (WEEKLY), its end + N days (MONTHLY)."""
        if self.kind is CycleKind.DAILY:
            return period.start + self.days * DAY
        if self.kind is CycleKind.MONTHLY:
            return period.end + self.days * DAY
        return period.end

    def last_closable(self, now: dt.datetime) -> Period | None:
        """The latest period that may be closed at ``now`` (never one that
        is still open)."""
        p = self.period_of(now)
        for _ in range(self.days + 8):
            if self.closes_at(p) <= now:
                return p
            p = self.period_of(p.start - DAY)
        return None  # pragma: no cover - the loop always finds one


@dataclass(frozen=True)
class Movement:
    """One posting on a merchant's available account (debit positive)."""

    entry_id: str
    kind: EntryKind
    order_id: str
    amount: int
    currency: str
    posted_at: dt.datetime


@dataclass(frozen=True)
class Batch:
    """A merchant's netted settlements over a period, in one currency:
    ``cleared`` (receivables, >= 0) less ``reversed`` (>= 0) is ``net``
    (what the merchant gained; negative when reversals outweigh)."""

    batch_id: str
    seller_id: str
    period: Period
    currency: str
    entry_ids: tuple[str, ...]
    cleared: int
    reversed: int
    closed_at: dt.datetime

    @property
    def net(self) -> int:
        return self.cleared - self.reversed


def batch_id(seller_id: str, period: Period, currency: str) -> str:
    return f"{seller_id}:{period.start.date().isoformat()}:{currency}"


def close(seller_id: str, period: Period, movements: Iterable[Movement],
          now: dt.datetime) -> list[Batch]:
    """The batches (one per currency with movements) of ``seller_id`` for
    ``period``: every CLEARING and REVERSAL movement posted before the
    period's end (the caller passes only those no batch took yet), netted.
    ``cleared - reversed`` equals minus the sum of the batched postings (the
    account is credit-normal), exactly."""
    by_currency: dict[str, list[Movement]] = defaultdict(list)
    for m in movements:
        if m.kind in NETTED and m.posted_at < period.end:
            by_currency[m.currency].append(m)
    out = []
    for currency, ms in sorted(by_currency.items()):
        ms.sort(key=lambda m: (m.posted_at, m.entry_id))
        out.append(Batch(
            batch_id(seller_id, period, currency), seller_id, period, currency,
            tuple(m.entry_id for m in ms),
            cleared=sum(-m.amount for m in ms if m.amount < 0),
            reversed=sum(m.amount for m in ms if m.amount > 0), closed_at=now))
    return out
