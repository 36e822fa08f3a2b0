"""Configuration from a TOML file and the environment (environment wins).

With nothing configured, every service runs in one process on SQLite files
in ``./data`` with the in-process broker, listening on 127.0.0.1:50051.

File (``--config FILE`` or ``ZHONGTAI_CONFIG``)::

    listen = "0.0.0.0:50051"
    broker_url = "amqp://guest:guest@127.0.0.1:5672/"   # or "memory"
    database_url = "postgresql+asyncpg://postgres@127.0.0.1/zhongtai_{service}"
    [databases]            # per-service overrides of database_url
    trade = "postgresql+asyncpg://postgres@db-trade/trade"
    [endpoints]            # where the other services are, when not in-process
    catalog = "catalog.internal:50051"
    [trade]
    rollback_after_seconds = 180
    pay_timeout_seconds = 1800
    [payment]              # see PaymentSettings
    callback_listen = "0.0.0.0:8080"
    cod_denied_provinces = ["西藏自治区"]

Environment: ``ZHONGTAI_LISTEN``, ``ZHONGTAI_DATA_DIR``, ``ZHONGTAI_BROKER_URL``,
``ZHONGTAI_DATABASE_URL`` (may contain ``{service}``),
``ZHONGTAI_DATABASE_URL_<SERVICE>``, ``ZHONGTAI_ENDPOINT_<SERVICE>``,
``ZHONGTAI_TRADE_<FIELD>``, ``ZHONGTAI_PAYMENT_<FIELD>``, ``ZHONGTAI_LOGISTICS_<FIELD>``
(see ``TradeSettings``, ``PaymentSettings``, ``LogisticsSettings``),
``ZHONGTAI_POLL_INTERVAL_SECONDS``, ``ZHONGTAI_LOG_LEVEL``.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

SERVICES = ("catalog", "trade", "promotion", "payment", "logistics")


@dataclass(frozen=True)
class TradeSettings:
    # The creation saga's rollback timer (seed 001: e.g. 3 minutes).
    rollback_after_seconds: float = 180.0
    # The unpaid timeout (30 minutes to 3 days by business).
    pay_timeout_seconds: float = 1800.0
    # A paid order nothing of which was shipped within this time is cancelled
    # and refunded (0: never).
    ship_timeout_seconds: float = 3 * 86400.0
    # A shipped order the buyer did not confirm is received automatically
    # this long after it was shipped (seed: 5–10 days) ...
    auto_confirm_seconds: float = 10 * 86400.0
    # ... and the buyer may push that back by this much, this many times.
    receipt_extension_seconds: float = 3 * 86400.0
    max_receipt_extensions: int = 1


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
    # Shared secret signing the sandbox carrier's pushes.
    carrier_sandbox_secret: str = "zhongtai-carrier-sandbox-secret"
    # Pushes older or further in the future than this are rejected.
    notification_tolerance_seconds: float = 300.0
    # A package in transit is also queried at its carrier this long after it
    # was shipped (a push may have been lost), then again with backoff
    # (doubling, at most a day apart) until it is delivered.
    tracking_query_after_seconds: float = 6 * 3600.0
    tracking_max_queries: int = 30


@dataclass(frozen=True)
class PaymentSettings:
    # Where payment listens for channel notifications (HTTP).
    callback_listen: str = "127.0.0.1:50052"
    # The URL channels post notifications to; default: http://<callback_listen>.
    callback_base_url: str = ""
    # The sandbox wallet provider; empty: payment runs one in process on
    # sandbox_listen (the embedded default).
    sandbox_url: str = ""
    sandbox_listen: str = "127.0.0.1:50053"
    # Shared secret signing sandbox notifications (set your own in production).
    sandbox_secret: str = "zhongtai-sandbox-secret"
    # Notifications older or further in the future than this are rejected.
    notification_tolerance_seconds: float = 300.0
    # A channel attempt still PENDING this long after it was opened is queried
    # at the channel (the notification may have been lost), then again with
    # backoff until it is paid or closed.
    pending_query_after_seconds: float = 300.0
    # A refund the channel accepted but did not confirm within this time is
    # queried at the channel (then with backoff).
    refund_query_after_seconds: float = 60.0
    # Cash on delivery is offered only to addresses outside these provinces
    # (exact match on Address.province; remote regions couriers do not
    # collect in). Environment: a comma-separated list.
    cod_denied_provinces: tuple[str, ...] = (
        "西藏自治区", "新疆维吾尔自治区", "青海省", "香港特别行政区", "澳门特别行政区",
        "台湾省")

    def callback_url(self) -> str:
        return self.callback_base_url or f"http://{self.callback_listen}"


@dataclass(frozen=True)
class Settings:
    listen: str = "127.0.0.1:50051"
    data_dir: Path = Path("data")
    broker_url: str = "memory"
    database_url: str = ""
    databases: Mapping[str, str] = field(default_factory=dict)
    endpoints: Mapping[str, str] = field(default_factory=dict)
    trade: TradeSettings = field(default_factory=TradeSettings)
    payment: PaymentSettings = field(default_factory=PaymentSettings)
    logistics: LogisticsSettings = field(default_factory=LogisticsSettings)
    # How often relays and timer workers poll when nothing wakes them.
    poll_interval_seconds: float = 0.5
    log_level: str = "INFO"

    def database_url_for(self, service: str) -> str:
        if service in self.databases:
            return self.databases[service]
        if self.database_url:
            return self.database_url.replace("{service}", service)
        return f"sqlite+aiosqlite:///{self.data_dir / service}.db"

    def endpoint_for(self, service: str) -> str:
        """Address of a service; by default this process's own listener."""
        return self.endpoints.get(service) or _dial_address(self.listen)

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str] | None = None,
        environ: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> Settings:
        env = os.environ if environ is None else environ
        raw: dict[str, Any] = {}
        path = path or env.get("ZHONGTAI_CONFIG")
        if path:
            with open(path, "rb") as f:
                raw = tomllib.load(f)
        databases = dict(raw.get("databases", {}))
        endpoints = dict(raw.get("endpoints", {}))
        for key, value in env.items():
            if key.startswith("ZHONGTAI_DATABASE_URL_"):
                databases[key.removeprefix("ZHONGTAI_DATABASE_URL_").lower()] = value
            elif key.startswith("ZHONGTAI_ENDPOINT_"):
                endpoints[key.removeprefix("ZHONGTAI_ENDPOINT_").lower()] = value
        settings = cls(
            listen=env.get("ZHONGTAI_LISTEN", raw.get("listen", cls.listen)),
            data_dir=Path(env.get("ZHONGTAI_DATA_DIR", raw.get("data_dir", cls.data_dir))),
            broker_url=env.get("ZHONGTAI_BROKER_URL", raw.get("broker_url", cls.broker_url)),
            database_url=env.get("ZHONGTAI_DATABASE_URL", raw.get("database_url", "")),
            databases=databases,
            endpoints=endpoints,
            trade=_section(TradeSettings, raw, env, "trade"),
            payment=_section(PaymentSettings, raw, env, "payment"),
            logistics=_section(LogisticsSettings, raw, env, "logistics"),
            poll_interval_seconds=float(
                env.get(
                    "ZHONGTAI_POLL_INTERVAL_SECONDS",
                    raw.get("poll_interval_seconds", cls.poll_interval_seconds),
                )
            ),
            log_level=env.get("ZHONGTAI_LOG_LEVEL", raw.get("log_level", cls.log_level)),
        )
        return replace(settings, **{k: v for k, v in overrides.items() if v is not None})


