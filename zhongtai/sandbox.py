"""The common part of the sandboxes (in-memory providers that behave like real ones).

``SandboxService`` is their HTTP server with the ``/v1/control`` API:
``Pusher`` signs each ``Push`` (``zhongtai.signing``) at every attempt and
retries it with exponential backoff until the endpoint answers 2xx (or the
attempts run out), delayed, duplicated, dropped or held (then flushed last
first) on request; ``PushFaults`` and ``FaultLayers`` are the injected faults,
set globally or per key (a trade, a waybill) through the ``/v1/control`` API;
``format_time``/``parse_time`` their RFC 3339 times. Their JSON error answers
are ``zhongtai.httpserver``'s ``ApiError``, ``api_errors`` and ``json_body``.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import datetime as dt
import logging
import secrets
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import aiohttp
from aiohttp import web

from zhongtai import signing
from zhongtai.httpserver import ApiError, HttpServer, api_errors, json_body
from zhongtai.process import until_signal

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = [
    "FaultLayers",
    "Push",
    "PushFaults",
    "Pusher",
    "SandboxService",
    "format_time",
    "parse_time",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Push:
    """One notification: the same ``id`` (and body) on every copy and retry."""

    id: str
    url: str
    body: bytes
    # Faults: sign with a timestamp this far in the past (negative: future) ...
    stale_timestamp_seconds: float = 0.0
    # ... or with a wrong secret.
    bad_signature: bool = False


class Pusher:
    """Delivers signed JSON pushes, retried with backoff until answered 2xx.

    Background work runs as tasks of this pusher (``spawn``): ``close()``
    cancels them, ``drain()`` waits for them.
    """

    def __init__(self, secret: str, *, timestamp_header: str, signature_header: str,
                 id_header: str, max_attempts: int = 6, backoff_seconds: float = 1.0,
                 timeout_seconds: float = 5.0, name: str = "sandbox") -> None:
        if not secret:
            raise ValueError(f"the {name} needs a secret to sign notifications")
        self._secret = secret
        self._timestamp_header = timestamp_header
        self._signature_header = signature_header
        self._id_header = id_header
        self._max_attempts = max(1, max_attempts)
        self._backoff = backoff_seconds
        self._timeout = timeout_seconds
        self._name = name
        self.held: list[Push] = []  # held pushes (copies included), oldest first
        self.deliveries: collections.deque[dict[str, Any]] = collections.deque(maxlen=1000)
        self._tasks: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None

    async def open(self) -> None:
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self._timeout))

    async def close(self) -> None:
        tasks = list(self._tasks)
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def drain(self) -> None:
        """Wait until no task of this pusher is running."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def send(self, push: Push, *, copies: int = 1, delay_seconds: float = 0.0,
             drop: bool = False, hold: bool = False) -> None:
        """Deliver ``copies`` copies of ``push`` concurrently (after
        ``delay_seconds``), or none (``drop``), or keep them for ``flush``."""
        if drop:
            self.deliveries.append({"id": push.id, "url": push.url, "result": "dropped"})
            return
        if hold:
            self.held.extend([push] * copies)
            return
        for _ in range(copies):
            self.spawn(self._deliver(push, delay_seconds))

    async def flush(self) -> int:
        """Deliver the held pushes one after the other, last first; returns
        once each was tried (up to its last attempt), with their number."""
        held, self.held = self.held[::-1], []

        async def in_order() -> None:
            for push in held:
                await self._deliver(push)

        await asyncio.shield(self.spawn(in_order()))
        return len(held)

    async def _deliver(self, push: Push, delay: float = 0.0) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        for attempt in range(1, self._max_attempts + 1):
            if await self._attempt(push, attempt):
                return
            if attempt < self._max_attempts:
                await asyncio.sleep(min(self._backoff * 2 ** (attempt - 1), 300.0))
        log.warning("%s: gave up notifying %s after %d attempts", self._name, push.url,
                    self._max_attempts)

    async def _attempt(self, push: Push, attempt: int) -> bool:
        assert self._session is not None, "the pusher is not open"
        secret = self._secret + "-forged" if push.bad_signature else self._secret
        headers = {
            "Content-Type": "application/json",
            **signing.signed_headers(secret, push.body, timestamp_header=self._timestamp_header,
                                     signature_header=self._signature_header,
                                     age_seconds=push.stale_timestamp_seconds),
            self._id_header: push.id,
        }
        record: dict[str, Any] = {"id": push.id, "url": push.url, "attempt": attempt}
        self.deliveries.append(record)
        try:
            async with self._session.post(push.url, data=push.body, headers=headers) as resp:
                await resp.read()
                record["result"] = resp.status
                return 200 <= resp.status < 300
        except (aiohttp.ClientError, TimeoutError, ValueError) as e:
            record["result"] = f"{type(e).__name__}: {e}"
            return False


