"""The whole settlement flow as a hypothesis state machine (issue 12 item
7), through settlement's real use cases on SQLite: orders paid (two
sellers, random goods, deductions with bearers, freight; escrow or
collection), refund claims opened and closed, partial and full refunds
(trade's plan: cash, freight, deductions), the after-sales window ended,
paid orders cancelled, settlement cycles (the clock moves a day) and
payouts (random amounts; the sandbox adapter refuses an amount ending in
99). After every step:

* every journal entry balances per currency;
* every account's balance (the ledger's reads) is the sum of its postings;
* a merchant's available balance is never negative, unless a reversal came
  after one of its payouts; and while it is negative no payout is made;
* per order, ``paid = refunded + cleared + held``, where ``paid`` is what
  the buyer paid (the PAYMENT entry's debit of channel_receivable),
  ``refunded`` what went back to the buyer (the REFUND / REVERSAL credits of
  channel_receivable), ``cleared`` what was left of it when the order is
  cleared and ``held`` what is left while it is pending (not yet cleared:
  due or not, held by a claim or not); each equals the model's account of
  the order, the aggregate's (``paid``, ``refunded``, its state) and the
  ledger's (a cleared order's money has left merchant_pending, a pending
  order's has not reached merchant_available);
* payouts never exceed the available balance: each one made was within it
  when made, refused otherwise; what was paid out is the payout_clearing
  account's credit, nothing is left in flight.

Deterministic (derandomized; 25 sequences of 25 steps, about 30 s); each
example on its own copy of a migrated SQLite database. Not shrunk (it takes
minutes): a failure prints its whole sequence of steps.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from settlement import booking, settle
from settlement import store as t
from settlement.app import SERVICE
from settlement.clearing import Deduction
from settlement.consumers import paid_order, refund_of
from settlement.fees import CommissionKind
from settlement.ledger import (
    CHANNEL_RECEIVABLE,
    PAYOUT_CLEARING,
    EntryKind,
    merchant_available,
    merchant_payout_pending,
)
from settlement.payout_adapter import SandboxPayoutAdapter
from settlement.repository import SqlSettlementUnitOfWork
from settlement.settings import SettlementSettings
from tests.builders import migrated
from tests.settlement_support import T0, book, create_payout, deductions, trade_order
from tests.settlement_support import rule as fee_rule
from zhongtai.auth import Identity, Role
from zhongtai.db import Database
from zhongtai.errors import ZhongtaiError
from zhongtai.promotion.v1 import promotion_pb2 as promo
from zhongtai.settlement.v1 import settlement_pb2 as pb
from zhongtai.trade.v1 import trade_pb2 as trade
from zhongtai.wire import money

SELLERS = ("s1", "s2")
OPERATOR = Identity(Role.OPERATOR, "finance")
ESCROW = SettlementSettings()
COLLECTION = SettlementSettings(collection_business_types="default")


@dataclass
class Order:
    """The model's account of one order."""

    sellers: tuple[str, ...]
    paid: int
    refunded: int = 0
    due: bool = False
    cleared: bool = False
    reversed: bool = False
    open_claims: set[str] = field(default_factory=set)
    refunded_claims: set[str] = field(default_factory=set)

    @property
    def left(self) -> int:
        return self.paid - self.refunded

    def settle(self) -> None:
        """Cleared now if due, unheld and not reversed."""
        if self.due and not self.open_claims and not self.reversed:
            self.cleared = True


def rows(result: Any) -> list[Any]:
    return list(result.all())


