"""The sandbox carrier's adapter (see ``logistics.sandbox_carrier``).

One ``aiohttp.ClientSession`` per adapter (``zhongtai.httpclient.JsonClient``:
created on first use, closed by ``aclose``), with a connect and a total timeout. Errors become
``CarrierError``: unreachable, timed out, 5xx, 408 and 429 are retryable
(subscribe and query are idempotent); other 4xx are not. Pushes are checked
with ``zhongtai.signing`` (signature, and a timestamp within the tolerance)
before their JSON is read.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from logistics.carriers.base import (
    Carrier,
    CarrierError,
    Milestone,
    NotificationRejected,
    TrackingEvent,
)
from logistics.sandbox_carrier import SIGNATURE_HEADER, TIMESTAMP_HEADER
from zhongtai import signing
from zhongtai.httpclient import JsonClient
from zhongtai.sandbox import parse_time

__all__ = ["SandboxCarrier", "SandboxCarrierError", "events_of"]

_MAX_TEXT = 256


class SandboxCarrierError(CarrierError):
    def __init__(self, message: str, *, retryable: bool, status: int = 0,
                 code: str = "") -> None:
        super().__init__(message, retryable=retryable)
        self.status = status  # 0: no HTTP answer
        self.code = code


class SandboxCarrier(Carrier):
    name = "sandbox"

    def __init__(self, base_url: str, secrets: str | Sequence[str],
                 tolerance_seconds: float = 300.0, *, timeout_seconds: float = 10.0,
                 connect_timeout_seconds: float = 3.0) -> None:
        """``secrets``: the push secret, or the secrets accepted on pushes
        (the current one and, while rotating, the previous one)."""
        self._secrets = [secrets] if isinstance(secrets, str) else [s for s in secrets if s]
        if not any(self._secrets):
            raise ValueError("the sandbox carrier needs the push secret")
        self._tolerance = tolerance_seconds
        self._client = JsonClient(base_url, name="sandbox carrier", error=SandboxCarrierError,
                                  timeout_seconds=timeout_seconds,
                                  connect_timeout_seconds=connect_timeout_seconds)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def subscribe(self, tracking_no: str, notify_url: str) -> None:
        await self._client.json("POST", "/v1/waybills",
                                {"tracking_no": tracking_no, "notify_url": notify_url})

    async def query(self, tracking_no: str) -> Sequence[TrackingEvent]:
        """Every event the carrier has for the waybill, in the order they
        occurred (none for a waybill it does not know)."""
        try:
            d = await self._client.json(
                "GET", f"/v1/waybills/{quote(tracking_no, safe='')}/events")
        except SandboxCarrierError as e:
            if e.status == 404 and e.code == "WAYBILL_NOT_FOUND":
                return []
            raise
        assert d is not None
        try:
            return events_of(d, tracking_no)
        except (ValueError, TypeError, KeyError) as e:
            raise SandboxCarrierError(f"sandbox carrier query: malformed answer: {e!r}",
                                      retryable=True) from e

    def verify_notification(self, headers: Mapping[str, str], body: bytes,
                            now: dt.datetime) -> Sequence[TrackingEvent]:
        try:
            signing.verify(self._secrets, headers, body, now, self._tolerance,
                           timestamp_header=TIMESTAMP_HEADER, signature_header=SIGNATURE_HEADER)
        except signing.SignatureRejected as e:
            raise NotificationRejected(e.reason, str(e)) from None
        try:
            d = json.loads(body)
            if not isinstance(d, dict):
                raise TypeError("not a JSON object")
            events = events_of(d)
        except (ValueError, TypeError, KeyError) as e:
            raise NotificationRejected("MALFORMED", f"malformed push: {e}") from None
        if not events:
            raise NotificationRejected("MALFORMED", "a push without events")
        return events


def events_of(d: Mapping[str, Any], tracking_no: str | None = None) -> list[TrackingEvent]:
    """The events of a push or a query answer ``{tracking_no, events: [...]}``:
    every event of that one waybill (ValueError, TypeError or KeyError if
    anything is missing or of the wrong kind)."""
    no = d["tracking_no"]
    if not isinstance(no, str) or not no or (tracking_no is not None and no != tracking_no):
        raise ValueError(f"unexpected tracking_no {no!r}")
    raw = d["events"]
    if not isinstance(raw, list):
        raise TypeError("events must be a list")
    return [_event(e, no) for e in raw]


def _event(e: Any, tracking_no: str) -> TrackingEvent:
    if not isinstance(e, dict):
        raise TypeError("an event must be a JSON object")
    texts = [e["event_id"], e["milestone"], e["occurred_at"], e.get("location", ""),
             e.get("description", "")]
    if not all(isinstance(t, str) for t in texts):
        raise TypeError("event_id, milestone, occurred_at, location and description "
                        "must be strings")
    event_id, milestone, occurred_at, location, description = texts
    if not event_id or len(event_id) > 64:
        raise ValueError(f"bad event_id {event_id!r}")
    if e.get("tracking_no", tracking_no) != tracking_no:
        raise ValueError(f"event {event_id} is of another waybill")
    if milestone not in Milestone.__members__:
        raise ValueError(f"unknown milestone {milestone!r}")
    return TrackingEvent(event_id=event_id, tracking_no=tracking_no,
                         milestone=Milestone[milestone], occurred_at=parse_time(occurred_at),
                         location=location[:_MAX_TEXT], description=description[:_MAX_TEXT])
