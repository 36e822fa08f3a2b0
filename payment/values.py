"""The value records of a payment (``payment.payment.Payment``): its parts
(the share paying each of trade's pay orders), its attempts (one channel
trade or balance debit each) and its refunds (money going back to the route
of one attempt).

Plain data: the Payment aggregate alone changes them (the money rules are
stated in ``payment.payment``); ``Attempt.refundable`` is the one rule kept
here: never more back on a route than the channel collected on it (a refund
is order money: what goes back to the buyer and what returns the channel's
own discount, ``Refund.payer_amount`` and ``channel_discount_amount``).
Pure: no SQL, gRPC, protobuf or clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass
class Part:
    """The share of the payment that goes to one of trade's pay orders."""

    pay_order_id: str
    order_id: str
    amount: int


@dataclass
class Attempt:
    """One channel trade (or one balance debit) of the payment."""

    attempt_id: str
    method: int
    status: int
    currency: str
    amount: int
    created_at: dt.datetime
    updated_at: dt.datetime
    # What the channel collected (0 until paid): what the buyer paid plus
    # channel_discount_amount.
    paid_amount: int = 0
    # Of paid_amount, what the channel funded itself (an instant discount).
    channel_discount_amount: int = 0
    # Refunds to this route, pending or done (order money).
    refunded_amount: int = 0
    channel_transaction_id: str = ""
    pay_url: str = ""
    # The sweep closes it at the channel (the payment was closed, switched,
    # or won by another attempt) from next_check_at on; else it queries it then.
    close_requested: bool = False
    next_check_at: dt.datetime | None = None
    check_count: int = 0
    last_error: str | None = None
    paid_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None

    @property
    def buyer_paid(self) -> int:
        """What the buyer paid on this route."""
        return self.paid_amount - self.channel_discount_amount

    @property
    def refundable(self) -> int:
        """What may still go back on this route (order money): never more
        than the channel collected."""
        return self.paid_amount - self.refunded_amount


@dataclass
class Refund:
    """Money going back to the route of one attempt. ``amount`` is order
    money; of it ``channel_discount_amount`` returns the channel's own
    discount and ``payer_amount`` goes back to the buyer
    (``zhongtai.money.refund_split``)."""

    refund_id: str
    payment_id: str
    attempt_id: str
    kind: int
    currency: str
    amount: int
    status: int
    reason: str
    # What makes it unique (see the module docstring).
    dedupe_key: str
    created_at: dt.datetime
    updated_at: dt.datetime
    request_id: str = ""
    # The pay order it is for, when it is for one ("" otherwise).
    pay_order_id: str = ""
    # When the refund sweep submits it (or asks how it went).
    next_attempt_at: dt.datetime | None = None
    submitted_at: dt.datetime | None = None
    attempts: int = 0
    last_error: str | None = None
    settled_at: dt.datetime | None = None
    # Of amount, the channel's instant discount returned to it.
    channel_discount_amount: int = 0

    @property
    def payer_amount(self) -> int:
        """Of amount, what goes back to the buyer."""
        return self.amount - self.channel_discount_amount
