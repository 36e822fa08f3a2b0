"""Properties of the Order aggregate under any sequence of actions (hypothesis):
a refused action changes nothing; the status only moves along the table;
main and sub orders move together; the money adds up — lines to the main
order, pay order parts to what payment is asked, a presale's deposit and
balance to the whole; a freight reduction lowers what is paid for the freight,
never a line's goods; no line's amount goes below zero."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.trade_support import (
    CARD,
    FREIGHT_REDUCTION,
    PHYSICAL,
    POINTS,
    POLICY,
    SERVICE,
    T0,
    VOUCHER,
    deduction,
    line,
    placed,
)
from trade import views
from trade.order import Order, Party, Presale
from trade.order.states import BALANCE, DEPOSIT, FULL, TRANSITIONS
from zhongtai.errors import ZhongtaiError
from zhongtai.trade.v1 import trade_pb2 as pb

LOGISTICS = [pb.LOGISTICS_STATUS_UNSHIPPED, pb.LOGISTICS_STATUS_PARTIALLY_SHIPPED,
             pb.LOGISTICS_STATUS_SHIPPED, pb.LOGISTICS_STATUS_DELIVERED,
             pb.LOGISTICS_STATUS_CANCELLED]
ACTIONS = ["created", "failed", "cancel", "cancel_stranger", "close_unpaid", "lapse", "pay",
           "pay_wrong", "mirror", "ship_timeout", "confirm", "auto_receive", "extend",
           "adjust", "redeem", "refund"]
MOVES = {(a, b) for (a, _), b in TRANSITIONS.items()}


@st.composite
def orders(draw: st.DrawFn) -> Order:
    n = draw(st.integers(1, 3))
    lines = []
    for i in range(n):
        kind = draw(st.sampled_from([PHYSICAL, PHYSICAL, VOUCHER, SERVICE]))
        price = draw(st.integers(1, 100_000))
        quantity = draw(st.integers(1, 3))
        total = price * quantity
        card = draw(st.integers(0, total))
        points = draw(st.integers(0, total - card))
        freight = draw(st.integers(0, 2000)) if kind == PHYSICAL else 0
        # A seller's freight reduction: at most the freight (checkout's min).
        reduction = draw(st.integers(0, freight))
        deductions = [deduction(k, x) for k, x in ((CARD, card), (POINTS, points),
                                                   (FREIGHT_REDUCTION, reduction)) if x]
        lines.append(line(f"l{i}", price=price, quantity=quantity, item_type=kind,
                          deductions=deductions, freight=freight))
    presale = None
    only = lines[0]
    if n == 1 and only.item.item_type == PHYSICAL and draw(st.booleans()):
        deposit = draw(st.integers(0, only.item.unit_price))
        if only.actual - deposit * only.quantity >= 1:
            presale = Presale(deposit, T0, T0 + dt.timedelta(days=1))
    return placed(*lines, presale=presale)


def act(order: Order, action: str, data: st.DataObject, now: dt.datetime) -> None:
    due = order.due_pay_order
    if action == "created":
        units = order.voucher_units()
        order.creation_succeeded(now, POLICY, [f"C{now.timestamp():.0f}-{i}" for i in range(units)])
    elif action == "failed":
        order.creation_failed(pb.CLOSE_REASON_CREATION_FAILED, "out of stock", now)
    elif action in ("cancel", "cancel_stranger"):
        buyer = order.buyer_id if action == "cancel" else "stranger"
        order.cancel(Party.buyer(buyer), "", now)
    elif action == "close_unpaid":
        order.close_unpaid(now)
    elif action == "lapse":
        order.lapse_balance(now)
    elif action in ("pay", "pay_wrong"):
        at = due.balance_start if due.kind == BALANCE and due.balance_start else now
        order.accept_payment(
            payment_id=f"pay-{now.timestamp():.0f}", pay_order_id=due.pay_order_id,
            order_id=order.order_id, buyer_id=order.buyer_id, currency="CNY",
            amount=due.actual + (action == "pay_wrong"), paid_at=at, now=now, policy=POLICY,
            voucher_codes=[f"V{now.timestamp():.0f}-{i}" for i in range(order.voucher_units())])
    elif action == "mirror":
        physical = [x for x in order.lines if x.log_order is not None]
        if physical:
            lo = data.draw(st.sampled_from(physical)).log_order
            assert lo is not None
            order.mirror_logistics(lo.log_order_id, data.draw(st.sampled_from(LOGISTICS)), now,
                                   POLICY)
    elif action == "ship_timeout":
        order.ship_timeout(now)
    elif action == "confirm":
        order.confirm_receipt(Party.buyer(order.buyer_id), now)
    elif action == "auto_receive":
        order.auto_receive(now + POLICY.auto_confirm)
    elif action == "extend":
        order.extend_receipt(Party.buyer(order.buyer_id), now, POLICY)
    elif action == "adjust":
        order.adjust_price(Party.seller("s1"), data.draw(st.integers(-200_000, 50_000)), "", now)
    elif action == "redeem" and order.vouchers:
        order.redeem_voucher(data.draw(st.sampled_from(order.vouchers)).code, Party.seller("s1"),
                             now)
    elif action == "refund":
        order.refund_succeeded(data.draw(st.sampled_from(order.pay_orders)).pay_order_id, now)


def check_money(order: Order) -> None:
    assert all(x.actual >= 0 for x in order.lines)
    assert order.adjust == sum(x.adjust for x in order.lines)
    for x in order.lines:
        # The goods' cash never pays for (nor is lowered by) the freight reduction.
        assert x.actual == x.total - x.deducted(without={FREIGHT_REDUCTION}) + x.adjust
        assert 0 <= x.freight_reduction <= x.freight
    assert order.discount == sum(d.amount for x in order.lines for d in x.deductions)
    freight_paid = order.freight - order.freight_reduction
    kinds = [p.kind for p in order.pay_orders]
    for p in order.pay_orders:
        assert p.total - p.point - p.discount - p.stored_value + p.adjust + p.freight == p.actual
    if kinds == [FULL]:
        [p] = order.pay_orders
        assert p.point + p.discount + p.stored_value == order.discount
        assert (p.adjust, p.freight) == (order.adjust, order.freight)
        assert p.actual == order.actual + freight_paid >= 0
    else:
        assert kinds == [DEPOSIT, BALANCE]
        deposit, balance = order.pay_orders
        assert deposit.total + balance.total == order.total
        assert deposit.actual + balance.actual == order.actual + freight_paid
        assert balance.actual >= 1
    # The views say the same: the main order is the sum of its sub orders.
    message = views.order_message(order)
    if order.is_main:
        subs = message.sub_orders
        for name in ("total_amount", "discount_amount", "actual_amount", "adjust_amount",
                     "freight_amount", "freight_reduction_amount"):
            assert getattr(message, name).amount_minor == sum(
                getattr(x, name).amount_minor for x in subs)
    assert message.freight_reduction_amount.amount_minor == order.freight_reduction
    assert {x.business_type for x in [message, *message.sub_orders]} == {"default"}


def check_together(order: Order) -> None:
    message = views.order_message(order)
    for sub in message.sub_orders:
        assert (sub.status, sub.pay_status, sub.close_reason) == (
            message.status, message.pay_status, message.close_reason)
    if order.status in (pb.ORDER_STATUS_WAIT_SHIP, pb.ORDER_STATUS_WAIT_RECEIVE,
                        pb.ORDER_STATUS_WAIT_USE, pb.ORDER_STATUS_COMPLETED):
        assert order.pay_status == pb.PAY_STATUS_PAID
        assert all(p.status == pb.PAY_STATUS_PAID for p in order.pay_orders)
        assert len(order.vouchers) == order.voucher_units()


# Sequences that start the way orders usually go reach the later statuses.
LEAD_INS = [[], ["created"], ["created", "pay"], ["created", "pay", "pay"],
            ["created", "pay", "pay", "mirror", "mirror", "mirror", "mirror"]]
SEQUENCES = st.builds(lambda lead, rest: lead + rest, st.sampled_from(LEAD_INS),
                      st.lists(st.sampled_from([*ACTIONS, "mirror", "pay"]), max_size=12))


@settings(max_examples=400, deadline=None)
@given(orders(), SEQUENCES, st.data())
def test_any_sequence_of_actions_keeps_the_order_consistent(
        order: Order, actions: list[str], data: st.DataObject) -> None:
    now = T0
    check_money(order)
    for action in actions:
        now += dt.timedelta(minutes=1)
        before = order.snapshot()
        recorded = (len(order.events), len(order.deadlines))
        try:
            act(order, action, data, now)
        except ZhongtaiError:
            # Refused: nothing changed, nothing recorded.
            assert order == before
            assert (len(order.events), len(order.deadlines)) == recorded
            continue
        # Every step (each event's snapshot is the order after one) is in the table.
        path = [before.status] + [e.order.status for e in order.events[recorded[0]:]
                                  if hasattr(e, "order")] + [order.status]
        for a, b in itertools.pairwise(path):
            assert a == b or (a, b) in MOVES
        check_money(order)
        check_together(order)


@given(orders())
def test_paying_in_full_issues_one_code_per_voucher_unit_and_arms_the_flow(order: Order) -> None:
    order.creation_succeeded(T0, POLICY, [f"C{i}" for i in range(order.voucher_units())])
    for _ in order.pay_orders:
        due = order.due_pay_order
        if due.status == pb.PAY_STATUS_PAID:
            break
        at = due.balance_start or T0
        assert order.accept_payment(
            payment_id=f"p-{due.kind}", pay_order_id=due.pay_order_id, order_id=order.order_id,
            buyer_id=order.buyer_id, currency="CNY", amount=due.actual, paid_at=at, now=T0,
            policy=POLICY, voucher_codes=[f"V{i}" for i in range(order.voucher_units())]
        ) is None
    _, deadlines = order.pull()
    armed = {d.kind for d in deadlines if d.due_at is not None}
    physical = any(x.log_order for x in order.lines)
    assert order.status == (pb.ORDER_STATUS_WAIT_SHIP if physical
                            else pb.ORDER_STATUS_WAIT_USE
                            if all(x.item.item_type == VOUCHER for x in order.lines)
                            else pb.ORDER_STATUS_WAIT_RECEIVE)
    assert ("order.ship_timeout" in armed) == physical
    assert len({v.code for v in order.vouchers}) == order.voucher_units()
