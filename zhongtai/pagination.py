"""AIP-158 pagination: page_size with a default and a cap, opaque page tokens,
and one page of a query in key order."""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Column, Row, Select
from sqlalchemy.ext.asyncio import AsyncSession

from zhongtai.errors import InvalidArgument

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


def page_size(requested: int) -> int:
    if requested < 0:
        raise InvalidArgument.field("page_size", "must not be negative")
    return min(requested or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def _fingerprint(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()[:8]


def encode_token(last_key: str, query: str = "") -> str:
    """A token for the page after ``last_key``, bound to the query's filters."""
    raw = f"{_fingerprint(query)}:{last_key}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, query: str = "") -> str | None:
    """The last key of the previous page; INVALID_ARGUMENT if the token is not ours."""
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        fingerprint, _, last_key = raw.partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidArgument.field("page_token", "is not a valid page token") from None
    if fingerprint != _fingerprint(query) or not last_key:
        raise InvalidArgument.field(
            "page_token", "does not belong to this query (filters changed?)"
        )
    return last_key



class PageRequest(Protocol):
    """A List request (AIP-158): its page_size and page_token fields."""

    page_size: int
    page_token: str


@dataclass
class Page:
    """A page asked for as plain values (a ``PageRequest``), for use cases
    that take the page size and token rather than a request message."""

    page_size: int
    page_token: str


async def page(session: AsyncSession, query: Select[Any], key: Column[Any],
               request: PageRequest, query_key: str, *,
               descending: bool = False) -> tuple[Sequence[Row[Any]], str]:
    """One page of ``query`` in ``key`` order (ascending unless ``descending``):
    the rows after the request's page token, at most its page size, and the
    token of the next page ("" after the last). ``query_key`` names the
    query's filters: a token from another query is INVALID_ARGUMENT."""
    size = page_size(request.page_size)
    after = decode_token(request.page_token, query_key)
    query = query.order_by(key.desc() if descending else key).limit(size + 1)
    if after:
        query = query.where(key < after if descending else key > after)
    rows = (await session.execute(query)).all()
    token = ""
    if len(rows) > size:
        token = encode_token(str(rows[size - 1]._mapping[key]), query_key)
    return rows[:size], token
