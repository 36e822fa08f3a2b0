"""Calling a provider's JSON API: ``JsonClient``, an adapter's calls (a
payment channel's, a carrier's) with retryable and final errors, raised as the
adapter's own error class (``CallErrorFactory``).
"""

from __future__ import annotations

import json
from typing import Any, Protocol

import aiohttp

__all__ = ["JsonClient"]


class CallErrorFactory(Protocol):
    """An adapter's error class (a ChannelError, a CarrierError, ...)."""

    def __call__(self, message: str, *, retryable: bool, status: int = 0,
                 code: str = "") -> Exception: ...


class JsonClient:
    """Calls to a provider's JSON API: one ``aiohttp.ClientSession``
    (created on first use, closed by ``aclose``) with a connect and a total
    timeout. Failures raise ``error``: unreachable, timed out, 5xx, 408 and
    429 are retryable, other 4xx are not (with the status and the
    provider's ``code``); an answer that is not a JSON object is retryable."""

    def __init__(self, base_url: str, *, name: str, error: CallErrorFactory,
                 timeout_seconds: float, connect_timeout_seconds: float) -> None:
        self._base = base_url.rstrip("/")
        self._name = name
        self._error = error
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds,
                                              connect=connect_timeout_seconds)
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self._timeout, headers={"Accept": "application/json"})
        return self._session

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def call(self, method: str, path: str, body: dict[str, Any] | None = None, *,
                   missing_ok: bool = False) -> bytes | None:
        """The answer's body (None for a 404 when ``missing_ok``)."""
        what = f"{self._name} {method} {path}"
        try:
            async with self._http().request(method, self._base + path, json=body) as resp:
                data = await resp.read()
                status = resp.status
        except (aiohttp.ClientError, TimeoutError) as e:
            raise self._error(f"{what}: {type(e).__name__}: {e}", retryable=True) from e
        if status == 404 and missing_ok:
            return None
        if status >= 400:
            code, message = _error_of(data)
            raise self._error(f"{what}: HTTP {status} {code}: {message}",
                              retryable=status >= 500 or status in (408, 429),
                              status=status, code=code)
        return data

    async def json(self, method: str, path: str, body: dict[str, Any] | None = None, *,
                   missing_ok: bool = False) -> dict[str, Any] | None:
        """The answer as a JSON object (None for a 404 when ``missing_ok``)."""
        data = await self.call(method, path, body, missing_ok=missing_ok)
        if data is None:
            return None
        try:
            parsed = json.loads(data)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise self._error(f"{self._name} {method} {path}: not a JSON object",
                              retryable=True)
        return parsed


def _error_of(data: bytes) -> tuple[str, str]:
    try:
        d = json.loads(data)
        return str(d["code"]), str(d["message"])
    except (ValueError, TypeError, KeyError):
        return "HTTP_ERROR", data[:200].decode(errors="replace")
