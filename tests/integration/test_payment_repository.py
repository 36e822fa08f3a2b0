"""payment's repository contract, the same on SQLite and in memory: a payment
saved is the payment loaded, a stale save is refused and changes nothing,
pay orders are taken once and freed by the payment that holds them, the
events of a saved payment reach the outbox with it, and what changed its
audit trail."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable

import pytest

from payment.app import SERVICE as PAYMENT
from payment.fakes import InMemoryPaymentUnitOfWork
from payment.payment import Payment
from payment.repository import PaymentUnitOfWork, PayOrderTaken
from payment.rules import SANDBOX, Policy
from payment.sql_repository import SqlPaymentUnitOfWork
from payment.values import Part
from tests.conftest import OpenDb
from tests.payment_support import outbox_count
from zhongtai.db import utcnow
from zhongtai.errors import Aborted
from zhongtai.events import routing_key

Uows = Callable[[], PaymentUnitOfWork]


@pytest.fixture(params=["memory", "sqlite"])
async def uows(request: pytest.FixtureRequest, migrated_sqlite: OpenDb) -> Uows:
    if request.param == "memory":
        uow = InMemoryPaymentUnitOfWork()
        return lambda: uow
    db = await migrated_sqlite(PAYMENT)
    return lambda: SqlPaymentUnitOfWork(db)


def new_payment(payment_id: str, *pay_orders: str) -> Payment:
    now = utcnow().replace(microsecond=0)
    return Payment.open(payment_id, f"{payment_id}-a", "buyer", "CNY",
                        [Part(po, f"o-{po}", 100) for po in pay_orders], SANDBOX, Policy(), now)


async def published(uows: Uows, key: str) -> int:
    uow = uows()
    if isinstance(uow, InMemoryPaymentUnitOfWork):
        return sum(routing_key(e) == key for e, _ in uow.published)
    assert isinstance(uow, SqlPaymentUnitOfWork)
    return await outbox_count(uow.db, key)


async def test_what_is_saved_is_what_is_loaded(uows: Uows) -> None:
    p = new_payment("P1", "po-1", "po-2")
    async with uows() as uow:
        await uow.payments.add(p)
    async with uows() as uow:
        loaded = await uow.payments.get_for_update("P1")
        assert loaded == p
        now = p.created_at + dt.timedelta(seconds=1)
        loaded.attempt_paid("P1-a", 200, "CNY", 20, "txn", now, "R0", now)
        loaded.request_refund("R1", 50, "asked", "rq-1", now)
        await uow.payments.save(loaded)
    async with uows() as uow:
        again = await uow.payments.get("P1")
        assert await uow.payments.payment_of_refund("R1") == "P1"
        assert await uow.payments.payment_of_attempt("P1-a") == "P1"
    assert again == loaded and again.version == 1
    assert await published(uows, "payment.payment.succeeded") == 1


async def test_a_stale_save_is_refused_and_changes_nothing(uows: Uows) -> None:
    async with uows() as uow:
        await uow.payments.add(new_payment("P1", "po-1"))
    async with uows() as uow:
        stale = await uow.payments.get("P1")
    async with uows() as uow:
        fresh = await uow.payments.get("P1")
        fresh.close("first", fresh.created_at)
        await uow.payments.save(fresh)
    with pytest.raises(Aborted) as e:
        async with uows() as uow:
            await uow.payments.get("P1")
            stale.close("second", stale.created_at)
            await uow.payments.save(copy.deepcopy(stale))
    assert e.value.reason == "CONCURRENT_PAYMENT_CHANGE"
    async with uows() as uow:
        assert (await uow.payments.get("P1")).close_reason == "first"
        trail, _ = await uow.audit_trail("payment", "P1", 0, "")
    assert await published(uows, "payment.payment.closed") == 1
    assert [e.detail for e in trail] == [
        "opened 100 CNY by METHOD_SANDBOX for pay orders po-1; attempt P1-a METHOD_SANDBOX "
        "opened", "PENDING -> CLOSED"]


async def test_pay_orders_are_taken_once_and_freed_by_their_holder(uows: Uows) -> None:
    async with uows() as uow:
        await uow.payments.add(new_payment("P1", "po-1", "po-2"))
    with pytest.raises(PayOrderTaken):
        async with uows() as uow:
            await uow.payments.add(new_payment("P2", "po-2", "po-3"))
    async with uows() as uow:
        assert await uow.payments.holders(["po-1", "po-2", "po-3"]) == {
            "po-1": "P1", "po-2": "P1"}
        assert await uow.payments.get_many(["P2", "P1"]) == [await uow.payments.get("P1")]
        p = await uow.payments.get_for_update("P1")
        p.close("freed", p.created_at)
        await uow.payments.save(p)
    async with uows() as uow:
        assert await uow.payments.holders(["po-1", "po-2"]) == {}
        await uow.payments.add(new_payment("P2", "po-2", "po-3"))
        assert await uow.payments.open_payments_of("po-2") == ["P2"]
        assert await uow.payments.payments_of("po-2", None, 10) == ["P2", "P1"]
