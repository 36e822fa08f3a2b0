"""The pure matcher: a channel's statement of a day against our records of
that day, every difference classified. No I/O, no clock.

A transaction is known by its type and reference (the attempt id of a
payment, the refund id of a refund). Rows are assigned to days by their own
time, each side by its own: a pair whose two sides fall on neighbouring days
is a TIMING difference on the earlier side's day and matched (carried) on
the later one.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field


class Kind(enum.IntEnum):
    """The classes of differences (DifferenceKind's values)."""

    MISSING_HERE = 1
    MISSING_AT_CHANNEL = 2
    AMOUNT_MISMATCH = 3
    STATUS_MISMATCH = 4
    TIMING = 5


@dataclass(frozen=True)
class Txn:
    """One side of a transaction: a statement row or one of our records."""

    type: str  # "PAY" or "REFUND"
    reference: str
    channel_transaction_id: str
    amount: int  # minor units
    currency: str
    status: str
    time: dt.datetime

    @property
    def key(self) -> tuple[str, str]:
        return (self.type, self.reference)

    @property
    def day(self) -> dt.date:
        return self.time.date()


@dataclass(frozen=True)
class Difference:
    kind: Kind
    reference: str
    channel: Txn | None
    ours: Txn | None


@dataclass(frozen=True)
class Result:
    channel_rows: int
    our_rows: int
    matched: int
    matched_carried: int
    differences: tuple[Difference, ...] = field(default=())

    def counts(self) -> dict[Kind, int]:
        """Unmatched pairs per class (every class, zero included)."""
        out = dict.fromkeys(Kind, 0)
        for d in self.differences:
            out[d.kind] += 1
        return out


def _by_key(rows: Iterable[Txn]) -> dict[tuple[str, str], Txn]:
    return {r.key: r for r in rows}


def _compare(channel: Txn, ours: Txn) -> Difference | None:
    if (channel.amount, channel.currency) != (ours.amount, ours.currency):
        return Difference(Kind.AMOUNT_MISMATCH, ours.reference, channel, ours)
    if channel.status != ours.status:
        return Difference(Kind.STATUS_MISMATCH, ours.reference, channel, ours)
    return None


def reconcile(day: dt.date, channel: Iterable[Txn], ours: Iterable[Txn]) -> Result:
    """Match the statement rows against our records for ``day``.

    ``channel`` holds the statements of ``day`` and of the days either side,
    ``ours`` our records of the same three days (rows of other days are
    ignored). Guarantees: every row of the day on either side is counted once,
    as matched or in exactly one difference; the order of the rows does not
    matter; a statement equal to our records gives no difference.
    """
    near = {day - dt.timedelta(days=1), day, day + dt.timedelta(days=1)}
    theirs = _by_key(r for r in channel if r.day in near)
    mine = _by_key(r for r in ours if r.day in near)
    today_theirs = {k for k, r in theirs.items() if r.day == day}
    today_mine = {k for k, r in mine.items() if r.day == day}
    matched = carried = 0
    diffs: list[Difference] = []
    for key in sorted(today_theirs | today_mine):
        c, o = theirs.get(key), mine.get(key)
        if c is None or o is None:
            kind = Kind.MISSING_AT_CHANNEL if c is None else Kind.MISSING_HERE
            diffs.append(Difference(kind, key[1], c, o))
            continue
        if min(c.day, o.day) == day and c.day != o.day:
            # The later side is on the next day: matched (carried) then.
            diffs.append(Difference(Kind.TIMING, key[1], c, o))
            continue
        mismatch = _compare(c, o)
        if mismatch is not None:
            diffs.append(mismatch)
            continue
        matched += 1
        carried += c.day != o.day
    return Result(len(today_theirs), len(today_mine), matched, carried, tuple(diffs))
