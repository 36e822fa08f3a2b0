"""The seller's review and the platform's arbitration, and the deadlines
that act when nobody does.

Approving a return opens logistics' return order in the same call (before
the application is written: the answer shows where to send the goods);
approving a refund-only application agrees it at once (REFUNDING: the
effects timer makes the refund). Deadline timers run in the timer's
transaction and change nothing when stale.
"""

from __future__ import annotations

from aftersales.application import (
    APPROVE_REFUND,
    ARBITRATE_REFUND,
    ARBITRATE_RETURN,
    AfterSalesPolicy,
    Application,
)
from aftersales.clients import Clients
from aftersales.keyed import UnitOfWorkFactory, change
from aftersales.parties import actor_of, check_seller
from aftersales.repository import AfterSalesUnitOfWork, Clock
from aftersales.returns import ReturnOrder, create_return, created_return
from zhongtai.aftersales.v1 import aftersales_pb2 as pb
from zhongtai.auth import Identity
from zhongtai.errors import InvalidArgument


async def _return_if_needed(clients: Clients, app: Application, action: str
                            ) -> ReturnOrder | None:
    """Logistics' return order when ``action`` leads to WAIT_BUYER_RETURN."""
    app.check_status(action)
    if action in (APPROVE_REFUND, ARBITRATE_REFUND) or app.return_logistics_order_id:
        return None
    return await create_return(clients, app)


async def approve(new_uow: UnitOfWorkFactory, clients: Clients, policy: AfterSalesPolicy,
                  req: pb.ApproveApplicationRequest, caller: Identity, clock: Clock
                  ) -> pb.ApproveApplicationResponse:
    """The line's seller (or an operator) agrees: refund-only REFUNDING, a
    return WAIT_BUYER_RETURN with its return order. Once per request id."""
    async def prepare() -> ReturnOrder | None:
        async with new_uow() as uow:
            app = await uow.applications.get(req.application_id)
        check_seller(app, caller)
        return await _return_if_needed(clients, app, app.approval_action())

    def act(app: Application, created: ReturnOrder | None) -> None:
        actor = check_seller(app, caller)
        created_return(app, created)
        app.approve(actor, req.note, clock(), policy)

    return await change(new_uow, req, pb.ApproveApplicationResponse, act, prepare)


async def reject(new_uow: UnitOfWorkFactory, policy: AfterSalesPolicy,
                 req: pb.RejectApplicationRequest, caller: Identity, clock: Clock
                 ) -> pb.RejectApplicationResponse:
    """The line's seller (or an operator) refuses with a note: REJECTED."""
    def act(app: Application, _: None) -> None:
        app.reject(check_seller(app, caller), req.note, clock(), policy)

    return await change(new_uow, req, pb.RejectApplicationResponse, act)


async def arbitrate(new_uow: UnitOfWorkFactory, clients: Clients, policy: AfterSalesPolicy,
                    req: pb.ArbitrateApplicationRequest, caller: Identity, clock: Clock
                    ) -> pb.ArbitrateApplicationResponse:
    """An operator decides an ARBITRATING application: reject (CLOSED,
    final) or approve (as the seller would, or granting ``amount`` after a
    partial receipt). Once per request id."""
    if req.decision == pb.DECISION_UNSPECIFIED:
        raise InvalidArgument.field("decision", "is required")
    approving = req.decision == pb.DECISION_APPROVE

    async def prepare() -> ReturnOrder | None:
        if not approving:
            return None
        async with new_uow() as uow:
            app = await uow.applications.get(req.application_id)
        received = app.escalated_from == pb.APPLICATION_STATUS_WAIT_BUYER_CONFIRM
        action = ARBITRATE_RETURN if app.is_return and not received else ARBITRATE_REFUND
        return await _return_if_needed(clients, app, action)

    def act(app: Application, created: ReturnOrder | None) -> None:
        created_return(app, created)
        app.arbitrate(actor_of(caller, app), approving,
                      req.amount.amount_minor if req.HasField("amount") else None,
                      req.note, clock(), policy)

    return await change(new_uow, req, pb.ArbitrateApplicationResponse, act, prepare)


async def on_deadline(uow: AfterSalesUnitOfWork, timer: str, application_id: str,
                      clock: Clock, policy: AfterSalesPolicy) -> bool:
    """A status's deadline fired (``Application.deadline_passed``): review →
    deemed approved, reapply → CLOSED, return → CLOSED, receive → received
    in full, confirm → reduced refund accepted. A stale timer changes nothing."""
    app = await uow.applications.find(application_id, lock=True)
    if app is None or not app.deadline_passed(timer, clock(), policy):
        return False
    await uow.applications.save(app)
    return True
