"""zhongtai.signing (signed pushes) and the listen strings of zhongtai.httpserver."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import pytest

from zhongtai import signing
from zhongtai.httpserver import split_listen, url_of

SECRET = "s3cret"
TS, SIG = "X-Ts", "X-Sig"
NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
BODY = b'{"a":1}'


def headers(timestamp: int | str, body: bytes = BODY, secret: str = SECRET) -> dict[str, str]:
    return {TS: str(timestamp), SIG: signing.sign(secret, str(timestamp), body)}


def verify(h: dict[str, str], body: bytes = BODY, now: dt.datetime = NOW,
           tolerance: float = 300.0) -> None:
    signing.verify(SECRET, h, body, now, tolerance, timestamp_header=TS, signature_header=SIG)


def reason(h: dict[str, str], body: bytes = BODY, now: dt.datetime = NOW) -> str:
    with pytest.raises(signing.SignatureRejected) as e:
        verify(h, body, now)
    assert str(e.value)  # a message says why
    return e.value.reason


def test_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    expected = hmac.new(b"k", b"17." + BODY, hashlib.sha256).hexdigest()
    assert signing.sign("k", "17", BODY) == expected
    assert signing.sign("k", "18", BODY) != expected


def test_a_fresh_push_is_accepted_with_any_header_case() -> None:
    now = int(NOW.timestamp())
    verify(headers(now))
    verify({k.lower(): v for k, v in headers(now).items()})
    verify({TS: str(now), SIG: signing.sign(SECRET, str(now), BODY).upper()})
    verify(headers(now), now=NOW.replace(tzinfo=None))  # naive now is UTC


def test_forged_changed_or_unsigned_pushes_are_bad_signatures() -> None:
    now = int(NOW.timestamp())
    assert reason({}) == signing.BAD_SIGNATURE
    assert reason({TS: str(now)}) == signing.BAD_SIGNATURE
    assert reason(headers(now, secret="other")) == signing.BAD_SIGNATURE
    assert reason(headers(now), b'{"a":2}') == signing.BAD_SIGNATURE
    assert reason({**headers(now), TS: str(now + 1)}) == signing.BAD_SIGNATURE
    assert reason({**headers(now), SIG: "zz" * 32}) == signing.BAD_SIGNATURE


def test_timestamps_outside_the_tolerance_are_stale_or_future() -> None:
    now = int(NOW.timestamp())
    assert reason(headers(now - 301)) == signing.STALE
    assert reason(headers(now + 301)) == signing.FUTURE
    verify(headers(now - 300))
    verify(headers(now + 300))
    assert reason(headers("not-a-time")) == signing.MALFORMED


def test_signed_headers_sign_now_or_as_long_ago_as_asked() -> None:
    fresh = signing.signed_headers(SECRET, BODY, timestamp_header=TS, signature_header=SIG)
    now = dt.datetime.now(dt.UTC)
    verify(fresh, now=now)
    old = signing.signed_headers(SECRET, BODY, timestamp_header=TS, signature_header=SIG,
                                 age_seconds=3600)
    assert reason(old, now=now) == signing.STALE
    ahead = signing.signed_headers(SECRET, BODY, timestamp_header=TS, signature_header=SIG,
                                   age_seconds=-3600)
    assert reason(ahead, now=now) == signing.FUTURE


def test_listen_strings() -> None:
    assert split_listen("127.0.0.1:0") == ("127.0.0.1", 0)
    assert split_listen("[::]:8080") == ("::", 8080)
    assert split_listen("[::1]:80") == ("::1", 80)
    assert split_listen(":9") == ("127.0.0.1", 9)
    for bad in ("localhost", "host:port", "1.2.3.4:"):
        with pytest.raises(ValueError):
            split_listen(bad)
    assert url_of("0.0.0.0", 5) == "http://127.0.0.1:5"
    assert url_of("::", 5) == "http://[::1]:5"
    assert url_of("::1", 5) == "http://[::1]:5"
    assert url_of("example.org", 5) == "http://example.org:5"
