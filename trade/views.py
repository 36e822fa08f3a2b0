"""Aggregates to messages: orders, vouchers and quotes as the API shows them,
and domain events as the integration events trade publishes.

The one place (with the servicer and consumers) where trade's protobuf
messages are built. An order's message is the same whether it answers a
request or rides on an event: the order as it was at that moment.
"""

from __future__ import annotations

import datetime as dt

from google.protobuf import json_format
from google.protobuf.message import Message

from trade.order import (
    NOT_THE_PAYERS,
    Line,
    Order,
    Party,
    PayOrder,
    RefundPlan,
    Rejection,
    Voucher,
)
from trade.order import events as de
from zhongtai.common.v1.common_pb2 import Address, Money, Operator
from zhongtai.promotion.v1 import promotion_pb2 as promo
from zhongtai.trade.v1 import events_pb2 as ev
from zhongtai.trade.v1 import trade_pb2 as pb
from zhongtai.wire import enum_value, timestamp


def order_message(order: Order) -> pb.Order:
    """A top-level order with its sub orders, pay orders, log orders,
    deductions and vouchers."""
    if order.is_main:
        o = _row(order, order.lines[0], main=True)
        o.sub_orders.extend(line_message(order, line) for line in order.lines)
        # The whole cart: each source's deductions summed over the lines.
        totals: dict[tuple[int, str], list[int]] = {}
        for line in order.lines:
            for d in line.deductions:
                acc = totals.setdefault((d.kind, d.source_id), [0, 0, 0])
                acc[0] += d.amount
                acc[1] += d.platform_amount
                acc[2] += d.merchant_amount
        o.deductions.extend(
            _deduction(order.currency, kind, source, a, pl, me)
            for (kind, source), (a, pl, me) in totals.items())
    else:
        o = _row(order, order.lines[0], main=False)
    o.out_type, o.out_id, o.buyer_memo = order.out_type, order.out_id, order.buyer_memo
    o.receipt_extensions = order.receipt_extensions
    if order.auto_receive_time is not None:
        o.auto_receive_time.CopyFrom(timestamp(order.auto_receive_time))
    if order.ship_time is not None:
        o.ship_time.CopyFrom(timestamp(order.ship_time))
    if order.after_sales_end is not None:
        o.after_sales_end_time.CopyFrom(timestamp(order.after_sales_end))
    o.pay_orders.extend(pay_order_message(order, p)
                        for p in sorted(order.pay_orders, key=lambda p: p.kind))
    o.pay_order.CopyFrom(pay_order_message(order, order.due_pay_order))
    return o


def line_message(order: Order, line: Line) -> pb.Order:
    """One sub order of a main order, as its own order (with ``parent_id``)."""
    o = _row(order, line, main=False)
    o.order_id, o.parent_id = line.order_id, order.order_id
    o.create_time.CopyFrom(timestamp(line.created_at))
    o.update_time.CopyFrom(timestamp(line.updated_at))
    return o


