"""Remote timers (zhongtai.timers.RemoteTimer) on SQLite and PostgreSQL:
the answer of an idempotent remote call recorded at most once, whatever
the workers, crashes, lease expiries and cancels; no transaction open
during the call."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, String, Table, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import CreateDb
from zhongtai import timers
from zhongtai.db import Database, new_metadata, plumbing_tables, utcnow
from zhongtai.timers import RemoteTimer, Timer, TimerWorker

pytestmark = pytest.mark.postgres

KIND = "test.remote"
LEASE = dt.timedelta(seconds=30)


class Crash(BaseException):
    """The worker's process dies here: nothing after it runs, nothing is recorded."""


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, delta: dt.timedelta) -> None:
        self.now += delta


@dataclass
class Gate:
    """Holds a call until released."""

    entered: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Remote:
    """Another service: acts once per key, answers the same to a repeat."""

    calls: Counter[str] = field(default_factory=Counter)
    acted: Counter[str] = field(default_factory=Counter)
    # What the next calls do before answering, in order.
    before: list[object] = field(default_factory=list)

    async def call(self, key: str) -> str:
        self.calls[key] += 1
        if not self.acted[key]:
            self.acted[key] += 1
        if self.before:
            step = self.before.pop(0)
            if isinstance(step, BaseException):
                raise step
            if isinstance(step, Gate):
                step.entered.set()
                await step.release.wait()
        return f"answer-{key}"


@dataclass
class Rig:
    dbs: list[Database]
    effects: Table
    remote: Remote
    clock: Clock

    def worker(self, db: Database | None = None) -> TimerWorker:
        effects = self.effects

        async def prepare(session: AsyncSession, timer: Timer) -> str | None:
            return None if timer.payload.get("nothing") else timer.key

        async def settle(session: AsyncSession, timer: Timer, key: str, answer: str) -> None:
            await session.execute(effects.insert().values(timer_key=key, answer=answer))
            if timer.payload.get("again"):  # more to do later: re-armed, not FIRED
                await timers.arm(session, db or self.dbs[0], KIND, key,
                                 self.clock() + dt.timedelta(hours=1))

        handler: RemoteTimer[str, str] = RemoteTimer(prepare, self.remote.call, settle,
                                                     lease=LEASE)
        return TimerWorker(db or self.dbs[0], {KIND: handler}, clock=self.clock)

    async def arm(self, *keys: str, **payload: object) -> None:
        async with self.dbs[0].transaction() as s:
            for key in keys:
                await timers.arm(s, self.dbs[0], KIND, key,
                                 self.clock() - dt.timedelta(seconds=1), payload)

    async def recorded(self) -> Counter[str]:
        async with self.dbs[0].transaction() as s:
            rows = (await s.execute(select(self.effects.c.timer_key, func.count())
                                    .group_by(self.effects.c.timer_key))).all()
        return Counter({key: n for key, n in rows})

    async def row(self, key: str) -> tuple[str, int, dt.datetime]:
        t = self.dbs[0].plumbing.timers
        async with self.dbs[0].transaction() as s:
            r = (await s.execute(select(t.c.status, t.c.attempts, t.c.due_at)
                                 .where(t.c.kind == KIND, t.c.key == key))).one()
        return r.status, r.attempts, r.due_at


@pytest.fixture(params=["sqlite", "postgres"])
async def rig(request: pytest.FixtureRequest, pg_database: CreateDb,
              tmp_path: Path) -> AsyncIterator[Rig]:
    url = (await pg_database("remote_timers") if request.param == "postgres"
           else f"sqlite+aiosqlite:///{tmp_path}/remote.db")
    metadata = new_metadata()
    plumbing = plumbing_tables(metadata)
    effects = Table("effects", metadata, Column("id", Integer, primary_key=True),
                    Column("timer_key", String(100), nullable=False),
                    Column("answer", String(100), nullable=False))
    dbs = [Database(url, metadata, plumbing) for _ in range(2)]
    async with dbs[0].engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    try:
        yield Rig(dbs, effects, Remote(), Clock())
    finally:
        for db in dbs:
            await db.dispose()


