"""The ``zhongtai`` command.

    zhongtai serve                        every service, one process, SQLite in ./data,
                                          in-process broker, 127.0.0.1:50051
    zhongtai serve --service trade        one service (configure its database, broker
                                          and the others' endpoints; see zhongtai.config)
    zhongtai migrate [--service NAME]     bring databases to the newest schema
    zhongtai makemigration --service NAME -m MESSAGE
    zhongtai token --role buyer --subject u1 [--seller S ...] [--app A] [--ttl SECONDS]
                                          mint a bearer token with the configured signing key
                                          (embedded: the development key in the data dir)
    zhongtai <command> ...                a service's own commands (ServiceSpec.commands),
                                          e.g. payment's ``sandbox`` (the sandbox wallet
                                          provider alone) and logistics' ``sandbox-carrier``

Services are those installed under the ``zhongtai.services`` entry points.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import logging
import sys
from pathlib import Path

from zhongtai import migrate
from zhongtai.auth import (
    AuthSettings,
    Role,
    TokenIssuer,
    dev_key_path,
    identity_from_claims,
    load_or_create_dev_key,
)
from zhongtai.config import Settings
from zhongtai.db import Database
from zhongtai.errors import ZhongtaiError
from zhongtai.process import until_signal
from zhongtai.runtime import Runtime, load_spec, service_names
from zhongtai.service import Command


def _settings(ns: argparse.Namespace) -> Settings:
    return Settings.load(
        ns.config,
        listen=getattr(ns, "listen", None),
        data_dir=Path(ns.data_dir) if getattr(ns, "data_dir", None) else None,
    )


async def _serve(settings: Settings, services: list[str]) -> None:
    runtime = Runtime(settings, services)
    await runtime.start()
    print(f"zhongtai: serving {', '.join(services)} on {settings.listen}", flush=True)
    if runtime.embedded and not runtime.auth.signing_key_file:
        print(f"zhongtai: development signing key {dev_key_path(settings.data_dir)}; "
              "mint a token with: zhongtai token --role buyer --subject u1", flush=True)
    try:
        await until_signal()
    finally:
        await runtime.stop()


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


def _token(settings: Settings, ns: argparse.Namespace) -> str:
    """A bearer token for the identity the options describe."""
    config = settings.section("auth", AuthSettings)
    key = (Path(config.signing_key_file).read_bytes() if config.signing_key_file
           else load_or_create_dev_key(settings.data_dir))
    identity = identity_from_claims({"sub": ns.subject, "role": ns.role,
                                     "sellers": ns.seller or [], "app": ns.app})
    return TokenIssuer(key, config.issuer, config.audience).issue(
        identity, dt.timedelta(seconds=ns.ttl))


def main(argv: list[str] | None = None) -> int:
    names = service_names()
    commands: dict[str, Command] = {c.name: c for name in names
                                    for c in load_spec(name).commands}
    parser = argparse.ArgumentParser(prog="zhongtai")
    parser.add_argument("--config", help="TOML configuration file")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run services")
    serve.add_argument("--service", action="append", choices=names,
                       help="run only this service (repeatable); default: all")
    serve.add_argument("--listen", help="HOST:PORT (default 127.0.0.1:50051)")
    serve.add_argument("--data-dir", help="directory of the SQLite files (default ./data)")
    mig = sub.add_parser("migrate", help="upgrade databases to the newest schema")
    mig.add_argument("--service", action="append", choices=names)
    mig.add_argument("--data-dir")
    mk = sub.add_parser("makemigration", help="autogenerate a migration")
    mk.add_argument("--service", action="append", choices=names, required=True)
    mk.add_argument("-m", "--message", required=True)
    mk.add_argument("--data-dir")
    tok = sub.add_parser("token", help="mint a bearer token (for grpcurl, fronts, tests)")
    tok.add_argument("--role", required=True, choices=[r.value for r in Role])
    tok.add_argument("--subject", required=True,
                     help="buyer id, staff id, seller account or service name")
    tok.add_argument("--seller", action="append",
                     help="a seller id a seller credential acts for (repeatable)")
    tok.add_argument("--app", default="", help="the business line (front) calling")
    tok.add_argument("--ttl", type=float, default=3600.0, help="lifetime in seconds")
    tok.add_argument("--data-dir")
    for command in commands.values():
        command.add_arguments(sub.add_parser(command.name, help=command.help))
    ns = parser.parse_args(argv)
    settings = _settings(ns)
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    services = list(getattr(ns, "service", None) or names)
    runner = asyncio.run
    with contextlib.suppress(ImportError):
        import uvloop

        runner = uvloop.run
    if ns.command == "token":
        try:
            print(_token(settings, ns))
        except ZhongtaiError as e:
            parser.error(e.message)
        return 0
    if ns.command == "serve":
        runner(_serve(settings, services))
    elif ns.command in commands:
        runner(commands[ns.command].run(settings, ns))
    else:
        runner(_migrate(settings, services, getattr(ns, "message", None)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
