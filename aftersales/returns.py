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
from aftersales.keyed import UnitOfWorkFactory, change
from aftersales.parties import check_buyer, check_seller
from aftersales.repository import AfterSalesUnitOfWork, Clock
from zhongtai.aftersales.v1 import aftersales_pb2 as pb
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


async def ship_return(new_uow: UnitOfWorkFactory, clients: Clients, policy: AfterSalesPolicy,
                      req: pb.ShipReturnRequest, caller: Identity, clock: Clock
                      ) -> pb.ShipReturnResponse:
    """The buyer's parcel: logistics records it on the return order (opened
    first if the approval did not), then WAIT_SELLER_RECEIVE with the receive
    deadline. Once per request id."""
    async def prepare() -> ReturnOrder | None:
        async with new_uow() as uow:
            app = await uow.applications.get(req.application_id)
        check_buyer(app, caller)
        app.check_status(SHIP_RETURN)
        created = None if app.return_logistics_order_id else await create_return(clients, app)
        await clients.call(clients.logistics.ShipReturn, lg.ShipReturnRequest(
            request_id=app.application_id,
            logistics_order_id=created.logistics_order_id if created
            else app.return_logistics_order_id,
            carrier=req.carrier, tracking_no=req.tracking_no))
        return created

    def act(app: Application, created: ReturnOrder | None) -> None:
        check_buyer(app, caller)
        created_return(app, created)
        app.ship_return(req.carrier, req.tracking_no, req.shipping_fee.amount_minor, clock(),
                        policy)

    return await change(new_uow, req, pb.ShipReturnResponse, act, prepare)


async def confirm_receipt(new_uow: UnitOfWorkFactory, policy: AfterSalesPolicy,
                          req: pb.ConfirmReturnReceiptRequest, caller: Identity, clock: Clock
                          ) -> pb.ConfirmReturnReceiptResponse:
    """The line's seller (or an operator) inspected the return: all of it
    (REFUNDING) or part (WAIT_BUYER_CONFIRM, with the reduced amount and the
    note the buyer sees). Once per request id."""
    def act(app: Application, _: None) -> None:
        app.confirm_receipt(check_seller(app, caller), req.received_quantity,
                            req.amount.amount_minor if req.HasField("amount") else None,
                            req.note, clock(), policy)

    return await change(new_uow, req, pb.ConfirmReturnReceiptResponse, act)


async def return_delivered(uow: AfterSalesUnitOfWork, application_id: str, now: dt.datetime,
                           policy: AfterSalesPolicy) -> bool:
    """Logistics delivered the return: history ACTION_RETURN_DELIVERED and
    the receive deadline from ``now`` (once; unknown applications ignored)."""
    app = await uow.applications.find(application_id, lock=True)
    if app is None or not app.return_delivered(now, policy):
        return False
    await uow.applications.save(app)
    return True