def _row(order: Order, line: Line, *, main: bool) -> pb.Order:
    """What a biz order shows of itself: the main order (sums), or one line."""
    def money(amount: int) -> Money:
        return Money(currency_code=order.currency, amount_minor=amount)

    source: Order | Line = order if main else line
    o = pb.Order(
        order_id=order.order_id, is_main=main, buyer_id=order.buyer_id,
        seller_id=order.seller_id if main else line.seller_id, status=enum_value(order.status),
        pay_status=enum_value(order.pay_status),
        logistics_status=enum_value(order.main_logistics_status if main
                               else line.logistics_status),
        quantity=0 if main else line.quantity, total_amount=money(source.total),
        discount_amount=money(source.discount), freight_amount=money(source.freight),
        actual_amount=money(source.actual), adjust_amount=money(source.adjust),
        freight_reduction_amount=money(source.freight_reduction),
        business_type=order.business_type,
        create_time=timestamp(order.created_at), update_time=timestamp(order.updated_at))
    lines = order.lines if main else [line]
    o.refunded_amount.CopyFrom(money(sum(x.refunded.cash for x in lines)))
    o.refunded_quantity = sum(x.refunded.quantity for x in lines)
    if not main:
        o.refund_status = enum_value(line.refund_status)
    if order.close is not None:
        o.close_reason, o.close_note = enum_value(order.close.reason), order.close.note
        if order.close.by.role:
            o.closed_by.CopyFrom(operator(order.close.by))
    if main:
        return o
    item = line.item
    o.item.CopyFrom(pb.ItemSnapshot(
        item_id=item.item_id, item_version=item.item_version, sku_id=item.sku_id,
        title=item.title, category_id=item.category_id, item_type=enum_value(item.item_type),
        attributes=dict(item.attributes), unit_price=money(item.unit_price),
        weight_grams=item.weight_grams, volume_cm3=item.volume_cm3))
    o.vouchers.extend(voucher_message(order.order_id, v)
                      for v in sorted(line.vouchers, key=lambda v: v.code))
    if (lo := line.log_order) is not None:
        o.log_order.CopyFrom(pb.LogOrder(
            log_order_id=lo.log_order_id, order_id=line.order_id, status=enum_value(lo.status),
            address=json_format.Parse(lo.address, Address())))
    o.deductions.extend(
        _deduction(order.currency, d.kind, d.source_id, d.amount, d.platform_amount,
                   d.merchant_amount) for d in line.deductions)
    return o


def _deduction(currency: str, kind: int, source_id: str, amount: int, platform: int,
               merchant: int) -> promo.Deduction:
    def money(x: int) -> Money:
        return Money(currency_code=currency, amount_minor=x)

    return promo.Deduction(kind=enum_value(kind), source_id=source_id, amount=money(amount),
                           platform_amount=money(platform), merchant_amount=money(merchant))


def pay_order_message(order: Order, p: PayOrder) -> pb.PayOrder:
    """One of the order's pay orders."""
    def money(amount: int) -> Money:
        return Money(currency_code=order.currency, amount_minor=amount)

    po = pb.PayOrder(
        pay_order_id=p.pay_order_id, order_id=order.order_id, total_amount=money(p.total),
        point_amount=money(p.point), discount_amount=money(p.discount),
        adjust_amount=money(p.adjust), stored_value_amount=money(p.stored_value),
        freight_amount=money(p.freight), actual_amount=money(p.actual),
        status=enum_value(p.status), kind=enum_value(p.kind), payment_id=p.payment_id)
    if p.expire_at is not None:
        po.pay_expire_time.CopyFrom(timestamp(p.expire_at))
    if p.balance_start is not None and p.balance_end is not None:
        po.balance_start_time.CopyFrom(timestamp(p.balance_start))
        po.balance_end_time.CopyFrom(timestamp(p.balance_end))
    return po


def voucher_message(order_id: str, v: Voucher) -> pb.Voucher:
    """A voucher code of top-level order ``order_id``."""
    m = pb.Voucher(code=v.code, order_id=order_id, line_order_id=v.line_order_id,
                   seller_id=v.seller_id, buyer_id=v.buyer_id, sku_id=v.sku_id,
                   status=enum_value(v.status), issue_time=timestamp(v.issued_at))
    if v.redeemed_at is not None:
        m.redeem_time.CopyFrom(timestamp(v.redeemed_at))
    return m


def operator(party: Party) -> Operator:
    """Who acted, as the API names it."""
    return Operator(role=enum_value(party.role), id=party.id)


def quote_response(order: Order, quote: promo.QuoteResponse) -> pb.QuoteOrderResponse:
    """What CreateOrder would write, without ids, and promotion's full quote."""
    o = order_message(order)
    for x in [o, *o.sub_orders]:
        x.order_id = x.parent_id = ""
        x.log_order.log_order_id = x.log_order.order_id = ""
    for p in [o.pay_order, *o.pay_orders]:
        p.pay_order_id = p.order_id = ""
    return pb.QuoteOrderResponse(order=o, quote=quote)


