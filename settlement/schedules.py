"""Settlement's schedules (use cases): the settlement cycle and each
channel's reconciliation run every day by themselves. ``settlement.schedule``
says when; this module arms, fires and lists them, on durable timers of kind
``schedule.KIND`` (zhongtai.timers), one per day's run.

- ``arm_schedules`` (when the service starts): in one transaction, a
  schedule that is on and has no pending run gets its first
  (``schedule.first_day``: the next due instant, never a day that already
  ran); a pending run whose due time no longer matches the settings is
  re-timed; the pending run of a schedule that is off is cancelled.
- ``Schedules.handlers`` (a ``zhongtai.timers.RemoteTimer``): a job that
  reads another system first (a reconciliation: the channel's statements)
  fetches outside any transaction, on the timer's lease; then the day's run
  and the following day's arming happen in one transaction with the timer's
  firing: the run's effects, the firing and the next arming commit together
  or not at all (a job with nothing to fetch does all of it in the claiming
  transaction). A failing fetch or run rolls back and its timer is retried
  with backoff; the following days wait for it. A late run (after downtime)
  runs as of its own due instant (the cycle closes the periods closable
  then; the reconciliation reconciles its day), and arms the next day, due
  already too: every missed day runs once, in order. Both jobs are
  idempotent per period / day, so a run that an operator already did by hand
  changes nothing.
- ``Schedules.list``: each schedule's setting, next run and last run
  (ListSchedules).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from settlement import schedule, settle
from settlement.reconciliation.matching import Txn
from settlement.reconciliation.reconcile import fetch, reconcile_scheduled, reconciled
from settlement.reconciliation.sources import StatementSource
from settlement.repository import Clock, SqlSettlementUnitOfWork
from settlement.schedule import KIND, Occurrence, ScheduleState
from settlement.settings import SettlementSettings
from zhongtai import timers
from zhongtai.auth import Identity
from zhongtai.db import Database

log = logging.getLogger(__name__)

# A run: (the timer's session, the occurrence, now, what ``fetch`` read or
# None) -> what it did (logged).
Run = Callable[[AsyncSession, Occurrence, dt.datetime, Any], Awaitable[str]]
# What a run reads from another system first, outside any transaction.
Fetch = Callable[[Occurrence], Awaitable[Any]]
# Whether the occurrence needs nothing (already done by hand): no fetch then.
Done = Callable[[AsyncSession, Occurrence], Awaitable[bool]]


@dataclass(frozen=True)
class Job:
    """A schedule: its name, its run time (None: off), what it runs and,
    for a job that reads another system, what it fetches first (outside the
    transaction) unless ``done`` says the day needs nothing."""

    name: str
    run_time: dt.time | None
    run: Run
    fetch: Fetch | None = None
    done: Done | None = None


def jobs(db: Database, settings: SettlementSettings,
         sources: Mapping[str, StatementSource]) -> list[Job]:
    """The settlement cycle and a reconciliation per statement source."""
    by = Identity.for_service("settlement").subject

    async def cycle(s: AsyncSession, occ: Occurrence, now: dt.datetime, _: Any) -> str:
        closed = await settle.run_cycle(lambda: SqlSettlementUnitOfWork(db, s), settings,
                                        now, as_of=occ.at)
        return f"{len(closed)} batch(es) closed as of {occ.at.isoformat()}"

    def reconcile(channel: str, source: StatementSource) -> Job:
        async def done(s: AsyncSession, occ: Occurrence) -> bool:
            return await reconciled(SqlSettlementUnitOfWork(db, s), channel, occ.reconciled_day)

        async def read(occ: Occurrence) -> list[Txn]:
            return await fetch(source, channel, occ.reconciled_day)

        async def run(s: AsyncSession, occ: Occurrence, now: dt.datetime,
                      statements: list[Txn] | None) -> str:
            if statements is None:
                return f"{channel} {occ.reconciled_day.isoformat()} already reconciled"
            return await reconcile_scheduled(SqlSettlementUnitOfWork(db, s), channel,
                                             occ.reconciled_day, statements, now, by)

        return Job(schedule.reconcile_name(channel), reconcile_at, run, read, done)

    reconcile_at = schedule.parse_run_time(settings.reconcile_run_time)
    out = [Job(schedule.CYCLE, schedule.parse_run_time(settings.cycle_run_time), cycle)]
    out += [reconcile(c, src) for c, src in sorted(sources.items())]
    return out


class Schedules:
    """The schedules of one settlement database (their timers' rows)."""

    def __init__(self, db: Database, jobs: list[Job], clock: Clock) -> None:
        self.db = db
        self.jobs = {j.name: j for j in jobs}
        self.clock = clock

    def _of(self, name: str) -> Any:
        t = self.db.plumbing.timers
        return t.c.kind == KIND, t.c.key.startswith(f"{name}@", autoescape=True)

    async def _pending(self, s: AsyncSession, name: str) -> list[Any]:
        t = self.db.plumbing.timers
        return list((await s.execute(select(t).where(
            *self._of(name), t.c.status == timers.PENDING).order_by(t.c.key))).all())

    async def _last(self, s: AsyncSession, name: str) -> Any:
        t = self.db.plumbing.timers
        return (await s.execute(select(t).where(*self._of(name), t.c.status == timers.FIRED)
                                .order_by(t.c.key.desc()).limit(1))).first()

    async def _arm(self, s: AsyncSession, occ: Occurrence) -> Occurrence:
        """Arm ``occ`` (or the first later day that has not run)."""
        t = self.db.plumbing.timers
        for _ in range(366):
            status = (await s.execute(select(t.c.status).where(
                t.c.kind == KIND, t.c.key == occ.key))).scalar()
            if status != timers.FIRED:
                break
            occ = occ.following(occ.at.time())
        await timers.arm(s, self.db, KIND, occ.key, occ.at, occ.payload())
        return occ

    async def arm_schedules(self) -> None:
        """Arm, re-time or cancel each schedule's next run (module docstring)."""
        now = self.clock()
        async with self.db.transaction() as s:
            for job in self.jobs.values():
                pending = await self._pending(s, job.name)
                if job.run_time is None:
                    for row in pending:
                        await timers.cancel(s, self.db, KIND, row.key)
                    log.info("schedule %s: off", job.name)
                    continue
                for row in pending:
                    occ = Occurrence.of(job.name, schedule.day_of(row.key), job.run_time)
                    if json.loads(row.payload).get("at") != occ.at.isoformat() and \
                            await timers.cancel(s, self.db, KIND, row.key):
                        await timers.arm(s, self.db, KIND, occ.key, occ.at, occ.payload())
                        log.info("schedule %s: %s re-timed to %s", job.name,
                                 occ.day.isoformat(), occ.at.isoformat())
                if not pending:
                    last = await self._last(s, job.name)
                    day = schedule.first_day(
                        now, job.run_time, schedule.day_of(last.key) if last else None)
                    occ = await self._arm(s, Occurrence.of(job.name, day, job.run_time))
                    log.info("schedule %s: next run %s", job.name, occ.at.isoformat())

    async def _run(self, s: AsyncSession, job: Job, occ: Occurrence, fetched: Any) -> None:
        """Run ``occ`` and arm the next, in the caller's transaction."""
        assert job.run_time is not None
        done = await job.run(s, occ, self.clock(), fetched)
        following = await self._arm(s, occ.following(job.run_time))
        log.info("schedule %s ran for %s: %s; next run %s", occ.name, occ.day.isoformat(),
                 done, following.at.isoformat())

    async def _prepare(self, s: AsyncSession, timer: timers.Timer
                       ) -> tuple[Job, Occurrence] | None:
        """A job to fetch for (leased), or None when it ran here already."""
        occ = Occurrence.from_payload(timer.payload)
        job = self.jobs.get(occ.name)
        if job is None or job.run_time is None:
            log.warning("schedule %s is not configured here: %s not run", occ.name,
                        occ.day.isoformat())
            return None
        if job.fetch is None or (job.done is not None and await job.done(s, occ)):
            await self._run(s, job, occ, None)
            return None
        return job, occ

    @staticmethod
    async def _fetch(plan: tuple[Job, Occurrence]) -> Any:
        job, occ = plan
        assert job.fetch is not None
        return await job.fetch(occ)

    async def _settle(self, s: AsyncSession, timer: timers.Timer,
                      plan: tuple[Job, Occurrence], fetched: Any) -> None:
        await self._run(s, *plan, fetched)

    def handlers(self) -> dict[str, timers.Handler]:
        """The schedules' timer kind: fetches outside the transaction, on a
        lease longer than a reconciliation's three statement fetches."""
        return {KIND: timers.RemoteTimer(self._prepare, self._fetch, self._settle,
                                         lease=dt.timedelta(seconds=60))}

    async def list(self, s: AsyncSession) -> list[ScheduleState]:
        """Every schedule: its setting, next run and last run."""
        out = []
        for job in self.jobs.values():
            pending, last = await self._pending(s, job.name), await self._last(s, job.name)
            nxt = pending[0] if pending else None
            out.append(ScheduleState(
                job.name, job.run_time,
                next_day=schedule.day_of(nxt.key) if nxt else None,
                next_due=nxt.due_at if nxt else None,
                attempts=nxt.attempts if nxt else 0,
                last_error=(nxt.last_error or "") if nxt else "",
                last_day=schedule.day_of(last.key) if last else None,
                last_run=last.fired_at if last else None))
        return out
