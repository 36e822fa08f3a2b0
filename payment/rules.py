"""payment's rules that are functions of values: the state machines of a
payment, an attempt and a refund (tables, consulted through
``zhongtai.statemachine``), who wins when a channel reports an attempt paid,
the refund cap, the dedupe keys, which methods can be paid with, what a new
payment does about those holding its pay orders (``resolve_holders``), and
the timings of the sweeps, and who may act on a payment (``check_payer``).
The ``Payment`` aggregate (``payment.payment``) and the use cases apply them.

Pure: no SQL, gRPC, protobuf message or clock. The generated ``payment_pb2``
module is imported for its enum values only (statuses, methods, kinds, error
reasons).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from zhongtai.auth import Identity, may_act_for
from zhongtai.errors import PreconditionViolation, Reasons, ZhongtaiError
from zhongtai.payment.v1 import payment_pb2 as pb
from zhongtai.statemachine import StateMachine

if TYPE_CHECKING:
    from payment.payment import Payment
    from payment.values import Part

E = Reasons(pb.ErrorReason)

PENDING = pb.PAYMENT_STATUS_PENDING
SUCCEEDED = pb.PAYMENT_STATUS_SUCCEEDED
CLOSED = pb.PAYMENT_STATUS_CLOSED
REFUNDED = pb.PAYMENT_STATUS_REFUNDED

REFUND_PENDING = pb.REFUND_STATUS_PENDING
REFUND_SUCCEEDED = pb.REFUND_STATUS_SUCCEEDED
REFUND_FAILED = pb.REFUND_STATUS_FAILED

REQUESTED = pb.REFUND_KIND_REQUESTED
EXCEPTION = pb.REFUND_KIND_EXCEPTION

BALANCE = pb.METHOD_BALANCE
SANDBOX = pb.METHOD_SANDBOX
CASH_ON_DELIVERY = pb.METHOD_CASH_ON_DELIVERY
# Methods paid through an external channel (notifications, close, query).
CHANNEL_METHODS: frozenset[int] = frozenset({SANDBOX})
# Methods a payment can be created with or switched to today. Cash on
# delivery is listed by the cashier, but collecting it needs logistics to
# confirm the cash was taken, which is not built yet.
PAYABLE_METHODS: frozenset[int] = frozenset({BALANCE, SANDBOX})
# Every method there is (the cashier lists them in this order).
METHODS: tuple[int, ...] = (BALANCE, SANDBOX, CASH_ON_DELIVERY)

# Actions.
SUCCEED = "succeed"
CLOSE = "close"
REFUND_FULLY = "refund_fully"
PAY = "pay"
SETTLE = "settle"
FAIL = "fail"

# The payment: the first successful attempt succeeds it; it is closed only
# while nothing was paid; REFUNDED once all it captured came back.
PAYMENT_TRANSITIONS: Mapping[tuple[int, str], int] = {
    (PENDING, SUCCEED): SUCCEEDED,
    (PENDING, CLOSE): CLOSED,
    (SUCCEEDED, REFUND_FULLY): REFUNDED,
}

# An attempt (one channel trade). A CLOSED attempt can still turn out paid
# (the buyer paid while we closed it): its money is then refunded.
ATTEMPT_TRANSITIONS: Mapping[tuple[int, str], int] = {
    (PENDING, PAY): SUCCEEDED,
    (PENDING, CLOSE): CLOSED,
    (CLOSED, PAY): SUCCEEDED,
}

REFUND_TRANSITIONS: Mapping[tuple[int, str], int] = {
    (REFUND_PENDING, SETTLE): REFUND_SUCCEEDED,
    (REFUND_PENDING, FAIL): REFUND_FAILED,
}

PAYMENT = StateMachine("payment", PAYMENT_TRANSITIONS, pb.PaymentStatus.Name, E,
                       pb.ERROR_REASON_ILLEGAL_PAYMENT_TRANSITION)
ATTEMPT = StateMachine("attempt", ATTEMPT_TRANSITIONS, pb.PaymentStatus.Name, E,
                       pb.ERROR_REASON_ILLEGAL_ATTEMPT_TRANSITION)
REFUND = StateMachine("refund", REFUND_TRANSITIONS, pb.RefundStatus.Name, E,
                      pb.ERROR_REASON_ILLEGAL_REFUND_TRANSITION)

# A replacement for an exception refund the channel failed is submitted this
# long after (it is money we owe: never dropped, retried at most this rarely).
EXCEPTION_RETRY_AFTER = dt.timedelta(hours=1)
# How long a sweep holds a claimed attempt or refund while it calls the channel.
SWEEP_LEASE = dt.timedelta(seconds=60)
MAX_TEXT = 2000


@dataclass(frozen=True)
class Policy:
    """The timings of payment (``PaymentSettings``)."""

    # A channel attempt is queried at its channel this long after it was
    # opened if nothing was heard of it (a lost notification).
    pending_query_after: dt.timedelta = dt.timedelta(minutes=5)
    # A refund the channel accepted is asked about this long after (then
    # with backoff) if no notification said how it went.
    refund_query_after: dt.timedelta = dt.timedelta(minutes=1)


Clock = Callable[[], dt.datetime]


class Outcome(enum.StrEnum):
    """What applying a channel's word (or a sweep's step) did."""

    SUCCEEDED = "SUCCEEDED"  # the attempt won the payment
    EXCEPTION_REFUND = "EXCEPTION_REFUND"  # paid, but refunded as an exception
    DUPLICATE = "DUPLICATE"  # already applied
    CLOSED = "CLOSED"  # the attempt was closed
    NO_CHANGE = "NO_CHANGE"  # closed already, or unknown
    PENDING = "PENDING"  # nothing settled yet
    REFUND_SUCCEEDED = "REFUND_SUCCEEDED"
    REFUND_FAILED = "REFUND_FAILED"
    UNKNOWN_ATTEMPT = "UNKNOWN_ATTEMPT"
    UNKNOWN_REFUND = "UNKNOWN_REFUND"
    DUPLICATE_NOTIFICATION = "DUPLICATE_NOTIFICATION"
    IGNORED = "IGNORED"
    RETRY = "RETRY"  # a channel call failed; again later


def attempt_refund_key(attempt_id: str) -> str:
    """The one exception refund of an attempt paid after another won (or after close)."""
    return f"attempt:{attempt_id}"


def rejected_refund_key(payment_id: str, pay_order_id: str) -> str:
    """The one exception refund of a part trade could not take."""
    return f"rejected:{payment_id}:{pay_order_id}"


def cancelled_order_refund_key(pay_order_id: str) -> str:
    """The one refund of a pay order whose paid order trade cancelled."""
    return f"order-cancelled:{pay_order_id}"


def notification_key(kind: str, attempt_id: str, refund_id: str, state: str) -> str:
    """The same fact notified twice has the same key."""
    return f"{kind}:{attempt_id}:{refund_id}:{state}"[:200]


def retry_delay(attempts: int, base: float = 1.0, cap: float = 600.0) -> dt.timedelta:
    """Exponential backoff for calls to a channel (1 s, 2 s, 4 s ... 10 min)."""
    return dt.timedelta(seconds=min(cap, base * 2 ** min(30, max(0, attempts - 1))))


def refundable(captured: int, refunded: int) -> int:
    """What can still be refunded of a payment's capture."""
    return max(0, captured - refunded)


