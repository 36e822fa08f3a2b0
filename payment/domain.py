"""payment's rules: request validation, the payment, attempt and refund state
machines, who wins when a channel reports a payment, the refund cap and the
cashier's method list. No database, gRPC, HTTP or broker here."""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from zhongtai.common.v1.common_pb2 import Address
from zhongtai.errors import FailedPrecondition, PreconditionViolation, Violations
from zhongtai.payment.v1 import payment_pb2 as pb
from zhongtai.trade.v1 import trade_pb2 as trade_pb

MAX_ID = 64
MAX_PARTS = 50
MAX_REASON = 500
MAX_REQUEST_ID = 200
# 10^13 minor units (a hundred billion yuan): far above any real payment,
# far below where int64 arithmetic could overflow.
MAX_AMOUNT = 10**13

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
DISPLAY_NAMES: Mapping[pb.Method, str] = {
    BALANCE: "Balance",
    SANDBOX: "Sandbox wallet",
    CASH_ON_DELIVERY: "Cash on delivery",
}

# Actions.
SUCCEED = "succeed"
CLOSE = "close"
REFUND_FULLY = "refund_fully"
PAY = "pay"
SETTLE = "settle"
FAIL = "fail"

# The payment state machine: (status, action) -> status. Anything else is
# FAILED_PRECONDITION and changes nothing. The first successful attempt
# succeeds the payment; a payment is closed only while nothing was paid.
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


def _illegal(what: str, subject: str, status_name: str, action: str,
             metadata: dict[str, str]) -> FailedPrecondition:
    return FailedPrecondition(
        f"ILLEGAL_{what.upper()}_TRANSITION",
        f"{what} {subject} is {status_name}; cannot {action.replace('_', ' ')}",
        [PreconditionViolation(f"{what.upper()}_STATUS", f"{what}s/{subject}",
                               f"status is {status_name}")],
        {**metadata, "status": status_name, "action": action},
    )


def next_payment_status(payment_id: str, current: int, action: str) -> int:
    try:
        return PAYMENT_TRANSITIONS[(current, action)]
    except KeyError:
        raise _illegal("payment", payment_id, pb.PaymentStatus.Name(current), action,
                       {"payment_id": payment_id}) from None


def next_attempt_status(attempt_id: str, current: int, action: str) -> int:
    try:
        return ATTEMPT_TRANSITIONS[(current, action)]
    except KeyError:
        raise _illegal("attempt", attempt_id, pb.PaymentStatus.Name(current), action,
                       {"attempt_id": attempt_id}) from None


def next_refund_status(refund_id: str, current: int, action: str) -> int:
    try:
        return REFUND_TRANSITIONS[(current, action)]
    except KeyError:
        raise _illegal("refund", refund_id, pb.RefundStatus.Name(current), action,
                       {"refund_id": refund_id}) from None


def check_open(payment_id: str, status: int, what: str) -> None:
    """Only a PENDING payment can be switched or paid again."""
    if status != PENDING:
        name = pb.PaymentStatus.Name(status)
        raise FailedPrecondition(
            "PAYMENT_NOT_PENDING", f"payment {payment_id} is {name}; cannot {what}",
            [PreconditionViolation("PAYMENT_STATUS", f"payments/{payment_id}",
                                   f"status is {name}")],
            {"payment_id": payment_id, "status": name})


def check_trade_takes(results: Sequence[trade_pb.PayableResult], payment_id: str = "") -> None:
    """Trade's answer to CheckPayable, before anything is written or any
    channel called: FAILED_PRECONDITION if it would not take a part, with
    trade's reason (e.g. ``AMOUNT_MISMATCH``; the first refused part's when
    several are) and one violation per refused pay order. A pay order that
    ``payment_id`` itself paid is not refused (the payment being switched
    succeeded meanwhile)."""
    refused = [r for r in results
               if r.reason != trade_pb.PAYMENT_REJECTION_REASON_UNSPECIFIED
               and not (payment_id and r.pay_order.payment_id == payment_id)]
    if not refused:
        return
    names = [trade_pb.PaymentRejectionReason.Name(r.reason)
             .removeprefix("PAYMENT_REJECTION_REASON_") for r in refused]
    ids = [r.pay_order_id for r in refused]
    raise FailedPrecondition(
        names[0], "trade would not take the payment: "
        + "; ".join(f"{n}: {r.detail}" for n, r in zip(names, refused, strict=True)),
        [PreconditionViolation(n, f"pay_orders/{r.pay_order_id}", r.detail)
         for n, r in zip(names, refused, strict=True)],
        {"pay_order_ids": ",".join(ids)})


