"""Small HTTP plumbing for serving, shared by the services and the sandbox providers.

``HttpServer`` runs one ``aiohttp`` application on ``HOST:PORT`` (``:0`` lets
the system pick the port, ``url`` then tells the real one; ``[::]`` and other
bracketed IPv6 hosts work; ``split_listen``/``url_of`` read such a string and
tell the URL to reach it). ``receive_push`` is the answer of an endpoint that
receives signed pushes (payment's channel callbacks, logistics' carrier
pushes): verify, apply in one transaction, 200 after. ``ApiError``,
``api_errors`` and ``json_body`` are a JSON API's error answers (the sandbox
providers' APIs).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiohttp import web

__all__ = [
    "ApiError",
    "HttpServer",
    "api_errors",
    "json_body",
    "receive_push",
    "split_listen",
    "url_of",
]

log = logging.getLogger(__name__)


def split_listen(listen: str) -> tuple[str, int]:
    """``"HOST:PORT"`` as (host, port): ``"[::]:80"`` is ("::", 80), an empty
    host is 127.0.0.1; ValueError if it is not HOST:PORT."""
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"listen must be HOST:PORT, not {listen!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


def url_of(host: str, port: int) -> str:
    """``http://host:port`` to reach a server bound there (a wildcard host is
    reached on the loopback; IPv6 hosts in brackets)."""
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class HttpServer:
    """One aiohttp application on ``listen``: ``await start(app)``, then
    ``url``; ``await stop()``."""

    def __init__(self, listen: str, *, name: str = "http server",
                 shutdown_timeout: float = 5.0, access_log: bool = False,
                 reuse_address: bool | None = None) -> None:
        self.host, self.port = split_listen(listen)
        self._name = name
        self._shutdown_timeout = shutdown_timeout
        self._access_log = access_log
        self._reuse_address = reuse_address
        self._runner: web.AppRunner | None = None
        self._url = ""

    @property
    def url(self) -> str:
        """``http://host:port`` actually bound (its real port, even if asked
        for :0); only after ``start()``."""
        if not self._url:
            raise RuntimeError(f"the {self._name} is not started")
        return self._url

    async def start(self, app: web.Application) -> None:
        kwargs: dict[str, Any] = {} if self._access_log else {"access_log": None}
        runner = web.AppRunner(app, shutdown_timeout=self._shutdown_timeout, **kwargs)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port, reuse_address=self._reuse_address)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1])  # the port the system gave us
        self._url = url_of(self.host, self.port)
        log.info("%s on %s", self._name, self._url)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


class ApiError(Exception):
    """An error answer of a JSON API: ``{"code": ..., "message": ...}``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def api_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answers an ApiError raised by a handler."""
    try:
        return await handler(request)
    except ApiError as e:
        return web.json_response({"code": e.code, "message": e.message}, status=e.status)


async def json_body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object ({} for an empty body); ApiError 400 otherwise."""
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise ApiError(400, "INVALID_ARGUMENT", "the body is not JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "INVALID_ARGUMENT", "the body must be a JSON object")
    return body


T = TypeVar("T")


async def receive_push(request: web.Request, verify: Callable[[bytes], T],
                       apply: Callable[[T], Awaitable[str]], *,
                       rejected: type[Exception], what: str,
                       logger: logging.Logger) -> web.Response:
    """The answer to a signed push (a channel's notification, a carrier's
    tracking events): ``verify`` the body, 401 ``{"error": <reason>}`` if it
    raises ``rejected`` (nothing applied); then ``apply`` it (in one
    transaction): 400 ``MALFORMED`` if it raises ValueError, 500 ``INTERNAL``
    on any other failure (the sender retries), and 200 ``{"result":
    "success", "outcome": ...}`` only after it returned (committed)."""
    body = await request.read()
    try:
        item = verify(body)
    except rejected as exc:
        reason = str(getattr(exc, "reason", "REJECTED"))
        logger.warning("%s rejected (%s): %s", what, reason, exc)
        return web.json_response({"error": reason}, status=401)
    try:
        outcome = await apply(item)
    except ValueError as exc:
        logger.warning("%s malformed: %s", what, exc)
        return web.json_response({"error": "MALFORMED"}, status=400)
    except Exception:
        logger.exception("%s could not be applied; the sender will retry", what)
        return web.json_response({"error": "INTERNAL"}, status=500)
    return web.json_response({"result": "success", "outcome": outcome})
