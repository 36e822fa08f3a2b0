"""The sandbox wallet provider: an HTTP service that behaves like a real one.

State is in memory (it is a sandbox), but the protocol is a real provider's:
trades opened idempotently by the merchant's ``out_trade_no``, paid by a
buyer on a pay page, closed by the merchant (a paid trade stays paid),
refunded in parts (never more than was paid, idempotent by ``out_refund_no``,
settled asynchronously), a daily statement, and signed notifications posted to
the merchant and retried with backoff until it answers 2xx. A refund's
``amount`` is order money (an instant discount included, like WeChat Pay's
``amount.refund``); of it the payer gets ``payer_amount`` back and
``channel_discount_amount`` returns the discount, the buyer's money first
(``zhongtai.money.refund_split``). Refund views, notifications and statement
rows carry both; the statement's ``amount`` is the order money (退款金额),
``channel_discount_amount`` the discount's part (充值券退款金额).

API (JSON bodies; errors are ``{"code": ..., "message": ...}`` with 400, 404
or 409, or the injected status)::

    POST /v1/trades                       {out_trade_no, amount, currency, subject, notify_url}
    GET  /v1/trades/{out_trade_no}
    POST /v1/trades/{out_trade_no}/close
    POST /v1/trades/{out_trade_no}/pay    {force} (the buyer; force captures a CLOSED trade)
    GET  /pay/{out_trade_no}              the pay page (a form posting to .../pay)
    POST /v1/refunds                      {out_trade_no, out_refund_no, amount[, currency]}
    GET  /v1/refunds/{out_refund_no}
    GET  /v1/statements/{YYYY-MM-DD}      JSON lines (``?format=csv`` for CSV)
    POST /v1/splits, GET /v1/trades/{no}/splits   split settlement (sandbox_splits)

Notifications: ``POST notify_url`` with the JSON body
``{type, out_trade_no, out_refund_no, status, transaction_id, amount, currency, time}``
(a payment also has ``paid_amount``, what the buyer paid, and a refund
``payer_amount``; both ``channel_discount_amount``, what the channel funded:
an instant discount; they add up to ``amount``, which the merchant gets)
and the headers ``X-Sandbox-Timestamp`` (unix seconds),
``X-Sandbox-Signature`` (hex HMAC-SHA256 of ``f"{timestamp}.".encode() + body``)
and ``X-Sandbox-Notification-Id`` (the same on every copy and retry).

Fault injection (``POST /v1/control`` with any of the fields of ``Faults``;
with ``out_trade_no`` the fields apply to that trade only; ``null`` unsets a
field), ``POST /v1/control/flush`` (deliver held notifications, last first),
``POST /v1/control/settle`` (settle pending refunds now),
``POST /v1/control/reset`` (clear faults and drop held notifications),
``POST /v1/control/statement`` (plant a difference in the statement, for
reconciliation tests: ``payment.sandbox_statement``),
``GET /v1/control`` (faults, held count, the recent delivery attempts).

Run it with ``SandboxServer(secret).start()`` in process or
``zhongtai sandbox --listen HOST:PORT --secret S``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import json
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from aiohttp import web

from payment.sandbox_splits import SplitBook
from payment.sandbox_statement import Statement
from zhongtai.httpserver import ApiError, json_body
from zhongtai.money import refund_split
from zhongtai.sandbox import PushFaults, SandboxService, format_time, parse_time
from zhongtai.signing import sign

__all__ = ["NOTIFICATION_ID_HEADER", "SIGNATURE_HEADER", "TIMESTAMP_HEADER", "Faults",
           "SandboxServer", "format_time", "parse_time", "sign"]

log = logging.getLogger(__name__)

TIMESTAMP_HEADER = "X-Sandbox-Timestamp"
SIGNATURE_HEADER = "X-Sandbox-Signature"
NOTIFICATION_ID_HEADER = "X-Sandbox-Notification-Id"

PENDING, SUCCEEDED, CLOSED, FAILED = "PENDING", "SUCCEEDED", "CLOSED", "FAILED"

_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class Faults(PushFaults):
    """What the sandbox does wrong on purpose (all off by default): the
    notification and API faults of ``PushFaults``, and these."""

    # Refunds settle this long after they are accepted (0: in the answer).
    refund_delay_seconds: float = 0.5
    # Refunds settle as FAILED (the money stays refundable).
    refund_fail: bool = False
    # A random instant discount (随机立减) the channel funds itself: taken off
    # what the buyer pays when a trade is paid (at most amount - 1). The
    # merchant still gets the full amount and refunds it in full, the buyer's
    # money first.
    instant_discount: int = 0


@dataclass
class _Trade:
    out_trade_no: str
    amount: int
    currency: str
    subject: str
    notify_url: str
    created_at: dt.datetime
    status: str = PENDING
    transaction_id: str = ""
    paid_at: dt.datetime | None = None
    refund_nos: list[str] = field(default_factory=list)
    # What the channel funded itself (instant discount), set when paid.
    channel_discount_amount: int = 0

    @property
    def paid_amount(self) -> int:
        """What the buyer paid (0 until paid)."""
        return self.amount - self.channel_discount_amount if self.status == SUCCEEDED else 0

    def view(self, refunded: int) -> dict[str, Any]:
        return {
            "out_trade_no": self.out_trade_no,
            "status": self.status,
            "amount": self.amount,
            "paid_amount": self.paid_amount,
            "channel_discount_amount": self.channel_discount_amount,
            "currency": self.currency,
            "subject": self.subject,
            "transaction_id": self.transaction_id,
            "paid_at": format_time(self.paid_at) if self.paid_at else None,
            "refunded_amount": refunded,
            "created_at": format_time(self.created_at),
        }


@dataclass
class _Refund:
    out_refund_no: str
    out_trade_no: str
    amount: int
    currency: str
    created_at: dt.datetime
    # Of amount, the instant discount returned (the payer gets the rest).
    channel_discount_amount: int = 0
    status: str = PENDING
    settled_at: dt.datetime | None = None

    def view(self) -> dict[str, Any]:
        return {
            "out_refund_no": self.out_refund_no,
            "out_trade_no": self.out_trade_no,
            "status": self.status,
            "amount": self.amount,
            "payer_amount": self.amount - self.channel_discount_amount,
            "channel_discount_amount": self.channel_discount_amount,
            "currency": self.currency,
            "created_at": format_time(self.created_at),
            "settled_at": format_time(self.settled_at) if self.settled_at else None,
        }


class SandboxServer(SandboxService[Faults]):
    """The provider, in process: ``await start()``, then ``url``; ``await stop()``."""

    fault_key = "out_trade_no"

    def __init__(
        self,
        secret: str,
        listen: str = "127.0.0.1:0",
        *,
        public_url: str | None = None,
        refund_delay_seconds: float = 0.5,
        notify_max_attempts: int = 6,
        notify_backoff_seconds: float = 1.0,
        notify_timeout_seconds: float = 5.0,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        super().__init__(
            secret, listen, Faults(refund_delay_seconds=refund_delay_seconds), name="sandbox",
            title="sandbox payment provider", timestamp_header=TIMESTAMP_HEADER,
            signature_header=SIGNATURE_HEADER, id_header=NOTIFICATION_ID_HEADER,
            notify_max_attempts=notify_max_attempts,
            notify_backoff_seconds=notify_backoff_seconds,
            notify_timeout_seconds=notify_timeout_seconds, clock=clock)
        self._public_url = public_url.rstrip("/") if public_url else None
        self._trades: dict[str, _Trade] = {}
        self._refunds: dict[str, _Refund] = {}
        self.statement = Statement()
        self._settlements: dict[str, asyncio.Task[None]] = {}
        self.splits = SplitBook()

    # -- routes ------------------------------------------------------------

    def app(self) -> web.Application:
        app = super().app()  # with the control API
        app.router.add_post("/v1/trades", self._create_trade)
        app.router.add_get("/v1/trades/{out_trade_no}", self._get_trade)
        app.router.add_post("/v1/trades/{out_trade_no}/close", self._close_trade)
        app.router.add_post("/v1/trades/{out_trade_no}/pay", self._pay_trade)
        app.router.add_get("/pay/{out_trade_no}", self._pay_page)
        app.router.add_post("/v1/refunds", self._create_refund)
        app.router.add_get("/v1/refunds/{out_refund_no}", self._get_refund)
        app.router.add_get("/v1/statements/{day}", self._statement)
        app.router.add_post("/v1/splits", self._split)
        app.router.add_get("/v1/trades/{out_trade_no}/splits", self._splits_of)
        app.router.add_post("/v1/control/settle", self._settle_now)
        app.router.add_post("/v1/control/statement", self._plant)
        return app

    def _trade(self, out_trade_no: str) -> _Trade:
        trade = self._trades.get(out_trade_no)
        if trade is None:
            raise ApiError(404, "TRADE_NOT_FOUND", f"no trade {out_trade_no!r}")
        return trade

    def _refunded(self, trade: _Trade, payer: bool = False) -> int:
        """Refunded or being refunded (a FAILED refund gives the room back):
        order money, or (``payer``) what went back to the payer."""
        return sum(r.amount - (r.channel_discount_amount if payer else 0) for r in (
            self._refunds[no] for no in trade.refund_nos) if r.status != FAILED)

    def _trade_view(self, trade: _Trade) -> dict[str, Any]:
        return trade.view(self._refunded(trade))

    def _pay_url(self, out_trade_no: str) -> str:
        return f"{self._public_url or self.url}/pay/{quote(out_trade_no, safe='')}"

    # -- trades ------------------------------------------------------------

    async def _create_trade(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        no = body.get("out_trade_no")
        await self._api(no if isinstance(no, str) else None)
        no = _id(body, "out_trade_no")
        amount = _amount(body, "amount")
        currency = body.get("currency")
        if not isinstance(currency, str) or not _CURRENCY.match(currency):
            raise ApiError(400, "INVALID_ARGUMENT", "currency must be an ISO-4217 code")
        subject = body.get("subject", "")
        notify_url = body.get("notify_url")
        if not isinstance(subject, str) or len(subject) > 256:
            raise ApiError(400, "INVALID_ARGUMENT", "subject must be a string (<= 256)")
        if not isinstance(notify_url, str) or not notify_url.startswith(("http://", "https://")):
            raise ApiError(400, "INVALID_ARGUMENT", "notify_url must be an http(s) URL")
        trade = self._trades.get(no)
        if trade is None:
            trade = _Trade(no, amount, currency, subject, notify_url, self._now())
            self._trades[no] = trade
        elif (trade.amount, trade.currency, trade.subject, trade.notify_url) != (
                amount, currency, subject, notify_url):
            raise ApiError(409, "TRADE_CONFLICT",
                            f"trade {no!r} exists with other parameters")
        return web.json_response({"pay_url": self._pay_url(no), "status": trade.status})

    async def _get_trade(self, request: web.Request) -> web.Response:
        no = request.match_info["out_trade_no"]
        await self._api(no)
        return web.json_response(self._trade_view(self._trade(no)))

    async def _close_trade(self, request: web.Request) -> web.Response:
        no = request.match_info["out_trade_no"]
        await self._api(no)
        trade = self._trade(no)
        if trade.status == PENDING:
            trade.status = CLOSED
        return web.json_response(self._trade_view(trade))

    async def _pay_trade(self, request: web.Request) -> web.Response:
        """The buyer pays (a test, or a person on the pay page)."""
        no = request.match_info["out_trade_no"]
        form = request.content_type in ("application/x-www-form-urlencoded",
                                        "multipart/form-data")
        force = _truthy(request.query.get("force"))
        if form:
            force = force or _truthy((await request.post()).get("force"))
        else:
            body = await json_body(request)
            force = force or body.get("force") is True
        trade = self._trade(no)
        if trade.status == CLOSED and not force:
            raise ApiError(409, "TRADE_CLOSED",
                            f"trade {no!r} is closed (force=true captures it anyway)")
        if trade.status != SUCCEEDED:
            trade.status = SUCCEEDED
            trade.paid_at = self._now()
            discount = self._effective(no).instant_discount
            trade.channel_discount_amount = max(0, min(discount, trade.amount - 1))
            trade.transaction_id = f"sbx{trade.paid_at:%Y%m%d}{secrets.token_hex(8)}"
            d = trade.channel_discount_amount
            self._record("payment", trade, "", trade.amount, trade.paid_at, d)
            self._notify(trade, "payment", SUCCEEDED, "", trade.amount, trade.paid_at, d)
        if form:
            raise web.HTTPSeeOther(location=f"/pay/{quote(no, safe='')}")
        return web.json_response(self._trade_view(trade))

    async def _pay_page(self, request: web.Request) -> web.Response:
        no = request.match_info["out_trade_no"]
        trade = self._trade(no)
        e = html.escape
        action = e(f"/v1/trades/{quote(no, safe='')}/pay")
        if trade.status == SUCCEEDED:
            form = f"<p>Paid, transaction <code>{e(trade.transaction_id)}</code>.</p>"
        else:
            force = ('<label><input type="checkbox" name="force" value="true"> '
                     "pay anyway (the merchant closed this trade)</label><br>"
                     if trade.status == CLOSED else "")
            form = (f'<form method="post" action="{action}">{force}'
                    '<button type="submit">Pay</button></form>')
        page = (
            "<!doctype html><html><head><meta charset=\"utf-8\">"
            f"<title>Sandbox pay {e(no)}</title></head><body>"
            f"<h1>{e(trade.subject) or 'Sandbox payment'}</h1>"
            f"<p>Trade <code>{e(no)}</code>: {trade.amount} (minor units) "
            f"{e(trade.currency)}, <strong>{trade.status}</strong></p>"
            f"{form}</body></html>")
        return web.Response(text=page, content_type="text/html")

    # -- refunds -----------------------------------------------------------

    async def _create_refund(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        no = body.get("out_trade_no")
        await self._api(no if isinstance(no, str) else None)
        no = _id(body, "out_trade_no")
        refund_no = _id(body, "out_refund_no")
        amount = _amount(body, "amount")
        currency = body.get("currency")
        if currency is not None and not isinstance(currency, str):
            raise ApiError(400, "INVALID_ARGUMENT", "currency must be a string")
        refund = self._refunds.get(refund_no)
        if refund is not None:
            if (refund.out_trade_no, refund.amount) != (no, amount) or (
                    currency is not None and currency != refund.currency):
                raise ApiError(409, "REFUND_CONFLICT",
                                f"refund {refund_no!r} exists with other parameters")
            return web.json_response(refund.view())
        trade = self._trade(no)
        if currency is not None and currency != trade.currency:
            raise ApiError(400, "CURRENCY_MISMATCH",
                            f"trade {no!r} is in {trade.currency}, not {currency}")
        if trade.status != SUCCEEDED:
            raise ApiError(409, "TRADE_NOT_PAID", f"trade {no!r} is {trade.status}")
        refundable = trade.amount - self._refunded(trade)  # order money
        if amount > refundable:
            raise ApiError(409, "REFUND_EXCEEDS_PAID",
                            f"refund of {amount} exceeds what is left to refund ({refundable})")
        split = refund_split(amount, trade.paid_amount, self._refunded(trade, payer=True))
        refund = _Refund(refund_no, no, amount, trade.currency, self._now(),
                         split.channel_discount)
        self._refunds[refund_no] = refund
        trade.refund_nos.append(refund_no)
        delay = self._effective(no).refund_delay_seconds
        if delay <= 0:
            self._settle(refund)
        else:
            self._settlements[refund_no] = self._spawn(self._settle_later(refund, delay))
        return web.json_response(refund.view())

    async def _get_refund(self, request: web.Request) -> web.Response:
        refund_no = request.match_info["out_refund_no"]
        refund = self._refunds.get(refund_no)
        await self._api(refund.out_trade_no if refund else None)
        if refund is None:
            raise ApiError(404, "REFUND_NOT_FOUND", f"no refund {refund_no!r}")
        return web.json_response(refund.view())

    async def _settle_later(self, refund: _Refund, delay: float) -> None:
        await asyncio.sleep(delay)
        self._settlements.pop(refund.out_refund_no, None)
        self._settle(refund)

    def _settle(self, refund: _Refund) -> None:
        if refund.status != PENDING:
            return
        trade = self._trades[refund.out_trade_no]
        refund.settled_at = self._now()
        if self._effective(trade.out_trade_no).refund_fail:
            refund.status = FAILED
        else:
            refund.status = SUCCEEDED
            self._record("refund", trade, refund.out_refund_no, refund.amount,
                         refund.settled_at, refund.channel_discount_amount)
        self._notify(trade, "refund", refund.status, refund.out_refund_no, refund.amount,
                     refund.settled_at, refund.channel_discount_amount)

    # -- splits (payment.sandbox_splits) ------------------------------------

    async def _split(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        no = body.get("out_trade_no")
        await self._api(no if isinstance(no, str) else None)

        def capture(trade_no: str) -> tuple[str, int, str]:
            t = self._trade(trade_no)
            return t.status, t.amount - self._refunded(t), t.currency

        return web.json_response(self.splits.answer(body, _id, _amount, capture, self._now()))

    async def _splits_of(self, request: web.Request) -> web.Response:
        no = request.match_info["out_trade_no"]
        return web.json_response([s.view() for s in self.splits.of_trade(no)])

    # -- statements (payment.sandbox_statement) ------------------------------

    def _record(self, kind: str, trade: _Trade, refund_no: str, amount: int,
                at: dt.datetime, discount: int) -> None:
        self.statement.record(kind, trade.out_trade_no, refund_no, trade.transaction_id,
                              amount, trade.currency, at, discount)

    async def _statement(self, request: web.Request) -> web.Response:
        await self._api(None)
        return self.statement.response(request.match_info["day"],
                                       request.query.get("format", "jsonl"))

    # -- notifications -----------------------------------------------------

    def _notify(self, trade: _Trade, kind: str, status: str, refund_no: str, amount: int,
                at: dt.datetime, discount: int) -> None:
        fields: dict[str, Any] = {
            "type": kind, "out_trade_no": trade.out_trade_no, "out_refund_no": refund_no,
            "status": status, "transaction_id": trade.transaction_id, "amount": amount,
            "currency": trade.currency, "time": format_time(at),
            "channel_discount_amount": discount,
            "paid_amount" if kind == "payment" else "payer_amount": amount - discount}
        body = json.dumps(fields, separators=(",", ":")).encode()
        self.notify(trade.notify_url, body, trade.out_trade_no)

    # -- control -----------------------------------------------------------

    async def _settle_now(self, request: web.Request) -> web.Response:
        pending = list(self._settlements)
        for refund_no in pending:
            self._settlements.pop(refund_no).cancel()
            self._settle(self._refunds[refund_no])
        return web.json_response({"settled": len(pending)})

    async def _plant(self, request: web.Request) -> web.Response:
        """Change the statement (never the trades): a planted difference."""
        body = await json_body(request)
        return web.json_response({"planted": self.statement.plant(body, _id, _amount)})


def _id(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not _ID.match(value):
        raise ApiError(400, "INVALID_ARGUMENT",
                        f"{name} must be 1-64 characters of A-Z a-z 0-9 _ . : -")
    return value


def _amount(body: dict[str, Any], name: str) -> int:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ApiError(400, "INVALID_ARGUMENT", f"{name} must be a positive integer "
                        "(minor units)")
    return value


def _truthy(value: object) -> bool:
    return isinstance(value, str) and value.lower() in ("1", "true", "on", "yes")

