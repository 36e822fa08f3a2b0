"""The sandbox wallet provider's split settlement (分账): the merchant
(the platform) tells the provider to pay part of a captured trade to a
payee (a seller) directly.

API (JSON; errors ``{"code", "message"}``)::

    POST /v1/splits                     {out_split_no, out_trade_no, payee, amount, currency}
    GET  /v1/trades/{out_trade_no}/splits  every split asked of the trade, in order

A split is answered ``{out_split_no, out_trade_no, payee, amount, currency,
status, reason, split_transaction_id, time}`` with status ``SUCCEEDED``
(paid to the payee) or ``REFUSED`` (``reason``): beyond what the trade
captured (its amount) less its earlier SUCCEEDED splits and its refunds
(not FAILED), a trade not paid, or an amount whose minor units end in 99
(so a refusal can be planted). Idempotent by ``out_split_no``: asked again
with the same fields it answers the same (a refused split stays refused);
with other fields it is ``409 SPLIT_CONFLICT``. Splits are not in the daily
statement (it lists payments and refunds only); they are read here.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zhongtai.httpserver import ApiError
from zhongtai.sandbox import format_time

SUCCEEDED, REFUSED = "SUCCEEDED", "REFUSED"


@dataclass(frozen=True)
class Split:
    out_split_no: str
    out_trade_no: str
    payee: str
    amount: int
    currency: str
    status: str
    reason: str
    split_transaction_id: str
    time: dt.datetime

    def view(self) -> dict[str, Any]:
        return {"out_split_no": self.out_split_no, "out_trade_no": self.out_trade_no,
                "payee": self.payee, "amount": self.amount, "currency": self.currency,
                "status": self.status, "reason": self.reason,
                "split_transaction_id": self.split_transaction_id,
                "time": format_time(self.time)}


class SplitBook:
    """Every split the provider was asked for, by ``out_split_no``."""

    def __init__(self) -> None:
        self.splits: dict[str, Split] = {}

    def of_trade(self, out_trade_no: str) -> list[Split]:
        return [s for s in self.splits.values() if s.out_trade_no == out_trade_no]

    def answer(self, body: dict[str, Any], id_of: Callable[[dict[str, Any], str], str],
               amount_of: Callable[[dict[str, Any], str], int],
               capture: Callable[[str], tuple[str, int, str]], now: dt.datetime
               ) -> dict[str, Any]:
        """The answer to a request's body (its fields read by the server's
        ``id_of`` and ``amount_of``, 400 when malformed)."""
        currency = body.get("currency")
        if not isinstance(currency, str):
            raise ApiError(400, "INVALID_ARGUMENT", "currency must be an ISO-4217 code")
        return self.split(id_of(body, "out_split_no"), id_of(body, "out_trade_no"),
                          id_of(body, "payee"), amount_of(body, "amount"), currency,
                          capture, now).view()

    def split(self, no: str, trade_no: str, payee: str, amount: int, currency: str,
              capture: Callable[[str], tuple[str, int, str]], now: dt.datetime) -> Split:
        """The answer to a split of ``amount`` of trade ``trade_no`` to
        ``payee``; ``capture(trade_no)`` gives the trade's (status, amount
        captured less its refunds, currency) (``ApiError`` 404 when there is
        none)."""
        known = self.splits.get(no)
        if known is not None:
            if (known.out_trade_no, known.payee, known.amount, known.currency) != (
                    trade_no, payee, amount, currency):
                raise ApiError(409, "SPLIT_CONFLICT",
                               f"split {no!r} exists with other parameters")
            return known
        status, left, trade_currency = capture(trade_no)
        left -= sum(s.amount for s in self.of_trade(trade_no) if s.status == SUCCEEDED)
        reason = ""
        if status != SUCCEEDED:
            reason = f"trade {trade_no!r} is {status}"
        elif currency != trade_currency:
            reason = f"trade {trade_no!r} is in {trade_currency}, not {currency}"
        elif amount % 100 == 99:
            reason = "sandbox: the payee's account refused the split (amount ending in 99)"
        elif amount > left:
            reason = f"split of {amount} exceeds what is left of the capture ({left})"
        split = Split(no, trade_no, payee, amount, currency, REFUSED if reason else SUCCEEDED,
                      reason, "" if reason else f"sbxs{now:%Y%m%d}{secrets.token_hex(8)}", now)
        self.splits[no] = split
        return split
