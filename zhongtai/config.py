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
    [trade]                # a service's own section (trade/settings.py)
    rollback_after_seconds = 180
    pay_timeout_seconds = 1800
    [payment]              # payment/settings.py
    callback_listen = "0.0.0.0:8080"
    cod_denied_provinces = ["西藏自治区"]

Environment: ``ZHONGTAI_LISTEN``, ``ZHONGTAI_DATA_DIR``, ``ZHONGTAI_BROKER_URL``,
``ZHONGTAI_DATABASE_URL`` (may contain ``{service}``),
``ZHONGTAI_DATABASE_URL_<SERVICE>``, ``ZHONGTAI_ENDPOINT_<SERVICE>``,
``ZHONGTAI_<SERVICE>_<FIELD>`` (a field of the service's own settings section,
declared by its ``ServiceSpec.settings``; e.g. ``trade/settings.py``),
``ZHONGTAI_POLL_INTERVAL_SECONDS``, ``ZHONGTAI_LOG_LEVEL``, ``ZHONGTAI_CURRENCIES``
(the enabled ISO-4217 codes, comma-separated), and the [auth] section
(``ZHONGTAI_AUTH_<FIELD>``, see ``zhongtai.auth.AuthSettings``).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Settings:
    listen: str = "127.0.0.1:50051"
    data_dir: Path = Path("data")
    broker_url: str = "memory"
    database_url: str = ""
    databases: Mapping[str, str] = field(default_factory=dict)
    endpoints: Mapping[str, str] = field(default_factory=dict)
    # How often relays and timer workers poll when nothing wakes them.
    poll_interval_seconds: float = 0.5
    log_level: str = "INFO"
    # The ISO-4217 currencies the platform enables (request limits).
    currencies: tuple[str, ...] = ("CNY", "USD", "EUR", "HKD", "JPY", "GBP", "SGD")
    # Each service's own section (its ServiceSpec.settings dataclass), by
    # service name: given here as instances (tests, embedding), or read on
    # demand from the file's [name] table and ZHONGTAI_<NAME>_<FIELD>.
    sections: Mapping[str, Any] = field(default_factory=dict)
    file_sections: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    environ: Mapping[str, str] = field(default_factory=dict)

    def section(self, name: str, cls: type[T]) -> T:
        """Service ``name``'s settings as a ``cls`` (a frozen dataclass whose
        fields all have defaults)."""
        given = self.sections.get(name)
        if given is not None:
            if not isinstance(given, cls):
                raise TypeError(f"settings section {name!r} is a {type(given).__name__}, "
                                f"not a {cls.__name__}")
            return given
        section: T = _section(cls, self.file_sections, self.environ, name)
        return section

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
            file_sections={k: v for k, v in raw.items() if isinstance(v, dict)},
            environ={k: v for k, v in env.items() if k.startswith("ZHONGTAI_")},
            poll_interval_seconds=float(
                env.get(
                    "ZHONGTAI_POLL_INTERVAL_SECONDS",
                    raw.get("poll_interval_seconds", cls.poll_interval_seconds),
                )
            ),
            log_level=env.get("ZHONGTAI_LOG_LEVEL", raw.get("log_level", cls.log_level)),
            currencies=_currencies(env.get("ZHONGTAI_CURRENCIES", raw.get("currencies"))),
        )
        return replace(settings, **{k: v for k, v in overrides.items() if v is not None})


def _section(cls: type[Any], raw: Mapping[str, Any], env: Mapping[str, str],
             name: str) -> Any:
    """A settings section from the file's ``[name]`` table and the
    environment (``ZHONGTAI_<NAME>_<FIELD>``, or ``ZHONGTAI_<NAME>_<FIELD>_FILE``
    naming a file that holds the value — secrets), each value coerced to the
    type of the field's default (a comma-separated string for a tuple)."""
    values = dict(raw.get(name, {}))
    defaults = cls()
    for key in cls.__dataclass_fields__:
        variable = f"ZHONGTAI_{name.upper()}_{key.upper()}"
        if (path := env.get(f"{variable}_FILE")) is not None:
            values[key] = Path(path).read_text(encoding="utf-8").strip()
        if (v := env.get(variable)) is not None:
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


def _currencies(value: str | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return Settings.currencies
    codes = value.split(",") if isinstance(value, str) else value
    out = tuple(c.strip().upper() for c in codes if c.strip())
    if not out or any(len(c) != 3 or not c.isalpha() for c in out):
        raise ValueError(f"currencies must be ISO-4217 codes, got {value!r}")
    return out


def _dial_address(listen: str) -> str:
    host, _, port = listen.rpartition(":")
    if host in ("0.0.0.0", "[::]", ""):
        host = "127.0.0.1"
    return f"{host}:{port}"
