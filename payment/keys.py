"""Request ids (AIP-155) of payment's mutating calls, through its unit of work.

``KeyStore`` is ``zhongtai.idempotency.Keys`` as a unit of work sees it
(``uow.keys``): in its transaction, and in memory for unit tests. ``once``
runs a one-transaction call once per request id; CreatePayment and
SwitchChannel, which call a channel between transactions, claim their id
first and ``finish`` it after (``Keyed`` says how their answer is stored).
"""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from google.protobuf.message import Message
from sqlalchemy import update

from zhongtai.errors import ZhongtaiError
from zhongtai.idempotency import Keys, Stored, is_retryable, replay, request_hash
from zhongtai.uow import SqlUnitOfWork, UnitOfWork

if TYPE_CHECKING:
    from payment.payment import Payment

R = TypeVar("R", bound=Message)


class KeyStore(abc.ABC):
    """The idempotency records of payment, in the unit of work's transaction."""

    @abc.abstractmethod
    async def lookup(self, scope: str, key: str, digest: str) -> Stored | None:
        """What is stored under a key (None: nothing); IDEMPOTENCY_KEY_REUSED
        if it was used for another request."""

    @abc.abstractmethod
    async def claim(self, scope: str, key: str, digest: str,
                    resource_id: str = "") -> Stored | None:
        """Record a new key (None), or what is stored under it."""

    @abc.abstractmethod
    async def bind(self, scope: str, key: str, resource_id: str) -> None:
        """The key now stands for ``resource_id`` (a payment it continues)."""

    @abc.abstractmethod
    async def complete(self, scope: str, key: str, response: Message | None = None,
                       error: ZhongtaiError | None = None) -> None:
        """Remember the answer."""

    @abc.abstractmethod
    async def release(self, scope: str, key: str) -> None:
        """Forget the key (the request may be sent again)."""


class KeyedWork(UnitOfWork):
    """A unit of work with payment's idempotency records."""

    keys: KeyStore


class SqlKeyStore(KeyStore):
    """``zhongtai.idempotency.Keys`` in a SQL unit of work's session."""

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


def answered(stored: Stored) -> bool:
    """Whether a stored key has its answer (else its first request is in progress)."""
    return stored.response is not None or stored.error is not None


async def once(keys: KeyStore, request: Message, response_type: type[R],
               action: Callable[[], Awaitable[R]]) -> R:
    """Run a one-transaction call in the unit of work of ``keys``, once per
    ``request.request_id`` (the scope: the call's name); a repeat gets the
    first answer. A failed call leaves no key: it can be corrected and sent
    again."""
    scope = response_type.DESCRIPTOR.name.removesuffix("Response")
    key = str(getattr(request, "request_id", ""))
    stored = await keys.claim(scope, key, request_hash(request)) if key else None
    if stored is not None:
        return replay(stored, response_type)
    response = await action()
    if key:
        await keys.complete(scope, key, response)
    return response


@dataclass(frozen=True)
class Keyed(Generic[R]):
    """A call answered over several transactions: its scope, request id (""
    for none) and fingerprint, and how the servicer answers with a payment."""

    scope: str
    request_id: str
    digest: str
    response_type: type[R]
    answer: Callable[[Payment], R]


async def finish(uows: Callable[[], KeyedWork], keyed: Keyed[R], response: R | None = None,
                 error: ZhongtaiError | None = None) -> None:
    """Remember the answer under a request id claimed in an earlier
    transaction; a transient error frees the id instead (sent again, the
    request continues where this one stopped)."""
    if not keyed.request_id:
        return
    async with uows() as uow:
        if error is not None and is_retryable(error):
            await uow.keys.release(keyed.scope, keyed.request_id)
        else:
            await uow.keys.complete(keyed.scope, keyed.request_id, response, error)
