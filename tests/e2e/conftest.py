"""The end-to-end tests' platform (tests/e2e/platform.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from logistics.settings import LogisticsSettings
from tests.e2e.platform import Platform, running_platform
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
