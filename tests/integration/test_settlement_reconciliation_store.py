"""Reconciliation on a real database (SQLite and PostgreSQL): payment's
events recorded once (a redelivery changes nothing, balance payments never
reach a channel); a day reconciled once per (channel, date) with its audit
entry, a second run replacing nothing; a day not ended never stored."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from settlement.reconciliation import reconcile
from settlement.reconciliation.api import ReconciliationServicer
from settlement.reconciliation.consumers import PaymentConsumers
from settlement.reconciliation.matching import Kind, Txn
from settlement.reconciliation.sources import StatementSource, StatementUnavailable
from settlement.reconciliation.store import reconciliations
from settlement.repository import SqlSettlementUnitOfWork
from zhongtai.auth import Identity, Role, reset_identity, set_identity
from zhongtai.common.v1.common_pb2 import Money
from zhongtai.db import Database
from zhongtai.errors import ZhongtaiError
from zhongtai.events import Envelope
from zhongtai.payment.v1 import events_pb2 as pe
from zhongtai.payment.v1 import payment_pb2 as pp
from zhongtai.settlement.v1 import reconciliation_pb2 as pb
from zhongtai.wire import timestamp

pytestmark = pytest.mark.postgres

OPERATOR = Identity(Role.OPERATOR, "op")
DAY = dt.date(2026, 11, 30)
PAID = dt.datetime(2026, 11, 30, 10, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 12, 2, 1, tzinfo=dt.UTC)


@pytest.fixture
def db(settlement_db: Database) -> Database:
    """settlement's database on SQLite and PostgreSQL (tests/integration/conftest.py)."""
    return settlement_db


class Statements(StatementSource):
    """Statements held in memory; ``down`` makes every fetch fail."""

    def __init__(self, rows: list[Txn]) -> None:
        self.rows = rows
        self.down = False

    async def fetch(self, day: dt.date) -> list[Txn]:
        if self.down:
            raise StatementUnavailable("down")
        return [r for r in self.rows if r.day == day]


def payment(attempt: str, method: int = pp.METHOD_SANDBOX) -> pp.Payment:
    return pp.Payment(
        payment_id=f"p-{attempt}", amount=Money(currency_code="CNY", amount_minor=1_000),
        winning_attempt_id=attempt, attempts=[pp.PaymentAttempt(
            attempt_id=attempt, method=method, status=pp.PAYMENT_STATUS_SUCCEEDED,  # type: ignore[arg-type]
            channel_transaction_id=f"sbx-{attempt}", paid_time=timestamp(PAID),
            buyer_paid_amount=Money(currency_code="CNY", amount_minor=1_000))])


async def deliver(db: Database, event: object) -> None:
    handlers = PaymentConsumers(db).handlers()
    async with db.transaction() as s:
        await handlers[type(event)](s, event, Envelope.__new__(Envelope))


async def reconcile_day(db: Database, source: Statements, req: pb.ReconcileDayRequest,
                        now: dt.datetime = NOW) -> pb.ReconcileDayResponse:
    """ReconcileDay as an operator calls it (the servicer: the request id
    remembered)."""
    token = set_identity(OPERATOR)
    try:
        return await ReconciliationServicer(db, {"sandbox": source}, lambda: now).ReconcileDay(
            req, None)  # type: ignore[arg-type]
    finally:
        reset_identity(token)


async def run(db: Database, source: Statements, request_id: str, day: dt.date = DAY,
              now: dt.datetime = NOW) -> pb.ReconciliationReport:
    return (await reconcile_day(db, source, pb.ReconcileDayRequest(
        request_id=request_id, channel="sandbox", date=day.isoformat()), now)).report


async def export(db: Database) -> str:
    async with SqlSettlementUnitOfWork(db) as uow:
        return await reconcile.export(uow, "sandbox", DAY)


async def test_events_recorded_once_and_a_day_reconciled_once(db: Database) -> None:
    await deliver(db, pe.PaymentSucceeded(payment=payment("a1")))
    await deliver(db, pe.PaymentSucceeded(payment=payment("a1")))  # redelivered
    await deliver(db, pe.PaymentSucceeded(payment=payment("b1", pp.METHOD_BALANCE)))
    refund = pp.Refund(refund_id="r1", attempt_id="a1",
                       amount=Money(currency_code="CNY", amount_minor=300))
    await deliver(db, pe.RefundSucceeded(refund=refund, payment=payment("a1"),
                                         occur_time=timestamp(PAID + dt.timedelta(hours=1))))
    async with SqlSettlementUnitOfWork(db) as uow:
        ours = await reconcile.repo(uow).ours("sandbox", [DAY])
    assert sorted((t.type, t.reference, t.amount) for t in ours) == [
        ("PAY", "a1", 1_000), ("REFUND", "r1", 300)]

    source = Statements([ours[0], Txn("PAY", "x9", "sbx-x9", 5, "CNY", "SUCCEEDED", PAID)])
    with pytest.raises(ZhongtaiError) as e:
        await export(db)
    assert e.value.reason == "RECONCILIATION_ERROR_REASON_REPORT_NOT_FOUND"
    first = await run(db, source, "k1")
    assert first.matched == 1 and not first.provisional
    assert sorted(d.kind for d in first.differences) == [Kind.MISSING_HERE,
                                                         Kind.MISSING_AT_CHANNEL]
    source.rows = list(ours)  # the channel's file changed: the stored day stays
    assert await run(db, source, "k2") == first
    assert await run(db, source, "k1") == first
    csv_text = await export(db)
    assert len(csv_text.splitlines()) == 3
    async with db.transaction() as s:
        assert (await s.execute(select(func.count()).select_from(reconciliations))).scalar() == 1
        trail = await s.execute(select(db.plumbing.audit.c.resource_id))
        assert [r[0] for r in trail.all()] == ["sandbox/2026-11-30"]


async def test_a_day_not_ended_is_provisional_and_never_stored(db: Database) -> None:
    source = Statements([])
    report = await run(db, source, "p1", DAY, now=PAID)
    assert report.provisional and report.matched == 0
    with pytest.raises(ZhongtaiError):
        await export(db)
    source.down = True
    with pytest.raises(ZhongtaiError) as e:
        await run(db, source, "p2")
    assert e.value.reason == "RECONCILIATION_ERROR_REASON_STATEMENT_UNAVAILABLE"
    with pytest.raises(ZhongtaiError) as e:
        await reconcile_day(db, source, pb.ReconcileDayRequest(
            request_id="p3", channel="sandbox", date="2026-02-30"))
    assert e.value.reason == "INVALID_ARGUMENT"
    async with db.transaction() as s:
        assert (await s.execute(select(func.count()).select_from(reconciliations))).scalar() == 0
