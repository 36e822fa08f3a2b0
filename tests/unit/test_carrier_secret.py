"""The carrier's push secret (logistics.carrier_setup.with_secret): no fixed
default outside the embedded mode, random when embedded, the previous
secret accepted while rotating; `zhongtai sandbox-carrier` needs one."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest

from logistics.app import SERVICE as LOGISTICS
from logistics.carrier_setup import DEVELOPMENT_SECRET, with_secret
from logistics.carriers.base import NotificationRejected
from logistics.carriers.sandbox import SandboxCarrier
from logistics.sandbox_carrier import SIGNATURE_HEADER, TIMESTAMP_HEADER
from logistics.settings import LogisticsSettings
from zhongtai import cli, signing
from zhongtai.config import Settings
from zhongtai.service import ServiceContext

IN_PROCESS = LogisticsSettings()
ELSEWHERE = LogisticsSettings(carrier_sandbox_url="http://carrier.example:50091")


def test_embedded_makes_up_a_random_secret_only_for_its_own_sandbox() -> None:
    made = {with_secret(IN_PROCESS, embedded=True).carrier_sandbox_secret for _ in range(3)}
    assert len(made) == 3 and all(len(s) >= 32 for s in made)
    given = LogisticsSettings(carrier_sandbox_secret="a-secret-of-my-own")
    assert with_secret(given, embedded=True) == given == with_secret(given, embedded=False)
    short = LogisticsSettings(carrier_sandbox_secret="short")
    assert with_secret(short, embedded=True) == short  # development: anything goes
    with pytest.raises(ValueError, match="CARRIER_SANDBOX_SECRET"):
        with_secret(ELSEWHERE, embedded=True)  # a carrier elsewhere signs with its own


@pytest.mark.parametrize("settings", [
    IN_PROCESS, ELSEWHERE, LogisticsSettings(carrier_sandbox_secret=DEVELOPMENT_SECRET),
    LogisticsSettings(carrier_sandbox_secret="too-short"),
    LogisticsSettings(carrier_sandbox_secret="a-new-secret-of-my-own",
                      carrier_sandbox_secret_previous=DEVELOPMENT_SECRET)])
def test_logistics_on_its_own_refuses_to_start_without_its_own_secret(
        settings: LogisticsSettings) -> None:
    with pytest.raises(ValueError, match="ZHONGTAI_LOGISTICS_CARRIER_SANDBOX_SECRET"):
        with_secret(settings, embedded=False)
    ctx = ServiceContext(Settings(), cast(Any, None), cast(Any, None), cast(Any, None),
                         settings, embedded=False)
    with pytest.raises(ValueError):
        LOGISTICS.build(ctx)


def test_pushes_signed_with_the_current_or_the_previous_secret_pass() -> None:
    carrier = SandboxCarrier("http://127.0.0.1:1", ("new", "old"))
    body = b'{"tracking_no": "SF1", "events": [{"event_id": "e1", "milestone": "ACCEPTED", ' \
           b'"occurred_at": "2026-03-01T08:00:00Z"}]}'

    def verify(secret: str) -> object:
        headers = signing.signed_headers(secret, body, timestamp_header=TIMESTAMP_HEADER,
                                         signature_header=SIGNATURE_HEADER)
        return carrier.verify_notification(headers, body, dt.datetime.now(dt.UTC))

    assert verify("new") == verify("old")
    for wrong in ("other", DEVELOPMENT_SECRET):
        with pytest.raises(NotificationRejected) as e:
            verify(wrong)
        assert e.value.reason == "BAD_SIGNATURE"


def test_the_sandbox_carrier_command_needs_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZHONGTAI_LOGISTICS_CARRIER_SANDBOX_SECRET", raising=False)
    monkeypatch.delenv("ZHONGTAI_LOGISTICS_CARRIER_SANDBOX_SECRET_FILE", raising=False)
    monkeypatch.delenv("ZHONGTAI_CONFIG", raising=False)
    with pytest.raises(SystemExit, match="push secret is required"):
        cli.main(["sandbox-carrier", "--listen", "127.0.0.1:0"])