def fully_refunded(captured: int, settled: int) -> bool:
    """All the channel collected came back (the buyer's money and the
    channel's own discount alike: refunds are order money)."""
    return captured > 0 and settled >= captured


def part_refundable(parts: Sequence[tuple[str, int]], pay_order_id: str,
                    recorded: int) -> int:
    """What is left to refund of one part of a payment (``parts``: every
    pay order with its amount), in order money: the part's amount less the
    refunds already recorded for that pay order (``recorded``: requested and
    exception alike, pending or done). A part's share of a channel's
    discount is refunded with it (``zhongtai.money.refund_split`` says how
    much of a refund is the buyer's)."""
    return refundable(dict(parts)[pay_order_id], recorded)


def check_refund(payment_id: str, status: int, amount: int, captured: int,
                 refunded: int, part: tuple[str, int] | None = None) -> None:
    """A requested refund (order money): only of a SUCCEEDED payment
    (PAYMENT_NOT_REFUNDABLE), within what is left of the capture — what the
    channel collected, its own discount included, less what was refunded
    (REFUND_EXCEEDS_CAPTURED) — and, for a refund of one part (``part``: its
    pay order and what is left of it, ``part_refundable``), within that part
    too (REFUND_EXCEEDS_CAPTURED): a refund of one part never takes another's
    money."""
    if status != SUCCEEDED:
        name = pb.PaymentStatus.Name(status)
        raise E(pb.ERROR_REASON_PAYMENT_NOT_REFUNDABLE,
                f"payment {payment_id} is {name}; only a succeeded payment can be refunded",
                violations=[PreconditionViolation("PAYMENT_STATUS", f"payments/{payment_id}",
                                                  f"status is {name}")],
                metadata={"payment_id": payment_id, "status": name})
    left = refundable(captured, refunded)
    if amount > left:
        raise _exceeds(f"payment {payment_id}", f"payments/{payment_id}", left, amount,
                       f"{left} left of {captured} captured", payment_id=payment_id)
    if part is not None and amount > part[1]:
        pay_order_id, part_left = part
        raise _exceeds(f"pay order {pay_order_id} of payment {payment_id}",
                       f"pay_orders/{pay_order_id}", part_left, amount,
                       f"{part_left} left of this part", payment_id=payment_id,
                       pay_order_id=pay_order_id)


