"""The ``zhongtai`` command.

    zhongtai serve                        every service, one process, SQLite in ./data,
                                          in-process broker, 127.0.0.1:50051
    zhongtai serve --service trade        one service (configure its database, broker
                                          and the others' endpoints; see zhongtai.config)
    zhongtai migrate [--service NAME]     bring databases to the newest schema
    zhongtai makemigration --service NAME -m MESSAGE
    zhongtai sandbox [--listen HOST:PORT] [--secret S]
                                          the sandbox wallet provider alone, until SIGTERM
                                          (default: payment's sandbox_listen and sandbox_secret)
    zhongtai sandbox-carrier [--listen HOST:PORT] [--secret S]
                                          the sandbox carrier alone, until SIGTERM (default:
                                          logistics' carrier_sandbox_listen and _secret)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from pathlib import Path
from typing import Any

from zhongtai import migrate
from zhongtai.config import SERVICES, Settings
from zhongtai.db import Database
from zhongtai.runtime import Runtime, load_spec
from zhongtai.sandbox import SandboxService


def _settings(ns: argparse.Namespace) -> Settings:
    return Settings.load(
        ns.config,
        listen=getattr(ns, "listen", None),
        data_dir=Path(ns.data_dir) if getattr(ns, "data_dir", None) else None,
    )


async def _serve(settings: Settings, services: list[str]) -> None:
    runtime = Runtime(settings, services)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await runtime.start()
    print(f"zhongtai: serving {', '.join(services)} on {settings.listen}", flush=True)
    try:
        await stop.wait()
    finally:
        await runtime.stop()


async def _sandbox(settings: Settings, listen: str | None, secret: str | None,
                   public_url: str | None) -> None:
    from payment.sandbox_server import SandboxServer

    server = SandboxServer(secret or settings.payment.sandbox_secret,
                           listen or settings.payment.sandbox_listen, public_url=public_url)
    await _run_until_signal(server, "sandbox payment provider")


async def _sandbox_carrier(settings: Settings, listen: str | None, secret: str | None) -> None:
    from logistics.sandbox_carrier import SandboxCarrierServer

    server = SandboxCarrierServer(secret or settings.logistics.carrier_sandbox_secret,
                                  listen or settings.logistics.carrier_sandbox_listen)
    await _run_until_signal(server, "sandbox carrier")


async def _run_until_signal(server: SandboxService[Any], what: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await server.start()
    print(f"zhongtai: {what} on {server.url}", flush=True)
    try:
        await stop.wait()
    finally:
        await server.stop()


async def _migrate(settings: Settings, services: list[str], message: str | None) -> None:
    for name in services:
        spec = load_spec(name)
        db = Database(settings.database_url_for(name), spec.metadata, spec.plumbing)
        try:
            if message:
                await migrate.revision(db, spec, message)
            else:
                await migrate.upgrade(db, spec)
                print(f"{name}: at head")
        finally:
            await db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="zhongtai")
    parser.add_argument("--config", help="TOML configuration file")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run services")
    serve.add_argument("--service", action="append", choices=SERVICES,
                       help="run only this service (repeatable); default: all")
    serve.add_argument("--listen", help="HOST:PORT (default 127.0.0.1:50051)")
    serve.add_argument("--data-dir", help="directory of the SQLite files (default ./data)")
    mig = sub.add_parser("migrate", help="upgrade databases to the newest schema")
    mig.add_argument("--service", action="append", choices=SERVICES)
    mig.add_argument("--data-dir")
    mk = sub.add_parser("makemigration", help="autogenerate a migration")
    mk.add_argument("--service", action="append", choices=SERVICES, required=True)
    mk.add_argument("-m", "--message", required=True)
    mk.add_argument("--data-dir")
    sbx = sub.add_parser("sandbox", help="run the sandbox wallet provider alone")
    sbx.add_argument("--listen", dest="sandbox_listen",
                     help="HOST:PORT (default: payment's sandbox_listen, 127.0.0.1:50053)")
    sbx.add_argument("--secret", help="notification signing secret (default: payment's "
                     "sandbox_secret; ZHONGTAI_PAYMENT_SANDBOX_SECRET)")
    sbx.add_argument("--public-url", help="base URL of the pay pages (default: the bound one)")
    sbc = sub.add_parser("sandbox-carrier", help="run the sandbox carrier alone")
    sbc.add_argument("--listen", dest="sandbox_listen", help="HOST:PORT (default: logistics' "
                     "carrier_sandbox_listen, 127.0.0.1:50055)")
    sbc.add_argument("--secret", help="push signing secret (default: logistics' "
                     "carrier_sandbox_secret; ZHONGTAI_LOGISTICS_CARRIER_SANDBOX_SECRET)")
    ns = parser.parse_args(argv)
    settings = _settings(ns)
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    services = list(getattr(ns, "service", None) or SERVICES)
    runner = asyncio.run
    with contextlib.suppress(ImportError):
        import uvloop

        runner = uvloop.run
    if ns.command == "serve":
        runner(_serve(settings, services))
    elif ns.command == "sandbox":
        runner(_sandbox(settings, ns.sandbox_listen, ns.secret, ns.public_url))
    elif ns.command == "sandbox-carrier":
        runner(_sandbox_carrier(settings, ns.sandbox_listen, ns.secret))
    else:
        runner(_migrate(settings, services, getattr(ns, "message", None)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
