"""settlement's database access for cycles, statements and payouts (parts
of ``SqlSettlementUnitOfWork``: ``uow.statements``, ``uow.batches``,
``uow.payouts``).

* ``Statements`` appends what each clearing / reversal moved per seller and
  line kind (never updated).
* ``Batches`` finds a merchant's movements no batch took yet and adds a
  batch behind its primary key (one per merchant, period, currency:
  ``add`` answers False when it exists, so a second or concurrent run adds
  nothing) and its entries behind theirs (a movement is in one batch at
  most).
* ``Payouts`` serializes a merchant's payout requests (``lock``: the
  merchant's ``payout_locks`` row is updated first, a row lock on
  PostgreSQL and the write lock on SQLite, held to the end of the
  transaction), reads its available balance from the postings under that
  lock, and loads and saves payouts behind a version check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, and_, func, select, update

from settlement import store as t
from settlement.cycles import Batch, Movement, Period
from settlement.ledger import EntryKind, merchant_available
from settlement.payout import Payout, PayoutState
from settlement.reasons import E
from zhongtai.db import compare_and_set, insert_ignore, rows_changed
from zhongtai.errors import ZhongtaiError
from zhongtai.settlement.v1 import settlement_pb2 as pb

if TYPE_CHECKING:
    from settlement.repository import SqlSettlementUnitOfWork

AVAILABLE = "merchant_available:"
NETTED = (int(EntryKind.CLEARING), int(EntryKind.REVERSAL))


class Statements:
    def __init__(self, uow: SqlSettlementUnitOfWork) -> None:
        self.uow = uow

    async def add(self, rows: Sequence[tuple[str, str, int, int]]) -> None:
        if rows:
            await self.uow.session.execute(t.statement_lines.insert(), [
                {"entry_id": e, "seller_id": s, "kind": k, "amount": v}
                for e, s, k, v in rows])

    async def of(self, seller_id: str, entry_ids: Sequence[str]
                 ) -> dict[str, dict[int, int]]:
        """Per entry, the seller's amounts by line kind."""
        c = t.statement_lines.c
        rows = await self.uow.session.execute(select(c.entry_id, c.kind, c.amount).where(
            c.seller_id == seller_id, c.entry_id.in_(list(entry_ids))))
        out: dict[str, dict[int, int]] = {}
        for e, k, v in rows.all():
            out.setdefault(str(e), {})[int(k)] = int(v)
        return out


def _movements_query(seller_id: str | None) -> Any:
    p, j = t.postings.c, t.journal_entries.c
    query = select(p.entry_id, j.kind, j.order_id, p.account_id, p.amount, p.currency,
                   j.posted_at).join(t.journal_entries, j.entry_id == p.entry_id) \
        .where(j.kind.in_(NETTED))
    if seller_id is None:
        return query.where(p.account_id.like(f"{AVAILABLE}%"))
    return query.where(p.account_id == merchant_available(seller_id))


def _movement(row: Any) -> Movement:
    return Movement(str(row.entry_id), EntryKind(row.kind), str(row.order_id),
                    int(row.amount), str(row.currency), row.posted_at)


class Batches:
    def __init__(self, uow: SqlSettlementUnitOfWork) -> None:
        self.uow = uow

    def _unbatched(self, seller_id: str | None) -> Any:
        p, b = t.postings.c, t.batch_entries.c
        seller = func.substr(p.account_id, len(AVAILABLE) + 1)
        return _movements_query(seller_id).outerjoin(
            t.batch_entries, and_(b.entry_id == p.entry_id, b.seller_id == seller)
        ).where(b.batch_id.is_(None))

    async def sellers_to_settle(self) -> list[str]:
        """The merchants with movements no batch took yet."""
        rows = (await self.uow.session.execute(self._unbatched(None))).all()
        return sorted({str(r.account_id)[len(AVAILABLE):] for r in rows})

    async def unbatched(self, seller_id: str) -> list[Movement]:
        rows = await self.uow.session.execute(self._unbatched(seller_id))
        return [_movement(r) for r in rows.all()]

    async def movements(self, seller_id: str, *, period: Period | None = None,
                        entry_ids: Sequence[str] = ()) -> list[Movement]:
        """The merchant's movements posted in ``period`` (batched or not),
        or these entries', oldest first."""
        j = t.journal_entries.c
        query = _movements_query(seller_id)
        if period is not None:
            query = query.where(j.posted_at >= period.start, j.posted_at < period.end)
        else:
            query = query.where(j.entry_id.in_(list(entry_ids)))
        rows = await self.uow.session.execute(query.order_by(j.entry_key))
        return [_movement(r) for r in rows.all()]

    async def add(self, b: Batch) -> bool:
        """Write the batch and its entries; False (nothing written) when a
        batch of this merchant, period and currency exists."""
        s = self.uow.session
        result = await s.execute(insert_ignore(self.uow.db.dialect, t.batches).values(
            batch_id=b.batch_id, seller_id=b.seller_id, currency=b.currency,
            period_start=b.period.start, period_end=b.period.end, cleared=b.cleared,
            reversed=b.reversed, closed_at=b.closed_at))
        if not rows_changed(result):
            return False
        await s.execute(t.batch_entries.insert(), [
            {"entry_id": e, "seller_id": b.seller_id, "batch_id": b.batch_id}
            for e in b.entry_ids])
        return True

    async def get(self, batch_id: str) -> Batch | None:
        row = (await self.uow.session.execute(
            select(t.batches).where(t.batches.c.batch_id == batch_id))).first()
        return await self._batch(row) if row is not None else None

    async def _batch(self, row: Any) -> Batch:
        r = row._mapping
        c = t.batch_entries.c
        ids = (await self.uow.session.execute(select(c.entry_id).where(
            c.batch_id == r["batch_id"]).order_by(c.entry_id))).scalars().all()
        return Batch(r["batch_id"], r["seller_id"], Period(r["period_start"], r["period_end"]),
                     r["currency"], tuple(ids), r["cleared"], r["reversed"], r["closed_at"])

    async def batches(self, rows: Iterable[Any]) -> list[Batch]:
        return [await self._batch(r) for r in rows]