def format_time(t: dt.datetime) -> str:
    """RFC 3339 in UTC with microseconds, e.g. ``2025-01-31T08:00:00.000000Z``."""
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(s: str) -> dt.datetime:
    """An RFC 3339 time with a zone, in UTC; ValueError otherwise."""
    t = dt.datetime.fromisoformat(s)
    if t.tzinfo is None:
        raise ValueError(f"time without a time zone: {s!r}")
    return t.astimezone(dt.UTC)


F = TypeVar("F", bound="DataclassInstance")


class FaultLayers(Generic[F]):
    """What a sandbox does wrong on purpose: a frozen dataclass of defaults,
    changed globally or for one key (a key's fields win). Field names with a
    meaning here: ``fail_api`` (an HTTP status 400-599, 0: off) with
    ``fail_api_times`` (0: until unset) and ``api_delay_seconds`` (see
    ``api``), ``duplicate`` (0-100), ``stale_timestamp_seconds`` (may be
    negative; every other number may not)."""

    def __init__(self, defaults: F) -> None:
        self.defaults = defaults
        self.globals: dict[str, Any] = {}
        self.overrides: dict[str, dict[str, Any]] = {}

    def effective(self, key: str | None) -> F:
        layers = {**self.globals, **(self.overrides.get(key or "", {}))}
        return dataclasses.replace(self.defaults, **layers)

    def update(self, changes: Mapping[str, Any], key: str | None) -> F:
        """Sets the fields (``None`` unsets one) for ``key`` or globally;
        ApiError 400 (nothing changed) if one is unknown or out of range."""
        checked = {k: self._check(k, v) for k, v in changes.items()}
        layer = self.overrides.setdefault(key, {}) if key else self.globals
        for k, v in checked.items():
            if v is None:
                layer.pop(k, None)
            else:
                layer[k] = v
        if key and not layer:
            del self.overrides[key]
        return self.effective(key)

    def clear(self) -> None:
        self.globals.clear()
        self.overrides.clear()

    async def api(self, key: str | None) -> None:
        """Injected faults of an API call about ``key``: a delay, then maybe
        ApiError with the injected status (counting ``fail_api_times`` down)."""
        delay = getattr(self.effective(key), "api_delay_seconds", 0.0)
        if delay > 0:
            await asyncio.sleep(delay)
        layer = self.overrides.get(key or "", {})
        if not layer.get("fail_api"):
            layer = self.globals
        status = layer.get("fail_api") or 0
        if not status:
            return
        if layer.get("fail_api_times"):
            layer["fail_api_times"] -= 1
            if not layer["fail_api_times"]:
                del layer["fail_api"], layer["fail_api_times"]
        raise ApiError(status, "INJECTED_FAILURE", f"fault injection: HTTP {status}")

    def _check(self, name: str, value: Any) -> Any:
        if name not in {f.name for f in dataclasses.fields(self.defaults)}:
            raise ApiError(400, "INVALID_ARGUMENT", f"unknown control field {name!r}")
        if value is None:
            return None
        kind = type(getattr(self.defaults, name))
        if kind is bool:
            if not isinstance(value, bool):
                raise ApiError(400, "INVALID_ARGUMENT", f"{name} must be a boolean")
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ApiError(400, "INVALID_ARGUMENT", f"{name} must be a number")
        if kind is int:
            if value != int(value):
                raise ApiError(400, "INVALID_ARGUMENT", f"{name} must be an integer")
            value = int(value)
            if name == "fail_api" and value != 0 and not 400 <= value <= 599:
                raise ApiError(400, "INVALID_ARGUMENT",
                               "fail_api must be an HTTP status 400-599")
            if name == "duplicate" and not 0 <= value <= 100:
                raise ApiError(400, "INVALID_ARGUMENT", "duplicate must be 0-100")
        if name != "stale_timestamp_seconds" and value < 0:
            raise ApiError(400, "INVALID_ARGUMENT", f"{name} must not be negative")
        return kind(value)


@dataclass(frozen=True)
class PushFaults:
    """What a sandbox provider does wrong on purpose (all off by default);
    a provider's own faults extend it."""

    # Wait this long before the first delivery of each notification.
    delay_seconds: float = 0.0
    # Deliver this many extra copies of each notification (concurrently).
    duplicate: int = 0
    # Deliver no notification at all.
    drop: bool = False
    # Hold notifications; ``/v1/control/flush`` delivers them last first.
    reorder: bool = False
    # Answer API calls with this HTTP status instead (0: off) ...
    fail_api: int = 0
    # ... this many times (0: until unset).
    fail_api_times: int = 0
    # Wait this long before answering API calls (to make clients time out).
    api_delay_seconds: float = 0.0
    # Sign with a timestamp this far in the past (negative: in the future).
    stale_timestamp_seconds: float = 0.0
    # Sign notifications with a wrong secret.
    bad_signature: bool = False


