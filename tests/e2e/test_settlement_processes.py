"""End to end with settlement as its own process on PostgreSQL and RabbitMQ,
among the other services' processes (tests/e2e/processes_support.py): an
order paid through the platform is booked from trade's events and cleared
when its after-sales window ends; settlement SIGKILLed in the middle of a
payout finishes it once when the request is repeated; SIGKILLed while
consuming trade's events (before and after the inbox's commit) it books
each order once."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import grpc
import pytest

from settlement.consumers import TRADE
from tests.conftest import CreateDb, eventually
from tests.e2e.processes_support import (
    Distributed,
    died,
    logistics_order_of,
    pay_by_balance,
    running_distributed,
)
from tests.e2e.settlement_support import OPERATOR, journal_of, line
from tests.e2e.support import order_request, seed_shop, status_is
from zhongtai.ids import new_id
from zhongtai.logistics.v1 import logistics_pb2 as lg
from zhongtai.logistics.v1 import logistics_pb2_grpc as lg_grpc
from zhongtai.payment.v1 import payment_pb2_grpc as pay_grpc
from zhongtai.settlement.v1 import settlement_pb2 as st
from zhongtai.settlement.v1 import settlement_pb2_grpc as st_grpc
from zhongtai.trade.v1 import trade_pb2 as tr
from zhongtai.wire import money

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.rabbitmq]

PRICE = 10_000  # one unit, no freight: what the buyer pays
COMMISSION_BPS = 1_000  # 10%: 1_000 of commission, 9_000 for the merchant
# settlement's queue of trade's events (settlement.consumers TRADE)
BOOKING_QUEUE = TRADE.queue


@asynccontextmanager
async def settling(pg_database: CreateDb, vhost: str, tmp_path: Path,
                   failpoints: str) -> AsyncIterator[Distributed]:
    """The processes with a one-second after-sales window in trade, and
    settlement started with ``failpoints`` (``ZHONGTAI_FAILPOINTS``; its
    restarts name their own)."""
    async with running_distributed(
            pg_database, vhost, tmp_path,
            trade={"ZHONGTAI_TRADE_AFTER_SALES_WINDOW_SECONDS": "1"},
            settlement={"ZHONGTAI_FAILPOINTS": failpoints}) as d:
        yield d


class Settlement:
    """settlement's process seen by an operator (and the sellers the
    harness's credentials name)."""

    def __init__(self, d: Distributed, channel: grpc.aio.Channel) -> None:
        self.stub = st_grpc.SettlementServiceStub(channel)
        self.operator = d.identity.as_(OPERATOR)

    async def fee_rule(self, seller_id: str) -> None:
        await self.stub.CreateFeeRule(st.CreateFeeRuleRequest(
            request_id=new_id(), fee_rule=st.FeeRule(
                business_type="default", seller_id=seller_id,
                commission_kind=st.COMMISSION_KIND_PERCENTAGE,
                commission_base=st.COMMISSION_BASE_GOODS,
                commission_rate_bps=COMMISSION_BPS)), metadata=self.operator)

    async def clearing(self, order_id: str) -> st.OrderClearing | None:
        try:
            return (await self.stub.GetOrderClearing(st.GetOrderClearingRequest(
                order_id=order_id), metadata=self.operator)).clearing
        except grpc.aio.AioRpcError as exc:
            assert exc.code() == grpc.StatusCode.NOT_FOUND, exc
            return None

    async def reaches(self, order_id: str, state: int) -> st.OrderClearing:
        async def there() -> bool:
            found = await self.clearing(order_id)
            return found is not None and found.state == state

        await eventually(there, within=20)
        found = await self.clearing(order_id)
        assert found is not None
        return found

    async def balance(self, account_id: str) -> int:
        return (await self.stub.GetAccountBalance(st.GetAccountBalanceRequest(
            account_id=account_id), metadata=self.operator)).account.balance.amount_minor

    async def entry_kinds(self, order_id: str = "", account_id: str = "") -> list[int]:
        """The kinds of an order's or an account's journal entries, in the
        order of their enum numbers (each checked to balance)."""
        entries = await journal_of(self.stub, self.operator,
                                   st.ListJournalEntriesRequest(order_id=order_id,
                                                                account_id=account_id))
        return sorted(e.kind for e in entries)


