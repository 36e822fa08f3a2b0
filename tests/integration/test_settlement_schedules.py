"""Settlement's schedules on a real database, with a clock moved by hand:
the cycle runs when due, once; a restart (the same database opened anew)
runs nothing twice; after downtime every missed day runs, in order, each as
of its own due time; a run that fails rolls back and is retried, its day
neither skipped nor doubled; a schedule is re-timed or turned off at start;
the reconciliation of the previous day is stored once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pytest
from sqlalchemy import select

from settlement import store
from settlement.app import SERVICE
from settlement.reconciliation.matching import Txn
from settlement.reconciliation.sources import StatementSource, StatementUnavailable
from settlement.reconciliation.store import Reconciliations
from settlement.repository import SqlSettlementUnitOfWork
from settlement.schedule import ScheduleState
from settlement.schedules import Job, Schedules, jobs
from settlement.settings import SettlementSettings
from tests.conftest import OpenDb
from tests.settlement_support import T0, book, cleared, rule
from tests.trade_support import Clock
from zhongtai.db import Database
from zhongtai.timers import TimerWorker

DAILY = SettlementSettings(cycle_run_time="02:00", reconcile_run_time="04:00")


class Source(StatementSource):
    """A channel whose statements are empty, or unavailable while ``down``."""

    def __init__(self) -> None:
        self.down = False
        self.fetched: list[dt.date] = []

    async def fetch(self, day: dt.date) -> list[Txn]:
        if self.down:
            raise StatementUnavailable("the channel is down")
        self.fetched.append(day)
        return []


class Crash(Exception):
    """The process "died" after the run's effects, before the commit."""


class Running:
    """settlement's schedules and a timer worker on ``db``, on ``clock``."""

    def __init__(self, db: Database, clock: Clock, settings: SettlementSettings = DAILY,
                 sources: Mapping[str, StatementSource] | None = None) -> None:
        self.db = db
        self.schedules = Schedules(db, jobs(db, settings, sources or {}), clock)
        self.worker = TimerWorker(db, self.schedules.handlers(), clock=clock)

    async def start(self) -> Running:
        await self.schedules.arm_schedules()
        return self

    async def fire(self) -> int:
        return await self.worker.fire_due()

    async def states(self) -> dict[str, ScheduleState]:
        async with self.db.transaction() as s:
            return {x.name: x for x in await self.schedules.list(s)}


async def batches(db: Database) -> list[tuple[str, int, dt.datetime]]:
    async with SqlSettlementUnitOfWork(db) as uow:
        found = await uow.batches.batches((await uow.session.execute(
            select(store.batches))).all())
    return sorted((b.batch_id, b.net, b.closed_at) for b in found)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 1, day, hour, minute, tzinfo=dt.UTC)


async def with_rule(db: Database) -> None:
    await book(db, lambda u: u.fee_rules.add(rule(1000), T0, "op"))


@pytest.mark.postgres
async def test_the_cycle_runs_when_due_once_and_not_again_after_a_restart(
        settlement_db: Database) -> None:
    db = settlement_db
    clock = Clock(at(1, 1))
    await with_rule(db)
    await cleared(db, "o1", at(1, 0, 30))
    running = await Running(db, clock).start()
    assert (await running.states())["cycle"].next_due == at(1, 2)
    assert await running.fire() == 0  # not due yet
    clock.now = at(1, 2)
    assert await running.fire() == 1  # the 1st's run: T+1 closes the 31st, empty
    assert await batches(db) == []
    clock.now = at(2, 2, 5)
    assert await running.fire() == 1  # the 2nd's: the 1st's batch
    assert await running.fire() == 0
    assert await batches(db) == [("s1:2026-01-01:CNY", 2700, at(2, 2, 5))]
    state = (await running.states())["cycle"]
    assert (state.run_time, state.last_day, state.last_run) == (dt.time(2), dt.date(2026, 1, 2),
                                                                at(2, 2, 5))
    assert (state.next_day, state.next_due, state.attempts) == (dt.date(2026, 1, 3), at(3, 2), 0)

    again = await Running(db, clock).start()  # a restart, the 2nd, 02:05 still
    assert await again.fire() == 0
    assert await batches(db) == [("s1:2026-01-01:CNY", 2700, at(2, 2, 5))]
    assert (await again.states())["cycle"] == state