def _exceeds(what: str, subject: str, left: int, amount: int, why: str,
             **metadata: str) -> ZhongtaiError:
    return E(pb.ERROR_REASON_REFUND_EXCEEDS_CAPTURED,
             f"{what} has {left} left to refund, {amount} asked",
             violations=[PreconditionViolation("REFUNDABLE_AMOUNT", subject, why)],
             metadata={**metadata, "refundable": str(left)})


def check_payer(caller: Identity, payment_id: str, buyer_id: str) -> None:
    """A buyer reads and acts on their own payments (and their refunds)
    only; staff (an operator, a service) on any: else PERMISSION_DENIED
    NOT_THE_PAYMENT_BUYER. The caller is the credential's, never a request
    field."""
    if not may_act_for(caller, buyer_id=buyer_id):
        raise E(pb.ERROR_REASON_NOT_THE_PAYMENT_BUYER,
                f"payment {payment_id} is not this buyer's", metadata={"payment_id": payment_id})


def check_payable_method(method: int) -> None:
    """Only BALANCE and SANDBOX can be paid with (METHOD_NOT_SUPPORTED)."""
    if method not in PAYABLE_METHODS:
        name = pb.Method.Name(method)
        raise E(pb.ERROR_REASON_METHOD_NOT_SUPPORTED,
                f"{name} cannot be used to pay yet (cash on delivery needs logistics to "
                "confirm the collection)",
                violations=[PreconditionViolation("METHOD", f"methods/{name}", "not payable yet")],
                metadata={"method": name})


class PaidOutcome(enum.Enum):
    """What a channel's "attempt paid" means for the payment."""

    # The payment succeeds with this attempt.
    WIN = "WIN"
    # This attempt already won: nothing to do.
    ALREADY_WON = "ALREADY_WON"
    # Money we must give back: another attempt won, the payment was closed,
    # or the channel collected another amount than asked.
    EXCEPTION = "EXCEPTION"


@dataclass(frozen=True)
class PaidDecision:
    """The outcome, and why money goes back (an exception refund's reason)."""

    outcome: PaidOutcome
    reason: str = ""


