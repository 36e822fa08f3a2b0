"""Builders for after-sales end-to-end tests on the embedded platform: the
AfterSalesService stub, the parties' credentials, applications made and
read, an order's refund figures (trade's timers, and after-sales':
tests.e2e.builders.make_due_and_fire)."""

from __future__ import annotations

from tests.builders import cny
from tests.conftest import eventually
from tests.e2e.builders import logistics_orders, paid_order, sandbox
from tests.e2e.platform import Platform
from tests.e2e.support import seed_shop
from zhongtai.aftersales.v1 import aftersales_pb2 as af
from zhongtai.aftersales.v1 import aftersales_pb2_grpc as af_grpc
from zhongtai.auth import Identity, Role
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.common.v1.common_pb2 import Address
from zhongtai.ids import new_id
from zhongtai.logistics.v1 import logistics_pb2 as lg
from zhongtai.logistics.v1 import warehouse_pb2 as wh
from zhongtai.trade.v1 import trade_pb2 as tr

OPERATOR = Identity(Role.OPERATOR, "op-aftersales")
# The return address of warehouse hz (shipped_line).
DEPOT = Address(country_code="CN", province="浙江省", city="杭州市", detail="余杭 退货仓")
Metadata = tuple[tuple[str, str], ...]


def stub(p: Platform) -> af_grpc.AfterSalesServiceStub:
    return af_grpc.AfterSalesServiceStub(p.stubs.channels[0])


def as_buyer(p: Platform, buyer_id: str) -> Metadata:
    return p.as_(Identity(Role.BUYER, buyer_id))


def as_seller(p: Platform, seller_id: str) -> Metadata:
    return p.as_(Identity(Role.SELLER, f"seller-account-{seller_id}", frozenset({seller_id})))


def as_operator(p: Platform) -> Metadata:
    return p.as_(OPERATOR)


def lines_of(order: tr.Order) -> list[tr.Order]:
    """A top-level order's lines (its sub orders, or itself)."""
    return list(order.sub_orders) if order.is_main else [order]


async def apply(p: Platform, buyer_id: str, line: tr.Order, *, amount: int | None = None,
                quantity: int | None = None,
                kind: int = af.APPLICATION_KIND_REFUND_ONLY,
                reason: int = af.APPLICATION_REASON_DAMAGED,
                request_id: str | None = None) -> af.Application:
    """The buyer applies for ``amount`` (default: the line's whole cash) of
    ``quantity`` units (default: all) of ``line``."""
    return (await stub(p).CreateApplication(af.CreateApplicationRequest(
        request_id=request_id or new_id(), line_order_id=line.order_id, kind=kind,
        reason=reason, note="see photos", evidence_urls=["https://img.example/1.jpg"],
        quantity=line.quantity if quantity is None else quantity,
        amount=cny(line.actual_amount.amount_minor if amount is None else amount)),
        metadata=as_buyer(p, buyer_id))).application


async def approve(p: Platform, application: af.Application) -> af.Application:
    return (await stub(p).ApproveApplication(af.ApproveApplicationRequest(
        request_id=new_id(), application_id=application.application_id, note="ok"),
        metadata=as_seller(p, application.seller_id))).application


async def application_of(p: Platform, application_id: str) -> af.GetApplicationResponse:
    return await stub(p).GetApplication(af.GetApplicationRequest(
        application_id=application_id), metadata=as_operator(p))


async def reaches(p: Platform, application_id: str, status: int, within: float = 15.0
                  ) -> af.Application:
    """The application once it is in ``status`` (fails after ``within`` s)."""
    found: af.Application | None = None

    async def there() -> bool:
        nonlocal found
        found = (await application_of(p, application_id)).application
        return found.status == status

    try:
        await eventually(there, within=within)
    except AssertionError:
        history = (await application_of(p, application_id)).history
        raise AssertionError(f"application {application_id} did not reach {status}: "
                             f"{found}; history {list(history)}") from None
    assert found is not None
    return found


async def refundable(p: Platform, order_id: str) -> tr.GetRefundableResponse:
    return await p.stubs.trade.GetRefundable(tr.GetRefundableRequest(order_id=order_id),
                                             metadata=as_operator(p))


async def shipped_line(p: Platform, buyer: str) -> tuple[tr.Order, lg.LogisticsOrder]:
    """A paid order of 2 units, planned from warehouse hz and shipped whole."""
    await p.warehouses.CreateWarehouse(wh.CreateWarehouseRequest(warehouse=wh.Warehouse(
        warehouse_id="hz", name="杭州仓", kind=wh.WAREHOUSE_KIND_REGIONAL, address=DEPOT,
        coverage=[wh.CoverageArea(province="浙江省", delivery_hours=24)])))
    shop = await seed_shop(p.stubs, "back", [3_000], stock=0)
    await p.stubs.catalog.SetWarehouseStock(cat.SetWarehouseStockRequest(
        sku_id=shop.sku_ids[0], warehouse_id="hz", quantity=5))
    order = await paid_order(p, buyer, [(shop.sku_ids[0], 2)])
    [lo] = await logistics_orders(p, order.order_id, 1)

    async def planned() -> bool:
        found = await p.logistics.GetLogisticsOrder(lg.GetLogisticsOrderRequest(
            logistics_order_id=lo.logistics_order_id))
        return bool(found.logistics_order.plan)

    await eventually(planned)
    await p.logistics.ShipPackage(lg.ShipPackageRequest(
        seller_id=shop.seller_id, carrier="sandbox", tracking_no="OUT-1",
        items=[lg.PackageItem(logistics_order_id=lo.logistics_order_id)]))
    return order, lo


async def carrier_journey(p: Platform, carrier: str, tracking_no: str) -> None:
    """Once logistics subscribed the waybill at the sandbox carrier
    (``carrier``: its URL), the parcel travels to DELIVERED."""

    async def subscribed() -> bool:
        async with p.http.get(f"{carrier}/v1/waybills/{tracking_no}/events") as resp:
            return resp.status == 200

    await eventually(subscribed)
    await sandbox(p, "POST", f"{carrier}/v1/waybills/{tracking_no}/journey", {})
