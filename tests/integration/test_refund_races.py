"""Refund claims under concurrency on PostgreSQL: claims racing for one
line are decided one after the other under the order's lock (one wins, the
others see it open), and the claims and refunded figures round-trip
through trade's tables."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from tests.conftest import OpenDb
from tests.trade_support import POLICY, Clock, line, paid
from trade import refunds
from trade.app import SERVICE as TRADE
from trade.repository import SqlTradeUnitOfWork
from zhongtai.db import Database
from zhongtai.errors import Aborted, FailedPrecondition
from zhongtai.trade.v1 import trade_pb2 as pb

pytestmark = pytest.mark.postgres


async def open_claim(db: Database, application_id: str, amount: int = 1000) -> str:
    try:
        async with SqlTradeUnitOfWork(db) as uow:
            await refunds.open_refund(uow, application_id=application_id, line_order_id="a",
                                      buyer_id="b1", kind=pb.REFUND_KIND_REFUND_ONLY,
                                      quantity=1, amount=amount, currency="CNY", clock=Clock())
        return "ok"
    except (FailedPrecondition, Aborted) as e:
        return e.reason


async def test_two_claims_racing_for_a_line_one_wins(migrated_pg: OpenDb) -> None:
    db = await migrated_pg(TRADE)
    async with SqlTradeUnitOfWork(db) as uow:
        await uow.orders.add(paid(line("a", price=1000, quantity=2), line("b"), order_id="m"))
    results = await asyncio.gather(*(open_claim(db, f"app-{i}") for i in range(6)))
    assert results.count("ok") == 1
    assert set(results) - {"ok"} == {"LINE_REFUND_OPEN"}
    ob = db.plumbing.outbox
    async with db.transaction() as s:
        types = list((await s.execute(select(ob.c.event_type))).scalars())
    assert types.count("zhongtai.trade.v1.OrderRefundOpened") == 1
    # The same application again (after-sales retrying) is answered as before.
    winner = f"app-{results.index('ok')}"
    assert await asyncio.gather(*(open_claim(db, winner) for _ in range(3))) == ["ok"] * 3


async def test_claims_and_refunded_figures_round_trip(migrated_pg: OpenDb) -> None:
    db = await migrated_pg(TRADE)
    async with SqlTradeUnitOfWork(db) as uow:
        await uow.orders.add(paid(line("a", price=1000, quantity=2), line("b"), order_id="m"))
    assert await open_claim(db, "x", amount=700) == "ok"
    async with SqlTradeUnitOfWork(db) as uow:
        _, plan = await refunds.agree_refund(uow, application_id="x", amount=None, currency="",
                                             quantity=None, clock=Clock())
    async with SqlTradeUnitOfWork(db) as uow:
        await refunds.finish_refund(uow, application_id="x",
                                    outcome=pb.REFUND_OUTCOME_KIND_REFUNDED, return_shipping=0,
                                    by_seller=False, clock=Clock(), policy=POLICY)
    async with SqlTradeUnitOfWork(db) as uow:
        order = await uow.orders.get("m")
        again = await uow.orders.by_application("x")
    assert again == order
    assert order.claim("x").plan == plan
    assert order.line("a").refunded.cash == 700
    assert order.line("a").refund_status == pb.LINE_REFUND_STATUS_REFUNDED
    assert order.pay_orders[0].refunded == 700
    assert order.pay_status == pb.PAY_STATUS_PARTIALLY_REFUNDED