# --- validation ----------------------------------------------------------------

_CURRENCY = re.compile(r"^[A-Z]{3}$")


def _check_id(v: Violations, value: str, name: str, required: bool = True) -> None:
    if required:
        v.check(bool(value), name, "is required")
    v.check(len(value) <= MAX_ID, name, f"must be at most {MAX_ID} characters")


def _check_amount(v: Violations, amount: int, currency: str, name: str) -> None:
    v.check(bool(_CURRENCY.match(currency)), f"{name}.currency_code",
            "must be a three-letter upper-case ISO-4217 code")
    v.check(0 < amount <= MAX_AMOUNT, f"{name}.amount_minor",
            f"must be positive and at most {MAX_AMOUNT}")


def _check_method(v: Violations, method: int, name: str = "method") -> None:
    if method == pb.METHOD_UNSPECIFIED:
        v.add(name, "is required")
    elif method not in DISPLAY_NAMES:
        v.add(name, "is not a payment method")


@dataclass(frozen=True)
class PaymentInput:
    currency: str
    amount: int


def validate_create_payment(req: pb.CreatePaymentRequest) -> PaymentInput:
    """Check a CreatePayment request alone; the parts' currency and total."""
    v = Violations()
    _check_id(v, req.buyer_id, "buyer_id")
    v.check(len(req.request_id) <= MAX_REQUEST_ID, "request_id",
            f"must be at most {MAX_REQUEST_ID} characters")
    _check_method(v, req.method)
    v.check(0 < len(req.parts) <= MAX_PARTS, "parts", f"between 1 and {MAX_PARTS} parts")
    seen: set[str] = set()
    currencies: set[str] = set()
    for i, part in enumerate(req.parts):
        _check_id(v, part.pay_order_id, f"parts[{i}].pay_order_id")
        _check_id(v, part.order_id, f"parts[{i}].order_id")
        v.check(part.pay_order_id not in seen, f"parts[{i}].pay_order_id", "is repeated")
        seen.add(part.pay_order_id)
        _check_amount(v, part.amount.amount_minor, part.amount.currency_code,
                      f"parts[{i}].amount")
        currencies.add(part.amount.currency_code)
    if len(currencies) > 1:
        v.add("parts", f"all parts must be in one currency, got {sorted(currencies)}")
    v.raise_if_any()
    total = sum(p.amount.amount_minor for p in req.parts)
    v.check(total <= MAX_AMOUNT, "parts", f"the total must be at most {MAX_AMOUNT}")
    v.raise_if_any()
    return PaymentInput(currencies.pop(), total)


def check_payable_method(method: int) -> None:
    if method not in PAYABLE_METHODS:
        name = pb.Method.Name(method)
        raise FailedPrecondition(
            "METHOD_NOT_SUPPORTED",
            f"{name} cannot be used to pay yet (cash on delivery needs logistics to "
            "confirm the collection)",
            [PreconditionViolation("METHOD", f"methods/{name}", "not payable yet")],
            {"method": name})


def validate_switch(req: pb.SwitchChannelRequest) -> None:
    v = Violations()
    _check_id(v, req.payment_id, "payment_id")
    _check_method(v, req.method)
    v.raise_if_any()


def validate_close(req: pb.ClosePaymentRequest) -> None:
    v = Violations()
    _check_id(v, req.payment_id, "payment_id")
    v.check(len(req.reason) <= MAX_REASON, "reason", f"must be at most {MAX_REASON} characters")
    v.raise_if_any()


def validate_refund(req: pb.CreateRefundRequest) -> None:
    v = Violations()
    _check_id(v, req.payment_id, "payment_id")
    _check_amount(v, req.amount.amount_minor, req.amount.currency_code, "amount")
    v.check(len(req.reason) <= MAX_REASON, "reason", f"must be at most {MAX_REASON} characters")
    v.raise_if_any()


def validate_top_up(req: pb.TopUpBalanceRequest) -> None:
    v = Violations()
    _check_id(v, req.buyer_id, "buyer_id")
    _check_amount(v, req.amount.amount_minor, req.amount.currency_code, "amount")
    v.raise_if_any()


def validate_list_methods(req: pb.ListPaymentMethodsRequest) -> None:
    v = Violations()
    _check_id(v, req.buyer_id, "buyer_id")
    _check_amount(v, req.amount.amount_minor, req.amount.currency_code, "amount")
    v.raise_if_any()


# --- refunds -------------------------------------------------------------------


