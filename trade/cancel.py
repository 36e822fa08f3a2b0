"""Cancelling unpaid orders: by a party (CancelOrder), by the unpaid timeout,
by the lapse of a presale order's balance window.

Each cancel releases what the order holds: ``OrderCancelled`` makes catalog
release the stock and promotion the benefits; payment closes an open
payment. A presale order's paid deposit is kept.
"""

from __future__ import annotations

from trade.order import Order
from trade.repository import Clock, TradeUnitOfWork
from zhongtai.auth import Identity


async def cancel_order(uow: TradeUnitOfWork, *, order_id: str, caller: Identity, reason: str,
                       clock: Clock) -> Order:
    """The caller cancels a top-level order still unpaid (``Order.cancel``):
    its buyer or its one seller, or staff (an operator; a service as the
    system) — who it is comes from the credential (``Order.party_of``), never
    from the request; the order after it."""
    order = await uow.orders.get_for_update(order_id)
    order.check_top_level(order_id, "cancel")
    order.cancel(order.party_of(caller), reason, clock())
    await uow.orders.save(order)
    return order


async def on_pay_timeout(uow: TradeUnitOfWork, order_id: str, clock: Clock) -> None:
    """The unpaid timeout fired: an order still unpaid (or unconfirmed by its
    seller) is cancelled as the system (``Order.close_unpaid``)."""
    order = await uow.orders.get_for_update(order_id)
    if order.close_unpaid(clock()):
        await uow.orders.save(order)


async def on_balance_lapse(uow: TradeUnitOfWork, order_id: str, clock: Clock) -> None:
    """A presale order's balance window ended: cancelled if still unpaid
    (``Order.lapse_balance``); the deposit is kept."""
    order = await uow.orders.get_for_update(order_id)
    if order.lapse_balance(clock()):
        await uow.orders.save(order)
