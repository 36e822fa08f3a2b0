"""The domain events of the Payment aggregate (``payment.payment``), which
``payment.views`` turns into the published messages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class PaymentSucceeded:
    """The first successful attempt of the payment (trade marks its pay orders paid)."""

    payment_id: str
    at: dt.datetime


@dataclass(frozen=True)
class PaymentClosed:
    """An unpaid payment was closed."""

    payment_id: str
    at: dt.datetime


@dataclass(frozen=True)
class RefundSucceeded:
    """Money of a refund went back to its route."""

    payment_id: str
    refund_id: str
    at: dt.datetime
