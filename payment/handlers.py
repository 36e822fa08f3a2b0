"""payment's use cases.

Money moves in three places, and each is made exact by the database:

* **Opening a payment** (CreatePayment, SwitchChannel): trade is asked first
  whether it would take the parts (CheckPayable; a refusal writes nothing);
  then the payment, its parts, the pay-order locks (one open or succeeded
  payment per pay order; the buyer's abandoned payment is closed) and a
  PENDING attempt commit first; the channel is called after the commit (its
  trade is keyed by the attempt id, so calling again is harmless) and the pay
  URL is stored by a second transaction. A balance payment debits the balance
  by compare-and-set and succeeds in the same transaction as everything else.
* **A channel says an attempt was paid** (notification, query, close): one
  transaction locks the payment row; the first successful attempt wins
  (PENDING -> SUCCEEDED, ``PaymentSucceeded`` in the outbox); any other paid
  attempt — a second channel, a payment closed in between, a wrong amount — is
  marked paid and gets exactly one EXCEPTION refund (unique dedupe key).
* **Refunds** reserve their amount by compare-and-set (``refunded_amount +
  :a <= captured_amount``; per attempt ``<= paid_amount -
  channel_discount_amount``, what the buyer paid) in the transaction
  that creates them; a balance refund is credited there and then, a channel
  refund is submitted after commit by the refund sweep (``payment.workers``),
  which retries until the channel accepts and queries until it settles.

Channel calls never happen inside a database transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from payment import domain
from payment import store as t
from payment.channels.base import (
    Channel,
    ChannelError,
    ChannelTrade,
    Notification,
    RefundState,
    TradeState,
    TradeStatus,
)
from payment.settings import PaymentSettings
from zhongtai import outbox, pagination
from zhongtai.common.v1.common_pb2 import Money
from zhongtai.db import Database, fetch_one, insert_ignore, utcnow
from zhongtai.errors import (
    Aborted,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PreconditionViolation,
    Unavailable,
    ZhongtaiError,
)
from zhongtai.grpcclient import call
from zhongtai.idempotency import Keys, Stored, is_retryable, replay, request_hash
from zhongtai.ids import new_id
from zhongtai.payment.v1 import events_pb2 as ev
from zhongtai.payment.v1 import payment_pb2 as pb
from zhongtai.trade.v1 import events_pb2 as trade_events
from zhongtai.trade.v1 import trade_pb2 as trade_pb
from zhongtai.trade.v1 import trade_pb2_grpc as trade_grpc
from zhongtai.wire import timestamp

log = logging.getLogger(__name__)

CREATE_SCOPE = "CreatePayment"
SWITCH_SCOPE = "SwitchChannel"

# How long payment waits for trade's CheckPayable (less when its caller's
# deadline is nearer).
TRADE_TIMEOUT = 5.0
# How long a sweep holds a claimed row while it calls the channel.
LEASE = dt.timedelta(seconds=60)
# An exception refund the channel keeps refusing is retried at most this
# rarely (it is money we owe: it is never dropped; see the log for errors).
EXCEPTION_RETRY_CAP = 3600.0


def _rowcount(result: Any) -> int:
    return int(result.rowcount)


def cancelled_order_refund_key(pay_order_id: str) -> str:
    """The one refund of a pay order whose paid order trade cancelled."""
    return f"order-cancelled:{pay_order_id}"


def _money(currency: str, amount: int) -> Money:
    return Money(currency_code=currency, amount_minor=amount)


def wake_after_commit(s: AsyncSession) -> None:
    """Wake the sweeps when this transaction commits.

    The sweeps listen on ``Database.on_outbox_commit`` (see app.py), so a
    transaction that created a refund or asked for a channel close without
    writing an event still wakes them instead of waiting for their next poll.
    """
    s.info["outbox_written"] = True


class _Replay(Exception):
    """Raised inside a transaction to roll it back and replay a stored answer."""

    def __init__(self, stored: Stored) -> None:
        self.stored = stored


@dataclass(frozen=True)
class _Resume:
    """Continue with an existing payment instead of opening a new one."""

    payment_id: str


# --- views ---------------------------------------------------------------------


def attempt_view(r: Any) -> pb.PaymentAttempt:
    a = pb.PaymentAttempt(attempt_id=r.attempt_id, method=r.method, status=r.status,
                          channel_transaction_id=r.channel_transaction_id, pay_url=r.pay_url,
                          create_time=timestamp(r.created_at),
                          buyer_paid_amount=_money(r.currency,
                                                   r.paid_amount - r.channel_discount_amount),
                          channel_discount_amount=_money(r.currency, r.channel_discount_amount))
    if r.paid_at is not None:
        a.paid_time.CopyFrom(timestamp(r.paid_at))
    return a


def refund_view(r: Any) -> pb.Refund:
    return pb.Refund(refund_id=r.refund_id, payment_id=r.payment_id, attempt_id=r.attempt_id,
                     kind=r.kind, amount=_money(r.currency, r.amount), status=r.status,
                     reason=r.reason, create_time=timestamp(r.created_at),
                     pay_order_id=r.pay_order_id)


def payment_view(p: Any, parts: Sequence[Any], attempts: Sequence[Any],
                 refunds: Sequence[Any]) -> pb.Payment:
    return pb.Payment(
        payment_id=p.payment_id, buyer_id=p.buyer_id,
        parts=[pb.PaymentPart(pay_order_id=x.pay_order_id, order_id=x.order_id,
                              amount=_money(p.currency, x.amount)) for x in parts],
        amount=_money(p.currency, p.amount), status=p.status, method=p.method,
        attempts=[attempt_view(a) for a in attempts],
        winning_attempt_id=p.winning_attempt_id,
        refunded_amount=_money(p.currency, p.refunded_amount),
        refunds=[refund_view(r) for r in refunds],
        create_time=timestamp(p.created_at), update_time=timestamp(p.updated_at))


class Payments:
    """The payment service's use cases over its database and channels."""

    def __init__(self, db: Database, settings: PaymentSettings,
                 channels: Mapping[int, Channel] | None = None,
                 notify_base: Callable[[], str] | None = None, *,
                 trade: trade_grpc.TradeServiceStub) -> None:
        self.db = db
        self.settings = settings
        # Asked whether it would take the parts before money moves (CheckPayable).
        self.trade = trade
        # Method -> channel adapter; filled by app.py when the channels start.
        self.channels: dict[int, Channel] = dict(channels or {})
        self.notify_base: Callable[[], str] = notify_base or settings.callback_url
        self.keys = Keys(db.plumbing, db.dialect)

    # --- channels ---------------------------------------------------------------

    def channel_for(self, method: int) -> Channel:
        channel = self.channels.get(method)
        if channel is None:
            raise Unavailable("CHANNEL_NOT_CONFIGURED",
                              f"no channel is configured for {pb.Method.Name(method)}",
                              {"method": pb.Method.Name(method)})
        return channel

    def channel_named(self, name: str) -> Channel | None:
        return next((c for c in self.channels.values() if c.name == name), None)

    def notify_url(self, channel: Channel) -> str:
        return f"{self.notify_base().rstrip('/')}/callbacks/{channel.name}"

    # --- loading ----------------------------------------------------------------

    async def _payment_row(self, s: AsyncSession, payment_id: str, lock: bool = False) -> Any:
        return await fetch_one(s, t.payments.c.payment_id, payment_id, "payment", lock=lock)

    async def _channel_discount(self, s: AsyncSession, attempt_id: str) -> int:
        """What the channel funded itself of an attempt's payment (0: none, or no attempt)."""
        a = t.payment_attempts
        value = (await s.execute(select(a.c.channel_discount_amount)
                                 .where(a.c.attempt_id == attempt_id))).scalar()
        return int(value or 0)

    async def _attempt_row(self, s: AsyncSession, attempt_id: str) -> Any:
        return (await s.execute(select(t.payment_attempts)
                                .where(t.payment_attempts.c.attempt_id == attempt_id))).first()

    async def _views(self, s: AsyncSession, rows: Sequence[Any]) -> list[pb.Payment]:
        if not rows:
            return []
        ids = [r.payment_id for r in rows]
        parts: dict[str, list[Any]] = {}
        attempts: dict[str, list[Any]] = {}
        refunds: dict[str, list[Any]] = {}
        for x in (await s.execute(select(t.payment_parts)
                                  .where(t.payment_parts.c.payment_id.in_(ids))
                                  .order_by(t.payment_parts.c.pay_order_id))).all():
            parts.setdefault(x.payment_id, []).append(x)
        for x in (await s.execute(select(t.payment_attempts)
                                  .where(t.payment_attempts.c.payment_id.in_(ids))
                                  .order_by(t.payment_attempts.c.attempt_id))).all():
            attempts.setdefault(x.payment_id, []).append(x)
        for x in (await s.execute(select(t.refunds).where(t.refunds.c.payment_id.in_(ids))
                                  .order_by(t.refunds.c.refund_id))).all():
            refunds.setdefault(x.payment_id, []).append(x)
        return [payment_view(r, parts.get(r.payment_id, []), attempts.get(r.payment_id, []),
                             refunds.get(r.payment_id, [])) for r in rows]

    async def load(self, s: AsyncSession, payment_id: str) -> pb.Payment:
        return (await self._views(s, [await self._payment_row(s, payment_id)]))[0]

    # --- queries ----------------------------------------------------------------

    async def get_payment(self, s: AsyncSession, payment_id: str) -> pb.Payment:
        if not payment_id:
            raise InvalidArgument.field("payment_id", "is required")
        return await self.load(s, payment_id)

    async def list_payments(self, s: AsyncSession, req: pb.ListPaymentsRequest
                            ) -> pb.ListPaymentsResponse:
        if not req.pay_order_id:
            raise InvalidArgument.field("pay_order_id", "is required")
        size = pagination.page_size(req.page_size)
        query_key = f"payments:{req.pay_order_id}"
        before = pagination.decode_token(req.page_token, query_key)
        p, parts = t.payments, t.payment_parts
        q = (select(p).join(parts, parts.c.payment_id == p.c.payment_id)
             .where(parts.c.pay_order_id == req.pay_order_id)
             .order_by(p.c.payment_id.desc()).limit(size + 1))
        if before:
            q = q.where(p.c.payment_id < before)
        rows = (await s.execute(q)).all()
        resp = pb.ListPaymentsResponse(payments=await self._views(s, rows[:size]))
        if len(rows) > size:
            resp.next_page_token = pagination.encode_token(rows[size - 1].payment_id, query_key)
        return resp

    async def get_refund(self, s: AsyncSession, refund_id: str) -> pb.Refund:
        if not refund_id:
            raise InvalidArgument.field("refund_id", "is required")
        return refund_view(await fetch_one(s, t.refunds.c.refund_id, refund_id, "refund"))

    # --- balance ----------------------------------------------------------------

    async def _balance(self, s: AsyncSession, buyer_id: str, currency: str) -> int:
        a = t.balance_accounts
        value = (await s.execute(select(a.c.balance).where(
            a.c.buyer_id == buyer_id, a.c.currency == currency))).scalar_one_or_none()
        return int(value or 0)

    async def get_balance(self, s: AsyncSession, req: pb.GetBalanceRequest) -> pb.BalanceAccount:
        if not req.buyer_id:
            raise InvalidArgument.field("buyer_id", "is required")
        currency = req.currency_code or "CNY"
        if len(currency) != 3 or not currency.isupper():
            raise InvalidArgument.field("currency_code", "must be an ISO-4217 code")
        return pb.BalanceAccount(buyer_id=req.buyer_id, balance=_money(
            currency, await self._balance(s, req.buyer_id, currency)))

    async def _change_balance(self, s: AsyncSession, buyer_id: str, currency: str, delta: int,
                              kind: str, reference_id: str, payment_id: str = "") -> int:
        """Credit (delta > 0) or debit (delta < 0) by compare-and-set; a ledger row."""
        a = t.balance_accounts
        now = utcnow()
        if delta > 0:
            await s.execute(insert_ignore(self.db.dialect, a).values(
                buyer_id=buyer_id, currency=currency, balance=0, created_at=now,
                updated_at=now))
        changed = await s.execute(
            update(a).where(a.c.buyer_id == buyer_id, a.c.currency == currency,
                            a.c.balance + delta >= 0)
            .values(balance=a.c.balance + delta, updated_at=now))
        if _rowcount(changed) != 1:
            have = await self._balance(s, buyer_id, currency)
            raise FailedPrecondition(
                "INSUFFICIENT_BALANCE",
                f"the balance of {buyer_id} is {have} {currency}, {-delta} needed",
                [PreconditionViolation("BALANCE", f"balances/{buyer_id}/{currency}",
                                       f"{have} available")],
                {"buyer_id": buyer_id, "balance": str(have)})
        after = await self._balance(s, buyer_id, currency)
        inserted = await s.execute(insert_ignore(self.db.dialect, t.balance_ledger).values(
            entry_id=new_id(), buyer_id=buyer_id, currency=currency, kind=kind, amount=delta,
            reference_id=reference_id, payment_id=payment_id, balance_after=after,
            created_at=now))
        if _rowcount(inserted) != 1:
            # Never twice for one reference: roll the whole change back.
            raise Aborted("BALANCE_ENTRY_EXISTS",
                          f"balance {kind} {reference_id} was already recorded",
                          {"reference_id": reference_id})
        return after

    async def top_up(self, s: AsyncSession, req: pb.TopUpBalanceRequest
                     ) -> pb.TopUpBalanceResponse:
        domain.validate_top_up(req)
        currency = req.amount.currency_code
        after = await self._change_balance(s, req.buyer_id, currency, req.amount.amount_minor,
                                           "TOP_UP", f"top-up:{req.request_id or new_id()}")
        return pb.TopUpBalanceResponse(account=pb.BalanceAccount(
            buyer_id=req.buyer_id, balance=_money(currency, after)))

    # --- the cashier ------------------------------------------------------------

    async def list_payment_methods(self, s: AsyncSession, req: pb.ListPaymentMethodsRequest
                                   ) -> pb.ListPaymentMethodsResponse:
        domain.validate_list_methods(req)
        balance = await self._balance(s, req.buyer_id, req.amount.currency_code)
        options = domain.cashier(balance, req.amount.amount_minor,
                                 req.address if req.HasField("address") else None,
                                 self.settings.cod_denied_provinces)
        return pb.ListPaymentMethodsResponse(methods=[
            pb.PaymentMethod(method=o.method, display_name=o.display_name,
                             available=o.available, unavailable_reason=o.reason)
            for o in options])

    # --- CreatePayment ------------------------------------------------------------

    async def create_payment(self, req: pb.CreatePaymentRequest,
                             time_remaining: float | None = None) -> pb.CreatePaymentResponse:
        """Open a payment for pay orders, or continue the open one for them.

        Idempotent by request_id; without one, asking again for the same pay
        orders, amounts and method returns (and, if its channel call failed,
        completes) the payment already open for them. Anything else the buyer
        opened for these pay orders and left unpaid is closed: this payment
        supersedes it (``_existing``). Trade is asked first whether it would
        take the parts (``_check_payable``): nothing is written when it would not.
        """
        given = domain.validate_create_payment(req)
        domain.check_payable_method(req.method)
        key = req.request_id
        if key:
            async with self.db.transaction() as s:
                done = await self.keys.lookup(s, CREATE_SCOPE, key, request_hash(req))
            if done is not None and (done.response is not None or done.error is not None):
                return replay(done, pb.CreatePaymentResponse)
        await self._check_payable(req.buyer_id, req.parts, time_remaining)
        payment_id, attempt_id = new_id(), new_id()
        try:
            async with self.db.transaction() as s:
                if key:
                    stored = await self.keys.claim(s, CREATE_SCOPE, key, request_hash(req),
                                                   payment_id)
                    if stored is not None:
                        if stored.response is not None or stored.error is not None:
                            raise _Replay(stored)
                        resume: _Resume | None = _Resume(stored.resource_id)
                    else:
                        resume = await self._claim_pay_orders(s, payment_id, req)
                        if resume is not None:
                            # The key now stands for the payment it continues.
                            idem = self.db.plumbing.idempotency
                            await s.execute(update(idem).where(
                                idem.c.scope == CREATE_SCOPE, idem.c.key == key,
                            ).values(resource_id=resume.payment_id))
                else:
                    resume = await self._claim_pay_orders(s, payment_id, req)
                if resume is None:
                    await self._insert_payment(s, payment_id, attempt_id, req, given)
                    if req.method == domain.BALANCE:
                        await self._pay_by_balance(s, payment_id, attempt_id)
                        response = pb.CreatePaymentResponse(
                            payment=await self.load(s, payment_id))
                        if key:
                            await self.keys.complete(s, CREATE_SCOPE, key, response)
                        return response
        except _Replay as r:
            return replay(r.stored, pb.CreatePaymentResponse)
        target = resume.payment_id if resume is not None else payment_id
        try:
            payment = await self._ensure_open_at_channel(target, req.method)
        except ZhongtaiError as error:
            await self._finish_key(CREATE_SCOPE, key, error=error)
            raise
        response = pb.CreatePaymentResponse(payment=payment)
        await self._finish_key(CREATE_SCOPE, key, response)
        return response

    async def _finish_key(self, scope: str, key: str, response: Any = None,
                          error: ZhongtaiError | None = None) -> None:
        """Remember the answer under a request id claimed in an earlier transaction.

        A transient error frees the key instead (the request can be sent again
        and will continue where this one stopped).
        """
        if not key:
            return
        async with self.db.transaction() as s:
            if error is not None and is_retryable(error):
                await self.keys.release(s, scope, key)
            else:
                await self.keys.complete(s, scope, key, response, error)

    async def _check_payable(self, buyer_id: str, parts: Iterable[pb.PaymentPart],
                             time_remaining: float | None, payment_id: str = "") -> None:
        """Ask trade (CheckPayable) whether it would take these parts now;
        FAILED_PRECONDITION with its reason if not, UNAVAILABLE if it cannot
        be asked. Trade still decides when the payment succeeds: a part it
        rejects then (a stale check) is refunded (``on_payment_rejected``)."""
        answer = await call(self.trade.CheckPayable, trade_pb.CheckPayableRequest(
            buyer_id=buyer_id, parts=[trade_pb.PayablePart(
                pay_order_id=p.pay_order_id, order_id=p.order_id, amount=p.amount)
                for p in parts]), TRADE_TIMEOUT, time_remaining)
        domain.check_trade_takes(answer.results, payment_id)

    async def _claim_pay_orders(self, s: AsyncSession, payment_id: str,
                                req: pb.CreatePaymentRequest) -> _Resume | None:
        """Lock the pay orders for a new payment (closing what it supersedes),
        or find the open one to continue."""
        ids = sorted(p.pay_order_id for p in req.parts)
        closed = (await s.execute(select(t.closed_pay_orders.c.pay_order_id).where(
            t.closed_pay_orders.c.pay_order_id.in_(ids)))).scalars().all()
        if closed:
            raise FailedPrecondition(
                "PAY_ORDER_CLOSED", f"the orders of pay orders {sorted(closed)} were closed",
                [PreconditionViolation("PAY_ORDER", f"pay_orders/{i}", "order closed")
                 for i in sorted(closed)],
                {"pay_order_ids": ",".join(sorted(closed))})
        if await self._holders(s, ids):
            resume = await self._existing(s, req, ids, payment_id, supersede=True)
            if resume is not None:
                return resume
        now = utcnow()
        for pay_order_id in ids:  # a fixed order keeps concurrent claims deadlock-free
            got = await s.execute(insert_ignore(self.db.dialect, t.pay_order_locks).values(
                pay_order_id=pay_order_id, payment_id=payment_id, created_at=now))
            if _rowcount(got) != 1:
                # Another payment took it meanwhile (on PostgreSQL we waited
                # for it to commit): continue it if it is this very request.
                # Not superseded here: this transaction holds pay-order locks
                # already, and closing a payment now could deadlock.
                return await self._existing(s, req, ids, payment_id, supersede=False)
        return None

    async def _holders(self, s: AsyncSession, pay_order_ids: Sequence[str]) -> dict[str, str]:
        rows = (await s.execute(select(t.pay_order_locks).where(
            t.pay_order_locks.c.pay_order_id.in_(list(pay_order_ids))))).all()
        return {r.pay_order_id: r.payment_id for r in rows}

    async def _existing(self, s: AsyncSession, req: pb.CreatePaymentRequest,
                        ids: Sequence[str], payment_id: str, *,
                        supersede: bool) -> _Resume | None:
        """What to do about the payments holding these pay orders (other than
        ``payment_id``, the one being opened):

        * one of them is paid: PAY_ORDER_ALREADY_PAID;
        * it is this very request (one open payment for exactly these pay
          orders, of the same buyer, parts, amounts and method): continue it;
        * they are the buyer's own open payments, abandoned for this one: with
          ``supersede``, close them (their pay orders are free, their channel
          trades closed by the sweep, a late success on them refunded as an
          exception) and answer None: open the new payment; without (they
          took the pay orders while this request was claiming them), ABORTED
          CONCURRENT_PAYMENT_CHANGE: sent again, the request replaces them;
        * another buyer's open payment: PAYMENT_IN_PROGRESS.
        """
        holders = {i: p for i, p in (await self._holders(s, ids)).items() if p != payment_id}
        q = (select(t.payments).where(t.payments.c.payment_id.in_(sorted(set(holders.values()))))
             .order_by(t.payments.c.payment_id))
        # Locked in id order before any is closed (as every closer locks the payment first).
        rows = (await s.execute(q.with_for_update() if supersede else q)).all()
        paid = sorted(i for i, p in holders.items()
                      if any(r.payment_id == p and r.status not in (domain.PENDING, domain.CLOSED)
                             for r in rows))
        if paid:
            raise FailedPrecondition(
                "PAY_ORDER_ALREADY_PAID", f"pay orders {paid} are already paid",
                [PreconditionViolation("PAY_ORDER", f"pay_orders/{i}", "already paid")
                 for i in paid],
                {"pay_order_ids": ",".join(paid)})
        # A holder seen CLOSED was closed since its lock was read: its pay orders are free.
        open_rows = [r for r in rows if r.status == domain.PENDING]
        if len(open_rows) == 1 and set(holders) == set(ids):
            row = open_rows[0]
            parts = (await s.execute(select(t.payment_parts).where(
                t.payment_parts.c.payment_id == row.payment_id))).all()
            same = sorted((x.pay_order_id, x.order_id, x.amount) for x in parts) == sorted(
                (x.pay_order_id, x.order_id, x.amount.amount_minor) for x in req.parts)
            if same and row.buyer_id == req.buyer_id and row.method == req.method:
                return _Resume(row.payment_id)
        open_ids = sorted({r.payment_id for r in open_rows})
        if all(r.buyer_id == req.buyer_id for r in open_rows):
            if not supersede:
                raise Aborted("CONCURRENT_PAYMENT_CHANGE",
                              f"payment {open_ids} of the buyer took these pay orders "
                              "meanwhile; send the request again to replace it",
                              {"payment_id": ",".join(open_ids)})
            for row in open_rows:
                await self._close(s, row, f"superseded by payment {payment_id}")
            return None
        raise FailedPrecondition(
            "PAYMENT_IN_PROGRESS",
            f"pay orders {sorted(holders)} already have an open payment {open_ids}; "
            "continue it, switch its channel or close it",
            [PreconditionViolation("PAY_ORDER", f"pay_orders/{i}", f"held by payment {p}")
             for i, p in sorted(holders.items())],
            {"payment_id": ",".join(open_ids)})

    async def _insert_payment(self, s: AsyncSession, payment_id: str, attempt_id: str,
                              req: pb.CreatePaymentRequest, given: domain.PaymentInput) -> None:
        now = utcnow()
        await s.execute(t.payments.insert().values(
            payment_id=payment_id, buyer_id=req.buyer_id, currency=given.currency,
            amount=given.amount, status=domain.PENDING, method=req.method,
            current_attempt_id=attempt_id, winning_attempt_id="", captured_amount=0,
            refunded_amount=0, settled_refund_amount=0, close_reason="", created_at=now,
            updated_at=now))
        await s.execute(t.payment_parts.insert(), [
            {"payment_id": payment_id, "pay_order_id": p.pay_order_id,
             "order_id": p.order_id, "amount": p.amount.amount_minor} for p in req.parts])
        await self._insert_attempt(s, payment_id, attempt_id, req.method, given.currency,
                                   given.amount, now)

    async def _insert_attempt(self, s: AsyncSession, payment_id: str, attempt_id: str,
                              method: int, currency: str, amount: int,
                              now: dt.datetime) -> None:
        await s.execute(t.payment_attempts.insert().values(
            attempt_id=attempt_id, payment_id=payment_id, method=method,
            status=domain.PENDING, currency=currency, amount=amount, paid_amount=0,
            channel_discount_amount=0,
            refunded_amount=0, channel_transaction_id="", pay_url="", close_requested=False,
            # The sweep asks the channel if nothing was heard by then.
            next_check_at=(now + dt.timedelta(seconds=self.settings.pending_query_after_seconds)
                           if method in domain.CHANNEL_METHODS else None),
            check_count=0, created_at=now, updated_at=now))

    async def _pay_by_balance(self, s: AsyncSession, payment_id: str, attempt_id: str) -> None:
        """Debit the buyer's balance and succeed the payment with this attempt."""
        pay = await self._payment_row(s, payment_id, lock=True)
        await self._change_balance(s, pay.buyer_id, pay.currency, -pay.amount, "PAYMENT",
                                   attempt_id, payment_id)
        outcome = await self._apply_paid(s, attempt_id, pay.amount, pay.currency, "",
                                         utcnow())
        if outcome != "SUCCEEDED":
            raise Aborted("CONCURRENT_PAYMENT_CHANGE",
                          f"payment {payment_id} changed concurrently; retry",
                          {"payment_id": payment_id})

    async def _ensure_open_at_channel(self, payment_id: str, method: int) -> pb.Payment:
        """Make sure the payment's current attempt is open at its channel.

        Calls ``channel.create`` (idempotent by attempt id) when the pay URL is
        missing; opens a new attempt first if the current one was closed.
        """
        async with self.db.transaction() as s:
            pay = await self._payment_row(s, payment_id)
            current = await self._attempt_row(s, pay.current_attempt_id)
            if pay.status != domain.PENDING or (
                    current.status == domain.PENDING and current.pay_url):
                return await self.load(s, payment_id)
            if current.status != domain.PENDING:
                # The channel closed it (or the sweep did): a fresh attempt.
                attempt_id = new_id()
                await self._insert_attempt(s, payment_id, attempt_id, method, pay.currency,
                                           pay.amount, utcnow())
                changed = await s.execute(update(t.payments).where(
                    t.payments.c.payment_id == payment_id,
                    t.payments.c.status == domain.PENDING,
                    t.payments.c.current_attempt_id == current.attempt_id,
                ).values(current_attempt_id=attempt_id, method=method, updated_at=utcnow()))
                if _rowcount(changed) != 1:
                    raise Aborted("CONCURRENT_PAYMENT_CHANGE",
                                  f"payment {payment_id} changed concurrently; retry",
                                  {"payment_id": payment_id})
                current = await self._attempt_row(s, attempt_id)
        channel = self.channel_for(current.method)
        parts = await self._part_orders(payment_id)
        try:
            params = await channel.create(ChannelTrade(
                attempt_id=current.attempt_id, amount=current.amount, currency=current.currency,
                subject=f"Zhongtai order {', '.join(parts)}"[:128],
                notify_url=self.notify_url(channel)))
        except ChannelError as exc:
            log.warning("channel %s could not open attempt %s: %s", channel.name,
                        current.attempt_id, exc)
            if exc.retryable:
                raise Unavailable(
                    "CHANNEL_UNAVAILABLE",
                    f"the {channel.name} channel is unavailable; send the request again",
                    {"payment_id": payment_id}) from exc
            await self._refused_at_channel(current.attempt_id, str(exc))
            raise FailedPrecondition(
                "CHANNEL_REFUSED", f"the {channel.name} channel refused the payment: {exc}",
                metadata={"payment_id": payment_id}) from exc
        async with self.db.transaction() as s:
            a = t.payment_attempts
            await s.execute(update(a).where(a.c.attempt_id == current.attempt_id,
                                            a.c.pay_url == "")
                            .values(pay_url=params.pay_url, updated_at=utcnow()))
            return await self.load(s, payment_id)

    async def _part_orders(self, payment_id: str) -> list[str]:
        async with self.db.transaction() as s:
            return list((await s.execute(
                select(t.payment_parts.c.order_id)
                .where(t.payment_parts.c.payment_id == payment_id)
                .order_by(t.payment_parts.c.order_id))).scalars().all())

    async def _refused_at_channel(self, attempt_id: str, why: str) -> None:
        """The channel will not open this trade: the attempt is closed. The
        payment stays open: the buyer may try again (a fresh attempt), switch
        to another method, or close it to free its pay orders."""
        async with self.db.transaction() as s:
            a = t.payment_attempts
            await s.execute(update(a).where(a.c.attempt_id == attempt_id,
                                            a.c.status == domain.PENDING)
                            .values(status=domain.CLOSED, closed_at=utcnow(),
                                    next_check_at=None, last_error=why[:2000],
                                    updated_at=utcnow()))

    # --- SwitchChannel ------------------------------------------------------------

    async def switch_channel(self, req: pb.SwitchChannelRequest,
                             time_remaining: float | None = None) -> pb.SwitchChannelResponse:
        """Pay the same payment another way: close the current channel trade,
        open a new attempt (also for the same method: a fresh trade, e.g. a
        new pay code). If the old trade turns out paid, the payment has
        succeeded with it and is returned as it is."""
        domain.validate_switch(req)
        domain.check_payable_method(req.method)
        key = req.request_id
        attempt_id = new_id()
        try:
            async with self.db.transaction() as s:
                if key:
                    stored = await self.keys.claim(s, SWITCH_SCOPE, key, request_hash(req),
                                                   attempt_id)
                    if stored is not None:
                        if stored.response is not None or stored.error is not None:
                            raise _Replay(stored)
                        attempt_id = stored.resource_id
                pay = await self._payment_row(s, req.payment_id)
        except _Replay as r:
            return replay(r.stored, pb.SwitchChannelResponse)
        try:
            payment = await self._switch(pay, attempt_id, req.method, time_remaining)
        except ZhongtaiError as error:
            await self._finish_key(SWITCH_SCOPE, key, error=error)
            raise
        response = pb.SwitchChannelResponse(payment=payment)
        await self._finish_key(SWITCH_SCOPE, key, response)
        return response

    async def _switch(self, pay: Any, attempt_id: str, method: int,
                      time_remaining: float | None) -> pb.Payment:
        payment_id = pay.payment_id
        async with self.db.transaction() as s:
            if await self._attempt_row(s, attempt_id) is not None:
                # A repeat of a switch that opened its attempt already.
                return await self._ensure_open_at_channel(payment_id, method) \
                    if method in domain.CHANNEL_METHODS else await self.load(s, payment_id)
            parts = (await self.load(s, payment_id)).parts
        domain.check_open(payment_id, pay.status, "switch its channel")
        # Its pay orders may have been closed, paid or re-priced since it was opened.
        await self._check_payable(pay.buyer_id, parts, time_remaining, payment_id)
        # Even to the same method: a fresh channel trade (a new pay code).
        await self._close_at_channels(payment_id)
        async with self.db.transaction() as s:
            pay = await self._payment_row(s, payment_id, lock=True)
            if pay.status != domain.PENDING:
                # The old trade was paid: that is the payment.
                return await self.load(s, payment_id)
            now = utcnow()
            await self._insert_attempt(s, payment_id, attempt_id, method, pay.currency,
                                       pay.amount, now)
            changed = await s.execute(update(t.payments).where(
                t.payments.c.payment_id == payment_id, t.payments.c.status == domain.PENDING,
                t.payments.c.current_attempt_id == pay.current_attempt_id,
            ).values(current_attempt_id=attempt_id, method=method, updated_at=now))
            if _rowcount(changed) != 1:
                raise Aborted("CONCURRENT_PAYMENT_CHANGE",
                              f"payment {payment_id} changed concurrently; retry",
                              {"payment_id": payment_id})
            if method == domain.BALANCE:
                await self._pay_by_balance(s, payment_id, attempt_id)
                return await self.load(s, payment_id)
        return await self._ensure_open_at_channel(payment_id, method)

    async def _close_at_channels(self, payment_id: str) -> None:
        """Close the payment's pending channel trades now; apply what the channels say.

        A trade that turns out paid is applied like a notification (it may
        win the payment). A channel that cannot be reached leaves the attempt
        to the sweep (close_requested).
        """
        async with self.db.transaction() as s:
            a = t.payment_attempts
            pending = (await s.execute(select(a.c.attempt_id, a.c.method).where(
                a.c.payment_id == payment_id, a.c.status == domain.PENDING))).all()
        for row in pending:
            if row.method not in domain.CHANNEL_METHODS:
                continue
            try:
                status = await self.channel_for(row.method).close(row.attempt_id)
            except (ChannelError, Unavailable) as exc:
                log.warning("closing attempt %s failed, the sweep will retry: %s",
                            row.attempt_id, exc)
                async with self.db.transaction() as s:
                    await self._request_close(s, [row.attempt_id])
                continue
            async with self.db.transaction() as s:
                await self.apply_trade_status(s, status)

    async def _request_close(self, s: AsyncSession, attempt_ids: Iterable[str]) -> None:
        ids = list(attempt_ids)
        if not ids:
            return
        a = t.payment_attempts
        now = utcnow()
        await s.execute(update(a).where(a.c.attempt_id.in_(ids), a.c.status == domain.PENDING,
                                        a.c.method.in_(list(domain.CHANNEL_METHODS)))
                        .values(close_requested=True, next_check_at=now, updated_at=now))
        wake_after_commit(s)

    # --- ClosePayment ---------------------------------------------------------------

    async def close_payment_at_channels(self, req: pb.ClosePaymentRequest) -> None:
        """Before ClosePayment's transaction: close the channel trades first, so
        one paid meanwhile succeeds the payment instead of being refunded."""
        domain.validate_close(req)
        async with self.db.transaction() as s:
            pay = await self._payment_row(s, req.payment_id)
        if pay.status == domain.PENDING:
            await self._close_at_channels(req.payment_id)

    async def close_payment(self, s: AsyncSession, req: pb.ClosePaymentRequest
                            ) -> pb.ClosePaymentResponse:
        domain.validate_close(req)
        pay = await self._payment_row(s, req.payment_id, lock=True)
        if pay.status != domain.CLOSED:  # closing a closed payment changes nothing
            await self._close(s, pay, req.reason or "closed on request")
        return pb.ClosePaymentResponse(payment=await self.load(s, req.payment_id))

    async def _close(self, s: AsyncSession, pay: Any, reason: str) -> None:
        """PENDING -> CLOSED (compare-and-set): pay orders freed, channel trades
        to close (the sweep), PaymentClosed in the outbox."""
        new = domain.next_payment_status(pay.payment_id, pay.status, domain.CLOSE)
        now = utcnow()
        changed = await s.execute(update(t.payments).where(
            t.payments.c.payment_id == pay.payment_id, t.payments.c.status == pay.status,
        ).values(status=new, close_reason=reason[:2000], closed_at=now, updated_at=now))
        if _rowcount(changed) != 1:
            current = await self._payment_row(s, pay.payment_id)
            domain.next_payment_status(pay.payment_id, current.status, domain.CLOSE)
            raise Aborted("CONCURRENT_PAYMENT_CHANGE",
                          f"payment {pay.payment_id} changed concurrently; retry",
                          {"payment_id": pay.payment_id})
        await s.execute(delete(t.pay_order_locks).where(
            t.pay_order_locks.c.payment_id == pay.payment_id))
        a = t.payment_attempts
        pending = (await s.execute(select(a.c.attempt_id).where(
            a.c.payment_id == pay.payment_id, a.c.status == domain.PENDING))).scalars().all()
        await self._request_close(s, pending)
        await outbox.publish(s, t.plumbing, ev.PaymentClosed(
            payment=await self.load(s, pay.payment_id), occur_time=timestamp(now)),
            pay.payment_id)

    # --- what channels tell us --------------------------------------------------------

    async def handle_notification(self, channel: Channel, n: Notification) -> str:
        """Apply a verified notification in one transaction; its outcome.

        Deduplicated by what it says (processed_notifications); the state
        machines make a repeat harmless anyway.
        """
        key = domain.notification_key(n.kind, n.attempt_id, n.refund_id, n.state)
        async with self.db.transaction() as s:
            pn = t.processed_notifications
            fresh = await s.execute(insert_ignore(self.db.dialect, pn).values(
                channel=channel.name, notification_key=key, attempt_id=n.attempt_id,
                refund_id=n.refund_id, outcome="", received_at=utcnow()))
            if _rowcount(fresh) != 1:
                return "DUPLICATE_NOTIFICATION"
            if n.kind == "payment":
                outcome = await self.apply_trade_status(s, TradeStatus(
                    attempt_id=n.attempt_id, state=TradeState(n.state), amount=n.amount,
                    currency=n.currency, channel_transaction_id=n.channel_transaction_id,
                    paid_at=n.occurred_at, channel_discount_amount=n.channel_discount_amount))
            elif n.kind == "refund":
                outcome = await self._apply_refund_state(s, n.refund_id, RefundState(n.state),
                                                         "notified by the channel")
            else:
                outcome = "IGNORED"
            await s.execute(update(pn).where(pn.c.channel == channel.name,
                                             pn.c.notification_key == key)
                            .values(outcome=outcome))
        log.info("%s notification %s: %s", channel.name, key, outcome)
        return outcome

    async def apply_trade_status(self, s: AsyncSession, status: TradeStatus) -> str:
        """Apply what a channel says about an attempt (notification, query, close)."""
        if status.state is TradeState.SUCCEEDED:
            return await self._apply_paid(s, status.attempt_id, status.amount, status.currency,
                                          status.channel_transaction_id,
                                          status.paid_at or utcnow(),
                                          status.channel_discount_amount)
        if status.state in (TradeState.CLOSED, TradeState.NOT_FOUND):
            return await self._apply_closed(s, status.attempt_id)
        return "PENDING"

    async def _apply_closed(self, s: AsyncSession, attempt_id: str) -> str:
        a = t.payment_attempts
        now = utcnow()
        changed = await s.execute(update(a).where(a.c.attempt_id == attempt_id,
                                                  a.c.status == domain.PENDING)
                                  .values(status=domain.CLOSED, close_requested=False,
                                          next_check_at=None, closed_at=now, updated_at=now))
        return "CLOSED" if _rowcount(changed) == 1 else "NO_CHANGE"

    async def _apply_paid(self, s: AsyncSession, attempt_id: str, amount: int, currency: str,
                          channel_transaction_id: str, paid_at: dt.datetime,
                          channel_discount: int = 0) -> str:
        """An attempt was paid: the first one wins the payment, any other is refunded.

        ``amount`` is what the channel collected; ``channel_discount`` of it
        the channel funded itself (an instant discount): the payment is still
        captured in full, but only what the buyer paid can go back to them."""
        if not 0 <= channel_discount <= amount:
            raise ValueError(f"channel discount {channel_discount} not within 0-{amount}")
        att = await self._attempt_row(s, attempt_id)
        if att is None:
            log.error("a payment for unknown attempt %s (%d %s) was reported; reconcile it",
                      attempt_id, amount, currency)
            return "UNKNOWN_ATTEMPT"
        pay = await self._payment_row(s, att.payment_id, lock=True)
        att = await self._attempt_row(s, attempt_id)  # again, under the payment's lock
        if att.status == domain.SUCCEEDED:
            return "DUPLICATE"
        decision = domain.on_attempt_paid(pay.status, pay.winning_attempt_id, attempt_id,
                                          (att.amount, att.currency), (amount, currency))
        if decision.outcome is domain.PaidOutcome.ALREADY_WON:
            return "DUPLICATE"
        new = domain.next_attempt_status(attempt_id, att.status, domain.PAY)
        now = utcnow()
        a = t.payment_attempts
        changed = await s.execute(update(a).where(a.c.attempt_id == attempt_id,
                                                  a.c.status == att.status)
                                  .values(status=new, paid_amount=amount,
                                          channel_discount_amount=channel_discount,
                                          channel_transaction_id=channel_transaction_id,
                                          paid_at=paid_at, close_requested=False,
                                          next_check_at=None, updated_at=now))
        if _rowcount(changed) != 1:
            raise Aborted("CONCURRENT_ATTEMPT_CHANGE", f"attempt {attempt_id} changed; retry")
        if decision.outcome is domain.PaidOutcome.EXCEPTION:
            log.warning("attempt %s of payment %s paid but refused (%s): exception refund",
                        attempt_id, pay.payment_id, decision.reason)
            if amount > channel_discount:  # what the buyer paid goes back
                await self._create_refund(s, pay, attempt_id, domain.EXCEPTION,
                                          amount - channel_discount, decision.reason,
                                          domain.attempt_refund_key(attempt_id))
            return "EXCEPTION_REFUND"
        target = domain.next_payment_status(pay.payment_id, pay.status, domain.SUCCEED)
        changed = await s.execute(update(t.payments).where(
            t.payments.c.payment_id == pay.payment_id, t.payments.c.status == pay.status,
        ).values(status=target, winning_attempt_id=attempt_id, captured_amount=amount,
                 method=att.method, succeeded_at=now, updated_at=now))
        if _rowcount(changed) != 1:
            raise Aborted("CONCURRENT_PAYMENT_CHANGE",
                          f"payment {pay.payment_id} changed concurrently; retry")
        others = (await s.execute(select(a.c.attempt_id).where(
            a.c.payment_id == pay.payment_id, a.c.status == domain.PENDING,
            a.c.attempt_id != attempt_id))).scalars().all()
        await self._request_close(s, others)
        await outbox.publish(s, t.plumbing, ev.PaymentSucceeded(
            payment=await self.load(s, pay.payment_id), occur_time=timestamp(now)),
            pay.payment_id)
        return "SUCCEEDED"

    # --- refunds ------------------------------------------------------------------------

    async def create_refund(self, s: AsyncSession, req: pb.CreateRefundRequest
                            ) -> pb.CreateRefundResponse:
        """A requested refund of a succeeded payment, to its winning route."""
        domain.validate_refund(req)
        pay = await self._payment_row(s, req.payment_id, lock=True)
        if req.amount.currency_code != pay.currency:
            raise InvalidArgument.field("amount.currency_code",
                                        f"the payment is in {pay.currency}")
        domain.check_refund(pay.payment_id, pay.status, req.amount.amount_minor,
                            pay.captured_amount, pay.refunded_amount,
                            await self._channel_discount(s, pay.winning_attempt_id))
        refund_id = new_id()
        await self._create_refund(s, pay, pay.winning_attempt_id, domain.REQUESTED,
                                  req.amount.amount_minor, req.reason or "requested",
                                  refund_id, refund_id=refund_id, request_id=req.request_id)
        return pb.CreateRefundResponse(refund=await self.get_refund(s, refund_id))

    async def _create_refund(self, s: AsyncSession, pay: Any, attempt_id: str, kind: int,
                             amount: int, reason: str, dedupe_key: str, *,
                             refund_id: str = "", request_id: str = "",
                             delay: dt.timedelta | None = None,
                             pay_order_id: str = "") -> str | None:
        """Reserve and record a refund to an attempt's route; None if one with
        this dedupe key exists. Balance refunds are credited now; channel
        refunds are left to the sweep."""
        refund_id = refund_id or new_id()
        now = utcnow()
        inserted = await s.execute(insert_ignore(self.db.dialect, t.refunds).values(
            refund_id=refund_id, payment_id=pay.payment_id, attempt_id=attempt_id, kind=kind,
            currency=pay.currency, amount=amount, status=domain.REFUND_PENDING,
            reason=reason[:2000], dedupe_key=dedupe_key, request_id=request_id,
            pay_order_id=pay_order_id, attempts=0,
            next_attempt_at=now + (delay or dt.timedelta(0)), created_at=now, updated_at=now))
        if _rowcount(inserted) != 1:
            return None
        p = t.payments
        if attempt_id == pay.winning_attempt_id:
            # The cap: never more back than was captured, whoever races.
            changed = await s.execute(update(p).where(
                p.c.payment_id == pay.payment_id, p.c.status == domain.SUCCEEDED,
                p.c.refunded_amount + amount <= p.c.captured_amount,
            ).values(refunded_amount=p.c.refunded_amount + amount, updated_at=now))
            if _rowcount(changed) != 1:
                current = await self._payment_row(s, pay.payment_id)
                domain.check_refund(pay.payment_id, current.status, amount,
                                    current.captured_amount, current.refunded_amount)
                raise Aborted("CONCURRENT_REFUND", "refunds changed concurrently; retry")
        a = t.payment_attempts
        # Never more back than the buyer paid on this route.
        changed = await s.execute(update(a).where(
            a.c.attempt_id == attempt_id,
            a.c.refunded_amount + amount <= a.c.paid_amount - a.c.channel_discount_amount,
        ).values(refunded_amount=a.c.refunded_amount + amount, updated_at=now))
        if _rowcount(changed) != 1:
            raise FailedPrecondition("REFUND_EXCEEDS_CAPTURED",
                                     f"attempt {attempt_id} has less than {amount} to refund",
                                     metadata={"attempt_id": attempt_id})
        method = (await s.execute(select(a.c.method)
                                  .where(a.c.attempt_id == attempt_id))).scalar_one()
        if method == domain.BALANCE:
            await self._change_balance(s, pay.buyer_id, pay.currency, amount, "REFUND",
                                       refund_id, pay.payment_id)
            await self._settle_refund(s, refund_id, succeeded=True,
                                      note="credited to the balance")
        else:
            wake_after_commit(s)
        return refund_id

    async def _apply_refund_state(self, s: AsyncSession, refund_id: str, state: RefundState,
                                  note: str) -> str:
        if state is RefundState.SUCCEEDED:
            return await self._settle_refund(s, refund_id, succeeded=True, note=note)
        if state is RefundState.FAILED:
            return await self._settle_refund(s, refund_id, succeeded=False, note=note)
        return "PENDING"

    async def _settle_refund(self, s: AsyncSession, refund_id: str, *, succeeded: bool,
                             note: str) -> str:
        """PENDING -> SUCCEEDED (RefundSucceeded; REFUNDED when all came back) or
        FAILED (the reservation is given back; an exception refund is
        replaced by a new one, so money owed is never dropped)."""
        r = (await s.execute(select(t.refunds.c.payment_id)
                             .where(t.refunds.c.refund_id == refund_id))).first()
        if r is None:
            log.error("a channel reported unknown refund %s", refund_id)
            return "UNKNOWN_REFUND"
        pay = await self._payment_row(s, r.payment_id, lock=True)
        refund = (await s.execute(select(t.refunds)
                                  .where(t.refunds.c.refund_id == refund_id))).one()
        if refund.status != domain.REFUND_PENDING:
            return "DUPLICATE"
        action = domain.SETTLE if succeeded else domain.FAIL
        new = domain.next_refund_status(refund_id, refund.status, action)
        now = utcnow()
        rt, p, a = t.refunds, t.payments, t.payment_attempts
        await s.execute(update(rt).where(rt.c.refund_id == refund_id,
                                         rt.c.status == refund.status)
                        .values(status=new, settled_at=now, updated_at=now,
                                next_attempt_at=None,
                                last_error=None if succeeded else note[:2000]))
        counts = refund.attempt_id == pay.winning_attempt_id
        if succeeded:
            if counts:
                settled = pay.settled_refund_amount + refund.amount
                values: dict[str, Any] = {"settled_refund_amount": settled, "updated_at": now}
                if domain.fully_refunded(pay.captured_amount, settled,
                                         await self._channel_discount(s, refund.attempt_id)):
                    values["status"] = domain.next_payment_status(
                        pay.payment_id, pay.status, domain.REFUND_FULLY)
                await s.execute(update(p).where(p.c.payment_id == pay.payment_id)
                                .values(**values))
            await outbox.publish(s, t.plumbing, ev.RefundSucceeded(
                refund=await self.get_refund(s, refund_id),
                payment=await self.load(s, pay.payment_id), occur_time=timestamp(now)),
                pay.payment_id)
            return "REFUND_SUCCEEDED"
        if counts:
            await s.execute(update(p).where(p.c.payment_id == pay.payment_id).values(
                refunded_amount=p.c.refunded_amount - refund.amount, updated_at=now))
        await s.execute(update(a).where(a.c.attempt_id == refund.attempt_id).values(
            refunded_amount=a.c.refunded_amount - refund.amount, updated_at=now))
        if refund.kind == domain.EXCEPTION:
            log.error("exception refund %s of payment %s failed (%s); a new one is queued",
                      refund_id, pay.payment_id, note)
            pay = await self._payment_row(s, pay.payment_id)
            await self._create_refund(
                s, pay, refund.attempt_id, domain.EXCEPTION, refund.amount, refund.reason,
                f"{refund.dedupe_key}:after:{refund_id}"[:200],
                delay=dt.timedelta(seconds=EXCEPTION_RETRY_CAP))
        else:
            log.warning("refund %s of payment %s failed: %s", refund_id, pay.payment_id, note)
        return "REFUND_FAILED"

    # --- events from trade ----------------------------------------------------------------

    async def on_order_closed(self, s: AsyncSession,
                              event: trade_events.OrderCancelled
                              | trade_events.OrderCreationFailed) -> None:
        """The order was cancelled, timed out or failed to be created: no new
        payment for its pay order, and an open one is closed (a payment
        arriving later is refunded as an exception). A paid order trade
        cancelled (its pay orders REFUNDING, e.g. not shipped in time) is
        refunded in full, once per pay order."""
        pay_order_id = event.order.pay_order.pay_order_id
        if not pay_order_id:
            return
        await s.execute(insert_ignore(self.db.dialect, t.closed_pay_orders).values(
            pay_order_id=pay_order_id, order_id=event.order.order_id, closed_at=utcnow()))
        p, parts = t.payments, t.payment_parts
        ids = (await s.execute(select(p.c.payment_id)
                               .join(parts, parts.c.payment_id == p.c.payment_id)
                               .where(parts.c.pay_order_id == pay_order_id,
                                      p.c.status == domain.PENDING)
                               .order_by(p.c.payment_id))).scalars().all()
        for payment_id in ids:
            pay = await self._payment_row(s, payment_id, lock=True)
            if pay.status == domain.PENDING:
                await self._close(s, pay, f"order {event.order.order_id} was closed")
        for po in event.order.pay_orders:
            if po.status == trade_pb.PAY_STATUS_REFUNDING and po.payment_id:
                await self._refund_cancelled(s, event.order.order_id, po)

    async def _refund_cancelled(self, s: AsyncSession, order_id: str,
                                po: trade_pb.PayOrder) -> None:
        """Trade cancelled a paid order (e.g. not shipped in time) and marked
        the pay order REFUNDING: refund in full, to the original route, what
        the payment that paid it captured for it. One refund per pay order
        (its dedupe key), never more than is left of the capture."""
        try:
            pay = await self._payment_row(s, po.payment_id, lock=True)
        except NotFound:
            log.error("order %s: pay order %s was paid by unknown payment %s",
                      order_id, po.pay_order_id, po.payment_id)
            return
        part = (await s.execute(select(t.payment_parts).where(
            t.payment_parts.c.payment_id == pay.payment_id,
            t.payment_parts.c.pay_order_id == po.pay_order_id))).first()
        left = domain.refundable(
            pay.captured_amount - await self._channel_discount(s, pay.winning_attempt_id),
            pay.refunded_amount)
        if part is None or pay.status != domain.SUCCEEDED or left <= 0:
            log.error("order %s cancelled: payment %s has nothing to refund for pay order %s",
                      order_id, pay.payment_id, po.pay_order_id)
            return
        refund_id = await self._create_refund(
            s, pay, pay.winning_attempt_id, domain.REQUESTED, min(part.amount, left),
            f"order {order_id} was cancelled after payment",
            cancelled_order_refund_key(po.pay_order_id), pay_order_id=po.pay_order_id)
        if refund_id is not None:
            log.info("order %s cancelled after payment: refund %s of payment %s",
                     order_id, refund_id, pay.payment_id)

    async def on_payment_rejected(self, s: AsyncSession, event: trade_events.PaymentRejected
                                  ) -> None:
        """trade could not take a part of a payment: refund that part (once)."""
        try:
            pay = await self._payment_row(s, event.payment_id, lock=True)
        except NotFound:
            log.error("trade rejected unknown payment %s", event.payment_id)
            return
        part = (await s.execute(select(t.payment_parts).where(
            t.payment_parts.c.payment_id == pay.payment_id,
            t.payment_parts.c.pay_order_id == event.pay_order_id))).first()
        amount = part.amount if part is not None else event.amount.amount_minor
        left = domain.refundable(
            pay.captured_amount - await self._channel_discount(s, pay.winning_attempt_id),
            pay.refunded_amount)
        if pay.status != domain.SUCCEEDED or amount <= 0 or left <= 0:
            log.error("payment %s rejected by trade (%s) has nothing left to refund",
                      pay.payment_id, event.reason)
            return
        refund_id = await self._create_refund(
            s, pay, pay.winning_attempt_id, domain.EXCEPTION, min(amount, left),
            f"rejected by trade: {event.reason}",
            domain.rejected_refund_key(pay.payment_id, event.pay_order_id),
            pay_order_id=event.pay_order_id)
        if refund_id is None:
            return
        log.warning("payment %s: pay order %s rejected by trade (%s), exception refund %s",
                    pay.payment_id, event.pay_order_id, event.reason, refund_id)
        # This payment does not pay that pay order after all: free it, so the
        # order (if it can still be paid, e.g. after a wrong amount) can be.
        await s.execute(delete(t.pay_order_locks).where(
            t.pay_order_locks.c.pay_order_id == event.pay_order_id,
            t.pay_order_locks.c.payment_id == pay.payment_id))

    # --- sweeps (payment.workers calls these) -----------------------------------------------

    async def claim_due_attempts(self, limit: int) -> list[Any]:
        """Lease attempts due for a channel close or query."""
        a, p = t.payment_attempts, t.payments
        now = utcnow()
        async with self.db.transaction() as s:
            q = (select(a.c.attempt_id).where(
                a.c.status == domain.PENDING, a.c.next_check_at.is_not(None),
                a.c.next_check_at <= now, a.c.method.in_(list(domain.CHANNEL_METHODS)))
                .order_by(a.c.next_check_at).limit(limit))
            if self.db.supports_skip_locked:
                q = q.with_for_update(skip_locked=True)
            ids = list((await s.execute(q)).scalars().all())
            if not ids:
                return []
            await s.execute(update(a).where(a.c.attempt_id.in_(ids))
                            .values(next_check_at=now + LEASE))
            return list((await s.execute(
                select(a.c.attempt_id, a.c.method, a.c.close_requested, a.c.check_count,
                       p.c.status.label("payment_status"), p.c.current_attempt_id)
                .join(p, p.c.payment_id == a.c.payment_id)
                .where(a.c.attempt_id.in_(ids)))).all())

    async def check_attempt(self, row: Any) -> str:
        """Close (if it must be) or query one leased attempt at its channel."""
        closing = bool(row.close_requested or row.payment_status != domain.PENDING
                       or row.current_attempt_id != row.attempt_id)
        try:
            channel = self.channel_for(row.method)
            status = await (channel.close(row.attempt_id) if closing
                            else channel.query(row.attempt_id))
        except (ChannelError, Unavailable) as exc:
            await self._reschedule_attempt(row.attempt_id, row.check_count + 1, str(exc),
                                           closing)
            return "RETRY"
        async with self.db.transaction() as s:
            outcome = await self.apply_trade_status(s, status)
        if outcome == "PENDING":
            await self._reschedule_attempt(row.attempt_id, row.check_count + 1, None, closing)
        return outcome

    async def _reschedule_attempt(self, attempt_id: str, count: int, error: str | None,
                                  closing: bool) -> None:
        base = 1.0 if closing or error else self.settings.pending_query_after_seconds
        delay = domain.retry_delay(count, base=base, cap=3600.0)
        if error:
            log.warning("attempt %s: channel call failed (try %d), again in %s: %s",
                        attempt_id, count, delay, error)
        async with self.db.transaction() as s:
            a = t.payment_attempts
            await s.execute(update(a).where(a.c.attempt_id == attempt_id,
                                            a.c.status == domain.PENDING)
                            .values(check_count=count, next_check_at=utcnow() + delay,
                                    last_error=error[:2000] if error else None))

    async def claim_due_refunds(self, limit: int) -> list[Any]:
        """Lease channel refunds due for submission or a status query."""
        r, a = t.refunds, t.payment_attempts
        now = utcnow()
        async with self.db.transaction() as s:
            q = (select(r.c.refund_id).where(
                r.c.status == domain.REFUND_PENDING, r.c.next_attempt_at.is_not(None),
                r.c.next_attempt_at <= now).order_by(r.c.next_attempt_at).limit(limit))
            if self.db.supports_skip_locked:
                q = q.with_for_update(skip_locked=True)
            ids = list((await s.execute(q)).scalars().all())
            if not ids:
                return []
            await s.execute(update(r).where(r.c.refund_id.in_(ids))
                            .values(next_attempt_at=now + LEASE))
            return list((await s.execute(
                select(r.c.refund_id, r.c.attempt_id, r.c.kind, r.c.amount, r.c.currency,
                       r.c.submitted_at, r.c.attempts, a.c.method)
                .join(a, a.c.attempt_id == r.c.attempt_id)
                .where(r.c.refund_id.in_(ids)))).all())

    async def submit_refund(self, row: Any) -> str:
        """Submit one leased refund to its channel, or ask how it went."""
        try:
            channel = self.channel_for(row.method)
            if row.submitted_at is None:
                result = await channel.refund(row.attempt_id, row.refund_id, row.amount,
                                              row.currency)
            else:
                result = await channel.query_refund(row.refund_id)
        except (ChannelError, Unavailable) as exc:
            retryable = isinstance(exc, Unavailable) or exc.retryable
            if not retryable and row.kind == domain.REQUESTED:
                async with self.db.transaction() as s:
                    return await self._settle_refund(s, row.refund_id, succeeded=False,
                                                     note=f"refused by the channel: {exc}")
            if not retryable:
                log.error("the channel refused exception refund %s: %s; retrying later",
                          row.refund_id, exc)
            await self._reschedule_refund(row.refund_id, row.attempts + 1, str(exc),
                                          submitted=row.submitted_at is not None)
            return "RETRY"
        if result.state is RefundState.NOT_FOUND:
            # Asked before it was accepted (or the channel lost it): submit again.
            await self._reschedule_refund(row.refund_id, row.attempts + 1,
                                          "unknown to the channel", submitted=False)
            return "RETRY"
        async with self.db.transaction() as s:
            outcome = await self._apply_refund_state(s, row.refund_id, result.state,
                                                     "reported by the channel")
        if outcome == "PENDING":
            await self._reschedule_refund(row.refund_id, row.attempts + 1, None, submitted=True)
        return outcome

    async def _reschedule_refund(self, refund_id: str, count: int, error: str | None, *,
                                 submitted: bool) -> None:
        if error is None:
            # Accepted: wait for the notification, then ask.
            delay = domain.retry_delay(count, base=self.settings.refund_query_after_seconds,
                                       cap=3600.0)
        else:
            delay = domain.retry_delay(count, cap=EXCEPTION_RETRY_CAP)
            log.warning("refund %s: channel call failed (try %d), again in %s: %s",
                        refund_id, count, delay, error)
        now = utcnow()
        async with self.db.transaction() as s:
            r = t.refunds
            values: dict[str, Any] = {"attempts": count, "next_attempt_at": now + delay,
                                      "last_error": error[:2000] if error else None,
                                      "updated_at": now}
            values["submitted_at"] = (func.coalesce(r.c.submitted_at, now) if submitted
                                      else None)
            await s.execute(update(r).where(r.c.refund_id == refund_id,
                                            r.c.status == domain.REFUND_PENDING)
                            .values(**values))