class Flow(RuleBasedStateMachine):
    """Settlement driven through its use cases (module docstring)."""

    def __init__(self, template: Path, workdir: Path) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        Flow.examples += 1
        path = workdir / f"flow-{Flow.examples}.db"
        shutil.copy(template, path)
        self.db = Database(f"sqlite+aiosqlite:///{path}", SERVICE.metadata, SERVICE.plumbing)
        self.now = T0
        self.adapter = SandboxPayoutAdapter()
        self.orders: dict[str, Order] = {}
        self.claims = self.payouts = 0
        self.paid_out: dict[str, int] = defaultdict(int)
        self.may_go_negative: set[str] = set()
        self.had_payout: set[str] = set()
        self.run(book(self.db, lambda u: u.fee_rules.add(
            fee_rule(1000, seller_id="s1", channel_fee_bps=60, channel_fee_by_merchant=True),
            T0, "op")))
        self.run(book(self.db, lambda u: u.fee_rules.add(
            fee_rule(0, seller_id="s2", rule_id="r2", commission_kind=CommissionKind.FIXED,
                 fixed_amount=300), T0, "op")))

    examples = 0

    def run(self, step: Any) -> Any:
        return self.loop.run_until_complete(step)

    def teardown(self) -> None:
        self.run(self.db.dispose())
        self.loop.close()

    def tick(self) -> dt.datetime:
        self.now += dt.timedelta(minutes=1)
        return self.now

    def uow(self) -> SqlSettlementUnitOfWork:
        return SqlSettlementUnitOfWork(self.db)

    def live(self) -> list[str]:
        return sorted(o for o, m in self.orders.items() if not m.reversed)

    def reversal(self, m: Order, sellers: tuple[str, ...]) -> None:
        """Money of ``sellers`` went back from an order: after clearing,
        their available balances may go below zero if they were paid out
        before."""
        if m.cleared:
            self.may_go_negative |= set(sellers) & self.had_payout

    # -- steps --------------------------------------------------------------

    @rule(data=st.data(), sellers=st.lists(st.sampled_from(SELLERS), min_size=1,
                                           max_size=2, unique=True),
          collection=st.booleans())
    def pay(self, data: st.DataObject, sellers: list[str], collection: bool) -> None:
        oid = f"o{len(self.orders)}"
        lines, paid = [], 0
        for s in sellers:
            goods = data.draw(st.integers(0, 20_000), label=f"goods {s}")
            freight = data.draw(st.integers(0, 1_000), label=f"freight {s}")
            ds = data.draw(deductions(goods), label=f"deductions {s}")
            lines.append((s, goods, freight, [(d.kind, d.source_id, d.platform, d.merchant)
                                              for d in ds]))
            paid += goods - sum(d.amount for d in ds) + freight
        order = trade_order(oid, lines)
        now = self.tick()
        self.run(book(self.db, lambda u: booking.order_paid(
            u, paid_order(order),  # type: ignore[arg-type]
            COLLECTION if collection else ESCROW, now)))
        self.orders[oid] = m = Order(tuple(sellers), paid, due=collection)
        m.settle()

    @precondition(lambda self: self.live())
    @rule(data=st.data())
    def open_claim(self, data: st.DataObject) -> None:
        oid = data.draw(st.sampled_from(self.live()))
        self.claims += 1
        claim, now = f"a{self.claims}", self.tick()
        self.run(book(self.db, lambda u: booking.refund_opened(u, oid, claim, now)))
        self.orders[oid].open_claims.add(claim)

    @precondition(lambda self: any(m.open_claims for m in self.orders.values()))
    @rule(data=st.data())
    def close_claim(self, data: st.DataObject) -> None:
        oid, claim = data.draw(st.sampled_from(sorted(
            (o, c) for o, m in self.orders.items() for c in m.open_claims)))
        now = self.tick()
        self.run(book(self.db, lambda u: booking.refund_closed(u, oid, claim, now)))
        m = self.orders[oid]
        m.open_claims.discard(claim)
        m.settle()

    @precondition(lambda self: self.live())
    @rule(data=st.data(), full=st.booleans())
    def refund(self, data: st.DataObject, full: bool) -> None:
        oid = data.draw(st.sampled_from(self.live()))
        m = self.orders[oid]
        claim = data.draw(st.sampled_from([*sorted(m.open_claims), "new"]))
        if claim == "new":
            self.claims += 1
            claim = f"a{self.claims}"
        seller = data.draw(st.sampled_from(m.sellers))
        part = self.run(self.clearing(oid)).parts[seller]
        back = [Deduction(d.kind, d.source_id,
                          d.platform if full else data.draw(st.integers(0, d.platform)),
                          d.merchant if full else data.draw(st.integers(0, d.merchant)))
                for d in part.deductions]
        cash_left = part.goods - part.discounts
        cash = cash_left if full else data.draw(st.integers(0, cash_left))
        freight = part.freight if full else data.draw(st.integers(0, part.freight))
        plan = trade.RefundPlan(
            application_id=claim, order_id=oid, seller_id=seller,
            cash_amount=money("CNY", cash), freight_amount=money("CNY", freight),
            deductions=[promo.Deduction(kind=d.kind, source_id=d.source_id,  # type: ignore[arg-type]
                                        amount=money("CNY", d.amount),
                                        platform_amount=money("CNY", d.platform),
                                        merchant_amount=money("CNY", d.merchant))
                        for d in back])
        now = self.tick()
        self.run(book(self.db, lambda u: booking.order_refunded(u, oid, refund_of(plan), now)))
        m.refunded_claims.add(claim)
        m.open_claims.discard(claim)
        m.refunded += cash + freight
        self.reversal(m, (seller,))
        if m.left == 0 and not m.cleared:
            m.reversed = True
        m.settle()

    @precondition(lambda self: self.live())
    @rule(data=st.data())
    def after_sales_ended(self, data: st.DataObject) -> None:
        oid = data.draw(st.sampled_from(self.live()))
        now = self.tick()
        self.run(book(self.db, lambda u: booking.after_sales_ended(u, oid, now)))
        m = self.orders[oid]
        m.due = True
        m.settle()

    @precondition(lambda self: self.live())
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        oid = data.draw(st.sampled_from(self.live()))
        now = self.tick()
        self.run(book(self.db, lambda u: booking.order_cancelled(u, oid, True, now)))
        m = self.orders[oid]
        self.reversal(m, m.sellers)
        m.refunded, m.reversed = m.paid, True
        m.open_claims.clear()

    @rule()
    def settlement_cycle(self) -> None:
        self.now += dt.timedelta(days=1)
        closed = self.run(settle.run_cycle(self.uow, ESCROW, self.now))
        assert all(b.net == b.cleared - b.reversed for b in closed)

    @rule(data=st.data(), seller=st.sampled_from(SELLERS), refused=st.booleans())
    def payout(self, data: st.DataObject, seller: str, refused: bool) -> None:
        before = self.run(self.available(seller))
        amount = data.draw(st.integers(1, max(before, 1)) | st.integers(1, 30_000))
        if refused:
            amount = amount // 100 * 100 + 99  # the sandbox refuses it
        self.payouts += 1
        req = pb.CreatePayoutRequest(request_id=f"rq{self.payouts}", seller_id=seller,
                                     amount=money("CNY", amount))
        try:
            p = self.run(create_payout(self.uow, self.adapter, req, OPERATOR, self.tick))
        except ZhongtaiError as e:
            expected = "NEGATIVE_BALANCE" if before < 0 else "PAYOUT_EXCEEDS_AVAILABLE"
            assert (e.reason, before < 0 or amount > before) == (expected, True)
            return
        assert 0 < amount <= before, "a payout beyond the available balance"
        assert p.state.name == ("VOIDED" if refused else "POSTED")
        if not refused:
            self.paid_out[seller] += amount
            self.had_payout.add(seller)
        assert self.run(self.available(seller)) == before - (0 if refused else amount)

    # -- reads --------------------------------------------------------------

    async def clearing(self, oid: str) -> Any:
        async with self.uow() as uow:
            return await uow.clearings.get(oid)

    async def available(self, seller: str) -> int:
        async with self.uow() as uow:
            return dict(await uow.payouts.available(seller)).get("CNY", 0)

    async def ledger(self) -> tuple[list[Any], list[tuple[str, str, int]], dict[str, Any]]:
        async with self.uow() as uow:
            p, j = t.postings.c, t.journal_entries.c
            postings = rows(await uow.session.execute(select(
                p.entry_id, p.account_id, p.currency, p.amount, j.kind, j.order_id)
                .join(t.journal_entries, j.entry_id == p.entry_id)))
            read = await uow.journal.balances()
            clearings = {o: await uow.clearings.get(o) for o in self.orders}
        return postings, read, clearings

    # -- invariants ---------------------------------------------------------

    @invariant()
    def the_books_hold(self) -> None:
        postings, read, clearings = self.run(self.ledger())
        per_entry: dict[tuple[str, str], int] = defaultdict(int)
        summed: dict[tuple[str, str], int] = defaultdict(int)
        by_order: dict[str, dict[tuple[int, str], int]] = defaultdict(lambda: defaultdict(int))
        for x in postings:
            per_entry[(x.entry_id, x.currency)] += x.amount
            summed[(x.account_id, x.currency)] += x.amount
            kind = x.account_id.split(":")[0] + ":"
            by_order[x.order_id][(x.kind, kind)] += x.amount
        assert not {k: v for k, v in per_entry.items() if v}, "an unbalanced entry"
        assert {(a, c): v for a, c, v in read} == dict(summed)

        for seller in SELLERS:
            available = -summed.get((merchant_available(seller), "CNY"), 0)
            assert available >= 0 or seller in self.may_go_negative, (seller, available)
            assert summed.get((merchant_payout_pending(seller), "CNY"), 0) == 0
        assert -summed.get((PAYOUT_CLEARING, "CNY"), 0) == sum(self.paid_out.values())

        for oid, m in self.orders.items():
            b, o = by_order[oid], clearings[oid]
            paid = b[(EntryKind.PAYMENT, CHANNEL_RECEIVABLE)]
            refunded = -(b[(EntryKind.REFUND, CHANNEL_RECEIVABLE)]
                         + b[(EntryKind.REVERSAL, CHANNEL_RECEIVABLE)])
            cleared = m.left if m.cleared else 0
            held = 0 if m.cleared or m.reversed else m.left
            assert (paid, refunded) == (m.paid, m.refunded) == (o.paid, o.refunded), oid
            assert paid == refunded + cleared + held
            pending = sum(v for (_, a), v in b.items() if a == "merchant_pending:")
            reached = sum(v for (_, a), v in b.items() if a == "merchant_available:")
            assert o.state.name == ("REVERSED" if m.reversed else
                                    "CLEARED" if m.cleared else
                                    "HELD" if m.open_claims else "PENDING"), oid
            if m.cleared or m.reversed:
                assert pending == 0, (oid, "money left in merchant_pending")
            else:
                assert reached == 0, (oid, "uncleared money reached merchant_available")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """settlement's database, migrated once; each example gets a copy."""
    path = tmp_path_factory.mktemp("flow") / "template.db"

    async def make() -> None:
        db = await migrated(f"sqlite+aiosqlite:///{path}", SERVICE)
        await db.dispose()

    asyncio.run(make())
    return path


def test_the_whole_flow_keeps_the_books(template: Path, tmp_path: Path) -> None:
    run_state_machine_as_test(
        lambda: Flow(template, tmp_path),
        settings=settings(max_examples=25, stateful_step_count=25, deadline=None,
                          derandomize=True, database=None,
                          # Shrinking takes minutes here (a database per
                          # example): a failure prints its whole sequence.
                          phases=[Phase.explicit, Phase.generate],
                          suppress_health_check=[HealthCheck.too_slow]))
