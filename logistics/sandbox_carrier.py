"""The sandbox carrier (快递公司): an HTTP service that behaves like a real one.

State is in memory (it is a sandbox), but the protocol is a real carrier's:
the merchant subscribes a waybill (运单) with the URL its tracking events are
pushed to; the carrier records events as the package moves (here a test or a
person moves it through the control API) and pushes each one, signed, to the
merchant, retrying with backoff until it answers 2xx. Pushes may arrive late,
duplicated or out of order (and can be made to, on purpose); the merchant
dedupes by ``event_id`` and can always ``GET`` the whole timeline.

API (JSON bodies; errors are ``{"code": ..., "message": ...}`` with 400, 404
or the injected status)::

    POST /v1/waybills                        {tracking_no, notify_url}
         subscribe (idempotent; a later notify_url replaces the earlier one)
         -> {tracking_no, notify_url, events: <count>}
    GET  /v1/waybills/{tracking_no}/events   -> {tracking_no, events: [event, ...]}
                                                (in the order they occurred)

An event is ``{event_id, tracking_no, milestone, occurred_at, location,
description}``: ``milestone`` one of ACCEPTED (揽收), IN_TRANSIT,
OUT_FOR_DELIVERY (派送中), DELIVERED (签收) or EXCEPTION; ``occurred_at``
RFC 3339 in UTC; ``event_id`` given by the carrier, unique.

Moving a package (the control side; not subject to ``fail_api``)::

    POST /v1/waybills/{tracking_no}/events   {milestone, location?, description?, occurred_at?}
         append one event (occurred_at: RFC 3339 with a zone; default now)
         and push it -> the event
    POST /v1/waybills/{tracking_no}/journey  {occurred_at?: [t1, t2, t3, t4],
                                              start?, step_seconds?, location?, batch?}
         append ACCEPTED, IN_TRANSIT, OUT_FOR_DELIVERY, DELIVERED at the given
         times (default: start, default now, plus step_seconds, default 60,
         per step) and push them, one push each (``batch: true``: all in one
         push) -> {events: [...]}

Pushes: ``POST notify_url`` with the JSON body
``{"tracking_no": ..., "events": [event, ...]}`` (one or more events of one
waybill) and the headers ``X-Carrier-Timestamp`` (unix seconds),
``X-Carrier-Signature`` (hex HMAC-SHA256 of ``f"{timestamp}.".encode() + body``,
see ``zhongtai.signing``) and ``X-Carrier-Push-Id`` (the same on every copy
and retry). Delivered concurrently; retried with exponential backoff until
answered 2xx (up to ``notify_max_attempts``).

Fault injection (``POST /v1/control`` with any of the fields of ``Faults``;
with ``tracking_no`` the fields apply to that waybill only; ``null`` unsets a
field), ``POST /v1/control/flush`` (deliver held pushes, last first),
``POST /v1/control/reset`` (clear faults and drop held pushes),
``GET /v1/control`` (faults, held count, the recent delivery attempts).

Run it with ``SandboxCarrierServer(secret).start()`` in process or
``zhongtai sandbox-carrier --listen HOST:PORT --secret S``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from logistics.carriers.base import Milestone
from zhongtai.httpserver import ApiError, json_body
from zhongtai.sandbox import PushFaults, SandboxService, format_time, parse_time

__all__ = ["JOURNEY", "PUSH_ID_HEADER", "SIGNATURE_HEADER", "TIMESTAMP_HEADER", "Faults",
           "SandboxCarrierServer"]

TIMESTAMP_HEADER = "X-Carrier-Timestamp"
SIGNATURE_HEADER = "X-Carrier-Signature"
PUSH_ID_HEADER = "X-Carrier-Push-Id"

JOURNEY = (Milestone.ACCEPTED, Milestone.IN_TRANSIT, Milestone.OUT_FOR_DELIVERY,
           Milestone.DELIVERED)

_TRACKING_NO = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


class Faults(PushFaults):
    """What the sandbox carrier does wrong on purpose (all off by default):
    ``PushFaults``, where the API is the merchant's (subscribe, query) and the
    notifications are the pushes."""


@dataclass
class _Waybill:
    tracking_no: str
    notify_url: str
    events: list[dict[str, Any]] = field(default_factory=list)


class SandboxCarrierServer(SandboxService[Faults]):
    """The carrier, in process: ``await start()``, then ``url``; ``await stop()``."""

    fault_key = "tracking_no"

    def __init__(
        self,
        secret: str,
        listen: str = "127.0.0.1:0",
        *,
        notify_max_attempts: int = 6,
        notify_backoff_seconds: float = 1.0,
        notify_timeout_seconds: float = 5.0,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        super().__init__(
            secret, listen, Faults(), name="sandbox carrier", title="sandbox carrier",
            timestamp_header=TIMESTAMP_HEADER, signature_header=SIGNATURE_HEADER,
            id_header=PUSH_ID_HEADER, notify_max_attempts=notify_max_attempts,
            notify_backoff_seconds=notify_backoff_seconds,
            notify_timeout_seconds=notify_timeout_seconds, clock=clock)
        self._waybills: dict[str, _Waybill] = {}

    # -- routes ------------------------------------------------------------

    def app(self) -> web.Application:
        app = super().app()  # with the control API
        app.router.add_post("/v1/waybills", self._subscribe)
        app.router.add_get("/v1/waybills/{tracking_no}/events", self._list_events)
        app.router.add_post("/v1/waybills/{tracking_no}/events", self._add_event)
        app.router.add_post("/v1/waybills/{tracking_no}/journey", self._journey)
        return app

    # -- the merchant's API --------------------------------------------------

    async def _subscribe(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        no = body.get("tracking_no")
        await self._api(no if isinstance(no, str) else None)
        no = _tracking_no(no)
        notify_url = body.get("notify_url")
        if not isinstance(notify_url, str) or not notify_url.startswith(("http://", "https://")):
            raise ApiError(400, "INVALID_ARGUMENT", "notify_url must be an http(s) URL")
        waybill = self._waybills.get(no)
        if waybill is None:
            waybill = self._waybills[no] = _Waybill(no, notify_url)
        waybill.notify_url = notify_url
        return web.json_response({"tracking_no": no, "notify_url": notify_url,
                                  "events": len(waybill.events)})

    async def _list_events(self, request: web.Request) -> web.Response:
        no = request.match_info["tracking_no"]
        await self._api(no)
        waybill = self._waybill(no)
        events = sorted(waybill.events, key=lambda e: (e["occurred_at"], e["event_id"]))
        return web.json_response({"tracking_no": no, "events": events})

    # -- moving packages (control) -------------------------------------------

    async def _add_event(self, request: web.Request) -> web.Response:
        waybill = self._waybill(request.match_info["tracking_no"])
        body = await json_body(request)
        at = _time(body.get("occurred_at")) if body.get("occurred_at") is not None \
            else self._now()
        event = self._append(waybill, _milestone(body.get("milestone")), at,
                             _text(body, "location"), _text(body, "description"))
        self._push(waybill, [event])
        return web.json_response(event)

    async def _journey(self, request: web.Request) -> web.Response:
        waybill = self._waybill(request.match_info["tracking_no"])
        body = await json_body(request)
        times = body.get("occurred_at")
        if times is not None:
            if not isinstance(times, list) or len(times) != len(JOURNEY):
                raise ApiError(400, "INVALID_ARGUMENT",
                               f"occurred_at must be a list of {len(JOURNEY)} times")
            ats = [_time(t) for t in times]
        else:
            start = _time(body["start"]) if body.get("start") is not None else self._now()
            step = body.get("step_seconds", 60)
            if isinstance(step, bool) or not isinstance(step, int | float) or step < 0:
                raise ApiError(400, "INVALID_ARGUMENT",
                               "step_seconds must be a non-negative number")
            ats = [start + dt.timedelta(seconds=step * i) for i in range(len(JOURNEY))]
        location = _text(body, "location")
        events = [self._append(waybill, m, at, location, m.name.lower().replace("_", " "))
                  for m, at in zip(JOURNEY, ats, strict=True)]
        if body.get("batch") is True:
            self._push(waybill, events)
        else:
            for event in events:
                self._push(waybill, [event])
        return web.json_response({"events": events})

    def _append(self, waybill: _Waybill, milestone: Milestone, at: dt.datetime,
                location: str, description: str) -> dict[str, Any]:
        event = {
            "event_id": f"evt{secrets.token_hex(8)}",
            "tracking_no": waybill.tracking_no,
            "milestone": milestone.name,
            "occurred_at": format_time(at),
            "location": location,
            "description": description,
        }
        waybill.events.append(event)
        return event

    def _push(self, waybill: _Waybill, events: Sequence[dict[str, Any]]) -> None:
        body = json.dumps({"tracking_no": waybill.tracking_no, "events": list(events)},
                          separators=(",", ":"), ensure_ascii=False).encode()
        self.notify(waybill.notify_url, body, waybill.tracking_no, id_prefix="psh")

    def _waybill(self, tracking_no: str) -> _Waybill:
        waybill = self._waybills.get(tracking_no)
        if waybill is None:
            raise ApiError(404, "WAYBILL_NOT_FOUND", f"no waybill {tracking_no!r}")
        return waybill

def _tracking_no(value: object) -> str:
    if not isinstance(value, str) or not _TRACKING_NO.match(value):
        raise ApiError(400, "INVALID_ARGUMENT",
                       "tracking_no must be 1-64 characters of A-Z a-z 0-9 _ . : -")
    return value


def _milestone(value: object) -> Milestone:
    if not isinstance(value, str) or value not in Milestone.__members__:
        raise ApiError(400, "INVALID_ARGUMENT",
                       f"milestone must be one of {', '.join(Milestone.__members__)}")
    return Milestone[value]


def _time(value: object) -> dt.datetime:
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return parse_time(value)
    except ValueError:
        raise ApiError(400, "INVALID_ARGUMENT",
                       f"{value!r} is not an RFC 3339 time with a zone") from None


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name, "")
    if not isinstance(value, str) or len(value) > 256:
        raise ApiError(400, "INVALID_ARGUMENT", f"{name} must be a string (<= 256)")
    return value
