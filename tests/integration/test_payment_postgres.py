"""payment under real concurrency on PostgreSQL: one open payment per pay
order, refunds never above what was captured, the first paid attempt wins and
any other gets exactly one exception refund, a notification takes effect once,
a balance never goes below zero."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import pytest
from sqlalchemy import func, select

from payment import store as t
from payment.app import SERVICE as PAYMENT
from tests.builders import cny
from tests.conftest import OpenDb
from tests.fakes import FakeChannel
from tests.payment_support import (
    Payments,
    create_request,
    get,
    outbox_count,
    payments_for,
    refund_rows,
    run_sweeps,
    top_up,
)
from zhongtai.db import Database
from zhongtai.errors import ZhongtaiError
from zhongtai.payment.v1 import payment_pb2 as pb
from zhongtai.trade.v1 import events_pb2 as trade_events

pytestmark = pytest.mark.postgres

P = pb.PaymentStatus
SANDBOX, BALANCE = pb.METHOD_SANDBOX, pb.METHOD_BALANCE


@pytest.fixture
async def db(migrated_pg: OpenDb) -> Database:
    return await migrated_pg(PAYMENT)


@pytest.fixture
def channel() -> FakeChannel:
    return FakeChannel()


@pytest.fixture
def payments(db: Database, channel: FakeChannel) -> Payments:
    return payments_for(db, channel)


async def outcome(coro: Any) -> Any:
    """The result, or the refusal's reason."""
    try:
        return await coro
    except ZhongtaiError as e:
        return e.reason


async def count(db: Database, table: Any, *where: Any) -> int:
    async with db.transaction() as s:
        return int((await s.execute(select(func.count()).select_from(table)
                                    .where(*where))).scalar_one())


async def assert_one_open_or_paid_payment_per_pay_order(db: Database) -> None:
    """Each lock names an open or paid payment; each open payment holds all
    its pay orders (so no two open payments share one); a closed one holds none."""
    async with db.transaction() as s:
        locks = {r.pay_order_id: r.payment_id
                 for r in (await s.execute(select(t.pay_order_locks))).all()}
        status = {r.payment_id: r.status for r in (await s.execute(select(t.payments))).all()}
        parts = (await s.execute(select(t.payment_parts))).all()
    assert all(status[p] in (P.PAYMENT_STATUS_PENDING, P.PAYMENT_STATUS_SUCCEEDED)
               for p in locks.values())
    for part in parts:
        if status[part.payment_id] == P.PAYMENT_STATUS_PENDING:
            assert locks[part.pay_order_id] == part.payment_id
        if status[part.payment_id] == P.PAYMENT_STATUS_CLOSED:
            assert locks.get(part.pay_order_id) != part.payment_id


async def test_concurrent_create_payments_for_one_pay_order_pay_it_once(payments: Payments,
                                                                       db: Database) -> None:
    """The same buyer: identical requests continue one payment, a balance
    payment supersedes an open sandbox one; whatever the interleaving, one
    payment is left open or paid and the balance is debited at most once."""
    await top_up(payments, "buyer-1", 10_000)
    reqs = [create_request("po-1", 1000, SANDBOX, request_id=f"c-{i}") for i in range(8)]
    reqs += [create_request("po-1", 1000, BALANCE, request_id=f"b-{i}") for i in range(8)]
    results = await asyncio.gather(*(outcome(payments.create_payment(r)) for r in reqs))
    refusals = [r for r in results if isinstance(r, str)]
    assert set(refusals) <= {"CONCURRENT_PAYMENT_CHANGE", "PAY_ORDER_ALREADY_PAID"}
    async with db.transaction() as s:
        rows = (await s.execute(select(t.payments.c.status))).scalars().all()
        balance = (await s.execute(select(t.balance_accounts.c.balance))).scalar_one()
    assert len([x for x in rows if x != P.PAYMENT_STATUS_CLOSED]) == 1
    assert balance == 10_000 - 1000 * rows.count(P.PAYMENT_STATUS_SUCCEEDED)
    assert await count(db, t.pay_order_locks) == 1
    await assert_one_open_or_paid_payment_per_pay_order(db)


