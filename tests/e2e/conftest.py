"""The end-to-end tests' platform (tests/e2e/platform.py) and process
harness (tests/e2e/processes_support.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from logistics.settings import LogisticsSettings
from tests.conftest import CreateDb
from tests.e2e.platform import Platform, running_platform
from tests.e2e.processes_support import Distributed, rabbit_vhost, running_distributed
from tests.e2e.support import free_port


@pytest.fixture
async def platform(tmp_path: Path) -> AsyncIterator[Platform]:
    """The embedded platform with the default settings, on the test's
    ``tmp_path``; closed after the test."""
    async with running_platform(tmp_path) as p:
        yield p


@pytest.fixture
async def tracked(tmp_path: Path) -> AsyncIterator[tuple[Platform, str, str]]:
    """A platform whose in-process sandbox carrier and carrier endpoint listen
    where the test can reach them: (platform, carrier URL, endpoint URL)."""
    carrier, notify = f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"
    async with running_platform(tmp_path, logistics=LogisticsSettings(
            notify_listen=notify, carrier_sandbox_listen=carrier)) as p:
        yield p, f"http://{carrier}", f"http://{notify}"


@pytest.fixture
def vhost(amqp_url: str) -> Iterator[str]:
    """A RabbitMQ virtual host of this test's own (tests/e2e/processes_support.py)."""
    with rabbit_vhost(amqp_url) as url:
        yield url


@pytest.fixture
async def distributed(pg_database: CreateDb, vhost: str,
                      tmp_path: Path) -> AsyncIterator[Distributed]:
    """The seven services as separate processes on PostgreSQL and RabbitMQ
    with their default settings (tests/e2e/processes_support.py)."""
    async with running_distributed(pg_database, vhost, tmp_path) as d:
        yield d