async def test_two_workers_call_each_once_and_record_each_once(rig: Rig) -> None:
    keys = [f"k{i}" for i in range(20)]
    await rig.arm(*keys)
    workers = [rig.worker(db) for db in rig.dbs for _ in range(2)]
    assert sum(await asyncio.gather(*(w.fire_due() for w in workers))) == 20
    assert await rig.recorded() == Counter(dict.fromkeys(keys, 1))
    assert rig.remote.calls == Counter(dict.fromkeys(keys, 1))
    assert {(await rig.row(k))[0] for k in keys} == {timers.FIRED}
    assert await workers[0].fire_due() == 0


async def test_nothing_is_held_open_during_the_call(rig: Rig) -> None:
    """While the call runs, another transaction writes the timer's row
    (it would wait for a row lock on PostgreSQL, for the write lock on
    SQLite): a cancel wins, the answer is dropped, nothing is recorded."""
    await rig.arm("x")
    gate = Gate()
    rig.remote.before.append(gate)
    worker = rig.worker()

    async def cancel_during_the_call() -> None:
        await asyncio.wait_for(gate.entered.wait(), timeout=10)
        async with rig.dbs[1].transaction() as s:
            if rig.dbs[1].supports_skip_locked:
                await s.execute(text("SET LOCAL lock_timeout = '2s'"))
            assert await timers.cancel(s, rig.dbs[1], KIND, "x")
        gate.release.set()

    fired, _ = await asyncio.gather(worker.fire_due(), cancel_during_the_call())
    assert fired == 0
    assert rig.remote.calls["x"] == 1
    assert await rig.recorded() == Counter()
    assert (await rig.row("x"))[0] == timers.CANCELLED


async def test_a_crash_between_call_and_settle_repeats_the_call_after_the_lease(
        rig: Rig) -> None:
    await rig.arm("x")
    rig.remote.before.append(Crash())
    with pytest.raises(Crash):
        await rig.worker().fire_due()
    status, attempts, due = await rig.row("x")
    assert (status, attempts, due) == (timers.PENDING, 1, rig.clock() + LEASE)
    other = rig.worker(rig.dbs[1])
    assert await other.fire_due() == 0  # leased: not due before the lease runs out
    rig.clock.advance(LEASE)
    assert await other.fire_due() == 1
    assert rig.remote.calls["x"] == 2 and rig.remote.acted["x"] == 1
    assert await rig.recorded() == Counter({"x": 1})
    assert (await rig.row("x"))[:2] == (timers.FIRED, 2)


async def test_a_failed_call_is_retried_with_backoff_and_recorded_once(rig: Rig) -> None:
    await rig.arm("x")
    rig.remote.before.append(RuntimeError("channel unreachable"))
    worker = rig.worker()
    assert await worker.fire_due() == 0
    status, attempts, due = await rig.row("x")
    assert (status, attempts) == (timers.PENDING, 1)
    assert rig.clock() < due < rig.clock() + LEASE  # backoff, not the lease
    rig.clock.now = due
    assert await worker.fire_due() == 1
    assert rig.remote.calls["x"] == 2
    assert await rig.recorded() == Counter({"x": 1})


async def test_a_call_outliving_its_lease_loses_to_the_next_worker(rig: Rig) -> None:
    await rig.arm("x")
    gate = Gate()
    rig.remote.before.append(gate)
    slow, other = rig.worker(), rig.worker(rig.dbs[1])

    async def take_over() -> int:
        await asyncio.wait_for(gate.entered.wait(), timeout=10)
        rig.clock.advance(LEASE)
        try:
            return await other.fire_due()
        finally:
            gate.release.set()

    assert await asyncio.gather(slow.fire_due(), take_over()) == [0, 1]
    assert rig.remote.calls["x"] == 2 and rig.remote.acted["x"] == 1
    assert await rig.recorded() == Counter({"x": 1})
    assert (await rig.row("x"))[:2] == (timers.FIRED, 2)


async def test_settle_may_rearm_and_prepare_may_have_nothing_to_call(rig: Rig) -> None:
    await rig.arm("again", again=True)
    await rig.arm("nothing", nothing=True)
    assert await rig.worker().fire_due() == 2
    status, attempts, due = await rig.row("again")
    assert (status, attempts, due) == (timers.PENDING, 0, rig.clock() + dt.timedelta(hours=1))
    assert (await rig.row("nothing"))[0] == timers.FIRED
    assert rig.remote.calls == Counter({"again": 1})
    assert await rig.recorded() == Counter({"again": 1})
