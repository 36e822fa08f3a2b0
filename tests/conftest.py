"""Shared fixtures.

PostgreSQL and RabbitMQ tests never skip: when a server is unreachable the
fixture fails with the command that starts it. Point them elsewhere with
ZHONGTAI_TEST_PG_URL (an admin URL; each test gets fresh databases created
from it) and ZHONGTAI_TEST_AMQP_URL.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.builders import migrated
from zhongtai.db import Database
from zhongtai.service import ServiceSpec

PG_ADMIN_URL = os.environ.get(
    "ZHONGTAI_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
AMQP_URL = os.environ.get("ZHONGTAI_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=3):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    u = make_url(PG_ADMIN_URL)
    if not _reachable(u.host or "127.0.0.1", u.port or 5432):
        pytest.fail(
            f"PostgreSQL is unreachable at {u.host}:{u.port}. Start it: "
            "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
            pytrace=False,
        )
    return PG_ADMIN_URL


@pytest.fixture(scope="session")
def amqp_url() -> str:
    u = urlparse(AMQP_URL)
    if not _reachable(u.hostname or "127.0.0.1", u.port or 5672):
        pytest.fail(
            f"RabbitMQ is unreachable at {u.hostname}:{u.port}. Start it: "
            "rabbitmq-server -detached",
            pytrace=False,
        )
    return AMQP_URL


CreateDb = Callable[[str], Awaitable[str]]


@pytest.fixture
async def pg_database(pg_admin_url: str) -> AsyncIterator[CreateDb]:
    """A factory of fresh PostgreSQL databases, dropped after the test."""
    admin = create_async_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    created: list[str] = []

    async def create(label: str = "db") -> str:
        name = f"zt_test_{label}_{uuid.uuid4().hex[:10]}"
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False)

    try:
        yield create
    finally:
        async with admin.connect() as conn:
            for name in created:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


OpenDb = Callable[[ServiceSpec], Awaitable[Database]]


@asynccontextmanager
async def _migrated_dbs(url_for: Callable[[ServiceSpec], str | Awaitable[str]]
                        ) -> AsyncIterator[OpenDb]:
    opened: list[Database] = []

    async def open_db(spec: ServiceSpec) -> Database:
        url = url_for(spec)
        opened.append(await migrated(url if isinstance(url, str) else await url, spec))
        return opened[-1]

    try:
        yield open_db
    finally:
        for db in opened:
            await db.dispose()


@pytest.fixture
async def migrated_sqlite(tmp_path: Path) -> AsyncIterator[OpenDb]:
    """A factory of a service's database, migrated, on SQLite in ``tmp_path``;
    disposed after the test."""
    async with _migrated_dbs(lambda spec: f"sqlite+aiosqlite:///{tmp_path}/{spec.name}.db"
                             ) as open_db:
        yield open_db


@pytest.fixture
async def migrated_pg(pg_database: CreateDb) -> AsyncIterator[OpenDb]:
    """The same on a fresh PostgreSQL database, dropped after the test."""
    async with _migrated_dbs(lambda spec: pg_database(spec.name)) as open_db:
        yield open_db


def unique_name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def eventually(
    check: Callable[[], Awaitable[bool]], within: float = 10.0, interval: float = 0.05
) -> None:
    """Wait until ``check()`` is true; fail after ``within`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        if await check():
            return
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {within}s: {check}")
        await asyncio.sleep(interval)


async def equals(value: Awaitable[object], expected: object) -> bool:
    """Whether ``value`` comes to ``expected``: ``eventually(lambda: equals(x(), 2))``."""
    return bool(await value == expected)
