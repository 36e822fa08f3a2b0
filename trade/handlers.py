"""trade's use cases: pricing, the order creation saga, cancellation, timers,
queries.

Pricing: catalog gives the SKUs' current versions and prices, the cart is
split into orders (domain.assemble), promotion quotes every deduction per
line (no side effects). QuoteOrder stops there.

Creation (seed 001 §三.5): one transaction writes the INIT orders with their
deductions, pay_order and log_orders, the idempotency keys and a rollback
timer; then catalog reserves stock and promotion holds the coupons, points,
red packet and card (re-quoting authoritatively), both keyed by the order id;
then one transaction moves the orders to WAIT_PAY, cancels the rollback timer,
arms the unpaid timeout and writes ``OrderCreated`` to the outbox. A failed
step moves the orders to FAILED and writes ``OrderCreationFailed``, on which
catalog and promotion release whatever they hold for the order (tombstones
refuse a reservation or hold arriving later). If trade dies between the two
transactions, the rollback timer does the same after restart.

Payment (consumer ``trade.payment`` of ``payment.payment.succeeded``): an
order still WAIT_PAY is paid (WAIT_SHIP, ``OrderPaid``); any other part of the
payment is rejected (``PaymentRejected``) and payment refunds it. The rule is
``domain.payability``; payment asks it first through ``CheckPayable``.

Presale (定金+尾款, seed 001 §九.4): a presale item's order (alone in its
order) has two pay orders, DEPOSIT (deposit × quantity) and BALANCE (the
rest, payable only inside the item's balance window). Paying the deposit moves
WAIT_PAY → WAIT_PAY_BALANCE (no event: stock stays reserved, benefits held)
and arms ``order.balance_lapse`` at the window's end; paying the balance inside
the window moves it to WAIT_SHIP with ``OrderPaid``; outside it the part is
rejected (OUTSIDE_BALANCE_WINDOW) and refunded. When the window ends unpaid
the timer cancels the order (``OrderCancelled`` releases stock and benefits);
the deposit is kept, not refunded.

Fulfilment (see docs/architecture.md): paying leads by the lines' item types
to WAIT_SHIP (ship timeout armed), WAIT_USE (e-vouchers: codes issued) or
WAIT_RECEIVE (online services). Consumer ``trade.logistics`` mirrors
logistics' ``logistics.order.changed`` on the log_orders, forward only, and
ships the order when every log_order is shipped (automatic receipt armed).
ConfirmReceipt / the ``order.auto_confirm`` timer complete it, ExtendReceipt
pushes the timer back; ``order.ship_timeout`` cancels an order nothing of
which shipped (pay orders REFUNDING: payment refunds them on OrderCancelled);
RedeemVoucher redeems codes, the last one completing a WAIT_USE order.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from google.protobuf import json_format
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from trade import domain
from trade import store as t
from trade.settings import TradeSettings
from zhongtai import outbox, pagination, timers
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.catalog.v1 import catalog_pb2_grpc as cat_grpc
from zhongtai.common.v1.common_pb2 import Address, Money, Operator
from zhongtai.db import Database, fetch_one, utcnow
from zhongtai.errors import (
    Aborted,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ZhongtaiError,
)
from zhongtai.failpoints import failpoint
from zhongtai.grpcclient import call
from zhongtai.idempotency import Keys, Stored, is_retryable, replay, request_hash
from zhongtai.ids import new_id
from zhongtai.logistics.v1 import events_pb2 as lg_events
from zhongtai.logistics.v1 import logistics_pb2 as lg
from zhongtai.logistics.v1 import logistics_pb2_grpc as lg_grpc
from zhongtai.payment.v1 import events_pb2 as pay_events
from zhongtai.payment.v1 import payment_pb2 as pay_pb
from zhongtai.promotion.v1 import promotion_pb2 as promo
from zhongtai.promotion.v1 import promotion_pb2_grpc as promo_grpc
from zhongtai.timers import Timer
from zhongtai.trade.v1 import events_pb2 as ev
from zhongtai.trade.v1 import trade_pb2 as pb
from zhongtai.wire import timestamp, to_datetime

log = logging.getLogger(__name__)

ROLLBACK_TIMER = "order.creation_rollback"
PAY_TIMEOUT_TIMER = "order.pay_timeout"
BALANCE_LAPSE_TIMER = "order.balance_lapse"
SHIP_TIMEOUT_TIMER = "order.ship_timeout"
AUTO_CONFIRM_TIMER = "order.auto_confirm"
CREATE_SCOPE = "CreateOrder"
CREATE_OUT_SCOPE = "CreateOrder.out"




def creation_timeout_error(order_id: str) -> Aborted:
    return Aborted("ORDER_CREATION_TIMEOUT",
                   "order creation did not finish in time and was rolled back; retry",
                   {"order_id": order_id})


class _Replay(Exception):
    """Raised inside a transaction to roll it back and replay a stored answer."""

    def __init__(self, stored: Stored) -> None:
        self.stored = stored


@dataclass(frozen=True)
class OrderKeys:
    """The idempotency keys one creation request holds."""

    request_id: str
    out_type: str
    out_id: str

    def items(self) -> list[tuple[str, str]]:
        keys = []
        if self.out_type:
            keys.append((CREATE_OUT_SCOPE, f"{self.out_type}:{self.out_id}"))
        if self.request_id:
            keys.append((CREATE_SCOPE, self.request_id))
        return keys


@dataclass
class Priced:
    """A cart validated, split into orders and priced by promotion."""

    assembly: domain.Assembly
    quote_request: promo.QuoteRequest
    quote: promo.QuoteResponse


class Trade:
    def __init__(self, db: Database, catalog: cat_grpc.CatalogServiceStub,
                 promotion: promo_grpc.PromotionServiceStub,
                 settings: TradeSettings, call_timeout: float = 10.0, *,
                 logistics: lg_grpc.LogisticsServiceStub | None = None) -> None:
        self.db = db
        self.catalog = catalog
        self.promotion = promotion
        # None: every order ships free (no logistics service wired).
        self.logistics = logistics
        self.settings = settings
        self.keys = Keys(db.plumbing, db.dialect)
        self.call_timeout = call_timeout

    # --- pricing -------------------------------------------------------------

    async def _call(self, method: Any, request: Any, time_remaining: float | None) -> Any:
        return await call(method, request, self.call_timeout, time_remaining)

    async def _price(self, req: pb.CreateOrderRequest | pb.QuoteOrderRequest,
                     time_remaining: float | None) -> Priced:
        """Validate, split and price a cart (catalog, then promotion; no side effects)."""
        domain.validate_create(req)
        found = await self._call(
            self.catalog.BatchGetSkus,
            cat.BatchGetSkusRequest(sku_ids=[line.sku_id for line in req.lines]),
            time_remaining)
        assembly = domain.assemble(req, {s.sku_id: s for s in found.skus},
                                   found.missing_sku_ids, new_id)
        quote_request = assembly.quote_request(req.buyer_id, req.buyer_is_vip, req.benefits)
        quote = await self._call(self.promotion.Quote, quote_request, time_remaining)
        assembly.apply_quote(quote)
        assembly.check_presale()
        freight_request = assembly.freight_request(req.address, quote)
        if freight_request is not None and self.logistics is not None:
            # One package per seller; a seller with no template ships free.
            assembly.apply_freight(await self._call(
                self.logistics.QuoteFreight, freight_request, time_remaining))
        return Priced(assembly, quote_request, quote)

    async def quote_order(self, req: pb.QuoteOrderRequest,
                          time_remaining: float | None = None) -> pb.QuoteOrderResponse:
        priced = await self._price(req, time_remaining)
        rows = order_rows(req, priced.assembly, utcnow())
        [order] = build_views([_row(r) for r in rows.orders[:1]], rows_namespace(rows))
        _clear_ids(order)
        return pb.QuoteOrderResponse(order=order, quote=priced.quote)

    # --- creation saga -------------------------------------------------------

    async def create_order(self, req: pb.CreateOrderRequest,
                           time_remaining: float | None = None) -> pb.CreateOrderResponse:
        """Run the saga; ``time_remaining`` is the caller's deadline, passed on."""
        keys = OrderKeys(req.request_id, req.out_type, req.out_id)
        digest = request_hash(req)
        # A repeat gets the original answer before anything is priced again
        # (its coupons, say, are held by the first request by now).
        async with self.db.transaction() as s:
            for scope, key in keys.items():
                if (stored := await self.keys.lookup(s, scope, key, digest)) is not None:
                    return replay(stored, pb.CreateOrderResponse)
        priced = await self._price(req, time_remaining)
        assembly = priced.assembly
        try:
            async with self.db.transaction() as s:
                for scope, key in keys.items():
                    stored = await self.keys.claim(s, scope, key, digest, assembly.top_id)
                    if stored is not None:
                        raise _Replay(stored)
                await self._insert(s, order_rows(req, assembly, utcnow()))
                await timers.arm(
                    s, self.db, ROLLBACK_TIMER, assembly.top_id,
                    utcnow() + dt.timedelta(seconds=self.settings.rollback_after_seconds))
        except _Replay as r:
            return replay(r.stored, pb.CreateOrderResponse)

        # Each step is keyed by the order id. Whether or not a failed step
        # took effect, failing the order is safe: catalog and promotion
        # release on OrderCreationFailed and refuse a late reservation or
        # hold. If even that fails, the rollback timer will.
        try:
            await self._call(self.catalog.ReserveStock, cat.ReserveStockRequest(
                order_id=assembly.top_id, lines=[
                    cat.StockLine(sku_id=line.sku.sku_id, quantity=line.quantity)
                    for line in assembly.lines]), time_remaining)
            failpoint("trade.create.after_reserve")
            held = await self._call(self.promotion.HoldBenefits, promo.HoldBenefitsRequest(
                order_id=assembly.top_id, quote=priced.quote_request), time_remaining)
            if list(held.quote.lines) != list(priced.quote.lines):
                raise Aborted("PRICE_CHANGED",
                              "promotions changed while the order was created; quote again",
                              {"order_id": assembly.top_id})
        except ZhongtaiError as error:
            async with self.db.transaction() as s:
                await self._fail(s, assembly.top_id, pb.CLOSE_REASON_CREATION_FAILED, error)
            raise

        async with self.db.transaction() as s:
            order = await self._load(s, assembly.top_id)
            if order.status != domain.INIT:
                # The rollback timer won the race (and released the stock).
                raise creation_timeout_error(order.order_id)
            await self._transition(s, order, domain.CREATE_SUCCEEDED)
            await timers.cancel(s, self.db, ROLLBACK_TIMER, order.order_id)
            nothing_to_pay = order.pay_order.actual_amount.amount_minor == 0
            if not nothing_to_pay:
                deadline = utcnow() + dt.timedelta(seconds=self.settings.pay_timeout_seconds)
                await s.execute(update(t.pay_orders)
                                .where(t.pay_orders.c.pay_order_id
                                       == order.pay_order.pay_order_id)
                                .values(pay_deadline=deadline))
                await timers.arm(s, self.db, PAY_TIMEOUT_TIMER, order.order_id, deadline)
            order = await self._load(s, order.order_id)
            await outbox.publish(s, t.plumbing,
                                 ev.OrderCreated(order=order, occur_time=timestamp(utcnow())),
                                 order.order_id)
            if nothing_to_pay:
                # Points or a card cover everything: nothing goes through a
                # channel, so the order is paid now (OrderPaid makes promotion
                # capture the card and points, catalog deduct the stock).
                order = await self._mark_paid(s, order, payment_id="")
            response = pb.CreateOrderResponse(order=order)
            for scope, key in keys.items():
                await self.keys.complete(s, scope, key, response)
            return response

    async def _insert(self, s: AsyncSession, rows: OrderRows) -> None:
        await s.execute(t.biz_orders.insert(), rows.orders)
        await s.execute(t.pay_orders.insert(), rows.pay_orders)
        if rows.log_orders:
            await s.execute(t.log_orders.insert(), rows.log_orders)
        if rows.deductions:
            await s.execute(t.order_deductions.insert(), rows.deductions)

    async def _fail(self, s: AsyncSession, order_id: str, reason: int,
                    error: ZhongtaiError) -> bool:
        """INIT -> FAILED with its event; False if the order is not INIT.

        A refusal (out of stock, unknown SKU...) is remembered under the
        request's idempotency keys and replayed to repeats. A transient failure
        (a service unreachable, a crash rolled back by the timer) frees the
        keys instead, so the same request can simply be sent again.
        """
        order = await self._load(s, order_id)
        if order.status != domain.INIT:
            return False
        await self._transition(s, order, domain.CREATE_FAILED, reason=reason,
                               note=error.message,
                               operator=Operator(role=Operator.ROLE_SYSTEM))
        await timers.cancel(s, self.db, ROLLBACK_TIMER, order_id)
        order = await self._load(s, order_id)
        await outbox.publish(s, t.plumbing,
                             ev.OrderCreationFailed(order=order, occur_time=timestamp(utcnow())),
                             order_id)
        keys = OrderKeys(await self._request_id(s, order_id), order.out_type, order.out_id)
        for scope, key in keys.items():
            if is_retryable(error):
                await self.keys.release(s, scope, key)
            else:
                await self.keys.complete(s, scope, key, error=error)
        return True

    async def _request_id(self, s: AsyncSession, order_id: str) -> str:
        return str((await s.execute(select(t.biz_orders.c.request_id)
                                    .where(t.biz_orders.c.order_id == order_id))).scalar_one())

    # --- timers --------------------------------------------------------------

    async def on_rollback_timer(self, s: AsyncSession, timer: Timer) -> None:
        failed = await self._fail(s, timer.key, pb.CLOSE_REASON_CREATION_TIMEOUT,
                                  creation_timeout_error(timer.key))
        if failed:
            log.warning("order %s rolled back by its creation timer", timer.key)

    async def on_pay_timeout(self, s: AsyncSession, timer: Timer) -> None:
        order = await self._load(s, timer.key)
        if order.status not in (domain.WAIT_PAY, domain.WAIT_SELLER_CONFIRM):
            return
        reason = (pb.CLOSE_REASON_PAY_TIMEOUT if order.status == domain.WAIT_PAY
                  else pb.CLOSE_REASON_SELLER_CONFIRM_TIMEOUT)
        await self._cancel(s, order, Operator(role=Operator.ROLE_SYSTEM), reason,
                           "closed by timeout")

    async def on_balance_lapse(self, s: AsyncSession, timer: Timer) -> None:
        """A presale order's balance window ended: cancel it if still unpaid.
        The deposit is kept (not refunded); stock and benefits are released."""
        order = await self._load(s, timer.key)
        if order.status != domain.WAIT_PAY_BALANCE:
            return
        await self._cancel(s, order, Operator(role=Operator.ROLE_SYSTEM),
                           pb.CLOSE_REASON_BALANCE_LAPSED,
                           "the balance was not paid in its window; the deposit is kept")

    # --- cancellation --------------------------------------------------------

    async def cancel_order(self, s: AsyncSession, req: pb.CancelOrderRequest
                           ) -> pb.CancelOrderResponse:
        if not req.order_id:
            raise InvalidArgument.field("order_id", "is required")
        role = req.operator.role
        if role == Operator.ROLE_UNSPECIFIED:
            raise InvalidArgument.field("operator.role", "is required")
        if role in (Operator.ROLE_BUYER, Operator.ROLE_SELLER) and not req.operator.id:
            raise InvalidArgument.field("operator.id", "is required for a buyer or seller")
        order = await self._load(s, req.order_id)
        if order.parent_id:
            raise FailedPrecondition(
                "NOT_A_TOP_LEVEL_ORDER",
                f"{req.order_id} is a sub order; cancel its main order {order.parent_id}",
                metadata={"order_id": req.order_id, "parent_id": order.parent_id})
        if (role == Operator.ROLE_BUYER and req.operator.id != order.buyer_id) or (
                role == Operator.ROLE_SELLER and req.operator.id != order.seller_id):
            raise PermissionDenied(
                "NOT_A_PARTY_TO_THE_ORDER",
                f"{Operator.Role.Name(role)} {req.operator.id} cannot cancel order "
                f"{req.order_id}",
                metadata={"order_id": req.order_id})
        reason = {
            Operator.ROLE_BUYER: pb.CLOSE_REASON_BUYER_CANCELLED,
            Operator.ROLE_SELLER: pb.CLOSE_REASON_SELLER_CANCELLED,
        }.get(role, pb.CLOSE_REASON_SYSTEM_CANCELLED)
        order = await self._cancel(s, order, req.operator, reason, req.reason)
        return pb.CancelOrderResponse(order=order)

    async def _cancel(self, s: AsyncSession, order: pb.Order, operator: Operator,
                      reason: int, note: str, action: str = domain.CANCEL) -> pb.Order:
        paid = order.pay_status == pb.PAY_STATUS_PAID
        await self._transition(s, order, action, reason=reason, note=note,
                               operator=operator)
        await timers.cancel(s, self.db, PAY_TIMEOUT_TIMER, order.order_id)
        await timers.cancel(s, self.db, BALANCE_LAPSE_TIMER, order.order_id)
        await timers.cancel(s, self.db, SHIP_TIMEOUT_TIMER, order.order_id)
        v = t.vouchers.c
        await s.execute(update(t.vouchers)
                        .where(v.order_id == order.order_id,
                               v.status == pb.VOUCHER_STATUS_ISSUED)
                        .values(status=pb.VOUCHER_STATUS_CANCELLED, updated_at=utcnow()))
        order = await self._load(s, order.order_id)
        await outbox.publish(s, t.plumbing, ev.OrderCancelled(order=order, operator=operator,
                                                              occur_time=timestamp(utcnow()),
                                                              paid=paid),
                             order.order_id)
        return order

    # --- price adjustment (改价) --------------------------------------------

    async def adjust_price(self, s: AsyncSession, req: pb.AdjustPriceRequest
                           ) -> pb.AdjustPriceResponse:
        """The seller sets an unpaid order's adjustment, spread over its lines.

        Compare-and-set on the top-level order's version: every change to an
        order bumps it, so an adjustment computed from a stale read writes
        nothing and is computed again from the order as it now is (the last
        of two concurrent adjustments wins, each applied whole).
        """
        if not req.order_id:
            raise InvalidArgument.field("order_id", "is required")
        o = t.biz_orders.c
        for _ in range(5):
            version = (await s.execute(select(o.version).where(o.order_id == req.order_id))
                       ).scalar_one_or_none()
            order = await self._load(s, req.order_id)
            plan = domain.plan_price_adjustment(order, req)
            now = utcnow()
            claimed = await s.execute(
                update(t.biz_orders).where(o.order_id == order.order_id, o.version == version)
                .values(version=o.version + 1, updated_at=now,
                        adjust_amount=plan.adjust, actual_amount=plan.top_actual))
            if claimed.rowcount == 1:  # type: ignore[attr-defined]
                break
        else:
            raise Aborted("CONCURRENT_ORDER_CHANGE",
                          f"order {req.order_id} keeps changing concurrently; retry",
                          {"order_id": req.order_id})
        if order.is_main:
            for line_id, (adjust, actual) in plan.lines.items():
                await s.execute(update(t.biz_orders).where(o.order_id == line_id)
                                .values(version=o.version + 1, updated_at=now,
                                        adjust_amount=adjust, actual_amount=actual))
        await s.execute(update(t.pay_orders).where(t.pay_orders.c.order_id == order.order_id)
                        .values(adjust_amount=plan.adjust, actual_amount=plan.pay_actual,
                                updated_at=now))
        order = await self._load(s, order.order_id)
        await outbox.publish(s, t.plumbing, ev.OrderPriceAdjusted(
                                 order=order,
                                 previous_adjust_amount=Money(
                                     currency_code=order.total_amount.currency_code,
                                     amount_minor=plan.previous),
                                 reason=req.reason, occur_time=timestamp(now)),
                             order.order_id)
        return pb.AdjustPriceResponse(order=order)

    # --- payment -------------------------------------------------------------

    async def on_payment_succeeded(self, s: AsyncSession, event: pay_events.PaymentSucceeded
                                   ) -> None:
        """A payment succeeded (consumer ``trade.payment``, in its one transaction).

        Each part whose order is still WAIT_PAY is paid: PAY (WAIT_SHIP), the
        pay order PAID with the payment and its time, the unpaid timer
        cancelled, ``OrderPaid`` in the outbox. A part trade cannot take (the
        order was cancelled or closed by its timeout, was paid by another
        payment, or the part does not match the pay order) gets
        ``PaymentRejected``, on which payment refunds it.
        """
        payment = event.payment
        paid_at = to_datetime(event.occur_time) if event.HasField("occur_time") else utcnow()
        for part in payment.parts:
            rejection = await self._pay(s, payment, part, paid_at)
            if rejection is None:
                continue
            log.warning("payment %s for order %s rejected: %s", payment.payment_id,
                        part.order_id, rejection)
            await outbox.publish(s, t.plumbing,
                                 ev.PaymentRejected(
                                     order_id=part.order_id, pay_order_id=part.pay_order_id,
                                     payment_id=payment.payment_id, amount=part.amount,
                                     reason=str(rejection), reason_code=rejection.reason,
                                     occur_time=timestamp(utcnow())),
                                 part.order_id)

    async def on_refund_succeeded(self, s: AsyncSession, event: pay_events.RefundSucceeded
                                  ) -> None:
        """The refund of a pay order trade marked REFUNDING (an order cancelled
        after payment) succeeded: the pay order is REFUNDED, and the order
        (with its sub orders) once none of its pay orders is still
        REFUNDING. Other refunds do not concern the order's status."""
        pay_order_id = event.refund.pay_order_id
        if not pay_order_id:
            return
        po = t.pay_orders
        changed = await s.execute(update(po).where(
            po.c.pay_order_id == pay_order_id, po.c.status == pb.PAY_STATUS_REFUNDING,
        ).values(status=pb.PAY_STATUS_REFUNDED, updated_at=utcnow()))
        if not changed.rowcount:  # type: ignore[attr-defined]
            return
        order_id = (await s.execute(select(po.c.order_id).where(
            po.c.pay_order_id == pay_order_id))).scalar_one()
        left = (await s.execute(select(po.c.pay_order_id).where(
            po.c.order_id == order_id, po.c.status == pb.PAY_STATUS_REFUNDING))).first()
        if left is not None:
            return
        bo = t.biz_orders
        await s.execute(update(bo).where(
            (bo.c.order_id == order_id) | (bo.c.parent_id == order_id),
            bo.c.pay_status == pb.PAY_STATUS_REFUNDING,
        ).values(pay_status=pb.PAY_STATUS_REFUNDED, updated_at=utcnow(),
                 version=bo.c.version + 1))

    async def _pay(self, s: AsyncSession, payment: pay_pb.Payment, part: pay_pb.PaymentPart,
                   paid_at: dt.datetime) -> domain.Rejection | None:
        """Pay one part's order; None if paid (now or already by this payment),
        else why it cannot be (``domain.payability`` at the time it was paid)."""
        order_id = (await s.execute(select(t.pay_orders.c.order_id).where(
            t.pay_orders.c.pay_order_id == part.pay_order_id))).scalar()
        order = None
        if order_id is not None:
            # Lock the order (the same row a price adjustment or a cancel
            # changes first) and read it again under the lock: a payment of an
            # amount just adjusted away is rejected, never taken. The
            # transition is a compare-and-set as well (SQLite has no row locks).
            await s.execute(select(t.biz_orders.c.order_id)
                            .where(t.biz_orders.c.order_id == order_id).with_for_update())
            order = await self._load(s, order_id)
        po = domain.pay_order_of(order, part.pay_order_id)
        if po is not None and po.payment_id == payment.payment_id:
            return None  # this payment already paid it
        rejection = domain.payability(order, part.pay_order_id, order_id=part.order_id,
                                      buyer_id=payment.buyer_id, amount=part.amount,
                                      at=paid_at)
        if rejection is not None or order is None or po is None:
            return rejection
        if po.kind == domain.DEPOSIT:
            await self._mark_deposit_paid(s, order, part.pay_order_id, payment.payment_id,
                                          paid_at)
        else:
            await self._mark_paid(s, order, payment.payment_id, paid_at,
                                  pay_order_id=part.pay_order_id)
        return None

    async def check_payable(self, s: AsyncSession, req: pb.CheckPayableRequest
                            ) -> pb.CheckPayableResponse:
        """Whether each part would be taken now (read-only): payment's pre-check."""
        domain.validate_check_payable(req)
        owners = {r.pay_order_id: r.order_id for r in (await s.execute(
            select(t.pay_orders.c.pay_order_id, t.pay_orders.c.order_id).where(
                t.pay_orders.c.pay_order_id.in_([p.pay_order_id for p in req.parts])))).all()}
        rows = (await s.execute(select(t.biz_orders).where(
            t.biz_orders.c.order_id.in_(sorted(set(owners.values())))))).all()
        orders = {o.order_id: o for o in await self._views(s, rows)}
        now = utcnow()
        resp = pb.CheckPayableResponse()
        for part in req.parts:
            order = orders.get(owners.get(part.pay_order_id, ""))
            result = resp.results.add(pay_order_id=part.pay_order_id)
            rejection = domain.payability(order, part.pay_order_id, order_id=part.order_id,
                                          buyer_id=req.buyer_id, amount=part.amount, at=now)
            if rejection is not None:
                result.reason, result.detail = rejection.reason, rejection.detail
            if rejection is not None and rejection.reason in domain.NOT_THE_PAYERS:
                continue  # someone else's pay order: nothing about it is told
            if (po := domain.pay_order_of(order, part.pay_order_id)) is not None:
                result.pay_order.CopyFrom(po)
        return resp

    async def _mark_deposit_paid(self, s: AsyncSession, order: pb.Order, pay_order_id: str,
                                 payment_id: str, paid_at: dt.datetime) -> None:
        """WAIT_PAY → WAIT_PAY_BALANCE: the deposit pay order paid, the unpaid
        timer cancelled, the lapse timer armed at the balance window's end. No
        event: stock stays reserved and benefits held until the balance."""
        await self._transition(s, order, domain.PAY_DEPOSIT)
        await s.execute(update(t.pay_orders)
                        .where(t.pay_orders.c.pay_order_id == pay_order_id)
                        .values(payment_id=payment_id, paid_at=paid_at, updated_at=utcnow()))
        await timers.cancel(s, self.db, PAY_TIMEOUT_TIMER, order.order_id)
        balance = next(p for p in order.pay_orders if p.kind == domain.BALANCE)
        await timers.arm(s, self.db, BALANCE_LAPSE_TIMER, order.order_id,
                         max(to_datetime(balance.balance_end_time), utcnow()))

    async def _mark_paid(self, s: AsyncSession, order: pb.Order, payment_id: str,
                         paid_at: dt.datetime | None = None, *,
                         pay_order_id: str = "") -> pb.Order:
        """WAIT_PAY (or WAIT_PAY_BALANCE) → paid, with the pay order (the one
        due now unless given), in the caller's transaction.

        Where the order goes depends on its lines (``domain.pay_action``):
        physical goods wait for shipping (the ship timeout is armed), an
        order of e-vouchers only waits for use, one of online services waits
        for receipt at once (the automatic receipt is armed). Voucher codes
        are issued for every e-voucher line (``VouchersIssued``).
        """
        action = domain.pay_action(line.item.item_type for line in _lines(order))
        await self._transition(s, order, action)
        now = utcnow()
        await s.execute(update(t.pay_orders)
                        .where(t.pay_orders.c.pay_order_id
                               == (pay_order_id or order.pay_order.pay_order_id))
                        .values(payment_id=payment_id, paid_at=paid_at or now,
                                updated_at=now))
        await timers.cancel(s, self.db, PAY_TIMEOUT_TIMER, order.order_id)
        await timers.cancel(s, self.db, BALANCE_LAPSE_TIMER, order.order_id)
        if action == domain.PAY and self.settings.ship_timeout_seconds > 0:
            await timers.arm(s, self.db, SHIP_TIMEOUT_TIMER, order.order_id,
                             now + dt.timedelta(seconds=self.settings.ship_timeout_seconds))
        elif action == domain.PAY_TO_RECEIVE:
            await self._start_receipt(s, order.order_id, now)
        vouchers = await self._issue_vouchers(s, order, now)
        order = await self._load(s, order.order_id)
        await outbox.publish(s, t.plumbing, ev.OrderPaid(order=order, payment_id=payment_id,
                                          occur_time=timestamp(now)),
                             order.order_id)
        if vouchers:
            await outbox.publish(s, t.plumbing, ev.VouchersIssued(order=order, vouchers=vouchers,
                                                   occur_time=timestamp(now)),
                                 order.order_id)
        return order

    # --- fulfilment: shipping, receipt, vouchers ----------------------------

    async def _start_receipt(self, s: AsyncSession, order_id: str, now: dt.datetime, *,
                             shipped: bool = False) -> None:
        """The order waits for receipt from ``now``: its automatic receipt is
        due ``auto_confirm_seconds`` later (a durable timer)."""
        deadline = now + dt.timedelta(seconds=self.settings.auto_confirm_seconds)
        values: dict[str, Any] = {"receive_deadline": deadline, "updated_at": now}
        if shipped:
            values["shipped_at"] = now
        await s.execute(update(t.biz_orders).where(t.biz_orders.c.order_id == order_id)
                        .values(**values))
        await timers.arm(s, self.db, AUTO_CONFIRM_TIMER, order_id, deadline)

    async def _issue_vouchers(self, s: AsyncSession, order: pb.Order, now: dt.datetime
                              ) -> list[pb.Voucher]:
        """One code per unit of each e-voucher line (unguessable, unique)."""
        wanted = [line for line in _lines(order) if domain.is_voucher(line.item.item_type)]
        if not wanted:
            return []
        total = sum(line.quantity for line in wanted)
        codes: set[str] = set()
        v = t.vouchers.c
        while len(codes) < total:
            fresh = {domain.new_voucher_code() for _ in range(total - len(codes))} - codes
            for chunk in _chunks(sorted(fresh), 500):
                taken = set((await s.execute(select(v.code).where(v.code.in_(chunk))))
                            .scalars().all())
                codes |= set(chunk) - taken
        pool = sorted(codes)
        rows = []
        for line in wanted:
            for _ in range(line.quantity):
                rows.append({"code": pool.pop(), "order_id": order.order_id,
                             "line_order_id": line.order_id, "seller_id": line.seller_id,
                             "buyer_id": order.buyer_id, "sku_id": line.item.sku_id,
                             "status": pb.VOUCHER_STATUS_ISSUED, "created_at": now,
                             "redeemed_at": None, "updated_at": now})
        await s.execute(t.vouchers.insert(), rows)
        return [voucher_view(_row(r)) for r in rows]

    async def _lock_top(self, s: AsyncSession, order_id: str) -> None:
        """Lock a top-level order's row: every change to the order (pay,
        cancel, ship, receive, redeem) takes it first."""
        await s.execute(select(t.biz_orders.c.order_id)
                        .where(t.biz_orders.c.order_id == order_id).with_for_update())

    async def on_logistics_order_changed(self, s: AsyncSession,
                                         event: lg_events.LogisticsOrderChanged) -> None:
        """logistics' ``logistics.order.changed`` (consumer ``trade.logistics``,
        in its one transaction): mirror the status on the log_order and its
        single or sub order; when every log_order of a WAIT_SHIP order is
        shipped, the order ships (WAIT_RECEIVE, ``OrderShipped``, ship
        timeout cancelled, automatic receipt armed).

        Statuses only move forward: a redelivered or older event changes
        nothing. On a cancelled order the log_order records what logistics
        says (the goods may have moved after all) but the order does not.
        """
        lo = event.logistics_order
        if lo.role not in (lg.LOGISTICS_ORDER_ROLE_UNSPECIFIED, lg.LOGISTICS_ORDER_ROLE_ORDER):
            return
        incoming = domain.FROM_LOGISTICS.get(lo.status)
        lt = t.log_orders
        row = (await s.execute(select(lt).where(lt.c.log_order_id == lo.log_order_id))).first()
        if incoming is None or row is None or (lo.order_id and lo.order_id != row.order_id):
            # Nothing trade can do with it; redelivering would not change that.
            log.error("logistics order %s (log order %s, order %s, status %d) matches no "
                      "log order of trade or status; ignored", lo.logistics_order_id,
                      lo.log_order_id, lo.order_id, lo.status)
            return
        line = (await s.execute(select(t.biz_orders.c.parent_id)
                                .where(t.biz_orders.c.order_id == row.order_id))).one()
        top_id = line.parent_id or row.order_id
        await self._lock_top(s, top_id)
        row = (await s.execute(select(lt).where(lt.c.log_order_id == lo.log_order_id))).one()
        new = domain.mirrored_status(row.status, incoming)
        if new is None:
            log.info("log order %s is %s; %s from logistics ignored (not forward)",
                     row.log_order_id, pb.LogisticsStatus.Name(row.status),
                     pb.LogisticsStatus.Name(incoming))
            return
        now = utcnow()
        await s.execute(update(lt).where(lt.c.log_order_id == row.log_order_id)
                        .values(status=new, updated_at=now))
        order = await self._load(s, top_id)
        if order.status in (domain.CANCELLED, domain.FAILED):
            log.warning("log order %s of %s order %s is now %s (recorded on the log order "
                        "only)", row.log_order_id, pb.OrderStatus.Name(order.status), top_id,
                        pb.LogisticsStatus.Name(new))
            return
        o = t.biz_orders.c
        await s.execute(update(t.biz_orders).where(o.order_id == row.order_id)
                        .values(logistics_status=new, version=o.version + 1, updated_at=now))
        if order.is_main:
            order = await self._load(s, top_id)
            combined = domain.combined_logistics_status(
                [x.log_order.status for x in order.sub_orders if x.HasField("log_order")])
            await s.execute(update(t.biz_orders).where(o.order_id == top_id)
                            .values(logistics_status=combined, updated_at=now))
        order = await self._load(s, top_id)
        statuses = [x.log_order.status for x in _lines(order) if x.HasField("log_order")]
        if order.status == domain.WAIT_SHIP and domain.all_shipped(statuses):
            await self._transition(s, order, domain.SHIP)
            await timers.cancel(s, self.db, SHIP_TIMEOUT_TIMER, top_id)
            await self._start_receipt(s, top_id, now, shipped=True)
            order = await self._load(s, top_id)
            await outbox.publish(s, t.plumbing,
                                 ev.OrderShipped(order=order, occur_time=timestamp(now)),
                                 top_id)

    async def on_ship_timeout(self, s: AsyncSession, timer: Timer) -> None:
        """A paid order nothing of which shipped in time: cancelled as the
        system (CLOSE_REASON_SHIP_TIMEOUT), its pay orders REFUNDING;
        ``OrderCancelled`` makes payment refund it in full and logistics
        cancel its logistics orders."""
        await self._lock_top(s, timer.key)
        order = await self._load(s, timer.key)
        if order.status != domain.WAIT_SHIP:
            return
        if domain.anything_shipped(x.log_order.status for x in _lines(order)
                                   if x.HasField("log_order")):
            log.info("order %s: part shipped; the ship timeout does not cancel it",
                     order.order_id)
            return
        await self._cancel(s, order, Operator(role=Operator.ROLE_SYSTEM),
                           pb.CLOSE_REASON_SHIP_TIMEOUT,
                           "nothing was shipped in time; the payment is refunded",
                           action=domain.SHIP_TIMEOUT)
        log.warning("order %s cancelled: not shipped in time", order.order_id)

    async def on_auto_confirm(self, s: AsyncSession, timer: Timer) -> None:
        """The automatic receipt: an order still WAIT_RECEIVE at its deadline
        is completed as the system (``OrderCompleted``, automatic)."""
        await self._lock_top(s, timer.key)
        order = await self._load(s, timer.key)
        if order.status != domain.WAIT_RECEIVE:
            return
        if order.HasField("auto_receive_time"):
            deadline = to_datetime(order.auto_receive_time)
            if deadline > utcnow():  # pushed back meanwhile
                await timers.arm(s, self.db, AUTO_CONFIRM_TIMER, order.order_id, deadline)
                return
        await self._complete(s, order, domain.RECEIVE, Operator(role=Operator.ROLE_SYSTEM),
                             automatic=True)

    async def _complete(self, s: AsyncSession, order: pb.Order, action: str,
                        operator: Operator, *, automatic: bool = False) -> pb.Order:
        await self._transition(s, order, action)
        await timers.cancel(s, self.db, AUTO_CONFIRM_TIMER, order.order_id)
        order = await self._load(s, order.order_id)
        await outbox.publish(s, t.plumbing, ev.OrderCompleted(order=order, automatic=automatic,
                                               operator=operator,
                                               occur_time=timestamp(utcnow())),
                             order.order_id)
        return order

    async def confirm_receipt(self, s: AsyncSession, req: pb.ConfirmReceiptRequest
                              ) -> pb.ConfirmReceiptResponse:
        """The buyer confirms receipt: WAIT_RECEIVE → COMPLETED."""
        domain.validate_buyer_request(req)
        await self._lock_top(s, req.order_id)
        order = await self._load(s, req.order_id)
        domain.check_party(order, buyer_id=req.buyer_id, action="confirm receipt of")
        order = await self._complete(
            s, order, domain.RECEIVE, Operator(role=Operator.ROLE_BUYER, id=req.buyer_id))
        return pb.ConfirmReceiptResponse(order=order)

    async def extend_receipt(self, s: AsyncSession, req: pb.ExtendReceiptRequest
                             ) -> pb.ExtendReceiptResponse:
        """The buyer pushes the automatic receipt back by the extension, at
        most ``max_receipt_extensions`` times (compare-and-set on the count)."""
        domain.validate_buyer_request(req)
        await self._lock_top(s, req.order_id)
        order = await self._load(s, req.order_id)
        domain.check_party(order, buyer_id=req.buyer_id, action="extend the receipt of")
        domain.check_extension(order, self.settings.max_receipt_extensions)
        now = utcnow()
        base = to_datetime(order.auto_receive_time) if order.HasField("auto_receive_time") \
            else now + dt.timedelta(seconds=self.settings.auto_confirm_seconds)
        deadline = base + dt.timedelta(seconds=self.settings.receipt_extension_seconds)
        o = t.biz_orders.c
        changed = await s.execute(
            update(t.biz_orders).where(o.order_id == order.order_id,
                                       o.status == domain.WAIT_RECEIVE,
                                       o.receipt_extensions == order.receipt_extensions)
            .values(receive_deadline=deadline, receipt_extensions=o.receipt_extensions + 1,
                    version=o.version + 1, updated_at=now))
        if changed.rowcount != 1:  # type: ignore[attr-defined]
            raise Aborted("CONCURRENT_ORDER_CHANGE",
                          f"order {order.order_id} changed concurrently; retry",
                          {"order_id": order.order_id})
        await timers.arm(s, self.db, AUTO_CONFIRM_TIMER, order.order_id, deadline)
        order = await self._load(s, order.order_id)
        await outbox.publish(s, t.plumbing,
                             ev.OrderReceiptExtended(order=order, occur_time=timestamp(now)),
                             order.order_id)
        return pb.ExtendReceiptResponse(order=order)

    async def redeem_voucher(self, s: AsyncSession, req: pb.RedeemVoucherRequest
                             ) -> pb.RedeemVoucherResponse:
        """The line's seller redeems a code (核销); the last code of an order
        waiting for use completes it."""
        domain.validate_redeem(req)
        v = t.vouchers.c
        row = (await s.execute(select(t.vouchers).where(v.code == req.code))).first()
        if row is None:
            raise NotFound("VOUCHER_NOT_FOUND", "no such voucher code")
        await self._lock_top(s, row.order_id)
        row = (await s.execute(select(t.vouchers).where(v.code == req.code))).one()
        order = await self._load(s, row.order_id)
        voucher = voucher_view(row)
        domain.check_redeem(voucher, order.status, req.seller_id)
        now = utcnow()
        changed = await s.execute(
            update(t.vouchers).where(v.code == req.code, v.status == pb.VOUCHER_STATUS_ISSUED)
            .values(status=pb.VOUCHER_STATUS_REDEEMED, redeemed_at=now, updated_at=now))
        if changed.rowcount != 1:  # type: ignore[attr-defined]
            voucher.status = pb.VOUCHER_STATUS_REDEEMED  # a concurrent redemption won
            domain.check_redeem(voucher, order.status, req.seller_id)
        row = (await s.execute(select(t.vouchers).where(v.code == req.code))).one()
        voucher = voucher_view(row)
        left = (await s.execute(select(v.code).where(
            v.order_id == order.order_id, v.status == pb.VOUCHER_STATUS_ISSUED).limit(1))).first()
        seller = Operator(role=Operator.ROLE_SELLER, id=req.seller_id)
        order = await self._load(s, order.order_id)
        await outbox.publish(s, t.plumbing, ev.VoucherRedeemed(voucher=voucher, order=order,
                                                occur_time=timestamp(now)),
                             order.order_id)
        if order.status == domain.WAIT_USE and left is None:
            order = await self._complete(s, order, domain.USE, seller)
        return pb.RedeemVoucherResponse(voucher=voucher, order=order)

    async def list_vouchers(self, s: AsyncSession, req: pb.ListVouchersRequest
                            ) -> pb.ListVouchersResponse:
        if not req.order_id:
            raise InvalidArgument.field("order_id", "is required")
        row = await fetch_one(s, t.biz_orders.c.order_id, req.order_id, "order")
        size = pagination.page_size(req.page_size)
        query_key = f"vouchers:{req.order_id}"
        after = pagination.decode_token(req.page_token, query_key)
        v = t.vouchers.c
        q = select(t.vouchers).order_by(v.code).limit(size + 1)
        q = q.where(v.line_order_id == req.order_id) if row.parent_id or not row.is_main \
            else q.where(v.order_id == req.order_id)
        if after:
            q = q.where(v.code > after)
        rows = (await s.execute(q)).all()
        resp = pb.ListVouchersResponse(vouchers=[voucher_view(r) for r in rows[:size]])
        if len(rows) > size:
            resp.next_page_token = pagination.encode_token(rows[size - 1].code, query_key)
        return resp

    # --- state changes -------------------------------------------------------

    async def _transition(self, s: AsyncSession, order: pb.Order, action: str, *,
                          reason: int = 0, note: str = "",
                          operator: Operator | None = None) -> None:
        """Move a top-level order and its sub orders together (compare-and-set)."""
        new = domain.next_status(order.order_id, order.status, action)
        ids = [order.order_id, *(sub.order_id for sub in order.sub_orders)]
        now = utcnow()
        values: dict[str, Any] = {"status": new, "updated_at": now,
                                  "version": t.biz_orders.c.version + 1}
        if reason:
            values.update(close_reason=reason, close_note=note[:2000],
                          closed_by_role=operator.role if operator else 0,
                          closed_by_id=operator.id if operator else "")
        changed = 0
        for o in [order, *order.sub_orders]:
            result = await s.execute(
                update(t.biz_orders)
                .where(t.biz_orders.c.order_id == o.order_id,
                       t.biz_orders.c.status == order.status)
                .values(**values,
                        pay_status=domain.pay_status_after(action, o.pay_status),
                        logistics_status=domain.logistics_status_after(
                            action, o.logistics_status)))
            changed += result.rowcount  # type: ignore[attr-defined]
        if changed != len(ids):
            # Someone else moved the order first: roll back, report its state.
            current = await self._load(s, order.order_id)
            domain.next_status(order.order_id, current.status, action)
            raise Aborted("CONCURRENT_ORDER_CHANGE",
                                     f"order {order.order_id} changed concurrently; retry")
        for p in order.pay_orders:
            await s.execute(update(t.pay_orders)
                            .where(t.pay_orders.c.pay_order_id == p.pay_order_id)
                            .values(status=domain.pay_order_status_after(action, p.kind,
                                                                         p.status),
                                    updated_at=now))
        for o in [order, *order.sub_orders]:
            if o.HasField("log_order"):
                await s.execute(
                    update(t.log_orders).where(t.log_orders.c.order_id == o.order_id)
                    .values(status=domain.logistics_status_after(action, o.log_order.status),
                            updated_at=now))

    # --- queries -------------------------------------------------------------

    async def get_order(self, s: AsyncSession, order_id: str) -> pb.Order:
        if not order_id:
            raise InvalidArgument.field("order_id", "is required")
        return await self._load(s, order_id)

    async def _load(self, s: AsyncSession, order_id: str) -> pb.Order:
        row = await fetch_one(s, t.biz_orders.c.order_id, order_id, "order")
        return (await self._views(s, [row]))[0]

    async def _views(self, s: AsyncSession, rows: Sequence[Any]) -> list[pb.Order]:
        """Order messages for rows, with sub orders, pay, log orders and deductions."""
        if not rows:
            return []
        main_ids = [r.order_id for r in rows if r.is_main]
        subs: list[Any] = []
        if main_ids:
            subs = list((await s.execute(
                select(t.biz_orders).where(t.biz_orders.c.parent_id.in_(main_ids))
                .order_by(t.biz_orders.c.order_id))).all())
        all_ids = [r.order_id for r in rows] + [x.order_id for x in subs]
        top_ids = [r.order_id for r in rows if r.parent_id is None]
        related = Related(
            subs=subs,
            pay_orders=list((await s.execute(
                select(t.pay_orders).where(t.pay_orders.c.order_id.in_(top_ids)))).all()),
            log_orders=list((await s.execute(
                select(t.log_orders).where(t.log_orders.c.order_id.in_(all_ids)))).all()),
            deductions=list((await s.execute(
                select(t.order_deductions).where(t.order_deductions.c.order_id.in_(all_ids))
                .order_by(t.order_deductions.c.order_id, t.order_deductions.c.seq))).all()),
            vouchers=list((await s.execute(
                select(t.vouchers).where(t.vouchers.c.line_order_id.in_(all_ids))
                .order_by(t.vouchers.c.code))).all()),
        )
        return build_views(rows, related)

    async def list_orders(self, s: AsyncSession, req: pb.ListOrdersRequest
                          ) -> pb.ListOrdersResponse:
        if bool(req.buyer_id) == bool(req.seller_id):
            raise InvalidArgument.field("buyer_id", "give exactly one of buyer_id and seller_id")
        for i, st in enumerate(req.statuses):
            if st not in pb.OrderStatus.values() or st == pb.ORDER_STATUS_UNSPECIFIED:
                raise InvalidArgument.field(f"statuses[{i}]", "is not an order status")
        size = pagination.page_size(req.page_size)
        query_key = f"orders:{req.buyer_id}:{req.seller_id}:{sorted(req.statuses)}"
        before = pagination.decode_token(req.page_token, query_key)
        o = t.biz_orders.c
        q = select(t.biz_orders).order_by(o.order_id.desc()).limit(size + 1)
        if req.buyer_id:
            q = q.where(o.buyer_id == req.buyer_id, o.parent_id.is_(None))
        else:
            q = q.where(o.seller_id == req.seller_id, o.is_main.is_(False))
        if req.statuses:
            q = q.where(o.status.in_(list(req.statuses)))
        if before:
            q = q.where(o.order_id < before)
        rows = (await s.execute(q)).all()
        resp = pb.ListOrdersResponse(orders=await self._views(s, rows[:size]))
        if len(rows) > size:
            resp.next_page_token = pagination.encode_token(rows[size - 1].order_id, query_key)
        return resp


