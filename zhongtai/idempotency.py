"""Request idempotency (AIP-155): a repeated request gets the original answer.

The ``idempotency`` table maps ``(scope, key)`` to a hash of the request and
the response it got (or, for a saga that failed, the error it got). A repeat
with the same payload replays that answer; the same key with a different
payload is ALREADY_EXISTS; a repeat while the first request is still in
progress is ABORTED (retry later).

``Keys`` works on a session; ``KeyStore`` is the same records as a unit of
work sees them (``uow.keys``: ``SqlKeyStore``, ``InMemoryKeyStore``), with
``once`` for a call answered in one transaction and ``KeyStore.settle`` for
one answered over several (a saga, a channel call between transactions).
"""

from __future__ import annotations

import abc
import dataclasses
import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from google.protobuf.message import Message
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from zhongtai.auth import current_caller
from zhongtai.common.v1 import errors_pb2
from zhongtai.db import Database, PlumbingTables, insert_ignore, rows_changed, utcnow
from zhongtai.errors import (
    COMMON,
    Aborted,
    Unavailable,
    ZhongtaiError,
    error_from_dict,
    error_to_dict,
)
from zhongtai.uow import SqlUnitOfWork

R = TypeVar("R", bound=Message)


def request_hash(request: Message, ignore: tuple[str, ...] = ("request_id",)) -> str:
    """The fingerprint of a request under its request id: its fields (but
    ``ignore``) and who sends it, so the same id sent by another caller is
    IDEMPOTENCY_KEY_REUSED, never a replay of someone else's answer."""
    copy = type(request)()
    copy.CopyFrom(request)
    for name in ignore:
        if copy.DESCRIPTOR.fields_by_name.get(name) is not None:
            copy.ClearField(name)
    digest = hashlib.sha256(copy.SerializeToString(deterministic=True))
    if (caller := current_caller()) is not None:
        digest.update(f"\0{caller.role.value}:{caller.subject}".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Stored:
    request_hash: str
    response: bytes | None
    error: bytes | None
    resource_id: str


def _key_reused(scope: str, key: str) -> ZhongtaiError:
    return COMMON(errors_pb2.ERROR_REASON_IDEMPOTENCY_KEY_REUSED,
                  f"{scope} key {key!r} was already used for a different request",
                  metadata={"scope": scope, "key": key})


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
        if rows_changed(result):
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
            raise _key_reused(scope, key)
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


def answered(stored: Stored) -> bool:
    """Whether a stored key has its answer (else its first request is in progress)."""
    return stored.response is not None or stored.error is not None


class KeyStore(abc.ABC):
    """The request ids of a service as a unit of work sees them (``uow.keys``):
    ``SqlKeyStore`` in its transaction, ``InMemoryKeyStore`` for unit tests."""

    @abc.abstractmethod
    async def lookup(self, scope: str, key: str, digest: str) -> Stored | None:
        """What is stored under a key (None: nothing); IDEMPOTENCY_KEY_REUSED
        if it was used for another request."""

    @abc.abstractmethod
    async def claim(self, scope: str, key: str, digest: str,
                    resource_id: str = "") -> Stored | None:
        """Record a new key (None), or return what is stored under it."""

    @abc.abstractmethod
    async def bind(self, scope: str, key: str, resource_id: str) -> None:
        """The key now stands for ``resource_id`` (e.g. a payment it continues)."""

    @abc.abstractmethod
    async def complete(self, scope: str, key: str, response: Message | None = None,
                       error: ZhongtaiError | None = None) -> None:
        """Remember the answer."""

    @abc.abstractmethod
    async def release(self, scope: str, key: str) -> None:
        """Forget the key (the same request may be sent again)."""

    async def settle(self, scope: str, key: str, response: Message | None = None,
                     error: ZhongtaiError | None = None) -> None:
        """End a request claimed in an earlier transaction: remember its
        answer, or, for a transient error, free the key so the request can
        be sent again and continue where it stopped."""
        if error is not None and is_retryable(error):
            await self.release(scope, key)
        else:
            await self.complete(scope, key, response, error)


class SqlKeyStore(KeyStore):
    """``Keys`` in a SQL unit of work's session."""

    def __init__(self, uow: SqlUnitOfWork) -> None:
        self.uow = uow
        self.records = Keys(uow.db.plumbing, uow.db.dialect)

    async def lookup(self, scope: str, key: str, digest: str) -> Stored | None:
        return await self.records.lookup(self.uow.session, scope, key, digest)

    async def claim(self, scope: str, key: str, digest: str,
                    resource_id: str = "") -> Stored | None:
        return await self.records.claim(self.uow.session, scope, key, digest, resource_id)

    async def bind(self, scope: str, key: str, resource_id: str) -> None:
        t = self.records.t
        await self.uow.session.execute(update(t).where(t.c.scope == scope, t.c.key == key)
                                       .values(resource_id=resource_id))

    async def complete(self, scope: str, key: str, response: Message | None = None,
                       error: ZhongtaiError | None = None) -> None:
        await self.records.complete(self.uow.session, scope, key, response, error)

    async def release(self, scope: str, key: str) -> None:
        await self.records.release(self.uow.session, scope, key)


class InMemoryKeyStore(KeyStore):
    """The same contract in memory, with a transaction's visibility: what a
    unit of work wrote is seen by later ones only once it committed (its
    unit of work calls ``begin``, ``commit`` and ``rollback``)."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str], Stored] = {}
        self._staged: dict[tuple[str, str], Stored | None] = {}

    def begin(self) -> None:
        self._staged = {}

    def commit(self) -> None:
        for k, stored in self._staged.items():
            if stored is None:
                self.records.pop(k, None)
            else:
                self.records[k] = stored
        self._staged = {}

    def rollback(self) -> None:
        self._staged = {}

    def _get(self, scope: str, key: str) -> Stored | None:
        k = (scope, key)
        return self._staged[k] if k in self._staged else self.records.get(k)

    async def lookup(self, scope: str, key: str, digest: str) -> Stored | None:
        stored = self._get(scope, key)
        if stored is not None and stored.request_hash != digest:
            raise _key_reused(scope, key)
        return stored

    async def claim(self, scope: str, key: str, digest: str,
                    resource_id: str = "") -> Stored | None:
        stored = await self.lookup(scope, key, digest)
        if stored is None:
            self._staged[(scope, key)] = Stored(digest, None, None, resource_id)
        return stored

    async def bind(self, scope: str, key: str, resource_id: str) -> None:
        stored = self._get(scope, key)
        assert stored is not None
        self._staged[(scope, key)] = dataclasses.replace(stored, resource_id=resource_id)

    async def complete(self, scope: str, key: str, response: Message | None = None,
                       error: ZhongtaiError | None = None) -> None:
        stored = self._get(scope, key)
        assert stored is not None
        self._staged[(scope, key)] = dataclasses.replace(
            stored, response=response.SerializeToString(deterministic=True) if response else None,
            error=json.dumps(error_to_dict(error)).encode() if error else None)

    async def release(self, scope: str, key: str) -> None:
        self._staged[(scope, key)] = None


async def once(keys: KeyStore, request: Message, response_type: type[R],
               action: Callable[[], Awaitable[R]]) -> R:
    """Run a one-transaction call in the unit of work of ``keys``, once per
    ``request.request_id`` (the scope: the call's name, the response type's
    name less "Response"); a repeat gets the first answer. A failed call
    leaves no key: it can be corrected and sent again."""
    scope = response_type.DESCRIPTOR.name.removesuffix("Response")
    key = str(getattr(request, "request_id", ""))
    stored = await keys.claim(scope, key, request_hash(request)) if key else None
    if stored is not None:
        return replay(stored, response_type)
    response = await action()
    if key:
        await keys.complete(scope, key, response)
    return response


def is_retryable(error: ZhongtaiError) -> bool:
    """Whether sending the same request again may succeed (not worth remembering)."""
    return isinstance(error, Aborted | Unavailable) or type(error) is ZhongtaiError


def replay(stored: Stored, response_type: type[R]) -> R:
    """The original answer: the response, or the original error raised again."""
    if stored.response is not None:
        return response_type.FromString(stored.response)
    if stored.error is not None:
        raise error_from_dict(json.loads(stored.error))
    raise COMMON(errors_pb2.ERROR_REASON_REQUEST_IN_PROGRESS,
                 "the first request with this key is still in progress")


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
