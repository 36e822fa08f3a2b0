"""The buyer's side of an application: apply, re-apply, withdraw, escalate,
accept a reduced refund.

Trade is the authority on what a line may refund: an application is opened
(and re-applied) by trade's ``OpenRefund`` first, which checks the caps, the
order's status and after-sales window and the one open claim per line in
one transaction with the order; its refusals reach the caller unchanged.
After-sales checks, before asking trade, what is its own: the input
(``aftersales.requests``), that the line is the caller's, and that the kind
fits the line (a return only for shipped physical goods).

A change that asks other services first is two calls: the asking
(``open_application``, ``prepare_reapplication``: outside any transaction,
each call keyed by the application id) and the writing, in the unit of work
the servicer runs once per request id.
"""

from __future__ import annotations

from dataclasses import dataclass

from aftersales.application import CLAIM_GUARD_TIMER, AfterSalesPolicy, Application, E
from aftersales.clients import Clients
from aftersales.parties import check_buyer
from aftersales.repository import AfterSalesUnitOfWork, Clock, UnitOfWorkFactory, change
from aftersales.requests import Changes
from zhongtai.aftersales.v1 import aftersales_pb2 as pb
from zhongtai.auth import Identity
from zhongtai.errors import InvalidArgument, Reasons
from zhongtai.ids import new_id
from zhongtai.trade.v1 import trade_pb2 as trade
from zhongtai.uow import Deadline
from zhongtai.wire import money

TRADE = Reasons(trade.ErrorReason)


def check_kind(kind: int, line: trade.LineRefundable) -> None:
    """A return only for a line that shipped physical goods (RETURN_NOT_APPLICABLE)."""
    if kind == pb.APPLICATION_KIND_RETURN_AND_REFUND and not (line.shipped and line.physical):
        why = "needs no logistics" if not line.physical else "was not shipped: ask refund-only"
        raise E(pb.ERROR_REASON_RETURN_NOT_APPLICABLE, f"line {line.line_order_id} {why}",
                metadata={"line_order_id": line.line_order_id})


@dataclass(frozen=True)
class Line:
    """A line as trade shows it (``GetRefundable``), for the caller."""

    order: trade.GetRefundableResponse
    line: trade.LineRefundable


async def line_of(clients: Clients, line_order_id: str, buyer_id: str) -> Line:
    """Trade's view of the line, refused unless it is the buyer's
    (``NOT_A_PARTY_TO_THE_ORDER``, trade's reason) and a line (single or sub order)."""
    order = await clients.call(clients.trade.GetRefundable,
                               trade.GetRefundableRequest(order_id=line_order_id))
    if order.buyer_id != buyer_id:
        raise TRADE(trade.ERROR_REASON_NOT_A_PARTY_TO_THE_ORDER,
                    f"order {line_order_id} is not the caller's",
                    metadata={"order_id": line_order_id})
    line = next((x for x in order.lines if x.line_order_id == line_order_id), None)
    if line is None:
        raise InvalidArgument.field("line_order_id", "names an order, not one of its lines")
    return Line(order, line)


def _currency(asked: Changes, line: trade.LineRefundable) -> str:
    return asked.currency or line.max_refundable.currency_code \
        or line.paid_amount.currency_code


async def _open_claim(clients: Clients, application_id: str, asked: Changes, buyer_id: str,
                      line: trade.LineRefundable) -> None:
    await clients.call(clients.trade.OpenRefund, trade.OpenRefundRequest(
        application_id=application_id, line_order_id=line.line_order_id, buyer_id=buyer_id,
        kind=asked.kind, quantity=asked.quantity,  # type: ignore[arg-type]
        amount=money(_currency(asked, line), asked.amount)))


