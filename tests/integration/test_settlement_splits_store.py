"""Split settlement on a real database (SQLite and PostgreSQL) against the
sandbox channel (a real HTTP server): the split adapter's answers
(confirmed once per key, refused beyond the capture less refunds or for an
amount ending in 99, unavailable on a 5xx or no connection); a cleared
order's instruction is recorded with its clearing, holds its amount from
payouts while PENDING and, asked again after a crash that followed the
channel's confirmation, is applied once (one split at the channel, one
SPLIT entry); a refund after the split leaves the balance negative; a
refused split leaves the money for payouts; payment's event booked after
the clearing records the instruction then (and concurrently on
PostgreSQL, exactly once whichever commits first); an order paid by
balance is never split."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from payment.sandbox_server import SandboxServer
from settlement import booking, splits
from settlement import store as t
from settlement.app import SERVICE
from settlement.consumers import paid_order, refund_of
from settlement.ledger import CHANNEL_RECEIVABLE, EntryKind, merchant_available
from settlement.payout_adapter import SandboxPayoutAdapter
from settlement.repository import SqlSettlementUnitOfWork
from settlement.settings import SettlementSettings
from settlement.split import Route, Split, SplitState
from settlement.split_adapter import SandboxSplitAdapter, SplitResult, SplitUnavailable
from tests.conftest import OpenDb
from tests.settlement_support import T0, book, create_payout, rule, trade_order
from zhongtai.auth import Identity, Role
from zhongtai.db import Database
from zhongtai.errors import ZhongtaiError
from zhongtai.settlement.v1 import settlement_pb2 as pb
from zhongtai.trade.v1 import trade_pb2 as trade
from zhongtai.wire import money

pytestmark = pytest.mark.postgres

SPLIT_ON = SettlementSettings(collection_business_types="default", split_channels="sandbox")
CHANNELS = SPLIT_ON.split_channel_set()
OPERATOR = Identity(Role.OPERATOR, "op")


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxServer]:
    server = SandboxServer("secret", notify_max_attempts=1, refund_delay_seconds=0)
    await server.start()
    yield server
    await server.stop()


async def post(url: str, body: dict[str, Any], expect: int = 200) -> Any:
    async with aiohttp.ClientSession() as http, http.post(url, json=body) as r:
        assert r.status == expect, await r.text()
        return await r.json()


async def paid_trade(sandbox: SandboxServer, no: str, amount: int) -> str:
    """A trade paid at the sandbox: its transaction id."""
    await post(f"{sandbox.url}/v1/trades", {"out_trade_no": no, "amount": amount,
                                            "currency": "CNY", "subject": "split test",
                                            "notify_url": "http://127.0.0.1:9/notify"})
    return str((await post(f"{sandbox.url}/v1/trades/{no}/pay", {}))["transaction_id"])


async def test_the_sandbox_split_adapter(sandbox: SandboxServer) -> None:
    adapter = SandboxSplitAdapter(sandbox.url, timeout_seconds=2.0)
    await paid_trade(sandbox, "t-a", 10_000)
    first = await adapter.split("o1:s1", "t-a", "s1", 6_000, "CNY")
    assert first.confirmed and first.reference.startswith("sbxs")
    assert await adapter.split("o1:s1", "t-a", "s1", 6_000, "CNY") == first  # once per key
    await post(f"{sandbox.url}/v1/refunds", {"out_trade_no": "t-a", "out_refund_no": "r-a",
                                             "amount": 3_000})
    over = await adapter.split("o1:s2", "t-a", "s2", 1_001, "CNY")  # 10 000 - 6 000 - 3 000
    assert not over.confirmed and "exceeds" in over.reason
    assert (await adapter.split("o1:s3", "t-a", "s3", 1_000, "CNY")).confirmed
    assert not (await adapter.split("o2:s1", "t-a", "s1", 99, "CNY")).confirmed
    async with aiohttp.ClientSession() as http, \
            http.get(f"{sandbox.url}/v1/trades/t-a/splits") as r:
        listed = await r.json()
    assert [(x["out_split_no"], x["status"]) for x in listed] == [
        ("o1:s1", "SUCCEEDED"), ("o1:s2", "REFUSED"), ("o1:s3", "SUCCEEDED"),
        ("o2:s1", "REFUSED")]
    await post(f"{sandbox.url}/v1/control", {"fail_api": 503, "fail_api_times": 1})
    with pytest.raises(SplitUnavailable):
        await adapter.split("o3:s1", "t-a", "s1", 10, "CNY")
    await sandbox.stop()
    with pytest.raises(SplitUnavailable):
        await adapter.split("o3:s1", "t-a", "s1", 10, "CNY")


async def cleared(db: Database, order_id: str, goods: int = 10_000,
                  payment: Route | None = None) -> None:
    """s1's order of ``goods`` (10% commission), paid (its payment recorded
    first when given) and cleared at payment with split settlement on."""
    async def act(u: SqlSettlementUnitOfWork) -> None:
        if payment is not None:
            await recorded(u, order_id, payment)
        await booking.order_paid(u, paid_order(trade_order(  # type: ignore[arg-type]
            order_id, [("s1", goods, 0, [])])), SPLIT_ON, T0)
    await book(db, act)


@pytest.fixture
async def db(settlement_db: Database) -> Database:
    """settlement's database with a 10% rule for every merchant."""
    await book(settlement_db, lambda u: u.fee_rules.add(rule(1000), T0, "op"))
    return settlement_db


