"""Fixtures shared by the integration tests."""

from __future__ import annotations

import pytest

from settlement.app import SERVICE as SETTLEMENT
from tests.conftest import OpenDb
from zhongtai.db import Database


@pytest.fixture(params=["sqlite", "postgres"])
async def settlement_db(request: pytest.FixtureRequest, migrated_sqlite: OpenDb,
                        migrated_pg: OpenDb) -> Database:
    """settlement's database, migrated, on SQLite and on PostgreSQL."""
    return await (migrated_pg if request.param == "postgres" else migrated_sqlite)(SETTLEMENT)
