"""catalog's access and input limits end to end (embedded, through the stubs,
with explicit credentials): a seller acts only on its own items and SKUs,
stock goes only into warehouses logistics knows, and the issue's inputs
(a delta near 2^63, a price of 2^62+1, a 20,000-character id) are
INVALID_ARGUMENT; every refusal changes nothing; every change is in the
audit trail, with who made it and how."""

from __future__ import annotations

import grpc
import pytest

from tests.builders import cny
from tests.conftest import eventually
from tests.e2e.platform import Platform
from tests.e2e.support import Shop, order_request, refusal, seed_shop, stock_is, stock_of
from zhongtai.auth import Identity, Role
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.common.v1.common_pb2 import Operator
from zhongtai.logistics.v1 import warehouse_pb2 as wh
from zhongtai.trade.v1 import trade_pb2 as tr

pytestmark = pytest.mark.e2e

DENIED = grpc.StatusCode.PERMISSION_DENIED
INVALID = grpc.StatusCode.INVALID_ARGUMENT
OPERATOR = Identity(Role.OPERATOR, "ops-1")


def seller_of(shop: Shop) -> Identity:
    return Identity(Role.SELLER, f"account-of-{shop.seller_id}", frozenset({shop.seller_id}))


async def warehouse(p: Platform, warehouse_id: str) -> None:
    await p.warehouses.CreateWarehouse(wh.CreateWarehouseRequest(warehouse=wh.Warehouse(
        warehouse_id=warehouse_id, name=warehouse_id, kind=wh.WAREHOUSE_KIND_CENTRAL,
        default_delivery_hours=48)))


async def test_a_seller_changes_only_its_own_items_and_stock(platform: Platform) -> None:
    p = platform
    mine, theirs = await seed_shop(p.stubs, "mine", [100]), await seed_shop(p.stubs, "other", [100])
    me = p.as_(seller_of(mine))
    [sku], [their_sku] = mine.sku_ids, theirs.sku_ids
    their_item = (await p.stubs.catalog.BatchGetSkus(cat.BatchGetSkusRequest(
        sku_ids=[their_sku]))).skus[0].item_id
    await warehouse(p, "w1")

    err = await refusal(p.stubs.catalog.AdjustStock(
        cat.AdjustStockRequest(sku_id=their_sku, delta=-10), metadata=me), DENIED)
    assert (err["reason"], err["metadata"]) == ("NOT_THE_SELLER", {"sku_id": their_sku})
    err = await refusal(p.stubs.catalog.SetWarehouseStock(cat.SetWarehouseStockRequest(
        sku_id=their_sku, warehouse_id="w1", quantity=0), metadata=me), DENIED)
    assert err["reason"] == "NOT_THE_SELLER"
    err = await refusal(p.stubs.catalog.UpdateItem(cat.UpdateItemRequest(
        item_id=their_item, title="mine now"), metadata=me), DENIED)
    assert (err["reason"], err["metadata"]) == ("NOT_THE_SELLER", {"item_id": their_item})
    err = await refusal(p.stubs.catalog.CreateItem(cat.CreateItemRequest(
        seller_id=theirs.seller_id, title="in their shop", item_type=cat.ITEM_TYPE_PHYSICAL,
        skus=[cat.SkuInput(price=cny(1), weight_grams=1)]), metadata=me), DENIED)
    assert err["reason"] == "SUBJECT_MISMATCH"
    # A buyer is not let in at all (the policy), nor with no credential.
    buyer = p.as_(Identity(Role.BUYER, "b1"))
    err = await refusal(p.stubs.catalog.AdjustStock(
        cat.AdjustStockRequest(sku_id=their_sku, delta=5), metadata=buyer), DENIED)
    assert err["reason"] == "ROLE_NOT_ALLOWED"
    # Nothing changed.
    assert await stock_of(p.stubs, their_sku) == (10, 0)
    got = await p.stubs.catalog.GetItem(cat.GetItemRequest(item_id=their_item))
    assert got.item.version == 1
    listed = await p.stubs.catalog.ListItems(cat.ListItemsRequest(seller_id=theirs.seller_id))
    assert len(listed.items) == 1

    # Its own: allowed; so is an operator on anyone's.
    done = await p.stubs.catalog.AdjustStock(cat.AdjustStockRequest(sku_id=sku, delta=5),
                                             metadata=me)
    assert done.stock.available == 15
    set_ = await p.stubs.catalog.SetWarehouseStock(cat.SetWarehouseStockRequest(
        sku_id=sku, warehouse_id="w1", quantity=3), metadata=me)
    assert (set_.warehouse_stock.quantity, set_.stock.available) == (3, 18)
    ops = p.as_(OPERATOR)
    await p.stubs.catalog.AdjustStock(cat.AdjustStockRequest(sku_id=their_sku, delta=-1),
                                      metadata=ops)
    assert await stock_of(p.stubs, their_sku) == (9, 0)
    updated = await p.stubs.catalog.UpdateItem(cat.UpdateItemRequest(
        item_id=their_item, title="fixed by ops"), metadata=ops)
    assert updated.item.version == 2


