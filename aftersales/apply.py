"""The buyer's side of an application: apply, re-apply, withdraw, escalate,
accept a reduced refund.

Trade is the authority on what a line may refund: an application is opened
(and re-applied) by trade's ``OpenRefund`` first, which checks the caps, the
order's status and after-sales window and the one open claim per line in
one transaction with the order; its refusals reach the caller unchanged.
After-sales checks, before asking trade, what is its own: the input (kind
and reason given, evidence URLs http(s)), that the line is the caller's,
and that the kind fits the line (a return only for shipped physical goods).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from aftersales import views
from aftersales.application import CLAIM_GUARD_TIMER, AfterSalesPolicy, Application, E
from aftersales.clients import Clients
from aftersales.keyed import R, UnitOfWorkFactory, change, keyed
from aftersales.parties import check_buyer
from aftersales.repository import AfterSalesUnitOfWork, Clock
from zhongtai.aftersales.v1 import aftersales_pb2 as pb
from zhongtai.auth import Identity
from zhongtai.errors import InvalidArgument, Reasons, Violations
from zhongtai.ids import new_id
from zhongtai.trade.v1 import trade_pb2 as trade
from zhongtai.uow import Deadline
from zhongtai.wire import money

TRADE = Reasons(trade.ErrorReason)
Changes = pb.CreateApplicationRequest | pb.UpdateApplicationRequest


def check_changes(req: Changes) -> None:
    """What the proto's field rules cannot say: a kind and a reason are
    given, evidence URLs are http(s) (INVALID_ARGUMENT, every violation)."""
    v = Violations()
    v.check(req.kind != pb.APPLICATION_KIND_UNSPECIFIED, "kind", "is required")
    v.check(req.reason != pb.APPLICATION_REASON_UNSPECIFIED, "reason", "is required")
    for i, url in enumerate(req.evidence_urls):
        parts = urlsplit(url)
        v.check(parts.scheme in ("http", "https") and bool(parts.netloc),
                f"evidence_urls[{i}]", "must be an http(s) URL")
    v.raise_if_any()


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


def _amount(req: Changes, line: trade.LineRefundable) -> tuple[str, int]:
    currency = req.amount.currency_code or line.max_refundable.currency_code \
        or line.paid_amount.currency_code
    return currency, req.amount.amount_minor


async def _open_claim(clients: Clients, application_id: str, req: Changes, buyer_id: str,
                      line: trade.LineRefundable) -> None:
    currency, amount = _amount(req, line)
    await clients.call(clients.trade.OpenRefund, trade.OpenRefundRequest(
        application_id=application_id, line_order_id=line.line_order_id, buyer_id=buyer_id,
        kind=req.kind, quantity=req.quantity,  # type: ignore[arg-type]
        amount=money(currency, amount)))


async def create_application(new_uow: UnitOfWorkFactory, clients: Clients,
                             policy: AfterSalesPolicy, req: pb.CreateApplicationRequest,
                             caller: Identity, clock: Clock) -> pb.CreateApplicationResponse:
    """The caller's application for one of their lines: WAIT_SELLER_REVIEW.

    Guarantee: written only once trade opened the line's claim for it (so
    trade's caps and one-claim-per-line rule hold); nothing is written on
    any refusal; a repeat of the request gets the same application. A claim
    trade holds for an application after-sales never wrote (after-sales
    died between the two) is closed by its guard timer (``claim_guard``).
    """
    check_changes(req)
    buyer_id = caller.subject

    async def prepare() -> Application:
        found = await line_of(clients, req.line_order_id, buyer_id)
        check_kind(req.kind, found.line)
        application_id = new_id()
        async with new_uow() as uow:  # if we die before writing it, trade's claim is closed
            uow.schedule([Deadline(CLAIM_GUARD_TIMER, application_id,
                                   clock() + policy.claim_guard)])
        await _open_claim(clients, application_id, req, buyer_id, found.line)
        currency, amount = _amount(req, found.line)
        return Application.apply(
            application_id=application_id, order_id=found.order.order_id,
            line_order_id=found.line.line_order_id, buyer_id=buyer_id,
            seller_id=found.line.seller_id, sku_id=found.line.sku_id, kind=req.kind,
            reason=req.reason, note=req.note, evidence_urls=tuple(req.evidence_urls),
            quantity=req.quantity, currency=currency, amount=amount, now=clock(),
            policy=policy)

    async def apply(uow: AfterSalesUnitOfWork, app: Application
                    ) -> pb.CreateApplicationResponse:
        await uow.applications.add(app)
        return views.answer(pb.CreateApplicationResponse, app)

    return await keyed(new_uow, req, pb.CreateApplicationResponse, apply, prepare)


async def update_application(new_uow: UnitOfWorkFactory, clients: Clients,
                             policy: AfterSalesPolicy, req: pb.UpdateApplicationRequest,
                             caller: Identity, clock: Clock) -> pb.UpdateApplicationResponse:
    """The buyer re-applies a REJECTED application with changes:
    WAIT_SELLER_REVIEW, at most ``max_reapplications`` times.

    Guarantee: trade's claim is changed first (same application id: its caps
    checked again); the application is written only then; a repeat gets the
    same answer."""
    check_changes(req)

    async def prepare() -> None:
        async with new_uow() as uow:
            app = await uow.applications.get(req.application_id)
        check_buyer(app, caller)
        app.check_reapplicable(policy)
        found = await line_of(clients, app.line_order_id, app.buyer_id)
        check_kind(req.kind, found.line)
        await _open_claim(clients, app.application_id, req, app.buyer_id, found.line)

    def act(app: Application, _: None) -> None:
        check_buyer(app, caller)
        app.reapply(kind=req.kind, reason=req.reason, note=req.note,
                    evidence_urls=tuple(req.evidence_urls), quantity=req.quantity,
                    amount=req.amount.amount_minor, now=clock(), policy=policy)

    return await change(new_uow, req, pb.UpdateApplicationResponse, act, prepare)


async def buyer_step(new_uow: UnitOfWorkFactory, req: pb.WithdrawApplicationRequest
                     | pb.EscalateApplicationRequest | pb.AcceptReducedRefundRequest,
                     response_type: type[R], caller: Identity, clock: Clock,
                     policy: AfterSalesPolicy) -> R:
    """Withdraw (CLOSED, before agreement), escalate (ARBITRATING) or accept
    a reduced refund (REFUNDING): the application's own buyer only, once per
    request id; trade hears of it through the effects (closing its claim, or
    the refund)."""
    def act(app: Application, _: None) -> None:
        actor = check_buyer(app, caller)
        now = clock()
        if isinstance(req, pb.WithdrawApplicationRequest):
            app.withdraw(now, policy)
        elif isinstance(req, pb.EscalateApplicationRequest):
            app.escalate(req.note, now, policy)
        else:
            app.accept_reduced(actor, now, policy)

    return await change(new_uow, req, response_type, act)

