"""Mutating RPCs once per request id, around calls to other services.

``keyed`` is the shape of every mutating after-sales RPC: a repeat of an
answered request gets the first answer before anything is asked of another
service; ``prepare`` then makes the calls to other services (each
idempotent, keyed by the application id) outside any transaction; ``apply``
writes the change, the request id and its answer in one unit of work. A
request racing its own repeat: one writes, the other replays. A failed
request leaves no key, so it can be corrected and sent again (the calls it
made are keyed, so sending it again never doubles them). Request ids are
bound to their caller (``zhongtai.idempotency.request_hash``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from google.protobuf.message import Message

from aftersales import views
from aftersales.application import Application
from aftersales.repository import AfterSalesUnitOfWork
from zhongtai.idempotency import once, replay, request_hash

R = TypeVar("R", bound=Message)
UnitOfWorkFactory = Callable[[], AfterSalesUnitOfWork]


async def _nothing() -> None:
    return None


async def keyed(new_uow: UnitOfWorkFactory, request: Message, response_type: type[R],
                apply: Callable[[AfterSalesUnitOfWork, Any], Awaitable[R]],
                prepare: Callable[[], Awaitable[Any]] = _nothing) -> R:
    """Run ``prepare`` (remote calls) then ``apply`` (one unit of work, given
    what ``prepare`` returned), once per ``request.request_id``
    (``zhongtai.idempotency.once`` around ``apply``)."""
    if key := str(getattr(request, "request_id", "")):
        scope = response_type.DESCRIPTOR.name.removesuffix("Response")
        async with new_uow() as uow:
            stored = await uow.keys.lookup(scope, key, request_hash(request))
        if stored is not None:
            return replay(stored, response_type)
    prepared = await prepare()
    async with new_uow() as uow:
        return await once(uow.keys, request, response_type, lambda: apply(uow, prepared))


async def change(new_uow: UnitOfWorkFactory, request: Any, response_type: type[R],
                 act: Callable[[Application, Any], None],
                 prepare: Callable[[], Awaitable[Any]] = _nothing) -> R:
    """``keyed`` for a change of the application ``request.application_id``:
    loaded for update, changed by ``act`` (its checks included, given what
    ``prepare`` returned), saved; the answer shows it."""
    async def apply(uow: AfterSalesUnitOfWork, prepared: Any) -> R:
        app = await uow.applications.get_for_update(request.application_id)
        act(app, prepared)
        await uow.applications.save(app)
        return views.answer(response_type, app)

    return await keyed(new_uow, request, response_type, apply, prepare)
