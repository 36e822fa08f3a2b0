"""Reconciliation's tables (on settlement's metadata, settlement's database).

``channel_transactions`` is settlement's own record of what payment reported
(payment.payment.succeeded, payment.refund.succeeded): one row per channel
transaction, written once (a redelivery or a second report changes nothing).
``reconciliations`` holds one report per (channel, date), written once.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, Text, select
from sqlalchemy.ext.asyncio import AsyncSession

from settlement.reconciliation.matching import Difference, Kind, Result, Txn
from settlement.store import metadata
from zhongtai.db import UTCDateTime, compare_and_set, insert_ignore

channel_transactions = Table(
    "channel_transactions",
    metadata,
    Column("channel", String(32), primary_key=True),
    # "PAY" or "REFUND".
    Column("type", String(8), primary_key=True),
    # The attempt id (PAY) or the refund id (REFUND).
    Column("reference", String(64), primary_key=True),
    Column("channel_transaction_id", String(128), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(16), nullable=False),
    Column("occurred_at", UTCDateTime, nullable=False),
    # YYYY-MM-DD of occurred_at (UTC): the day it is reconciled on.
    Column("day", String(10), nullable=False),
    Index("ix_channel_transactions_day", "channel", "day"),
)

reconciliations = Table(
    "reconciliations",
    metadata,
    Column("channel", String(32), primary_key=True),
    Column("day", String(10), primary_key=True),
    Column("request_id", String(128), nullable=False),
    Column("matched", Integer, nullable=False),
    Column("differences", Integer, nullable=False),
    # The report (matching.Result) as JSON.
    Column("body", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(160), nullable=False),
)


def _txn_json(t: Txn | None) -> list[Any] | None:
    if t is None:
        return None
    return [t.type, t.reference, t.channel_transaction_id, t.amount, t.currency, t.status,
            t.time.isoformat()]


def _txn_from(v: list[Any] | None) -> Txn | None:
    if v is None:
        return None
    return Txn(v[0], v[1], v[2], v[3], v[4], v[5], dt.datetime.fromisoformat(v[6]))


def result_json(r: Result) -> str:
    return json.dumps({
        "channel_rows": r.channel_rows, "our_rows": r.our_rows, "matched": r.matched,
        "carried": r.matched_carried,
        "differences": [[int(d.kind), d.reference, _txn_json(d.channel), _txn_json(d.ours)]
                        for d in r.differences]}, sort_keys=True)


def result_from(text: str) -> Result:
    d = json.loads(text)
    return Result(d["channel_rows"], d["our_rows"], d["matched"], d["carried"], tuple(
        Difference(Kind(k), ref, _txn_from(c), _txn_from(o))
        for k, ref, c, o in d["differences"]))


class Reconciliations:
    """Settlement's record of channel transactions and the stored reports."""

    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self.session = session
        self.dialect = dialect

    async def record(self, channel: str, txn: Txn) -> None:
        """Keep a transaction payment reported; the first report of it stays."""
        await self.session.execute(insert_ignore(self.dialect, channel_transactions).values(
            channel=channel, type=txn.type, reference=txn.reference,
            channel_transaction_id=txn.channel_transaction_id, amount=txn.amount,
            currency=txn.currency, status=txn.status, occurred_at=txn.time,
            day=txn.day.isoformat()))

    async def ours(self, channel: str, days: Sequence[dt.date]) -> list[Txn]:
        """Our records of the channel on these days."""
        c = channel_transactions.c
        rows = await self.session.execute(select(channel_transactions).where(
            c.channel == channel, c.day.in_([d.isoformat() for d in days])))
        return [Txn(r.type, r.reference, r.channel_transaction_id, r.amount, r.currency,
                    r.status, r.occurred_at) for r in rows.all()]

    async def report(self, channel: str, day: dt.date) -> tuple[Result, dt.datetime] | None:
        """The stored report of the day and when it was made, if any."""
        c = reconciliations.c
        row = (await self.session.execute(select(c.body, c.created_at).where(
            c.channel == channel, c.day == day.isoformat()))).first()
        return (result_from(row.body), row.created_at) if row is not None else None

    async def add_report(self, channel: str, day: dt.date, request_id: str, result: Result,
                         at: dt.datetime, by: str) -> bool:
        """Store the day's report unless one is stored (False then)."""
        return await compare_and_set(self.session, insert_ignore(
            self.dialect, reconciliations).values(
            channel=channel, day=day.isoformat(), request_id=request_id,
            matched=result.matched, differences=len(result.differences),
            body=result_json(result), created_at=at, created_by=by))
