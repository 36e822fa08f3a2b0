"""trade's saga and state machine under concurrency on PostgreSQL, with a fake
catalog so the races can be arranged precisely."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from tests.builders import migrated
from tests.conftest import CreateDb, eventually
from tests.fakes import FakeCatalog, FakePromotion
from tests.trade_support import FRONT, OPS, buyer, seller
from trade import adjust_price, cancel, create_saga, queries, views
from trade import store as t_store
from trade.app import SERVICE as TRADE
from trade.app import policy_of
from trade.checkout import Clients
from trade.consumers import Consumers, timer_handlers
from trade.order import PAY_TIMEOUT_TIMER, ROLLBACK_TIMER, TradePolicy
from trade.repository import SqlTradeUnitOfWork
from trade.settings import TradeSettings
from zhongtai.common.v1.common_pb2 import Address, Money
from zhongtai.db import Database, utcnow
from zhongtai.errors import Aborted, FailedPrecondition, Unavailable
from zhongtai.payment.v1 import events_pb2 as pay_events
from zhongtai.payment.v1 import payment_pb2 as pay_pb
from zhongtai.timers import TimerWorker
from zhongtai.trade.v1 import events_pb2 as trade_events
from zhongtai.trade.v1 import trade_pb2 as tr

pytestmark = pytest.mark.postgres


@dataclass
class Trade:
    """trade's use cases over one database, with fake catalog and promotion."""

    db: Database
    clients: Clients
    policy: TradePolicy

    def uow(self) -> SqlTradeUnitOfWork:
        return SqlTradeUnitOfWork(self.db)

    async def create_order(self, req: tr.CreateOrderRequest) -> tr.CreateOrderResponse:
        return await create_saga.create_order(self.uow, self.clients, self.policy, req, FRONT)

    async def get_order(self, order_id: str) -> tr.Order:
        async with self.uow() as uow:
            order, _ = await queries.get_order(uow, order_id, OPS)
        return views.order_message(order)

    async def list_orders(self, buyer_id: str) -> list[tr.Order]:
        async with self.uow() as uow:
            listed, _ = await queries.list_orders(uow, caller=OPS, buyer_id=buyer_id, seller_id="",
                                                  statuses=[], page_size=0, page_token="")
        return [views.order_message(o) for o, _ in listed]

    async def cancel(self, order_id: str) -> None:
        async with self.uow() as uow:
            await cancel.cancel_order(uow, order_id=order_id, caller=buyer("buyer-1"),
                                      reason="", clock=utcnow)


async def make_trade(url: str, **settings: float) -> tuple[Trade, FakeCatalog]:
    db = await migrated(url, TRADE)
    fake = FakeCatalog()
    trade = Trade(db, Clients(fake, FakePromotion()),  # type: ignore[arg-type]
                  policy_of(TradeSettings(**settings)))
    return trade, fake


@pytest.fixture
async def trade(pg_database: CreateDb) -> AsyncIterator[tuple[Trade, FakeCatalog]]:
    t, fake = await make_trade(await pg_database("trade"))
    yield t, fake
    await t.db.dispose()


def request(**kw: str) -> tr.CreateOrderRequest:
    return tr.CreateOrderRequest(buyer_id="buyer-1", address=Address(),
                                 lines=[tr.OrderLineInput(sku_id="svc", quantity=1)], **kw)


async def outbox_types(db: Database) -> list[str]:
    ob = db.plumbing.outbox
    async with db.transaction() as s:
        return list((await s.execute(select(ob.c.event_type).order_by(ob.c.id))).scalars())


async def test_two_concurrent_cancels_one_wins(trade: tuple[Trade, FakeCatalog]) -> None:
    t, _ = trade
    order = (await t.create_order(request())).order

    async def cancel() -> str:
        try:
            await t.cancel(order.order_id)
            return "ok"
        except (FailedPrecondition, Aborted) as e:
            return e.reason

    results = await asyncio.gather(*(cancel() for _ in range(6)))
    assert results.count("ok") == 1
    assert set(results) - {"ok"} <= {"ILLEGAL_ORDER_TRANSITION", "CONCURRENT_ORDER_CHANGE"}
    types = await outbox_types(t.db)
    assert types.count("zhongtai.trade.v1.OrderCancelled") == 1


