"""What payment's servicer checks of a request beyond its contract.

The limits its fields declare (``(zhongtai.common.v1.rules)`` in
payment.proto: required ids and their lengths, amounts and their ranges,
enabled currencies, enum values, text lengths) are checked by the server
before the servicer runs (``zhongtai.validation``). Here what field options
cannot say — a method and an amount must be given, a payment's parts are in
one currency, each pay order once, their total within the limit — each
request checked alone (INVALID_ARGUMENT with a field violation per problem,
nothing written) and turned into the arguments of its use case.
"""

from __future__ import annotations

from payment.opening import Opening
from payment.values import Part
from zhongtai.errors import InvalidArgument, Violations
from zhongtai.payment.v1 import payment_pb2 as pb

# A payment's total, as one part's amount (the contract's limit): far above
# any real payment, far below where int64 arithmetic could overflow.
MAX_TOTAL = 10**13
DEFAULT_CURRENCY = "CNY"


def _check_method(v: Violations, method: int) -> None:
    v.check(method != pb.METHOD_UNSPECIFIED, "method", "is required")


def opening(req: pb.CreatePaymentRequest) -> Opening:
    """A CreatePayment request: its parts, all in one currency, and their total."""
    v = Violations()
    _check_method(v, req.method)
    v.check(len(req.parts) > 0, "parts", "at least one part is required")
    seen: set[str] = set()
    currencies: set[str] = set()
    for i, part in enumerate(req.parts):
        v.check(part.pay_order_id not in seen, f"parts[{i}].pay_order_id", "is repeated")
        seen.add(part.pay_order_id)
        v.check(part.HasField("amount"), f"parts[{i}].amount", "is required")
        currencies.add(part.amount.currency_code)
    if len(currencies) > 1:
        v.add("parts", f"all parts must be in one currency, got {sorted(currencies)}")
    v.check(sum(p.amount.amount_minor for p in req.parts) <= MAX_TOTAL, "parts",
            f"the total must be at most {MAX_TOTAL}")
    v.raise_if_any()
    return Opening(req.buyer_id, currencies.pop(),
                   tuple(Part(p.pay_order_id, p.order_id, p.amount.amount_minor)
                         for p in req.parts), req.method)


def validate_switch(req: pb.SwitchChannelRequest) -> None:
    if req.method == pb.METHOD_UNSPECIFIED:
        raise InvalidArgument.field("method", "is required")


def validate_amount(req: pb.CreateRefundRequest | pb.TopUpBalanceRequest
                    | pb.ListPaymentMethodsRequest) -> None:
    """A refund, a top-up, the cashier: an amount is given (its range and
    currency are the contract's)."""
    if not req.HasField("amount"):
        raise InvalidArgument.field("amount", "is required")


def balance_currency(req: pb.GetBalanceRequest) -> str:
    """A GetBalance request's currency (CNY if none is given)."""
    return req.currency_code or DEFAULT_CURRENCY
