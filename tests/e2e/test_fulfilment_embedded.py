"""Trade fulfilment end to end on the embedded default: logistics'
``logistics.order.changed`` events (published on the bus as logistics does)
ship an order; the buyer confirms receipt or extends it; the automatic
receipt fires once, also across a restart; a ship timeout cancels the order
and payment refunds it once (seed 001 §三.6, §四)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import grpc
import pytest
from sqlalchemy import select, update

from tests.conftest import eventually
from tests.e2e.builders import (
    CANCELLED,
    COMPLETED,
    SHIPPED,
    again,
    balance,
    deliver,
    logistics_changed,
    make_due_and_fire,
    order_of,
    ordered_and_deposit_paid,
    paid_order,
    pay_by_balance,
    presale_item,
    ship,
    timer_status,
)
from tests.e2e.builders import pay as presale_pay
from tests.e2e.platform import Platform, close_platform, running_platform
from tests.e2e.support import credential, order_request, rich_error, seed_shop, status_is
from trade import store as trade_store
from trade.settings import TradeSettings
from zhongtai.auth import Identity, Role
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.common.v1.common_pb2 import Operator
from zhongtai.db import Database, utcnow
from zhongtai.logistics.v1 import logistics_pb2 as lg
from zhongtai.payment.v1 import payment_pb2 as pb
from zhongtai.trade.v1 import events_pb2 as ev
from zhongtai.trade.v1 import trade_pb2 as tr

pytestmark = pytest.mark.e2e

L = lg.LogisticsOrderStatus


def log_statuses(order: tr.Order) -> list[int]:
    return [s.log_order.status for s in order.sub_orders]


async def test_partial_shipment_waits_then_all_shipped_moves_to_wait_receive(
        platform: Platform) -> None:
    p = platform
    shop = await seed_shop(p.stubs, "A", [1000, 2000])
    order = await paid_order(p, "b1", [(shop.sku_ids[0], 1), (shop.sku_ids[1], 2)])
    first, second = order.sub_orders

    await ship(p, order, first, L.LOGISTICS_ORDER_STATUS_SHIPPED)
    now = await order_of(p, order.order_id)
    assert now.status == tr.ORDER_STATUS_WAIT_SHIP
    assert log_statuses(now) == [tr.LOGISTICS_STATUS_SHIPPED, tr.LOGISTICS_STATUS_UNSHIPPED]
    assert [s.logistics_status for s in now.sub_orders] == log_statuses(now)
    assert now.logistics_status == tr.LOGISTICS_STATUS_PARTIALLY_SHIPPED

    partly = logistics_changed(second, L.LOGISTICS_ORDER_STATUS_PARTIALLY_SHIPPED,
                               order.order_id)
    await deliver(p, partly)
    now = await order_of(p, order.order_id)
    assert now.status == tr.ORDER_STATUS_WAIT_SHIP
    assert log_statuses(now)[1] == tr.LOGISTICS_STATUS_PARTIALLY_SHIPPED
    assert not now.HasField("auto_receive_time")

    await ship(p, order, second, L.LOGISTICS_ORDER_STATUS_IN_TRANSIT)
    shipped = await order_of(p, order.order_id)
    assert shipped.status == tr.ORDER_STATUS_WAIT_RECEIVE
    assert [s.status for s in shipped.sub_orders] == [tr.ORDER_STATUS_WAIT_RECEIVE] * 2
    assert shipped.logistics_status == tr.LOGISTICS_STATUS_SHIPPED
    assert shipped.HasField("auto_receive_time") and shipped.HasField("ship_time")
    event = ev.OrderShipped.FromString((await p.events.the_one(SHIPPED, order.order_id)).payload)
    assert event.order.status == tr.ORDER_STATUS_WAIT_RECEIVE

    # Redelivered, reordered and duplicated events never move anything back.
    await deliver(p, again(partly, new_event_id=False))
    await deliver(p, again(partly, new_event_id=True))
    await ship(p, order, first, L.LOGISTICS_ORDER_STATUS_WAIT_SHIP)
    await ship(p, order, first, L.LOGISTICS_ORDER_STATUS_SHIPPED)
    await ship(p, order, first, L.LOGISTICS_ORDER_STATUS_DELIVERED)
    now = await order_of(p, order.order_id)
    assert now.status == tr.ORDER_STATUS_WAIT_RECEIVE
    assert log_statuses(now) == [tr.LOGISTICS_STATUS_DELIVERED, tr.LOGISTICS_STATUS_SHIPPED]
    assert len(p.events.of(SHIPPED, order.order_id)) == 1
    assert await timer_status(p, "order.ship_timeout", order.order_id) == "CANCELLED"
    assert await timer_status(p, "order.auto_confirm", order.order_id) == "PENDING"


async def test_buyer_confirms_receipt_once(platform: Platform) -> None:
    p = platform
    shop = await seed_shop(p.stubs, "A", [1000])
    order = await paid_order(p, "b2", [(shop.sku_ids[0], 1)])
    req = tr.ConfirmReceiptRequest(request_id="cr-1", order_id=order.order_id, buyer_id="b2")
    with pytest.raises(grpc.aio.AioRpcError) as e:  # not shipped yet
        await p.stubs.trade.ConfirmReceipt(req)
    assert rich_error(e.value)["reason"] == "ILLEGAL_ORDER_TRANSITION"

    await ship(p, order, order, L.LOGISTICS_ORDER_STATUS_DELIVERED)
    assert (await order_of(p, order.order_id)).status == tr.ORDER_STATUS_WAIT_RECEIVE
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await p.stubs.trade.ConfirmReceipt(tr.ConfirmReceiptRequest(
            order_id=order.order_id, buyer_id="someone-else"))
    assert e.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert rich_error(e.value)["reason"] == "NOT_A_PARTY_TO_THE_ORDER"
    # The buyer is the credential's: another buyer, naming nobody, is refused.
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await p.stubs.trade.ConfirmReceipt(
            tr.ConfirmReceiptRequest(order_id=order.order_id),
            metadata=credential(p.runtime.access.issuer, Identity(Role.BUYER, "b3")))
    assert rich_error(e.value)["reason"] == "NOT_A_PARTY_TO_THE_ORDER"

    done = (await p.stubs.trade.ConfirmReceipt(req)).order
    assert done.status == tr.ORDER_STATUS_COMPLETED
    assert done.log_order.status == tr.LOGISTICS_STATUS_RECEIVED
    assert done.logistics_status == tr.LOGISTICS_STATUS_RECEIVED
    assert (await p.stubs.trade.ConfirmReceipt(req)).order == done  # a repeat
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await p.stubs.trade.ConfirmReceipt(tr.ConfirmReceiptRequest(
            request_id="cr-2", order_id=order.order_id, buyer_id="b2"))
    assert rich_error(e.value)["reason"] == "ILLEGAL_ORDER_TRANSITION"
    event = ev.OrderCompleted.FromString(
        (await p.events.the_one(COMPLETED, order.order_id)).payload)
    assert not event.automatic and event.operator.role == Operator.ROLE_BUYER
    # A late delivery report does not undo the receipt.
    await ship(p, order, order, L.LOGISTICS_ORDER_STATUS_DELIVERED)
    assert (await order_of(p, order.order_id)).log_order.status == \
        tr.LOGISTICS_STATUS_RECEIVED


async def test_receipt_extends_once_then_is_refused(platform: Platform) -> None:
    p = platform
    settings = p.runtime.settings.section("trade", TradeSettings)
    shop = await seed_shop(p.stubs, "A", [1000])
    order = await paid_order(p, "b3", [(shop.sku_ids[0], 1)])
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await p.stubs.trade.ExtendReceipt(tr.ExtendReceiptRequest(
            order_id=order.order_id, buyer_id="b3"))
    assert rich_error(e.value)["reason"] == "RECEIPT_NOT_EXTENDABLE"
    await ship(p, order, order, L.LOGISTICS_ORDER_STATUS_SHIPPED)
    shipped = await order_of(p, order.order_id)
    assert shipped.receipt_extensions == 0

    req = tr.ExtendReceiptRequest(request_id="ex-1", order_id=order.order_id, buyer_id="b3")
    extended = (await p.stubs.trade.ExtendReceipt(req)).order
    assert extended.receipt_extensions == 1
    pushed = (extended.auto_receive_time.ToDatetime() - shipped.auto_receive_time.ToDatetime())
    assert pushed == dt.timedelta(seconds=settings.receipt_extension_seconds)
    assert (await p.stubs.trade.ExtendReceipt(req)).order == extended  # a repeat
    assert settings.max_receipt_extensions == 1
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await p.stubs.trade.ExtendReceipt(tr.ExtendReceiptRequest(
            request_id="ex-2", order_id=order.order_id, buyer_id="b3"))
    assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert rich_error(e.value)["reason"] == "RECEIPT_EXTENSION_LIMIT"
    assert (await order_of(p, order.order_id)).auto_receive_time == extended.auto_receive_time


async def test_auto_confirm_completes_a_shipped_order_once(tmp_path: Path) -> None:
    async with running_platform(tmp_path, auto_confirm_seconds=0.3) as p:
        shop = await seed_shop(p.stubs, "A", [1000])
        order = await paid_order(p, "b4", [(shop.sku_ids[0], 1)])
        await ship(p, order, order, L.LOGISTICS_ORDER_STATUS_SHIPPED)
        await eventually(lambda: status_is(p.stubs, order.order_id,
                                           tr.ORDER_STATUS_COMPLETED))
        event = ev.OrderCompleted.FromString(
            (await p.events.the_one(COMPLETED, order.order_id)).payload)
        assert event.automatic and event.operator.role == Operator.ROLE_SYSTEM
        assert event.order.log_order.status == tr.LOGISTICS_STATUS_RECEIVED


async def test_auto_confirm_due_while_down_fires_once_after_restart(
        platform: Platform, tmp_path: Path) -> None:
    p = platform  # auto-confirm in 10 days
    shop = await seed_shop(p.stubs, "A", [1000])
    order = await paid_order(p, "b5", [(shop.sku_ids[0], 1)])
    await ship(p, order, order, L.LOGISTICS_ORDER_STATUS_SHIPPED)
    await p.events.the_one(SHIPPED, order.order_id)
    first_events = p.events
    await close_platform(p)

    # The platform is down while the receipt deadline passes.
    settings = p.runtime.settings
    db = Database(settings.database_url_for("trade"), trade_store.metadata,
                  trade_store.plumbing)
    past = utcnow() - dt.timedelta(seconds=1)
    async with db.transaction() as s:
        timers = trade_store.plumbing.timers
        changed = await s.execute(update(timers).where(
            timers.c.kind == "order.auto_confirm", timers.c.key == order.order_id,
            timers.c.status == "PENDING").values(due_at=past))
        assert changed.rowcount == 1  # type: ignore[attr-defined]
        await s.execute(update(trade_store.biz_orders)
                        .where(trade_store.biz_orders.c.order_id == order.order_id)
                        .values(receive_deadline=past))
    await db.dispose()

    async with running_platform(tmp_path) as p:
        await eventually(lambda: status_is(p.stubs, order.order_id,
                                           tr.ORDER_STATUS_COMPLETED))
        event = ev.OrderCompleted.FromString(
            (await p.events.the_one(COMPLETED, order.order_id)).payload)
        assert event.automatic
        assert first_events.of(COMPLETED, order.order_id) == []
        db = p.runtime.dbs["trade"]
        async with db.transaction() as s:
            timers = trade_store.plumbing.timers
            status = (await s.execute(select(timers.c.status).where(
                timers.c.kind == "order.auto_confirm", timers.c.key == order.order_id))
            ).scalar_one()
        assert status == "FIRED"


async def test_ship_timeout_cancels_and_refunds_once(tmp_path: Path) -> None:
    async with running_platform(tmp_path, ship_timeout_seconds=0.3) as p:
        shop = await seed_shop(p.stubs, "A", [1500], stock=10)
        order = (await p.stubs.trade.CreateOrder(order_request(
            "b6", [(shop.sku_ids[0], 2)]))).order
        before = 100_000
        payment = await pay_by_balance(p, "b6", order)
        await eventually(lambda: status_is(p.stubs, order.order_id, tr.ORDER_STATUS_CANCELLED))
        closed = await order_of(p, order.order_id)
        assert closed.close_reason == tr.CLOSE_REASON_SHIP_TIMEOUT
        assert closed.closed_by.role == Operator.ROLE_SYSTEM
        # REFUNDING until payment's refund succeeds, then REFUNDED.
        assert closed.pay_status in (tr.PAY_STATUS_REFUNDING, tr.PAY_STATUS_REFUNDED)
        assert closed.log_order.status == tr.LOGISTICS_STATUS_CANCELLED
        cancelled = await p.events.the_one(CANCELLED, order.order_id)

        async def refunded() -> bool:
            return await balance(p, "b6") == before

        await eventually(refunded)
        refunds = (await p.payment.GetPayment(pb.GetPaymentRequest(
            payment_id=payment.payment_id))).payment.refunds
        assert [(r.kind, r.amount.amount_minor, r.status, r.pay_order_id) for r in refunds] == [
            (pb.REFUND_KIND_REQUESTED, 3000, pb.REFUND_STATUS_SUCCEEDED,
             order.pay_order.pay_order_id)]

        async def marked_refunded() -> bool:
            o = await order_of(p, order.order_id)
            return o.pay_status == tr.PAY_STATUS_REFUNDED and [
                po.status for po in o.pay_orders] == [tr.PAY_STATUS_REFUNDED]

        await eventually(marked_refunded)

        # Redelivered (same id) and re-sent (new id): nothing more comes back.
        await deliver(p, again(cancelled, new_event_id=False))
        await deliver(p, again(cancelled, new_event_id=True))
        assert await balance(p, "b6") == before
        assert len((await p.payment.GetPayment(pb.GetPaymentRequest(
            payment_id=payment.payment_id))).payment.refunds) == 1
        # A shipment reported afterwards is recorded, the order stays cancelled.
        await ship(p, order, order, L.LOGISTICS_ORDER_STATUS_SHIPPED)
        late = await order_of(p, order.order_id)
        assert late.status == tr.ORDER_STATUS_CANCELLED
        assert late.log_order.status == tr.LOGISTICS_STATUS_SHIPPED
        assert late.logistics_status == tr.LOGISTICS_STATUS_CANCELLED
        # Stock is never corrupted: every unit is available, reserved or sold.
        stock = (await p.stubs.catalog.GetStock(cat.GetStockRequest(
            sku_id=shop.sku_ids[0]))).stock
        assert stock.available + stock.reserved + stock.sold == 10


async def test_ship_timeout_of_a_presale_order_refunds_deposit_and_balance(
        platform: Platform) -> None:
    p = platform
    sku_id = await presale_item(p, start_in=-60, end_in=3600)
    order = await ordered_and_deposit_paid(p, "b8", sku_id)
    await presale_pay(p, "b8", order.pay_order)
    await eventually(lambda: status_is(p.stubs, order.order_id, tr.ORDER_STATUS_WAIT_SHIP))
    paid = await order_of(p, order.order_id)
    assert all(po.payment_id for po in paid.pay_orders)

    await make_due_and_fire(p, "order.ship_timeout", order.order_id)
    closed = await order_of(p, order.order_id)
    assert closed.status == tr.ORDER_STATUS_CANCELLED
    assert closed.close_reason == tr.CLOSE_REASON_SHIP_TIMEOUT
    assert {po.status for po in closed.pay_orders} <= {tr.PAY_STATUS_REFUNDING,
                                                      tr.PAY_STATUS_REFUNDED}

    async def all_back() -> bool:
        return await balance(p, "b8") == 50_000

    await eventually(all_back)  # the deposit too: the seller did not ship
    for po in paid.pay_orders:
        refunds = (await p.payment.GetPayment(pb.GetPaymentRequest(
            payment_id=po.payment_id))).payment.refunds
        assert [r.amount.amount_minor for r in refunds] == [po.actual_amount.amount_minor]

    async def both_refunded() -> bool:
        o = await order_of(p, order.order_id)
        return o.pay_status == tr.PAY_STATUS_REFUNDED and [
            po.status for po in o.pay_orders] == [tr.PAY_STATUS_REFUNDED] * 2

    await eventually(both_refunded)


async def test_ship_timeout_spares_an_order_partly_shipped(platform: Platform) -> None:
    p = platform
    shop = await seed_shop(p.stubs, "A", [1000, 2000])
    order = await paid_order(p, "b7", [(shop.sku_ids[0], 1), (shop.sku_ids[1], 1)])
    first, second = order.sub_orders
    await ship(p, order, first, L.LOGISTICS_ORDER_STATUS_PARTIALLY_SHIPPED)
    await make_due_and_fire(p, "order.ship_timeout", order.order_id)
    assert (await order_of(p, order.order_id)).status == tr.ORDER_STATUS_WAIT_SHIP
    await ship(p, order, first, L.LOGISTICS_ORDER_STATUS_SHIPPED)
    await ship(p, order, second, L.LOGISTICS_ORDER_STATUS_SHIPPED)
    assert (await order_of(p, order.order_id)).status == tr.ORDER_STATUS_WAIT_RECEIVE
    assert p.events.of(CANCELLED, order.order_id) == []
