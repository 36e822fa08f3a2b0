"""ghz config files and the method they call, for bench.ghz_runner."""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from google.protobuf import descriptor_pool, json_format, message_factory
from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.message import Message

from bench.ghz_template import ConfigError, Template, call_data, parse_go_duration

KNOWN_KEYS = frozenset({
    "call", "host", "insecure", "cacert", "total", "concurrency", "connections", "rps",
    "timeout", "connect-timeout", "duration", "max-duration", "data", "data-file",
    "metadata", "metadata-file", "skipFirst", "name", "tags",
})
IGNORED_KEYS = frozenset({"proto", "protoset", "import-paths", "format", "output"})

# --- config ------------------------------------------------------------------


@dataclass
class RunConfig:
    call: str
    host: str = "127.0.0.1:50051"
    insecure: bool = False
    cacert: str = ""
    total: int = 200
    concurrency: int = 50
    connections: int = 1
    rps: int = 0
    timeout_ns: int = 20_000_000_000
    connect_timeout_ns: int = 10_000_000_000
    duration_ns: int = 0
    max_duration_ns: int = 0
    data: Any = None
    metadata: dict[str, str] | None = None
    skip_first: int = 0
    name: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    config_path: str = ""
    warnings: list[str] = field(default_factory=list)


def load_config(path: str | os.PathLike[str], overrides: Mapping[str, Any] | None = None,
                base_dir: Path | None = None) -> RunConfig:
    """Read a ghz JSON config; ``overrides`` (ghz key names) win over the file.

    Relative data-file / metadata-file paths are relative to ``base_dir``
    (default: the working directory), as ghz resolves them.
    """
    with open(path, encoding="utf-8") as f:
        raw: dict[str, Any] = json.load(f)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: a ghz config is a JSON object")
    for key, value in (overrides or {}).items():
        if value is None:
            continue
        if key == "data":
            raw.pop("data-file", None)
        elif key == "data-file":
            raw.pop("data", None)
        raw[key] = value
    base = base_dir or Path.cwd()
    warnings = [f"config key {k!r} is not supported by this runner and is ignored"
                for k in sorted(raw) if k not in KNOWN_KEYS | IGNORED_KEYS]
    if not raw.get("call"):
        raise ConfigError(f"{path}: \"call\" is required")
    data: Any = raw.get("data")
    if raw.get("data-file"):
        data_path = base / str(raw["data-file"])
        try:
            data = json.loads(data_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(
                f"data-file {data_path} does not exist (relative paths are relative to the "
                "working directory; for get_order.json run `python -m bench.seed` first, "
                "from the repository root)") from None
    if data is None:
        data = {}
    if isinstance(data, str):
        raise ConfigError("data must be a JSON object or an array of objects (\"@\" and "
                          "stringified JSON are not supported)")
    if isinstance(data, list):
        if not data or not all(isinstance(d, dict) for d in data):
            raise ConfigError("a data array must hold at least one object, and only objects")
    elif not isinstance(data, dict):
        raise ConfigError("data must be a JSON object or an array of objects")
    metadata = raw.get("metadata")
    if raw.get("metadata-file"):
        metadata = json.loads((base / str(raw["metadata-file"])).read_text(encoding="utf-8"))
    cfg = RunConfig(
        call=str(raw["call"]),
        host=str(raw.get("host") or "127.0.0.1:50051"),
        insecure=bool(raw.get("insecure", False)),
        cacert=str(raw.get("cacert") or ""),
        total=int(raw.get("total", 200)),
        concurrency=int(raw.get("concurrency", 50)),
        connections=int(raw.get("connections", 1)),
        rps=int(raw.get("rps", 0)),
        timeout_ns=parse_go_duration(raw.get("timeout", "20s")),
        connect_timeout_ns=parse_go_duration(raw.get("connect-timeout", "10s")),
        duration_ns=parse_go_duration(raw.get("duration", 0)),
        max_duration_ns=parse_go_duration(raw.get("max-duration", 0)),
        data=data,
        metadata={str(k): str(v) for k, v in metadata.items()} if metadata else None,
        skip_first=int(raw.get("skipFirst", 0)),
        name=str(raw.get("name") or ""),
        tags={str(k): str(v) for k, v in (raw.get("tags") or {}).items()},
        config_path=str(path),
        warnings=warnings,
    )
    if cfg.total <= 0 and not cfg.duration_ns:
        raise ConfigError("total must be positive")
    if cfg.concurrency <= 0 or cfg.connections <= 0:
        raise ConfigError("concurrency and connections must be positive")
    if cfg.concurrency < cfg.connections:
        raise ConfigError(f"concurrency ({cfg.concurrency}) cannot be less than the number "
                          f"of connections ({cfg.connections})")
    return cfg


# --- method resolution -------------------------------------------------------


def import_generated_modules() -> list[str]:
    """Import every generated zhongtai.<x>.v1.*_pb2 module; returns their names."""
    import zhongtai

    names = []
    for path in sorted(Path(zhongtai.__file__).parent.glob("*/v1/*_pb2.py")):
        name = f"zhongtai.{path.parent.parent.name}.v1.{path.stem}"
        importlib.import_module(name)
        names.append(name)
    return names


def resolve_method(call: str) -> MethodDescriptor:
    """'pkg.Service.Method' or 'pkg.Service/Method' -> its descriptor."""
    import_generated_modules()
    service_name, sep, method_name = call.strip().lstrip("/").rpartition("/")
    if not sep:
        service_name, _, method_name = call.strip().rpartition(".")
    pool = descriptor_pool.Default()
    try:
        service = pool.FindServiceByName(service_name)
    except KeyError:
        raise ConfigError(f"unknown service {service_name!r} in call {call!r}") from None
    method = service.methods_by_name.get(method_name)
    if method is None:
        raise ConfigError(f"service {service_name} has no method {method_name!r}; it has "
                          + ", ".join(service.methods_by_name))
    if getattr(method, "client_streaming", False) or getattr(method, "server_streaming", False):
        raise ConfigError(f"{call} is a streaming method; only unary calls are supported")
    return method


class RequestFactory:
    """Builds the request message of call number n from the data template(s)."""

    def __init__(self, method: MethodDescriptor, data: Any) -> None:
        self.method = method
        self.message_class: type[Message] = message_factory.GetMessageClass(method.input_type)
        items = data if isinstance(data, list) else [data]
        # Like ghz: template the JSON text, then parse the result.
        self.templates = [Template(json.dumps(item, ensure_ascii=False)) for item in items]
        self.static: list[Message | None] = [
            self._parse(t.source) if t.is_static else None for t in self.templates]

    def _parse(self, text: str) -> Message:
        try:
            return json_format.ParseDict(json.loads(text), self.message_class())
        except (json.JSONDecodeError, json_format.ParseError) as exc:
            raise ConfigError(f"call data does not fit {self.method.input_type.full_name}: "
                              f"{exc}") from exc

    def build(self, request_number: int, worker_id: str) -> Message:
        i = request_number % len(self.templates)  # arrays are used round-robin, as in ghz
        static = self.static[i]
        if static is not None:
            return static
        return self._parse(self.templates[i].render(
            call_data(self.method, worker_id, request_number)))


def render_metadata(metadata: Mapping[str, str] | None, method: MethodDescriptor,
                    worker_id: str, request_number: int) -> list[tuple[str, str]] | None:
    if not metadata:
        return None
    data = call_data(method, worker_id, request_number)
    return [(k.lower(), Template(v).render(data)) for k, v in metadata.items()]


