"""The end-to-end tests' platform (tests/e2e/platform.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.platform import Platform, running_platform


@pytest.fixture
async def platform(tmp_path: Path) -> AsyncIterator[Platform]:
    """The embedded platform with the default settings, on the test's
    ``tmp_path``; closed after the test."""
    async with running_platform(tmp_path) as p:
        yield p