async def placed(d: Distributed, buyer: str, sku_id: str) -> tr.Order:
    order: tr.Order = (await d.stubs.trade.CreateOrder(order_request(
        buyer, [(sku_id, 1)], request_id=new_id()))).order
    assert order.pay_order.actual_amount.amount_minor == PRICE
    return order


async def test_an_order_is_booked_cleared_and_paid_out_once_by_the_settlement_process(
        pg_database: CreateDb, vhost: str, tmp_path: Path) -> None:
    """Paid: booked from trade.order.paid over RabbitMQ; shipped, received
    and its after-sales window over: cleared, the merchant's money
    available. A payout of part of it, settlement SIGKILLed after the
    PENDING payout committed and before the adapter was asked: the same
    request after the restart pays it, once; the balance debited once."""
    async with settling(pg_database, vhost, tmp_path,
                        "settlement.payout.after_pending=kill") as d:
        shop = await seed_shop(d.stubs, "ST", [PRICE])
        seller = shop.seller_id
        async with d.channel(d.settlement_addr) as sch, d.channel(d.payment_addr) as pch, \
                d.channel(d.logistics_addr) as lch:
            settlement = Settlement(d, sch)
            await settlement.fee_rule(seller)
            order = await placed(d, "buyer-st", shop.sku_ids[0])
            await pay_by_balance(pay_grpc.PaymentServiceStub(pch), "buyer-st", order)
            await cleared(d, settlement, lg_grpc.LogisticsServiceStub(lch), order, seller)
            await paid_out_once_after_a_kill(d, settlement, seller)


async def cleared(d: Distributed, settlement: Settlement, logistics: lg_grpc.LogisticsServiceStub,
                  order: tr.Order, seller: str) -> None:
    """The paid order booked, shipped, received, cleared at the window's end."""
    booked = await settlement.reaches(order.order_id, st.CLEARING_STATE_PENDING)
    assert (booked.trade_mode, booked.paid_amount.amount_minor) == (
        st.TRADE_MODE_ESCROW, PRICE)
    pending, available = f"merchant_pending:{seller}", f"merchant_available:{seller}"
    assert (await settlement.balance(pending), await settlement.balance(available)) == (
        PRICE, 0)

    lo = await logistics_order_of(logistics, order.order_id)
    await logistics.ShipPackage(lg.ShipPackageRequest(
        request_id=new_id(), seller_id=seller, carrier="sandbox", tracking_no="ST-1",
        items=[lg.PackageItem(logistics_order_id=lo.logistics_order_id, quantity=1)]))
    await eventually(lambda: status_is(d.stubs, order.order_id, tr.ORDER_STATUS_WAIT_RECEIVE),
                     within=15)
    await d.stubs.trade.ConfirmReceipt(tr.ConfirmReceiptRequest(
        request_id=new_id(), order_id=order.order_id, buyer_id=order.buyer_id))

    # The window ends (trade.order.after_sales_ended): cleared.
    done = await settlement.reaches(order.order_id, st.CLEARING_STATE_CLEARED)
    assert [line(done, k) for k in (
        st.LINE_KIND_GOODS, st.LINE_KIND_PLATFORM_COMMISSION,
        st.LINE_KIND_MERCHANT_RECEIVABLE)] == [PRICE, 1_000, 9_000]
    assert (await settlement.balance(pending), await settlement.balance(available)) == (
        0, 9_000)
    assert await settlement.entry_kinds(order_id=order.order_id) == [
        st.ENTRY_KIND_PAYMENT, st.ENTRY_KIND_CLEARING]