async def test_a_restart_on_the_same_file_runs_nothing_twice(migrated_sqlite: OpenDb) -> None:
    clock = Clock(at(1, 1))
    first = await migrated_sqlite(SERVICE)
    await with_rule(first)
    await cleared(first, "o1", at(1, 0, 30))
    await (await Running(first, clock).start()).fire()
    clock.now = at(2, 3)
    assert await Running(first, clock).fire() == 2  # the 1st's and the 2nd's
    await first.dispose()
    reopened = await migrated_sqlite(SERVICE)  # the same file, a new process
    running = await Running(reopened, clock).start()
    assert await running.fire() == 0
    assert [b[0] for b in await batches(reopened)] == ["s1:2026-01-01:CNY"]
    assert (await running.states())["cycle"].next_day == dt.date(2026, 1, 3)


async def test_after_downtime_each_missed_day_runs_once_in_order(
        migrated_sqlite: OpenDb) -> None:
    db = await migrated_sqlite(SERVICE)
    clock = Clock(at(1, 1))
    await with_rule(db)
    running = await Running(db, clock).start()
    for day in (1, 2, 3):
        await cleared(db, f"o{day}", at(day, 10))
    clock.now = at(4, 5)  # down from the 1st 01:00 to the 4th 05:00
    assert await running.fire() == 4  # the 1st's, 2nd's, 3rd's and 4th's runs
    assert await batches(db) == [(f"s1:2026-01-0{d}:CNY", 2700, at(4, 5)) for d in (1, 2, 3)]
    state = (await running.states())["cycle"]
    assert (state.last_day, state.next_day) == (dt.date(2026, 1, 4), dt.date(2026, 1, 5))


async def test_a_run_that_fails_is_retried_its_day_neither_skipped_nor_doubled(
        migrated_sqlite: OpenDb) -> None:
    db = await migrated_sqlite(SERVICE)
    clock = Clock(at(2, 2))
    await with_rule(db)
    await cleared(db, "o1", at(1, 10))
    running = Running(db, clock)
    (cycle,) = running.schedules.jobs.values()
    crashes = [Crash()]

    async def crashing(*args: object) -> str:
        done = await cycle.run(*args)  # type: ignore[arg-type]
        if crashes:
            raise crashes.pop()
        return done

    running.schedules.jobs["cycle"] = Job("cycle", cycle.run_time, crashing)
    await running.start()
    assert await running.fire() == 0  # ran, then "crashed": rolled back
    assert await batches(db) == []
    state = (await running.states())["cycle"]
    assert (state.next_day, state.attempts) == (dt.date(2026, 1, 2), 1)
    assert "Crash" in state.last_error and state.last_day is None
    clock.now = state.next_due  # type: ignore[assignment]
    assert await running.fire() == 1
    assert [b[0] for b in await batches(db)] == ["s1:2026-01-01:CNY"]
    state = (await running.states())["cycle"]
    assert (state.last_day, state.next_day, state.attempts) == (
        dt.date(2026, 1, 2), dt.date(2026, 1, 3), 0)


async def test_a_schedule_is_retimed_or_turned_off_at_start(migrated_sqlite: OpenDb) -> None:
    db = await migrated_sqlite(SERVICE)
    clock = Clock(at(1, 1))
    await Running(db, clock).start()
    later = await Running(db, clock, SettlementSettings(cycle_run_time="03:30")).start()
    state = (await later.states())["cycle"]
    assert (state.run_time, state.next_day, state.next_due) == (
        dt.time(3, 30), dt.date(2026, 1, 1), at(1, 3, 30))
    off = await Running(db, clock, SettlementSettings()).start()
    assert (await off.states())["cycle"] == ScheduleState("cycle", None)
    clock.now = at(9, 0)
    assert await off.fire() == 0
    back = await Running(db, clock).start()  # on again: from the next due time
    assert (await back.states())["cycle"].next_due == at(9, 2)


async def test_the_previous_day_is_reconciled_once_and_an_outage_retried(
        migrated_sqlite: OpenDb) -> None:
    db = await migrated_sqlite(SERVICE)
    clock = Clock(at(2, 3))
    source = Source()
    running = await Running(db, clock, SettlementSettings(reconcile_run_time="04:00"),
                            {"sandbox": source}).start()
    source.down = True
    clock.now = at(2, 4)
    assert await running.fire() == 0
    state = (await running.states())["reconcile:sandbox"]
    assert state.attempts == 1 and "down" in state.last_error
    source.down = False
    clock.now = at(2, 5)
    assert await running.fire() == 1
    assert source.fetched == [dt.date(2025, 12, 31), dt.date(2026, 1, 1), dt.date(2026, 1, 2)]
    async with SqlSettlementUnitOfWork(db) as uow:
        report = await Reconciliations(uow.session, db.dialect).report(
            "sandbox", dt.date(2026, 1, 1))
    assert report is not None and report[0].matched == 0
    state = (await running.states())["reconcile:sandbox"]
    assert (state.last_day, state.next_due) == (dt.date(2026, 1, 2), at(3, 4))
