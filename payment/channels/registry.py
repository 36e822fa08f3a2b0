"""The channel adapters payment runs, by method and by name."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping

from payment.channels.base import Channel
from payment.rules import E
from zhongtai.payment.v1 import payment_pb2 as pb


class Channels:
    """Method -> channel adapter (filled when the service starts), and the
    base URL channels post their notifications to."""

    def __init__(self, channels: Mapping[int, Channel] | None = None,
                 notify_base: Callable[[], str] = lambda: "") -> None:
        self.by_method: dict[int, Channel] = dict(channels or {})
        self.notify_base = notify_base

    def for_method(self, method: int) -> Channel:
        """The channel of a method; UNAVAILABLE CHANNEL_NOT_CONFIGURED if none runs."""
        channel = self.by_method.get(method)
        if channel is None:
            name = pb.Method.Name(method)
            raise E(pb.ERROR_REASON_CHANNEL_NOT_CONFIGURED,
                    f"no channel is configured for {name}", metadata={"method": name})
        return channel

    def named(self, name: str) -> Channel | None:
        return next((c for c in self.by_method.values() if c.name == name), None)

    def notify_url(self, channel: Channel) -> str:
        return f"{self.notify_base().rstrip('/')}/callbacks/{channel.name}"

    async def aclose(self) -> None:
        for channel in self.by_method.values():
            with contextlib.suppress(Exception):
                await channel.aclose()
        self.by_method.clear()
