"""Small conversions between Python values and the common protobuf types."""

from __future__ import annotations

import datetime as dt
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from zhongtai.common.v1.common_pb2 import Money
from zhongtai.db import utcnow


def timestamp(value: dt.datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(value)
    return ts


def now_timestamp() -> Timestamp:
    return timestamp(utcnow())


def to_datetime(ts: Timestamp) -> dt.datetime:
    """A timezone-aware UTC datetime."""
    return ts.ToDatetime(tzinfo=dt.UTC)


def money(currency: str, amount: int) -> Money:
    return Money(currency_code=currency, amount_minor=amount)


def enum_value(value: int) -> Any:
    """An enum value kept as an int, as a message's enum field takes it."""
    return value
