"""Daily schedules (pure): when settlement's own jobs run by themselves.

Pure: no database, clock or protobuf messages (times are passed in, UTC).

A schedule (the settlement cycle, a channel's reconciliation) runs once a
day at a UTC time of day (``HH:MM``, settlement's settings; empty: off). One
day's run is an ``Occurrence``: the schedule's name, the day, and the instant
it is due (the day at the run time). Its durable timer (zhongtai.timers) is
keyed ``<name>@<day>``, so each day's run fires once at most; the run arms
the next day's in its own transaction (``following``), so a crash between
runs neither skips a day nor runs one twice, and after downtime every missed
day runs, in order, each as of its own due instant. A schedule first armed
(or re-enabled) starts at the first occurrence not in the past
(``first_day``), never before a day that already ran.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

DAY = dt.timedelta(days=1)
# The durable timers' kind: one for every schedule, the name in the key.
KIND = "settlement.schedule"
CYCLE = "cycle"
RECONCILE = "reconcile"
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def parse_run_time(text: str) -> dt.time | None:
    """``HH:MM`` (UTC, 00:00 .. 23:59) or empty (off); ValueError otherwise."""
    text = text.strip()
    if not text:
        return None
    m = _HHMM.match(text)
    if m is None:
        raise ValueError(f"a run time is HH:MM (UTC) or empty, not {text!r}")
    return dt.time(int(m[1]), int(m[2]))


def reconcile_name(channel: str) -> str:
    """The name of a channel's reconciliation schedule."""
    return f"{RECONCILE}:{channel}"


def due(day: dt.date, at: dt.time) -> dt.datetime:
    """The instant ``day``'s run is due: the day at ``at``, UTC."""
    return dt.datetime.combine(day, at, tzinfo=dt.UTC)


def first_day(now: dt.datetime, at: dt.time, last: dt.date | None = None) -> dt.date:
    """The first day whose run is due at or after ``now``, and after the
    ``last`` day that ran (if any)."""
    day = now.astimezone(dt.UTC).date()
    if due(day, at) < now:
        day += DAY
    if last is not None and day <= last:
        day = last + DAY
    return day


@dataclass(frozen=True)
class Occurrence:
    """One day's run of schedule ``name``, due at ``at``."""

    name: str
    day: dt.date
    at: dt.datetime

    @classmethod
    def of(cls, name: str, day: dt.date, at: dt.time) -> Occurrence:
        return cls(name, day, due(day, at))

    @property
    def key(self) -> str:
        return key(self.name, self.day)

    def payload(self) -> dict[str, str]:
        return {"schedule": self.name, "day": self.day.isoformat(),
                "at": self.at.isoformat()}

    @classmethod
    def from_payload(cls, payload: Mapping[str, str]) -> Occurrence:
        return cls(payload["schedule"], dt.date.fromisoformat(payload["day"]),
                   dt.datetime.fromisoformat(payload["at"]))

    def following(self, at: dt.time) -> Occurrence:
        """The next day's run (due at ``at``), whatever time it is now:
        a missed day is run late, never skipped."""
        return Occurrence.of(self.name, self.day + DAY, at)

    @property
    def reconciled_day(self) -> dt.date:
        """The day a reconciliation run reconciles: the one before."""
        return self.day - DAY


@dataclass(frozen=True)
class ScheduleState:
    """What ListSchedules shows of a schedule."""

    name: str
    run_time: dt.time | None
    next_day: dt.date | None = None
    next_due: dt.datetime | None = None
    attempts: int = 0
    last_error: str = ""
    last_day: dt.date | None = None
    last_run: dt.datetime | None = None


def key(name: str, day: dt.date) -> str:
    """The durable timer's key of ``name``'s run on ``day``."""
    return f"{name}@{day.isoformat()}"


def day_of(timer_key: str) -> dt.date:
    """The day of a timer key (``key``'s inverse)."""
    return dt.date.fromisoformat(timer_key.rpartition("@")[2])