def refundable(captured: int, refunded: int) -> int:
    """What can still be refunded of a payment's capture."""
    return max(0, captured - refunded)


def check_refund(payment_id: str, status: int, amount: int, captured: int,
                 refunded: int, channel_discount: int = 0) -> None:
    """A requested refund: only of a SUCCEEDED payment, within what is left of
    what the buyer paid (the capture less what the channel funded itself)."""
    if status != SUCCEEDED:
        name = pb.PaymentStatus.Name(status)
        raise FailedPrecondition(
            "PAYMENT_NOT_REFUNDABLE", f"payment {payment_id} is {name}; only a succeeded "
            "payment can be refunded",
            [PreconditionViolation("PAYMENT_STATUS", f"payments/{payment_id}",
                                   f"status is {name}")],
            {"payment_id": payment_id, "status": name})
    left = refundable(captured - channel_discount, refunded)
    if amount > left:
        of = (f"{captured} captured, {channel_discount} of it funded by the channel"
              if channel_discount else f"{captured} captured")
        raise FailedPrecondition(
            "REFUND_EXCEEDS_CAPTURED",
            f"payment {payment_id} has {left} left to refund, {amount} asked",
            [PreconditionViolation("REFUNDABLE_AMOUNT", f"payments/{payment_id}",
                                   f"{left} left of {of}")],
            {"payment_id": payment_id, "refundable": str(left)})


def fully_refunded(captured: int, settled: int, channel_discount: int = 0) -> bool:
    """All the buyer paid came back (a channel's discount is not refunded)."""
    return captured > 0 and settled >= captured - channel_discount


def attempt_refund_key(attempt_id: str) -> str:
    """The one exception refund of an attempt paid after another won (or after close)."""
    return f"attempt:{attempt_id}"


def rejected_refund_key(payment_id: str, pay_order_id: str) -> str:
    """The one exception refund of a part trade could not take."""
    return f"rejected:{payment_id}:{pay_order_id}"


def retry_delay(attempts: int, base: float = 1.0, cap: float = 600.0) -> dt.timedelta:
    """Exponential backoff for calls to a channel (1 s, 2 s, 4 s ... 10 min)."""
    return dt.timedelta(seconds=min(cap, base * 2 ** min(30, max(0, attempts - 1))))


# --- a channel says an attempt was paid ------------------------------------------


class PaidOutcome(enum.Enum):
    # The payment succeeds with this attempt.
    WIN = "WIN"
    # This attempt already won: nothing to do.
    ALREADY_WON = "ALREADY_WON"
    # Money we must give back: another attempt won, the payment was closed,
    # or the channel collected another amount than asked.
    EXCEPTION = "EXCEPTION"


@dataclass(frozen=True)
class PaidDecision:
    outcome: PaidOutcome
    reason: str = ""


def on_attempt_paid(payment_status: int, winning_attempt_id: str, attempt_id: str,
                    expected: tuple[int, str], paid: tuple[int, str]) -> PaidDecision:
    """What a channel's "attempt paid" means for the payment (first one wins)."""
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


def notification_key(kind: str, attempt_id: str, refund_id: str, state: str) -> str:
    """The same fact notified twice has the same key."""
    return f"{kind}:{attempt_id}:{refund_id}:{state}"[:200]


# --- the cashier -----------------------------------------------------------------


@dataclass(frozen=True)
class MethodOption:
    method: pb.Method
    available: bool
    reason: str = ""

    @property
    def display_name(self) -> str:
        return DISPLAY_NAMES[self.method]


def cashier(balance: int, amount: int, address: Address | None,
            cod_denied_provinces: Collection[str]) -> list[MethodOption]:
    """The methods the cashier shows for a buyer's balance, an amount and an address.

    * BALANCE: when the balance covers the whole amount (no split payments);
    * SANDBOX: always;
    * CASH_ON_DELIVERY: when there is a delivery address whose province is
      not in the configured deny list (remote regions couriers do not
      collect cash in).
    """
    options = [
        MethodOption(BALANCE, True) if balance >= amount else
        MethodOption(BALANCE, False, f"the balance {balance} does not cover {amount}"),
        MethodOption(SANDBOX, True),
    ]
    province = address.province.strip() if address is not None else ""
    if not province:
        options.append(MethodOption(CASH_ON_DELIVERY, False, "a delivery address is needed"))
    elif province in cod_denied_provinces:
        options.append(MethodOption(CASH_ON_DELIVERY, False,
                                    f"no cash on delivery to {province}"))
    else:
        options.append(MethodOption(CASH_ON_DELIVERY, True))
    return options
