"""Builders every test layer shares: money, a service's migrated database.

Builders of one layer live beside it (tests/e2e/builders.py); fakes of other
services and channels in tests/fakes.py. No test module defines a builder
another module imports.
"""

from __future__ import annotations

from zhongtai import migrate
from zhongtai.common.v1.common_pb2 import Money
from zhongtai.db import Database
from zhongtai.service import ServiceSpec
from zhongtai.wire import money


def cny(amount: int) -> Money:
    """``amount`` fen (0.01 yuan) of renminbi."""
    return money("CNY", amount)


async def migrated(url: str, spec: ServiceSpec) -> Database:
    """The service's database at ``url``, its migrations applied; the caller
    disposes of it."""
    db = Database(url, spec.metadata, spec.plumbing)
    await migrate.upgrade(db, spec)
    return db
