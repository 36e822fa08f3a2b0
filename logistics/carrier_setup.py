"""Which carriers logistics talks to, built from its settings, and the
secret their pushes are signed with.

Today one: the sandbox carrier, at ``carrier_sandbox_url`` or, when that is
empty (the embedded default), run in this process on
``carrier_sandbox_listen``.

The push secret has no fixed default (``with_secret``): embedded, with
none configured and the sandbox in process, a random one is made at start
(the in-process sandbox gets the same); anywhere else logistics refuses to
start without one; on its own it refuses the development secret and any
shorter than ``MIN_SECRET_LENGTH`` (as payment does its notification
secret). While rotating, ``carrier_sandbox_secret_previous`` is accepted
too.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Mapping

from logistics.carriers.base import Carrier
from logistics.carriers.sandbox import SandboxCarrier
from logistics.sandbox_carrier import SandboxCarrierServer
from logistics.settings import LogisticsSettings

__all__ = ["DEVELOPMENT_SECRET", "start_carriers", "stop_carriers", "with_secret"]

# The fixed secret logistics shipped with before issue 10: never accepted
# outside the embedded mode (anyone could sign with it).
DEVELOPMENT_SECRET = "zhongtai-carrier-sandbox-secret"
# The shortest push secret logistics on its own accepts.
MIN_SECRET_LENGTH = 16


def with_secret(settings: LogisticsSettings, *, embedded: bool) -> LogisticsSettings:
    """``settings`` with the push secret to use: the configured one; a
    random one when embedded, none is configured and the sandbox runs in
    this process. ValueError (the service does not start) for a missing
    secret anywhere else and, outside the embedded mode, for a current or
    previous secret that is the development one or shorter than
    ``MIN_SECRET_LENGTH``."""
    if not settings.carrier_sandbox_secret:
        if embedded and not settings.carrier_sandbox_url:
            return dataclasses.replace(settings, carrier_sandbox_secret=secrets.token_urlsafe(32))
        raise ValueError("logistics needs the carrier's push secret: set "
                         "ZHONGTAI_LOGISTICS_CARRIER_SANDBOX_SECRET (or ..._FILE)")
    given = {"": settings.carrier_sandbox_secret,
             "_PREVIOUS": settings.carrier_sandbox_secret_previous}
    weak = [name for name, value in given.items()
            if value and (value == DEVELOPMENT_SECRET or len(value) < MIN_SECRET_LENGTH)]
    if weak and not embedded:
        raise ValueError(f"ZHONGTAI_LOGISTICS_CARRIER_SANDBOX_SECRET{weak[0]} is the development "
                         f"secret or shorter than {MIN_SECRET_LENGTH} characters: set your own")
    return settings


async def start_carriers(
        settings: LogisticsSettings) -> tuple[dict[str, Carrier], SandboxCarrierServer | None]:
    """The carriers by name, and the in-process sandbox carrier server if one
    was started (pass both to ``stop_carriers``)."""
    server: SandboxCarrierServer | None = None
    url = settings.carrier_sandbox_url
    if not url:
        server = SandboxCarrierServer(settings.carrier_sandbox_secret,
                                      settings.carrier_sandbox_listen)
        await server.start()
        url = server.url
    carrier = SandboxCarrier(url, (settings.carrier_sandbox_secret,
                                   settings.carrier_sandbox_secret_previous),
                             settings.notification_tolerance_seconds)
    return {carrier.name: carrier}, server


async def stop_carriers(carriers: Mapping[str, Carrier],
                        server: SandboxCarrierServer | None) -> None:
    """Closes the adapters' connections, then stops the in-process server."""
    try:
        for carrier in carriers.values():
            await carrier.aclose()
    finally:
        if server is not None:
            await server.stop()
