"""Fulfilment (发货, 确认收货): mirroring logistics, receipt, and the ship and
receipt timers.

Each physical line's log order mirrors one logistics order; when every one
is shipped the order ships (WAIT_RECEIVE). The buyer confirms receipt or the
automatic receipt does; the buyer may push it back. A paid order nothing of
which shipped in time is cancelled and refunded. The rules are the
aggregate's (``Order.mirror_logistics``, ``confirm_receipt``,
``extend_receipt``, ``auto_receive``, ``ship_timeout``); here they run under
the order's lock.
"""

from __future__ import annotations

import logging

from trade.order import Mirror, Order, TradePolicy
from trade.repository import Clock, TradeUnitOfWork
from zhongtai.auth import Identity, acting_buyer
from zhongtai.trade.v1 import trade_pb2 as pb

log = logging.getLogger(__name__)


async def logistics_order_changed(uow: TradeUnitOfWork, *, log_order_id: str, order_id: str,
                                  status: int | None, logistics_order_id: str,
                                  clock: Clock, policy: TradePolicy) -> None:
    """logistics reports a logistics order's status (``status``: trade's
    LogisticsStatus, None if it has none) for a log order (consumer
    ``trade.logistics``, in its transaction): mirrored forward only, and the
    order shipped when every log order is. One that matches nothing of
    trade's is logged and dropped (redelivering it would not change that)."""
    order = await uow.orders.by_log_order(log_order_id, lock=True)
    line = next((x for x in order.lines if x.log_order is not None
                 and x.log_order.log_order_id == log_order_id), None) if order else None
    if status is None or order is None or line is None or line.log_order is None or (
            order_id and order_id != line.order_id):
        log.error("logistics order %s (log order %s, order %s) matches no log order of trade "
                  "or status; ignored", logistics_order_id, log_order_id, order_id)
        return
    before = line.log_order.status
    outcome = order.mirror_logistics(log_order_id, status, clock(), policy)
    if outcome is Mirror.IGNORED:
        log.info("log order %s is %s; %s from logistics ignored (not forward)", log_order_id,
                 pb.LogisticsStatus.Name(before), pb.LogisticsStatus.Name(status))
        return
    if outcome is Mirror.LOG_ORDER_ONLY:
        log.warning("log order %s of %s order %s is now %s (recorded on the log order only)",
                    log_order_id, pb.OrderStatus.Name(order.status), order.order_id,
                    pb.LogisticsStatus.Name(status))
    await uow.orders.save(order)


async def confirm_receipt(uow: TradeUnitOfWork, *, order_id: str, caller: Identity,
                          buyer_id: str, clock: Clock, policy: TradePolicy) -> Order:
    """The order's buyer (or staff naming it, or not) confirms receipt of a
    top-level order: COMPLETED (``Order.confirm_receipt``), its after-sales
    window started (``Order.start_after_sales``); the order after it."""
    buyer_id = acting_buyer(caller, buyer_id)
    order = await uow.orders.get_for_update(order_id)
    order.check_top_level(order_id, "confirm receipt of")
    now = clock()
    order.confirm_receipt(order.party_of(caller, buyer_id=buyer_id), now)
    order.start_after_sales(now, policy)
    await uow.orders.save(order)
    return order


async def extend_receipt(uow: TradeUnitOfWork, *, order_id: str, caller: Identity,
                         buyer_id: str, clock: Clock, policy: TradePolicy) -> Order:
    """The order's buyer (or staff) pushes the automatic receipt back
    (``Order.extend_receipt``); the order after it."""
    buyer_id = acting_buyer(caller, buyer_id)
    order = await uow.orders.get_for_update(order_id)
    order.check_top_level(order_id, "extend the receipt of")
    order.extend_receipt(order.party_of(caller, buyer_id=buyer_id), clock(), policy)
    await uow.orders.save(order)
    return order


async def on_auto_confirm(uow: TradeUnitOfWork, order_id: str, clock: Clock,
                          policy: TradePolicy) -> None:
    """The automatic receipt fired (``Order.auto_receive``): completed as the
    system (its after-sales window started), or the timer re-armed when the
    buyer pushed it back."""
    order = await uow.orders.get_for_update(order_id)
    now = clock()
    order.auto_receive(now)
    order.start_after_sales(now, policy)
    await uow.orders.save(order)


async def on_ship_timeout(uow: TradeUnitOfWork, order_id: str, clock: Clock) -> None:
    """The ship timeout fired (``Order.ship_timeout``): a paid order nothing
    of which shipped is cancelled and refunded; one partly shipped is not."""
    order = await uow.orders.get_for_update(order_id)
    if order.ship_timeout(clock()):
        await uow.orders.save(order)
        log.warning("order %s cancelled: not shipped in time", order_id)
    elif order.status == pb.ORDER_STATUS_WAIT_SHIP:
        log.info("order %s: part shipped; the ship timeout does not cancel it", order_id)
