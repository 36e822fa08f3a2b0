"""The Payment aggregate: a payment order, its attempts and its refunds.

A payment pays one or several of trade's pay orders (its parts) and holds
them (``held``: payment's ``pay_order_locks``) while it is open or paid. Each
attempt is one channel trade (our ``out_trade_no`` at the channel); each
refund sends money back to the route of one attempt. The methods below are
the only way any of them changes, and they hold the money rules:

* **the first success wins**: the first attempt a channel reports paid, for
  the amount asked, while the payment is PENDING, succeeds it; any other paid
  attempt — a second channel, a payment closed meanwhile, a wrong amount —
  is marked paid and gets exactly one EXCEPTION refund of all the channel
  collected on it (the buyer gets back what they paid; ``attempt_paid``);
* **never more back than came in**: a refund's amount is order money (what
  the channel collected counts its own instant discount); the refunds to the
  winning attempt never exceed the capture (``refunded_amount <=
  captured_amount``), those to any attempt what the channel collected on it
  (``Attempt.refundable``), and each refund records how it splits, the
  buyer's money first (``zhongtai.money.refund_split``): what goes back to
  the buyer (never more, over all, than they paid on the route) and the
  channel's discount returned to it (``_add_refund``); a refund that fails
  gives its amount back, and a failed EXCEPTION refund is replaced (money
  owed is never dropped);
* **once per reason**: each refund has a dedupe key (``attempt:<id>`` for a
  losing attempt, ``rejected:<payment>:<pay order>`` for a part trade
  rejected, ``order-cancelled:<pay order>`` for an order cancelled after
  payment, the refund id for a requested one); a second refund with the same
  key is not made.

Its parts, attempts and refunds are the plain records of ``payment.values``.
Transitions go through the three tables of ``payment.rules``
(``zhongtai.statemachine``); an illegal one raises and changes nothing. Time
is passed in; timings are a ``Policy``. Pure: no SQL, gRPC, protobuf message
or clock. The generated ``payment_pb2`` module is imported for its enum
values only (statuses, methods, kinds, error reasons).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from payment.domain_events import PaymentClosed, PaymentSucceeded, RefundSucceeded
from payment.rules import (
    ATTEMPT,
    BALANCE,
    CHANNEL_METHODS,
    CLOSE,
    EXCEPTION,
    EXCEPTION_RETRY_AFTER,
    FAIL,
    MAX_TEXT,
    PAY,
    PAYMENT,
    PENDING,
    REFUND,
    REFUND_FAILED,
    REFUND_FULLY,
    REFUND_PENDING,
    REQUESTED,
    SETTLE,
    SUCCEED,
    SUCCEEDED,
    E,
    Outcome,
    PaidOutcome,
    Policy,
    attempt_refund_key,
    cancelled_order_refund_key,
    check_refund,
    fully_refunded,
    on_attempt_paid,
    part_refundable,
    refundable,
    rejected_refund_key,
)
from payment.values import Attempt, Part, Refund
from zhongtai.common.v1 import errors_pb2
from zhongtai.errors import COMMON, InvalidArgument, PreconditionViolation
from zhongtai.money import refund_split
from zhongtai.payment.v1 import payment_pb2 as pb
from zhongtai.uow import Aggregate

# --- the aggregate ----------------------------------------------------------------


@dataclass(kw_only=True)
class Payment(Aggregate):
    """A payment order. ``captured_amount`` is what the winning attempt
    collected; ``refunded_amount`` what refunds to the winning route took
    (pending or done, not failed); ``settled_refund_amount`` what came back
    for sure."""

    payment_id: str
    buyer_id: str
    currency: str
    amount: int
    status: int
    # The current method and attempt (the last one opened).
    method: int
    current_attempt_id: str
    created_at: dt.datetime
    updated_at: dt.datetime
    winning_attempt_id: str = ""
    captured_amount: int = 0
    refunded_amount: int = 0
    settled_refund_amount: int = 0
    close_reason: str = ""
    succeeded_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    parts: list[Part] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)
    # The pay orders this payment holds (no other open or paid payment may).
    held: set[str] = field(default_factory=set)

    # --- opening ------------------------------------------------------------

    @classmethod
    def open(cls, payment_id: str, attempt_id: str, buyer_id: str, currency: str,
             parts: Sequence[Part], method: int, policy: Policy, now: dt.datetime) -> Payment:
        """A PENDING payment of the parts' total holding their pay orders,
        with a PENDING attempt of ``method``."""
        payment = cls(payment_id=payment_id, buyer_id=buyer_id, currency=currency,
                      amount=sum(p.amount for p in parts), status=PENDING, method=method,
                      current_attempt_id=attempt_id, created_at=now, updated_at=now,
                      parts=list(parts), held={p.pay_order_id for p in parts})
        payment.attempts.append(payment._new_attempt(attempt_id, method, policy, now))
        return payment

    def _new_attempt(self, attempt_id: str, method: int, policy: Policy,
                     now: dt.datetime) -> Attempt:
        # The sweep asks a channel about it if nothing was heard by then.
        check = now + policy.pending_query_after if method in CHANNEL_METHODS else None
        return Attempt(attempt_id=attempt_id, method=method, status=PENDING,
                       currency=self.currency, amount=self.amount, created_at=now,
                       updated_at=now, next_check_at=check)

    def same_request(self, buyer_id: str, parts: Sequence[Part], method: int) -> bool:
        """Whether a CreatePayment for these parts is this payment asked for again."""
        def key(ps: Iterable[Part]) -> list[tuple[str, str, int]]:
            return sorted((p.pay_order_id, p.order_id, p.amount) for p in ps)
        return (self.buyer_id, self.method, key(self.parts)) == (buyer_id, method, key(parts))

    def check_open(self, what: str) -> None:
        """Only a PENDING payment can be switched or paid again (PAYMENT_NOT_PENDING)."""
        if self.status != PENDING:
            name = pb.PaymentStatus.Name(self.status)
            raise E(pb.ERROR_REASON_PAYMENT_NOT_PENDING,
                    f"payment {self.payment_id} is {name}; cannot {what}",
                    violations=[PreconditionViolation("PAYMENT_STATUS",
                                                      f"payments/{self.payment_id}",
                                                      f"status is {name}")],
                    metadata={"payment_id": self.payment_id, "status": name})

    def open_attempt(self, attempt_id: str, method: int, policy: Policy,
                     now: dt.datetime) -> Attempt:
        """A fresh PENDING attempt of ``method`` becomes the current one (a
        switch of channel, or a new channel trade after the last was closed).
        The attempts still open are closed by ``close_at_channels`` or the sweep."""
        self.check_open("open another attempt")
        attempt = self._new_attempt(attempt_id, method, policy, now)
        self.attempts.append(attempt)
        self.current_attempt_id, self.method, self.updated_at = attempt_id, method, now
        return attempt

    def store_pay_url(self, attempt_id: str, pay_url: str, now: dt.datetime) -> None:
        """Where the buyer pays the attempt, as its channel answered (kept once set)."""
        attempt = self.attempt(attempt_id)
        if not attempt.pay_url:
            attempt.pay_url, attempt.updated_at = pay_url, now

    def request_close(self, attempt_ids: Iterable[str], now: dt.datetime) -> None:
        """The sweep is to close these attempts at their channel now (those
        still PENDING on a channel)."""
        ids = set(attempt_ids)
        for a in self.attempts:
            if a.attempt_id in ids and a.status == PENDING and a.method in CHANNEL_METHODS:
                a.close_requested, a.next_check_at, a.updated_at = True, now, now

    def close(self, reason: str, now: dt.datetime) -> None:
        """PENDING -> CLOSED: its pay orders are free, its channel trades to
        be closed (a payment arriving on one later is refunded), PaymentClosed."""
        self.status = PAYMENT.next(self.status, CLOSE, self.payment_id)
        self.close_reason, self.closed_at, self.updated_at = reason[:MAX_TEXT], now, now
        self.held.clear()
        self.request_close([a.attempt_id for a in self.attempts], now)
        self.record(PaymentClosed(self.payment_id, now))

    def supersede(self, by_payment_id: str, now: dt.datetime) -> None:
        """The buyer opened ``by_payment_id`` for these pay orders instead: closed."""
        self.close(f"superseded by payment {by_payment_id}", now)

    # --- what channels say ---------------------------------------------------

    def attempt_paid(self, attempt_id: str, amount: int, currency: str,
                     channel_discount: int, channel_transaction_id: str,
                     paid_at: dt.datetime, refund_id: str, now: dt.datetime) -> Outcome:
        """The channel collected ``amount`` on an attempt (``channel_discount``
        of it funded by the channel itself). The first success wins the
        payment (SUCCEEDED: the others are to be closed, PaymentSucceeded);
        any other paid attempt is marked paid and refunded whole, once, as
        refund ``refund_id`` (EXCEPTION_REFUND: the buyer gets back what they
        paid, the channel its discount); a repeat changes
        nothing (DUPLICATE)."""
        if not 0 <= channel_discount <= amount:
            raise ValueError(f"channel discount {channel_discount} not within 0-{amount}")
        attempt = self.attempt(attempt_id)
        if attempt.status == SUCCEEDED:
            return Outcome.DUPLICATE
        decision = on_attempt_paid(self.status, self.winning_attempt_id, attempt_id,
                                   (attempt.amount, attempt.currency), (amount, currency))
        if decision.outcome is PaidOutcome.ALREADY_WON:
            return Outcome.DUPLICATE
        status = ATTEMPT.next(attempt.status, PAY, attempt_id)
        if decision.outcome is PaidOutcome.WIN:
            self.status = PAYMENT.next(self.status, SUCCEED, self.payment_id)
        attempt.status, attempt.paid_amount = status, amount
        attempt.channel_discount_amount = channel_discount
        attempt.channel_transaction_id, attempt.paid_at = channel_transaction_id, paid_at
        attempt.close_requested, attempt.next_check_at, attempt.updated_at = False, None, now
        if decision.outcome is PaidOutcome.EXCEPTION:
            if amount > 0:  # all of it goes back: the buyer's money, the channel's discount
                self._add_refund(attempt_id, EXCEPTION, amount, decision.reason,
                                 attempt_refund_key(attempt_id), refund_id, now)
            return Outcome.EXCEPTION_REFUND
        self.winning_attempt_id, self.captured_amount = attempt_id, amount
        self.method, self.succeeded_at, self.updated_at = attempt.method, now, now
        self.request_close([a.attempt_id for a in self.attempts if a is not attempt], now)
        self.record(PaymentSucceeded(self.payment_id, now))
        return Outcome.SUCCEEDED

    def attempt_closed(self, attempt_id: str, now: dt.datetime, why: str = "") -> bool:
        """The channel closed (or never had, or refused) a PENDING attempt:
        CLOSED. The payment stays as it is (the buyer may try again, switch or
        close it). False if the attempt was not PENDING (nothing changes)."""
        attempt = self.attempt(attempt_id)
        if attempt.status != PENDING:
            return False
        attempt.status = ATTEMPT.next(attempt.status, CLOSE, attempt_id)
        attempt.close_requested, attempt.next_check_at = False, None
        attempt.closed_at = attempt.updated_at = now
        if why:
            attempt.last_error = why[:MAX_TEXT]
        return True

    # --- refunds ---------------------------------------------------------------

    def request_refund(self, refund_id: str, amount: int, reason: str, request_id: str,
                       now: dt.datetime, pay_order_id: str = "") -> Refund:
        """A requested refund of a SUCCEEDED payment to its winning route,
        within what is left of the capture (order money) and, for one part
        (``pay_order_id``), of that part (``check_refund``), recorded on it.
        Once per request id: the refund made for it again (another amount
        or part under the same id: IDEMPOTENCY_KEY_REUSED)."""
        if request_id and (done := next((r for r in self.refunds
                                         if r.request_id == request_id), None)):
            if (done.amount, done.pay_order_id) != (amount, pay_order_id):
                raise COMMON(errors_pb2.ERROR_REASON_IDEMPOTENCY_KEY_REUSED,
                             f"refund {request_id!r} was asked with another amount or part",
                             metadata={"scope": "CreateRefund", "key": request_id})
            return done
        part = (pay_order_id, self.part_left(pay_order_id)) if pay_order_id else None
        check_refund(self.payment_id, self.status, amount, self.captured_amount,
                     self.refunded_amount, part)
        refund = self._add_refund(self.winning_attempt_id, REQUESTED, amount, reason,
                                  refund_id, refund_id, now, request_id=request_id,
                                  pay_order_id=pay_order_id)
        assert refund is not None  # a fresh refund id is a fresh dedupe key
        return refund

    def part_left(self, pay_order_id: str) -> int:
        """What is left to refund of the part paying ``pay_order_id``
        (``part_refundable``: every refund recorded for it on the winning
        route, requested or exception, not failed, counts); 0 before the
        payment succeeded. INVALID_ARGUMENT if it pays no such pay order."""
        if self.part(pay_order_id) is None:
            raise InvalidArgument.field("pay_order_id", f"payment {self.payment_id} does not "
                                        f"pay pay order {pay_order_id}")
        recorded = sum(r.amount for r in self.refunds if r.pay_order_id == pay_order_id
                       and r.attempt_id == self.winning_attempt_id and r.status != REFUND_FAILED)
        return part_refundable([(p.pay_order_id, p.amount) for p in self.parts], pay_order_id,
                               recorded)

    def refund_cancelled_order(self, pay_order_id: str, order_id: str, refund_id: str,
                               now: dt.datetime) -> Refund | None:
        """Trade cancelled the paid order of a part (and marked its pay order
        REFUNDING): its amount goes back, as a requested refund to the winning
        route, capped by what is left; once per pay order. None when there is
        nothing (more) to refund."""
        if self.part(pay_order_id) is None or self.status != SUCCEEDED:
            return None
        left = min(self.part_left(pay_order_id),  # what after-sales refunded stays refunded
                   refundable(self.captured_amount, self.refunded_amount))
        if left <= 0:
            return None
        return self._add_refund(self.winning_attempt_id, REQUESTED, left,
                                f"order {order_id} was cancelled after payment",
                                cancelled_order_refund_key(pay_order_id), refund_id, now,
                                pay_order_id=pay_order_id)

    def part_rejected(self, pay_order_id: str, amount: int, reason: str, refund_id: str,
                      now: dt.datetime) -> Refund | None:
        """Trade could not take a part: the part (``amount`` if the payment
        has no such part) goes back as an EXCEPTION refund, capped by what is
        left, once; and the payment no longer holds that pay order (it may be
        paid again, e.g. after a wrong amount). None when there is nothing
        (more) to refund."""
        part = self.part(pay_order_id)
        if self.status != SUCCEEDED:
            return None
        amount = self.part_left(pay_order_id) if part is not None else amount
        left = refundable(self.captured_amount, self.refunded_amount)
        if amount <= 0 or left <= 0:
            return None
        refund = self._add_refund(self.winning_attempt_id, EXCEPTION, min(amount, left),
                                  f"rejected by trade: {reason}",
                                  rejected_refund_key(self.payment_id, pay_order_id),
                                  refund_id, now, pay_order_id=pay_order_id)
        if refund is not None:
            self.held.discard(pay_order_id)
        return refund

    def refund_settled(self, refund_id: str, now: dt.datetime) -> Outcome:
        """The money of a PENDING refund came back to its route
        (REFUND_SUCCEEDED, RefundSucceeded); the payment is REFUNDED once all
        the winning route collected came back. DUPLICATE if it was
        settled already."""
        refund = self.refund(refund_id)
        if refund.status != REFUND_PENDING:
            return Outcome.DUPLICATE
        status = REFUND.next(refund.status, SETTLE, refund_id)
        if refund.attempt_id == self.winning_attempt_id:
            settled = self.settled_refund_amount + refund.amount
            if fully_refunded(self.captured_amount, settled):
                self.status = PAYMENT.next(self.status, REFUND_FULLY, self.payment_id)
            self.settled_refund_amount, self.updated_at = settled, now
        self._settle(refund, status, None, now)
        self.record(RefundSucceeded(self.payment_id, refund_id, now))
        return Outcome.REFUND_SUCCEEDED

    def refund_failed(self, refund_id: str, note: str, replacement_id: str,
                      now: dt.datetime) -> Outcome:
        """The channel failed a PENDING refund: its amount is free again on
        its route (REFUND_FAILED). A failed EXCEPTION refund is replaced by a
        new one (``replacement_id``, submitted ``EXCEPTION_RETRY_AFTER``
        later): money owed is never dropped. DUPLICATE if it was settled."""
        refund = self.refund(refund_id)
        if refund.status != REFUND_PENDING:
            return Outcome.DUPLICATE
        status = REFUND.next(refund.status, FAIL, refund_id)
        if refund.attempt_id == self.winning_attempt_id:
            self.refunded_amount -= refund.amount
            self.updated_at = now
        attempt = self.attempt(refund.attempt_id)
        attempt.refunded_amount -= refund.amount
        attempt.updated_at = now
        self._settle(refund, status, note[:MAX_TEXT], now)
        if refund.kind == EXCEPTION:
            self._add_refund(refund.attempt_id, EXCEPTION, refund.amount, refund.reason,
                             f"{refund.dedupe_key}:after:{refund_id}"[:200], replacement_id,
                             now, pay_order_id=refund.pay_order_id, delay=EXCEPTION_RETRY_AFTER)
        return Outcome.REFUND_FAILED

    def pending_balance_refunds(self) -> list[Refund]:
        """Refunds to a balance route not yet credited (credited at once, in
        the transaction that makes them)."""
        return [r for r in self.refunds if r.status == REFUND_PENDING
                and self.attempt(r.attempt_id).method == BALANCE]

    def _settle(self, refund: Refund, status: int, error: str | None, now: dt.datetime) -> None:
        refund.status, refund.last_error, refund.next_attempt_at = status, error, None
        refund.settled_at = refund.updated_at = now

    def _add_refund(self, attempt_id: str, kind: int, amount: int, reason: str,
                    dedupe_key: str, refund_id: str, now: dt.datetime, *,
                    request_id: str = "", pay_order_id: str = "",
                    delay: dt.timedelta = dt.timedelta(0)) -> Refund | None:
        """Reserve ``amount`` (order money) on an attempt's route and record
        the refund with its split (``zhongtai.money.refund_split``: the
        buyer's money first, counting what the route's refunds not failed
        gave the payer); None if a refund with this dedupe key exists.
        Refused (nothing changes) if the winning route would give back more
        than was captured, or any route more than the channel collected on
        it (REFUND_EXCEEDS_CAPTURED)."""
        if any(r.dedupe_key == dedupe_key for r in self.refunds):
            return None
        attempt = self.attempt(attempt_id)
        winning = attempt_id == self.winning_attempt_id
        if winning:
            check_refund(self.payment_id, self.status, amount, self.captured_amount,
                         self.refunded_amount)
        if amount > attempt.refundable:
            raise E(pb.ERROR_REASON_REFUND_EXCEEDS_CAPTURED,
                    f"attempt {attempt_id} has less than {amount} to refund",
                    metadata={"attempt_id": attempt_id})
        split = refund_split(amount, attempt.buyer_paid, sum(
            r.payer_amount for r in self.refunds
            if r.attempt_id == attempt_id and r.status != REFUND_FAILED))
        if winning:
            self.refunded_amount += amount
            self.updated_at = now
        attempt.refunded_amount += amount
        attempt.updated_at = now
        refund = Refund(refund_id=refund_id, payment_id=self.payment_id, attempt_id=attempt_id,
                        kind=kind, currency=self.currency, amount=amount,
                        status=REFUND_PENDING, reason=reason[:MAX_TEXT], dedupe_key=dedupe_key,
                        created_at=now, updated_at=now, request_id=request_id,
                        pay_order_id=pay_order_id, next_attempt_at=now + delay,
                        channel_discount_amount=split.channel_discount)
        self.refunds.append(refund)
        return refund

    # --- reading ---------------------------------------------------------------

    def attempt(self, attempt_id: str) -> Attempt:
        """One of its attempts (LookupError: none has this id)."""
        for a in self.attempts:
            if a.attempt_id == attempt_id:
                return a
        raise LookupError(f"payment {self.payment_id} has no attempt {attempt_id}")

    def refund(self, refund_id: str) -> Refund:
        """One of its refunds (LookupError: none has this id)."""
        for r in self.refunds:
            if r.refund_id == refund_id:
                return r
        raise LookupError(f"payment {self.payment_id} has no refund {refund_id}")

    def part(self, pay_order_id: str) -> Part | None:
        """Its part for a pay order, if it pays that one."""
        return next((p for p in self.parts if p.pay_order_id == pay_order_id), None)

    def has_refund(self, dedupe_key: str) -> bool:
        """Whether a refund for this reason (dedupe key) was made."""
        return any(r.dedupe_key == dedupe_key for r in self.refunds)

    @property
    def current_attempt(self) -> Attempt:
        """The last attempt opened (of the current method)."""
        return self.attempt(self.current_attempt_id)
