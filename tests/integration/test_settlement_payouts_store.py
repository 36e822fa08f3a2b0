"""Settlement cycles, statements and payouts on a real database (SQLite and
PostgreSQL): a batch nets clearings against reversals once however often it
runs (and concurrently on PostgreSQL); the statement's figures and CSV; a
payout is posted or voided, idempotent by request id, never beyond the
available balance, never while it is negative; concurrent payouts racing
for one balance on PostgreSQL never overdraw it."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest

from settlement import booking, payouts, requests, settle, statement
from settlement.app import SERVICE
from settlement.ledger import merchant_available
from settlement.payout import PayoutState
from settlement.payout_adapter import SandboxPayoutAdapter
from settlement.repository import SqlSettlementUnitOfWork
from settlement.settings import SettlementSettings
from tests.conftest import OpenDb
from tests.settlement_support import T0, book, cleared, create_payout, rule
from zhongtai.auth import Identity, Role
from zhongtai.db import Database
from zhongtai.errors import ZhongtaiError
from zhongtai.settlement.v1 import settlement_pb2 as pb
from zhongtai.wire import money

pytestmark = pytest.mark.postgres

OPERATOR = Identity(Role.OPERATOR, "op")
SELLER = Identity(Role.SELLER, "u1", frozenset({"s1"}))
DAY = dt.timedelta(days=1)


async def with_rule(db: Database) -> None:
    await book(db, lambda u: u.fee_rules.add(rule(1000), T0, "op"))


async def cancelled(db: Database, order_id: str, at: dt.datetime) -> None:
    await book(db, lambda u: booking.order_cancelled(u, order_id, True, at))


async def available(db: Database, seller: str = "s1") -> int:
    async with SqlSettlementUnitOfWork(db) as uow:
        return -sum(v for _, _, v in await uow.journal.balances([merchant_available(seller)]))


def uows(db: Database) -> Any:
    return lambda: SqlSettlementUnitOfWork(db)


async def test_a_batch_nets_once_and_its_statement_has_exact_figures(
        settlement_db: Database) -> None:
    db = settlement_db
    await with_rule(db)
    await cleared(db, "o1")
    await cleared(db, "o2")
    await cancelled(db, "o2", T0 + dt.timedelta(hours=1))
    await cleared(db, "o3", T0 + DAY)  # the next period
    closed = await settle.run_cycle(uows(db), SettlementSettings(), T0 + DAY)
    assert [(b.batch_id, b.cleared, b.reversed, b.net) for b in closed] == [
        ("s1:2026-01-01:CNY", 5400, 2700, 2700)]
    assert await settle.run_cycle(uows(db), SettlementSettings(), T0 + DAY) == []
    (b,) = closed
    req = pb.GetMerchantStatementRequest(seller_id="s1", batch_id=b.batch_id)
    async with SqlSettlementUnitOfWork(db) as uow:
        seller, batch, lines = await settle.statement_of(uow, requests.statement(req), SELLER)
    assert batch == b and seller == "s1"
    assert [(x.order_id, x.kind.name, x.figures.receivable) for x in lines] == [
        ("o1", "CLEARING", 2700), ("o2", "CLEARING", 2700), ("o2", "REVERSAL", -2700)]
    assert lines[0].figures == statement.Figures(4000, 1400, 500, 400, 0, 2700)
    text = statement.to_csv(seller, b.batch_id, lines).splitlines()
    assert text[0] == ",".join(statement.COLUMNS)
    assert text[-1] == "s1,s1:2026-01-01:CNY,,,TOTAL,,CNY,4000,1400,500,400,0,2700"
    with pytest.raises(ZhongtaiError) as e:
        async with SqlSettlementUnitOfWork(db) as uow:
            await settle.statement_of(uow, requests.statement(req),
                                      Identity(Role.SELLER, "u2", frozenset({"s2"})))
    assert e.value.code == "PERMISSION_DENIED"
    # The next day's batch takes o3.
    (nxt,) = await settle.run_cycle(uows(db), SettlementSettings(), T0 + 2 * DAY)
    assert (nxt.batch_id, nxt.net) == ("s1:2026-01-02:CNY", 2700)


def payout_req(request_id: str, amount: int) -> pb.CreatePayoutRequest:
    return pb.CreatePayoutRequest(request_id=request_id, seller_id="s1",
                                  amount=money("CNY", amount))


async def test_payouts_post_void_and_wait_for_a_negative_balance(
        settlement_db: Database) -> None:
    db = settlement_db
    await with_rule(db)
    await cleared(db, "o1")
    adapter = SandboxPayoutAdapter()

    def clock() -> dt.datetime:
        return T0 + DAY

    async def pay(request_id: str, amount: int, caller: Identity = SELLER) -> Any:
        return await create_payout(uows(db), adapter, payout_req(request_id, amount),
                                   caller, clock)

    with pytest.raises(ZhongtaiError) as e:
        await pay("r0", 2701)
    assert e.value.reason == "PAYOUT_EXCEEDS_AVAILABLE"
    first = await pay("r1", 2000)
    assert (first.state, first.reference) == (PayoutState.POSTED, f"sandbox-{first.payout_id}")
    again = await pay("r1", 2000)
    assert again.payout_id == first.payout_id and await available(db) == 700
    adapter.refuse("s1", "bank account frozen")
    refused = await pay("r2", 700, OPERATOR)
    assert (refused.state, refused.reason) == (PayoutState.VOIDED, "bank account frozen")
    assert await available(db) == 700
    adapter.accept("s1")
    await cancelled(db, "o1", T0 + DAY)  # a refund after the payout
    assert await available(db) == -2000
    with pytest.raises(ZhongtaiError) as e:
        await pay("r3", 1)
    assert e.value.reason == "NEGATIVE_BALANCE"
    await cleared(db, "o4", T0 + DAY)
    assert await available(db) == 700  # recovered from the next clearing
    assert (await pay("r4", 700)).state is PayoutState.POSTED
    assert await available(db) == 0
    async with SqlSettlementUnitOfWork(db) as uow:
        listed, _ = await payouts.payouts(uow, requests.seller_page(pb.ListPayoutsRequest()),
                                          SELLER)
    assert [p.state for p in listed] == [PayoutState.POSTED, PayoutState.VOIDED,
                                         PayoutState.POSTED]


@pytest.mark.postgres
async def test_payouts_racing_for_one_balance_never_overdraw_it(migrated_pg: OpenDb) -> None:
    db = await migrated_pg(SERVICE)
    await with_rule(db)
    await cleared(db, "o1")
    adapter = SandboxPayoutAdapter()

    async def pay(i: int) -> str:
        try:
            p = await create_payout(uows(db), adapter, payout_req(f"r{i}", 1000),
                                    SELLER, lambda: T0 + DAY)
            return p.state.name
        except ZhongtaiError as e:
            return e.reason

    results = await asyncio.gather(*(pay(i) for i in range(6)))
    assert sorted(results) == ["PAYOUT_EXCEEDS_AVAILABLE"] * 4 + ["POSTED"] * 2
    assert await available(db) == 700


@pytest.mark.postgres
async def test_concurrent_cycle_runs_close_each_batch_once(migrated_pg: OpenDb) -> None:
    db = await migrated_pg(SERVICE)
    for i in range(3):
        await cleared(db, f"o{i}")
    runs = await asyncio.gather(*(settle.run_cycle(uows(db), SettlementSettings(), T0 + DAY)
                                  for _ in range(4)))
    assert [b.net for run in runs for b in run] == [3 * 3100]
