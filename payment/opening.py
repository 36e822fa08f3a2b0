"""Opening and closing payments: CreatePayment, SwitchChannel, ClosePayment.

Opening a payment calls trade and a channel, so these use cases open their
own transactions around those calls:

1. trade is asked whether it would take the parts (``payability``; a refusal
   writes nothing);
2. one transaction takes the pay orders for the new payment (one open or
   paid payment per pay order; the buyer's abandoned payment for them is
   superseded, the same request again continues its payment) and writes it
   with a PENDING attempt; a balance payment is debited and succeeds right
   there;
3. the channel opens its trade, keyed by the attempt id (calling again is
   harmless), after that commit; a second transaction stores the pay URL.

The request id is claimed in step 2 and answered after step 3 (``keys``).

The caller (the credential's identity) is checked first, before anything is
written or a request id replayed: a buyer pays for themself and switches or
closes their own payments only (``acting_buyer``, ``check_payer``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass

from payment import capture, wallet
from payment.channels.base import ChannelError, ChannelTrade
from payment.channels.registry import Channels
from payment.keys import Keyed, R, finish
from payment.payability import check_payable
from payment.payment import Payment
from payment.repository import PaymentUnitOfWork, PayOrderTaken, Uows, concurrent_change
from payment.rules import (
    BALANCE,
    CHANNEL_METHODS,
    CLOSED,
    PENDING,
    Clock,
    E,
    Outcome,
    Policy,
    check_payable_method,
    check_payer,
    resolve_holders,
)
from payment.values import Part
from zhongtai.auth import Identity, acting_buyer
from zhongtai.db import utcnow
from zhongtai.errors import PreconditionViolation, ZhongtaiError
from zhongtai.idempotency import Replay, answered, replay
from zhongtai.ids import new_id
from zhongtai.payment.v1 import payment_pb2 as pb
from zhongtai.trade.v1 import trade_pb2_grpc as trade_grpc

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Opening:
    """What CreatePayment asks for (validated: one currency, a positive total)."""

    buyer_id: str
    currency: str
    parts: tuple[Part, ...]
    method: int


async def create_payment(uows: Uows, channels: Channels, trade: trade_grpc.TradeServiceStub,
                         policy: Policy, opening: Opening, keyed: Keyed[R], caller: Identity,
                         time_remaining: float | None = None, clock: Clock = utcnow) -> R:
    """Open a payment for pay orders, or continue the open one for them.

    A buyer pays for themself (another ``buyer_id``: SUBJECT_MISMATCH);
    staff name the buyer. Once per request id; without one, asking again for
    the same pay orders, amounts and method returns (and, if its channel
    call failed, completes) the payment already open for them. The buyer's
    other open payments for these pay orders are closed: this one supersedes
    them. Nothing is written when trade would not take the parts.
    """
    acting_buyer(caller, opening.buyer_id)
    check_payable_method(opening.method)
    if keyed.request_id:
        async with uows() as uow:
            done = await uow.keys.lookup(keyed.scope, keyed.request_id, keyed.digest)
        if done is not None and answered(done):
            return replay(done, keyed.response_type)
    await check_payable(trade, opening.buyer_id, opening.currency, opening.parts, time_remaining)
    payment_id = new_id()
    try:
        async with uows() as uow:
            now = clock()
            opened = await _claim(uow, keyed, payment_id, opening, policy, now)
            if isinstance(opened, Payment) and opening.method == BALANCE:
                await _pay_by_balance(uow, opened, opened.current_attempt_id, now)
                await uow.payments.save(opened)
                response = keyed.answer(opened)
                if keyed.request_id:
                    await uow.keys.complete(keyed.scope, keyed.request_id, response)
                return response
    except Replay as r:
        return replay(r.stored, keyed.response_type)
    target = opened.payment_id if isinstance(opened, Payment) else opened
    return await _answer(uows, keyed, ensure_open_at_channel(
        uows, channels, policy, target, opening.method, clock))


async def _answer(uows: Uows, keyed: Keyed[R], work: Awaitable[Payment]) -> R:
    """Finish the request id with the payment ``work`` gives, or its error."""
    try:
        payment = await work
    except ZhongtaiError as error:
        await finish(uows, keyed, error=error)
        raise
    response = keyed.answer(payment)
    await finish(uows, keyed, response)
    return response


async def _claim(uow: PaymentUnitOfWork, keyed: Keyed[R], payment_id: str, opening: Opening,
                 policy: Policy, now: dt.datetime) -> Payment | str:
    """The new payment (added), or the id of the open payment to continue."""
    if keyed.request_id:
        stored = await uow.keys.claim(keyed.scope, keyed.request_id, keyed.digest, payment_id)
        if stored is not None:
            if answered(stored):
                raise Replay(stored)
            return stored.resource_id
    opened = await _open(uow, payment_id, opening, policy, now)
    if keyed.request_id and isinstance(opened, str):
        # The request id now stands for the payment it continues.
        await uow.keys.bind(keyed.scope, keyed.request_id, opened)
    return opened


async def _open(uow: PaymentUnitOfWork, payment_id: str, opening: Opening, policy: Policy,
                now: dt.datetime) -> Payment | str:
    ids = sorted(p.pay_order_id for p in opening.parts)
    closed = await uow.payments.closed_pay_orders(ids)
    if closed:
        raise E(pb.ERROR_REASON_PAY_ORDER_CLOSED, f"the orders of pay orders {closed} were closed",
                violations=[PreconditionViolation("PAY_ORDER", f"pay_orders/{i}", "order closed")
                            for i in closed],
                metadata={"pay_order_ids": ",".join(closed)})
    if await uow.payments.holders(ids):
        resumed = await _existing(uow, opening, ids, payment_id, supersede=True, now=now)
        if resumed is not None:
            return resumed
    payment = Payment.open(payment_id, new_id(), opening.buyer_id, opening.currency,
                           opening.parts, opening.method, policy, now)
    try:
        await uow.payments.add(payment)
    except PayOrderTaken:
        # Another payment took it meanwhile (on PostgreSQL we waited for it to
        # commit): continue it if it is this very request. Not superseded
        # here: this transaction holds pay orders already, and closing a
        # payment now could deadlock.
        resumed = await _existing(uow, opening, ids, payment_id, supersede=False, now=now)
        assert resumed is not None
        return resumed
    return payment


async def _existing(uow: PaymentUnitOfWork, opening: Opening, ids: Sequence[str],
                    payment_id: str, *, supersede: bool, now: dt.datetime) -> str | None:
    """The payment to continue, or None once the buyer's abandoned payments
    holding these pay orders are superseded (``resolve_holders``). Without
    ``supersede`` (they took the pay orders while this request was taking
    them) ABORTED CONCURRENT_PAYMENT_CHANGE instead: sent again, the request
    replaces them. Holders are locked in id order, as every closer locks first."""
    held_by = {i: p for i, p in (await uow.payments.holders(ids)).items() if p != payment_id}
    holders = await uow.payments.get_many(sorted(set(held_by.values())), lock=supersede)
    found = resolve_holders(ids, held_by, holders, opening.buyer_id, opening.parts,
                            opening.method)
    if isinstance(found, Payment):
        return found.payment_id
    if not supersede:
        open_ids = ",".join(p.payment_id for p in found)
        raise E(pb.ERROR_REASON_CONCURRENT_PAYMENT_CHANGE,
                f"payment {open_ids} of the buyer took these pay orders meanwhile; "
                "send the request again to replace it", metadata={"payment_id": open_ids})
    for holder in found:
        holder.supersede(payment_id, now)
        await uow.payments.save(holder)
    return None


async def _pay_by_balance(uow: PaymentUnitOfWork, payment: Payment, attempt_id: str,
                          now: dt.datetime) -> None:
    """Debit the buyer's balance (INSUFFICIENT_BALANCE: nothing happens) and
    succeed the payment with this attempt."""
    await wallet.change(uow, payment.buyer_id, payment.currency, -payment.amount,
                        wallet.Entry.PAYMENT, attempt_id, now, payment.payment_id)
    if payment.attempt_paid(attempt_id, payment.amount, payment.currency, 0, "", now,
                            new_id(), now) is not Outcome.SUCCEEDED:
        raise concurrent_change(payment.payment_id)


async def ensure_open_at_channel(uows: Uows, channels: Channels, policy: Policy,
                                 payment_id: str, method: int, clock: Clock) -> Payment:
    """Make sure the payment's current attempt is open at its channel: its
    trade is opened (idempotent by attempt id) when the pay URL is missing;
    a fresh attempt first if the current one was closed. A channel that
    cannot be reached is UNAVAILABLE (send the request again); one that
    refuses is CHANNEL_REFUSED, and the attempt is closed (the payment stays
    open: the buyer may try again, switch or close it)."""
    async with uows() as uow:
        payment = await uow.payments.get(payment_id)
        current = payment.current_attempt
        if payment.status != PENDING or (current.status == PENDING and current.pay_url):
            return payment
        if current.status != PENDING:
            # The channel closed it (or the sweep did): a fresh attempt.
            current = payment.open_attempt(new_id(), method, policy, clock())
            await uow.payments.save(payment)
    channel = channels.for_method(current.method)
    orders = sorted(p.order_id for p in payment.parts)
    try:
        params = await channel.create(ChannelTrade(
            attempt_id=current.attempt_id, amount=current.amount, currency=current.currency,
            subject=f"Zhongtai order {', '.join(orders)}"[:128],
            notify_url=channels.notify_url(channel)))
    except ChannelError as exc:
        log.warning("channel %s could not open attempt %s: %s", channel.name,
                    current.attempt_id, exc)
        if exc.retryable:
            raise E(pb.ERROR_REASON_CHANNEL_UNAVAILABLE,
                    f"the {channel.name} channel is unavailable; send the request again",
                    metadata={"payment_id": payment_id}) from exc
        async with uows() as uow:
            payment = await uow.payments.get_for_update(payment_id)
            if payment.attempt_closed(current.attempt_id, clock(), why=str(exc)):
                await uow.payments.save(payment)
        raise E(pb.ERROR_REASON_CHANNEL_REFUSED,
                f"the {channel.name} channel refused the payment: {exc}",
                metadata={"payment_id": payment_id}) from exc
    async with uows() as uow:
        payment = await uow.payments.get_for_update(payment_id)
        payment.store_pay_url(current.attempt_id, params.pay_url, clock())
        await uow.payments.save(payment)
        return payment


async def switch_channel(uows: Uows, channels: Channels, trade: trade_grpc.TradeServiceStub,
                         policy: Policy, payment_id: str, method: int, keyed: Keyed[R],
                         caller: Identity, time_remaining: float | None = None,
                         clock: Clock = utcnow) -> R:
    """Pay the same payment another way (its buyer, or staff): its channel
    trades are closed and a new attempt opened (also for the same method: a
    fresh trade, e.g. a new pay code). If an old trade turns out paid, the
    payment has succeeded with it and is answered as it is. Trade is asked
    again first."""
    check_payable_method(method)
    attempt_id = new_id()
    try:
        async with uows() as uow:
            payment = await uow.payments.get(payment_id)
            check_payer(caller, payment_id, payment.buyer_id)
            if keyed.request_id:
                stored = await uow.keys.claim(keyed.scope, keyed.request_id, keyed.digest,
                                              attempt_id)
                if stored is not None:
                    if answered(stored):
                        raise Replay(stored)
                    attempt_id = stored.resource_id
    except Replay as r:
        return replay(r.stored, keyed.response_type)
    return await _answer(uows, keyed, _switch(uows, channels, trade, policy, payment_id,
                                              attempt_id, method, time_remaining, clock))


async def _switch(uows: Uows, channels: Channels, trade: trade_grpc.TradeServiceStub,
                  policy: Policy, payment_id: str, attempt_id: str, method: int,
                  time_remaining: float | None, clock: Clock) -> Payment:
    async with uows() as uow:
        payment = await uow.payments.get(payment_id)
    if any(a.attempt_id == attempt_id for a in payment.attempts):
        # A repeat of a switch that opened its attempt already.
        if method in CHANNEL_METHODS:
            return await ensure_open_at_channel(uows, channels, policy, payment_id, method, clock)
        return payment
    payment.check_open("switch its channel")
    # Its pay orders may have been closed, paid or re-priced since it was opened.
    await check_payable(trade, payment.buyer_id, payment.currency, payment.parts,
                        time_remaining, payment_id)
    await capture.close_at_channels(uows, channels, payment_id, clock)
    async with uows() as uow:
        payment = await uow.payments.get_for_update(payment_id)
        if payment.status != PENDING:
            return payment  # an old trade was paid: that is the payment
        now = clock()
        payment.open_attempt(attempt_id, method, policy, now)
        if method == BALANCE:
            await _pay_by_balance(uow, payment, attempt_id, now)
        await uow.payments.save(payment)
    if method == BALANCE:
        return payment
    return await ensure_open_at_channel(uows, channels, policy, payment_id, method, clock)


async def close_at_channels_first(uows: Uows, channels: Channels, payment_id: str,
                                  caller: Identity, clock: Clock = utcnow) -> None:
    """Before ClosePayment's transaction: close the channel trades, so one
    paid meanwhile succeeds the payment instead of being refunded. Only the
    payment's buyer or staff (NOT_THE_PAYMENT_BUYER: nothing is closed)."""
    async with uows() as uow:
        payment = await uow.payments.get(payment_id)
    check_payer(caller, payment_id, payment.buyer_id)
    if payment.status == PENDING:
        await capture.close_at_channels(uows, channels, payment_id, clock)


async def close_payment(uow: PaymentUnitOfWork, payment_id: str, reason: str,
                        caller: Identity, now: dt.datetime) -> Payment:
    """Close an unpaid payment (``Payment.close``) for its buyer or staff
    (NOT_THE_PAYMENT_BUYER); closing a closed one changes nothing, a paid one
    is ILLEGAL_PAYMENT_TRANSITION."""
    payment = await uow.payments.get_for_update(payment_id)
    check_payer(caller, payment_id, payment.buyer_id)
    if payment.status != CLOSED:
        payment.close(reason or "closed on request", now)
        await uow.payments.save(payment)
    return payment