async def recorded(u: SqlSettlementUnitOfWork, order_id: str, payment: Route) -> None:
    """payment's event of the order's payment, booked."""
    await splits.record_payment(u, [order_id], f"pay-{order_id}", payment, CHANNELS, T0)


class CrashAfter:
    """The sandbox adapter, but the first answer is lost after the channel
    applied it (a crash between the channel and our commit)."""

    def __init__(self, inner: SandboxSplitAdapter) -> None:
        self.inner, self.calls = inner, 0

    async def split(self, *args: Any) -> SplitResult:
        self.calls += 1
        result = await self.inner.split(*args)
        if self.calls == 1:
            raise ConnectionResetError("lost after the channel applied it")
        return result


async def send(db: Database, split_id: str, adapter: Any, attempt: int = 1) -> Split:
    """The split timer's three steps, as the timer worker runs them."""
    adapters, clock = {"sandbox": adapter}, lambda: T0 + dt.timedelta(hours=1)
    async with SqlSettlementUnitOfWork(db) as uow:
        s = await splits.to_send(uow, split_id, adapters, clock)
    if s is None:
        async with SqlSettlementUnitOfWork(db) as uow:
            return await uow.splits.get(split_id)
    result = await splits.ask(adapters, s)
    async with SqlSettlementUnitOfWork(db) as uow:
        return await splits.book(uow, split_id, result, attempt, clock)


async def state(db: Database, split_id: str) -> tuple[Split, int, int]:
    """The split, s1's available money and the channel receivable."""
    async with SqlSettlementUnitOfWork(db) as uow:
        s = await uow.splits.get(split_id)
        b = {a: v for a, _, v in await uow.journal.balances(
            [merchant_available("s1"), CHANNEL_RECEIVABLE])}
    return s, -b.get(merchant_available("s1"), 0), b.get(CHANNEL_RECEIVABLE, 0)


async def payout(db: Database, amount: int) -> Any:
    req = pb.CreatePayoutRequest(request_id=f"p-{amount}-{dt.datetime.now().timestamp()}",
                                 seller_id="s1", amount=money("CNY", amount))
    return await create_payout(lambda: SqlSettlementUnitOfWork(db),
                               SandboxPayoutAdapter(), req, OPERATOR,
                               lambda: T0 + dt.timedelta(hours=2))


