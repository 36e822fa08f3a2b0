"""Booking trade's facts: each of trade's events about a paid order changes
its clearing (settlement.order) and appends the entries it made, in the
inbox's transaction (the inbox dedupes redeliveries; the clearing is
row-locked and version-checked, so two consumers never clear one order
twice).

* ``trade.order.paid``, once every pay order of the order is paid: the
  order's seller parts (trade's lines: goods at their prices plus the
  adjustment, the seller's freight, the deductions with their bearers)
  under the fee rules of its business type (``Order.business_type``, else
  ``[settlement] business_type``) in force at its creation, the parts of
  ``[settlement] platform_seller_ids`` as the platform's own sales;
  PAYMENT (and, in collection mode, CLEARING);
* ``refund_opened`` holds it; ``refund_closed`` releases it; ``refunded``
  takes the plan's cash, deductions and freight off it (REFUND before
  clearing, REVERSAL after) and releases it;
* ``after_sales_ended``: due in escrow mode, cleared unless held;
* ``cancelled`` with paid true: everything not refunded goes back.

A channel's instant discount comes from payment's ``payment.payment.succeeded``
(``settlement.payment``, another queue; settlement.reconciliation.consumers),
each order's share recorded with the order's payment (``order_payments``).
Whichever of the two facts is booked last applies it, once: every change of
an order's clearing here takes the order's split lock first
(``Splits.lock_order``, as settlement.splits does), so ``order_paid`` sees
the shares recorded before it (in its PAYMENT entry) and
``channel_discounted``, run after the share is recorded, sees the clearing
booked before it (a CHANNEL_DISCOUNT entry); the aggregate applies each
payment's share once (by payment id), so a redelivery changes nothing.

A change that cleared the order also records its split instructions
(settlement.splits ``on_cleared``) when split settlement is on
(``split_channels``, from ``[settlement] split_channels``).

Facts about an order settlement never saw paid are ignored (logged). The
use cases take the facts as plain values: reading trade's event messages is
``settlement.consumers``'.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from settlement import fees, splits, statement, views
from settlement.clearing import Line, SellerPart
from settlement.ledger import Entry
from settlement.order import OrderClearing, Refund
from settlement.repository import AUDIT_CLEARING, SqlSettlementUnitOfWork
from settlement.settings import SettlementSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PaidOrder:
    """What ``trade.order.paid`` says of an order (``consumers.paid_order``):
    its seller parts (trade's lines summed per seller), ids, business type
    ("" : ``[settlement] business_type``), currency, creation time, and
    whether every pay order of it is paid."""

    order_id: str
    buyer_id: str
    business_type: str
    currency: str
    create_time: dt.datetime
    parts: tuple[SellerPart, ...]
    fully_paid: bool


async def _changed(uow: SqlSettlementUnitOfWork, o: OrderClearing, entries: list[Entry],
                   now: dt.datetime, what: str, *, new: bool = False,
                   before: list[Line] | None = None,
                   split_channels: frozenset[str] = frozenset()) -> None:
    if new:
        await uow.clearings.add(o, entries, now)
    else:
        await uow.clearings.save(o, entries, now)
    await uow.statements.add(statement.entry_lines(entries, before or [], o.merchant_lines()))
    for event in views.events_of(o, entries, now):
        uow.emit(event, o.order_id)
    uow.audit(AUDIT_CLEARING, o.order_id, views.audit_detail(o, what))
    await splits.on_cleared(uow, o, entries, split_channels, now)


async def order_paid(uow: SqlSettlementUnitOfWork, order: PaidOrder,
                     settings: SettlementSettings, now: dt.datetime) -> None:
    """Record a paid order once, when fully paid (PAYMENT; CLEARING at once
    in collection mode), stamped with the fee rules of its business type in
    force at its creation and with which of its sellers are the platform's
    own."""
    if not order.fully_paid:
        return
    await uow.splits.lock_order(order.order_id)
    if await uow.clearings.find(order.order_id) is not None:
        return
    parts = list(order.parts)
    business = settings.business_type_of(order.business_type)
    created = order.create_time
    versions = await uow.fee_rules.of(business, [p.seller_id for p in parts])
    rules = {p.seller_id: fees.in_force(versions, business, p.seller_id, created)
             for p in parts}
    o, entries = OrderClearing.on_payment(
        order.order_id, order.buyer_id, business, settings.mode_of(business),
        order.currency, parts, rules, created, now,
        settings.platform_sellers(), await uow.splits.channel_discounts_of(order.order_id))
    await _changed(uow, o, entries, now, "paid", new=True,
                   split_channels=settings.split_channel_set())


async def _apply(uow: SqlSettlementUnitOfWork, order_id: str, now: dt.datetime, what: str,
                 act: Callable[[OrderClearing], list[Entry] | None],
                 split_channels: frozenset[str] = frozenset()) -> None:
    await uow.splits.lock_order(order_id)  # before the clearing's row (module docstring)
    o = await uow.clearings.find(order_id, lock=True)
    if o is None:
        log.warning("settlement: %s for order %s, never seen paid: ignored", what, order_id)
        return
    before = o.merchant_lines()
    entries = act(o) or []
    await _changed(uow, o, entries, now, what, before=before, split_channels=split_channels)


async def channel_discounted(uow: SqlSettlementUnitOfWork, order_id: str, payment_id: str,
                             amount: int, now: dt.datetime, *,
                             split_channels: frozenset[str] = frozenset()) -> None:
    """The order's share of a payment's channel discount, recorded with the
    order's payment: booked once if the order is booked already (else
    ``order_paid`` takes it)."""
    if await uow.clearings.find(order_id) is None:
        return
    await _apply(uow, order_id, now, f"channel discount of payment {payment_id}",
                 lambda o: o.channel_discounted(payment_id, amount), split_channels)


async def refund_opened(uow: SqlSettlementUnitOfWork, order_id: str, application_id: str,
                        now: dt.datetime) -> None:
    """Hold the order while the claim is open."""
    await _apply(uow, order_id, now, f"held by {application_id}",
                 lambda o: o.claim_opened(application_id))


async def refund_closed(uow: SqlSettlementUnitOfWork, order_id: str, application_id: str,
                        now: dt.datetime, *, split_channels: frozenset[str] = frozenset()
                        ) -> None:
    """Release the claim; clear if due."""
    await _apply(uow, order_id, now, f"released by {application_id}",
                 lambda o: o.claim_closed(application_id, now), split_channels)


async def order_refunded(uow: SqlSettlementUnitOfWork, order_id: str, refund: Refund,
                         now: dt.datetime, *, split_channels: frozenset[str] = frozenset()
                         ) -> None:
    """Take the refund plan's money off the order (once per application)."""
    await _apply(uow, order_id, now, f"refunded by {refund.application_id}",
                 lambda o: o.refunded_by(refund, now), split_channels)


async def after_sales_ended(uow: SqlSettlementUnitOfWork, order_id: str,
                            now: dt.datetime, *, split_channels: frozenset[str] = frozenset()
                            ) -> None:
    """Due (escrow, joint operation); cleared unless held."""
    await _apply(uow, order_id, now, "after-sales ended", lambda o: o.after_sales_ended(now),
                 split_channels)


async def order_cancelled(uow: SqlSettlementUnitOfWork, order_id: str, paid: bool,
                          now: dt.datetime) -> None:
    """A paid order cancelled: everything not refunded goes back (an unpaid
    one: nothing to do)."""
    if paid:
        await _apply(uow, order_id, now, "cancelled", lambda o: o.cancelled())
