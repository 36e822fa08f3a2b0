"""The one rule for whether trade takes a payment part (``payability``).

Applied at trade's now by ``CheckPayable`` (payment's pre-check, before any
money moves) and at the payment's time when a succeeded payment arrives
(``Order.accept_payment``). Pure; enum values only from ``trade_pb2``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from trade.order.states import BALANCE, WAIT_PAY, WAIT_PAY_BALANCE, S
from zhongtai.trade.v1 import trade_pb2 as pb

if TYPE_CHECKING:
    from trade.order.aggregate import Order

PAY_ORDER_NOT_FOUND = pb.PAYMENT_REJECTION_REASON_PAY_ORDER_NOT_FOUND
ORDER_MISMATCH = pb.PAYMENT_REJECTION_REASON_ORDER_MISMATCH
BUYER_MISMATCH = pb.PAYMENT_REJECTION_REASON_BUYER_MISMATCH
ALREADY_PAID = pb.PAYMENT_REJECTION_REASON_ALREADY_PAID
ORDER_NOT_PAYABLE = pb.PAYMENT_REJECTION_REASON_ORDER_NOT_PAYABLE
OUTSIDE_BALANCE_WINDOW = pb.PAYMENT_REJECTION_REASON_OUTSIDE_BALANCE_WINDOW
AMOUNT_MISMATCH = pb.PAYMENT_REJECTION_REASON_AMOUNT_MISMATCH
# The asker is not this pay order's payer: CheckPayable tells nothing about it.
NOT_THE_PAYERS = frozenset({ORDER_MISMATCH, BUYER_MISMATCH})


@dataclass(frozen=True)
class Rejection:
    """Why trade cannot take a payment part: a PaymentRejectionReason and,
    for humans, the amounts, statuses or window concerned."""

    reason: int
    detail: str

    @property
    def name(self) -> str:
        """The reason without its enum prefix, e.g. ``AMOUNT_MISMATCH``."""
        return pb.PaymentRejectionReason.Name(
            self.reason).removeprefix("PAYMENT_REJECTION_REASON_")

    def __str__(self) -> str:
        return f"{self.name}: {self.detail}"


def payable_status(kind: int) -> int:
    """The order status in which a pay order of this kind is paid: the
    balance of a presale order once its deposit is paid, any other before."""
    return WAIT_PAY_BALANCE if kind == BALANCE else WAIT_PAY


def payability(order: Order | None, pay_order_id: str, *, order_id: str, buyer_id: str,
               currency: str, amount: int, at: dt.datetime) -> Rejection | None:
    """Whether trade takes ``amount`` (minor units of ``currency``) from
    ``buyer_id`` for a pay order of ``order`` (None if the pay order does not
    exist) at ``at``: None if it does, else the first reason it does not, in
    this order:

    1. PAY_ORDER_NOT_FOUND: no such pay order;
    2. ORDER_MISMATCH: the pay order belongs to another order than ``order_id``;
    3. BUYER_MISMATCH: the order is not ``buyer_id``'s (checked before anything
       else about the order, so a stranger learns nothing more);
    4. ALREADY_PAID: a payment paid the pay order;
    5. ORDER_NOT_PAYABLE: the order is not in the status its kind is paid in
       (``payable_status``): cancelled, closed, unconfirmed by the seller, a
       balance whose deposit is unpaid;
    6. OUTSIDE_BALANCE_WINDOW: a BALANCE pay order outside its window (from
       start to end, both included);
    7. AMOUNT_MISMATCH: ``amount`` is not the pay order's actual amount (the
       same minor units in the same currency).
    """
    po = order.pay_order(pay_order_id) if order is not None else None
    if order is None or po is None:
        return Rejection(PAY_ORDER_NOT_FOUND, f"no pay order {pay_order_id}")
    oid = order.order_id
    if order_id != oid:
        return Rejection(ORDER_MISMATCH,
                         f"pay order {pay_order_id} is not a pay order of order {order_id}")
    if buyer_id != order.buyer_id:
        return Rejection(BUYER_MISMATCH, f"order {oid} is not the payer's")
    if po.payment_id:
        return Rejection(ALREADY_PAID, f"pay order {pay_order_id} of order {oid} was paid "
                                       f"by payment {po.payment_id}")
    if order.status != payable_status(po.kind):
        return Rejection(ORDER_NOT_PAYABLE,
                         f"order {oid} is {S.Name(order.status)}; its "
                         f"{pb.PayOrderKind.Name(po.kind)} pay order is paid in "
                         f"{S.Name(payable_status(po.kind))}")
    if po.kind == BALANCE:
        start, end = po.balance_start, po.balance_end
        assert start is not None and end is not None
        if not start <= at <= end:
            return Rejection(OUTSIDE_BALANCE_WINDOW,
                             f"the balance of order {oid} is payable from "
                             f"{start.isoformat()} to {end.isoformat()}, not at "
                             f"{at.isoformat()}")
    if (currency, amount) != (order.currency, po.actual):
        return Rejection(AMOUNT_MISMATCH,
                         f"order {oid} costs {po.actual} {order.currency}, "
                         f"{amount} {currency} was asked")
    return None