async def test_concurrent_merged_payments_over_overlapping_pay_orders(payments: Payments,
                                                                     db: Database) -> None:
    def merged(ids: list[str], key: str) -> pb.CreatePaymentRequest:
        req = create_request(ids[0], 100, request_id=key)
        for i in ids[1:]:
            req.parts.add(pay_order_id=i, order_id=f"o-{i}", amount=cny(100))
        return req

    reqs = [merged(["po-1", "po-2"], "m-1"), merged(["po-2", "po-3"], "m-2"),
            merged(["po-3", "po-1"], "m-3")]
    results = await asyncio.gather(*(outcome(payments.create_payment(r)) for r in reqs))
    assert set(r for r in results if isinstance(r, str)) <= {"CONCURRENT_PAYMENT_CHANGE"}
    assert any(isinstance(r, pb.CreatePaymentResponse) for r in results)
    await assert_one_open_or_paid_payment_per_pay_order(db)
    # A request refused that way is free to be sent again: it replaces the other.
    for req, result in zip(reqs, results, strict=True):
        if isinstance(result, str):
            again = (await payments.create_payment(req)).payment
            assert again.status == P.PAYMENT_STATUS_PENDING
    await assert_one_open_or_paid_payment_per_pay_order(db)


async def test_superseding_races_a_late_success_of_the_old_payment(
        payments: Payments, channel: FakeChannel, db: Database) -> None:
    """Either the old payment is paid first (the new one is refused) or it
    is superseded first (its success is refunded): paid once either way."""
    for i in range(5):
        await top_up(payments, f"buyer-{i}", 1000)
        old = (await payments.create_payment(create_request(
            f"po-{i}", 1000, buyer=f"buyer-{i}"))).payment
        paid = channel.pay(old.attempts[0].attempt_id)
        new, applied = await asyncio.gather(
            outcome(payments.create_payment(create_request(f"po-{i}", 1000, BALANCE,
                                                           buyer=f"buyer-{i}"))),
            outcome(payments.handle_notification(channel, paid)))
        old = await get(payments, old.payment_id)
        if new == "PAY_ORDER_ALREADY_PAID":
            assert applied == "SUCCEEDED" and old.status == P.PAYMENT_STATUS_SUCCEEDED
        else:
            assert new.payment.status == P.PAYMENT_STATUS_SUCCEEDED
            assert (applied, old.status) == ("EXCEPTION_REFUND", P.PAYMENT_STATUS_CLOSED)
            assert [r.kind for r in old.refunds] == [pb.REFUND_KIND_EXCEPTION]
    assert await outbox_count(db, "payment.payment.succeeded") == 5
    await assert_one_open_or_paid_payment_per_pay_order(db)


async def paid_payment(payments: Payments, channel: FakeChannel, amount: int) -> pb.Payment:
    p = (await payments.create_payment(create_request("po-1", amount))).payment
    await payments.handle_notification(channel, channel.pay(p.attempts[0].attempt_id))
    return await get(payments, p.payment_id)