async def test_rollback_timer_beats_a_slow_saga(pg_database: CreateDb) -> None:
    t, fake = await make_trade(await pg_database("trade"), rollback_after_seconds=0)
    try:
        fake.gate = asyncio.Event()
        creating = asyncio.create_task(t.create_order(request(request_id="slow")))
        await eventually(lambda: _has_init_order(t))
        worker = TimerWorker(t.db, {ROLLBACK_TIMER: timer_handlers(t.db, t.policy)[ROLLBACK_TIMER]})
        assert await worker.fire_due() == 1
        fake.gate.set()  # the reservation "succeeds" after the rollback
        with pytest.raises(Aborted) as e:
            await creating
        assert e.value.reason == "ORDER_CREATION_TIMEOUT"
        types = await outbox_types(t.db)
        assert types == ["zhongtai.trade.v1.OrderCreationFailed"]  # never OrderCreated
        # The failure was transient: the same request, sent again, goes through.
        retried = (await t.create_order(request(request_id="slow"))).order
        assert retried.status == tr.ORDER_STATUS_WAIT_PAY
        assert retried.order_id != fake.reserved[0]
        assert await t.create_order(request(request_id="slow")) == tr.CreateOrderResponse(
            order=retried)
    finally:
        await t.db.dispose()


async def _has_init_order(t: Trade) -> bool:
    listed = await t.list_orders("buyer-1")
    return any(o.status == tr.ORDER_STATUS_INIT for o in listed)


async def test_concurrent_creates_with_one_request_id_make_one_order(
        trade: tuple[Trade, FakeCatalog]) -> None:
    t, fake = trade

    async def create() -> str:
        try:
            return (await t.create_order(request(request_id="dup"))).order.order_id
        except Aborted as e:
            assert e.reason == "REQUEST_IN_PROGRESS"
            return "in-progress"

    results = await asyncio.gather(*(create() for _ in range(8)))
    ids = {r for r in results if r != "in-progress"}
    assert len(ids) == 1
    listed = await t.list_orders("buyer-1")
    assert [o.order_id for o in listed] == list(ids)
    assert fake.reserved == list(ids)


async def test_an_unreachable_catalog_fails_the_order_but_the_request_can_be_retried(
        trade: tuple[Trade, FakeCatalog]) -> None:
    t, fake = trade
    fake.unavailable = True
    with pytest.raises(Unavailable):
        await t.create_order(request(request_id="r", out_type="web", out_id="cart-1"))
    [failed] = await t.list_orders("buyer-1")
    assert failed.status == tr.ORDER_STATUS_FAILED
    assert await outbox_types(t.db) == ["zhongtai.trade.v1.OrderCreationFailed"]
    fake.unavailable = False
    order = (await t.create_order(request(request_id="r", out_type="web", out_id="cart-1"))).order
    assert order.status == tr.ORDER_STATUS_WAIT_PAY and order.order_id != failed.order_id


def succeeded(order: tr.Order, payment_id: str, amount: int | None = None,
              buyer: str = "buyer-1") -> pay_events.PaymentSucceeded:
    due = order.pay_order.actual_amount
    return pay_events.PaymentSucceeded(payment=pay_pb.Payment(
        payment_id=payment_id, buyer_id=buyer, parts=[pay_pb.PaymentPart(
            pay_order_id=order.pay_order.pay_order_id, order_id=order.order_id,
            amount=Money(currency_code=due.currency_code,
                         amount_minor=due.amount_minor if amount is None else amount))]))


async def consume(t: Trade, event: pay_events.PaymentSucceeded) -> str:
    try:
        async with t.db.transaction() as s:
            await Consumers(t.db, t.policy).payment_succeeded(s, event)
        return "ok"
    except FailedPrecondition as e:
        return e.reason


async def test_payment_racing_a_cancel_pays_or_is_rejected_never_both(
        trade: tuple[Trade, FakeCatalog]) -> None:
    t, _ = trade
    for i in range(6):
        order = (await t.create_order(request())).order

        async def cancel(order_id: str = order.order_id) -> str:
            try:
                await t.cancel(order_id)
                return "ok"
            except (FailedPrecondition, Aborted) as e:
                return e.reason

        event = succeeded(order, f"pay-{i}")
        paid, cancelled = await asyncio.gather(consume(t, event), cancel())
        if paid != "ok":  # lost the race: the bus delivers the event again
            assert await consume(t, event) == "ok"
        final = await t.get_order(order.order_id)
        types = [x for x in await outbox_types(t.db) if "Paid" in x or "Rejected" in x
                 or "Cancelled" in x]
        if final.status == tr.ORDER_STATUS_WAIT_RECEIVE:  # an online service: no shipping
            assert cancelled != "ok" and final.pay_order.status == tr.PAY_STATUS_PAID
        else:
            assert final.status == tr.ORDER_STATUS_CANCELLED and cancelled == "ok"
        assert types.count("zhongtai.trade.v1.OrderPaid") + types.count(
            "zhongtai.trade.v1.PaymentRejected") == i + 1