def payable_result(pay_order_id: str, order: Order | None,
                   rejection: Rejection | None) -> pb.PayableResult:
    """CheckPayable's answer for one part; the pay order is shown only to its
    payer (never with ORDER_MISMATCH or BUYER_MISMATCH)."""
    result = pb.PayableResult(pay_order_id=pay_order_id)
    if rejection is not None:
        result.reason, result.detail = enum_value(rejection.reason), rejection.detail
        if rejection.reason in NOT_THE_PAYERS:
            return result
    if order is not None and (po := order.pay_order(pay_order_id)) is not None:
        result.pay_order.CopyFrom(pay_order_message(order, po))
    return result


def event_message(event: de.DomainEvent) -> Message:
    """The integration event (``zhongtai.trade.v1`` events) of a domain event."""
    at = timestamp(event.at)
    if isinstance(event, de.PaymentRejected):
        r = event.rejection
        return ev.PaymentRejected(
            order_id=event.order_id, pay_order_id=event.pay_order_id,
            payment_id=event.payment_id,
            amount=Money(currency_code=event.currency, amount_minor=event.amount),
            reason=str(r), reason_code=enum_value(r.reason), occur_time=at)
    order = order_message(event.order)
    match event:
        case de.OrderCreated():
            return ev.OrderCreated(order=order, occur_time=at)
        case de.OrderCreationFailed():
            return ev.OrderCreationFailed(order=order, occur_time=at)
        case de.OrderCancelled():
            return ev.OrderCancelled(order=order, operator=operator(event.by), occur_time=at,
                                     paid=event.paid)
        case de.OrderPaid():
            return ev.OrderPaid(order=order, payment_id=event.payment_id, occur_time=at)
        case de.OrderPriceAdjusted():
            return ev.OrderPriceAdjusted(
                order=order, previous_adjust_amount=Money(
                    currency_code=event.order.currency, amount_minor=event.previous_adjust),
                reason=event.reason, occur_time=at)
        case de.OrderShipped():
            return ev.OrderShipped(order=order, occur_time=at)
        case de.OrderCompleted():
            return ev.OrderCompleted(order=order, automatic=event.automatic,
                                     operator=operator(event.by), occur_time=at)
        case de.OrderReceiptExtended():
            return ev.OrderReceiptExtended(order=order, occur_time=at)
        case de.VouchersIssued():
            return ev.VouchersIssued(
                order=order, occur_time=at,
                vouchers=[voucher_message(event.order.order_id, v) for v in event.vouchers])
        case de.VoucherRedeemed():
            return ev.VoucherRedeemed(voucher=voucher_message(event.order.order_id, event.voucher),
                                      order=order, occur_time=at)
        case de.OrderRefundOpened():
            c = event.claim
            return ev.OrderRefundOpened(
                order=order, application_id=c.application_id, line_order_id=c.line_order_id,
                kind=enum_value(c.kind), quantity=c.quantity,
                amount=Money(currency_code=event.order.currency, amount_minor=c.amount),
                occur_time=at)
        case de.OrderRefundClosed():
            return ev.OrderRefundClosed(order=order, application_id=event.claim.application_id,
                                        line_order_id=event.claim.line_order_id, occur_time=at)
        case de.OrderRefunded():
            return ev.OrderRefunded(
                order=order, plan=plan_message(event.order, event.plan),
                return_shipping_amount=Money(currency_code=event.order.currency,
                                             amount_minor=event.claim.return_shipping_amount),
                return_shipping_by_seller=event.claim.return_shipping_by_seller,
                line_cancelled=event.line_cancelled, occur_time=at)
        case de.OrderAfterSalesEnded():
            return ev.OrderAfterSalesEnded(order=order, occur_time=at)
    raise TypeError(f"no integration event for {type(event).__name__}")



def audit_detail(order: Order, before: int | None, events: list[de.DomainEvent]) -> str:
    """What a saved change did to an order, for its audit trail: the status
    move and the events it recorded."""
    def name(status: int) -> str:
        return pb.OrderStatus.Name(status).removeprefix("ORDER_STATUS_")

    now = name(order.status)
    moved = f"{name(before)} -> {now}" if before not in (None, order.status) \
        else ("created " if before is None else "") + now
    return "; ".join([moved, *map(event_note, events)])


