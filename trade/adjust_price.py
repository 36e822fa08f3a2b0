"""Seller price adjustment (改价, seed 001 pay_order.adjust_amount).

The seller of an unpaid order sets its total adjustment, replacing any
earlier one; the aggregate splits it exactly over the lines
(``Order.adjust_price``, ``trade.order.amounts.plan_adjustment``). The order
is read under its lock and saved behind its version, so concurrent
adjustments apply whole, one after the other, the last one winning.
"""

from __future__ import annotations

from trade.order import Order
from trade.repository import Clock, TradeUnitOfWork
from zhongtai.auth import Identity, acting_seller
from zhongtai.errors import Violations


async def adjust_price(uow: TradeUnitOfWork, *, order_id: str, caller: Identity,
                       seller_id: str, adjust: int | None, currency: str, reason: str,
                       clock: Clock) -> Order:
    """Set a top-level order's adjustment (``adjust`` minor units of
    ``currency``; None when the request had none) as its seller — a seller
    credential for the order's seller (``seller_id``, if named, must be one
    of its own), or an operator — ; the order after it.
    ``OrderPriceAdjusted`` says what it was before."""
    seller_id = acting_seller(caller, seller_id)
    order = await uow.orders.get_for_update(order_id)
    v = Violations()
    v.check(adjust is not None, "adjust_amount", "is required")
    v.check(adjust is None or currency == order.currency, "adjust_amount",
            f"must be in the order's currency {order.currency}")
    v.raise_if_any()
    assert adjust is not None
    order.check_top_level(order_id, "adjust")
    order.adjust_price(order.party_of(caller, seller_id=seller_id), adjust, reason, clock())
    await uow.orders.save(order)
    return order
