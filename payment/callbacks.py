"""The HTTP endpoint channels post their notifications to.

``POST /callbacks/<channel>``: the channel adapter verifies the signature and
the timestamp (401 if they are wrong, nothing applied); the notification is
then applied in one transaction and only after it committed the answer is
200, so a channel that got no 200 sends it again (and a repeat changes
nothing). A failure to apply is 500: the channel retries.
"""

from __future__ import annotations

import logging

from aiohttp import web

from payment.channels.base import NotificationRejected
from payment.handlers import Payments
from zhongtai.db import utcnow

log = logging.getLogger(__name__)


class CallbackServer:
    def __init__(self, payments: Payments, listen: str) -> None:
        self.payments = payments
        host, _, port = listen.rpartition(":")
        self.host = host.strip("[]") or "127.0.0.1"
        self.port = int(port)
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """Where this server is reachable (its real port, even if asked for :0)."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://{host}:{self.port}"

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024)
        app.router.add_post("/callbacks/{channel}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await site.start()
        if self.port == 0:  # the port the system gave us
            self.port = int(self._runner.addresses[0][1])
        log.info("payment callbacks on %s", self.url)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.Request) -> web.Response:
        name = request.match_info["channel"]
        channel = self.payments.channel_named(name)
        if channel is None:
            return web.json_response({"error": f"unknown channel {name}"}, status=404)
        body = await request.read()
        try:
            notification = channel.verify_notification(request.headers, body, utcnow())
        except NotificationRejected as exc:
            log.warning("%s notification rejected (%s): %s", name, exc.reason, exc)
            return web.json_response({"error": exc.reason}, status=401)
        try:
            outcome = await self.payments.handle_notification(channel, notification)
        except ValueError as exc:
            log.warning("%s notification malformed: %s", name, exc)
            return web.json_response({"error": "MALFORMED"}, status=400)
        except Exception:
            log.exception("%s notification could not be applied; the channel will retry", name)
            return web.json_response({"error": "INTERNAL"}, status=500)
        return web.json_response({"result": "success", "outcome": outcome})
