"""Fixtures shared by the integration tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from payment.channels.sandbox import SandboxChannel
from payment.sandbox_server import SandboxServer
from settlement.app import SERVICE as SETTLEMENT
from tests.conftest import OpenDb
from tests.sandbox_channel_support import SECRET, TOLERANCE, Admin, Receiver
from zhongtai.db import Database


@pytest.fixture(params=["sqlite", "postgres"])
async def settlement_db(request: pytest.FixtureRequest, migrated_sqlite: OpenDb,
                        migrated_pg: OpenDb) -> Database:
    """settlement's database, migrated, on SQLite and on PostgreSQL."""
    return await (migrated_pg if request.param == "postgres" else migrated_sqlite)(SETTLEMENT)


# The sandbox wallet provider and its harness (tests/sandbox_channel_support.py).

@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxServer]:
    server = SandboxServer(SECRET, notify_backoff_seconds=0.02, notify_max_attempts=3,
                           refund_delay_seconds=0.05)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def channel(sandbox: SandboxServer) -> AsyncIterator[SandboxChannel]:
    ch = SandboxChannel(sandbox.url, SECRET, TOLERANCE, timeout_seconds=2.0)
    yield ch
    await ch.aclose()


@pytest.fixture
async def receiver(channel: SandboxChannel) -> AsyncIterator[Receiver]:
    r = Receiver(channel)
    await r.start()
    yield r
    await r.stop()


@pytest.fixture
async def admin(sandbox: SandboxServer) -> AsyncIterator[Admin]:
    async with aiohttp.ClientSession() as session:
        yield Admin(sandbox.url, session)
