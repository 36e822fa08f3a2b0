"""The return (退货) of a return-and-refund: logistics' return order, the
buyer's parcel, its delivery, and the seller's receipt.

Logistics opens the return (``CreateReturn``, keyed by the application id:
from the order's address to the warehouse that shipped the line) when the
application is approved — in the approving call, or by the effects timer
when the review deadline approved it — and records the buyer's parcel
(``ShipReturn``). Its ``logistics.order.changed`` of the return DELIVERED
starts the seller's receive deadline again from then.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from aftersales.application import SHIP_RETURN, AfterSalesPolicy, Application
from aftersales.clients import Clients
from aftersales.parties import check_buyer, check_seller
from aftersales.repository import AfterSalesUnitOfWork, Clock, UnitOfWorkFactory, change
from aftersales.requests import Parcel, Receipt
from zhongtai.auth import Identity
from zhongtai.logistics.v1 import logistics_pb2 as lg
from zhongtai.trade.v1 import trade_pb2 as trade


@dataclass(frozen=True)
class ReturnOrder:
    logistics_order_id: str
    warehouse_id: str
    address: bytes


async def create_return(clients: Clients, app: Application) -> ReturnOrder:
    """Logistics' return order of the application (the same one on a repeat)."""
    order = await clients.call(clients.trade.GetRefundable,
                               trade.GetRefundableRequest(order_id=app.order_id))
    created = await clients.call(clients.logistics.CreateReturn, lg.CreateReturnRequest(
        request_id=app.application_id, order_id=app.line_order_id, top_order_id=app.order_id,
        seller_id=app.seller_id, buyer_id=app.buyer_id, sku_id=app.sku_id,
        quantity=app.quantity, from_address=order.address))
    lo = created.return_order
    return ReturnOrder(lo.logistics_order_id, lo.warehouse_id,
                       lo.address.SerializeToString(deterministic=True))


def created_return(app: Application, created: ReturnOrder | None) -> None:
    """Record the return order the call opened, if it opened one."""
    if created is not None:
        app.return_created(created.logistics_order_id, created.warehouse_id, created.address)


async def prepare_shipment(new_uow: UnitOfWorkFactory, clients: Clients,
                           application_id: str, shipped: Parcel, caller: Identity
                           ) -> ReturnOrder | None:
    """Before the buyer's parcel is written: logistics records it on the
    return order (opened first if the approval did not; the one opened is
    returned)."""
    async with new_uow() as uow:
        app = await uow.applications.get(application_id)
    check_buyer(app, caller)
    app.check_status(SHIP_RETURN)
    created = None if app.return_logistics_order_id else await create_return(clients, app)
    await clients.call(clients.logistics.ShipReturn, lg.ShipReturnRequest(
        request_id=app.application_id,
        logistics_order_id=created.logistics_order_id if created
        else app.return_logistics_order_id,
        carrier=shipped.carrier, tracking_no=shipped.tracking_no))
    return created


async def ship_return(uow: AfterSalesUnitOfWork, application_id: str, shipped: Parcel,
                      created: ReturnOrder | None, caller: Identity, clock: Clock,
                      policy: AfterSalesPolicy) -> Application:
    """The buyer's parcel (after ``prepare_shipment``): WAIT_SELLER_RECEIVE
    with the receive deadline."""
    def act(app: Application) -> None:
        check_buyer(app, caller)
        created_return(app, created)
        app.ship_return(shipped.carrier, shipped.tracking_no, shipped.shipping_fee, clock(),
                        policy)

    return await change(uow, application_id, act)


async def confirm_receipt(uow: AfterSalesUnitOfWork, application_id: str, received: Receipt,
                          caller: Identity, clock: Clock, policy: AfterSalesPolicy
                          ) -> Application:
    """The line's seller (or an operator) inspected the return: all of it
    (REFUNDING) or part (WAIT_BUYER_CONFIRM, with the reduced amount and the
    note the buyer sees)."""
    def act(app: Application) -> None:
        app.confirm_receipt(check_seller(app, caller), received.received_quantity,
                            received.amount, received.note, clock(), policy)

    return await change(uow, application_id, act)


async def return_delivered(uow: AfterSalesUnitOfWork, application_id: str, now: dt.datetime,
                           policy: AfterSalesPolicy) -> bool:
    """Logistics delivered the return: history ACTION_RETURN_DELIVERED and
    the receive deadline from ``now`` (once; unknown applications ignored)."""
    app = await uow.applications.find(application_id, lock=True)
    if app is None or not app.return_delivered(now, policy):
        return False
    await uow.applications.save(app)
    return True