async def paid_out_once_after_a_kill(d: Distributed, settlement: Settlement,
                                     seller: str) -> None:
    """40.00 of the merchant's 90.00 paid out, settlement killed between
    the payout's two phases (the process was started with that failpoint)."""
    available, in_flight = f"merchant_available:{seller}", f"merchant_payout_pending:{seller}"
    request = st.CreatePayoutRequest(request_id=new_id(), seller_id=seller,
                                     amount=money("CNY", 4_000))
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await settlement.stub.CreatePayout(request)
    assert e.value.code() == grpc.StatusCode.UNAVAILABLE
    assert d.settlement.proc is not None and d.settlement.proc.wait(10) == -9

    d.settlement.start({"ZHONGTAI_FAILPOINTS": ""})
    await d.settlement.wait_ready(d.settlement_addr)
    [left] = (await settlement.stub.ListPayouts(st.ListPayoutsRequest(seller_id=seller))
              ).payouts
    assert left.state == st.PAYOUT_STATE_PENDING
    assert (await settlement.balance(available), await settlement.balance(in_flight)) == (
        5_000, 4_000)

    for _ in range(2):  # the repeat finishes it; a further one answers the same
        paid = (await settlement.stub.CreatePayout(request)).payout
        assert (paid.payout_id, paid.state, paid.reference) == (
            left.payout_id, st.PAYOUT_STATE_POSTED, f"sandbox-{left.payout_id}")
    assert len((await settlement.stub.ListPayouts(st.ListPayoutsRequest(
        seller_id=seller))).payouts) == 1
    assert (await settlement.balance(available), await settlement.balance(in_flight)) == (
        5_000, 0)
    # Debited once, posted once (the adapter's answer taken once).
    assert await settlement.entry_kinds(account_id=in_flight) == [
        st.ENTRY_KIND_PAYOUT, st.ENTRY_KIND_PAYOUT_POSTED]
    assert await settlement.entry_kinds(account_id=available) == [
        st.ENTRY_KIND_CLEARING, st.ENTRY_KIND_PAYOUT]
    audit = (await settlement.stub.ListAuditEntries(st.ListAuditEntriesRequest(
        resource_type="payout", resource_id=left.payout_id),
        metadata=settlement.operator)).entries
    assert len(audit) == 2, audit


async def test_settlement_killed_while_booking_books_each_order_once(
        pg_database: CreateDb, vhost: str, tmp_path: Path) -> None:
    """SIGKILLed in the inbox's transaction of a trade event (nothing
    committed), then right after its commit (not acknowledged): RabbitMQ
    redelivers, and after the last restart every paid order has one PAYMENT
    entry (the inbox dedupes the redelivery of the committed one)."""
    async with settling(pg_database, vhost, tmp_path,
                        f"inbox.{BOOKING_QUEUE}.before_commit=kill") as d:
        await booked_once_after_kills(d)


async def booked_once_after_kills(d: Distributed) -> None:
    shop = await seed_shop(d.stubs, "KB", [PRICE, PRICE])
    log = d.settlement.log_path
    async with d.channel(d.settlement_addr) as sch, d.channel(d.payment_addr) as pch:
        settlement = Settlement(d, sch)
        payment = pay_grpc.PaymentServiceStub(pch)
        orders = [await placed(d, f"buyer-kb-{n}", sku) for n, sku in enumerate(shop.sku_ids)]
        for n, order in enumerate(orders):
            await pay_by_balance(payment, f"buyer-kb-{n}", order)
        await eventually(lambda: died(d.settlement), within=20)
        assert d.settlement.proc is not None and d.settlement.proc.returncode == -9

        # Started again it takes the redelivered event at once: no wait for
        # readiness, it may die before it serves.
        d.settlement.start({"ZHONGTAI_FAILPOINTS": f"inbox.{BOOKING_QUEUE}.after_commit=kill"})
        await eventually(lambda: died(d.settlement), within=30)
        assert d.settlement.proc.returncode == -9
        assert not await _deduped(log)

        d.settlement.start({"ZHONGTAI_FAILPOINTS": ""})
        await d.settlement.wait_ready(d.settlement_addr)
        for order in orders:
            await settlement.reaches(order.order_id, st.CLEARING_STATE_PENDING)
        await eventually(lambda: _deduped(log), within=15)
        for order in orders:
            assert await settlement.entry_kinds(order_id=order.order_id) == [
                st.ENTRY_KIND_PAYMENT]
        assert await settlement.balance(f"merchant_pending:{shop.seller_id}") == 2 * PRICE


async def _deduped(log: Path) -> bool:
    """Whether the process logged that its inbox found a redelivered trade
    event already processed (zhongtai.inbox)."""
    text = await asyncio.to_thread(log.read_text)
    return re.search(rf"{re.escape(BOOKING_QUEUE)}: event \S+ already processed", text) is not None
