"""settlement on a real database (SQLite and PostgreSQL): trade's facts
booked through the use cases, the ledger append-only (no UPDATE or DELETE
of a journal entry or a posting is ever sent), balances the sum of
postings, and two consumers clearing one order concurrently clearing it
once."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event, func, select

from settlement import booking, queries, views
from settlement import store as t
from settlement.app import SERVICE
from settlement.consumers import paid_order
from settlement.ledger import balances
from settlement.repository import SqlSettlementUnitOfWork
from settlement.settings import SettlementSettings
from tests.conftest import OpenDb
from tests.settlement_support import T0, book, lines_by_kind, rule, trade_order
from zhongtai.auth import Identity, Role
from zhongtai.db import Database
from zhongtai.errors import ZhongtaiError
from zhongtai.pagination import Page
from zhongtai.promotion.v1 import promotion_pb2 as promo
from zhongtai.settlement.v1 import settlement_pb2 as pb

pytestmark = pytest.mark.postgres

STAFF = Identity(Role.OPERATOR, "op")
RED_PACKET, SHOP_PROMOTION = 9, 5


@pytest.fixture
def db(settlement_db: Database) -> Database:
    """settlement's database on SQLite and PostgreSQL (tests/integration/conftest.py)."""
    return settlement_db


async def pay(db: Database, order_id: str) -> None:
    order = trade_order(order_id, [("s1", 4000, 500, [(RED_PACKET, "rp", 700, 0),
                                                      (SHOP_PROMOTION, "p", 0, 1400)])])
    await book(db, lambda u: booking.order_paid(
        u, paid_order(order), SettlementSettings(), T0))  # type: ignore[arg-type]


async def clearing(uow: SqlSettlementUnitOfWork, order_id: str, caller: Identity
                   ) -> pb.OrderClearing:
    """The order's clearing as GetOrderClearing shows it to ``caller``."""
    return views.clearing_message(*await queries.order_clearing(uow, order_id, caller))


async def entries_of(uow: SqlSettlementUnitOfWork, order_id: str, caller: Identity
                     ) -> list[pb.JournalEntry]:
    """The first page of the order's entries as ListJournalEntries shows them."""
    found, _ = await queries.journal_entries(uow, "", order_id, Page(0, ""), caller)
    return [views.entry_message(e) for e in found]


async def ledger_sums(db: Database) -> dict[str, int]:
    async with SqlSettlementUnitOfWork(db) as uow:
        return {a: v for a, _, v in await uow.journal.balances()}


async def test_booked_facts_hold_clear_and_never_change_a_posting(db: Database) -> None:
    statements: list[str] = []

    def spy(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement.upper())

    event.listen(db.engine.sync_engine, "before_cursor_execute", spy)
    await pay(db, "o1")
    await pay(db, "o1")  # a second OrderPaid (redelivered or the balance): once
    await book(db, lambda u: booking.refund_opened(u, "o1", "a1", T0))
    await book(db, lambda u: booking.after_sales_ended(u, "o1", T0))
    async with SqlSettlementUnitOfWork(db) as uow:
        held = await clearing(uow, "o1", STAFF)
    assert held.state == pb.CLEARING_STATE_HELD and list(held.open_claims) == ["a1"]
    await book(db, lambda u: booking.refund_closed(u, "o1", "a1", T0))
    async with SqlSettlementUnitOfWork(db) as uow:
        cleared = await clearing(uow, "o1", STAFF)
        entries = await entries_of(uow, "o1", STAFF)
        mine = views.account_message(*await queries.account(
            uow, "merchant_available:s1", Identity(Role.SELLER, "u", frozenset({"s1"}))))
    assert cleared.state == pb.CLEARING_STATE_CLEARED
    assert [e.kind for e in entries] == [pb.ENTRY_KIND_PAYMENT, pb.ENTRY_KIND_CLEARING]
    # Paid 40 + 5 - 7 - 14 = 24; no fee rule: the merchant gets 40 - 14 + 5.
    assert mine.balance.amount_minor == 3100
    sums = await ledger_sums(db)
    assert sums["channel_receivable:"] == 2400 and sums["platform_subsidy:"] == 700
    assert sums.get("merchant_pending:s1", 0) == 0
    assert sum(sums.values()) == 0
    ledger_writes = [s for s in statements if ("UPDATE" in s or "DELETE" in s)
                     and ("POSTINGS" in s or "JOURNAL_ENTRIES" in s)]
    assert ledger_writes == []
    assert any("INSERT INTO POSTINGS" in s for s in statements)


async def test_balances_equal_the_sum_of_postings(db: Database) -> None:
    await pay(db, "o1")
    await book(db, lambda u: booking.after_sales_ended(u, "o1", T0))
    async with SqlSettlementUnitOfWork(db) as uow:
        rows = (await uow.session.execute(select(t.postings))).all()
        found, _ = await queries.accounts(uow, "", set(), Page(0, ""), STAFF)
        listed = [views.account_message(*b) for b in found]
        n = (await uow.session.execute(select(func.count()).select_from(t.postings))).scalar()
    assert n == len(rows) > 0
    by_hand: dict[str, int] = {}
    for r in rows:
        by_hand[r.account_id] = by_hand.get(r.account_id, 0) + r.amount
    shown = {a.account_id: a.balance.amount_minor for a in listed}
    for account_id, total in by_hand.items():
        credit = account_id.split(":")[0] in ("merchant_pending", "merchant_available",
                                              "platform_revenue", "channel_fee_payable")
        assert shown[account_id] == (-total if credit else total)
    assert balances([]) == {}


