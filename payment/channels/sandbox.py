"""The sandbox wallet provider's adapter (see ``payment.sandbox_server``).

One ``aiohttp.ClientSession`` per channel (``zhongtai.httpclient.JsonClient``:
created on first use, closed by ``aclose``), with a connect and a total timeout. Errors become
``ChannelError``: unreachable, timed out, 5xx, 408 and 429 are retryable
(every call is idempotent on the provider's side, so retrying is safe); other
4xx are not. ``SandboxChannelError`` (a ``ChannelError``) also carries the
HTTP status and the provider's error code (e.g. ``REFUND_EXCEEDS_PAID``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

from payment.channels.base import (
    Channel,
    ChannelError,
    ChannelTrade,
    Notification,
    NotificationRejected,
    PayParams,
    RefundState,
    RefundStatus,
    StatementLine,
    TradeState,
    TradeStatus,
)
from payment.sandbox_server import SIGNATURE_HEADER, TIMESTAMP_HEADER, parse_time
from zhongtai import signing
from zhongtai.httpclient import JsonClient

_TRADE_STATES = {s.value for s in TradeState} - {TradeState.NOT_FOUND.value}
_REFUND_STATES = {s.value for s in RefundState} - {RefundState.NOT_FOUND.value}


class SandboxChannelError(ChannelError):
    def __init__(self, message: str, *, retryable: bool, status: int = 0,
                 code: str = "") -> None:
        super().__init__(message, retryable=retryable)
        self.status = status  # 0: no HTTP answer
        self.code = code


class SandboxChannel(Channel):
    name = "sandbox"

    def __init__(self, base_url: str, secret: str, tolerance_seconds: float = 300.0, *,
                 previous_secret: str = "", timeout_seconds: float = 10.0,
                 connect_timeout_seconds: float = 3.0) -> None:
        if not secret:
            raise ValueError("the sandbox channel needs the notification secret")
        # Notifications signed with either are accepted (``previous_secret``:
        # while the provider's secret is rotated).
        self._secrets = (secret, previous_secret)
        self._tolerance = tolerance_seconds
        self._client = JsonClient(base_url, name="sandbox", error=SandboxChannelError,
                                  timeout_seconds=timeout_seconds,
                                  connect_timeout_seconds=connect_timeout_seconds)
        self._call = self._client.call
        self._json = self._client.json

    async def aclose(self) -> None:
        await self._client.aclose()

    # -- Channel -----------------------------------------------------------

    async def create(self, trade: ChannelTrade) -> PayParams:
        d = await self._json("POST", "/v1/trades", {
            "out_trade_no": trade.attempt_id, "amount": trade.amount,
            "currency": trade.currency, "subject": trade.subject,
            "notify_url": trade.notify_url,
        })
        assert d is not None
        with _malformed("create"):
            status, pay_url = str(d["status"]), str(d["pay_url"])
        if status == TradeState.CLOSED.value:
            raise SandboxChannelError(f"sandbox trade {trade.attempt_id} is closed",
                                      retryable=False, status=200, code="TRADE_CLOSED")
        return PayParams(pay_url=pay_url)

    async def query(self, attempt_id: str) -> TradeStatus:
        d = await self._json("GET", f"/v1/trades/{_seg(attempt_id)}", missing_ok=True)
        return _trade_status(attempt_id, d)

    async def close(self, attempt_id: str) -> TradeStatus:
        d = await self._json("POST", f"/v1/trades/{_seg(attempt_id)}/close", missing_ok=True)
        return _trade_status(attempt_id, d)

    async def refund(self, attempt_id: str, refund_id: str, amount: int,
                     currency: str) -> RefundStatus:
        d = await self._json("POST", "/v1/refunds", {
            "out_trade_no": attempt_id, "out_refund_no": refund_id, "amount": amount,
            "currency": currency,
        })
        return _refund_status(refund_id, d)

    async def query_refund(self, refund_id: str) -> RefundStatus:
        d = await self._json("GET", f"/v1/refunds/{_seg(refund_id)}", missing_ok=True)
        return _refund_status(refund_id, d)

    async def fetch_statement(self, day: dt.date) -> list[StatementLine]:
        data = await self._call("GET", f"/v1/statements/{day.isoformat()}")
        assert data is not None
        lines = []
        with _malformed("statement"):
            for raw in data.decode().splitlines():
                if not raw.strip():
                    continue
                d = json.loads(raw)
                lines.append(StatementLine(
                    kind=str(d["type"]), attempt_id=str(d["out_trade_no"]),
                    refund_id=str(d["out_refund_no"]),
                    channel_transaction_id=str(d["transaction_id"]), amount=int(d["amount"]),
                    currency=str(d["currency"]), at=parse_time(d["time"]),
                    channel_discount_amount=int(d.get("channel_discount_amount") or 0)))
        return lines

    def verify_notification(self, headers: Mapping[str, str], body: bytes,
                            now: dt.datetime) -> Notification:
        try:
            signing.verify(self._secrets, headers, body, now, self._tolerance,
                           timestamp_header=TIMESTAMP_HEADER, signature_header=SIGNATURE_HEADER)
        except signing.SignatureRejected as e:
            raise NotificationRejected(e.reason, str(e)) from None
        try:
            return _notification(json.loads(body))
        except (ValueError, TypeError, KeyError) as e:
            raise NotificationRejected("MALFORMED", f"malformed notification: {e}") from None


def _notification(d: Any) -> Notification:
    if not isinstance(d, dict):
        raise TypeError("not a JSON object")
    kind = d["type"]
    states = {"payment": _TRADE_STATES, "refund": _REFUND_STATES}.get(kind)
    if states is None:
        raise ValueError(f"unknown type {kind!r}")
    state = d["status"]
    if state not in states:
        raise ValueError(f"unknown {kind} status {state!r}")
    strings = [d[k] for k in ("out_trade_no", "out_refund_no", "transaction_id", "currency",
                              "time")]
    if not all(isinstance(s, str) for s in strings):
        raise TypeError("out_trade_no, out_refund_no, transaction_id, currency and time "
                        "must be strings")
    amount = d["amount"]
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise TypeError("amount must be a non-negative integer")
    if not d["out_trade_no"] or (kind == "refund" and not d["out_refund_no"]):
        raise ValueError("out_trade_no (and out_refund_no of a refund) must not be empty")
    return Notification(
        kind=kind, attempt_id=d["out_trade_no"], state=state, amount=amount,
        currency=d["currency"], channel_transaction_id=d["transaction_id"],
        refund_id=d["out_refund_no"], occurred_at=parse_time(d["time"]),
        channel_discount_amount=_discount(
            d, amount, "paid_amount" if kind == "payment" else "payer_amount"))


def _discount(d: dict[str, Any], amount: int, paid_key: str = "paid_amount") -> int:
    """The channel-funded part of a paid trade or of a refund (0 when not
    reported): within the amount and, with what the payer paid or got back
    (``paid_key``), adding up to it."""
    discount = d.get("channel_discount_amount") or 0
    if isinstance(discount, bool) or not isinstance(discount, int) or not (
            0 <= discount <= amount):
        raise ValueError(f"channel_discount_amount {discount!r} is not within 0-{amount}")
    paid = d.get(paid_key)
    if discount and paid is not None and paid != amount - discount:
        raise ValueError(f"{paid_key} {paid!r} + channel_discount_amount {discount} "
                         f"is not the amount {amount}")
    return discount


def _trade_status(attempt_id: str, d: dict[str, Any] | None) -> TradeStatus:
    if d is None:
        return TradeStatus(attempt_id=attempt_id, state=TradeState.NOT_FOUND)
    with _malformed("trade"):
        return TradeStatus(
            attempt_id=attempt_id, state=TradeState(d["status"]), amount=int(d["amount"]),
            currency=str(d["currency"]), channel_transaction_id=str(d["transaction_id"] or ""),
            paid_at=parse_time(d["paid_at"]) if d.get("paid_at") else None,
            channel_discount_amount=_discount(d, int(d["amount"])))


def _refund_status(refund_id: str, d: dict[str, Any] | None) -> RefundStatus:
    if d is None:
        return RefundStatus(refund_id=refund_id, attempt_id="", state=RefundState.NOT_FOUND)
    with _malformed("refund"):
        return RefundStatus(
            refund_id=refund_id, attempt_id=str(d["out_trade_no"]),
            state=RefundState(d["status"]), amount=int(d["amount"]),
            currency=str(d["currency"]),
            channel_discount_amount=_discount(d, int(d["amount"]), "payer_amount"))


@contextlib.contextmanager
def _malformed(what: str) -> Iterator[None]:
    """Turns an answer that does not parse into a retryable ChannelError."""
    try:
        yield
    except (ValueError, TypeError, KeyError) as e:
        raise SandboxChannelError(f"sandbox {what}: malformed answer: {e!r}",
                                  retryable=True) from e


def _seg(value: str) -> str:
    return quote(value, safe="")
