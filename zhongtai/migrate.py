"""Alembic migrations per service, run programmatically.

``upgrade`` brings a service's database to its newest revision (``zhongtai
serve`` does it at start; ``zhongtai migrate`` does it alone). ``revision``
autogenerates a new revision from the difference between the service's
MetaData and a database at head. ``diff`` lists that difference (a test keeps
it empty, so the models and the migrations cannot drift apart).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection

from zhongtai.db import Database
from zhongtai.service import ServiceSpec

ENV_DIR = Path(__file__).parent / "alembic"


def _config(spec: ServiceSpec, connection: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(ENV_DIR))
    cfg.set_main_option("version_locations", str(spec.migrations / "versions"))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["connection"] = connection
    cfg.attributes["metadata"] = spec.metadata
    return cfg


async def upgrade(db: Database, spec: ServiceSpec, revision: str = "head") -> None:
    async with db.engine.begin() as conn:
        await conn.run_sync(lambda c: command.upgrade(_config(spec, c), revision))


async def revision(db: Database, spec: ServiceSpec, message: str) -> None:
    await upgrade(db, spec)
    async with db.engine.begin() as conn:
        await conn.run_sync(lambda c: command.revision(
            _config(spec, c), message=message, autogenerate=True))


async def diff(db: Database, spec: ServiceSpec) -> list[Any]:
    async with db.engine.begin() as conn:
        return await conn.run_sync(
            lambda c: compare_metadata(
                MigrationContext.configure(c, opts={"compare_type": True}), spec.metadata))
