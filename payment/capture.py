"""What channels say about attempts: notifications, closes and queries.

A channel reports an attempt paid, closed or unknown in a notification
(``handle_notification``), in the answer to a close (``close_at_channels``,
before a switch or a close) or to a query (the attempt sweep,
``check_attempt``). Each is applied the same way, in one transaction that
locks the payment (``apply_trade_status``): the first success wins, any other
paid attempt is refunded once (``Payment.attempt_paid``). Channel calls never
happen inside a transaction.
"""

from __future__ import annotations

import datetime as dt
import logging

from payment import refunds
from payment.channels.base import ChannelError, Notification, RefundState, TradeState, TradeStatus
from payment.channels.registry import Channels
from payment.repository import PaymentUnitOfWork, Uows
from payment.rules import (
    CHANNEL_METHODS,
    MAX_TEXT,
    PENDING,
    SWEEP_LEASE,
    Clock,
    DueAttempt,
    Outcome,
    Policy,
    notification_key,
    retry_delay,
)
from zhongtai.errors import Unavailable
from zhongtai.ids import new_id

log = logging.getLogger(__name__)

# A channel query keeps being retried at most this rarely.
QUERY_RETRY_CAP = 3600.0


async def handle_notification(uow: PaymentUnitOfWork, channel: str, n: Notification,
                              now: dt.datetime) -> Outcome:
    """Apply a verified notification; its outcome. The same fact notified
    twice takes effect once (DUPLICATE_NOTIFICATION; the transitions make a
    repeat harmless anyway)."""
    key = notification_key(n.kind, n.attempt_id, n.refund_id, n.state)
    if not await uow.notifications.record(channel, key, n.attempt_id, n.refund_id, now):
        return Outcome.DUPLICATE_NOTIFICATION
    if n.kind == "payment":
        outcome = await apply_trade_status(uow, TradeStatus(
            attempt_id=n.attempt_id, state=TradeState(n.state), amount=n.amount,
            currency=n.currency, channel_transaction_id=n.channel_transaction_id,
            paid_at=n.occurred_at, channel_discount_amount=n.channel_discount_amount), now)
    elif n.kind == "refund":
        outcome = await refunds.apply_refund_state(uow, n.refund_id, RefundState(n.state),
                                                   "notified by the channel", now)
    else:
        outcome = Outcome.IGNORED
    await uow.notifications.set_outcome(channel, key, outcome)
    log.info("%s notification %s: %s", channel, key, outcome)
    return outcome


async def apply_trade_status(uow: PaymentUnitOfWork, status: TradeStatus,
                             now: dt.datetime) -> Outcome:
    """What a channel says about an attempt: paid (it wins, or is refunded
    as an exception), closed or unknown to it (CLOSED), or still pending."""
    if status.state is TradeState.PENDING:
        return Outcome.PENDING
    payment_id = await uow.payments.payment_of_attempt(status.attempt_id)
    if status.state is not TradeState.SUCCEEDED:
        if payment_id is None:
            return Outcome.NO_CHANGE
        payment = await uow.payments.get_for_update(payment_id)
        if not payment.attempt_closed(status.attempt_id, now):
            return Outcome.NO_CHANGE
        await uow.payments.save(payment)
        return Outcome.CLOSED
    if payment_id is None:
        log.error("a payment for unknown attempt %s (%d %s) was reported; reconcile it",
                  status.attempt_id, status.amount, status.currency)
        return Outcome.UNKNOWN_ATTEMPT
    payment = await uow.payments.get_for_update(payment_id)
    outcome = payment.attempt_paid(status.attempt_id, status.amount, status.currency,
                                   status.channel_discount_amount,
                                   status.channel_transaction_id, status.paid_at or now,
                                   new_id(), now)
    if outcome is Outcome.DUPLICATE:
        return outcome
    if outcome is Outcome.EXCEPTION_REFUND:
        log.warning("attempt %s of payment %s paid but refused: exception refund",
                    status.attempt_id, payment_id)
        await refunds.credit_balance_refunds(uow, payment, now)
    await uow.payments.save(payment)
    return outcome


async def close_at_channels(uows: Uows, channels: Channels, payment_id: str,
                            clock: Clock) -> None:
    """Close the payment's PENDING channel trades now and apply what the
    channels answer: a trade that turns out paid is applied like a
    notification (it may win the payment). A channel that cannot be reached
    leaves the attempt to the sweep (its close is requested)."""
    async with uows() as uow:
        payment = await uow.payments.get(payment_id)
    for attempt in payment.attempts:
        if attempt.status != PENDING or attempt.method not in CHANNEL_METHODS:
            continue
        try:
            status = await channels.for_method(attempt.method).close(attempt.attempt_id)
        except (ChannelError, Unavailable) as exc:
            log.warning("closing attempt %s failed, the sweep will retry: %s",
                        attempt.attempt_id, exc)
            async with uows() as uow:
                current = await uow.payments.get_for_update(payment_id)
                current.request_close([attempt.attempt_id], clock())
                await uow.payments.save(current)
            continue
        async with uows() as uow:
            await apply_trade_status(uow, status, clock())


async def claim_due_attempts(uow: PaymentUnitOfWork, limit: int,
                             now: dt.datetime) -> list[DueAttempt]:
    """Lease channel attempts due for a close or a query (for ``SWEEP_LEASE``:
    another sweep takes them only once it ran out)."""
    return await uow.payments.claim_due_attempts(now, now + SWEEP_LEASE, limit)


async def check_attempt(uows: Uows, channels: Channels, policy: Policy, due: DueAttempt,
                        clock: Clock) -> Outcome:
    """Close (``DueAttempt.closing``) or query one leased attempt at its
    channel and apply the answer; asked again with backoff while it is
    pending or the channel cannot be reached (RETRY)."""
    try:
        channel = channels.for_method(due.method)
        status = await (channel.close(due.attempt_id) if due.closing
                        else channel.query(due.attempt_id))
    except (ChannelError, Unavailable) as exc:
        await _reschedule(uows, policy, due, str(exc), clock)
        return Outcome.RETRY
    async with uows() as uow:
        outcome = await apply_trade_status(uow, status, clock())
    if outcome is Outcome.PENDING:
        await _reschedule(uows, policy, due, None, clock)
    return outcome


async def _reschedule(uows: Uows, policy: Policy, due: DueAttempt, error: str | None,
                      clock: Clock) -> None:
    count = due.check_count + 1
    base = 1.0 if due.closing or error else policy.pending_query_after.total_seconds()
    delay = retry_delay(count, base=base, cap=QUERY_RETRY_CAP)
    if error:
        log.warning("attempt %s: channel call failed (try %d), again in %s: %s",
                    due.attempt_id, count, delay, error)
    async with uows() as uow:
        await uow.payments.reschedule_attempt(due.attempt_id, count, clock() + delay,
                                              error[:MAX_TEXT] if error else None)
