"""The typed-contract plumbing: reasons declared in the protos with their
status code, state machines as tables, holds keyed by order id, and the
unit of work that writes events and timers with the state change."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import Message
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, String, Table, func, select

from zhongtai import holds
from zhongtai.common.v1 import errors_pb2, options_pb2
from zhongtai.db import (
    Database,
    UTCDateTime,
    ensure_absent,
    fetch_one,
    new_metadata,
    plumbing_tables,
    utcnow,
)
from zhongtai.errors import (
    COMMON,
    AlreadyExists,
    FailedPrecondition,
    NotFound,
    Reasons,
    ZhongtaiError,
)
from zhongtai.events import routing_key
from zhongtai.statemachine import StateMachine
from zhongtai.uow import Aggregate, InMemoryUnitOfWork, SqlUnitOfWork, UnitOfWork

# --- a test ErrorReason enum, declared like a service's -----------------------


def _test_enum() -> Any:
    pool = descriptor_pool.Default()
    name = "zhongtai.plumbing_test.v1.ErrorReason"
    try:
        return SimpleNamespace(DESCRIPTOR=pool.FindEnumTypeByName(name))
    except KeyError:
        pass
    f = descriptor_pb2.FileDescriptorProto(
        name="zhongtai/plumbing_test/v1/reasons.proto", package="zhongtai.plumbing_test.v1",
        syntax="proto3", dependency=["zhongtai/common/v1/options.proto"])
    e = f.enum_type.add(name="ErrorReason")
    e.value.add(name="ERROR_REASON_UNSPECIFIED", number=0)
    for number, (reason, code) in enumerate([
            ("THING_RELEASED", options_pb2.STATUS_CODE_FAILED_PRECONDITION),
            ("THING_NOT_FOUND", options_pb2.STATUS_CODE_NOT_FOUND),
            ("ILLEGAL_THING_TRANSITION", options_pb2.STATUS_CODE_FAILED_PRECONDITION),
            ("CONCURRENT_THING_CHANGE", options_pb2.STATUS_CODE_ABORTED),
            ("THING_EXISTS", options_pb2.STATUS_CODE_ALREADY_EXISTS)], start=1):
        v = e.value.add(name=f"ERROR_REASON_{reason}", number=number)
        v.options.Extensions[options_pb2.status_code] = code
    pool.Add(f)
    return SimpleNamespace(DESCRIPTOR=pool.FindEnumTypeByName(name))


E = Reasons(_test_enum())
RELEASED_R, NOT_FOUND_R, ILLEGAL_R, CONCURRENT_R, EXISTS_R = 1, 2, 3, 4, 5


def test_a_reason_is_reported_with_its_declared_code_and_its_name() -> None:
    error = COMMON(errors_pb2.ERROR_REASON_IDEMPOTENCY_KEY_REUSED, "used", metadata={"k": "v"})
    assert isinstance(error, AlreadyExists)
    assert (error.code, error.reason, error.metadata) == ("ALREADY_EXISTS",
                                                          "IDEMPOTENCY_KEY_REUSED", {"k": "v"})
    assert isinstance(E(NOT_FOUND_R, "gone"), NotFound)
    assert E(RELEASED_R, "x").reason == "THING_RELEASED"
    with pytest.raises(ValueError, match="not a value"):
        E(99, "no such reason")


def test_every_reason_of_every_contract_declares_a_status_code() -> None:
    """Reasons() fails on a value without (status_code): load every enum
    named ErrorReason in the generated packages."""
    import importlib
    import pkgutil

    import zhongtai

    found = 0
    for mod in pkgutil.walk_packages(zhongtai.__path__, "zhongtai."):
        if not mod.name.endswith("_pb2"):
            continue
        module = importlib.import_module(mod.name)
        enum = getattr(module, "ErrorReason", None)
        if enum is not None:
            reasons = Reasons(enum)  # raises TypeError on a value without a code
            found += len(reasons.reasons)
    assert found >= len(COMMON.reasons)


# --- state machines ----------------------------------------------------------

OPEN, DONE, GONE = 1, 2, 3
MACHINE = StateMachine("thing", {(OPEN, "finish"): DONE, (OPEN, "drop"): GONE,
                                 (DONE, "drop"): GONE},
                       {OPEN: "OPEN", DONE: "DONE", GONE: "GONE"}.__getitem__, E, ILLEGAL_R)


def test_a_state_machine_follows_its_table_and_refuses_the_rest() -> None:
    assert MACHINE.next(OPEN, "finish", "t1") == DONE
    with pytest.raises(FailedPrecondition) as e:
        MACHINE.next(GONE, "finish", "t1")
    assert e.value.reason == "ILLEGAL_THING_TRANSITION"
    assert e.value.metadata == {"thing_id": "t1", "status": "GONE", "action": "finish"}
    assert [v.type for v in e.value.violations] == ["THING_STATUS"]
    assert MACHINE.reachable([OPEN]) == {OPEN, DONE, GONE}
    assert MACHINE.reachable([GONE]) == {GONE}


# --- holds ------------------------------------------------------------------

HELD, RELEASED, COMMITTED, RETURNED = 1, 2, 3, 4
STATUSES = holds.HoldStatuses(HELD, RELEASED, COMMITTED, RETURNED)
NAMES = {HELD: "HELD", RELEASED: "RELEASED", COMMITTED: "COMMITTED", RETURNED: "RETURNED"}


def _hold_db(path: Path) -> tuple[Database, holds.OrderHolds, Table]:
    metadata = new_metadata()
    table = Table("holds", metadata,
                  Column("order_id", String(64), primary_key=True),
                  Column("status", Integer, nullable=False),
                  Column("what", String(64), nullable=False),
                  Column("created_at", UTCDateTime, nullable=False),
                  Column("updated_at", UTCDateTime, nullable=False))
    effects = Table("effects", metadata,
                    Column("id", Integer, primary_key=True, autoincrement=True),
                    Column("order_id", String(64), nullable=False),
                    Column("action", String(16), nullable=False))
    db = Database(f"sqlite+aiosqlite:///{path}", metadata, plumbing_tables(metadata))
    hs = holds.OrderHolds("thing", table, STATUSES, NAMES.__getitem__,
                          holds.HoldReasons(E, RELEASED_R, NOT_FOUND_R, ILLEGAL_R,
                                            CONCURRENT_R), row_defaults={"what": ""})
    return db, hs, effects


STEPS = st.lists(st.tuples(st.sampled_from(["claim", "release", "commit", "return",
                                            "cancel", "cancel_paid"]),
                           st.sampled_from(["o1", "o2"])), max_size=14)


@settings(max_examples=40, deadline=None)
@given(steps=STEPS)
def test_a_hold_moves_each_way_once_whatever_arrives(tmp_path_factory: Any,
                                                       steps: list[tuple[str, str]]) -> None:
    """Random claims, moves and cancels, each possibly repeated: the row
    follows the model, effects run exactly once per real move, and a claim
    after a release is refused."""
    import asyncio

    asyncio.run(_run_hold_steps(tmp_path_factory.mktemp("holds") / "h.db", steps))


async def _run_hold_steps(path: Path, steps: list[tuple[str, str]]) -> None:
    db, hs, effects = _hold_db(path)
    async with db.engine.begin() as conn:
        await conn.run_sync(db.metadata.create_all)
    model: dict[str, int] = {}
    moves: dict[str, list[str]] = {}

    async def record(s: Any, row: Any, action: str) -> None:
        await s.execute(effects.insert().values(order_id=row.order_id, action=action))

    try:
        for step, order_id in steps:
            current = model.get(order_id)
            try:
                async with db.transaction() as s:
                    if step == "claim":
                        existing = await hs.claim(s, db.dialect, order_id, {"what": "x"})
                        assert (existing is None) == (current is None)
                        model.setdefault(order_id, HELD)
                    elif step == "release":
                        done = await hs.release(s, db.dialect, order_id, record)
                        if current is None:
                            assert done is None
                            model[order_id] = RELEASED
                        else:
                            assert done is not None and done.status == RELEASED
                    elif step in ("commit", "return"):
                        action = holds.COMMIT if step == "commit" else holds.RETURN
                        await hs.move(s, order_id, action, record)
                    else:
                        await hs.on_cancel(s, db.dialect, order_id,
                                           paid=step == "cancel_paid", effects=record)
                        if current is None:
                            model[order_id] = RELEASED
            except ZhongtaiError as e:
                assert e.reason in ("THING_RELEASED", "THING_NOT_FOUND",
                                    "ILLEGAL_THING_TRANSITION"), e
                if e.reason == "THING_RELEASED":
                    assert current in (RELEASED, RETURNED)
                elif e.reason == "THING_NOT_FOUND":
                    assert current is None
                continue
            # what the model says each step does
            if current is not None and step != "claim":
                action = {"release": holds.RELEASE, "commit": holds.COMMIT,
                          "return": holds.RETURN}.get(step)
                if step.startswith("cancel"):
                    action = STATUSES.on_cancel(current, step == "cancel_paid")
                if action is not None and current != STATUSES.target(action):
                    model[order_id] = STATUSES.transitions()[(current, action)]
                    moves.setdefault(order_id, []).append(action)
        async with db.transaction() as s:
            rows = {r.order_id: r.status for r in (await s.execute(select(hs.table))).all()}
            done = {}
            for r in (await s.execute(select(effects).order_by(effects.c.id))).all():
                done.setdefault(r.order_id, []).append(r.action)
        assert rows == model
        assert done == moves
    finally:
        await db.dispose()


async def test_a_late_claim_after_a_release_is_refused(tmp_path: Path) -> None:
    db, hs, _ = _hold_db(tmp_path / "h.db")
    async with db.engine.begin() as conn:
        await conn.run_sync(db.metadata.create_all)

    async def nothing(*_: Any) -> None:
        return None

    try:
        async with db.transaction() as s:
            assert await hs.release(s, db.dialect, "o1", nothing) is None  # a tombstone
        with pytest.raises(FailedPrecondition) as e:
            async with db.transaction() as s:
                await hs.claim(s, db.dialect, "o1", {"what": "late"})
        assert e.value.reason == "THING_RELEASED"
        async with db.transaction() as s:
            assert (await s.execute(select(func.count()).select_from(hs.table))
                    ).scalar_one() == 1
    finally:
        await db.dispose()


def test_hold_cancel_rule() -> None:
    assert STATUSES.on_cancel(HELD, paid=False) == holds.RELEASE
    assert STATUSES.on_cancel(COMMITTED, paid=True) == holds.RETURN
    assert STATUSES.on_cancel(COMMITTED, paid=False) is None
    assert STATUSES.on_cancel(RELEASED, paid=True) is None


def test_a_hold_speaks_its_service_words_and_names_the_order() -> None:
    """A service's own verbs (catalog's deduct / restock) drive the table, the
    cancel rule and the refusal, whose metadata names the order."""
    words = holds.HoldStatuses(HELD, RELEASED, COMMITTED, RETURNED, release="release",
                               commit="deduct", give_back="restock")
    hs = holds.OrderHolds("reservation", Table("r", new_metadata()), words, NAMES.__getitem__,
                          holds.HoldReasons(E, RELEASED_R, NOT_FOUND_R, ILLEGAL_R, CONCURRENT_R))
    assert hs.machine.next(HELD, "deduct", "o1") == COMMITTED
    assert words.target("restock") == RETURNED
    assert words.on_cancel(COMMITTED, paid=True) == "restock"
    with pytest.raises(FailedPrecondition) as e:
        hs.machine.next(RELEASED, "deduct", "o1")
    assert e.value.reason == "ILLEGAL_THING_TRANSITION"
    assert e.value.metadata == {"order_id": "o1", "status": "RELEASED", "action": "deduct"}
    assert "cannot deduct" in e.value.message


async def test_fetch_one_and_ensure_absent_raise_the_reason_they_are_given(
        tmp_path: Path) -> None:
    db, hs, _ = _hold_db(tmp_path / "h.db")
    async with db.engine.begin() as conn:
        await conn.run_sync(db.metadata.create_all)
    order_id = hs.table.c.order_id
    try:
        async with db.transaction() as s:
            with pytest.raises(NotFound) as missing:
                await fetch_one(s, order_id, "o1", "thing", reason=(E, NOT_FOUND_R))
            await hs.claim(s, db.dialect, "o1", {"what": "x"})
            with pytest.raises(AlreadyExists) as taken:
                await ensure_absent(s, order_id, "o1", "thing", reason=(E, EXISTS_R))
            assert (await fetch_one(s, order_id, "o1", "thing",
                                    reason=(E, NOT_FOUND_R))).what == "x"
        assert (missing.value.reason, missing.value.metadata) == ("THING_NOT_FOUND",
                                                                  {"order_id": "o1"})
        assert (taken.value.reason, taken.value.metadata) == ("THING_EXISTS",
                                                              {"order_id": "o1"})
    finally:
        await db.dispose()


# --- the unit of work --------------------------------------------------------


def _thing_changed() -> type[Message]:
    """An event type declaring its routing key, like the services' events."""
    pool = descriptor_pool.Default()
    name = "zhongtai.plumbing_test.v1.ThingChanged"
    try:
        return message_factory.GetMessageClass(pool.FindMessageTypeByName(name))
    except KeyError:
        pass
    f = descriptor_pb2.FileDescriptorProto(
        name="zhongtai/plumbing_test/v1/events.proto", package="zhongtai.plumbing_test.v1",
        syntax="proto3", dependency=["zhongtai/common/v1/options.proto"])
    m = f.message_type.add(name="ThingChanged")
    m.field.add(name="thing_id", number=1, type=descriptor_pb2.FieldDescriptorProto.TYPE_STRING,
                label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL)
    m.options.Extensions[options_pb2.routing_key] = "test.thing.changed"
    pool.Add(f)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(name))


