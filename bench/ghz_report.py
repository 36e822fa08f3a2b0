"""ghz-shaped JSON reports of a run, for bench.ghz_runner."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bench.ghz_config import RunConfig
from bench.ghz_template import rfc3339

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


