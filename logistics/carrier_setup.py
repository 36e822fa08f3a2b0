"""Which carriers logistics talks to, built from its settings.

Today one: the sandbox carrier, at ``carrier_sandbox_url`` or, when that is
empty (the embedded default), run in this process on
``carrier_sandbox_listen``.
"""

from __future__ import annotations

from collections.abc import Mapping

from logistics.carriers.base import Carrier
from logistics.carriers.sandbox import SandboxCarrier
from logistics.sandbox_carrier import SandboxCarrierServer
from logistics.settings import LogisticsSettings

__all__ = ["start_carriers", "stop_carriers"]


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
    carrier = SandboxCarrier(url, settings.carrier_sandbox_secret,
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