ThingChanged = _thing_changed()


@dataclass(kw_only=True)
class Thing(Aggregate):
    thing_id: str
    done: bool = False

    def finish(self, now: dt.datetime) -> None:
        self.done = True
        self.record(("finished", self.thing_id))
        self.disarm("thing.expire", self.thing_id)
        self.arm("thing.archive", self.thing_id, now + dt.timedelta(days=1))


async def _finish(uow: UnitOfWork, thing: Thing, fail: bool = False) -> None:
    async with uow:
        thing.finish(utcnow())
        events, deadlines = thing.pull()
        for _ in events:
            uow.emit(ThingChanged(thing_id=thing.thing_id), thing.thing_id)
        uow.schedule(deadlines)
        if fail:
            raise RuntimeError("the use case failed")


def test_routing_keys_are_read_from_the_contract() -> None:
    assert routing_key(ThingChanged) == "test.thing.changed"
    with pytest.raises(TypeError, match="routing_key"):
        routing_key(descriptor_pb2.FileDescriptorProto)  # a message that declares none


async def test_a_sql_unit_of_work_writes_events_and_timers_only_with_its_commit(
        tmp_path: Path) -> None:
    metadata = new_metadata()
    plumbing = plumbing_tables(metadata)
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'u.db'}", metadata, plumbing)
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    try:
        with pytest.raises(RuntimeError):
            await _finish(SqlUnitOfWork(db), Thing(thing_id="t1"), fail=True)
        async with db.transaction() as s:
            assert (await s.execute(select(func.count()).select_from(plumbing.outbox))
                    ).scalar_one() == 0
            assert (await s.execute(select(func.count()).select_from(plumbing.timers))
                    ).scalar_one() == 0
        await _finish(SqlUnitOfWork(db), Thing(thing_id="t2"))
        async with db.transaction() as s:
            [row] = (await s.execute(select(plumbing.outbox))).all()
            [timer] = (await s.execute(select(plumbing.timers))).all()
        assert (row.routing_key, row.event_type, row.aggregate_id) == (
            "test.thing.changed", "zhongtai.plumbing_test.v1.ThingChanged", "t2")
        assert ThingChanged.FromString(row.payload).thing_id == "t2"
        assert (timer.kind, timer.key, timer.status) == ("thing.archive", "t2", "PENDING")
    finally:
        await db.dispose()


async def test_the_in_memory_unit_of_work_keeps_the_same_contract() -> None:
    uow = InMemoryUnitOfWork()
    with pytest.raises(RuntimeError):
        await _finish(uow, Thing(thing_id="t1"), fail=True)
    assert (uow.published, uow.timers, uow.commits) == ([], {}, 0)
    await _finish(uow, Thing(thing_id="t2"))
    assert [e.thing_id for e in uow.events_of(ThingChanged)] == ["t2"]
    assert set(uow.timers) == {("thing.archive", "t2")}
    assert uow.commits == 1