async def test_refunds_racing_against_the_cap_never_exceed_what_was_captured(
        payments: Payments, channel: FakeChannel, db: Database) -> None:
    p = await paid_payment(payments, channel, 1000)

    async def refund(i: int) -> Any:
        return await outcome(payments.create_refund(pb.CreateRefundRequest(
            request_id=f"r-{i}", payment_id=p.payment_id, amount=cny(300))))

    results = await asyncio.gather(*(refund(i) for i in range(12)))
    accepted = [r for r in results if isinstance(r, pb.CreateRefundResponse)]
    assert len(accepted) == 3
    assert set(r for r in results if isinstance(r, str)) <= {"REFUND_EXCEEDS_CAPTURED",
                                                            "CONCURRENT_REFUND"}
    p = await get(payments, p.payment_id)
    assert p.refunded_amount.amount_minor == 900
    assert sum(r.amount.amount_minor for r in p.refunds) == 900
    async with db.transaction() as s:
        attempt_refunded = (await s.execute(select(t.payment_attempts.c.refunded_amount)))\
            .scalar_one()
    assert attempt_refunded == 900

    # The last 100 and a racing 100 more: one of them.
    results = await asyncio.gather(*(outcome(payments.create_refund(pb.CreateRefundRequest(
        payment_id=p.payment_id, amount=cny(100)))) for _ in range(2)))
    assert sum(isinstance(r, pb.CreateRefundResponse) for r in results) == 1


async def test_two_attempts_paid_at_once_one_wins_the_other_is_refunded_once(
        payments: Payments, channel: FakeChannel, db: Database) -> None:
    for round_ in range(5):
        pay_order = f"po-{round_}"
        p = (await payments.create_payment(create_request(pay_order, 1000))).payment
        p = (await payments.switch_channel(pb.SwitchChannelRequest(
            payment_id=p.payment_id, method=SANDBOX))).payment
        a, b = (x.attempt_id for x in p.attempts)
        na, nb = channel.pay(a), channel.pay(b)
        # Both notifications, each delivered three times, all at once.
        outcomes = await asyncio.gather(*(outcome(payments.handle_notification(channel, n))
                                          for n in (na, nb, na, nb, na, nb)))
        assert outcomes.count("SUCCEEDED") == 1, outcomes
        assert outcomes.count("EXCEPTION_REFUND") == 1, outcomes
        p = await get(payments, p.payment_id)
        winner = p.winning_attempt_id
        loser = b if winner == a else a
        assert winner in (a, b)
        assert [(r.kind, r.attempt_id, r.amount.amount_minor) for r in p.refunds] == [
            (pb.REFUND_KIND_EXCEPTION, loser, 1000)]
        assert p.refunded_amount.amount_minor == 0
        assert {x.status for x in p.attempts} == {P.PAYMENT_STATUS_SUCCEEDED}
    assert await outbox_count(db, "payment.payment.succeeded") == 5


async def test_a_notification_delivered_many_times_at_once_has_one_effect(
        payments: Payments, channel: FakeChannel, db: Database) -> None:
    p = (await payments.create_payment(create_request("po-1", 1000))).payment
    paid = channel.pay(p.attempts[0].attempt_id)
    outcomes = await asyncio.gather(*(outcome(payments.handle_notification(channel, paid))
                                      for _ in range(10)))
    assert outcomes.count("SUCCEEDED") == 1
    assert set(outcomes) <= {"SUCCEEDED", "DUPLICATE_NOTIFICATION", "DUPLICATE"}
    assert await outbox_count(db, "payment.payment.succeeded") == 1
    assert await count(db, t.processed_notifications) == 1

    # The same for a refund's settlement.
    r = (await payments.create_refund(pb.CreateRefundRequest(
        payment_id=p.payment_id, amount=cny(1000)))).refund
    await run_sweeps(payments)
    settled = channel.settle_refund(r.refund_id)
    outcomes = await asyncio.gather(*(outcome(payments.handle_notification(channel, settled))
                                      for _ in range(10)))
    assert outcomes.count("REFUND_SUCCEEDED") == 1
    assert await outbox_count(db, "payment.refund.succeeded") == 1
    assert (await get(payments, p.payment_id)).status == P.PAYMENT_STATUS_REFUNDED


async def test_payment_rejected_redelivered_concurrently_refunds_once(
        payments: Payments, channel: FakeChannel, db: Database) -> None:
    p = await paid_payment(payments, channel, 1000)
    event = trade_events.PaymentRejected(order_id="o-po-1", pay_order_id="po-1",
                                         payment_id=p.payment_id, amount=cny(1000),
                                         reason="ORDER_NOT_PAYABLE")

    await asyncio.gather(*(outcome(payments.on_payment_rejected(event)) for _ in range(5)))
    assert [(r.kind, r.amount) for r in await refund_rows(db, p.payment_id)] == [
        (pb.REFUND_KIND_EXCEPTION, 1000)]


