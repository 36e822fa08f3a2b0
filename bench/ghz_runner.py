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
import itertools
import json
import shlex
import sys
import time
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import message_factory
from google.protobuf.descriptor import MethodDescriptor

from bench.ghz_config import (
    RequestFactory,
    RunConfig,
    load_config,
    render_metadata,
    resolve_method,
)
from bench.ghz_report import CallResult, build_report, error_text, format_summary, go_code_name
from bench.ghz_template import ConfigError

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"

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
