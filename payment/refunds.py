"""Refunds: requested ones, the refund sweep, and those trade's events call for.

A refund reserves its amount on its route in the transaction that makes it
(``Payment`` holds the caps). A refund to the balance is credited there and
then (``credit_balance_refunds``); a channel refund is submitted after commit
by the refund sweep (``submit_refund``), retried until the channel accepts it
and asked about until it settles. A requested refund the channel refuses
fails (its amount is free again); an exception refund is never given up.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from payment import wallet
from payment.channels.base import ChannelError, RefundState
from payment.channels.registry import Channels
from payment.payment import Payment
from payment.repository import PaymentUnitOfWork, Uows
from payment.rules import (
    EXCEPTION,
    EXCEPTION_RETRY_AFTER,
    MAX_TEXT,
    PENDING,
    REQUESTED,
    SWEEP_LEASE,
    Clock,
    DueRefund,
    Outcome,
    Policy,
    cancelled_order_refund_key,
    rejected_refund_key,
    retry_delay,
)
from payment.values import Refund
from zhongtai.errors import InvalidArgument, Unavailable
from zhongtai.ids import new_id

log = logging.getLogger(__name__)


async def create_refund(uow: PaymentUnitOfWork, payment_id: str, amount: int, currency: str,
                        reason: str, request_id: str, now: dt.datetime,
                        pay_order_id: str = "") -> Refund:
    """A requested refund of a succeeded payment to its winning route, never
    more than is left of what the buyer paid nor, for one part
    (``pay_order_id``), of that part; once per request id
    (``Payment.request_refund``)."""
    payment = await uow.payments.get_for_update(payment_id)
    if currency != payment.currency:
        raise InvalidArgument.field("amount.currency_code", f"the payment is in {payment.currency}")
    refund = payment.request_refund(new_id(), amount, reason or "requested", request_id, now,
                                    pay_order_id)
    await credit_balance_refunds(uow, payment, now)
    await uow.payments.save(payment)
    return refund


async def credit_balance_refunds(uow: PaymentUnitOfWork, payment: Payment,
                                 now: dt.datetime) -> None:
    """Credit the payment's new refunds to a balance route and settle them,
    in the transaction that makes them (once per refund: its ledger entry):
    what goes back to the buyer (a balance route has no channel discount, so
    that is the whole amount)."""
    for refund in payment.pending_balance_refunds():
        await wallet.change(uow, payment.buyer_id, payment.currency, refund.payer_amount,
                            wallet.Entry.REFUND, refund.refund_id, now, payment.payment_id)
        payment.refund_settled(refund.refund_id, now)


async def apply_refund_state(uow: PaymentUnitOfWork, refund_id: str, state: RefundState,
                             note: str, now: dt.datetime) -> Outcome:
    """What a channel says about a refund: it came back (REFUND_SUCCEEDED),
    it failed (REFUND_FAILED: a failed exception refund is replaced), or
    nothing yet (PENDING)."""
    if state not in (RefundState.SUCCEEDED, RefundState.FAILED):
        return Outcome.PENDING
    payment_id = await uow.payments.payment_of_refund(refund_id)
    if payment_id is None:
        log.error("a channel reported unknown refund %s", refund_id)
        return Outcome.UNKNOWN_REFUND
    payment = await uow.payments.get_for_update(payment_id)
    if state is RefundState.SUCCEEDED:
        outcome = payment.refund_settled(refund_id, now)
    else:
        outcome = payment.refund_failed(refund_id, note, new_id(), now)
        if outcome is Outcome.REFUND_FAILED and payment.refund(refund_id).kind == EXCEPTION:
            log.error("exception refund %s of payment %s failed (%s); a new one is queued",
                      refund_id, payment_id, note)
        elif outcome is Outcome.REFUND_FAILED:
            log.warning("refund %s of payment %s failed: %s", refund_id, payment_id, note)
    if outcome is not Outcome.DUPLICATE:
        await uow.payments.save(payment)
    return outcome


async def claim_due_refunds(uow: PaymentUnitOfWork, limit: int,
                            now: dt.datetime) -> list[DueRefund]:
    """Lease channel refunds due for submission or a status query (for
    ``SWEEP_LEASE``: another sweep takes them only once it ran out)."""
    return await uow.payments.claim_due_refunds(now, now + SWEEP_LEASE, limit)


async def submit_refund(uows: Uows, channels: Channels, policy: Policy, due: DueRefund,
                        clock: Clock) -> Outcome:
    """Submit one leased refund to its channel (idempotent by refund id), or,
    once accepted, ask how it went; apply the answer. A channel that refuses
    a requested refund fails it; anything else is tried again with backoff
    (RETRY), an exception refund whatever the channel says."""
    submitted = due.submitted_at is not None
    try:
        channel = channels.for_method(due.method)
        result = await (channel.query_refund(due.refund_id) if submitted else
                        channel.refund(due.attempt_id, due.refund_id, due.amount, due.currency))
    except (ChannelError, Unavailable) as exc:
        retryable = isinstance(exc, Unavailable) or exc.retryable
        if not retryable and due.kind == REQUESTED:
            async with uows() as uow:
                return await apply_refund_state(uow, due.refund_id, RefundState.FAILED,
                                                f"refused by the channel: {exc}", clock())
        if not retryable:
            log.error("the channel refused exception refund %s: %s; retrying later",
                      due.refund_id, exc)
        await _reschedule(uows, policy, due, str(exc), submitted, clock)
        return Outcome.RETRY
    if result.state is RefundState.NOT_FOUND:
        # Asked before it was accepted (or the channel lost it): submit again.
        await _reschedule(uows, policy, due, "unknown to the channel", False, clock)
        return Outcome.RETRY
    async with uows() as uow:
        outcome = await apply_refund_state(uow, due.refund_id, result.state,
                                           "reported by the channel", clock())
    if outcome is Outcome.PENDING:
        await _reschedule(uows, policy, due, None, True, clock)
    return outcome


async def _reschedule(uows: Uows, policy: Policy, due: DueRefund, error: str | None,
                      submitted: bool, clock: Clock) -> None:
    count = due.attempts + 1
    if error is None:
        # Accepted: wait for the notification, then ask.
        delay = retry_delay(count, base=policy.refund_query_after.total_seconds(), cap=3600.0)
    else:
        delay = retry_delay(count, cap=EXCEPTION_RETRY_AFTER.total_seconds())
        log.warning("refund %s: channel call failed (try %d), again in %s: %s",
                    due.refund_id, count, delay, error)
    async with uows() as uow:
        now = clock()
        await uow.payments.reschedule_refund(due.refund_id, count, now + delay,
                                             error[:MAX_TEXT] if error else None, submitted, now)


# --- trade's events ------------------------------------------------------------------


async def on_order_closed(uow: PaymentUnitOfWork, order_id: str, pay_order_id: str,
                          refunding: Sequence[tuple[str, str]], now: dt.datetime) -> None:
    """An order was cancelled, timed out or failed to be created: no new
    payment for its pay order, and an open one is closed (a payment arriving
    later is refunded as an exception). ``refunding`` are the pay orders
    (with the payment that paid each) trade marked REFUNDING — a paid order
    cancelled, e.g. not shipped in time —: each is refunded in full, once."""
    if not pay_order_id:
        return
    await uow.payments.close_pay_order(pay_order_id, order_id, now)
    for payment_id in await uow.payments.open_payments_of(pay_order_id):
        payment = await uow.payments.get_for_update(payment_id)
        if payment.status == PENDING:
            payment.close(f"order {order_id} was closed", now)
            await uow.payments.save(payment)
    for refunded_pay_order, payment_id in refunding:
        await _refund_cancelled(uow, order_id, refunded_pay_order, payment_id, now)


async def _refund_cancelled(uow: PaymentUnitOfWork, order_id: str, pay_order_id: str,
                            payment_id: str, now: dt.datetime) -> None:
    found = await uow.payments.get_many([payment_id], lock=True)
    if not found:
        log.error("order %s: pay order %s was paid by unknown payment %s",
                  order_id, pay_order_id, payment_id)
        return
    payment = found[0]
    refund = payment.refund_cancelled_order(pay_order_id, order_id, new_id(), now)
    if refund is None:
        if not payment.has_refund(cancelled_order_refund_key(pay_order_id)):
            log.error("order %s cancelled: payment %s has nothing to refund for pay order %s",
                      order_id, payment_id, pay_order_id)
        return
    await credit_balance_refunds(uow, payment, now)
    await uow.payments.save(payment)
    log.info("order %s cancelled after payment: refund %s of payment %s",
             order_id, refund.refund_id, payment_id)


async def on_payment_rejected(uow: PaymentUnitOfWork, payment_id: str, pay_order_id: str,
                              amount: int, reason: str, now: dt.datetime) -> None:
    """Trade could not take a part of a payment: that part is refunded
    (once) and its pay order freed (``Payment.part_rejected``)."""
    found = await uow.payments.get_many([payment_id], lock=True)
    if not found:
        log.error("trade rejected unknown payment %s", payment_id)
        return
    payment = found[0]
    refund = payment.part_rejected(pay_order_id, amount, reason, new_id(), now)
    if refund is None:
        if not payment.has_refund(rejected_refund_key(payment_id, pay_order_id)):
            log.error("payment %s rejected by trade (%s) has nothing left to refund",
                      payment_id, reason)
        return
    log.warning("payment %s: pay order %s rejected by trade (%s), exception refund %s",
                payment_id, pay_order_id, reason, refund.refund_id)
    await credit_balance_refunds(uow, payment, now)
    await uow.payments.save(payment)