async def open_application(new_uow: UnitOfWorkFactory, clients: Clients,
                           policy: AfterSalesPolicy, line_order_id: str, asked: Changes,
                           caller: Identity, clock: Clock) -> Application:
    """The caller's application for one of their lines, not yet written
    (``add_application`` writes it): trade has opened the line's claim for it.

    Guarantee: nothing is written on any refusal (trade's passed on
    unchanged); a claim trade holds for an application after-sales never
    wrote (after-sales died before ``add_application``) is closed by its
    guard timer (``claim_guard``), armed before trade is asked.
    """
    buyer_id = caller.subject
    found = await line_of(clients, line_order_id, buyer_id)
    check_kind(asked.kind, found.line)
    application_id = new_id()
    async with new_uow() as uow:  # if we die before writing it, trade's claim is closed
        uow.schedule([Deadline(CLAIM_GUARD_TIMER, application_id,
                               clock() + policy.claim_guard)])
    await _open_claim(clients, application_id, asked, buyer_id, found.line)
    return Application.apply(
        application_id=application_id, order_id=found.order.order_id,
        line_order_id=found.line.line_order_id, buyer_id=buyer_id,
        seller_id=found.line.seller_id, sku_id=found.line.sku_id, kind=asked.kind,
        reason=asked.reason, note=asked.note, evidence_urls=asked.evidence_urls,
        quantity=asked.quantity, currency=_currency(asked, found.line), amount=asked.amount,
        now=clock(), policy=policy)


async def add_application(uow: AfterSalesUnitOfWork, app: Application) -> Application:
    """Write the application ``open_application`` made: WAIT_SELLER_REVIEW."""
    await uow.applications.add(app)
    return app


async def prepare_reapplication(new_uow: UnitOfWorkFactory, clients: Clients,
                                policy: AfterSalesPolicy, application_id: str,
                                asked: Changes, caller: Identity) -> None:
    """Before a re-application is written: the application is the caller's
    and may be re-applied, and trade changed its claim (same application
    id: its caps checked again; its refusals passed on, nothing written)."""
    async with new_uow() as uow:
        app = await uow.applications.get(application_id)
    check_buyer(app, caller)
    app.check_reapplicable(policy)
    found = await line_of(clients, app.line_order_id, app.buyer_id)
    check_kind(asked.kind, found.line)
    await _open_claim(clients, app.application_id, asked, app.buyer_id, found.line)


async def reapply(uow: AfterSalesUnitOfWork, application_id: str, asked: Changes,
                  caller: Identity, clock: Clock, policy: AfterSalesPolicy) -> Application:
    """The buyer re-applies a REJECTED application with changes (after
    ``prepare_reapplication``): WAIT_SELLER_REVIEW, at most
    ``max_reapplications`` times."""
    def act(app: Application) -> None:
        check_buyer(app, caller)
        app.reapply(kind=asked.kind, reason=asked.reason, note=asked.note,
                    evidence_urls=asked.evidence_urls, quantity=asked.quantity,
                    amount=asked.amount, now=clock(), policy=policy)

    return await change(uow, application_id, act)


async def withdraw(uow: AfterSalesUnitOfWork, application_id: str, caller: Identity,
                   clock: Clock, policy: AfterSalesPolicy) -> Application:
    """Its own buyer withdraws it (CLOSED, before agreement); trade hears of
    it through the effects (closing its claim)."""
    def act(app: Application) -> None:
        check_buyer(app, caller)
        app.withdraw(clock(), policy)

    return await change(uow, application_id, act)


async def escalate(uow: AfterSalesUnitOfWork, application_id: str, note: str,
                   caller: Identity, clock: Clock, policy: AfterSalesPolicy) -> Application:
    """Its own buyer asks the platform to decide (ARBITRATING)."""
    def act(app: Application) -> None:
        check_buyer(app, caller)
        app.escalate(note, clock(), policy)

    return await change(uow, application_id, act)


async def accept_reduced(uow: AfterSalesUnitOfWork, application_id: str, caller: Identity,
                         clock: Clock, policy: AfterSalesPolicy) -> Application:
    """Its own buyer accepts the reduced refund the seller offered (REFUNDING);
    the effects make the refund."""
    def act(app: Application) -> None:
        app.accept_reduced(check_buyer(app, caller), clock(), policy)

    return await change(uow, application_id, act)
