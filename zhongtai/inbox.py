"""Inbox: consume each event's effect exactly once.

``consumer`` wraps a handler ``(session, event, envelope)`` into a bus
handler that, in one transaction, records ``(consumer, event_id)`` in the
``inbox`` table and runs the handler; a redelivered event finds its id there
and is acknowledged without running the handler again. The bus acks only after
that transaction committed. The effect is attributed to the consuming
service (``zhongtai.audit``: the queue's service, action "event <type>").

Failpoints ``inbox.<queue>.before_commit`` (the handler ran, nothing
committed) and ``inbox.<queue>.after_commit`` (committed, not acknowledged)
let a test kill a consuming process where a redelivery must find the effect
undone or done once (zhongtai.failpoints).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from google.protobuf.message import Message
from sqlalchemy.ext.asyncio import AsyncSession

from zhongtai.audit import acting
from zhongtai.auth import Identity
from zhongtai.bus import Handler
from zhongtai.db import Database, insert_ignore, rows_changed, utcnow
from zhongtai.events import Envelope
from zhongtai.failpoints import failpoint

if TYPE_CHECKING:
    from zhongtai.service import Subscription

log = logging.getLogger(__name__)

M = TypeVar("M", bound=Message)
EffectHandler = Callable[[AsyncSession, M, Envelope], Awaitable[None]]


def consumer(
    db: Database, subscription: Subscription, handlers: dict[type[Message], EffectHandler[Any]]
) -> Handler:
    """The bus handler of ``subscription``'s queue: dispatches by event type,
    deduplicated through the inbox. There is one handler per event type the
    subscription names, no more, no less (checked here, when it is built).
    """
    if set(handlers) != set(subscription.events):
        raise TypeError(f"{subscription.queue}: handlers for {sorted(h.__name__ for h in handlers)}"
                        f", subscribed to {sorted(e.__name__ for e in subscription.events)}")
    name = subscription.queue
    by_name = {cls.DESCRIPTOR.full_name: fn for cls, fn in handlers.items()}
    service = Identity.for_service(name.partition(".")[0])
    before_commit, after_commit = f"inbox.{name}.before_commit", f"inbox.{name}.after_commit"

    async def handle(envelope: Envelope) -> None:
        fn = by_name.get(envelope.event_type)
        with acting(service, f"event {envelope.event_type}"):
            async with db.transaction() as session:
                result = await session.execute(
                    insert_ignore(db.dialect, db.plumbing.inbox).values(
                        consumer=name,
                        event_id=envelope.event_id,
                        event_type=envelope.event_type,
                        processed_at=utcnow(),
                    )
                )
                if rows_changed(result) == 0:
                    log.info("%s: event %s already processed", name, envelope.event_id)
                    return
                if fn is not None:
                    await fn(session, envelope.decode(), envelope)
                failpoint(before_commit)
        failpoint(after_commit)

    return handle
