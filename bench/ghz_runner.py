"""A small stand-in for ghz (https://ghz.sh) that reads ghz config files.

    python -m bench.ghz_runner --config bench/ghz/create_order.json \\
        [--host H] [--total N] [--concurrency C] [--connections K] [--output FILE]

It runs ``total`` unary calls with ``concurrency`` workers spread over
``connections`` grpc.aio channels, renders the call data template for every
call like ghz does, and writes a report in the shape of ghz's JSON output
(``-O json``): durations in nanoseconds, latency percentiles and histogram over
the successful calls, status codes named as Go names them ("OK",
"FailedPrecondition", ...), errors as "rpc error: code = ... desc = ...".

The method is resolved from the generated ``zhongtai.*.v1`` modules (not by
server reflection), so only Zhongtai's own services can be called.

Config keys understood: call, host, insecure, cacert, total, concurrency,
connections, rps, timeout, connect-timeout, duration, max-duration, data,
data-file, metadata, metadata-file, skipFirst, name, tags. proto, protoset and
import-paths are ignored (the generated modules are used); any other key is
reported and ignored. Template data: WorkerID, RequestNumber,
FullyQualifiedName, MethodName, ServiceName, InputName, OutputName,
IsClientStreaming, IsServerStreaming, Timestamp, TimestampUnix,
TimestampUnixMilli, TimestampUnixNano, UUID; functions newUUID and
randomString N. Only ``{{.Field}}`` and ``{{func args...}}`` actions are
supported (no pipelines, conditionals or variables).

Unlike ghz, a ``--data``/``--data-file`` given on the command line replaces
whatever data the config holds, and a run ended by ``duration`` lets calls in
flight finish (ghz's ``--duration-stop=wait``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import importlib
import itertools
import json
import os
import random
import re
import shlex
import string
import sys
import time
import uuid
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import descriptor_pool, json_format, message_factory
from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.message import Message

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
PERCENTILES = (10, 25, 50, 75, 90, 95, 99)
HISTOGRAM_BUCKETS = 10

# grpc.StatusCode -> the name Go's codes.Code.String() gives, which ghz reports.
GO_CODE_NAMES: Mapping[str, str] = {
    "OK": "OK", "CANCELLED": "Canceled", "UNKNOWN": "Unknown",
    "INVALID_ARGUMENT": "InvalidArgument", "DEADLINE_EXCEEDED": "DeadlineExceeded",
    "NOT_FOUND": "NotFound", "ALREADY_EXISTS": "AlreadyExists",
    "PERMISSION_DENIED": "PermissionDenied", "RESOURCE_EXHAUSTED": "ResourceExhausted",
    "FAILED_PRECONDITION": "FailedPrecondition", "ABORTED": "Aborted",
    "OUT_OF_RANGE": "OutOfRange", "UNIMPLEMENTED": "Unimplemented", "INTERNAL": "Internal",
    "UNAVAILABLE": "Unavailable", "DATA_LOSS": "DataLoss",
    "UNAUTHENTICATED": "Unauthenticated",
}

KNOWN_KEYS = frozenset({
    "call", "host", "insecure", "cacert", "total", "concurrency", "connections", "rps",
    "timeout", "connect-timeout", "duration", "max-duration", "data", "data-file",
    "metadata", "metadata-file", "skipFirst", "name", "tags",
})
IGNORED_KEYS = frozenset({"proto", "protoset", "import-paths", "format", "output"})


class ConfigError(Exception):
    """A config or template the runner cannot use."""


# --- Go durations ------------------------------------------------------------

_DURATION_UNITS = {"ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000,
                   "s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000}
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


def parse_go_duration(value: str | int | float) -> int:
    """A Go duration string ("20s", "1m30s", "250ms") in nanoseconds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value == 0:
            return 0
        raise ConfigError(f"duration {value!r} needs a unit, e.g. \"{value}s\"")
    text = str(value).strip()
    if text in ("0", ""):
        return 0
    sign = -1 if text.startswith("-") else 1
    rest = text.lstrip("+-")
    total = 0.0
    pos = 0
    while pos < len(rest):
        m = _DURATION_PART.match(rest, pos)
        if m is None:
            raise ConfigError(f"invalid duration {value!r}")
        total += float(m.group(1)) * _DURATION_UNITS[m.group(2)]
        pos = m.end()
    return sign * round(total)


