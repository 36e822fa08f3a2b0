"""Where a channel's daily statement comes from: the ``StatementSource``
interface every channel implements, and the sandbox channel's (its
``GET /v1/statements/{day}?format=csv`` over HTTP). Settlement reads the
channel's file itself: it never reads payment's database."""

from __future__ import annotations

import abc
import csv
import datetime as dt
import io

import aiohttp

from settlement.reconciliation.matching import Txn

TYPES = {"payment": "PAY", "refund": "REFUND"}


class StatementUnavailable(Exception):
    """The statement could not be fetched or read (retry later)."""


class StatementSource(abc.ABC):
    """One channel's daily statements."""

    @abc.abstractmethod
    async def fetch(self, day: dt.date) -> list[Txn]:
        """Every row of the channel's statement of ``day`` (UTC);
        ``StatementUnavailable`` when it cannot be had."""


def parse_sandbox_csv(text: str) -> list[Txn]:
    """The rows of a sandbox statement (columns type, out_trade_no,
    out_refund_no, transaction_id, amount, currency, time, status)."""
    rows = []
    try:
        for d in csv.DictReader(io.StringIO(text)):
            kind = TYPES[d["type"]]
            ref = d["out_refund_no"] if kind == "REFUND" else d["out_trade_no"]
            time = dt.datetime.fromisoformat(d["time"]).astimezone(dt.UTC)
            rows.append(Txn(kind, ref, d["transaction_id"], int(d["amount"]), d["currency"],
                            d["status"], time))
    except (KeyError, ValueError, TypeError) as e:
        raise StatementUnavailable(f"malformed statement: {e!r}") from None
    return rows


class SandboxStatementSource(StatementSource):
    """The sandbox wallet provider's statements, at ``base_url``."""

    def __init__(self, base_url: str, timeout_seconds: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = aiohttp.ClientTimeout(total=timeout_seconds)

    async def fetch(self, day: dt.date) -> list[Txn]:
        url = f"{self.base_url}/v1/statements/{day.isoformat()}?format=csv"
        try:
            async with aiohttp.ClientSession(timeout=self.timeout) as http, \
                    http.get(url) as response:
                text = await response.text()
                if response.status != 200:
                    raise StatementUnavailable(f"{url}: HTTP {response.status}")
        except (aiohttp.ClientError, TimeoutError) as e:
            raise StatementUnavailable(f"{url}: {e!r}") from None
        return parse_sandbox_csv(text)
