"""AIP-158 pagination: page_size with a default and a cap, opaque page tokens."""

from __future__ import annotations

import base64
import binascii
import hashlib

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
