"""The effects of an application on the other services: its refund, trade's
claim closed, the return order of a deadline's approval — exactly once.

Entering REFUNDING (or CLOSED, or WAIT_BUYER_RETURN by the review deadline)
arms the effects timer (``EFFECTS_TIMER``, key ``<application id>/<round>``)
in the same transaction. It is a remote timer (``zhongtai.timers.
RemoteTimer``: no transaction is open during the calls): ``prepare_effects``
reads the application (a snapshot of the round's), ``call_effects`` does,
in order, what is not yet done, noting each result as a step, and
``settle_effects`` applies those steps to the application in a new
transaction, if the round is still the current one and the timer's lease
still ours:

1. trade ``AgreeRefund`` (the plan; the same plan on a repeat);
2. payment ``CreateRefund`` for each pay order part of the plan with cash
   (request id ``<application id>:<pay order id>``: one refund per part);
3. promotion ``ReturnBenefits`` (points, card, coupons) when any is owed;
4. catalog ``RestockUnits`` when units go back to stock;
5. wait until payment's refunds succeeded (``payment.refund.succeeded``,
   ``refund_succeeded``; ``GetRefund`` polled as the backstop);
6. trade ``FinishRefund(REFUNDED)`` with the return shipping and its
   bearer: REFUNDED.

A CLOSED application calls trade ``FinishRefund(CLOSED)``. Every call is
keyed, so a crash anywhere (nothing is recorded, the timer fires again when
its lease runs out), a lost lease (the answer is dropped) or a failure (the
next round is armed with backoff; done steps are kept) repeats calls
without repeating effects.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from aftersales.application import AfterSalesPolicy, Application, RefundPart
from aftersales.clients import Clients
from aftersales.repository import AfterSalesUnitOfWork, Clock
from aftersales.returns import create_return
from zhongtai.aftersales.v1 import aftersales_pb2 as pb
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.errors import ZhongtaiError
from zhongtai.failpoints import failpoint
from zhongtai.payment.v1 import payment_pb2 as pay
from zhongtai.promotion.v1 import promotion_pb2 as promo
from zhongtai.trade.v1 import trade_pb2 as trade
from zhongtai.wire import money

log = logging.getLogger(__name__)


def application_of(key: str) -> str:
    """The application id of an effects timer's key ``<id>/<round>``."""
    return key.rpartition("/")[0]


# An answer of a call, applied to the application: to the round's snapshot
# during the calls (the next calls depend on it), then to the application.
Step = Callable[[Application], object]
Did = Callable[[Step], None]


def _step(method: Callable[..., object], *args: Any, **kwargs: Any) -> Step:
    return lambda app: method(app, *args, **kwargs)


async def prepare_effects(uow: AfterSalesUnitOfWork, key: str) -> Application | None:
    """The application whose effects round ``key`` is (a snapshot), or None
    when it owes nothing or the round is stale (an earlier key)."""
    app = await uow.applications.find(application_of(key), lock=True)
    if app is None or app.effects_key != key or not app.owes_effects:
        return None
    return app.snapshot()


async def call_effects(clients: Clients, app: Application, policy: AfterSalesPolicy,
                       clock: Clock) -> list[Step]:
    """Outside any transaction: the calls the snapshot ``app`` still owes
    the other services (see the module), in order; their answers, as steps.

    Guarantee: each effect at most once (every call keyed), and eventually
    once: a refused step ends the round, the next one armed with backoff; a
    crash leaves this round due after its lease."""
    done: list[Step] = []

    def did(step: Step) -> None:
        step(app)
        done.append(step)

    try:
        if app.status == pb.APPLICATION_STATUS_CLOSED:
            await close_claim(clients, app.application_id)
            did(Application.trade_closed)
        elif app.status == pb.APPLICATION_STATUS_WAIT_BUYER_RETURN:
            created = await create_return(clients, app)
            did(_step(Application.return_created, created.logistics_order_id,
                      created.warehouse_id, created.address))
        elif not await _refund(clients, app, did, clock, policy):
            # Payment's refunds are still on their way: poll again later (or
            # sooner, when payment.refund.succeeded arrives).
            did(_step(Application.effects_failed, clock(), policy))
            return done
        did(Application.effects_progressed)
    except ZhongtaiError as error:
        log.warning("application %s: effects failed (%s: %s); retrying", app.application_id,
                    error.reason, error.message)
        did(_step(Application.effects_failed, clock(), policy))
    return done


async def settle_effects(uow: AfterSalesUnitOfWork, key: str, steps: Iterable[Step]) -> None:
    """Apply the round's steps to the application, if ``key`` is still its
    current round (the timer's lease checked by the worker)."""
    app = await uow.applications.find(application_of(key), lock=True)
    if app is None or app.effects_key != key or not app.owes_effects:
        return
    for step in steps:
        step(app)
    await uow.applications.save(app)


