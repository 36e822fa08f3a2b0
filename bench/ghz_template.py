"""ghz's call-data templates and Go durations, for bench.ghz_runner."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import string
import time
import uuid
from collections.abc import Callable, Mapping

from google.protobuf.descriptor import MethodDescriptor


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


