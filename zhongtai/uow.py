"""Aggregates, the unit of work and repositories: how a use case changes state.

An **aggregate** (trade's ``Order``, payment's ``Payment``) is plain Python:
its methods are the transitions and the arithmetic, they take the time as an
argument, and each records what others must hear of (``record``: a domain
event) and which deadlines move (``arm`` / ``disarm``: durable timers). No
SQL, gRPC, protobuf message or clock inside.

A **repository** loads and saves one kind of aggregate: ``get``,
``get_for_update`` (row-locked on PostgreSQL: the way for consumers and timers,
which must not fail on contention), ``add`` and ``save`` — an optimistic
version check: saving an aggregate that someone else saved since it was
loaded writes nothing and raises the service's ABORTED reason. On save it
hands the aggregate's recorded events (mapped to integration events) and
deadline changes to its unit of work.

A **unit of work** is one transaction. ``async with uow:`` commits on a clean
exit and rolls back on an exception; at commit, in that same transaction,
the integration events are written to the outbox (``zhongtai.outbox``) and the
timers armed or cancelled (``zhongtai.timers``), so they exist if and only if
the state change does. ``InMemoryUnitOfWork`` is the same contract without a
database, for unit tests of use cases.

    async with uow:
        order = await uow.orders.get_for_update(order_id)
        order.confirm_receipt(buyer_id, now)
        await uow.orders.save(order)
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

from google.protobuf.message import Message
from sqlalchemy.ext.asyncio import AsyncSession

from zhongtai import audit, outbox, timers
from zhongtai.db import Database


@dataclass(frozen=True)
class Deadline:
    """A durable timer to arm (``due_at`` set) or cancel (``due_at`` None)."""

    kind: str
    key: str
    due_at: dt.datetime | None
    payload: Mapping[str, str] = field(default_factory=dict)


@dataclass(kw_only=True)
class Aggregate:
    """Base of aggregates: a version and what the transitions recorded.

    ``version`` is the one the aggregate was loaded at (0: new); repositories
    save with ``WHERE version = :version`` and bump it.
    """

    version: int = 0
    _events: list[object] = field(default_factory=list, init=False, repr=False,
                                  compare=False)
    _deadlines: list[Deadline] = field(default_factory=list, init=False, repr=False,
                                       compare=False)

    def record(self, event: object) -> None:
        """Remember a domain event for the unit of work to publish."""
        self._events.append(event)

    def arm(self, kind: str, key: str, due_at: dt.datetime,
            payload: Mapping[str, str] | None = None) -> None:
        """Ask for the durable timer ``(kind, key)`` to fire at ``due_at``
        (re-arming replaces the due time)."""
        self._deadlines.append(Deadline(kind, key, due_at, dict(payload or {})))

    def disarm(self, kind: str, key: str) -> None:
        """Ask for the durable timer ``(kind, key)`` not to fire."""
        self._deadlines.append(Deadline(kind, key, None))

    @property
    def events(self) -> tuple[object, ...]:
        return tuple(self._events)

    @property
    def deadlines(self) -> tuple[Deadline, ...]:
        return tuple(self._deadlines)

    def pull(self) -> tuple[list[object], list[Deadline]]:
        """What was recorded since the last pull, cleared."""
        events, deadlines = self._events[:], self._deadlines[:]
        self._events.clear()
        self._deadlines.clear()
        return events, deadlines


class UnitOfWork(abc.ABC):
    """One transaction and what it will publish and schedule at commit."""

    def __init__(self) -> None:
        self.pending_events: list[tuple[Message, str]] = []
        self.pending_deadlines: list[Deadline] = []
        self.pending_audit: list[tuple[str, str, str]] = []

    def emit(self, event: Message, aggregate_id: str = "") -> None:
        """Publish ``event`` if this unit of work commits."""
        self.pending_events.append((event, aggregate_id))

    def schedule(self, deadlines: list[Deadline]) -> None:
        """Arm or cancel these timers if this unit of work commits."""
        self.pending_deadlines.extend(deadlines)

    def audit(self, resource_type: str, resource_id: str, detail: str = "") -> None:
        """Record the change of a resource by the current actor
        (``zhongtai.audit``) if this unit of work commits."""
        self.pending_audit.append((resource_type, resource_id, detail))

    async def __aenter__(self) -> Self:
        self._clear()
        await self._begin()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        if exc is None:
            await self._commit()
        else:
            await self._rollback(exc)
        self._clear()

    def _clear(self) -> None:
        self.pending_events.clear()
        self.pending_deadlines.clear()
        self.pending_audit.clear()

    @abc.abstractmethod
    async def _begin(self) -> None: ...

    @abc.abstractmethod
    async def _commit(self) -> None:
        """Write the pending events and deadlines, then commit."""

    @abc.abstractmethod
    async def _rollback(self, exc: BaseException) -> None: ...


class SqlUnitOfWork(UnitOfWork):
    """A unit of work over one service's database (``Database.transaction``).

    Given an open ``session`` (an inbox consumer's, a timer's, an idempotent
    RPC's) it joins that transaction instead: its events and timers are
    written into it when the unit of work ends, and the owner commits.
    """

    def __init__(self, db: Database, session: AsyncSession | None = None) -> None:
        super().__init__()
        self.db = db
        self._joined = session
        self._transaction: AbstractAsyncContextManager[AsyncSession] | None = None
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("the unit of work is not open: use `async with uow:`")
        return self._session

    async def _begin(self) -> None:
        if self._joined is not None:
            self._session = self._joined
            return
        cm = self.db.transaction()
        self._session = await cm.__aenter__()
        self._transaction = cm

    async def _commit(self) -> None:
        s = self.session
        for event, aggregate_id in self.pending_events:
            await outbox.publish(s, self.db.plumbing, event, aggregate_id)
        for d in self.pending_deadlines:
            if d.due_at is None:
                await timers.cancel(s, self.db, d.kind, d.key)
            else:
                await timers.arm(s, self.db, d.kind, d.key, d.due_at, payload=d.payload)
        for resource_type, resource_id, detail in self.pending_audit:
            await audit.record(s, self.db.plumbing, resource_type, resource_id, detail)
        await self._close(None)

    async def _rollback(self, exc: BaseException) -> None:
        await self._close(exc)

    async def _close(self, exc: BaseException | None) -> None:
        cm, self._transaction, self._session = self._transaction, None, None
        if self._joined is not None:
            return  # the owner of the transaction ends it
        assert cm is not None
        await cm.__aexit__(type(exc) if exc else None, exc,
                           exc.__traceback__ if exc else None)


class InMemoryUnitOfWork(UnitOfWork):
    """The unit-of-work contract without a database, for use-case unit tests.

    ``published`` and ``timers`` hold what committed units of work wrote (a
    rolled-back one leaves nothing), ``commits`` counts them.
    """

    def __init__(self) -> None:
        super().__init__()
        self.published: list[tuple[Message, str]] = []
        self.timers: dict[tuple[str, str], Deadline] = {}
        self.audited: list[tuple[str, str, str]] = []
        self.commits = 0
        self.open = False

    async def _begin(self) -> None:
        if self.open:
            raise RuntimeError("a unit of work cannot be nested")
        self.open = True

    async def _commit(self) -> None:
        self.published.extend(self.pending_events)
        self.audited.extend(self.pending_audit)
        for d in self.pending_deadlines:
            if d.due_at is None:
                self.timers.pop((d.kind, d.key), None)
            else:
                self.timers[(d.kind, d.key)] = d
        self.commits += 1
        self.open = False

    async def _rollback(self, exc: BaseException) -> None:
        self.open = False

    def events_of(self, event_type: type[Message]) -> list[Message]:
        return [e for e, _ in self.published if isinstance(e, event_type)]
