"""payment's aggregates as protobuf: response messages and integration
events; and what a change of a payment was, for the audit trail.

The only place (with the servicer and the consumers) where payment builds
protobuf messages. An integration event carries the payment as it is saved
with the domain event.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from google.protobuf.message import Message

from payment import domain_events as domain
from payment.payment import Payment
from payment.values import Attempt, Refund
from zhongtai.payment.v1 import events_pb2 as ev
from zhongtai.payment.v1 import payment_pb2 as pb
from zhongtai.wire import money, timestamp

if TYPE_CHECKING:
    from payment.wallet import MethodOption


def attempt(a: Attempt) -> pb.PaymentAttempt:
    view = pb.PaymentAttempt(
        attempt_id=a.attempt_id, method=pb.Method.Name(a.method),
        status=pb.PaymentStatus.Name(a.status),
        channel_transaction_id=a.channel_transaction_id, pay_url=a.pay_url,
        create_time=timestamp(a.created_at), buyer_paid_amount=money(a.currency, a.buyer_paid),
        channel_discount_amount=money(a.currency, a.channel_discount_amount))
    if a.paid_at is not None:
        view.paid_time.CopyFrom(timestamp(a.paid_at))
    return view


def refund(r: Refund) -> pb.Refund:
    return pb.Refund(refund_id=r.refund_id, payment_id=r.payment_id, attempt_id=r.attempt_id,
                     kind=pb.RefundKind.Name(r.kind), amount=money(r.currency, r.amount),
                     status=pb.RefundStatus.Name(r.status),
                     reason=r.reason, create_time=timestamp(r.created_at),
                     pay_order_id=r.pay_order_id,
                     payer_amount=money(r.currency, r.payer_amount),
                     channel_discount_amount=money(r.currency, r.channel_discount_amount))


def payment(p: Payment) -> pb.Payment:
    """Parts by pay order, attempts and refunds by id (creation order)."""
    return pb.Payment(
        payment_id=p.payment_id, buyer_id=p.buyer_id,
        parts=[pb.PaymentPart(pay_order_id=x.pay_order_id, order_id=x.order_id,
                              amount=money(p.currency, x.amount))
               for x in sorted(p.parts, key=lambda x: x.pay_order_id)],
        amount=money(p.currency, p.amount), status=pb.PaymentStatus.Name(p.status),
        method=pb.Method.Name(p.method),
        attempts=[attempt(a) for a in sorted(p.attempts, key=lambda a: a.attempt_id)],
        winning_attempt_id=p.winning_attempt_id,
        refunded_amount=money(p.currency, p.refunded_amount),
        refunds=[refund(r) for r in sorted(p.refunds, key=lambda r: r.refund_id)],
        create_time=timestamp(p.created_at), update_time=timestamp(p.updated_at))


def event(p: Payment, e: object) -> Message:
    """The integration event of one of the payment's domain events."""
    if isinstance(e, domain.PaymentSucceeded):
        return ev.PaymentSucceeded(payment=payment(p), occur_time=timestamp(e.at))
    if isinstance(e, domain.PaymentClosed):
        return ev.PaymentClosed(payment=payment(p), occur_time=timestamp(e.at))
    if isinstance(e, domain.RefundSucceeded):
        return ev.RefundSucceeded(refund=refund(p.refund(e.refund_id)), payment=payment(p),
                                  occur_time=timestamp(e.at))
    raise TypeError(f"no integration event for {type(e).__name__}")


def _status(value: int) -> str:
    return pb.PaymentStatus.Name(value).removeprefix("PAYMENT_STATUS_")


def change(before: Payment | None, after: Payment) -> str:
    """What saving a payment changed, for its audit entry: opened (amount,
    method, pay orders) or its status; each attempt opened or moved; each
    refund made (kind, amount, reason) or settled; a pay URL stored."""
    if before is None:
        pay_orders = ",".join(sorted(x.pay_order_id for x in after.parts))
        notes = [f"opened {after.amount} {after.currency} by {pb.Method.Name(after.method)} "
                 f"for pay orders {pay_orders}"]
    else:
        notes = ([f"{_status(before.status)} -> {_status(after.status)}"]
                 if before.status != after.status else [])
    attempts = {a.attempt_id: a for a in before.attempts} if before else {}
    for a in after.attempts:
        old = attempts.get(a.attempt_id)
        if old is None:
            notes.append(f"attempt {a.attempt_id} {pb.Method.Name(a.method)} opened")
        elif old.status != a.status:
            notes.append(f"attempt {a.attempt_id} {_status(old.status)} -> {_status(a.status)}")
        elif old.pay_url != a.pay_url:
            notes.append(f"attempt {a.attempt_id} pay URL stored")
    refunds = {r.refund_id: r.status for r in before.refunds} if before else {}
    for r in after.refunds:
        was = refunds.get(r.refund_id)
        status = pb.RefundStatus.Name(r.status).removeprefix("REFUND_STATUS_")
        if was is None:
            kind = pb.RefundKind.Name(r.kind).removeprefix("REFUND_KIND_")
            notes.append(f"refund {r.refund_id} {kind} {r.amount} {r.currency} {status}: "
                         f"{r.reason}")
        elif was != r.status:
            notes.append(f"refund {r.refund_id} {status}")
    return "; ".join(notes) or "updated"


def balance(buyer_id: str, currency: str, amount: int) -> pb.BalanceAccount:
    return pb.BalanceAccount(buyer_id=buyer_id, balance=money(currency, amount))


def methods(options: Sequence[MethodOption]) -> list[pb.PaymentMethod]:
    return [pb.PaymentMethod(method=pb.Method.Name(o.method), display_name=o.display_name,
                             available=o.available, unavailable_reason=o.reason)
            for o in options]
