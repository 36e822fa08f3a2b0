"""Cancelling unpaid orders: by a party (CancelOrder), by the unpaid timeout,
by the lapse of a presale order's balance window.

Each cancel releases what the order holds: ``OrderCancelled`` makes catalog
release the stock and promotion the benefits; payment closes an open
payment. A presale order's paid deposit is kept.
"""

from __future__ import annotations

from trade.order import Order, Party
from trade.repository import Clock, TradeUnitOfWork
from zhongtai.common.v1.common_pb2 import Operator
from zhongtai.errors import InvalidArgument


async def cancel_order(uow: TradeUnitOfWork, *, order_id: str, by: Party, reason: str,
                       clock: Clock) -> Order:
    """A buyer, seller or the system cancels a top-level order still unpaid
    (``Order.cancel``); the order after it."""
    if not order_id:
        raise InvalidArgument.field("order_id", "is required")
    if by.role == Operator.ROLE_UNSPECIFIED:
        raise InvalidArgument.field("operator.role", "is required")
    if by.role in (Operator.ROLE_BUYER, Operator.ROLE_SELLER) and not by.id:
        raise InvalidArgument.field("operator.id", "is required for a buyer or seller")
    order = await uow.orders.get_for_update(order_id)
    order.check_top_level(order_id, "cancel")
    order.cancel(by, reason, clock())
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
