"""What the Order aggregate records for others to hear of (domain events).

Each carries a snapshot of the order as it was right after the change (an
order may record several in one unit of work: created then paid, a voucher
redeemed then the order completed), and the time it happened. The
repository hands them to the unit of work; ``trade.views`` turns each into
its integration event (``zhongtai.trade.v1`` events).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from trade.order.model import Party, RefundClaim, Voucher
from trade.order.refunds import RefundPlan

if TYPE_CHECKING:
    from trade.order.aggregate import Order
    from trade.order.payability import Rejection


@dataclass(frozen=True)
class OrderEvent:
    order: Order
    at: dt.datetime

    @property
    def aggregate_id(self) -> str:
        """The order the event is about (the outbox's aggregate id)."""
        return self.order.order_id


@dataclass(frozen=True)
class OrderCreated(OrderEvent):
    """The creation saga succeeded: stock reserved, benefits held."""


@dataclass(frozen=True)
class OrderCreationFailed(OrderEvent):
    """A saga step failed or the rollback timer fired: release everything."""


@dataclass(frozen=True)
class OrderCancelled(OrderEvent):
    """Cancelled by a party or a timeout; ``paid``: it had been paid, so what
    it consumed is given back (else released)."""

    by: Party
    paid: bool


@dataclass(frozen=True)
class OrderPaid(OrderEvent):
    """A pay order was paid and the order moved on (empty ``payment_id``:
    nothing went through payment)."""

    payment_id: str


@dataclass(frozen=True)
class OrderPriceAdjusted(OrderEvent):
    previous_adjust: int
    reason: str


@dataclass(frozen=True)
class OrderShipped(OrderEvent):
    """Every log order shipped: WAIT_RECEIVE, received automatically later."""


@dataclass(frozen=True)
class OrderCompleted(OrderEvent):
    automatic: bool
    by: Party


@dataclass(frozen=True)
class OrderReceiptExtended(OrderEvent):
    """The buyer pushed the automatic receipt back."""


@dataclass(frozen=True)
class VouchersIssued(OrderEvent):
    vouchers: tuple[Voucher, ...]


@dataclass(frozen=True)
class VoucherRedeemed(OrderEvent):
    voucher: Voucher


@dataclass(frozen=True)
class OrderRefundOpened(OrderEvent):
    """A refund claim was opened on a line, or changed while open."""

    claim: RefundClaim


@dataclass(frozen=True)
class OrderRefundClosed(OrderEvent):
    """A claim ended without a refund."""

    claim: RefundClaim


@dataclass(frozen=True)
class OrderRefunded(OrderEvent):
    """A claim's plan was refunded; ``line_cancelled``: the line was
    refunded in full and none of it shipped."""

    plan: RefundPlan
    claim: RefundClaim
    line_cancelled: bool


@dataclass(frozen=True)
class OrderAfterSalesEnded(OrderEvent):
    """The after-sales window of a completed order ended with no claim open."""


@dataclass(frozen=True)
class PaymentRejected:
    """A payment part trade does not take: payment refunds it. ``order_id``
    is the part's (it may name no order of trade's)."""

    order_id: str
    pay_order_id: str
    payment_id: str
    currency: str
    amount: int
    rejection: Rejection
    at: dt.datetime

    @property
    def aggregate_id(self) -> str:
        return self.order_id


DomainEvent = OrderEvent | PaymentRejected
