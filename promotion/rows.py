"""How promotion reads and writes its rows: a table keyed by one id (its row
or NOT_FOUND, a new key or EXISTS), and a rule's scope and id lists (JSON
text columns, read whole, never queried inside) as its values
(``promotion.values.Scope``) and the engine see them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Column
from sqlalchemy.ext.asyncio import AsyncSession

from promotion import engine
from promotion.reasons import E
from promotion.values import Scope
from zhongtai.db import ensure_absent, fetch_one
from zhongtai.ids import new_id


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


def scope_of(row: Any) -> Scope:
    """The scope columns of a promotion's or a template's row."""
    return Scope(row.seller_id, tuple(ids(row.scope_sku_ids)),
                 tuple(ids(row.scope_category_ids)))


def engine_scope(row: Any) -> engine.Scope:
    """The scope columns of a promotion's or a template's row, as the engine's."""
    return engine.Scope(row.seller_id, frozenset(ids(row.scope_sku_ids)),
                        frozenset(ids(row.scope_category_ids)))


class ScopeLike(Protocol):
    """A scope as a value or a request gives it."""

    @property
    def seller_id(self) -> str: ...
    @property
    def sku_ids(self) -> Sequence[str]: ...
    @property
    def category_ids(self) -> Sequence[str]: ...


def scope_columns(scope: ScopeLike) -> dict[str, Any]:
    """A scope's columns, to insert."""
    return {"seller_id": scope.seller_id, "scope_sku_ids": to_json(list(scope.sku_ids)),
            "scope_category_ids": to_json(list(scope.category_ids))}
