"""Request idempotency (AIP-155): a repeated request gets the original answer.

The ``idempotency`` table maps ``(scope, key)`` to a hash of the request and
the response it got (or, for a saga that failed, the error it got). A repeat
with the same payload replays that answer; the same key with a different
payload is ALREADY_EXISTS; a repeat while the first request is still in
progress is ABORTED (retry later).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from google.protobuf.message import Message
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from zhongtai.db import Database, PlumbingTables, insert_ignore, utcnow
from zhongtai.errors import (
    Aborted,
    AlreadyExists,
    Unavailable,
    ZhongtaiError,
    error_from_dict,
    error_to_dict,
)

R = TypeVar("R", bound=Message)


def request_hash(request: Message, ignore: tuple[str, ...] = ("request_id",)) -> str:
    copy = type(request)()
    copy.CopyFrom(request)
    for name in ignore:
        if copy.DESCRIPTOR.fields_by_name.get(name) is not None:
            copy.ClearField(name)
    return hashlib.sha256(copy.SerializeToString(deterministic=True)).hexdigest()


@dataclass(frozen=True)
class Stored:
    request_hash: str
    response: bytes | None
    error: bytes | None
    resource_id: str


class Keys:
    """Idempotency records of one service."""

    def __init__(self, tables: PlumbingTables, dialect: str) -> None:
        self.t = tables.idempotency
        self.dialect = dialect

    async def claim(
        self, session: AsyncSession, scope: str, key: str, digest: str, resource_id: str = ""
    ) -> Stored | None:
        """Record a new key, or return what is stored under it.

        Raises ALREADY_EXISTS if the key was used for a different request.
        On PostgreSQL a concurrent first use blocks here until the other
        transaction ends, then sees its row.
        """
        result = await session.execute(
            insert_ignore(self.dialect, self.t).values(
                scope=scope, key=key, request_hash=digest, resource_id=resource_id,
                created_at=utcnow(),
            )
        )
        if result.rowcount:  # type: ignore[attr-defined]
            return None
        stored = await self.lookup(session, scope, key, digest)
        assert stored is not None
        return stored

    async def lookup(
        self, session: AsyncSession, scope: str, key: str, digest: str
    ) -> Stored | None:
        """What is stored under a key, without claiming it; None if nothing.

        Raises ALREADY_EXISTS if the key was used for a different request.
        """
        row = (await session.execute(
            select(self.t.c.request_hash, self.t.c.response, self.t.c.error, self.t.c.resource_id)
            .where(self.t.c.scope == scope, self.t.c.key == key)
        )).first()
        if row is None:
            return None
        stored = Stored(row.request_hash, row.response, row.error, row.resource_id)
        if stored.request_hash != digest:
            raise AlreadyExists(
                "IDEMPOTENCY_KEY_REUSED",
                f"{scope} key {key!r} was already used for a different request",
                {"scope": scope, "key": key},
            )
        return stored

    async def release(self, session: AsyncSession, scope: str, key: str) -> None:
        """Forget a key, so that the same request can be sent again."""
        await session.execute(
            delete(self.t).where(self.t.c.scope == scope, self.t.c.key == key))

    async def complete(
        self,
        session: AsyncSession,
        scope: str,
        key: str,
        response: Message | None = None,
        error: ZhongtaiError | None = None,
    ) -> None:
        await session.execute(
            update(self.t).where(self.t.c.scope == scope, self.t.c.key == key).values(
                response=response.SerializeToString(deterministic=True) if response else None,
                error=json.dumps(error_to_dict(error)).encode() if error else None,
            )
        )


class Replay(Exception):
    """Raised inside a transaction that found its request id already
    answered: the transaction rolls back and the caller replays ``stored``
    (``replay(e.stored, ResponseType)``)."""

    def __init__(self, stored: Stored) -> None:
        super().__init__("request already answered")
        self.stored = stored


def is_retryable(error: ZhongtaiError) -> bool:
    """Whether sending the same request again may succeed (not worth remembering)."""
    return isinstance(error, Aborted | Unavailable) or type(error) is ZhongtaiError


def replay(stored: Stored, response_type: type[R]) -> R:
    """The original answer: the response, or the original error raised again."""
    if stored.response is not None:
        return response_type.FromString(stored.response)
    if stored.error is not None:
        raise error_from_dict(json.loads(stored.error))
    raise Aborted("REQUEST_IN_PROGRESS", "the first request with this key is still in progress")


async def run_idempotent(
    db: Database,
    keys: Keys,
    scope: str,
    request: Message,
    request_id: str,
    response_type: type[R],
    action: Callable[[AsyncSession], Awaitable[R]],
) -> R:
    """Run ``action`` in one transaction, remembering its response by request id.

    Without a request id the action simply runs. A failed action changes
    nothing, its key included, so the request can be corrected and retried.
    """
    async with db.transaction() as session:
        if request_id:
            stored = await keys.claim(session, scope, request_id, request_hash(request))
            if stored is not None:
                return replay(stored, response_type)
        response = await action(session)
        if request_id:
            await keys.complete(session, scope, request_id, response)
        return response


async def idempotent_rpc(
    db: Database,
    keys: Keys,
    request: Message,
    response_type: type[R],
    action: Callable[[AsyncSession], Awaitable[R]],
) -> R:
    """``run_idempotent`` for a mutating RPC: its ``request_id`` is the key and
    its method (the response type's name less "Response") the scope."""
    scope = response_type.DESCRIPTOR.name.removesuffix("Response")
    request_id = str(getattr(request, "request_id", ""))
    return await run_idempotent(db, keys, scope, request, request_id, response_type, action)
