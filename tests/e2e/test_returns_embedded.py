"""After-sales' side of logistics end to end on the embedded default,
through the stubs with after-sales' service credential: a return opened for
a shipped line goes to the warehouse that shipped it, the buyer's parcel
travels with the sandbox carrier to DELIVERED (published with its
application), and the parties see it; a line refunded in full before
shipment loses its logistics order, a partly shipped one keeps it."""

from __future__ import annotations

import datetime as dt

import grpc
import pytest

from tests.builders import envelope
from tests.conftest import equals, eventually
from tests.e2e.aftersales_support import DEPOT, shipped_line
from tests.e2e.builders import deliver, logistics_orders, paid_order, sandbox
from tests.e2e.platform import Platform
from tests.e2e.support import ADDRESS, refusal, seed_shop
from zhongtai.auth import Identity, Role
from zhongtai.events import Envelope
from zhongtai.logistics.v1 import events_pb2 as lev
from zhongtai.logistics.v1 import logistics_pb2 as lg
from zhongtai.trade.v1 import events_pb2 as trade_events
from zhongtai.trade.v1 import trade_pb2 as tr

pytestmark = pytest.mark.e2e

CHANGED = "zhongtai.logistics.v1.LogisticsOrderChanged"
AFTER_SALES = Identity.for_service("aftersales")


def changes(p: Platform, lo_id: str) -> list[lg.LogisticsOrder]:
    """The logistics order as each logistics.order.changed that moved its
    status showed it (its warehouse plan, e.g., moves none)."""
    events = [lev.LogisticsOrderChanged.FromString(e.payload) for e in p.events.of(CHANGED, lo_id)]
    return [e.logistics_order for e in events if e.previous_status != e.logistics_order.status]


async def get(p: Platform, lo_id: str, who: Identity = AFTER_SALES) -> lg.LogisticsOrder:
    return (await p.logistics.GetLogisticsOrder(lg.GetLogisticsOrderRequest(
        logistics_order_id=lo_id), metadata=p.as_(who))).logistics_order


def opened(order: tr.Order, application_id: str, quantity: int) -> lg.CreateReturnRequest:
    return lg.CreateReturnRequest(
        request_id=application_id, order_id=order.order_id, top_order_id=order.order_id,
        seller_id=order.seller_id, buyer_id=order.buyer_id, sku_id=order.item.sku_id,
        quantity=quantity, from_address=ADDRESS)


