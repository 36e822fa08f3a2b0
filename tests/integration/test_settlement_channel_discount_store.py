"""Channel instant discounts (随机立减) on a real database (SQLite and
PostgreSQL), through settlement's consumers: trade's OrderPaid and payment's
PaymentSucceeded booked in either order (and redelivered) leave the same
lines and balances, the discount applied once (in the PAYMENT entry, or a
CHANNEL_DISCOUNT entry after it); a merged payment's discount is shared
among its orders exactly; a cancellation after payment returns every
account of the order to 0; racing on PostgreSQL, the two facts apply the
discount exactly once whichever commits first."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from settlement import store as t
from settlement.app import SERVICE
from settlement.clearing import LineKind, total
from settlement.consumers import Consumers
from settlement.ledger import (
    CHANNEL_DISCOUNT_RECEIVABLE,
    CHANNEL_RECEIVABLE,
    EntryKind,
    merchant_pending,
)
from settlement.order import OrderClearing
from settlement.reconciliation.consumers import PaymentConsumers
from settlement.repository import SqlSettlementUnitOfWork
from settlement.settings import SettlementSettings
from tests.builders import cny
from tests.conftest import OpenDb
from tests.settlement_support import T0, book, rule, trade_order
from zhongtai.db import Database
from zhongtai.events import Envelope
from zhongtai.payment.v1 import events_pb2 as pe
from zhongtai.payment.v1 import payment_pb2 as pp
from zhongtai.trade.v1 import events_pb2 as te
from zhongtai.wire import timestamp

pytestmark = pytest.mark.postgres

ESCROW = SettlementSettings()


def paid(order_id: str, goods: int = 5_000) -> te.OrderPaid:
    return te.OrderPaid(order=trade_order(order_id, [("s1", goods, 0, [])]))  # type: ignore[arg-type]


def succeeded(payment_id: str, discount: int, *orders: tuple[str, int]) -> pe.PaymentSucceeded:
    """payment's event: one part per (order, amount) (pay order
    ``<order>-p``, as trade_order names it), the winning sandbox attempt
    with ``discount`` funded by the channel."""
    amount = sum(a for _, a in orders)
    return pe.PaymentSucceeded(payment=pp.Payment(
        payment_id=payment_id, amount=cny(amount), status=pp.PAYMENT_STATUS_SUCCEEDED,
        parts=[pp.PaymentPart(pay_order_id=f"{o}-p", order_id=o, amount=cny(a))
               for o, a in orders],
        winning_attempt_id=f"{payment_id}-a", attempts=[pp.PaymentAttempt(
            attempt_id=f"{payment_id}-a", method=pp.METHOD_SANDBOX,
            status=pp.PAYMENT_STATUS_SUCCEEDED, channel_transaction_id=f"sbx-{payment_id}",
            paid_time=timestamp(T0), buyer_paid_amount=cny(amount - discount),
            channel_discount_amount=cny(discount))]))


async def deliver(db: Database, event: object) -> None:
    """The event through its consumer, in one transaction (as the inbox
    runs it; a second delivery is a redelivery the inbox did not catch)."""
    handlers = {**Consumers(db, ESCROW, clock=lambda: T0).handlers(),
                **PaymentConsumers(db, clock=lambda: T0).handlers()}
    async with db.transaction() as s:
        await handlers[type(event)](s, event, Envelope.__new__(Envelope))


async def clearing(db: Database, order_id: str) -> OrderClearing:
    async with SqlSettlementUnitOfWork(db) as uow:
        return await uow.clearings.get(order_id)


async def ledger(db: Database, order_id: str) -> tuple[list[EntryKind], dict[str, int]]:
    """The order's entry kinds (in order) and its postings summed per account
    (zeros dropped)."""
    async with SqlSettlementUnitOfWork(db) as uow:
        c = t.journal_entries.c
        rows = (await uow.session.execute(select(c.entry_id, c.kind).where(
            c.order_id == order_id).order_by(c.entry_id))).all()
        sums: dict[str, int] = {}
        for r in await uow.journal.postings_of([r[0] for r in rows]):
            sums[r.account_id] = sums.get(r.account_id, 0) + r.amount
    return [EntryKind(r[1]) for r in rows], {a: v for a, v in sums.items() if v}


@pytest.fixture
async def db(settlement_db: Database) -> Database:
    """settlement's database with a 10% rule for every merchant."""
    await book(settlement_db, lambda u: u.fee_rules.add(rule(1000), T0, "op"))
    return settlement_db