def _section(cls: type[Any], raw: Mapping[str, Any], env: Mapping[str, str],
             name: str) -> Any:
    """A settings section from the file's ``[name]`` table and the
    environment (``ZHONGTAI_<NAME>_<FIELD>``), each value coerced to the
    type of the field's default (a comma-separated string for a tuple)."""
    values = dict(raw.get(name, {}))
    defaults = cls()
    for key in cls.__dataclass_fields__:
        if (v := env.get(f"ZHONGTAI_{name.upper()}_{key.upper()}")) is not None:
            values[key] = v
    unknown = set(values) - set(cls.__dataclass_fields__)
    if unknown:
        raise ValueError(f"unknown [{name}] settings: {', '.join(sorted(unknown))}")
    for key, value in values.items():
        default = getattr(defaults, key)
        if isinstance(default, bool):
            values[key] = value if isinstance(value, bool) else \
                str(value).strip().lower() in ("1", "true", "yes", "on")
        elif isinstance(default, float):
            values[key] = float(value)
        elif isinstance(default, int):
            values[key] = int(value)
        elif isinstance(default, tuple):
            values[key] = tuple(p.strip() for p in value.split(",") if p.strip()) \
                if isinstance(value, str) else tuple(value)
        else:
            values[key] = str(value)
    return cls(**values)


def _dial_address(listen: str) -> str:
    host, _, port = listen.rpartition(":")
    if host in ("0.0.0.0", "[::]", ""):
        host = "127.0.0.1"
    return f"{host}:{port}"
