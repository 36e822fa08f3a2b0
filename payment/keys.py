"""Request ids (AIP-155) of payment's calls answered over several
transactions: CreatePayment and SwitchChannel claim their id first, call a
channel, then ``finish`` it (``Keyed`` says how their answer is stored).
The records are ``zhongtai.idempotency``'s ``KeyStore`` (``uow.keys``);
one-transaction calls use ``zhongtai.idempotency.once``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from google.protobuf.message import Message

from zhongtai.errors import ZhongtaiError
from zhongtai.idempotency import KeyStore
from zhongtai.uow import UnitOfWork

if TYPE_CHECKING:
    from payment.payment import Payment

R = TypeVar("R", bound=Message)


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
    """Settle a request id claimed in an earlier transaction
    (``KeyStore.settle``)."""
    if not keyed.request_id:
        return
    async with uows() as uow:
        await uow.keys.settle(keyed.scope, keyed.request_id, response, error)


class KeyedWork(UnitOfWork):
    """A unit of work with payment's request ids."""

    keys: KeyStore