async def test_concurrent_balance_payments_never_overdraw(payments: Payments,
                                                         db: Database) -> None:
    await top_up(payments, "buyer-1", 1000)
    results = await asyncio.gather(*(outcome(payments.create_payment(
        create_request(f"po-{i}", 300, BALANCE))) for i in range(10)))
    assert sum(isinstance(r, pb.CreatePaymentResponse) for r in results) == 3
    assert {r for r in results if isinstance(r, str)} == {"INSUFFICIENT_BALANCE"}
    async with db.transaction() as s:
        assert (await s.execute(select(t.balance_accounts.c.balance))).scalar_one() == 100
        ledger = (await s.execute(select(func.sum(t.balance_ledger.c.amount)))).scalar_one()
    assert ledger == 100


async def test_close_racing_a_payment_either_succeeds_or_refunds(
        payments: Payments, channel: FakeChannel, db: Database) -> None:
    for i in range(5):
        p = (await payments.create_payment(create_request(f"po-{i}", 500))).payment
        paid = channel.pay(p.attempts[0].attempt_id)

        results = await asyncio.gather(outcome(payments.close_payment(pb.ClosePaymentRequest(
                                           payment_id=p.payment_id))),
                                       outcome(payments.handle_notification(channel, paid)))
        final = await get(payments, p.payment_id)
        if final.status == P.PAYMENT_STATUS_SUCCEEDED:
            assert results[0] in ("ILLEGAL_PAYMENT_TRANSITION", "CONCURRENT_PAYMENT_CHANGE")
            assert not final.refunds
        else:
            assert final.status == P.PAYMENT_STATUS_CLOSED
            assert results[1] == "EXCEPTION_REFUND"
            assert [r.kind for r in final.refunds] == [pb.REFUND_KIND_EXCEPTION]


async def test_refunds_racing_on_a_discounted_trade_keep_both_caps(
        payments: Payments, channel: FakeChannel, db: Database) -> None:
    # 5000 collected, 300 of it the channel's instant discount: refunds are
    # order money (at most 5000 in all), the buyer gets at most 4700 back.
    p = (await payments.create_payment(create_request("po-1", 5000))).payment
    await payments.handle_notification(channel, dataclasses.replace(
        channel.pay(p.attempts[0].attempt_id), channel_discount_amount=300))

    async def refund(amount: int) -> Any:
        return await outcome(payments.create_refund(pb.CreateRefundRequest(
            payment_id=p.payment_id, amount=cny(amount))))

    results = await asyncio.gather(*(refund(2000) for _ in range(6)))
    assert sum(isinstance(r, pb.CreateRefundResponse) for r in results) == 2
    results = await asyncio.gather(*(refund(1000) for _ in range(3)))
    assert sum(isinstance(r, pb.CreateRefundResponse) for r in results) == 1
    async with db.transaction() as s:
        rows = (await s.execute(select(t.refunds.c.amount, t.refunds.c.channel_discount_amount)
                                .order_by(t.refunds.c.created_at))).all()
        attempt_refunded = (await s.execute(select(t.payment_attempts.c.refunded_amount)))\
            .scalar_one()
    assert sum(a for a, _ in rows) == attempt_refunded == 5000
    # The buyer's money first: the discount went back with the last 1000 only.
    assert sorted((a - d, d) for a, d in rows) == [(700, 300), (2000, 0), (2000, 0)]
    got = await get(payments, p.payment_id)
    assert sum(r.payer_amount.amount_minor for r in got.refunds) == 4700
    assert sum(r.channel_discount_amount.amount_minor for r in got.refunds) == 300
