"""The order creation saga (seed 001 §三.5), and its rollback timer.

1. A repeated request gets the original answer before anything is priced
   again (its coupons, say, are held by the first request by now).
2. The cart is priced (``trade.checkout``).
3. One unit of work claims the request's idempotency keys (``request_id``,
   and ``out_type:out_id``) and writes the INIT order, which arms its
   rollback timer.
4. Catalog reserves the stock and promotion holds the coupons, points, red
   packet and card (re-quoting authoritatively), both keyed by the order id.
5. One unit of work moves the order on (``Order.creation_succeeded``:
   WAIT_PAY, unpaid timeout armed, ``OrderCreated``; paid at once when
   nothing is to be paid through payment) and stores the answer.

A failed step fails the order (FAILED, ``OrderCreationFailed``, on which
catalog and promotion release what they hold; their tombstones refuse a
reservation or hold arriving later). If trade dies between the two units of
work, the rollback timer fails the order after restart. A refusal is
remembered under the request's keys and replayed; a transient failure frees
them so the same request can be sent again.

This is the one use case that calls other services, so it opens its own
units of work (``new_uow``) around the calls.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from trade import checkout, views
from trade.checkout import Clients
from trade.order import E, TradePolicy
from trade.repository import Clock, TradeUnitOfWork
from trade.vouchers import fresh_codes
from zhongtai.auth import Identity
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.db import utcnow
from zhongtai.errors import ZhongtaiError
from zhongtai.failpoints import failpoint
from zhongtai.idempotency import Replay, replay, request_hash
from zhongtai.promotion.v1 import promotion_pb2 as promo
from zhongtai.trade.v1 import trade_pb2 as pb

log = logging.getLogger(__name__)

CREATE_SCOPE = "CreateOrder"
CREATE_OUT_SCOPE = "CreateOrder.out"

UnitOfWorkFactory = Callable[[], TradeUnitOfWork]


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


def creation_timeout(order_id: str) -> ZhongtaiError:
    """ABORTED ``ORDER_CREATION_TIMEOUT``: rolled back; the request may be sent again."""
    return E(pb.ERROR_REASON_ORDER_CREATION_TIMEOUT,
             "order creation did not finish in time and was rolled back; retry",
             metadata={"order_id": order_id})


async def create_order(new_uow: UnitOfWorkFactory, clients: Clients, policy: TradePolicy,
                       req: pb.CreateOrderRequest, caller: Identity,
                       time_remaining: float | None = None,
                       clock: Clock = utcnow) -> pb.CreateOrderResponse:
    """Run the saga for the buyer the caller acts for (``checkout.for_caller``);
    ``time_remaining`` is the caller's deadline, passed on.

    Guarantee: the answer is the order in WAIT_PAY (or paid), or an error
    with the order (if written) FAILED and its events out; a repeat with the
    same keys gets the same answer — for the same buyer only: the keys are
    bound to the request with its buyer, so another buyer's repeat is
    IDEMPOTENCY_KEY_REUSED, never someone else's order.
    """
    req = checkout.for_caller(req, caller)
    keys = OrderKeys(req.request_id, req.out_type, req.out_id)
    digest = request_hash(req)
    async with new_uow() as uow:
        for scope, key in keys.items():
            if (stored := await uow.keys.lookup(scope, key, digest)) is not None:
                return replay(stored, pb.CreateOrderResponse)
    priced = await checkout.price(clients, req, caller, clock(), policy, time_remaining)
    order = priced.order
    try:
        async with new_uow() as uow:
            for scope, key in keys.items():
                stored = await uow.keys.claim(scope, key, digest, order.order_id)
                if stored is not None:
                    raise Replay(stored)
            await uow.orders.add(order)
    except Replay as r:
        return replay(r.stored, pb.CreateOrderResponse)

    # Each step is keyed by the order id. Whether or not a failed step took
    # effect, failing the order is safe: catalog and promotion release on
    # OrderCreationFailed and refuse a late reservation or hold. If even
    # that fails, the rollback timer will.
    try:
        await clients.call(clients.catalog.ReserveStock, cat.ReserveStockRequest(
            order_id=order.order_id, lines=[
                cat.StockLine(sku_id=line.item.sku_id, quantity=line.quantity)
                for line in order.lines]), time_remaining)
        failpoint("trade.create.after_reserve")
        held = await clients.call(clients.promotion.HoldBenefits, promo.HoldBenefitsRequest(
            order_id=order.order_id, quote=priced.quote_request), time_remaining)
        if not priced.held_as_priced(held.quote):
            raise E(pb.ERROR_REASON_PRICE_CHANGED,
                    "promotions changed while the order was created; quote again",
                    metadata={"order_id": order.order_id})
    except ZhongtaiError as error:
        async with new_uow() as uow:
            await fail(uow, order.order_id, pb.CLOSE_REASON_CREATION_FAILED, error, clock)
        raise

    async with new_uow() as uow:
        order = await uow.orders.get_for_update(order.order_id)
        if order.status != pb.ORDER_STATUS_INIT:
            # The rollback timer won the race (and released the stock).
            raise creation_timeout(order.order_id)
        codes = await fresh_codes(uow, order.voucher_units())
        order.creation_succeeded(clock(), policy, codes)
        await uow.orders.save(order)
        response = pb.CreateOrderResponse(order=views.order_message(order))
        for scope, key in keys.items():
            await uow.keys.complete(scope, key, response)
        return response


async def fail(uow: TradeUnitOfWork, order_id: str, reason: int, error: ZhongtaiError,
               clock: Clock) -> bool:
    """INIT → FAILED with its event (``Order.creation_failed``); False if the
    order is no longer INIT.

    A refusal (out of stock, unknown SKU...) is remembered under the
    request's idempotency keys and replayed to repeats. A transient failure
    (a service unreachable, a crash rolled back by the timer) frees the keys
    instead, so the same request can simply be sent again.
    """
    order = await uow.orders.get_for_update(order_id)
    if not order.creation_failed(reason, error.message, clock()):
        return False
    await uow.orders.save(order)
    for scope, key in OrderKeys(order.request_id, order.out_type, order.out_id).items():
        await uow.keys.settle(scope, key, error=error)
    return True


async def on_rollback_timer(uow: TradeUnitOfWork, order_id: str, clock: Clock) -> None:
    """The creation did not finish in time (trade died between the two units
    of work, or a step hangs): the order fails as a transient failure."""
    if await fail(uow, order_id, pb.CLOSE_REASON_CREATION_TIMEOUT, creation_timeout(order_id),
                  clock):
        log.warning("order %s rolled back by its creation timer", order_id)
