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
from collections.abc import Mapping

from logistics.carriers.base import Carrier
from logistics.carriers.sandbox import SandboxCarrier
from logistics.sandbox_carrier import SandboxCarrierServer
from logistics.settings import LogisticsSettings
from zhongtai.signing import push_secrets

__all__ = ["DEVELOPMENT_SECRET", "start_carriers", "stop_carriers", "with_secret"]

# The fixed secret logistics shipped with before issue 10: never accepted
# outside the embedded mode (anyone could sign with it).
DEVELOPMENT_SECRET = "zhongtai-carrier-sandbox-secret"
# The shortest push secret logistics on its own accepts.


def with_secret(settings: LogisticsSettings, *, embedded: bool) -> LogisticsSettings:
    """``settings`` with the push secrets to use (``zhongtai.signing.push_secrets``:
    random when embedded with the sandbox carrier in process; otherwise
    configured, and outside the embedded mode neither the development one
    nor short)."""
    current, previous = push_secrets(
        settings.carrier_sandbox_secret, settings.carrier_sandbox_secret_previous,
        variable="ZHONGTAI_LOGISTICS_CARRIER_SANDBOX_SECRET", embedded=embedded,
        in_process=not settings.carrier_sandbox_url, development={DEVELOPMENT_SECRET})
    return dataclasses.replace(settings, carrier_sandbox_secret=current,
                               carrier_sandbox_secret_previous=previous)


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
