"""logistics' settings: the [logistics] section of the configuration file and the
``ZHONGTAI_LOGISTICS_<FIELD>`` variables (see zhongtai.config)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LogisticsSettings:
    # Where logistics listens for carriers' tracking pushes (HTTP).
    notify_listen: str = "127.0.0.1:50054"
    # The URL carriers push to; default: http://<notify_listen>.
    notify_base_url: str = ""
    # The sandbox carrier; empty: logistics runs one in process on
    # carrier_sandbox_listen (the embedded default).
    carrier_sandbox_url: str = ""
    carrier_sandbox_listen: str = "127.0.0.1:50055"
    # Shared secret signing the sandbox carrier's pushes (or
    # ZHONGTAI_LOGISTICS_CARRIER_SANDBOX_SECRET_FILE). No default: embedded
    # (every service in one process) with none set, a random one is made at
    # start for the in-process sandbox carrier; logistics on its own, or
    # with a sandbox elsewhere, refuses to start without one, and on its own
    # with the development secret or one shorter than 16 characters
    # (logistics.carrier_setup).
    carrier_sandbox_secret: str = ""
    # While rotating the secret: the previous one, still accepted on pushes
    # (set the new one as carrier_sandbox_secret, the old one here, move the
    # carrier to the new one, then empty this).
    carrier_sandbox_secret_previous: str = ""
    # Pushes older or further in the future than this are rejected.
    notification_tolerance_seconds: float = 300.0
    # A package in transit is also queried at its carrier this long after it
    # was shipped (a push may have been lost), then again with backoff
    # (doubling, at most a day apart) until it is delivered.
    tracking_query_after_seconds: float = 6 * 3600.0
    tracking_max_queries: int = 30