# --- rows and views ----------------------------------------------------------


@dataclass
class OrderRows:
    """The rows one checkout writes (biz orders: the top-level one first)."""

    orders: list[dict[str, Any]]
    # FULL; or DEPOSIT then BALANCE for a presale order.
    pay_orders: list[dict[str, Any]]
    log_orders: list[dict[str, Any]]
    deductions: list[dict[str, Any]]


def order_rows(req: pb.CreateOrderRequest | pb.QuoteOrderRequest, a: domain.Assembly,
               now: dt.datetime) -> OrderRows:
    address = json_format.MessageToJson(req.address, indent=None) \
        if req.HasField("address") else "{}"
    common: dict[str, Any] = {
        "buyer_id": req.buyer_id, "status": domain.INIT,
        "pay_status": pb.PAY_STATUS_UNPAID, "currency": a.currency,
        "close_reason": 0, "close_note": "", "closed_by_role": 0, "closed_by_id": "",
        "version": 1, "created_at": now, "updated_at": now, "freight_amount": 0,
        "adjust_amount": 0, "shipped_at": None, "receive_deadline": None,
        "receipt_extensions": 0,
    }
    extra = {"request_id": "", "out_type": "", "out_id": "", "buyer_memo": ""}
    if isinstance(req, pb.CreateOrderRequest):
        extra = {"request_id": req.request_id, "out_type": req.out_type,
                 "out_id": req.out_id, "buyer_memo": req.buyer_memo}
    top: dict[str, Any] = {
        **common, **extra, "order_id": a.top_id, "parent_id": None, "is_main": a.is_main,
        "seller_id": a.seller_id,
        "logistics_status": (pb.LOGISTICS_STATUS_UNSHIPPED if a.needs_logistics
                             else pb.LOGISTICS_STATUS_NOT_REQUIRED),
        "total_amount": a.total, "discount_amount": a.deducted(),
        "actual_amount": a.actual, "freight_amount": a.freight,
        "item_id": "", "item_version": 0, "sku_id": "", "item_title": "", "category_id": "",
        "item_type": 0, "sku_attributes": "{}", "unit_price": 0, "quantity": 0,
        "weight_grams": 0, "volume_cm3": 0,
    }
    orders = [top]
    deductions: list[dict[str, Any]] = []
    for line in a.lines:
        item = {
            "item_id": line.sku.item_id, "item_version": line.sku.item_version,
            "sku_id": line.sku.sku_id, "item_title": line.sku.title,
            "category_id": line.sku.category_id, "item_type": line.sku.item_type,
            "sku_attributes": json.dumps(dict(line.sku.attributes), sort_keys=True,
                                         ensure_ascii=False),
            "unit_price": line.sku.price.amount_minor, "quantity": line.quantity,
            "weight_grams": line.sku.weight_grams, "volume_cm3": line.sku.volume_cm3,
        }
        deductions += [
            {"order_id": line.order_id, "seq": seq, "kind": d.kind, "source_id": d.source_id,
             "currency": a.currency, "amount": d.amount.amount_minor,
             "platform_amount": d.platform_amount.amount_minor,
             "merchant_amount": d.merchant_amount.amount_minor}
            for seq, d in enumerate(line.deductions)]
        if not a.is_main:
            top.update(item)
            continue
        orders.append({
            **common, **item, "order_id": line.order_id, "parent_id": a.top_id,
            "is_main": False, "seller_id": line.seller_id,
            "logistics_status": (pb.LOGISTICS_STATUS_UNSHIPPED if line.log_order_id
                                 else pb.LOGISTICS_STATUS_NOT_REQUIRED),
            "total_amount": line.total, "discount_amount": line.deducted(),
            "actual_amount": line.actual, "freight_amount": line.freight,
            "request_id": "", "out_type": "", "out_id": "", "buyer_memo": "",
        })
    # The order's deductions in three parts: points, the card, the rest.
    pay_order: dict[str, Any] = {
        "pay_order_id": a.pay_order_id, "order_id": a.top_id, "currency": a.currency,
        "total_amount": a.total, "point_amount": a.deducted(kinds={domain.POINTS}),
        "discount_amount": a.deducted(without={domain.POINTS, domain.CARD}),
        "adjust_amount": 0, "stored_value_amount": a.deducted(kinds={domain.CARD}),
        "freight_amount": a.freight, "actual_amount": a.actual + a.freight,
        "status": pb.PAY_STATUS_UNPAID, "pay_deadline": None, "kind": domain.FULL,
        "balance_start": None, "balance_end": None,
        "created_at": now, "updated_at": now,
    }
    pay_orders = [pay_order]
    if (terms := a.presale) is not None:
        # The deposit now; the balance (everything else, benefits included)
        # inside its window.
        deposit = a.deposit
        pay_orders = [
            {**pay_order, "kind": domain.DEPOSIT, "total_amount": deposit, "point_amount": 0,
             "discount_amount": 0, "stored_value_amount": 0, "freight_amount": 0,
             "actual_amount": deposit},
            {**pay_order, "pay_order_id": a.balance_pay_order_id, "kind": domain.BALANCE,
             "total_amount": a.total - deposit,
             "actual_amount": pay_order["actual_amount"] - deposit,
             "balance_start": to_datetime(terms.balance_start_time),
             "balance_end": to_datetime(terms.balance_end_time)},
        ]
    log_orders = [{"log_order_id": line.log_order_id, "order_id": line.order_id,
                   "status": pb.LOGISTICS_STATUS_UNSHIPPED, "address": address,
                   "created_at": now, "updated_at": now}
                  for line in a.lines if line.log_order_id]
    return OrderRows(orders, pay_orders, log_orders, deductions)


