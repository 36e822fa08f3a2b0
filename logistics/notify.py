"""The HTTP endpoint carriers push tracking events to.

``POST /carriers/<name>/notify``: the carrier's adapter verifies the push
(signature and timestamp; 401 if they are wrong, nothing applied) and reads
its events; ``record`` then applies them in one transaction and only after it
committed the answer is 200, so a carrier that got no 200 pushes again (and a
repeat changes nothing: events are deduped by id). An unknown carrier is 404,
events ``record`` refuses as malformed (``ValueError``) are 400, and a
failure to apply is 500: the carrier retries.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence

from aiohttp import web

from logistics.carriers.base import Carrier, NotificationRejected, TrackingEvent
from zhongtai.db import utcnow
from zhongtai.httpserver import HttpServer, receive_push

__all__ = ["NotifyServer", "Record"]

log = logging.getLogger(__name__)

# (carrier name, verified events) -> a short outcome, after the commit.
Record = Callable[[str, Sequence[TrackingEvent]], Awaitable[str]]


class NotifyServer:
    """``await start()``, then ``url`` (pushes go to ``{url}/carriers/<name>/notify``);
    ``await stop()``."""

    def __init__(self, record: Record, carriers: Mapping[str, Carrier], listen: str) -> None:
        self._record = record
        self._carriers = carriers
        self._http = HttpServer(listen, name="logistics carrier notifications",
                                reuse_address=True)

    @property
    def url(self) -> str:
        """Where this server is reachable (its real port, even if asked for :0)."""
        return self._http.url

    async def start(self) -> None:
        app = web.Application(client_max_size=256 * 1024)
        app.router.add_post("/carriers/{name}/notify", self._handle)
        await self._http.start(app)

    async def stop(self) -> None:
        await self._http.stop()

    async def _handle(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        carrier = self._carriers.get(name)
        if carrier is None:
            return web.json_response({"error": f"unknown carrier {name}"}, status=404)
        return await receive_push(
            request, lambda body: carrier.verify_notification(request.headers, body, utcnow()),
            lambda events: self._record(name, events), rejected=NotificationRejected,
            what=f"{name} push", logger=log)