async def lock_row(uow: SqlSettlementUnitOfWork, table: Table, key: str) -> None:
    """Serialize transactions on ``key`` until they end: its row of
    ``table`` (a key and a ``requests`` counter) is updated first, inserted
    when missing (a row lock on PostgreSQL, where an insert of the same key
    waits for the other transaction's; the write lock on SQLite)."""
    s = uow.session
    key_column, requests = table.c[table.primary_key.columns.keys()[0]], table.c.requests
    bump = update(table).where(key_column == key).values(requests=requests + 1)
    if not rows_changed(await s.execute(bump)):
        await s.execute(insert_ignore(uow.db.dialect, table)
                        .values({key_column.name: key, "requests": 0}))
        await s.execute(bump)


def payout_row(p: Payout) -> dict[str, Any]:
    return {"payout_id": p.payout_id, "request_id": p.request_id, "seller_id": p.seller_id,
            "currency": p.currency, "amount": p.amount, "state": int(p.state),
            "requested_by": p.requested_by, "reason": p.reason, "reference": p.reference,
            "created_at": p.created_time, "resolved_at": p.resolved_time}


def payout_from(row: Any) -> Payout:
    r = row._mapping
    return Payout(version=r["version"], payout_id=r["payout_id"], request_id=r["request_id"],
                  seller_id=r["seller_id"], amount=r["amount"], currency=r["currency"],
                  state=PayoutState(r["state"]), requested_by=r["requested_by"],
                  reason=r["reason"], reference=r["reference"],
                  created_time=r["created_at"], resolved_time=r["resolved_at"])


def payout_not_found(payout_id: str) -> ZhongtaiError:
    return E(pb.ERROR_REASON_PAYOUT_NOT_FOUND, f"no payout {payout_id!r}",
             metadata={"payout_id": payout_id})


class Payouts:
    def __init__(self, uow: SqlSettlementUnitOfWork) -> None:
        self.uow = uow

    async def lock(self, seller_id: str) -> None:
        """Serialize the merchant's payout requests until the transaction
        ends (the merchant's lock row updated first)."""
        await lock_row(self.uow, t.payout_locks, seller_id)

    async def available(self, seller_id: str) -> list[tuple[str, int]]:
        """(currency, the merchant's available money: minus the balance of
        its credit-normal available account), from the postings."""
        return [(c, -v) for _, c, v in await self.uow.journal.balances(
            [merchant_available(seller_id)])]

    async def find(self, payout_id: str, *, lock: bool = False) -> Payout | None:
        query = select(t.payouts).where(t.payouts.c.payout_id == payout_id)
        if lock:
            query = query.with_for_update()
        row = (await self.uow.session.execute(query)).first()
        return payout_from(row) if row is not None else None

    async def get(self, payout_id: str, *, lock: bool = False) -> Payout:
        found = await self.find(payout_id, lock=lock)
        if found is None:
            raise payout_not_found(payout_id)
        return found

    async def add(self, p: Payout, at: dt.datetime, entries: Sequence[Any]) -> None:
        await self.uow.session.execute(t.payouts.insert().values(**payout_row(p), version=1))
        p.version = 1
        await self.uow.journal.append(entries, at)

    async def save(self, p: Payout, at: dt.datetime, entries: Sequence[Any]) -> None:
        c = t.payouts.c
        if not await compare_and_set(self.uow.session, update(t.payouts).where(
                c.payout_id == p.payout_id, c.version == p.version)
                .values(**payout_row(p), version=c.version + 1)):
            raise E(pb.ERROR_REASON_ILLEGAL_PAYOUT_TRANSITION,
                    f"payout {p.payout_id} changed concurrently",
                    metadata={"payout_id": p.payout_id})
        p.version += 1
        await self.uow.journal.append(entries, at)