DISCOUNTED = {CHANNEL_RECEIVABLE: 4_700, CHANNEL_DISCOUNT_RECEIVABLE: 300,
              merchant_pending("s1"): -5_000}


async def test_either_arrival_order_books_the_discount_once_with_the_same_balances(
        db: Database) -> None:
    # trade's fact first: PAYMENT, then a CHANNEL_DISCOUNT entry correcting it.
    await deliver(db, paid("o-late"))
    assert (await ledger(db, "o-late"))[1][CHANNEL_RECEIVABLE] == 5_000
    await deliver(db, succeeded("pay-late", 300, ("o-late", 5_000)))
    await deliver(db, succeeded("pay-late", 300, ("o-late", 5_000)))  # redelivered
    # payment's fact first: the PAYMENT entry has it.
    await deliver(db, succeeded("pay-early", 300, ("o-early", 5_000)))
    await deliver(db, paid("o-early"))
    await deliver(db, paid("o-early"))  # redelivered
    late, early = await ledger(db, "o-late"), await ledger(db, "o-early")
    assert late == ([EntryKind.PAYMENT, EntryKind.CHANNEL_DISCOUNT], DISCOUNTED)
    assert early == ([EntryKind.PAYMENT], DISCOUNTED)
    for order_id in ("o-late", "o-early"):
        c = await clearing(db, order_id)
        assert (c.paid, c.buyer_paid, c.channel_discount) == (5_000, 4_700, 300)
        assert total(c.lines(), LineKind.CHANNEL_DISCOUNT) == -300
        assert total(c.lines(), LineKind.MERCHANT_RECEIVABLE) == 4_500
    # Cleared and cancelled after payment: every account of the order at 0.
    await deliver(db, te.OrderAfterSalesEnded(order=paid("o-late").order))
    await deliver(db, te.OrderCancelled(order=paid("o-late").order, paid=True))
    await deliver(db, te.OrderCancelled(order=paid("o-early").order, paid=True))
    assert (await ledger(db, "o-late"))[1] == {}
    assert (await ledger(db, "o-early"))[1] == {}


async def test_a_merged_payments_discount_is_shared_among_its_orders(db: Database) -> None:
    await deliver(db, paid("m-1", 3_000))
    await deliver(db, succeeded("pay-m", 301, ("m-1", 3_000), ("m-2", 2_000)))
    await deliver(db, paid("m-2", 2_000))
    # By amount in pay order id order, the remainder to the last (as payment
    # caps each part's refunds): 180 and 121.
    shares = [(await clearing(db, o)).channel_discount for o in ("m-1", "m-2")]
    assert shares == [180, 121]
    assert (await ledger(db, "m-2"))[1][CHANNEL_DISCOUNT_RECEIVABLE] == 121


async def test_the_two_facts_racing_apply_the_discount_once(migrated_pg: OpenDb) -> None:
    db = await migrated_pg(SERVICE)
    await book(db, lambda u: u.fee_rules.add(rule(1000), T0, "op"))
    for i in range(8):
        order_id = f"race-{i}"
        await asyncio.gather(deliver(db, paid(order_id)),
                             deliver(db, succeeded(f"pay-{i}", 300, (order_id, 5_000))))
        assert (await ledger(db, order_id))[1] == DISCOUNTED, order_id
