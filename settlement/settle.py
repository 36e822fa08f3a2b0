"""Settlement cycles and statements (use cases): closing each merchant's
batch when its cycle says, and a merchant's statement of a batch or period.

``run_cycle`` closes, for every merchant with movements no batch took yet,
the batch of the last period its cycle may close now (settlement.cycles), in
one transaction per merchant: exactly once per (merchant, period, currency)
however often or concurrently it runs (the batch's primary key; a movement
is in one batch at most). Each closed batch is audited and published
(settlement.batch.closed) through the outbox.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from settlement import cycles, queries, statement, views
from settlement import store as t
from settlement.cycles import Batch, Cycle, Period
from settlement.reasons import E
from settlement.repository import AUDIT_BATCH, SqlSettlementUnitOfWork
from settlement.requests import SellerPage, StatementAsk
from settlement.settings import SettlementSettings
from settlement.statement import StatementLine
from zhongtai.auth import Identity, acting_seller
from zhongtai.errors import InvalidArgument
from zhongtai.settlement.v1 import events_pb2 as ev
from zhongtai.settlement.v1 import settlement_pb2 as pb
from zhongtai.wire import timestamp

NewUow = Callable[[], SqlSettlementUnitOfWork]


async def run_cycle(new_uow: NewUow, settings: SettlementSettings,
                    now: dt.datetime, as_of: dt.datetime | None = None) -> list[Batch]:
    """Close every due batch (module docstring); the batches closed now.
    ``as_of`` (a schedule's run made late: settlement.schedules) closes the
    periods that were closable then; ``now`` by default."""
    async with new_uow() as uow:
        sellers = await uow.batches.sellers_to_settle()
    closed: list[Batch] = []
    for seller in sellers:
        closed += await close_batches(new_uow(), seller, settings.cycle_of(seller), now,
                                      as_of)
    return closed


async def close_batches(uow: SqlSettlementUnitOfWork, seller_id: str, cycle: Cycle,
                        now: dt.datetime, as_of: dt.datetime | None = None) -> list[Batch]:
    """The merchant's batches of its last closable period (at ``as_of``,
    ``now`` by default), once each."""
    period = cycle.last_closable(as_of or now)
    if period is None:  # pragma: no cover - a cycle always has one
        return []
    async with uow:
        closed = []
        for b in cycles.close(seller_id, period, await uow.batches.unbatched(seller_id), now):
            if await uow.batches.add(b):
                closed.append(b)
                uow.emit(ev.BatchClosed(batch=views.batch_message(b),
                                        occur_time=timestamp(now)), seller_id)
                uow.audit(AUDIT_BATCH, b.batch_id,
                          f"net {b.net} {b.currency}: cleared {b.cleared}, reversed "
                          f"{b.reversed}, {len(b.entry_ids)} entries")
        return closed


def _seller(caller: Identity, requested: str) -> str:
    return requested if caller.is_staff else acting_seller(caller, requested)


async def statement_of(uow: SqlSettlementUnitOfWork, req: StatementAsk,
                       caller: Identity) -> tuple[str, Batch | None, list[StatementLine]]:
    """A merchant's statement lines (its own; staff any) of a batch
    (BATCH_NOT_FOUND unless the merchant's) or of a period."""
    seller = _seller(caller, req.seller_id)
    batch = None
    if req.batch_id:
        batch = await uow.batches.get(req.batch_id)
        if batch is None or batch.seller_id != seller:
            raise E(pb.ERROR_REASON_BATCH_NOT_FOUND, f"no batch {req.batch_id!r} of {seller}",
                    metadata={"batch_id": req.batch_id})
        movements = await uow.batches.movements(seller, entry_ids=batch.entry_ids)
    else:
        if req.start_time is None or req.end_time is None:
            raise InvalidArgument.field("batch_id", "give a batch_id or start_time and end_time")
        period = Period(req.start_time, req.end_time)
        if period.end <= period.start:
            raise InvalidArgument.field("end_time", "must be after start_time")
        movements = await uow.batches.movements(seller, period=period)
    by_entry = await uow.statements.of(seller, [m.entry_id for m in movements])
    return seller, batch, [
        StatementLine(m.order_id, m.entry_id, m.kind, m.posted_at, m.currency,
                      statement.figures(by_entry.get(m.entry_id, {}))) for m in movements]


async def batches(uow: SqlSettlementUnitOfWork, req: SellerPage,
                  caller: Identity) -> tuple[list[Batch], str]:
    """A page of batches, newest period first per merchant (its own; staff
    any)."""
    rows, token = await queries.merchant_page(uow, t.batches, t.batches.c.batch_id, req,
                                              caller, "batches")
    return await uow.batches.batches(rows), token
