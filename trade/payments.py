"""Money in and out of orders: payments succeeded, refunds succeeded, and
CheckPayable (payment's pre-check).

The rule for whether a part is taken is one (``trade.order.payability``):
``check_payable`` applies it at trade's now, read-only, before payment moves
any money; ``payment_succeeded`` applies it at the payment's time under the
order's lock, and stays the authority for a check gone stale (a price
adjusted, an order cancelled meanwhile).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from trade import views
from trade.order import Order, Rejection, TradePolicy, payability
from trade.order.events import PaymentRejected
from trade.repository import AUDIT_ORDER, Clock, TradeUnitOfWork
from trade.vouchers import fresh_codes
from zhongtai.errors import InvalidArgument

log = logging.getLogger(__name__)

MAX_RESOURCE_ID = 128  # the audit trail's (a part may name no order of trade's)


@dataclass(frozen=True)
class Part:
    """What a payment pays (or would pay) for one pay order."""

    pay_order_id: str
    order_id: str
    currency: str
    amount: int


async def payment_succeeded(uow: TradeUnitOfWork, *, payment_id: str, buyer_id: str,
                            parts: Sequence[Part], paid_at: dt.datetime | None, clock: Clock,
                            policy: TradePolicy) -> None:
    """A payment succeeded (consumer ``trade.payment``, in its transaction).

    Each part is taken by its order under the order's lock
    (``Order.accept_payment``: the order paid, or a presale deposit), or
    rejected with ``PaymentRejected`` — the order was cancelled or closed by
    its timeout, paid by another payment, or the part does not match its pay
    order — on which payment refunds it. A redelivered payment changes
    nothing.
    """
    for part in parts:
        order = (await uow.orders.by_pay_orders([part.pay_order_id], lock=True)
                 ).get(part.pay_order_id)
        now = clock()
        paid_at = paid_at or now
        if order is None:
            rejection = payability(None, part.pay_order_id, order_id=part.order_id,
                                   buyer_id=buyer_id, currency=part.currency,
                                   amount=part.amount, at=paid_at)
            assert rejection is not None
            rejected = PaymentRejected(part.order_id, part.pay_order_id, payment_id,
                                       part.currency, part.amount, rejection, now)
            uow.orders.publish(rejected)
            uow.audit(AUDIT_ORDER, part.order_id[:MAX_RESOURCE_ID], views.event_note(rejected))
        else:
            rejection = order.accept_payment(
                payment_id=payment_id, pay_order_id=part.pay_order_id, order_id=part.order_id,
                buyer_id=buyer_id, currency=part.currency, amount=part.amount,
                paid_at=paid_at, now=now, policy=policy,
                voucher_codes=await fresh_codes(uow, order.voucher_units()))
            await uow.orders.save(order)
        if rejection is not None:
            log.warning("payment %s for order %s rejected: %s", payment_id, part.order_id,
                        rejection)


async def refund_succeeded(uow: TradeUnitOfWork, *, pay_order_id: str,
                           clock: Clock) -> None:
    """Payment refunded a pay order trade marked REFUNDING (an order
    cancelled after payment): the pay order is REFUNDED, and the order once
    none of its pay orders is (``Order.refund_succeeded``). Other refunds
    (none named, or of a pay order not REFUNDING) do not concern trade."""
    if not pay_order_id:
        return
    order = (await uow.orders.by_pay_orders([pay_order_id], lock=True)).get(pay_order_id)
    if order is not None and order.refund_succeeded(pay_order_id, clock()):
        await uow.orders.save(order)


async def check_payable(uow: TradeUnitOfWork, *, buyer_id: str, parts: Sequence[Part],
                        now: dt.datetime
                        ) -> list[tuple[Part, Order | None, Rejection | None]]:
    """Whether each part would be taken now (read-only): each part with its
    order (None if the pay order does not exist) and the rejection (None:
    payable)."""
    if not parts:
        raise InvalidArgument.field("parts", "at least one part")
    orders = await uow.orders.by_pay_orders([p.pay_order_id for p in parts])
    out = []
    for part in parts:
        order = orders.get(part.pay_order_id)
        out.append((part, order, payability(order, part.pay_order_id, order_id=part.order_id,
                                            buyer_id=buyer_id, currency=part.currency,
                                            amount=part.amount, at=now)))
    return out
