"""Payouts (use cases): a merchant's available money paid out through the
payout adapter, in two phases.

``create_payout`` (once per request id): under the merchant's payout lock
(settlement.cycle_repository ``Payouts.lock``) the available balance is read
from the postings and the payout made PENDING with its PAYOUT entry in one
transaction (so concurrent requests never take more than is available,
and none is made while the balance is negative; what PENDING split
instructions will take is not available: settlement.split ``payable``); then ``resolve`` asks the
adapter and, in a second transaction with the payout row-locked, posts or
voids it (audited; settlement.payout.posted / voided through the outbox).
A repeat of the request, or ``resolve`` again, finishes a payout left
PENDING (the adapter answers the same for one payout id): a process killed
between the two phases (failpoint ``settlement.payout.after_pending``)
leaves it PENDING, and the repeat after the restart pays it once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from settlement import queries, views
from settlement import store as t
from settlement.cycle_repository import payout_from, payout_not_found
from settlement.payout import Payout, PayoutState
from settlement.payout_adapter import PayoutAdapter
from settlement.repository import AUDIT_PAYOUT, SqlSettlementUnitOfWork
from settlement.requests import PayoutOrder, SellerPage
from settlement.split import payable
from zhongtai.auth import Identity, acting_seller
from zhongtai.errors import InvalidArgument
from zhongtai.failpoints import failpoint
from zhongtai.ids import new_id
from zhongtai.money import parse_currency

NewUow = Callable[[], SqlSettlementUnitOfWork]
Clock = Callable[[], dt.datetime]
# Records a payout once per request id, in the unit of work given (the
# servicer's ``zhongtai.idempotency.once``, scope "CreatePayout"): runs the
# recording and answers its payout's id, or, on a repeat, the first one's.
Once = Callable[[SqlSettlementUnitOfWork, Callable[[], Awaitable[Payout]]], Awaitable[str]]


async def create_payout(new_uow: NewUow, adapter: PayoutAdapter, order: PayoutOrder,
                        caller: Identity, clock: Clock, once: Once) -> Payout:
    """A payout of the merchant (the caller's own; operators any): PENDING
    within the available balance, recorded through ``once`` (the first
    request's payout on a repeat of its id), then resolved (module
    docstring)."""
    seller = order.seller_id if caller.is_staff else acting_seller(caller, order.seller_id)
    if not seller:
        raise InvalidArgument.field("seller_id", "required")
    currency = parse_currency(order.currency_code or "CNY", "amount")
    uow = new_uow()

    async def create() -> Payout:
        now = clock()
        await uow.payouts.lock(seller)
        available = payable(dict(await uow.payouts.available(seller)).get(currency, 0),
                            [await uow.splits.pending(seller, currency)])
        p, entry = Payout.request(new_id(), order.request_id, seller, order.amount,
                                  currency, available, caller.subject, now)
        await uow.payouts.add(p, now, [entry])
        uow.audit(AUDIT_PAYOUT, p.payout_id,
                  f"requested {p.amount} {p.currency} of {available} available")
        return p

    async with uow:
        payout_id = await once(uow, create)
    failpoint("settlement.payout.after_pending")
    return await resolve(new_uow, adapter, payout_id, clock)


async def resolve(new_uow: NewUow, adapter: PayoutAdapter, payout_id: str,
                  clock: Clock) -> Payout:
    """Ask the adapter about a PENDING payout and post or void it, once."""
    async with new_uow() as uow:
        p = await uow.payouts.get(payout_id)
    if p.state is not PayoutState.PENDING:
        return p
    result = await adapter.pay(p.payout_id, p.seller_id, p.amount, p.currency)
    async with new_uow() as uow:
        p = await uow.payouts.get(payout_id, lock=True)
        if p.state is not PayoutState.PENDING:
            return p
        now = clock()
        entry = p.posted(result.reference, now) if result.paid else p.voided(result.reason, now)
        await uow.payouts.save(p, now, [entry])
        uow.emit(views.payout_event(p, now), p.seller_id)
        uow.audit(AUDIT_PAYOUT, p.payout_id,
                  f"{p.state.name.lower()}: {result.reference or result.reason}")
    return p


async def payout(uow: SqlSettlementUnitOfWork, payout_id: str, caller: Identity) -> Payout:
    """A payout (PAYOUT_NOT_FOUND for a merchant asking another's)."""
    p = await uow.payouts.get(payout_id)
    if not caller.is_staff and not caller.acts_for_seller(p.seller_id):
        raise payout_not_found(payout_id)  # the same answer as a missing one
    return p


async def payouts(uow: SqlSettlementUnitOfWork, req: SellerPage,
                  caller: Identity) -> tuple[list[Payout], str]:
    """A page of payouts, newest first (a merchant its own; staff any)."""
    rows, token = await queries.merchant_page(uow, t.payouts, t.payouts.c.payout_id, req,
                                              caller, "payouts")
    return [payout_from(r) for r in rows], token
