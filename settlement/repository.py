"""settlement's database access and its unit of work.

``FeeRules`` adds and lists versions; ``Clearings`` loads and saves
``OrderClearing`` aggregates (``get_for_update`` row-locks on PostgreSQL, so
two consumers of one order's events wait for each other; ``save`` is behind
an optimistic version check and ``add`` behind the primary key: a second
writer fails and its transaction is retried by the inbox); ``Journal``
appends entries (never updates or deletes one) and derives balances from
postings. Events, audit entries and entries of an aggregate change go to the
same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from settlement import store as t
from settlement.cycle_repository import Batches, Payouts, Statements
from settlement.fees import FeeRule
from settlement.ledger import Entry
from settlement.order import OrderClearing
from settlement.reasons import E
from settlement.split_repository import Splits
from zhongtai.db import Database, compare_and_set, insert_ignore
from zhongtai.errors import ZhongtaiError
from zhongtai.idempotency import SqlKeyStore
from zhongtai.settlement.v1 import settlement_pb2 as pb
from zhongtai.uow import SqlUnitOfWork

AUDIT_FEE_RULE = "fee_rule"
AUDIT_CLEARING = "order_clearing"
AUDIT_BATCH = "settlement_batch"
AUDIT_PAYOUT = "payout"
AUDIT_SPLIT = "split"
Clock = Callable[[], dt.datetime]


def clearing_not_found(order_id: str) -> ZhongtaiError:
    return E(pb.ERROR_REASON_ORDER_CLEARING_NOT_FOUND,
             f"no clearing for order {order_id!r}", metadata={"order_id": order_id})


class FeeRules:
    def __init__(self, uow: SqlSettlementUnitOfWork) -> None:
        self.uow = uow

    async def add(self, rule: FeeRule, at: dt.datetime, by: str) -> None:
        """Write a new version; ALREADY_EXISTS ``FEE_RULE_VERSION_EXISTS`` when
        one with the same business type, merchant and effective time exists."""
        s = self.uow.session
        r = t.fee_rules.c
        clash = (await s.execute(select(r.fee_rule_id).where(
            r.business_type == rule.business_type, r.seller_id == rule.seller_id,
            r.effective_at == rule.effective_time))).first()
        if clash is not None:
            raise E(pb.ERROR_REASON_FEE_RULE_VERSION_EXISTS,
                    f"fee rule {clash[0]} already takes effect then",
                    metadata={"fee_rule_id": str(clash[0])})
        await s.execute(t.fee_rules.insert().values(
            fee_rule_id=rule.fee_rule_id, business_type=rule.business_type,
            seller_id=rule.seller_id, effective_at=rule.effective_time,
            rule=t.rule_json(rule), created_at=at, created_by=by))

    async def of(self, business_type: str, seller_ids: Iterable[str]) -> list[FeeRule]:
        """Every version of the business type for these sellers or all."""
        r = t.fee_rules.c
        rows = await self.uow.session.execute(select(r.rule).where(
            r.business_type == business_type, r.seller_id.in_(["", *seller_ids])))
        return [t.rule_from(x[0]) for x in rows.all()]


class Clearings:
    def __init__(self, uow: SqlSettlementUnitOfWork) -> None:
        self.uow = uow

    async def find(self, order_id: str, *, lock: bool = False) -> OrderClearing | None:
        query = select(t.clearings).where(t.clearings.c.order_id == order_id)
        if lock:
            query = query.with_for_update()
        row = (await self.uow.session.execute(query)).first()
        return t.clearing_from(row) if row is not None else None

    async def get(self, order_id: str) -> OrderClearing:
        found = await self.find(order_id)
        if found is None:
            raise clearing_not_found(order_id)
        return found

    async def add(self, o: OrderClearing, entries: Sequence[Entry], at: dt.datetime) -> None:
        """Write a new clearing (version 1) and its entries."""
        s = self.uow.session
        await s.execute(t.clearings.insert().values(**t.clearing_row(o), version=1))
        o.version = 1
        for seller in o.parts:
            await s.execute(insert_ignore(self.uow.db.dialect, t.clearing_sellers)
                            .values(order_id=o.order_id, seller_id=seller))
        await self.uow.journal.append(entries, at)

    async def save(self, o: OrderClearing, entries: Sequence[Entry], at: dt.datetime) -> None:
        """Write it behind the version check, and its new entries."""
        c = t.clearings.c
        if not await compare_and_set(self.uow.session, update(t.clearings).where(
                c.order_id == o.order_id, c.version == o.version)
                .values(**t.clearing_row(o), version=c.version + 1)):
            raise E(pb.ERROR_REASON_CONCURRENT_CLEARING_CHANGE,
                    f"clearing {o.order_id} changed concurrently; retry",
                    metadata={"order_id": o.order_id})
        o.version += 1
        await self.uow.journal.append(entries, at)


class Journal:
    """The ledger's tables: appended to, summed, never changed."""

    def __init__(self, uow: SqlSettlementUnitOfWork) -> None:
        self.uow = uow

    async def append(self, entries: Iterable[Entry], at: dt.datetime) -> None:
        s = self.uow.session
        for e in entries:
            await s.execute(t.journal_entries.insert().values(
                entry_id=e.entry_id, entry_key=f"{at.isoformat()}|{e.entry_id}",
                kind=int(e.kind), order_id=e.order_id, reference=e.reference,
                reverses=e.reverses, posted_at=at))
            if e.postings:
                await s.execute(t.postings.insert(), [
                    {"entry_id": e.entry_id, "line": i, "account_id": p.account,
                     "currency": p.currency, "amount": p.amount}
                    for i, p in enumerate(e.postings)])

    async def balances(self, account_ids: Sequence[str] | None = None,
                       owner: str | None = None) -> list[tuple[str, str, int]]:
        """(account, currency, sum of postings), by account id, for these
        accounts, or the accounts of ``owner`` (its suffix), or all."""
        p = t.postings.c
        query = select(p.account_id, p.currency, func.sum(p.amount)) \
            .group_by(p.account_id, p.currency).order_by(p.account_id, p.currency)
        if account_ids is not None:
            query = query.where(p.account_id.in_(list(account_ids)))
        if owner is not None:
            query = query.where(p.account_id.like(f"%:{owner}"))
        rows = (await self.uow.session.execute(query)).all()
        return [(str(a), str(c), int(v)) for a, c, v in rows]

    async def postings_of(self, entry_ids: Sequence[str]) -> list[Any]:
        p = t.postings.c
        return list((await self.uow.session.execute(
            select(t.postings).where(p.entry_id.in_(list(entry_ids)))
            .order_by(p.entry_id, p.line))).all())


class SqlSettlementUnitOfWork(SqlUnitOfWork):
    """One transaction on settlement's database, or a part of an open one
    (a consumer's: see ``SqlUnitOfWork``)."""

    def __init__(self, db: Database, session: AsyncSession | None = None) -> None:
        super().__init__(db, session)
        self.fee_rules = FeeRules(self)
        self.clearings = Clearings(self)
        self.journal = Journal(self)
        self.keys = SqlKeyStore(self)
        self.statements = Statements(self)
        self.batches = Batches(self)
        self.payouts = Payouts(self)
        self.splits = Splits(self)
