"""trade's use cases on the in-memory unit of work: what each writes,
publishes and schedules, and what it refuses (no database, no network)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.builders import cny
from tests.fakes import FakeShop
from tests.trade_support import (
    CARD,
    FRONT,
    OPS,
    POLICY,
    SERVICE,
    T0,
    Clock,
    buyer,
    create_request,
    line,
    memory,
    paid,
    placed,
    seller,
    stored,
    voucher_line,
    waiting,
)
from trade import (
    adjust_price,
    cancel,
    checkout,
    create_saga,
    fulfilment,
    payments,
    queries,
    views,
    vouchers,
)
from trade.fakes import InMemoryTradeUnitOfWork
from trade.order import (
    AFTER_SALES_TIMER,
    AUTO_CONFIRM_TIMER,
    PAY_TIMEOUT_TIMER,
    SHIP_TIMEOUT_TIMER,
    Party,
    Presale,
)
from zhongtai.common.v1.common_pb2 import Operator
from zhongtai.errors import Aborted, FailedPrecondition, PermissionDenied, Unavailable
from zhongtai.promotion.v1 import promotion_pb2 as promo
from zhongtai.trade.v1 import events_pb2 as ev
from zhongtai.trade.v1 import trade_pb2 as pb

Part = payments.Part


def the_one(uow: InMemoryTradeUnitOfWork, event_type: type) -> object:
    [event] = uow.events_of(event_type)
    return event


# --- checkout and the creation saga ----------------------------------------------


async def test_checkout_prices_a_two_seller_cart_with_freight_and_deductions() -> None:
    shop = FakeShop(freight={"A": 800})
    a = shop.sku("a", 3000, seller="A")
    b = shop.sku("b", 500, seller="B", item_type=SERVICE)
    shop.deductions["a"] = [promo.Deduction(kind=CARD, source_id="card-1", amount=cny(1000))]
    priced = await checkout.price(shop.clients(), create_request((a, 2), (b, 1)), buyer(), T0,
                                  POLICY)
    order = priced.order
    assert order.is_main and order.status == pb.ORDER_STATUS_INIT
    assert (order.total, order.discount, order.freight, order.actual) == (6500, 1000, 800, 5500)
    [po] = order.pay_orders
    assert (po.stored_value, po.freight, po.actual) == (1000, 800, 6300)
    assert [(x.seller_id, x.freight, x.log_order is not None) for x in order.lines] == [
        ("A", 800, True), ("B", 0, False)]
    quoted = views.quote_response(order, priced.quote)
    assert quoted.order.order_id == "" and quoted.order.pay_order.pay_order_id == ""
    assert not any(x.order_id for x in quoted.order.sub_orders)


async def test_the_saga_creates_an_order_waiting_for_payment_once_per_request_id() -> None:
    shop, uow, clock = FakeShop(), memory(), Clock()
    sku = shop.sku("a", 1000)
    req = create_request((sku, 2), request_id="r-1")
    first = await create_saga.create_order(lambda: uow, shop.clients(), POLICY, req, buyer(),
                                           clock=clock)
    order = first.order
    assert order.status == pb.ORDER_STATUS_WAIT_PAY
    assert shop.reserved == shop.held == [order.order_id]
    created = the_one(uow, ev.OrderCreated)
    assert created.order == order  # type: ignore[attr-defined]
    assert set(uow.timers) == {(PAY_TIMEOUT_TIMER, order.order_id)}  # rollback disarmed
    assert order.pay_order.pay_expire_time.ToDatetime(dt.UTC) == T0 + POLICY.pay_timeout
    again = await create_saga.create_order(lambda: uow, shop.clients(), POLICY, req, buyer(),
                                           clock=clock)
    assert again == first and shop.reserved == [order.order_id]


async def test_a_refused_reservation_fails_the_order_and_is_replayed() -> None:
    shop, uow = FakeShop(), memory()
    sku = shop.sku("a", 1000)
    shop.refuse_reservation = FailedPrecondition("OUT_OF_STOCK", "sold out")
    req = create_request((sku, 1), request_id="r-2")
    for _ in range(2):
        with pytest.raises(FailedPrecondition) as e:
            await create_saga.create_order(lambda: uow, shop.clients(), POLICY, req, buyer())
        assert e.value.reason == "OUT_OF_STOCK"
    failed = the_one(uow, ev.OrderCreationFailed)
    assert failed.order.status == pb.ORDER_STATUS_FAILED  # type: ignore[attr-defined]
    assert failed.order.close_reason == pb.CLOSE_REASON_CREATION_FAILED  # type: ignore[attr-defined]
    assert uow.timers == {}
    assert len(uow.store.orders) == 1  # the repeat was answered without a new order


async def test_an_unreachable_catalog_frees_the_request_id() -> None:
    shop, uow = FakeShop(), memory()
    sku = shop.sku("a", 1000)
    shop.refuse_reservation = Unavailable("DEPENDENCY_FAILED", "catalog is down")
    req = create_request((sku, 1), request_id="r-3")
    with pytest.raises(Unavailable):
        await create_saga.create_order(lambda: uow, shop.clients(), POLICY, req, buyer())
    shop.refuse_reservation = None
    order = (await create_saga.create_order(lambda: uow, shop.clients(), POLICY, req,
                                            buyer())).order
    assert order.status == pb.ORDER_STATUS_WAIT_PAY and len(uow.store.orders) == 2


async def test_an_order_the_card_pays_in_full_is_paid_at_creation() -> None:
    shop, uow = FakeShop(), memory()
    sku = shop.sku("a", 1000)
    shop.deductions[sku] = [promo.Deduction(kind=CARD, source_id="card", amount=cny(1000))]
    order = (await create_saga.create_order(lambda: uow, shop.clients(), POLICY,
                                            create_request((sku, 1)), FRONT)).order
    assert order.status == pb.ORDER_STATUS_WAIT_SHIP and order.pay_status == pb.PAY_STATUS_PAID
    assert [type(e).__name__ for e, _ in uow.published] == ["OrderCreated", "OrderPaid"]
    assert set(uow.timers) == {(SHIP_TIMEOUT_TIMER, order.order_id)}


async def test_the_rollback_timer_fails_an_order_left_in_init() -> None:
    uow = memory()
    await stored(uow, placed(line("o1"), order_id="o1"))
    async with uow:
        await create_saga.on_rollback_timer(uow, "o1", Clock())
    assert uow.order("o1").status == pb.ORDER_STATUS_FAILED
    assert uow.order("o1").close.reason == pb.CLOSE_REASON_CREATION_TIMEOUT  # type: ignore[union-attr]
    async with uow:  # fired again: nothing more
        await create_saga.on_rollback_timer(uow, "o1", Clock())
    assert len(uow.events_of(ev.OrderCreationFailed)) == 1


# --- cancellation ------------------------------------------------------------------


async def test_the_buyer_cancels_an_unpaid_order_and_its_timers_go() -> None:
    uow = memory()
    await stored(uow, waiting(line("a"), line("b"), order_id="m"))
    async with uow:
        order = await cancel.cancel_order(uow, order_id="m", caller=buyer("b1"),
                                          reason="changed my mind", clock=Clock())
    assert order.status == pb.ORDER_STATUS_CANCELLED
    assert all(x.log_order and x.log_order.status == pb.LOGISTICS_STATUS_CANCELLED
               for x in order.lines)
    cancelled = the_one(uow, ev.OrderCancelled)
    assert not cancelled.paid  # type: ignore[attr-defined]
    assert cancelled.order.close_reason == pb.CLOSE_REASON_BUYER_CANCELLED  # type: ignore[attr-defined]
    assert uow.timers == {}


async def test_only_a_party_cancels_and_only_a_top_level_order() -> None:
    uow = memory()
    await stored(uow, waiting(line("a"), line("b"), order_id="m"))
    with pytest.raises(PermissionDenied):
        async with uow:
            await cancel.cancel_order(uow, order_id="m", caller=buyer("stranger"), reason="",
                                      clock=Clock())
    with pytest.raises(FailedPrecondition) as e:
        async with uow:
            await cancel.cancel_order(uow, order_id="a", caller=buyer("b1"), reason="",
                                      clock=Clock())
    assert (e.value.reason, e.value.metadata["parent_id"]) == ("NOT_A_TOP_LEVEL_ORDER", "m")
    assert uow.published == [] and uow.order("m").status == pb.ORDER_STATUS_WAIT_PAY


async def test_the_unpaid_timeout_and_the_balance_lapse() -> None:
    uow = memory()
    window = Presale(100, T0, T0 + dt.timedelta(days=1))
    unpaid, presale = waiting(line("u"), order_id="u"), waiting(line("p"), order_id="p",
                                                                presale=window)
    deposit = presale.pay_orders[0]
    presale.accept_payment(payment_id="d", pay_order_id=deposit.pay_order_id, order_id="p",
                           buyer_id="b1", currency="CNY", amount=100, paid_at=T0, now=T0,
                           policy=POLICY)
    await stored(uow, unpaid, presale)
    async with uow:
        await cancel.on_pay_timeout(uow, "u", Clock())
        await cancel.on_balance_lapse(uow, "p", Clock())
        await cancel.on_pay_timeout(uow, "p", Clock())  # no longer waiting for payment
    assert uow.order("u").close.reason == pb.CLOSE_REASON_PAY_TIMEOUT  # type: ignore[union-attr]
    lapsed = uow.order("p")
    assert lapsed.close.reason == pb.CLOSE_REASON_BALANCE_LAPSED  # type: ignore[union-attr]
    assert [p.status for p in lapsed.pay_orders] == [pb.PAY_STATUS_PAID, pb.PAY_STATUS_CLOSED]
    assert len(uow.events_of(ev.OrderCancelled)) == 2


# --- price adjustment --------------------------------------------------------------


async def test_an_adjustment_says_what_it_replaced_and_a_stale_save_is_aborted() -> None:
    uow = memory()
    await stored(uow, waiting(line("a", price=3000), line("b", price=1000), order_id="m"))
    for amount in (-1000, 200):
        async with uow:
            order = await adjust_price.adjust_price(uow, order_id="m", caller=seller(),
                                                    seller_id="s1", adjust=amount,
                                                    currency="CNY", reason="vip",
                                                    clock=Clock())
    assert [x.adjust for x in order.lines] == [150, 50]
    assert order.pay_orders[0].actual == 4200
    events = uow.events_of(ev.OrderPriceAdjusted)
    assert [e.previous_adjust_amount.amount_minor for e in events] == [0, -1000]  # type: ignore[attr-defined]
    async with uow:
        stale = await uow.orders.get("m")
    async with uow:
        fresh = await uow.orders.get("m")
        fresh.adjust_price(Party.seller("s1"), -1, "", T0)
        await uow.orders.save(fresh)
    with pytest.raises(Aborted) as e:
        async with uow:
            stale.adjust_price(Party.seller("s1"), -2, "", T0)
            await uow.orders.save(stale)
    assert e.value.reason == "CONCURRENT_ORDER_CHANGE"
    assert uow.order("m").adjust == -1


# --- payments ----------------------------------------------------------------------


async def test_a_payment_pays_its_order_and_a_part_trade_cannot_take_is_rejected() -> None:
    uow = memory()
    order = waiting(line("a", price=1500), order_id="o1")
    await stored(uow, order)
    po = order.pay_orders[0].pay_order_id
    parts = [Part(po, "o1", "CNY", 1500), Part("no-such", "o2", "CNY", 10)]
    for _ in range(2):  # redelivered: nothing more
        async with uow:
            await payments.payment_succeeded(uow, payment_id="pay-1", buyer_id="b1",
                                             parts=parts, paid_at=T0, clock=Clock(),
                                             policy=POLICY)
    async with uow:
        await payments.payment_succeeded(uow, payment_id="pay-2", buyer_id="b1",
                                         parts=parts[:1], paid_at=T0, clock=Clock(),
                                         policy=POLICY)
    assert uow.order("o1").status == pb.ORDER_STATUS_WAIT_SHIP
    assert len(uow.events_of(ev.OrderPaid)) == 1
    rejected = uow.events_of(ev.PaymentRejected)
    assert [(r.order_id, r.reason_code) for r in rejected] == [  # type: ignore[attr-defined]
        ("o2", pb.PAYMENT_REJECTION_REASON_PAY_ORDER_NOT_FOUND),
        ("o2", pb.PAYMENT_REJECTION_REASON_PAY_ORDER_NOT_FOUND),
        ("o1", pb.PAYMENT_REJECTION_REASON_ALREADY_PAID)]
    assert set(uow.timers) == {(SHIP_TIMEOUT_TIMER, "o1")}


async def test_check_payable_tells_the_payer_only() -> None:
    uow = memory()
    order = waiting(line("a", price=1500), order_id="o1")
    await stored(uow, order)
    po = order.pay_orders[0].pay_order_id
    async with uow:
        results = await payments.check_payable(uow, buyer_id="b1", now=T0, parts=[
            Part(po, "o1", "CNY", 1500), Part(po, "o1", "CNY", 1)])
        strangers = await payments.check_payable(uow, buyer_id="b2", now=T0,
                                                 parts=[Part(po, "o1", "CNY", 1500)])
    answers = [views.payable_result(p.pay_order_id, o, r) for p, o, r in results]
    assert [a.reason for a in answers] == [0, pb.PAYMENT_REJECTION_REASON_AMOUNT_MISMATCH]
    assert all(a.pay_order.actual_amount.amount_minor == 1500 for a in answers)
    [(part, found, rejection)] = strangers
    hidden = views.payable_result(part.pay_order_id, found, rejection)
    assert hidden.reason == pb.PAYMENT_REJECTION_REASON_BUYER_MISMATCH
    assert not hidden.HasField("pay_order")
    assert uow.published == []


async def test_a_refund_of_a_cancelled_paid_order_completes_its_refund() -> None:
    uow = memory()
    order = paid(line("a"), order_id="o1")
    order.ship_timeout(T0)
    order.pull()
    await stored(uow, order)
    assert uow.order("o1").pay_status == pb.PAY_STATUS_REFUNDING
    async with uow:
        await payments.refund_succeeded(uow, pay_order_id=order.pay_orders[0].pay_order_id,
                                        clock=Clock())
        await payments.refund_succeeded(uow, pay_order_id="other", clock=Clock())
    refunded = uow.order("o1")
    assert refunded.pay_status == refunded.pay_orders[0].status == pb.PAY_STATUS_REFUNDED


# --- fulfilment --------------------------------------------------------------------


async def test_logistics_ships_the_order_when_every_line_shipped_then_receipt() -> None:
    uow, clock = memory(), Clock()
    await stored(uow, paid(line("a"), line("b"), order_id="m"))

    async def report(log_order_id: str, status: int) -> None:
        async with uow:
            await fulfilment.logistics_order_changed(
                uow, log_order_id=log_order_id, order_id="", status=status,
                logistics_order_id="lg", clock=clock, policy=POLICY)

    await report("lo-a", pb.LOGISTICS_STATUS_SHIPPED)
    assert uow.order("m").logistics_status == pb.LOGISTICS_STATUS_PARTIALLY_SHIPPED
    await report("lo-a", pb.LOGISTICS_STATUS_UNSHIPPED)  # a step back: ignored
    await report("lo-b", pb.LOGISTICS_STATUS_DELIVERED)
    shipped = uow.order("m")
    assert shipped.status == pb.ORDER_STATUS_WAIT_RECEIVE
    assert shipped.auto_receive_time == T0 + POLICY.auto_confirm
    assert set(uow.timers) == {(AUTO_CONFIRM_TIMER, "m")}
    assert len(uow.events_of(ev.OrderShipped)) == 1
    clock.advance(days=1)
    async with uow:
        await fulfilment.extend_receipt(uow, order_id="m", caller=buyer("b1"), buyer_id="",
                                        clock=clock, policy=POLICY)
    assert uow.timers[(AUTO_CONFIRM_TIMER, "m")].due_at == \
        T0 + POLICY.auto_confirm + POLICY.receipt_extension
    async with uow:
        await fulfilment.on_auto_confirm(uow, "m", clock, POLICY)  # pushed back: re-armed only
    assert uow.order("m").status == pb.ORDER_STATUS_WAIT_RECEIVE
    async with uow:
        done = await fulfilment.confirm_receipt(uow, order_id="m", caller=OPS, buyer_id="b1",
                                                clock=clock, policy=POLICY)
    assert done.status == pb.ORDER_STATUS_COMPLETED
    # Received: only the after-sales window runs, from the receipt.
    assert {k: d.due_at for k, d in uow.timers.items()} == {
        (AFTER_SALES_TIMER, "m"): clock.now + POLICY.after_sales_window}
    assert [x.log_order.status for x in done.lines if x.log_order] == [
        pb.LOGISTICS_STATUS_RECEIVED] * 2
    completed = the_one(uow, ev.OrderCompleted)
    assert not completed.automatic  # type: ignore[attr-defined]
    # Staff acted: the event says who (an operator), not the buyer it named.
    assert (completed.operator.role, completed.operator.id) == (  # type: ignore[attr-defined]
        Operator.ROLE_OPERATOR, OPS.subject)


async def test_the_automatic_receipt_completes_as_the_system() -> None:
    uow = memory()
    await stored(uow, paid(line("s", item_type=SERVICE), order_id="o1"))
    async with uow:
        await fulfilment.on_auto_confirm(uow, "o1", Clock(T0 + POLICY.auto_confirm), POLICY)
    completed = the_one(uow, ev.OrderCompleted)
    assert completed.automatic and completed.operator.role == 3  # type: ignore[attr-defined]


async def test_the_ship_timeout_refunds_and_a_card_paid_order_is_refunded_at_once() -> None:
    uow = memory()
    through_payment = paid(line("a"), order_id="o1")
    by_card = paid(line("b"), order_id="o2")
    by_card.pay_orders[0].payment_id = ""  # points and the card paid it: nothing through payment
    partly = paid(line("c"), line("d"), order_id="o3")
    partly.mirror_logistics("lo-c", pb.LOGISTICS_STATUS_SHIPPED, T0, POLICY)
    partly.pull()
    await stored(uow, through_payment, by_card, partly)
    async with uow:
        for order_id in ("o1", "o2", "o3"):
            await fulfilment.on_ship_timeout(uow, order_id, Clock())
    assert uow.order("o1").pay_status == pb.PAY_STATUS_REFUNDING
    assert uow.order("o2").pay_status == pb.PAY_STATUS_REFUNDED
    assert uow.order("o2").pay_orders[0].status == pb.PAY_STATUS_REFUNDED
    assert uow.order("o3").status == pb.ORDER_STATUS_WAIT_SHIP
    cancelled = uow.events_of(ev.OrderCancelled)
    assert [(c.order.order_id, c.paid) for c in cancelled] == [  # type: ignore[attr-defined]
        ("o1", True), ("o2", True)]


# --- vouchers and queries ------------------------------------------------------------


async def test_vouchers_are_issued_at_payment_and_the_last_redemption_completes() -> None:
    uow = memory()
    order = waiting(voucher_line("v", quantity=3), order_id="o1")
    await stored(uow, order)
    async with uow:
        await payments.payment_succeeded(
            uow, payment_id="pay-1", buyer_id="b1", paid_at=T0, clock=Clock(), policy=POLICY,
            parts=[Part(order.pay_orders[0].pay_order_id, "o1", "CNY", 3000)])
    issued = the_one(uow, ev.VouchersIssued)
    codes = [v.code for v in issued.vouchers]  # type: ignore[attr-defined]
    assert len(set(codes)) == 3 and uow.order("o1").status == pb.ORDER_STATUS_WAIT_USE
    async with uow:
        _, page, token = await vouchers.list_vouchers(uow, order_id="o1", caller=buyer(),
                                                      page_size=2, page_token="")
        _, rest, end = await vouchers.list_vouchers(uow, order_id="o1", caller=seller("s"),
                                                    page_size=2, page_token=token)
    assert [v.code for v in page + rest] == sorted(codes) and end == ""
    for code in codes:
        async with uow:
            await vouchers.redeem_voucher(uow, code=code, caller=seller("s"), seller_id="",
                                          clock=Clock(), policy=POLICY)
    assert uow.order("o1").status == pb.ORDER_STATUS_COMPLETED
    assert len(uow.events_of(ev.VoucherRedeemed)) == 3
    with pytest.raises(FailedPrecondition) as e:
        async with uow:
            await vouchers.redeem_voucher(uow, code=codes[0], caller=OPS, seller_id="s",
                                          clock=Clock(), policy=POLICY)
    assert e.value.reason == "VOUCHER_ALREADY_REDEEMED"


async def test_queries_show_sub_orders_and_list_per_party() -> None:
    uow = memory()
    await stored(uow, waiting(line("a", seller="A"), line("b", seller="B"), order_id="m"),
                 waiting(line("x", seller="A"), order_id="n"))
    async with uow:
        order, named = await queries.get_order(uow, "b", seller("B"))
        mine, _ = await queries.list_orders(uow, caller=buyer("b1"), buyer_id="", seller_id="",
                                            statuses=[], page_size=1, page_token="")
        sold, token = await queries.list_orders(uow, caller=seller("A"), buyer_id="",
                                                seller_id="", statuses=[pb.ORDER_STATUS_WAIT_PAY],
                                                page_size=0, page_token="")
    sub = views.order_or_line(order, named)
    assert (sub.order_id, sub.parent_id, sub.seller_id) == ("b", "m", "B")
    assert [o.order_id for o, _ in mine] == ["n"]
    assert [x for _, x in sold] == ["n", "a"] and token == ""
