"""The HTTP endpoint channels post their notifications to.

``POST /callbacks/<channel>``: the channel adapter verifies the signature and
the timestamp (401 if they are wrong, nothing applied); the notification is
then applied in one transaction and only after it committed the answer is
200, so a channel that got no 200 sends it again (and a repeat changes
nothing). A failure to apply is 500: the channel retries. What a
notification changes is attributed to payment itself, action
"notification <channel>" (``zhongtai.audit``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiohttp import web

from payment import capture
from payment.channels.base import Channel, Notification, NotificationRejected
from payment.channels.registry import Channels
from payment.repository import PaymentUnitOfWork
from payment.rules import Outcome
from zhongtai.audit import acting
from zhongtai.auth import Identity
from zhongtai.db import utcnow
from zhongtai.httpserver import HttpServer, receive_push

log = logging.getLogger(__name__)
PAYMENT = Identity.for_service("payment")


class CallbackServer:
    def __init__(self, uows: Callable[[], PaymentUnitOfWork], channels: Channels,
                 listen: str) -> None:
        self.uows = uows
        self.channels = channels
        self._http = HttpServer(listen, name="payment callbacks", reuse_address=True)

    @property
    def url(self) -> str:
        """Where this server is reachable (its real port, even if asked for :0)."""
        return self._http.url

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024)
        app.router.add_post("/callbacks/{channel}", self._handle)
        await self._http.start(app)

    async def stop(self) -> None:
        await self._http.stop()

    async def _handle(self, request: web.Request) -> web.Response:
        name = request.match_info["channel"]
        channel = self.channels.named(name)
        if channel is None:
            return web.json_response({"error": f"unknown channel {name}"}, status=404)
        return await receive_push(
            request, lambda body: channel.verify_notification(request.headers, body, utcnow()),
            lambda notification: self._apply(channel, notification),
            rejected=NotificationRejected, what=f"{name} notification", logger=log)

    async def _apply(self, channel: Channel, notification: Notification) -> Outcome:
        with acting(PAYMENT, f"notification {channel.name}"):
            async with self.uows() as uow:
                return await capture.handle_notification(uow, channel.name, notification,
                                                         utcnow())