# --- call template data ------------------------------------------------------

_RANDOM = random.Random()
_CHARSET = string.ascii_letters + string.digits


def random_string(length: int = 0) -> str:
    """ghz's randomString: letters and digits; a random 2..16 long if length <= 0."""
    if length <= 0:
        length = _RANDOM.randint(2, 16)
    return "".join(_RANDOM.choice(_CHARSET) for _ in range(length))


TEMPLATE_FUNCS: Mapping[str, Callable[..., object]] = {
    "newUUID": lambda: str(uuid.uuid4()),
    "randomString": random_string,
}


def rfc3339(moment: dt.datetime) -> str:
    """Go's time.RFC3339 layout: seconds precision, "Z" for UTC."""
    text = moment.isoformat(timespec="seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def call_data(method: MethodDescriptor, worker_id: str, request_number: int,
              now_ns: int | None = None) -> dict[str, object]:
    """The fields a ghz data template can use for one call."""
    now_ns = time.time_ns() if now_ns is None else now_ns
    moment = dt.datetime.fromtimestamp(now_ns / 1e9, dt.UTC).astimezone()
    return {
        "WorkerID": worker_id,
        "RequestNumber": request_number,
        "FullyQualifiedName": method.full_name,
        "MethodName": method.name,
        "ServiceName": method.containing_service.name,
        "InputName": method.input_type.name,
        "OutputName": method.output_type.name,
        "IsClientStreaming": bool(getattr(method, "client_streaming", False)),
        "IsServerStreaming": bool(getattr(method, "server_streaming", False)),
        "Timestamp": rfc3339(moment),
        "TimestampUnix": now_ns // 1_000_000_000,
        "TimestampUnixMilli": now_ns // 1_000_000,
        "TimestampUnixNano": now_ns,
        "UUID": str(uuid.uuid4()),
    }


CALL_DATA_FIELDS = frozenset({
    "WorkerID", "RequestNumber", "FullyQualifiedName", "MethodName", "ServiceName",
    "InputName", "OutputName", "IsClientStreaming", "IsServerStreaming", "Timestamp",
    "TimestampUnix", "TimestampUnixMilli", "TimestampUnixNano", "UUID",
})


