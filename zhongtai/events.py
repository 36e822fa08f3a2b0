"""Integration events: protobuf messages in an envelope with an id.

An event is a generated protobuf message (``zhongtai.<service>.v1`` events
protos) that declares its routing key (``<service>.<aggregate>.<change>``)
with the message option ``(zhongtai.common.v1.routing_key)``; ``routing_key``
reads it, so no key is spelled out in code. It travels as its serialized
bytes with the envelope fields as message properties: ``message_id`` = event
id (the consumers' dedupe key), ``type`` = the message's full name, and the
routing key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from google.protobuf import descriptor_pool, message_factory
from google.protobuf.message import Message

from zhongtai.common.v1 import options_pb2


def routing_key(event: Message | type[Message]) -> str:
    """The routing key an event type declares in its proto."""
    options: Any = event.DESCRIPTOR.GetOptions()  # generated stubs mistype extensions
    key: str = options.Extensions[options_pb2.routing_key]
    if not key:
        raise TypeError(f"{event.DESCRIPTOR.full_name} declares no "
                        "(zhongtai.common.v1.routing_key) option")
    return key


@dataclass(frozen=True)
class Envelope:
    event_id: str
    routing_key: str
    event_type: str
    payload: bytes
    aggregate_id: str
    occurred_at: dt.datetime

    def decode(self) -> Message:
        descriptor = descriptor_pool.Default().FindMessageTypeByName(self.event_type)
        cls = message_factory.GetMessageClass(descriptor)
        return cls.FromString(self.payload)


def topic_matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic matching: ``*`` is one word, ``#`` zero or more words."""

    def match(p: list[str], k: list[str]) -> bool:
        if not p:
            return not k
        head, rest = p[0], p[1:]
        if head == "#":
            return any(match(rest, k[i:]) for i in range(len(k) + 1))
        if not k:
            return False
        return (head in ("*", k[0])) and match(rest, k[1:])

    return match(pattern.split("."), routing_key.split("."))
