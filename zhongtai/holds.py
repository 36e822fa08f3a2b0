"""The order-keyed hold of a saga participant (catalog's stock reservation,
promotion's benefit hold): one row per order id, moved through one state
machine, each move exactly once.

::

    HELD ──release──▶ RELEASED        (none) ──release──▶ RELEASED (tombstone)
      └───commit────▶ COMMITTED ──return──▶ RETURNED

Guarantees, whatever the order and number of deliveries:

* **Claim once.** ``claim`` inserts the row HELD; a second claim for the same
  order finds it: the caller compares it with the request (a repeat gets the
  original answer, another payload is refused), and a RELEASED or RETURNED
  row refuses the claim (``released`` reason) — a late reservation never
  holds anything after its order was given up.
* **Tombstones.** Releasing an order that holds nothing inserts the row
  RELEASED, so a reservation arriving after the release is refused.
* **Each move once.** ``move`` locks the row (PostgreSQL; SQLite serializes
  writers), treats a row already at the action's target as a repeat
  (nothing happens, ``moved`` False), refuses a move the table does not list
  (the ``illegal`` reason), and changes the status by compare-and-set before
  the caller's ``effects`` run in the same transaction.
* **Cancel rule.** ``on_cancel`` releases a HELD row, returns a COMMITTED one
  only when the order had been paid (a fact the cancel event states), and
  otherwise logs and does nothing: a consumer must never fail on an event
  that redelivery could not change.

The hold table needs ``order_id`` (primary key), ``status`` and
``updated_at`` columns; its other columns get ``row_defaults`` on claim and
on a tombstone.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from zhongtai.db import compare_and_set, insert_ignore, rows_changed, utcnow
from zhongtai.errors import PreconditionViolation, Reasons
from zhongtai.statemachine import StateMachine

log = logging.getLogger(__name__)

RELEASE, COMMIT, RETURN = "release", "commit", "return"

Effects = Callable[[AsyncSession, Row[Any], str], Awaitable[None]]


@dataclass(frozen=True)
class HoldStatuses:
    """The service's enum values for the four states of a hold, and its words
    for the three moves (they name the move in errors and their metadata:
    catalog's "deduct" and "restock", promotion's "redeem")."""

    held: int
    released: int
    committed: int
    returned: int
    release: str = RELEASE
    commit: str = COMMIT
    give_back: str = RETURN

    def transitions(self) -> dict[tuple[int, str], int]:
        return {(self.held, self.release): self.released,
                (self.held, self.commit): self.committed,
                (self.committed, self.give_back): self.returned}

    def target(self, action: str) -> int:
        return {self.release: self.released, self.commit: self.committed,
                self.give_back: self.returned}[action]

    def on_cancel(self, status: int, paid: bool) -> str | None:
        """What a cancel of the order does to a hold in ``status``: release a
        held one, return a committed one if the order had been paid,
        nothing otherwise (a repeat, or a committed hold of an order the
        event does not say was paid)."""
        if status == self.held:
            return self.release
        if status == self.committed and paid:
            return self.give_back
        return None


@dataclass(frozen=True)
class HoldReasons:
    """The service's reasons (values of ``reasons``' enum)."""

    reasons: Reasons
    released: int  # FAILED_PRECONDITION: a claim after the order was given up
    not_found: int  # NOT_FOUND: a move of an order that holds nothing
    illegal: int  # FAILED_PRECONDITION: a move the table does not list
    concurrent: int  # ABORTED: the row changed under a compare-and-set (SQLite)


@dataclass(frozen=True)
class Moved:
    """A move's outcome: the row as it was before, and the status now."""

    before: Row[Any]
    status: int
    moved: bool