PF = TypeVar("PF", bound=PushFaults)


class SandboxService(Generic[PF]):
    """The common part of the sandbox providers: an HTTP server, signed
    notifications pushed by a ``Pusher`` with the faults of ``PF``, and the
    control API::

        POST /v1/control        {<fault fields>, <fault_key>?}  (null unsets a field)
        POST /v1/control/flush  deliver held notifications, last first
        POST /v1/control/reset  clear faults and drop held notifications
        GET  /v1/control        faults, overrides, held count, recent delivery attempts

    A subclass adds its API's routes in ``app()`` and calls ``notify``.
    ``name`` is used in messages (and to refuse an empty secret), ``title``
    in the log line telling where it listens.
    """

    # The control field naming what faults apply to (a trade, a waybill).
    fault_key = "key"

    def __init__(self, secret: str, listen: str, faults: PF, *, name: str, title: str,
                 timestamp_header: str, signature_header: str, id_header: str,
                 notify_max_attempts: int, notify_backoff_seconds: float,
                 notify_timeout_seconds: float,
                 clock: Callable[[], dt.datetime] | None) -> None:
        self._pusher = Pusher(secret, timestamp_header=timestamp_header,
                              signature_header=signature_header, id_header=id_header,
                              max_attempts=notify_max_attempts,
                              backoff_seconds=notify_backoff_seconds,
                              timeout_seconds=notify_timeout_seconds, name=name)
        self._http = HttpServer(listen, name=title, shutdown_timeout=2.0, access_log=True)
        self._faults = FaultLayers(faults)
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))

    @property
    def url(self) -> str:
        """``http://host:port`` actually bound (after ``start()``)."""
        return self._http.url

    def app(self) -> web.Application:
        app = web.Application(middlewares=[api_errors])
        app.router.add_get("/v1/control", self._get_control)
        app.router.add_post("/v1/control", self._set_control)
        app.router.add_post("/v1/control/flush", self._flush)
        app.router.add_post("/v1/control/reset", self._reset)
        return app

    async def start(self) -> None:
        await self._pusher.open()
        await self._http.start(self.app())

    async def stop(self) -> None:
        await self._pusher.close()
        await self._http.stop()

    async def drain(self) -> None:
        """Wait until no background work (a delivery, ...) is running."""
        await self._pusher.drain()

    def _now(self) -> dt.datetime:
        return self._clock().astimezone(dt.UTC)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        return self._pusher.spawn(coro)

    def _effective(self, key: str | None) -> PF:
        return self._faults.effective(key)

    async def _api(self, key: str | None) -> None:
        """Injected faults of the merchant API: a delay, then maybe a failure."""
        await self._faults.api(key)

    def notify(self, url: str, body: bytes, key: str, id_prefix: str = "ntf") -> None:
        """Pushes ``body`` to ``url`` with the faults in force for ``key``."""
        faults = self._effective(key)
        push = Push(f"{id_prefix}{secrets.token_hex(8)}", url, body,
                    stale_timestamp_seconds=faults.stale_timestamp_seconds,
                    bad_signature=faults.bad_signature)
        self._pusher.send(push, copies=1 + faults.duplicate, delay_seconds=faults.delay_seconds,
                          drop=faults.drop, hold=faults.reorder)

    async def _get_control(self, request: web.Request) -> web.Response:
        return web.json_response({
            "faults": dataclasses.asdict(self._effective(None)),
            "overrides": self._faults.overrides,
            "held": len(self._pusher.held),
            "deliveries": list(self._pusher.deliveries),
        })

    async def _set_control(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        key = body.pop(self.fault_key, None)
        if key is not None and not isinstance(key, str):
            raise ApiError(400, "INVALID_ARGUMENT", f"{self.fault_key} must be a string")
        return web.json_response(dataclasses.asdict(self._faults.update(body, key)))

    async def _flush(self, request: web.Request) -> web.Response:
        """Deliver the held notifications, last first; answers once each was tried."""
        return web.json_response({"delivered": await self._pusher.flush()})

    async def _reset(self, request: web.Request) -> web.Response:
        self._faults.clear()
        self._pusher.held.clear()
        return web.json_response({})


async def run_until_signal(server: SandboxService[Any], what: str) -> None:
    """Serve a sandbox provider alone until SIGINT or SIGTERM (the services'
    ``zhongtai sandbox...`` commands)."""
    await server.start()
    print(f"zhongtai: {what} on {server.url}", flush=True)
    try:
        await until_signal()
    finally:
        await server.stop()