async def test_a_return_travels_back_to_the_warehouse_that_shipped_the_line(
        tracked: tuple[Platform, str, str]) -> None:
    p, carrier, _ = tracked
    order, lo = await shipped_line(p, "buyer-back")
    # Only after-sales opens a return: not the buyer, not another service.
    for who in (Identity(Role.BUYER, "buyer-back"), Identity.for_service("trade")):
        denied = await refusal(p.logistics.CreateReturn(
            opened(order, "app-1", 1), metadata=p.as_(who)),
            grpc.StatusCode.PERMISSION_DENIED)
        assert denied["reason"] == "ROLE_NOT_ALLOWED"
    created = await p.logistics.CreateReturn(opened(order, "app-1", 1))
    ret = created.return_order
    assert (ret.role, ret.status, ret.application_id, ret.warehouse_id, ret.address,
            ret.return_from, ret.buyer_id, ret.seller_id, ret.log_order_id) == (
        lg.LOGISTICS_ORDER_ROLE_RETURN, lg.LOGISTICS_ORDER_STATUS_WAIT_SHIP, "app-1", "hz",
        DEPOT, ADDRESS, "buyer-back", order.seller_id, "")
    assert [(x.sku_id, x.quantity) for x in ret.lines] == [(order.item.sku_id, 1)]
    assert await p.logistics.CreateReturn(opened(order, "app-1", 1)) == created

    # Its parties see it, with the order's own logistics order; a stranger does not.
    for who in (Identity(Role.BUYER, "buyer-back"),
                Identity(Role.SELLER, "acct", frozenset({order.seller_id}))):
        assert (await get(p, ret.logistics_order_id, who)).application_id == "app-1"
        listed = await p.logistics.ListLogisticsOrders(lg.ListLogisticsOrdersRequest(
            order_id=order.order_id), metadata=p.as_(who))
        assert [x.role for x in listed.logistics_orders] == [
            lg.LOGISTICS_ORDER_ROLE_RETURN, lg.LOGISTICS_ORDER_ROLE_ORDER]
    stranger = await refusal(get(p, ret.logistics_order_id, Identity(Role.BUYER, "other")),
                             grpc.StatusCode.PERMISSION_DENIED)
    assert stranger["reason"] == "NOT_A_PARTY_TO_THE_ORDER"

    # The buyer's parcel: shipped once, whatever is repeated.
    back = lg.ShipReturnRequest(request_id="ship-back-1",
                                logistics_order_id=ret.logistics_order_id,
                                carrier="sandbox", tracking_no="BACK-1")
    sent = (await p.logistics.ShipReturn(back)).return_order
    assert (sent.status, sent.is_package, sent.carrier, sent.tracking_no) == (
        lg.LOGISTICS_ORDER_STATUS_SHIPPED, True, "sandbox", "BACK-1")
    back.request_id = "ship-back-2"
    assert (await p.logistics.ShipReturn(back)).return_order.status == sent.status
    other_parcel = await refusal(p.logistics.ShipReturn(lg.ShipReturnRequest(
        request_id="ship-back-3", logistics_order_id=ret.logistics_order_id,
        carrier="sandbox", tracking_no="BACK-2")))
    assert other_parcel["reason"] == "NOTHING_TO_SHIP"

    # The sandbox carrier takes it to the warehouse.
    async def subscribed() -> bool:
        async with p.http.get(f"{carrier}/v1/waybills/BACK-1/events") as resp:
            return resp.status == 200

    await eventually(subscribed)
    t0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    await sandbox(p, "POST", f"{carrier}/v1/waybills/BACK-1/journey",
                  {"start": t0.isoformat(), "step_seconds": 3600})

    async def moved() -> list[int]:
        return [c.status for c in changes(p, ret.logistics_order_id)]

    expected = [lg.LOGISTICS_ORDER_STATUS_WAIT_SHIP, lg.LOGISTICS_ORDER_STATUS_SHIPPED,
                lg.LOGISTICS_ORDER_STATUS_IN_TRANSIT,
                lg.LOGISTICS_ORDER_STATUS_OUT_FOR_DELIVERY, lg.LOGISTICS_ORDER_STATUS_DELIVERED]
    await eventually(lambda: equals(moved(), expected))
    assert {(c.role, c.application_id, c.warehouse_id)
            for c in changes(p, ret.logistics_order_id)} == {
        (lg.LOGISTICS_ORDER_ROLE_RETURN, "app-1", "hz")}
    home = await get(p, ret.logistics_order_id)
    assert len(home.tracking) == 4
    assert home.deliver_time.ToDatetime(dt.UTC) == t0 + dt.timedelta(hours=3)
    # The return is no package of the trade order: its own stays where its carrier left it.
    assert (await get(p, lo.logistics_order_id)).status == lg.LOGISTICS_ORDER_STATUS_SHIPPED


def refunded(order: tr.Order, line: tr.Order, *, cancelled: bool) -> Envelope:
    return envelope(trade_events.OrderRefunded(
        order=order, line_cancelled=cancelled,
        plan=tr.RefundPlan(application_id=f"app-{line.order_id}", order_id=order.order_id,
                           line_order_id=line.order_id, quantity=line.quantity)),
        "trade.order.refunded", order.order_id)


async def test_a_line_refunded_before_shipment_loses_its_logistics_order(
        platform: Platform) -> None:
    p = platform
    shop = await seed_shop(p.stubs, "R", [1_000, 2_000])
    order = await paid_order(p, "buyer-refund", [(shop.sku_ids[0], 1), (shop.sku_ids[1], 2)])
    a, b = await logistics_orders(p, order.order_id, 2)
    line_a, line_b = (next(x for x in order.sub_orders if x.order_id == lo.order_id)
                      for lo in (a, b))

    # A refund that does not cancel its line moves nothing.
    await deliver(p, refunded(order, line_a, cancelled=False))
    assert (await get(p, a.logistics_order_id)).status == lg.LOGISTICS_ORDER_STATUS_WAIT_SHIP
    # Line a refunded in full before shipment: cancelled, once, whatever is redelivered.
    event = refunded(order, line_a, cancelled=True)
    for _ in range(2):
        await deliver(p, event)

    async def cancelled() -> list[int]:
        return [c.status for c in changes(p, a.logistics_order_id)]

    await eventually(lambda: equals(cancelled(), [lg.LOGISTICS_ORDER_STATUS_WAIT_SHIP,
                                                  lg.LOGISTICS_ORDER_STATUS_CANCELLED]))
    assert (await get(p, b.logistics_order_id)).status == lg.LOGISTICS_ORDER_STATUS_WAIT_SHIP

    # Line b partly shipped: its logistics order stays.
    await p.logistics.ShipPackage(lg.ShipPackageRequest(
        seller_id=shop.seller_id, carrier="sandbox", tracking_no="PART-1",
        items=[lg.PackageItem(logistics_order_id=b.logistics_order_id, quantity=1)]))
    await deliver(p, refunded(order, line_b, cancelled=True))
    assert (await get(p, b.logistics_order_id)).status == \
        lg.LOGISTICS_ORDER_STATUS_PARTIALLY_SHIPPED
