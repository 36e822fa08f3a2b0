"""The audit trail: who changed what, when, by which call.

Every service records, in the transaction of the change (so a change and its
entry exist together or not at all), one ``audit_log`` row per resource it
changes: the acting identity (subject, role, app), the action (the RPC, the
event consumed or the timer fired) and what changed. The server sets the
actor for an RPC (``acting``); the inbox consumer and the timer worker act as
their service. Operators read a resource's trail with the service's
``ListAuditEntries`` (``list_entries``).
"""

from __future__ import annotations

import contextvars
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zhongtai import pagination
from zhongtai.auth import Identity, Role
from zhongtai.common.v1 import audit_pb2
from zhongtai.db import PlumbingTables, utcnow
from zhongtai.errors import InvalidArgument
from zhongtai.wire import timestamp

MAX_DETAIL = 1000


@dataclass(frozen=True)
class Actor:
    """Who acts, and through what."""

    identity: Identity
    action: str


_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar(
    "zhongtai_actor", default=None)
SYSTEM = Actor(Identity(Role.SERVICE, "zhongtai"), "unattributed")


@contextmanager
def acting(identity: Identity, action: str) -> Iterator[Actor]:
    """Attribute the changes made inside the block to ``identity`` doing
    ``action``."""
    actor = Actor(identity, action)
    token = _actor.set(actor)
    try:
        yield actor
    finally:
        _actor.reset(token)


def current_actor() -> Actor:
    return _actor.get() or SYSTEM


async def record(session: AsyncSession, tables: PlumbingTables, resource_type: str,
                 resource_id: str, detail: str = "") -> None:
    """Record a change of a resource by the current actor, in the caller's
    transaction."""
    actor = current_actor()
    who = actor.identity
    await session.execute(tables.audit.insert().values(
        occurred_at=utcnow(), subject=who.subject, role=who.role.value, app=who.app,
        action=actor.action[:200], resource_type=resource_type, resource_id=resource_id,
        detail=detail[:MAX_DETAIL]))


async def list_entries(session: AsyncSession, tables: PlumbingTables, resource_type: str,
                       resource_id: str, page_size: int, page_token: str, *,
                       resource_types: Collection[str] = ()
                       ) -> tuple[list[audit_pb2.AuditEntry], str]:
    """A resource's trail, oldest first, a page at a time (AIP-158); a type
    not among the service's ``resource_types`` is INVALID_ARGUMENT."""
    if resource_types and resource_type not in resource_types:
        raise InvalidArgument.field("resource_type",
                                    f"must be one of {', '.join(resource_types)}")
    size = pagination.page_size(page_size)
    query_key = f"audit:{resource_type}:{resource_id}"
    after = pagination.decode_token(page_token, query_key)
    a = tables.audit.c
    q = (select(tables.audit).where(a.resource_type == resource_type,
                                    a.resource_id == resource_id)
         .order_by(a.id).limit(size + 1))
    if after:
        if not after.isdigit():
            raise InvalidArgument.field("page_token", "is not a valid page token")
        q = q.where(a.id > int(after))
    rows = (await session.execute(q)).all()
    entries = [audit_pb2.AuditEntry(
        occur_time=timestamp(r.occurred_at), subject=r.subject, role=r.role, app=r.app,
        action=r.action, resource_type=r.resource_type, resource_id=r.resource_id,
        detail=r.detail) for r in rows[:size]]
    token = pagination.encode_token(str(rows[size - 1].id), query_key) if len(rows) > size \
        else ""
    return entries, token