@pytest.mark.postgres
async def test_two_consumers_clearing_one_order_clear_it_once(migrated_pg: OpenDb) -> None:
    """Row locks: PostgreSQL."""
    db = await migrated_pg(SERVICE)
    await pay(db, "o1")

    async def end() -> None:
        await book(db, lambda u: booking.after_sales_ended(u, "o1", T0))

    await asyncio.gather(end(), end(), end())
    async with SqlSettlementUnitOfWork(db) as uow:
        entries = await entries_of(uow, "o1", STAFF)
    assert [e.kind for e in entries].count(pb.ENTRY_KIND_CLEARING) == 1
    assert (await ledger_sums(db))["merchant_available:s1"] == -3100


async def test_a_merchant_sees_its_own_lines_and_accounts_only(db: Database) -> None:
    order = trade_order("o2", [("s1", 3000, 0, []), ("s2", 2000, 0, [(RED_PACKET, "rp", 200, 0)])])
    await book(db, lambda u: booking.order_paid(
        u, paid_order(order), SettlementSettings(), T0))  # type: ignore[arg-type]
    s1 = Identity(Role.SELLER, "u1", frozenset({"s1"}))
    async with SqlSettlementUnitOfWork(db) as uow:
        mine = await clearing(uow, "o2", s1)
        entries = await entries_of(uow, "o2", s1)
        with pytest.raises(ZhongtaiError) as refused:
            await queries.account(uow, "merchant_pending:s2", s1)
        with pytest.raises(ZhongtaiError) as stranger:
            await clearing(uow, "o2", Identity(Role.SELLER, "u3",
                                                             frozenset({"s3"})))
    assert {x.seller_id for x in mine.lines} == {"s1"}
    assert [p.account_id for e in entries for p in e.postings] == ["merchant_pending:s1"]
    assert refused.value.reason == stranger.value.reason == "NOT_THE_ACCOUNT_OWNER"


async def test_seed_003_is_booked_by_its_business_type_with_the_platforms_own_sale(
        db: Database) -> None:
    """The order's business type picks the take-out rule (an order without
    one, the default type's); the membership of the platform's own seller
    reaches no merchant account nor statement; stored and read back."""
    takeout = rule(1000, business_type="takeout", delivery_by_platform=True, rule_id="t")
    await book(db, lambda u: u.fee_rules.add(takeout, T0, "op"))
    await book(db, lambda u: u.fee_rules.add(rule(2000, rule_id="d"), T0, "op"))
    settings = SettlementSettings(platform_seller_ids="platform")
    fr = promo.DEDUCTION_KIND_FREIGHT_REDUCTION
    for order_id, business in (("o3", "takeout"), ("o4", "")):
        order = trade_order(order_id, [
            ("m1", 4000, 700, [(RED_PACKET, "rp", 509, 0), (SHOP_PROMOTION, "full", 0, 1400),
                               (fr, "fr", 0, 500)]),
            ("platform", 1500, 0, [(RED_PACKET, "rp", 191, 0)])], business_type=business)
        await book(db, lambda u, o=order: booking.order_paid(
            u, paid_order(o), settings, T0))  # type: ignore[arg-type]
        await book(db, lambda u, o=order_id: booking.after_sales_ended(u, o, T0))
    async with SqlSettlementUnitOfWork(db) as uow:
        seed = await clearing(uow, "o3", STAFF)
        old = await clearing(uow, "o4", STAFF)
        sellers = {r[0] for r in (await uow.session.execute(
            select(t.statement_lines.c.seller_id))).all()}
    assert (seed.business_type, list(seed.fee_rule_ids)) == ("takeout", ["t"])
    assert (old.business_type, list(old.fee_rule_ids)) == ("default", ["d"])
    m1, own = lines_by_kind(seed, "m1"), lines_by_kind(seed, "platform")
    assert (m1[pb.LINE_KIND_MERCHANT_RECEIVABLE], m1[pb.LINE_KIND_PLATFORM_COMMISSION],
            m1[pb.LINE_KIND_DELIVERY_FEE]) == (1700, 400, 700)
    assert own[pb.LINE_KIND_PLATFORM_SALES] == 1500 and pb.LINE_KIND_MERCHANT_RECEIVABLE not in own
    # The default rule: 20%, the merchant delivers (the freight is its).
    assert lines_by_kind(old, "m1")[pb.LINE_KIND_MERCHANT_RECEIVABLE] == 4000 - 1900 + 700 - 800
    assert sellers == {"m1"}
    sums = await ledger_sums(db)
    assert sums["platform_sales:"] == -3000 and sums["platform_delivery_revenue:"] == -700
    assert sums["merchant_available:m1"] == -(1700 + 2000)
    assert not [a for a in sums if a.endswith(":platform")]
    assert sum(sums.values()) == 0