def event_note(event: de.DomainEvent) -> str:
    """A domain event for the audit trail (voucher codes are never shown)."""
    name = type(event).__name__
    match event:
        case de.OrderPriceAdjusted():
            return (f"{name} {event.previous_adjust} -> {event.order.adjust} "
                    f"{event.order.currency}: {event.reason}")
        case de.PaymentRejected():
            return f"{name} payment {event.payment_id} for {event.pay_order_id}: {event.rejection}"
        case de.OrderRefundOpened() | de.OrderRefundClosed():
            c = event.claim
            return (f"{name} application {c.application_id} on {c.line_order_id}: "
                    f"{c.amount} {event.order.currency}, {c.quantity} unit(s)")
        case de.OrderRefunded():
            p = event.plan
            return (f"{name} application {p.application_id} on {p.line_order_id}: "
                    f"{p.cash} + freight {p.freight} {event.order.currency}, "
                    f"{p.quantity} unit(s)")
        case de.OrderCancelled() | de.OrderCompleted():
            who = Operator.Role.Name(event.by.role).removeprefix("ROLE_").lower()
            return f"{name} by {who} {event.by.id}".rstrip()
    return name


def order_or_line(order: Order, order_id: str) -> pb.Order:
    """The order ``order_id`` names: the top-level order, or one of its sub orders."""
    if order_id == order.order_id:
        return order_message(order)
    return line_message(order, next(x for x in order.lines if x.order_id == order_id))


# --- after-sales --------------------------------------------------------------

def line_refundable(order: Order, line: Line) -> pb.LineRefundable:
    """What one line may still refund (``Order.max_refundable``)."""
    def money(amount: int) -> Money:
        return Money(currency_code=order.currency, amount_minor=amount)

    cash, units = order.caps_shown(line)
    claim = order.open_claim(line.order_id)
    return pb.LineRefundable(
        line_order_id=line.order_id, seller_id=line.seller_id, sku_id=line.item.sku_id,
        quantity=line.quantity, refund_status=enum_value(line.refund_status),
        paid_amount=money(line.actual), refunded_amount=money(line.refunded.cash),
        max_refundable=money(cash), refundable_quantity=units,
        open_application_id=claim.application_id if claim else "",
        shipped=order.line_shipped(line), physical=line.log_order is not None)


def refundable_response(order: Order, lines: list[Line], now: dt.datetime
                        ) -> pb.GetRefundableResponse:
    """GetRefundable's answer: the lines shown, the order's window and freight."""
    r = pb.GetRefundableResponse(
        order_id=order.order_id, buyer_id=order.buyer_id, status=enum_value(order.status),
        lines=[line_refundable(order, x) for x in lines],
        refundable=order.refundable_now(now),
        freight_amount=Money(currency_code=order.currency, amount_minor=order.freight))
    if order.after_sales_end is not None:
        r.after_sales_end_time.CopyFrom(timestamp(order.after_sales_end))
    address = next((x.log_order.address for x in order.lines if x.log_order is not None), "")
    if address:
        r.address.CopyFrom(json_format.Parse(address, Address()))
    return r


def plan_message(order: Order, plan: RefundPlan) -> pb.RefundPlan:
    """An agreed claim's allotment (``trade.order.refunds.RefundPlan``)."""
    def money(amount: int) -> Money:
        return Money(currency_code=order.currency, amount_minor=amount)

    line = order.line(plan.line_order_id)
    return pb.RefundPlan(
        application_id=plan.application_id, order_id=order.order_id,
        line_order_id=plan.line_order_id, seller_id=line.seller_id, buyer_id=order.buyer_id,
        sku_id=line.item.sku_id, kind=enum_value(plan.kind), quantity=plan.quantity,
        cash_amount=money(plan.cash), freight_amount=money(plan.freight),
        payments=[pb.RefundPayment(pay_order_id=p.pay_order_id, payment_id=p.payment_id,
                                   amount=money(p.amount)) for p in plan.payments],
        points_amount=money(plan.points), stored_value_amount=money(plan.stored_value),
        deductions=[_deduction(order.currency, d.kind, d.source_id, d.amount,
                               d.platform_amount, d.merchant_amount) for d in plan.deductions],
        restore_coupons=plan.restore_coupons, restock_quantity=plan.restock_quantity,
        shipped=plan.shipped)