async def test_stock_goes_only_into_warehouses_logistics_knows(platform: Platform) -> None:
    p = platform
    shop = await seed_shop(p.stubs, "W", [100], stock=0)
    [sku] = shop.sku_ids
    err = await refusal(p.stubs.catalog.SetWarehouseStock(cat.SetWarehouseStockRequest(
        sku_id=sku, warehouse_id="nowhere", quantity=1_000)), grpc.StatusCode.NOT_FOUND)
    assert (err["reason"], err["metadata"]) == ("WAREHOUSE_NOT_FOUND",
                                               {"warehouse_id": "nowhere"})
    assert await stock_of(p.stubs, sku) == (0, 0)
    got = await p.stubs.catalog.BatchGetWarehouseStock(cat.BatchGetWarehouseStockRequest(
        sku_ids=[sku]))
    assert list(got.warehouse_stock) == []
    # Once logistics has it, the same request goes through.
    await warehouse(p, "nowhere")
    done = await p.stubs.catalog.SetWarehouseStock(cat.SetWarehouseStockRequest(
        sku_id=sku, warehouse_id="nowhere", quantity=1_000))
    assert done.stock.available == 1_000


async def test_only_trade_moves_a_live_orders_reservation(platform: Platform) -> None:
    """The issue's oversell: ReleaseStock on another buyer's order waiting for
    payment. A buyer, a seller, an operator or another service (a front's
    token) is refused; the reservation stays."""
    p = platform
    shop = await seed_shop(p.stubs, "L", [100])
    [sku] = shop.sku_ids
    order = (await p.stubs.trade.CreateOrder(order_request("buyer-l", [(sku, 4)]))).order
    release = cat.ReleaseStockRequest(order_id=order.order_id)
    for who in (Identity(Role.BUYER, "buyer-x"), seller_of(shop), OPERATOR,
                Identity.for_service("my-front")):
        err = await refusal(p.stubs.catalog.ReleaseStock(release, metadata=p.as_(who)),
                            DENIED)
        assert err["reason"] == "ROLE_NOT_ALLOWED"
        err = await refusal(p.stubs.catalog.DeductStock(cat.DeductStockRequest(
            order_id=order.order_id), metadata=p.as_(who)), DENIED)
        assert err["reason"] == "ROLE_NOT_ALLOWED"
    got = await p.stubs.catalog.GetReservation(cat.GetReservationRequest(
        order_id=order.order_id))
    assert got.reservation.status == cat.RESERVATION_STATUS_RESERVED
    assert await stock_of(p.stubs, sku) == (6, 4)