class OrderHolds:
    """One service's hold table and the rules above."""

    def __init__(self, name: str, table: Table, statuses: HoldStatuses,
                 status_name: Callable[[int], str], reasons: HoldReasons, *,
                 row_defaults: Mapping[str, Any] | None = None) -> None:
        self.name = name
        self.table = table
        self.statuses = statuses
        self.reasons = reasons
        self.row_defaults = dict(row_defaults or {})
        self.machine = StateMachine(name, statuses.transitions(), status_name,
                                    reasons.reasons, reasons.illegal, subject_key="order_id")

    async def row(self, s: AsyncSession, order_id: str, *, lock: bool = False
                  ) -> Row[Any] | None:
        q = select(self.table).where(self.table.c.order_id == order_id)
        if lock:
            q = q.with_for_update()
        return (await s.execute(q)).first()

    async def claim(self, s: AsyncSession, dialect: str, order_id: str,
                    values: Mapping[str, Any]) -> Row[Any] | None:
        """Insert the order's row HELD with ``values``; None when this claim
        made it, else the row already there (HELD or COMMITTED: the caller
        replays or refuses it). A RELEASED or RETURNED row is refused."""
        now = utcnow()
        inserted = await s.execute(insert_ignore(dialect, self.table).values(
            {**self.row_defaults, **values, "order_id": order_id,
             "status": self.statuses.held, "created_at": now, "updated_at": now}))
        if rows_changed(inserted) == 1:
            return None
        existing = await self.row(s, order_id)
        assert existing is not None
        if existing.status in (self.statuses.released, self.statuses.returned):
            status = self.machine.status_name(existing.status)
            raise self.reasons.reasons(
                self.reasons.released,
                f"the {self.name} of order {order_id} was already {status.lower()}",
                violations=[PreconditionViolation(self.name.upper(), f"orders/{order_id}",
                                                  status)],
                metadata={"order_id": order_id})
        return existing

    async def tombstone(self, s: AsyncSession, dialect: str, order_id: str) -> bool:
        """Mark an order that holds nothing RELEASED; False if it has a row."""
        now = utcnow()
        inserted = await s.execute(insert_ignore(dialect, self.table).values(
            {**self.row_defaults, "order_id": order_id, "status": self.statuses.released,
             "created_at": now, "updated_at": now}))
        return rows_changed(inserted) == 1

    async def move(self, s: AsyncSession, order_id: str, action: str,
                   effects: Effects) -> Moved:
        """Move the order's row by ``action`` (see the module's guarantees)
        and run ``effects(session, row_before, action)`` if it moved."""
        row = await self.row(s, order_id, lock=True)
        if row is None:
            raise self.reasons.reasons(
                self.reasons.not_found, f"order {order_id!r} has no {self.name}",
                metadata={"order_id": order_id})
        target = self.statuses.target(action)
        if row.status == target:
            return Moved(row, target, moved=False)
        new = self.machine.next(row.status, action, order_id)
        t = self.table.c
        if not await compare_and_set(s, update(self.table).where(
                t.order_id == order_id, t.status == row.status)
                .values(status=new, updated_at=utcnow())):
            current = await self.row(s, order_id)
            assert current is not None
            if current.status == target:
                return Moved(current, target, moved=False)
            self.machine.next(current.status, action, order_id)
            raise self.reasons.reasons(
                self.reasons.concurrent,
                f"the {self.name} of order {order_id} changed concurrently; retry",
                metadata={"order_id": order_id})
        await effects(s, row, action)
        return Moved(row, new, moved=True)

    async def release(self, s: AsyncSession, dialect: str, order_id: str,
                      effects: Effects) -> Moved | None:
        """Release the order's hold; None when it held nothing (a tombstone
        was left)."""
        if await self.tombstone(s, dialect, order_id):
            return None
        return await self.move(s, order_id, self.statuses.release, effects)

    async def on_cancel(self, s: AsyncSession, dialect: str, order_id: str, *, paid: bool,
                        effects: Effects) -> Moved | None:
        """The effect of the order's cancellation: release or return, or
        nothing (logged, never raised: ``moved`` False). None when the order
        held nothing and a tombstone was left."""
        if await self.tombstone(s, dialect, order_id):
            if paid:
                log.error("paid order %s was cancelled but holds no %s here: left a "
                          "tombstone", order_id, self.name)
            return None
        row = await self.row(s, order_id, lock=True)
        assert row is not None
        action = self.statuses.on_cancel(row.status, paid)
        if action is None:
            status = self.machine.status_name(row.status)
            if row.status in (self.statuses.released, self.statuses.returned):
                log.info("%s of cancelled order %s already %s", self.name, order_id, status)
            else:
                log.error("not giving back the %s of cancelled order %s: it is %s and the "
                          "event does not say the order was paid; left as it is",
                          self.name, order_id, status)
            return Moved(row, row.status, moved=False)
        return await self.move(s, order_id, action, effects)
