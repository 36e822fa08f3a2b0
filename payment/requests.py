"""What payment's servicer accepts: each request checked alone (INVALID_ARGUMENT
with a field violation per problem, nothing written) and turned into the
arguments of its use case."""

from __future__ import annotations

import re

from payment.opening import Opening
from payment.payment import Part
from payment.rules import METHODS
from zhongtai.errors import InvalidArgument, Violations
from zhongtai.payment.v1 import payment_pb2 as pb

MAX_ID = 64
MAX_PARTS = 50
MAX_REASON = 500
MAX_REQUEST_ID = 200
# 10^13 minor units (a hundred billion yuan): far above any real payment,
# far below where int64 arithmetic could overflow.
MAX_AMOUNT = 10**13
DEFAULT_CURRENCY = "CNY"

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
    elif method not in METHODS:
        v.add(name, "is not a payment method")


def required(value: str, name: str) -> str:
    """A required field."""
    if not value:
        raise InvalidArgument.field(name, "is required")
    return value


def opening(req: pb.CreatePaymentRequest) -> Opening:
    """A CreatePayment request: its parts, all in one currency, and their total."""
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
    return Opening(req.buyer_id, currencies.pop(),
                   tuple(Part(p.pay_order_id, p.order_id, p.amount.amount_minor)
                         for p in req.parts), req.method)


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


def validate_buyer_amount(req: pb.TopUpBalanceRequest | pb.ListPaymentMethodsRequest) -> None:
    """TopUpBalance, ListPaymentMethods: a buyer and an amount."""
    v = Violations()
    _check_id(v, req.buyer_id, "buyer_id")
    _check_amount(v, req.amount.amount_minor, req.amount.currency_code, "amount")
    v.raise_if_any()


def balance_currency(req: pb.GetBalanceRequest) -> str:
    """A GetBalance request's currency (CNY if none is given)."""
    required(req.buyer_id, "buyer_id")
    currency = req.currency_code or DEFAULT_CURRENCY
    if len(currency) != 3 or not currency.isupper():
        raise InvalidArgument.field("currency_code", "must be an ISO-4217 code")
    return currency