async def test_out_of_range_input_is_invalid_argument_and_writes_nothing(
        platform: Platform) -> None:
    p = platform
    shop = await seed_shop(p.stubs, "R", [100])
    [sku] = shop.sku_ids
    err = await refusal(p.stubs.catalog.AdjustStock(cat.AdjustStockRequest(
        sku_id=sku, delta=2**63 - 10)), INVALID)
    assert err["fields"] == ["delta"]
    err = await refusal(p.stubs.catalog.AdjustStock(cat.AdjustStockRequest(
        sku_id=sku, delta=-(2**63))), INVALID)
    assert err["fields"] == ["delta"]
    assert await stock_of(p.stubs, sku) == (10, 0)
    # A price no order could add up: refused at the contract, so QuoteOrder
    # and CreateOrder never meet one.
    err = await refusal(p.stubs.catalog.CreateItem(cat.CreateItemRequest(
        seller_id=shop.seller_id, title="gold", item_type=cat.ITEM_TYPE_PHYSICAL,
        skus=[cat.SkuInput(price=cny(2**62 + 1), weight_grams=1)])), INVALID)
    assert err["fields"] == ["skus[0].price.amount_minor"]
    item_id = (await p.stubs.catalog.BatchGetSkus(cat.BatchGetSkusRequest(
        sku_ids=[sku]))).skus[0].item_id
    err = await refusal(p.stubs.catalog.UpdateItem(cat.UpdateItemRequest(
        item_id=item_id, skus=[cat.SkuInput(sku_id=sku, price=cny(10**10 + 1))])), INVALID)
    assert err["fields"] == ["skus[0].price.amount_minor"]
    listed = await p.stubs.catalog.ListItems(cat.ListItemsRequest(seller_id=shop.seller_id))
    assert [i.version for i in listed.items] == [1]
    # A huge id is INVALID_ARGUMENT, its error small (never RESOURCE_EXHAUSTED).
    for call in (p.stubs.catalog.GetItem(cat.GetItemRequest(item_id="x" * 20_000)),
                 p.stubs.catalog.GetStock(cat.GetStockRequest(sku_id="x" * 20_000)),
                 p.stubs.catalog.SetWarehouseStock(cat.SetWarehouseStockRequest(
                     sku_id=sku, warehouse_id="w" * 20_000, quantity=1))):
        try:
            await call
        except grpc.aio.AioRpcError as e:
            assert e.code() == INVALID
            assert len(e.details() or "") < 1024
        else:
            raise AssertionError("a 20,000-character id was accepted")
    # A negative quantity, a blank seller name: refused, nothing created.
    err = await refusal(p.stubs.catalog.SetWarehouseStock(cat.SetWarehouseStockRequest(
        sku_id=sku, warehouse_id="w1", quantity=-1)), INVALID)
    assert err["fields"] == ["quantity"]
    err = await refusal(p.stubs.catalog.CreateSeller(cat.CreateSellerRequest(
        display_name="   ")), INVALID)
    assert err["fields"] == ["display_name"]
    sellers = await p.stubs.catalog.ListSellers(cat.ListSellersRequest())
    assert [s.seller_id for s in sellers.sellers] == [shop.seller_id]


async def test_every_change_is_in_the_audit_trail_with_who_did_it(platform: Platform) -> None:
    """A seller's stock change, trade's reservation (as its service) and the
    release catalog makes on the cancel it consumes, each with who and how;
    operators read them, nobody else."""
    p = platform
    shop = await seed_shop(p.stubs, "A", [100])
    [sku] = shop.sku_ids
    owner = seller_of(shop)
    await p.stubs.catalog.AdjustStock(cat.AdjustStockRequest(sku_id=sku, delta=-3),
                                      metadata=p.as_(owner))
    order = (await p.stubs.trade.CreateOrder(order_request("buyer-a", [(sku, 2)]))).order
    await p.stubs.trade.CancelOrder(tr.CancelOrderRequest(
        order_id=order.order_id, operator=Operator(role=Operator.ROLE_BUYER, id="buyer-a")))
    await eventually(lambda: stock_is(p.stubs, sku, (7, 0)))
    ops = p.as_(OPERATOR)

    async def trail(resource_type: str, resource_id: str) -> list[tuple[str, ...]]:
        got = await p.stubs.catalog.ListAuditEntries(cat.ListAuditEntriesRequest(
            resource_type=resource_type, resource_id=resource_id), metadata=ops)
        return [(e.subject, e.role, e.action, e.detail) for e in got.entries]

    assert await trail("stock", sku) == [
        (owner.subject, "seller", "AdjustStock", "available -3")]
    assert await trail("reservation", order.order_id) == [
        ("trade", "service", "ReserveStock", f"RESERVED {sku} x2"),
        ("catalog", "service", "event zhongtai.trade.v1.OrderCancelled", f"RELEASED {sku} x2")]
    item_id = (await p.stubs.catalog.BatchGetSkus(cat.BatchGetSkusRequest(
        sku_ids=[sku]))).skus[0].item_id
    assert await trail("item", item_id) == [
        (f"seller-account-{shop.seller_id}", "seller", "CreateItem", f"version 1: SKUs {sku}")]
    err = await refusal(p.stubs.catalog.ListAuditEntries(cat.ListAuditEntriesRequest(
        resource_type="stock", resource_id=sku), metadata=p.as_(owner)), DENIED)
    assert err["reason"] == "ROLE_NOT_ALLOWED"
    err = await refusal(p.stubs.catalog.ListAuditEntries(cat.ListAuditEntriesRequest(
        resource_type="order", resource_id=sku), metadata=ops), INVALID)
    assert err["fields"] == ["resource_type"]