async def test_payments_trade_cannot_take_are_rejected(trade: tuple[Trade, FakeCatalog]
                                                       ) -> None:
    t, _ = trade
    order = (await t.create_order(request())).order
    assert await consume(t, succeeded(order, "p-wrong", amount=1)) == "ok"
    assert await consume(t, succeeded(order, "p-other-buyer", buyer="buyer-2")) == "ok"
    assert await consume(t, succeeded(order, "p-1")) == "ok"
    assert await consume(t, succeeded(order, "p-1")) == "ok"  # a repeat: nothing new
    assert await consume(t, succeeded(order, "p-2")) == "ok"
    ob = t.db.plumbing.outbox
    async with t.db.transaction() as s:
        rows = (await s.execute(select(ob.c.event_type, ob.c.payload).order_by(ob.c.id))).all()
    paid = await t.get_order(order.order_id)
    reasons = [pay_reject_reason(r.payload) for r in rows
               if r.event_type == "zhongtai.trade.v1.PaymentRejected"]
    assert [r.split(":")[0] for r in reasons] == ["AMOUNT_MISMATCH", "BUYER_MISMATCH",
                                                  "ALREADY_PAID"]
    assert [r.event_type for r in rows].count("zhongtai.trade.v1.OrderPaid") == 1
    assert paid.status == tr.ORDER_STATUS_WAIT_RECEIVE and paid.pay_status == tr.PAY_STATUS_PAID
    async with t.db.transaction() as s:
        pay_order = (await s.execute(select(t_store.pay_orders))).one()
        timers_left = (await s.execute(select(t.db.plumbing.timers.c.status).where(
            t.db.plumbing.timers.c.kind == PAY_TIMEOUT_TIMER))).scalars().all()
    assert pay_order.payment_id == "p-1" and pay_order.paid_at is not None
    assert timers_left == ["CANCELLED"]


def pay_reject_reason(payload: bytes) -> str:
    return str(trade_events.PaymentRejected.FromString(payload).reason)


async def test_concurrent_price_adjustments_apply_whole_the_last_wins(
        trade: tuple[Trade, FakeCatalog]) -> None:
    t, _ = trade
    order = (await t.create_order(tr.CreateOrderRequest(
        buyer_id="buyer-1", address=Address(),
        lines=[tr.OrderLineInput(sku_id="a", quantity=3),
               tr.OrderLineInput(sku_id="b", quantity=1)]))).order
    assert order.is_main and order.pay_order.actual_amount.amount_minor == 4000
    amounts = [-1001, 333, -2999, -7]

    async def adjust(amount: int) -> None:
        async with t.uow() as uow:
            await adjust_price.adjust_price(uow, order_id=order.order_id,
                                            caller=seller("seller-1"), seller_id="",
                                            adjust=amount, currency="CNY", reason="",
                                            clock=utcnow)

    await asyncio.gather(*(adjust(a) for a in amounts))
    ob = t.db.plumbing.outbox
    final = await t.get_order(order.order_id)
    async with t.db.transaction() as s:
        payloads = list((await s.execute(
            select(ob.c.payload).where(ob.c.event_type == "zhongtai.trade.v1.OrderPriceAdjusted")
            .order_by(ob.c.id))).scalars())
    events = [trade_events.OrderPriceAdjusted.FromString(p) for p in payloads]
    chain = [0] + [e.order.adjust_amount.amount_minor for e in events]
    assert [e.previous_adjust_amount.amount_minor for e in events] == chain[:-1]
    assert sorted(chain[1:]) == sorted(amounts)
    adjust_amount = final.adjust_amount.amount_minor
    assert adjust_amount == chain[-1] == final.pay_order.adjust_amount.amount_minor
    assert sum(x.adjust_amount.amount_minor for x in final.sub_orders) == adjust_amount
    assert sum(x.actual_amount.amount_minor for x in final.sub_orders) == \
        final.pay_order.actual_amount.amount_minor == 4000 + adjust_amount