@dataclass
class Related:
    """What order views need besides the top-level rows."""

    subs: list[Any]
    pay_orders: list[Any]
    log_orders: list[Any]
    deductions: list[Any]
    vouchers: list[Any] = field(default_factory=list)


def _lines(order: pb.Order) -> list[pb.Order]:
    """An order's lines: its sub orders, or the single order itself."""
    return list(order.sub_orders) if order.is_main else [order]


def _chunks(items: Sequence[str], size: int) -> list[Sequence[str]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def voucher_view(r: Any) -> pb.Voucher:
    v = pb.Voucher(code=r.code, order_id=r.order_id, line_order_id=r.line_order_id,
                   seller_id=r.seller_id, buyer_id=r.buyer_id, sku_id=r.sku_id,
                   status=r.status, issue_time=timestamp(r.created_at))
    if r.redeemed_at is not None:
        v.redeem_time.CopyFrom(timestamp(r.redeemed_at))
    return v


def _row(values: dict[str, Any]) -> SimpleNamespace:
    return SimpleNamespace(**values)


def rows_namespace(rows: OrderRows) -> Related:
    """The rows of a checkout not yet written, shaped like rows read back."""
    return Related(subs=[_row(r) for r in rows.orders[1:]],
                   pay_orders=[_row(p) for p in rows.pay_orders],
                   log_orders=[_row(r) for r in rows.log_orders],
                   deductions=[_row(r) for r in rows.deductions])


def _clear_ids(order: pb.Order) -> None:
    for o in [order, *order.sub_orders]:
        o.order_id = o.parent_id = ""
        o.log_order.log_order_id = o.log_order.order_id = ""
    for p in [order.pay_order, *order.pay_orders]:
        p.pay_order_id = p.order_id = ""


def build_views(rows: Sequence[Any], related: Related) -> list[pb.Order]:
    subs: dict[str, list[Any]] = {}
    for sub in related.subs:
        subs.setdefault(sub.parent_id, []).append(sub)
    pays: dict[str, list[Any]] = {}
    for p in related.pay_orders:
        pays.setdefault(p.order_id, []).append(p)
    logs = {lo.order_id: lo for lo in related.log_orders}
    deductions: dict[str, list[Any]] = {}
    for d in related.deductions:
        deductions.setdefault(d.order_id, []).append(d)
    vouchers: dict[str, list[Any]] = {}
    for vr in related.vouchers:
        vouchers.setdefault(vr.line_order_id, []).append(vr)

    def view(r: Any) -> pb.Order:
        def money(amount: int) -> Money:
            return Money(currency_code=r.currency, amount_minor=amount)

        o = pb.Order(
            order_id=r.order_id, parent_id=r.parent_id or "", is_main=r.is_main,
            buyer_id=r.buyer_id, seller_id=r.seller_id, status=r.status,
            pay_status=r.pay_status, logistics_status=r.logistics_status,
            quantity=r.quantity, total_amount=money(r.total_amount),
            discount_amount=money(r.discount_amount), freight_amount=money(r.freight_amount),
            actual_amount=money(r.actual_amount), adjust_amount=money(r.adjust_amount),
            out_type=r.out_type, out_id=r.out_id,
            close_reason=r.close_reason, close_note=r.close_note,
            buyer_memo=r.buyer_memo, create_time=timestamp(r.created_at),
            update_time=timestamp(r.updated_at), receipt_extensions=r.receipt_extensions,
        )
        if r.receive_deadline is not None:
            o.auto_receive_time.CopyFrom(timestamp(r.receive_deadline))
        if r.shipped_at is not None:
            o.ship_time.CopyFrom(timestamp(r.shipped_at))
        o.vouchers.extend(voucher_view(x) for x in vouchers.get(r.order_id, []))
        if r.closed_by_role:
            o.closed_by.CopyFrom(Operator(role=r.closed_by_role, id=r.closed_by_id))
        if r.sku_id:
            o.item.CopyFrom(pb.ItemSnapshot(
                item_id=r.item_id, item_version=r.item_version, sku_id=r.sku_id,
                title=r.item_title, category_id=r.category_id, item_type=r.item_type,
                attributes=json.loads(r.sku_attributes), unit_price=money(r.unit_price),
                weight_grams=r.weight_grams, volume_cm3=r.volume_cm3))
        for p in sorted(pays.get(r.order_id, []), key=lambda p: p.kind):
            po = o.pay_orders.add(
                pay_order_id=p.pay_order_id, order_id=p.order_id,
                total_amount=money(p.total_amount), point_amount=money(p.point_amount),
                discount_amount=money(p.discount_amount),
                adjust_amount=money(p.adjust_amount),
                stored_value_amount=money(p.stored_value_amount),
                freight_amount=money(p.freight_amount),
                actual_amount=money(p.actual_amount), status=p.status, kind=p.kind,
                payment_id=getattr(p, "payment_id", ""))
            if p.pay_deadline is not None:
                po.pay_expire_time.CopyFrom(timestamp(p.pay_deadline))
            if p.balance_start is not None:
                po.balance_start_time.CopyFrom(timestamp(p.balance_start))
                po.balance_end_time.CopyFrom(timestamp(p.balance_end))
        if (due := domain.due_pay_order(o.pay_orders)) is not None:
            o.pay_order.CopyFrom(due)
        if (lo := logs.get(r.order_id)) is not None:
            o.log_order.CopyFrom(pb.LogOrder(
                log_order_id=lo.log_order_id, order_id=lo.order_id, status=lo.status,
                address=json_format.Parse(lo.address, Address())))
        o.sub_orders.extend(view(x) for x in subs.get(r.order_id, []))
        own = deductions.get(r.order_id, [])
        o.deductions.extend(promo.Deduction(
            kind=d.kind, source_id=d.source_id, amount=money(d.amount),
            platform_amount=money(d.platform_amount), merchant_amount=money(d.merchant_amount))
            for d in own)
        if o.is_main:  # the whole cart: each source's deductions summed over the lines
            totals: dict[tuple[Any, str], list[int]] = {}
            for sub in o.sub_orders:
                for d in sub.deductions:
                    acc = totals.setdefault((d.kind, d.source_id), [0, 0, 0])
                    acc[0] += d.amount.amount_minor
                    acc[1] += d.platform_amount.amount_minor
                    acc[2] += d.merchant_amount.amount_minor
            o.deductions.extend(promo.Deduction(
                kind=kind, source_id=source, amount=money(a), platform_amount=money(pl),
                merchant_amount=money(me)) for (kind, source), (a, pl, me) in totals.items())
        return o

    return [view(r) for r in rows]
