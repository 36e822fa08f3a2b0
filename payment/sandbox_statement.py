"""The sandbox wallet provider's daily statement (对账单): every payment and
refund that succeeded, one row each, in time order, served by
``GET /v1/statements/{YYYY-MM-DD}`` as JSON lines (``?format=csv`` for CSV).

A row is ``STATEMENT_FIELDS``. ``amount`` is order money: what the trade
collected, or what a refund gave back of it, an instant discount included
(like WeChat Pay's bill, whose 退款金额 is the order money refunded);
``channel_discount_amount`` is the channel's own funding in it (the
discount of a payment, the part of a refund that returned it: its
充值券退款金额); the payer paid or got back the difference.

``plant`` changes rows (never the trades) for reconciliation tests:
``{reference, drop: true}``, ``{reference, amount}``, ``{reference,
status}``, ``{reference, next_day: true}`` (its time moves to 00:00:01 of
the next day) or ``{add: {<a row>}}``; ``reference`` is the
``out_refund_no`` of a refund or the ``out_trade_no`` of a payment.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable
from typing import Any

from aiohttp import web

from zhongtai.httpserver import ApiError
from zhongtai.sandbox import format_time, parse_time

STATEMENT_FIELDS = ("type", "out_trade_no", "out_refund_no", "transaction_id", "amount",
                    "currency", "time", "status", "channel_discount_amount")

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Statement:
    """The rows, in memory (it is a sandbox)."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def record(self, kind: str, out_trade_no: str, refund_no: str, transaction_id: str,
               amount: int, currency: str, at: dt.datetime, discount: int) -> None:
        """A payment or refund succeeded at ``at``."""
        self.entries.append({
            "type": kind, "out_trade_no": out_trade_no, "out_refund_no": refund_no,
            "transaction_id": transaction_id, "amount": amount, "currency": currency,
            "time": format_time(at), "status": "SUCCEEDED",
            "channel_discount_amount": discount, "_day": at.date()})

    def response(self, raw_day: str, fmt: str) -> web.Response:
        """The rows of a day (400 INVALID_ARGUMENT for a bad day)."""
        try:
            if not _DAY.match(raw_day):
                raise ValueError(raw_day)
            day = dt.date.fromisoformat(raw_day)
        except ValueError:
            raise ApiError(400, "INVALID_ARGUMENT", "the day is YYYY-MM-DD") from None
        rows = [{k: e[k] for k in STATEMENT_FIELDS} for e in self.entries if e["_day"] == day]
        if fmt == "csv":
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=STATEMENT_FIELDS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            return web.Response(text=out.getvalue(), content_type="text/csv")
        text = "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in rows)
        return web.Response(text=text, content_type="application/x-ndjson")

    def plant(self, body: dict[str, Any], id_of: Callable[[dict[str, Any], str], str],
              amount_of: Callable[[dict[str, Any], str], int]) -> int:
        """A planted difference (see the module docstring): how many rows."""
        if isinstance(body.get("add"), dict):
            row = {k: body["add"].get(k, "") for k in STATEMENT_FIELDS}
            try:
                row["_day"] = parse_time(str(row["time"])).date()
            except ValueError:
                raise ApiError(400, "INVALID_ARGUMENT", "add.time must be RFC 3339") from None
            self.entries.append(row)
            return 1
        ref = id_of(body, "reference")
        found = [e for e in self.entries if ref == (
            e["out_refund_no"] if e["type"] == "refund" else e["out_trade_no"])]
        if not found:
            raise ApiError(404, "ENTRY_NOT_FOUND", f"no statement row {ref!r}")
        for e in found:
            if body.get("drop") is True:
                self.entries.remove(e)
            if "amount" in body:
                e["amount"] = amount_of(body, "amount")
            if isinstance(body.get("status"), str):
                e["status"] = body["status"]
            if body.get("next_day") is True:
                day = e["_day"] + dt.timedelta(days=1)
                e["_day"] = day
                e["time"] = format_time(dt.datetime.combine(day, dt.time(0, 0, 1), dt.UTC))
        return len(found)
