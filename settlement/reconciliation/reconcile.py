"""Reconciling a channel's day (operators): fetch the statements, match them
against settlement's own records, store the report once per (channel, date).

The statements are fetched before the transaction opens (no HTTP inside
one: ``prepare_day``); the report is written in one transaction with its
audit entry and the request id's key (``reconcile_day``, which the servicer
runs under ``zhongtai.idempotency.once``, scope "ReconcileDay"). A day
already stored is returned as it is: a second run, whatever its request id,
replaces nothing. A day that has not ended gives a
provisional report that is never stored.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from settlement.reconciliation import views
from settlement.reconciliation.matching import Result, Txn, reconcile
from settlement.reconciliation.reasons import E
from settlement.reconciliation.sources import StatementSource, StatementUnavailable
from settlement.reconciliation.store import Reconciliations
from settlement.repository import SqlSettlementUnitOfWork
from zhongtai.auth import Identity
from zhongtai.errors import InvalidArgument
from zhongtai.settlement.v1 import reconciliation_pb2 as pb

AUDIT_RECONCILIATION = "reconciliation"


@dataclass(frozen=True)
class Report:
    """A day's report: its result, when it was made, provisional (the day
    has not ended: never stored) or not."""

    channel: str
    day: dt.date
    result: Result
    reported_at: dt.datetime
    provisional: bool = False


@dataclass(frozen=True)
class Day:
    """A day to reconcile (``prepare_day``): its report if stored already,
    else the channel's statements fetched for it."""

    channel: str
    day: dt.date
    provisional: bool
    statements: list[Txn]
    stored: Report | None = None
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_day(value: str) -> dt.date:
    """The request's date (YYYY-MM-DD); INVALID_ARGUMENT otherwise."""
    try:
        if not _DAY.match(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidArgument.field("date", "a day as YYYY-MM-DD") from None


def source_of(sources: Mapping[str, StatementSource], channel: str) -> StatementSource:
    found = sources.get(channel)
    if found is None:
        raise InvalidArgument.field("channel", f"one of {', '.join(sorted(sources))}")
    return found


def repo(uow: SqlSettlementUnitOfWork) -> Reconciliations:
    return Reconciliations(uow.session, uow.db.dialect)


async def _stored(uow: SqlSettlementUnitOfWork, channel: str, day: dt.date
                  ) -> tuple[Result, dt.datetime]:
    found = await repo(uow).report(channel, day)
    if found is None:
        raise E(pb.RECONCILIATION_ERROR_REASON_REPORT_NOT_FOUND,
                f"{channel} {day.isoformat()} is not reconciled",
                metadata={"channel": channel, "date": day.isoformat()})
    return found


async def stored_report(uow: SqlSettlementUnitOfWork, channel: str, day: dt.date) -> Report:
    """The stored report of the day; NOT_FOUND ``REPORT_NOT_FOUND`` before
    the day is reconciled."""
    return Report(channel, day, *await _stored(uow, channel, day))


async def fetch(source: StatementSource, channel: str, day: dt.date) -> list[Txn]:
    """The channel's statements of the day and its neighbours (a transaction
    may be booked a day off); UNAVAILABLE ``STATEMENT_UNAVAILABLE``."""
    found: list[Txn] = []
    try:
        for d in (day - dt.timedelta(days=1), day, day + dt.timedelta(days=1)):
            found += await source.fetch(d)
    except StatementUnavailable as e:
        raise E(pb.RECONCILIATION_ERROR_REASON_STATEMENT_UNAVAILABLE, str(e),
                metadata={"channel": channel, "date": day.isoformat()}) from None
    return found


async def _match(uow: SqlSettlementUnitOfWork, channel: str, day: dt.date,
                 statements: list[Txn]) -> Result:
    ours = await repo(uow).ours(channel, [day - dt.timedelta(days=1), day,
                                          day + dt.timedelta(days=1)])
    return reconcile(day, statements, ours)


async def _store(uow: SqlSettlementUnitOfWork, channel: str, day: dt.date, request_id: str,
                 result: Result, now: dt.datetime, by: str) -> tuple[Result, dt.datetime]:
    """Store the day's report with its audit entry, in the open unit of
    work; the one stored first if there is one."""
    r = repo(uow)
    if not await r.add_report(channel, day, request_id, result, now, by):
        stored = await r.report(channel, day)
        assert stored is not None
        return stored
    uow.audit(AUDIT_RECONCILIATION, f"{channel}/{day.isoformat()}",
              f"matched {result.matched}, differences {len(result.differences)}")
    return result, now


async def prepare_day(uow: SqlSettlementUnitOfWork, sources: Mapping[str, StatementSource],
                      channel: str, date: str, now: dt.datetime) -> Day:
    """ReconcileDay's first phase, outside the request id's transaction: the
    day's stored report if it has one (returned as it is), else the channel's
    statements of the day and its neighbours, fetched."""
    source = source_of(sources, channel)
    day = parse_day(date)
    provisional = day >= now.date()
    if not provisional:
        async with uow:
            found = await repo(uow).report(channel, day)
        if found is not None:
            return Day(channel, day, provisional, [], Report(channel, day, *found))
    return Day(channel, day, provisional, await fetch(source, channel, day))


async def reconcile_day(uow: SqlSettlementUnitOfWork, d: Day, request_id: str,
                        caller: Identity, now: dt.datetime) -> Report:
    """Match the fetched statements of the day (and its neighbours') against
    our records, in the open unit of work (the servicer's, once per request
    id); every row of the day is matched or in one difference. Stored once
    per (channel, date) with an audit entry, when the day has ended (the one
    stored first if another run stored it)."""
    result = await _match(uow, d.channel, d.day, d.statements)
    if d.provisional:
        return Report(d.channel, d.day, result, now, provisional=True)
    return Report(d.channel, d.day, *await _store(uow, d.channel, d.day, request_id, result,
                                                  now, caller.subject))


async def reconciled(uow: SqlSettlementUnitOfWork, channel: str, day: dt.date) -> bool:
    """Whether the channel's day has its report already."""
    async with uow:
        return await repo(uow).report(channel, day) is not None


async def reconcile_scheduled(uow: SqlSettlementUnitOfWork, channel: str, day: dt.date,
                              statements: list[Txn], now: dt.datetime, by: str) -> str:
    """A schedule's run (settlement.schedules): the day's report on the
    ``statements`` fetched beforehand (outside the transaction), stored as
    ReconcileDay stores it, in the caller's transaction; nothing when the day
    is already reconciled. What it did, for the logs."""
    async with uow:
        if await repo(uow).report(channel, day) is not None:
            return f"{channel} {day.isoformat()} already reconciled"
        result, _ = await _store(uow, channel, day, f"schedule:{channel}@{day.isoformat()}",
                                 await _match(uow, channel, day, statements), now, by)
    return (f"{channel} {day.isoformat()}: matched {result.matched}, "
            f"differences {len(result.differences)}")


async def export(uow: SqlSettlementUnitOfWork, channel: str, day: dt.date) -> str:
    """The stored report's differences as CSV (views.CSV_COLUMNS);
    NOT_FOUND ``REPORT_NOT_FOUND`` before the day is reconciled."""
    return views.csv_of((await _stored(uow, channel, day))[0])
