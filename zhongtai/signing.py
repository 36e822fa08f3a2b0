"""Signed HTTP pushes: HMAC-SHA256 over a timestamp and the body.

What sandbox providers (the wallet provider, the carrier) put on the
notifications they push, and what their adapters check: a timestamp header
(unix seconds) and a signature header, the hex HMAC-SHA256 of
``f"{timestamp}.".encode() + body`` with a shared secret. A push is accepted
only when the signature matches and the timestamp is within a tolerance of
now, in the past (``STALE``) and in the future (``FUTURE``), so a captured
push cannot be replayed later.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Collection, Mapping, Sequence

__all__ = [
    "BAD_SIGNATURE",
    "FUTURE",
    "MALFORMED",
    "STALE",
    "SignatureRejected",
    "header",
    "push_secrets",
    "sign",
    "signed_headers",
    "verify",
]

# The reasons of SignatureRejected.
BAD_SIGNATURE = "BAD_SIGNATURE"  # missing headers, or the signature does not match
MALFORMED = "MALFORMED"  # a signed timestamp that is not unix seconds
STALE = "STALE"  # signed longer ago than the tolerance
FUTURE = "FUTURE"  # signed further in the future than the tolerance

_TIMESTAMP = re.compile(r"^\d{1,12}$")


class SignatureRejected(Exception):
    """A push that is not the signer's, or not now. ``reason`` is one of
    BAD_SIGNATURE, MALFORMED, STALE, FUTURE."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature: hex HMAC-SHA256 over ``"{timestamp}." + body``."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, *, timestamp_header: str, signature_header: str,
                   age_seconds: float = 0.0) -> dict[str, str]:
    """The two headers of a push signed now (``age_seconds`` ago: a sandbox
    fault; negative is in the future)."""
    timestamp = str(int(time.time() - age_seconds))
    return {timestamp_header: timestamp, signature_header: sign(secret, timestamp, body)}


def verify(secrets: str | Sequence[str], headers: Mapping[str, str], body: bytes,
           now: dt.datetime, tolerance_seconds: float, *, timestamp_header: str,
           signature_header: str) -> None:
    """Checks a push; raises SignatureRejected (with the reason) if it is not
    signed with one of ``secrets`` (the current one and, while rotating, the
    previous one; empty ones are ignored) or its timestamp is more than
    ``tolerance_seconds`` from ``now`` (a naive ``now`` is taken as UTC)."""
    timestamp = header(headers, timestamp_header)
    signature = header(headers, signature_header)
    if not timestamp or not signature:
        raise SignatureRejected(BAD_SIGNATURE, "missing timestamp or signature header")
    given = signature.strip().lower().encode()
    keys = [secrets] if isinstance(secrets, str) else list(secrets)
    if not any(hmac.compare_digest(sign(k, timestamp, body).encode(), given)
               for k in keys if k):
        raise SignatureRejected(BAD_SIGNATURE, "the signature does not match")
    if not _TIMESTAMP.match(timestamp):
        raise SignatureRejected(MALFORMED, f"bad timestamp {timestamp!r}")
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.UTC)
    age = now.timestamp() - int(timestamp)
    if age > tolerance_seconds:
        raise SignatureRejected(STALE, f"signed {age:.0f}s ago")
    if -age > tolerance_seconds:
        raise SignatureRejected(FUTURE, f"signed {-age:.0f}s in the future")


# A shared secret a service on its own accepts: at least this long.
MIN_SECRET_LENGTH = 16


def push_secrets(current: str, previous: str, *, variable: str, embedded: bool,
                 in_process: bool, development: Collection[str]) -> tuple[str, str]:
    """The secret a provider's pushes are signed with, and the previous one
    ("": none) also accepted while rotating.

    Embedded (every service in one process) with none configured and the
    provider run in process: a random secret made at each start (the
    in-process provider signs with it). Otherwise one must be configured
    (``variable``, or ``<variable>_FILE``), and outside the embedded mode
    neither may be a ``development`` secret or shorter than
    ``MIN_SECRET_LENGTH``. Raises ValueError (the service does not start)."""
    if not current:
        if embedded and in_process:
            return secrets.token_urlsafe(32), previous
        raise ValueError(f"a shared secret is needed: set {variable} (or {variable}_FILE)")
    if not embedded:
        for suffix, value in (("", current), ("_PREVIOUS", previous)):
            if value and (value in development or len(value) < MIN_SECRET_LENGTH):
                raise ValueError(f"{variable}{suffix} is a development secret or shorter than "
                                 f"{MIN_SECRET_LENGTH} characters; set a secret of your own")
    return current, previous


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by name, case-insensitively even in a plain dict."""
    value = headers.get(name)
    if value is not None:
        return value
    lower = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lower), None)