def on_attempt_paid(payment_status: int, winning_attempt_id: str, attempt_id: str,
                    expected: tuple[int, str], paid: tuple[int, str]) -> PaidDecision:
    """What a channel's "attempt paid" means for the payment: the first one,
    for the amount and currency asked, while the payment is PENDING, wins;
    anything else is an exception (refunded)."""
    if winning_attempt_id and winning_attempt_id == attempt_id:
        return PaidDecision(PaidOutcome.ALREADY_WON)
    if paid != expected:
        return PaidDecision(PaidOutcome.EXCEPTION,
                            f"the channel collected {paid[0]} {paid[1]}, "
                            f"{expected[0]} {expected[1]} was asked")
    if payment_status == PENDING:
        return PaidDecision(PaidOutcome.WIN)
    if payment_status == CLOSED:
        return PaidDecision(PaidOutcome.EXCEPTION, "paid after the payment was closed")
    return PaidDecision(PaidOutcome.EXCEPTION,
                        f"paid twice: attempt {winning_attempt_id} already paid")


def resolve_holders(pay_order_ids: Sequence[str], held_by: Mapping[str, str],
                    holders: Sequence[Payment], buyer_id: str, parts: Sequence[Part],
                    method: int) -> Payment | list[Payment]:
    """What a new payment for ``pay_order_ids`` does about the payments
    holding some of them (``held_by``: pay order -> payment, ``holders``
    those payments):

    * one of them is paid: PAY_ORDER_ALREADY_PAID;
    * it is this very request (one open payment for exactly these pay
      orders, of the same buyer, parts, amounts and method): that payment,
      to continue;
    * they are the buyer's own open payments (abandoned for this one): the
      list of them, to supersede (empty if they were all closed meanwhile);
    * another buyer's open payment: PAYMENT_IN_PROGRESS.
    """
    paid = sorted(po for po, payment_id in held_by.items()
                  if any(p.payment_id == payment_id and p.status not in (PENDING, CLOSED)
                         for p in holders))
    if paid:
        raise E(pb.ERROR_REASON_PAY_ORDER_ALREADY_PAID, f"pay orders {paid} are already paid",
                violations=[PreconditionViolation("PAY_ORDER", f"pay_orders/{i}", "already paid")
                            for i in paid],
                metadata={"pay_order_ids": ",".join(paid)})
    # A holder seen CLOSED was closed since its lock was read: its pay orders are free.
    open_ = [p for p in holders if p.status == PENDING]
    if (len(open_) == 1 and set(held_by) == set(pay_order_ids)
            and open_[0].same_request(buyer_id, parts, method)):
        return open_[0]
    if all(p.buyer_id == buyer_id for p in open_):
        return open_
    open_ids = sorted(p.payment_id for p in open_)
    raise E(pb.ERROR_REASON_PAYMENT_IN_PROGRESS,
            f"pay orders {sorted(held_by)} already have an open payment {open_ids}; "
            "continue it, switch its channel or close it",
            violations=[PreconditionViolation("PAY_ORDER", f"pay_orders/{i}",
                                              f"held by payment {p}")
                        for i, p in sorted(held_by.items())],
            metadata={"payment_id": ",".join(open_ids)})


@dataclass(frozen=True)
class DueAttempt:
    """An attempt the attempt sweep leased: to close or to query at its channel."""

    attempt_id: str
    method: int
    close_requested: bool
    check_count: int
    payment_status: int
    current_attempt_id: str

    @property
    def closing(self) -> bool:
        """Closed at the channel (not queried) when a close was asked, its
        payment is no longer PENDING, or it is no longer the current attempt."""
        return (self.close_requested or self.payment_status != PENDING
                or self.current_attempt_id != self.attempt_id)


@dataclass(frozen=True)
class DueRefund:
    """A refund the refund sweep leased: to submit, or (once the channel
    accepted it) to ask about."""

    refund_id: str
    attempt_id: str
    kind: int
    amount: int
    currency: str
    submitted_at: dt.datetime | None
    attempts: int
    method: int
