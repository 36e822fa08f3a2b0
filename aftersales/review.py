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
from aftersales.parties import actor_of, check_seller
from aftersales.repository import AfterSalesUnitOfWork, Clock, UnitOfWorkFactory, change
from aftersales.requests import Arbitration
from aftersales.returns import ReturnOrder, create_return, created_return
from zhongtai.aftersales.v1 import aftersales_pb2 as pb
from zhongtai.auth import Identity


async def _return_if_needed(clients: Clients, app: Application, action: str
                            ) -> ReturnOrder | None:
    """Logistics' return order when ``action`` leads to WAIT_BUYER_RETURN."""
    app.check_status(action)
    if action in (APPROVE_REFUND, ARBITRATE_REFUND) or app.return_logistics_order_id:
        return None
    return await create_return(clients, app)


async def prepare_approval(new_uow: UnitOfWorkFactory, clients: Clients,
                           application_id: str, caller: Identity) -> ReturnOrder | None:
    """Before an approval is written: the caller is the line's seller (or an
    operator) and, for a return, logistics' return order is opened."""
    async with new_uow() as uow:
        app = await uow.applications.get(application_id)
    check_seller(app, caller)
    return await _return_if_needed(clients, app, app.approval_action())


async def approve(uow: AfterSalesUnitOfWork, application_id: str, note: str,
                  created: ReturnOrder | None, caller: Identity, clock: Clock,
                  policy: AfterSalesPolicy) -> Application:
    """The line's seller (or an operator) agrees: refund-only REFUNDING, a
    return WAIT_BUYER_RETURN with the return order ``prepare_approval`` opened."""
    def act(app: Application) -> None:
        actor = check_seller(app, caller)
        created_return(app, created)
        app.approve(actor, note, clock(), policy)

    return await change(uow, application_id, act)


async def reject(uow: AfterSalesUnitOfWork, application_id: str, note: str,
                 caller: Identity, clock: Clock, policy: AfterSalesPolicy) -> Application:
    """The line's seller (or an operator) refuses with a note: REJECTED."""
    def act(app: Application) -> None:
        app.reject(check_seller(app, caller), note, clock(), policy)

    return await change(uow, application_id, act)


async def prepare_arbitration(new_uow: UnitOfWorkFactory, clients: Clients,
                              application_id: str, decided: Arbitration
                              ) -> ReturnOrder | None:
    """Before an approving decision is written: logistics' return order, if
    the goods are still to come back."""
    if not decided.approving:
        return None
    async with new_uow() as uow:
        app = await uow.applications.get(application_id)
    received = app.escalated_from == pb.APPLICATION_STATUS_WAIT_BUYER_CONFIRM
    action = ARBITRATE_RETURN if app.is_return and not received else ARBITRATE_REFUND
    return await _return_if_needed(clients, app, action)


async def arbitrate(uow: AfterSalesUnitOfWork, application_id: str, decided: Arbitration,
                    created: ReturnOrder | None, caller: Identity, clock: Clock,
                    policy: AfterSalesPolicy) -> Application:
    """An operator decides an ARBITRATING application: reject (CLOSED,
    final) or approve (as the seller would, or granting ``amount`` after a
    partial receipt)."""
    def act(app: Application) -> None:
        created_return(app, created)
        app.arbitrate(actor_of(caller, app), decided.approving, decided.amount, decided.note,
                      clock(), policy)

    return await change(uow, application_id, act)


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
