"""Refund claims on the Order aggregate and through trade's use cases in
memory: who and when may apply, the caps and the one-open-claim rule, what
a repeat does, what refunding or closing a claim does to the line, the
order and its logistics, and the after-sales window."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.trade_support import (
    OPS,
    POLICY,
    T0,
    Clock,
    buyer,
    line,
    memory,
    paid,
    seller,
    ship,
    stored,
    waiting,
)
from trade import fulfilment, payments, refunds, views
from trade.consumers import timer_handlers
from trade.order import AFTER_SALES_TIMER, SHIP_TIMEOUT_TIMER, Order
from trade.order import events as de
from zhongtai.errors import ZhongtaiError
from zhongtai.trade.v1 import events_pb2 as ev
from zhongtai.trade.v1 import trade_pb2 as pb

ONLY, RETURN = pb.REFUND_KIND_REFUND_ONLY, pb.REFUND_KIND_RETURN_AND_REFUND


def two_lines() -> Order:
    """A paid main order ``m``: lines a (2 × 1000, freight 500) and b (1 × 3000)."""
    return paid(line("a", price=1000, quantity=2, freight=500), line("b", price=3000),
                order_id="m")


def open_claim(order: Order, app: str = "app-1", line_id: str = "a", *, amount: int = 1000,
               quantity: int = 1, kind: int = ONLY, buyer_id: str = "b1",
               now: dt.datetime = T0) -> None:
    order.open_refund(application_id=app, line_order_id=line_id, buyer_id=buyer_id, kind=kind,
                      quantity=quantity, amount=amount, now=now)


def finish(order: Order, app: str = "app-1", *, refunded: bool = True,
           now: dt.datetime = T0) -> None:
    order.finish_refund(app, refunded=refunded, return_shipping=0, by_seller=False, now=now,
                        policy=POLICY)


def refused(target: Order, call: object, **kw: object) -> ZhongtaiError:
    """``call(**kw)`` is refused and changes nothing of ``target``."""
    before, recorded = target.snapshot(), target.events
    with pytest.raises(ZhongtaiError) as e:
        call(**kw)  # type: ignore[operator]
    assert target == before and target.events == recorded
    return e.value


def test_who_and_when_may_apply() -> None:
    order = two_lines()
    assert refused(order, open_claim, order=order, buyer_id="b2").reason == \
        "NOT_A_PARTY_TO_THE_ORDER"
    unpaid = waiting(line("a"), order_id="w")
    assert refused(unpaid, open_claim, order=unpaid, line_id="w").reason == \
        "ORDER_NOT_REFUNDABLE"
    # A return needs goods that shipped (FAILED_PRECONDITION, not bad input).
    assert refused(order, open_claim, order=order, kind=RETURN).reason == \
        "ORDER_NOT_REFUNDABLE"
    e = refused(order, open_claim, order=order, amount=2001)
    assert e.reason == "REFUND_AMOUNT_EXCEEDED"
    assert (e.metadata["max_refundable"], e.metadata["refundable_quantity"]) == ("2000", "2")
    assert refused(order, open_claim, order=order, quantity=3).reason == \
        "REFUND_AMOUNT_EXCEEDED"


def test_one_open_claim_per_line_and_what_a_repeat_does() -> None:
    order = two_lines()
    open_claim(order)
    [opened] = order.pull()[0]
    assert isinstance(opened, de.OrderRefundOpened)
    assert order.line("a").refund_status == pb.LINE_REFUND_STATUS_REFUNDING
    e = refused(order, open_claim, order=order, app="app-2")
    assert (e.reason, e.metadata["application_id"]) == ("LINE_REFUND_OPEN", "app-1")
    open_claim(order)  # the same again: nothing
    assert order.pull()[0] == []
    open_claim(order, amount=1500, quantity=2)  # changed while open: re-checked, replaced
    assert order.claim("app-1").amount == 1500 and len(order.pull()[0]) == 1
    assert refused(order, open_claim, order=order, amount=2500, quantity=2).reason == \
        "REFUND_AMOUNT_EXCEEDED"
    plan = order.agree_refund("app-1", amount=1200, quantity=None, now=T0)
    assert order.agree_refund("app-1", amount=1200, quantity=None, now=T0) == plan
    assert refused(order, order.agree_refund, application_id="app-1", amount=1000,
                   quantity=None, now=T0).reason == "ILLEGAL_REFUND_TRANSITION"
    assert refused(order, open_claim, order=order, amount=1000).reason == \
        "ILLEGAL_REFUND_TRANSITION"
    assert refused(order, finish, order=order, refunded=False).reason == \
        "ILLEGAL_REFUND_TRANSITION"
    assert refused(order, order.claim, application_id="nope").reason == "REFUND_NOT_FOUND"


def test_a_closed_claim_leaves_the_line_as_it_was_refunded() -> None:
    order = two_lines()
    open_claim(order)
    assert refused(order, finish, order=order).reason == "ILLEGAL_REFUND_TRANSITION"
    finish(order, refunded=False)
    finish(order, refunded=False)  # a repeat: nothing
    events = order.pull()[0]
    assert [type(x) for x in events] == [de.OrderRefundOpened, de.OrderRefundClosed]
    assert order.line("a").refund_status == pb.LINE_REFUND_STATUS_REFUND_CLOSED
    open_claim(order, "app-2")
    order.agree_refund("app-2", amount=None, quantity=None, now=T0)
    finish(order, "app-2")
    open_claim(order, "app-3")
    finish(order, "app-3", refunded=False)
    assert order.line("a").refund_status == pb.LINE_REFUND_STATUS_REFUNDED


def test_refunding_every_line_before_shipment_closes_the_order_without_cancelling() -> None:
    order = two_lines()
    for app, line_id, amount, quantity in (("x", "a", 2000, 2), ("y", "b", 3000, 1)):
        open_claim(order, app, line_id, amount=amount, quantity=quantity)
        plan = order.agree_refund(app, amount=None, quantity=None, now=T0)
        finish(order, app)
    assert plan.freight == 500 and plan.restore_coupons and plan.restock_quantity == 1
    assert order.status == pb.ORDER_STATUS_CANCELLED
    assert order.close is not None and order.close.reason == pb.CLOSE_REASON_REFUNDED
    assert order.pay_status == pb.PAY_STATUS_REFUNDED
    assert [x.log_order.status for x in order.lines if x.log_order] == \
        [pb.LOGISTICS_STATUS_CANCELLED] * 2
    events, deadlines = order.pull()
    assert not any(isinstance(x, de.OrderCancelled) for x in events)
    refunded = [x for x in events if isinstance(x, de.OrderRefunded)]
    assert [x.line_cancelled for x in refunded] == [True, True]
    assert refunded[-1].order.status == pb.ORDER_STATUS_CANCELLED
    assert (SHIP_TIMEOUT_TIMER, "m") in {(d.kind, d.key) for d in deadlines if d.due_at is None}


def test_the_ship_timeout_waits_for_an_open_claim_then_refunds_what_is_left() -> None:
    """A claim open when nothing shipped in time holds the timeout (its money
    may be on its way); its end arms the timeout again, which then cancels
    the order as paid: payment refunds what after-sales did not."""
    order = two_lines()
    due = T0 + POLICY.ship_timeout
    open_claim(order, "x", "a", amount=1000, quantity=1)
    assert not order.ship_timeout(due)
    order.agree_refund("x", amount=None, quantity=None, now=due)
    order.pull()
    later = due + dt.timedelta(minutes=5)
    finish(order, "x", now=later)
    assert order.pay_status == pb.PAY_STATUS_PARTIALLY_REFUNDED
    rearmed = [d for d in order.pull()[1] if d.kind == SHIP_TIMEOUT_TIMER]
    assert [(d.key, d.due_at) for d in rearmed] == [("m", later)]
    assert order.ship_timeout(later)
    assert (order.status, order.pay_status) == (pb.ORDER_STATUS_CANCELLED,
                                                pb.PAY_STATUS_REFUNDING)
    assert [p.status for p in order.pay_orders] == [pb.PAY_STATUS_REFUNDING]
    cancelled = [e for e in order.pull()[0] if isinstance(e, de.OrderCancelled)]
    assert len(cancelled) == 1 and cancelled[0].paid


def test_a_claim_ending_before_the_ship_timeout_keeps_its_time() -> None:
    order = two_lines()
    open_claim(order, "x", "a", amount=1000, quantity=1)
    finish(order, "x", refunded=False, now=T0 + dt.timedelta(hours=1))
    rearmed = [d for d in order.pull()[1] if d.kind == SHIP_TIMEOUT_TIMER]
    assert [d.due_at for d in rearmed] == [T0 + POLICY.ship_timeout]


def test_the_unshipped_line_refunded_lets_the_shipped_rest_go_on() -> None:
    order = two_lines()
    ship(order, "a")
    assert order.status == pb.ORDER_STATUS_WAIT_SHIP
    open_claim(order, "x", "b", amount=3000)
    order.agree_refund("x", amount=None, quantity=None, now=T0)
    assert not order.ship_timeout(T0 + POLICY.ship_timeout)  # a claim: never refunded twice
    finish(order, "x")
    assert order.status == pb.ORDER_STATUS_WAIT_RECEIVE
    assert order.pay_status == pb.PAY_STATUS_PARTIALLY_REFUNDED
    events = order.pull()[0]
    assert [type(x) for x in events] == [de.OrderRefundOpened, de.OrderRefunded,
                                         de.OrderShipped]
    assert events[1].line_cancelled  # type: ignore[attr-defined]
    # A return of the shipped line is possible; no freight; the units the
    # seller accepted back go back to stock (none when none came back).
    open_claim(order, "y", "a", amount=1000, kind=RETURN)
    plan = order.agree_refund("y", amount=None, quantity=None, returned=1, now=T0)
    assert (plan.freight, plan.restock_quantity, plan.shipped) == (0, 1, True)
    assert order.agree_refund("y", amount=None, quantity=None, returned=1, now=T0) == plan


def test_a_return_restocks_only_the_units_accepted_back() -> None:
    order = two_lines()
    ship(order, "a", "b")
    open_claim(order, "r", "a", amount=500, kind=RETURN)
    plan = order.agree_refund("r", amount=None, quantity=None, returned=0, now=T0)
    assert (plan.units, plan.restock_quantity) == (1, 0)


def test_the_after_sales_window_pauses_while_a_claim_is_open() -> None:
    order = two_lines()
    ship(order, "a", "b")
    order.confirm_receipt(order.party_of(buyer()), T0)
    order.start_after_sales(T0, POLICY)
    assert order.after_sales_end == T0 + POLICY.after_sales_window
    later = T0 + dt.timedelta(days=3)
    open_claim(order, now=later)
    assert order.after_sales_end is None
    assert not order.end_after_sales(T0 + POLICY.after_sales_window)
    finish(order, refunded=False, now=later + dt.timedelta(days=1))
    end = later + dt.timedelta(days=1) + POLICY.after_sales_window
    assert order.after_sales_end == end
    assert not order.end_after_sales(end - dt.timedelta(seconds=1))
    assert order.end_after_sales(end) and not order.end_after_sales(end)
    assert sum(isinstance(x, de.OrderAfterSalesEnded) for x in order.pull()[0]) == 1
    assert refused(order, open_claim, order=order, app="late", now=end).reason == \
        "REFUND_WINDOW_CLOSED"


async def test_the_use_cases_run_under_the_order_and_publish() -> None:
    uow, clock = memory(), Clock()
    await stored(uow, two_lines())
    async with uow:
        _, lines = await refunds.get_refundable(uow, order_id="b", caller=seller())
    assert [x.order_id for x in lines] == ["a", "b"]
    for stranger in (seller("s9"), buyer("b2")):
        with pytest.raises(ZhongtaiError) as e:
            async with uow:
                await refunds.get_refundable(uow, order_id="m", caller=stranger)
        assert e.value.reason == "NOT_A_PARTY_TO_THE_ORDER"
    async with uow:
        _, lines = await refunds.get_refundable(uow, order_id="a", caller=OPS)
    assert len(lines) == 2
    async with uow:
        await refunds.open_refund(uow, application_id="x", line_order_id="a", buyer_id="b1",
                                  kind=ONLY, quantity=2, amount=2000, currency="CNY",
                                  clock=clock)
    with pytest.raises(ZhongtaiError) as e:
        async with uow:
            await refunds.agree_refund(uow, application_id="nope", amount=None, currency="",
                                       quantity=None, clock=clock)
    assert e.value.reason == "REFUND_NOT_FOUND"
    async with uow:
        _, plan = await refunds.agree_refund(uow, application_id="x", amount=None,
                                             currency="", quantity=None, clock=clock)
        await refunds.finish_refund(uow, application_id="x",
                                    outcome=pb.REFUND_OUTCOME_KIND_REFUNDED, return_shipping=0,
                                    by_seller=False, clock=clock, policy=POLICY)
    assert [type(x) for x, _ in uow.published] == [ev.OrderRefundOpened, ev.OrderRefunded]
    stored_order = uow.order("m")
    assert stored_order.line("a").refund_status == pb.LINE_REFUND_STATUS_REFUNDED
    [po] = stored_order.pay_orders
    assert (po.refunded, po.status) == (2000, pb.PAY_STATUS_PARTIALLY_REFUNDED)
    # payment's RefundSucceeded for an after-sales refund (it names the pay
    # order too) does not touch it: only pay orders trade marked REFUNDING.
    async with uow:
        await payments.refund_succeeded(uow, pay_order_id=po.pay_order_id, clock=clock)
    assert uow.order("m").pay_orders[0].status == pb.PAY_STATUS_PARTIALLY_REFUNDED
    assert uow.order("m") == stored_order
    assert plan.payments[0].payment_id == "pay-1"
    assert (AFTER_SALES_TIMER, "m") not in uow.timers  # not received: no window yet


async def test_the_window_runs_from_receipt_and_its_end_is_published_once() -> None:
    uow, clock = memory(), Clock()
    order = two_lines()
    ship(order, "a", "b")
    await stored(uow, order)
    async with uow:
        await fulfilment.confirm_receipt(uow, order_id="m", caller=buyer(), buyer_id="",
                                         clock=clock, policy=POLICY)
    end = clock.now + POLICY.after_sales_window
    assert uow.timers[(AFTER_SALES_TIMER, "m")].due_at == end
    assert uow.order("m").after_sales_end == end
    handlers = timer_handlers(None, POLICY)  # type: ignore[arg-type]
    assert set(handlers) >= {AFTER_SALES_TIMER, SHIP_TIMEOUT_TIMER}
    for _ in range(2):  # a redelivered timer publishes nothing more
        async with uow:
            await refunds.on_after_sales_end(uow, "m", Clock(end))
    assert len(uow.events_of(ev.OrderAfterSalesEnded)) == 1
    assert uow.order("m").after_sales_ended


def test_an_unpaid_order_shows_nothing_refundable() -> None:
    order = waiting(line("a", price=1000), order_id="w")
    shown = views.refundable_response(order, order.lines, T0)
    assert not shown.refundable
    assert [(x.max_refundable.amount_minor, x.refundable_quantity) for x in shown.lines] == \
        [(0, 0)]
