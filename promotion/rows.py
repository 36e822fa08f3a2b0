"""How promotion reads and writes its rows: a table keyed by one id (its row
or NOT_FOUND, a new key or EXISTS), and a rule's scope and id lists (JSON
text columns, read whole, never queried inside) as the protobuf and the
engine see them."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column
from sqlalchemy.ext.asyncio import AsyncSession

from promotion import engine
from promotion.reasons import E
from zhongtai.db import ensure_absent, fetch_one
from zhongtai.ids import new_id
from zhongtai.promotion.v1 import promotion_pb2 as pb
from zhongtai.wire import to_datetime


@dataclass(frozen=True)
class Keyed:
    """A table keyed by one id column, with the reasons that name its rows
    (``what`` in messages)."""

    column: Column[Any]
    what: str
    not_found: int
    exists: int = 0

    async def get(self, s: AsyncSession, key: str) -> Any:
        """The row with ``key``, or the NOT_FOUND reason."""
        return await fetch_one(s, self.column, key, self.what, reason=(E, self.not_found))

    async def new_key(self, s: AsyncSession, requested: str) -> str:
        """``requested`` if no row has it (else the EXISTS reason), or a new id."""
        key = requested or new_id()
        await ensure_absent(s, self.column, key, self.what, reason=(E, self.exists))
        return key


def ids(text: str) -> list[str]:
    """A JSON list of ids."""
    return list(json.loads(text))


def to_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def scope_view(row: Any) -> pb.Scope:
    """The scope columns of a promotion's or a template's row, as protobuf."""
    return pb.Scope(seller_id=row.seller_id, sku_ids=ids(row.scope_sku_ids),
                    category_ids=ids(row.scope_category_ids))


def engine_scope(row: Any) -> engine.Scope:
    """The scope columns of a promotion's or a template's row, as the engine's."""
    return engine.Scope(row.seller_id, frozenset(ids(row.scope_sku_ids)),
                        frozenset(ids(row.scope_category_ids)))


def scope_columns(scope: pb.Scope) -> dict[str, Any]:
    """A scope's columns, to insert."""
    return {"seller_id": scope.seller_id, "scope_sku_ids": to_json(list(scope.sku_ids)),
            "scope_category_ids": to_json(list(scope.category_ids))}


def optional_time(msg: Any, name: str) -> dt.datetime | None:
    """A Timestamp field that may be unset, as a datetime or None."""
    return to_datetime(getattr(msg, name)) if msg.HasField(name) else None