def _go_format(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_ACTION = re.compile(r"\{\{(-[ \t\r\n])?(.*?)([ \t\r\n]-)?\}\}", re.DOTALL)
_ARG = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`|\S+')

Part = str | Callable[[Mapping[str, object]], str]


class Template:
    """The subset of Go's text/template that ghz call data needs."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.parts: list[Part] = []
        pos = 0
        trim_next = False
        for m in _ACTION.finditer(source):
            text = source[pos:m.start()]
            if trim_next:
                text = text.lstrip()
            if m.group(1):
                text = text.rstrip()
            if text:
                self.parts.append(text)
            action = self._compile(m.group(2).strip())
            if action is not None:
                self.parts.append(action)
            trim_next = bool(m.group(3))
            pos = m.end()
        tail = source[pos:]
        if trim_next:
            tail = tail.lstrip()
        if "{{" in tail:
            raise ConfigError(f"unclosed template action in {tail!r}")
        if tail:
            self.parts.append(tail)
        self.is_static = all(isinstance(p, str) for p in self.parts)

    @staticmethod
    def _compile(action: str) -> Callable[[Mapping[str, object]], str] | None:
        if action.startswith("/*") and action.endswith("*/"):
            return None
        tokens = _ARG.findall(action)
        if not tokens:
            raise ConfigError("empty template action {{}}")
        head, args = tokens[0], tokens[1:]
        if head.startswith("."):
            if args:
                raise ConfigError(f"unsupported template action {{{{{action}}}}}")
            name = head[1:]
            if name not in CALL_DATA_FIELDS:
                raise ConfigError(f"unknown template field {head}; known: "
                                  + ", ".join(sorted(CALL_DATA_FIELDS)))
            return lambda data: _go_format(data[name])
        if not args and (head[0] in "\"`" or re.fullmatch(r"[+-]?\d+|true|false", head)):
            constant = _go_format(Template._argument(head, action)({}))
            return lambda data: constant
        func = TEMPLATE_FUNCS.get(head)
        if func is None:
            raise ConfigError(f"unsupported template action {{{{{action}}}}}; functions: "
                              + ", ".join(sorted(TEMPLATE_FUNCS)))
        getters = [Template._argument(a, action) for a in args]
        return lambda data: _go_format(func(*(g(data) for g in getters)))

    @staticmethod
    def _argument(token: str, action: str) -> Callable[[Mapping[str, object]], object]:
        if token.startswith("."):
            name = token[1:]
            if name not in CALL_DATA_FIELDS:
                raise ConfigError(f"unknown template field {token} in {{{{{action}}}}}")
            return lambda data: data[name]
        if token.startswith('"'):
            value: object = json.loads(token)
        elif token.startswith("`"):
            value = token[1:-1]
        elif re.fullmatch(r"[+-]?\d+", token):
            value = int(token)
        elif token in ("true", "false"):
            value = token == "true"
        else:
            raise ConfigError(f"unsupported argument {token!r} in {{{{{action}}}}}")
        return lambda data: value

    def render(self, data: Mapping[str, object]) -> str:
        return "".join(p if isinstance(p, str) else p(data) for p in self.parts)


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


# --- results and report ------------------------------------------------------


@dataclass(frozen=True)
class CallResult:
    latency_ns: int
    status: str  # Go code name, e.g. "OK", "FailedPrecondition"
    error: str  # "" when the call succeeded
    end_ns: int  # wall clock (time.time_ns) at the end of the call


def go_code_name(code: Any) -> str:
    name = getattr(code, "name", str(code))
    return GO_CODE_NAMES.get(name, name)


def error_text(status: str, details: str | None) -> str:
    """Go's status error text, as ghz reports it."""
    return f"rpc error: code = {status} desc = {details or ''}"


def latency_distribution(sorted_ok_ns: Sequence[int]) -> list[dict[str, int]]:
    """ghz's percentiles: the rank ceil(p% of n), 1-based, of the OK latencies."""
    out = []
    n = float(len(sorted_ok_ns))
    for p in PERCENTILES:
        ip = (p / 100.0) * n
        di = int(ip)
        if ip == float(di):
            di -= 1
        di = max(di, 0)
        latency = sorted_ok_ns[di]
        out.append({"percentage": p, "latency": latency} if latency > 0
                   else {"percentage": 0, "latency": 0})
    return out


def histogram(sorted_ok_ns: Sequence[int]) -> list[dict[str, float | int]]:
    """ghz's histogram: 11 marks (seconds) from fastest to slowest, counts per bucket."""
    lats = [x / 1e9 for x in sorted_ok_ns]
    fastest, slowest = lats[0], lats[-1]
    size = (slowest - fastest) / HISTOGRAM_BUCKETS
    marks = [fastest + size * i for i in range(HISTOGRAM_BUCKETS)] + [slowest]
    counts = [0] * len(marks)
    bi = 0
    i = 0
    while i < len(lats):
        if lats[i] <= marks[bi]:
            counts[bi] += 1
            i += 1
        elif bi < len(marks) - 1:
            bi += 1
        else:  # cannot happen: the last mark is the slowest latency
            counts[bi] += 1
            i += 1
    return [{"mark": m, "count": c, "frequency": c / len(lats)}
            for m, c in zip(marks, counts, strict=True)]


def report_options(cfg: RunConfig) -> dict[str, Any]:
    """ghz's report "options" block (durations in nanoseconds)."""
    options: dict[str, Any] = {
        "call": cfg.call,
        "host": cfg.host,
        "insecure": cfg.insecure,
        "load-schedule": "const",
        "load-start": 0,
        "load-end": 0,
        "load-step": 0,
        "load-step-duration": 0,
        "load-max-duration": 0,
        "concurrency": cfg.concurrency,
        "concurrency-schedule": "const",
        "concurrency-start": 1,
        "concurrency-end": 0,
        "concurrency-step": 0,
        "concurrency-step-duration": 0,
        "concurrency-max-duration": 0,
        "total": cfg.total,
        "connections": cfg.connections,
        "timeout": cfg.timeout_ns,
        "dial-timeout": cfg.connect_timeout_ns,
        "data": cfg.data,
        "binary": False,
        "CPUs": os.cpu_count() or 1,
    }
    if cfg.cacert:
        options["cacert"] = cfg.cacert
    if cfg.rps:
        options["rps"] = cfg.rps
    if cfg.duration_ns or cfg.max_duration_ns:
        options["duration"] = cfg.max_duration_ns or cfg.duration_ns
    if cfg.metadata:
        options["metadata"] = cfg.metadata
    if cfg.name:
        options["name"] = cfg.name
    if cfg.skip_first:
        options["skipFirst"] = cfg.skip_first
    return options


def build_report(cfg: RunConfig, results: Sequence[CallResult], total_ns: int,
                 date: dt.datetime | None = None, end_reason: str = "normal",
                 tags: Mapping[str, str] | None = None,
                 details: bool = False) -> dict[str, Any]:
    """A report with the keys and units of ghz's JSON output."""
    results = results[cfg.skip_first:]
    count = len(results)
    status_dist: dict[str, int] = {}
    error_dist: dict[str, int] = {}
    for r in results:
        status_dist[r.status] = status_dist.get(r.status, 0) + 1
        if r.error:
            error_dist[r.error] = error_dist.get(r.error, 0) + 1
    report: dict[str, Any] = {}
    if cfg.name:
        report["name"] = cfg.name
    report.update({
        "endReason": end_reason,
        "options": report_options(cfg),
        "date": rfc3339((date or dt.datetime.now(dt.UTC)).astimezone()),
        "count": count,
        "total": total_ns,
        "average": 0,
        "fastest": 0,
        "slowest": 0,
        "rps": 0.0,
        "errorDistribution": error_dist,
        "statusCodeDistribution": status_dist,
        "latencyDistribution": None,
        "histogram": None,
        "details": None,
    })
    if count:
        report["average"] = sum(r.latency_ns for r in results) // count
        report["rps"] = count / (total_ns / 1e9) if total_ns > 0 else 0.0
        ok = sorted(r.latency_ns for r in results if not r.error)
        if ok:
            report["fastest"] = ok[0]
            report["slowest"] = ok[-1]
            report["histogram"] = histogram(ok)
            report["latencyDistribution"] = latency_distribution(ok)
    if details:
        report["details"] = [
            {"timestamp": dt.datetime.fromtimestamp(r.end_ns / 1e9, dt.UTC)
                .astimezone().isoformat(),
             "latency": r.latency_ns, "error": r.error, "status": r.status}
            for r in results]
    else:
        del report["details"]
    merged = {**cfg.tags, **(tags or {})}
    if merged:
        report["tags"] = merged
    return report


def _ms(ns: float) -> str:
    return f"{ns / 1e6:.2f} ms"


def format_summary(report: Mapping[str, Any]) -> str:
    """ghz's default "summary" output, more or less."""
    lines = ["", "Summary:"]
    if report.get("name"):
        lines.append(f"  Name:\t\t{report['name']}")
    lines += [
        f"  Count:\t{report['count']}",
        f"  Total:\t{_ms(report['total'])}",
        f"  Slowest:\t{_ms(report['slowest'])}",
        f"  Fastest:\t{_ms(report['fastest'])}",
        f"  Average:\t{_ms(report['average'])}",
        f"  Requests/sec:\t{report['rps']:.2f}",
        "",
    ]
    if report.get("latencyDistribution"):
        lines.append("Latency distribution:")
        lines += [f"  {d['percentage']} % in {_ms(d['latency'])} "
                  for d in report["latencyDistribution"]]
        lines.append("")
    lines.append("Status code distribution:")
    lines += [f"  [{code}]\t{n} responses"
              for code, n in sorted(report["statusCodeDistribution"].items())]
    if report["errorDistribution"]:
        lines += ["", "Error distribution:"]
        top = sorted(report["errorDistribution"].items(), key=lambda kv: -kv[1])
        lines += [f"  [{n}]\t{err}" for err, n in top[:10]]
        if len(top) > 10:
            lines.append(f"  ... and {len(top) - 10} more distinct errors")
    return "\n".join(lines)


# --- running -----------------------------------------------------------------


def _channel(cfg: RunConfig) -> grpc.aio.Channel:
    # A local subchannel pool gives every channel its own TCP connection, as
    # ghz's --connections does (channels with equal arguments share one otherwise).
    options = [("grpc.use_local_subchannel_pool", 1),
               ("grpc.max_receive_message_length", 2**31 - 1),
               ("grpc.max_send_message_length", 2**31 - 1)]
    if cfg.insecure:
        return grpc.aio.insecure_channel(cfg.host, options=options)
    root = Path(cfg.cacert).read_bytes() if cfg.cacert else None
    return grpc.aio.secure_channel(cfg.host, grpc.ssl_channel_credentials(root), options)


async def run(cfg: RunConfig, method: MethodDescriptor) -> tuple[list[CallResult], int, str]:
    """Make the calls; returns the results, the total wall time (ns) and the end reason."""
    factory = RequestFactory(method, cfg.data)
    factory.build(0, "check")  # fail before connecting if the data does not fit
    path = f"/{method.containing_service.full_name}/{method.name}"
    response_class = message_factory.GetMessageClass(method.output_type)
    channels = [_channel(cfg) for _ in range(cfg.connections)]
    try:
        connect_timeout = cfg.connect_timeout_ns / 1e9 or None
        try:
            await asyncio.wait_for(asyncio.gather(*(c.channel_ready() for c in channels)),
                                   connect_timeout)
        except TimeoutError:
            raise ConfigError(f"cannot connect to {cfg.host} within "
                              f"{cfg.connect_timeout_ns / 1e9:g}s") from None
        stubs = [c.unary_unary(path, request_serializer=lambda m: m.SerializeToString(),
                               response_deserializer=response_class.FromString)
                 for c in channels]
        timeout = cfg.timeout_ns / 1e9 or None
        results: list[CallResult] = []
        counter = itertools.count()
        limit_ns = cfg.max_duration_ns or cfg.duration_ns
        total = cfg.total if not cfg.duration_ns or cfg.max_duration_ns else sys.maxsize
        start = time.perf_counter_ns()
        deadline = start + limit_ns if limit_ns else None
        timed_out = False

        async def worker(index: int) -> None:
            nonlocal timed_out
            conn = index % cfg.connections
            stub = stubs[conn]
            worker_id = f"g{index}c{conn}"
            if cfg.name:
                worker_id = f"{cfg.name}:{worker_id}"
            while True:
                n = next(counter)
                if n >= total:
                    return
                if cfg.rps:
                    wait = start + n * 1_000_000_000 // cfg.rps - time.perf_counter_ns()
                    if wait > 0:
                        await asyncio.sleep(wait / 1e9)
                if deadline is not None and time.perf_counter_ns() >= deadline:
                    timed_out = True
                    return
                request = factory.build(n, worker_id)
                md = render_metadata(cfg.metadata, method, worker_id, n)
                t0 = time.perf_counter_ns()
                try:
                    await stub(request, timeout=timeout, metadata=md)
                    status, error = "OK", ""
                except grpc.aio.AioRpcError as exc:
                    status = go_code_name(exc.code())
                    error = error_text(status, exc.details())
                t1 = time.perf_counter_ns()
                results.append(CallResult(t1 - t0, status, error, time.time_ns()))

        await asyncio.gather(*(worker(i) for i in range(cfg.concurrency)))
        total_ns = time.perf_counter_ns() - start
        return results, total_ns, "timeout" if timed_out else "normal"
    finally:
        for c in channels:
            await c.close()


def _event_loop_runner() -> tuple[Callable[[Coroutine[Any, Any, Any]], Any], str]:
    with contextlib.suppress(ImportError):
        import uvloop

        return uvloop.run, "uvloop"
    return asyncio.run, "asyncio"


def default_output(cfg: RunConfig) -> Path:
    stem = Path(cfg.config_path).stem or "ghz"
    return RESULTS_DIR / f"{stem}-{dt.datetime.now():%Y%m%d-%H%M%S}.json"


def rerun_command(argv0: str, cfg: RunConfig, output: Path,
                  extra: Sequence[str] = ()) -> str:
    parts = [argv0, "-m", "bench.ghz_runner", "--config", cfg.config_path,
             "--host", cfg.host, "--total", str(cfg.total), "--concurrency",
             str(cfg.concurrency), "--connections", str(cfg.connections), *extra,
             "--output", str(output)]
    return shlex.join(parts)


def _python() -> str:
    """This interpreter, relative to the working directory when it lies below it."""
    exe = Path(sys.executable)
    with contextlib.suppress(ValueError):
        return str(exe.relative_to(Path.cwd()))
    return str(exe)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ghz_runner",
                                     description="Run a ghz config file with grpc.aio.")
    parser.add_argument("--config", required=True, help="a ghz JSON config file")
    parser.add_argument("--host", help="HOST:PORT (overrides the config)")
    parser.add_argument("-n", "--total", type=int, help="number of calls")
    parser.add_argument("-c", "--concurrency", type=int, help="number of workers")
    parser.add_argument("--connections", type=int, help="number of channels (TCP connections)")
    parser.add_argument("-d", "--data", help="call data JSON (replaces the config's data)")
    parser.add_argument("-D", "--data-file", help="call data file (replaces the config's data)")
    parser.add_argument("-m", "--metadata",
                        help="call metadata JSON, e.g. '{\"authorization\": \"Bearer T\"}' "
                        "(replaces the config's metadata)")
    parser.add_argument("-o", "--output", type=Path,
                        help="report file (default: bench/results/<config>-<time>.json)")
    parser.add_argument("--details", action="store_true",
                        help="include every call in the report's \"details\", as ghz does")
    ns = parser.parse_args(argv)
    overrides = {"host": ns.host, "total": ns.total, "concurrency": ns.concurrency,
                 "connections": ns.connections, "data-file": ns.data_file,
                 "data": json.loads(ns.data) if ns.data else None,
                 "metadata": json.loads(ns.metadata) if ns.metadata else None}
    try:
        cfg = load_config(ns.config, overrides)
        method = resolve_method(cfg.call)
    except (ConfigError, OSError, json.JSONDecodeError) as exc:
        print(f"ghz_runner: {exc}", file=sys.stderr)
        return 2
    for warning in cfg.warnings:
        print(f"ghz_runner: warning: {warning}", file=sys.stderr)
    runner, loop_name = _event_loop_runner()
    print(f"ghz_runner: {cfg.call} on {cfg.host}: {cfg.total} calls, {cfg.concurrency} workers, "
          f"{cfg.connections} connection(s), {loop_name}", file=sys.stderr)
    try:
        results, total_ns, reason = runner(run(cfg, method))
    except ConfigError as exc:
        print(f"ghz_runner: {exc}", file=sys.stderr)
        return 2
    tags = {"runner": "bench.ghz_runner (python grpc.aio)", "event-loop": loop_name}
    report = build_report(cfg, results, total_ns, end_reason=reason, tags=tags,
                          details=ns.details)
    output: Path = ns.output or default_output(cfg)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(format_summary(report))
    print(f"\nReport: {output}")
    extra = [*(["--data", ns.data] if ns.data else []),
             *(["--data-file", ns.data_file] if ns.data_file else []),
             *(["--metadata", ns.metadata] if ns.metadata else [])]
    print(f"Rerun:  {rerun_command(_python(), cfg, output, extra)}")
    print("ghz:    " + shlex.join(["ghz", "--config", cfg.config_path, "-n", str(cfg.total),
                                   "-c", str(cfg.concurrency), "--connections",
                                   str(cfg.connections), *extra, cfg.host]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
