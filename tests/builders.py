"""Builders every test layer shares: money, an event's envelope, a service's
migrated database, the fields a request is refused for.

Builders of one layer live beside it (tests/e2e/builders.py); fakes of other
services and channels in tests/fakes.py. No test module defines a builder
another module imports.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from google.protobuf.message import Message

from zhongtai import migrate
from zhongtai.common.v1.common_pb2 import Money
from zhongtai.db import Database, utcnow
from zhongtai.errors import InvalidArgument
from zhongtai.events import Envelope
from zhongtai.ids import new_id
from zhongtai.service import ServiceSpec
from zhongtai.validation import Validator
from zhongtai.wire import money


def cny(amount: int) -> Money:
    """``amount`` fen (0.01 yuan) of renminbi."""
    return money("CNY", amount)


async def migrated(url: str, spec: ServiceSpec) -> Database:
    """The service's database at ``url``, its migrations applied; the caller
    disposes of it."""
    db = Database(url, spec.metadata, spec.plumbing)
    await migrate.upgrade(db, spec)
    return db


def envelope(event: Message, routing_key: str, aggregate_id: str,
             event_id: str | None = None) -> Envelope:
    """``event`` as the bus delivers it, published now (under a new id unless
    ``event_id`` is given)."""
    return Envelope(event_id=event_id or new_id(), routing_key=routing_key,
                    event_type=event.DESCRIPTOR.full_name,
                    payload=event.SerializeToString(), aggregate_id=aggregate_id,
                    occurred_at=utcnow())


def refused_fields(request: Message, *rules: Callable[[Any], object]) -> set[str]:
    """The fields ``request`` is refused for (INVALID_ARGUMENT): by the limits
    its contract declares (what every server checks first,
    ``zhongtai.validation``), then by each of the service's ``rules``."""
    fields: set[str] = set()
    for check in (Validator().check, *rules):
        try:
            check(request)
        except InvalidArgument as e:
            fields |= {v.field for v in e.violations}
    return fields
