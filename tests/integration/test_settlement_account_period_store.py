"""Joint operation (联营) on a real database (SQLite and PostgreSQL): a
joint-operation order is not cleared at payment but when its after-sales
window ends, and its supplier's batch (account period month+10) closes only
once the period is over: not at the month's end, not the day before, but
ten days after it, with that month's clearings only, once."""

from __future__ import annotations

import datetime as dt

import pytest

from settlement import booking, settle
from settlement.consumers import paid_order
from settlement.cycles import Batch
from settlement.order import Mode, State
from settlement.repository import SqlSettlementUnitOfWork
from settlement.settings import SettlementSettings
from tests.settlement_support import T0, book, rule, trade_order
from zhongtai.db import Database

pytestmark = pytest.mark.postgres

JOINT = SettlementSettings(business_type="supply", joint_operation_business_types="supply",
                           merchant_cycles="s1=month+10", split_channels="")


def on(month: int, day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=dt.UTC)


async def cleared(db: Database, order_id: str, paid: dt.datetime, ended: dt.datetime) -> None:
    """s1's order of 10 000 paid at ``paid``; its window ends at ``ended``."""
    order = trade_order(order_id, [("s1", 10_000, 0, [])], created=paid)
    await book(db, lambda u: booking.order_paid(
        u, paid_order(order), JOINT, paid))  # type: ignore[arg-type]
    async with SqlSettlementUnitOfWork(db) as uow:
        o = await uow.clearings.get(order_id)
    assert (o.mode, o.state) == (Mode.JOINT_OPERATION, State.PENDING)  # not at payment
    await book(db, lambda u: booking.after_sales_ended(u, order_id, ended))
    async with SqlSettlementUnitOfWork(db) as uow:
        assert (await uow.clearings.get(order_id)).state is State.CLEARED


async def test_a_joint_operation_batch_closes_only_after_the_account_period(
        settlement_db: Database) -> None:
    db = settlement_db
    await book(db, lambda u: u.fee_rules.add(rule(1000, business_type="supply"), T0, "op"))
    await cleared(db, "o-march", on(3, 5), on(3, 30))
    await cleared(db, "o-april", on(3, 25), on(4, 2))  # cleared in April: April's period

    async def run(now: dt.datetime) -> list[Batch]:
        return await settle.run_cycle(lambda: SqlSettlementUnitOfWork(db), JOINT, now)

    assert await run(on(3, 31, 23)) == []  # the month is not over
    assert await run(on(4, 10, 23)) == []  # its account period is not over
    (batch,) = await run(on(4, 11))
    assert (batch.batch_id, batch.period.start, batch.period.end, batch.net) == (
        "s1:2026-03-01:CNY", on(3, 1), on(4, 1), 9_000)
    assert batch.entry_ids == ("o-march:0002",)
    assert await run(on(4, 11, 1)) == []  # once
    (april,) = await run(on(5, 11))
    assert (april.batch_id, april.net) == ("s1:2026-04-01:CNY", 9_000)
