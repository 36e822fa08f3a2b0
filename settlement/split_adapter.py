"""The split adapter: how a split instruction reaches the payment channel,
and the sandbox channel's (its ``POST /v1/splits`` over HTTP).

``split`` is idempotent by the split id (the channel's ``out_split_no``):
asked again it answers as it did the first time, so a retry or a
redelivery is applied once at the channel. It answers confirmed (with the
channel's reference) or refused (with the channel's reason, final);
``SplitUnavailable`` when the channel could not be asked or answered
nothing final (the timer retries).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp


@dataclass(frozen=True)
class SplitResult:
    confirmed: bool
    reference: str = ""
    reason: str = ""


class SplitUnavailable(Exception):
    """The channel could not be asked (retry later)."""


class SplitAdapter(Protocol):
    async def split(self, split_id: str, trade_no: str, seller_id: str, amount: int,
                    currency: str) -> SplitResult: ...


class SandboxSplitAdapter:
    """The sandbox channel's splits, at ``base_url``: 200 answers the split
    (SUCCEEDED or REFUSED with its reason); another 4xx (but 408 and 429) is
    a final refusal (its code and message); 408, 429, 5xx, a timeout or no connection are
    ``SplitUnavailable``."""

    def __init__(self, base_url: str, timeout_seconds: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = aiohttp.ClientTimeout(total=timeout_seconds)

    async def split(self, split_id: str, trade_no: str, seller_id: str, amount: int,
                    currency: str) -> SplitResult:
        url = f"{self.base_url}/v1/splits"
        body = {"out_split_no": split_id, "out_trade_no": trade_no, "payee": seller_id,
                "amount": amount, "currency": currency}
        try:
            async with aiohttp.ClientSession(timeout=self.timeout) as http, \
                    http.post(url, json=body) as response:
                status = response.status
                answer: dict[str, Any] = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as e:
            raise SplitUnavailable(f"{url}: {e!r}") from None
        if status == 200 and answer.get("status") == "SUCCEEDED":
            return SplitResult(True, reference=str(answer.get("split_transaction_id", "")))
        if status == 200 and answer.get("status") == "REFUSED":
            return SplitResult(False, reason=str(answer.get("reason", "refused")))
        if 400 <= status < 500 and status not in (408, 429):
            return SplitResult(False, reason=f"{answer.get('code')}: {answer.get('message')}")
        raise SplitUnavailable(f"{url}: HTTP {status} {answer!r}")