async def close_claim(clients: Clients, application_id: str) -> None:
    """Trade closes the claim of ``application_id`` (none: nothing to close)."""
    try:
        await clients.call(clients.trade.FinishRefund, trade.FinishRefundRequest(
            application_id=application_id, outcome=trade.REFUND_OUTCOME_KIND_CLOSED))
    except ZhongtaiError as error:
        if error.reason != "REFUND_NOT_FOUND":
            raise


async def unwritten(uow: AfterSalesUnitOfWork, application_id: str) -> str | None:
    """The guard of a claim opened for a new application (a remote timer):
    if the application was never written (after-sales died between trade's
    OpenRefund and the write, or the write failed), its id, whose claim
    trade is then asked to close (``close_claim``, outside the transaction)
    so the line is free again; a failure is retried by the timer."""
    if await uow.applications.find(application_id) is not None:
        return None
    return application_id


async def _refund(clients: Clients, app: Application, did: Did, clock: Clock,
                  policy: AfterSalesPolicy) -> bool:
    """The refund's steps not yet done; False while payment's refunds are
    pending. The failpoints kill after-sales between a call and the
    recording of its answer."""
    if not app.refund.agreed:
        await _agree(clients, app, did, clock)
    failpoint("aftersales.effects.after_agree")
    r = app.refund
    for part in r.cash_parts:
        if not part.refund_id:
            await _create_refund(clients, app, part, did, clock)
    failpoint("aftersales.effects.after_refund")
    if app.owes_benefits and not r.benefits_returned:
        await clients.call(clients.promotion.ReturnBenefits, promo.ReturnBenefitsRequest(
            request_id=app.application_id, order_id=app.order_id,
            points_amount=money(app.currency, r.points_amount),
            stored_value_amount=money(app.currency, r.stored_value_amount),
            restore_coupons=r.restore_coupons))
        did(Application.benefits_returned)
    if r.restock_quantity > 0 and not r.restocked:
        await clients.call(clients.catalog.RestockUnits, cat.RestockUnitsRequest(
            request_id=app.application_id, order_id=app.order_id, sku_id=app.sku_id,
            quantity=r.restock_quantity, warehouse_id=app.return_warehouse_id))
        did(Application.restocked)
    for part in r.cash_parts:
        if not part.settled:
            found = await clients.call(clients.payment.GetRefund,
                                       pay.GetRefundRequest(refund_id=part.refund_id))
            if found.refund.status == pay.REFUND_STATUS_SUCCEEDED:
                did(_step(Application.refund_settled, part.refund_id, clock()))
    if not app.refund_done:
        return False
    await clients.call(clients.trade.FinishRefund, trade.FinishRefundRequest(
        application_id=app.application_id, outcome=trade.REFUND_OUTCOME_KIND_REFUNDED,
        return_shipping_amount=money(app.currency, app.return_shipping_fee),
        return_shipping_by_seller=app.bearer == pb.BEARER_SELLER))
    did(_step(Application.refunded, clock(), policy))
    return True


async def _agree(clients: Clients, app: Application, did: Did, clock: Clock) -> None:
    granted = app.amount if app.agreed_amount is None else app.agreed_amount
    plan = (await clients.call(clients.trade.AgreeRefund, trade.AgreeRefundRequest(
        application_id=app.application_id, amount=money(app.currency, granted),
        quantity=app.quantity,
        returned_quantity=app.received_quantity if app.is_return else 0))).plan
    did(_step(
        Application.refund_agreed, plan.SerializeToString(deterministic=True),
        [RefundPart(p.pay_order_id, p.payment_id, p.amount.amount_minor)
         for p in plan.payments],
        points_amount=plan.points_amount.amount_minor,
        stored_value_amount=plan.stored_value_amount.amount_minor,
        restore_coupons=plan.restore_coupons, restock_quantity=plan.restock_quantity,
        now=clock()))


async def _create_refund(clients: Clients, app: Application, part: RefundPart, did: Did,
                         clock: Clock) -> None:
    refund = (await clients.call(clients.payment.CreateRefund, pay.CreateRefundRequest(
        request_id=f"{app.application_id}:{part.pay_order_id}", payment_id=part.payment_id,
        amount=money(app.currency, part.amount), pay_order_id=part.pay_order_id,
        reason=f"after-sales application {app.application_id}"))).refund
    did(_step(Application.refund_requested, part.pay_order_id, refund.refund_id))
    if refund.status == pay.REFUND_STATUS_SUCCEEDED:
        did(_step(Application.refund_settled, refund.refund_id, clock()))


async def refund_succeeded(uow: AfterSalesUnitOfWork, refund_id: str, clock: Clock) -> bool:
    """Payment's refund succeeded: its part is settled (once; a repeat or a
    refund of no application changes nothing); the last one makes the
    effects timer due at once."""
    application_id = await uow.applications.by_refund(refund_id)
    if application_id is None:
        return False
    app = await uow.applications.get_for_update(application_id)
    if not app.refund_settled(refund_id, clock()):
        return False
    await uow.applications.save(app)
    return True