async def test_a_split_is_recorded_at_clearing_and_applied_once(
        db: Database, sandbox: SandboxServer) -> None:
    txn = await paid_trade(sandbox, "att-1", 10_000)
    await cleared(db, "o1", payment=Route("sandbox", "att-1", txn))
    s, available, _ = await state(db, "o1:s1")
    assert (s.state, s.amount, s.trade_no, s.transaction_id, available) == (
        SplitState.PENDING, 9_000, "att-1", txn, 9_000)
    with pytest.raises(ZhongtaiError) as e:  # the channel will pay it, not a payout
        await payout(db, 1)
    assert e.value.reason == "PAYOUT_EXCEEDS_AVAILABLE"

    adapter = CrashAfter(SandboxSplitAdapter(sandbox.url))
    with pytest.raises(ConnectionResetError):
        await send(db, "o1:s1", adapter)
    assert (await state(db, "o1:s1"))[0].state is SplitState.PENDING
    done = await send(db, "o1:s1", adapter, attempt=2)  # the timer's retry
    assert (done.state, done.attempts) == (SplitState.CONFIRMED, 2)
    assert await send(db, "o1:s1", adapter, attempt=3) == done  # resolved: nothing more
    assert len(sandbox.splits.of_trade("att-1")) == 1
    s, available, receivable = await state(db, "o1:s1")
    assert (available, receivable) == (0, 10_000 - 9_000)  # the platform keeps 10%
    async with SqlSettlementUnitOfWork(db) as uow:
        kinds = [r.kind for r in (await uow.session.execute(select(t.journal_entries).where(
            t.journal_entries.c.order_id == "o1"))).all()]
        split_postings = await uow.journal.postings_of([s.entry_id])
    assert sorted(kinds) == sorted([EntryKind.PAYMENT, EntryKind.CLEARING, EntryKind.SPLIT])
    assert sorted((r.account_id, r.amount) for r in split_postings) == [
        (CHANNEL_RECEIVABLE, -9_000), (merchant_available("s1"), 9_000)]

    # A refund after the split: the balance goes negative, no payout meanwhile.
    await book(db, lambda u: booking.order_refunded(
        u, "o1", refund_of(_plan("a1", 5_000)), T0 + dt.timedelta(hours=3)))
    assert (await state(db, "o1:s1"))[1] == -4_500
    with pytest.raises(ZhongtaiError) as e:
        await payout(db, 1)
    assert e.value.reason == "NEGATIVE_BALANCE"


def _plan(application_id: str, cash: int) -> trade.RefundPlan:
    return trade.RefundPlan(application_id=application_id, seller_id="s1",
                            cash_amount=money("CNY", cash))


async def test_a_refused_split_leaves_the_money_for_payouts(
        db: Database, sandbox: SandboxServer) -> None:
    txn = await paid_trade(sandbox, "att-2", 8_000)  # less than the receivable
    await cleared(db, "o2", payment=Route("sandbox", "att-2", txn))
    s = await send(db, "o2:s1", SandboxSplitAdapter(sandbox.url))
    assert s.state is SplitState.REFUSED and "exceeds" in s.reason
    assert (await state(db, "o2:s1"))[1] == 9_000
    assert (await payout(db, 9_000)).state.name == "POSTED"


async def test_payments_event_after_the_clearing_records_the_split(
        db: Database, sandbox: SandboxServer) -> None:
    txn = await paid_trade(sandbox, "att-3", 10_000)
    await cleared(db, "o3")  # payment's event not booked yet: nothing to split
    async with SqlSettlementUnitOfWork(db) as uow:
        assert await uow.splits.find("o3:s1") is None
    await book(db, lambda u: recorded(u, "o3", Route("sandbox", "att-3", txn)))
    await book(db, lambda u: recorded(u, "o3", Route("sandbox", "att-3", txn)))  # redelivered
    s = await send(db, "o3:s1", SandboxSplitAdapter(sandbox.url))
    assert (s.state, s.amount, s.trade_no) == (SplitState.CONFIRMED, 9_000, "att-3")
    # An order paid by balance is never split, whichever fact comes first.
    await cleared(db, "o4", payment=Route("balance", "", ""))
    await cleared(db, "o5")
    await book(db, lambda u: recorded(u, "o5", Route("balance", "", "")))
    async with SqlSettlementUnitOfWork(db) as uow:
        assert [await uow.splits.find(x) for x in ("o4:s1", "o5:s1")] == [None, None]
    assert (await payout(db, 18_000)).state.name == "POSTED"


async def test_the_clearing_and_payments_event_racing_record_the_split_once(
        migrated_pg: OpenDb) -> None:
    db = await migrated_pg(SERVICE)
    await book(db, lambda u: u.fee_rules.add(rule(1000), T0, "op"))
    route = Route("sandbox", "att-r", "sbx-r")
    for i in range(8):
        order_id = f"race-{i}"
        await asyncio.gather(cleared(db, order_id), book(db, lambda u, o=order_id: recorded(
            u, o, route)))
        async with SqlSettlementUnitOfWork(db) as uow:
            found = await uow.splits.find(f"{order_id}:s1")
        assert found is not None and found.amount == 9_000, order_id
