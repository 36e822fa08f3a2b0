"""logistics' access end to end (embedded, through the stubs, with explicit
credentials): a seller ships only its own orders, logistics orders are read
and flagged only by their buyer, their seller or staff, a flag says who
really flagged, a seller's templates are its own, and carrier pushes move a
package only when signed with the configured secret (the current or, while
rotating, the previous one); every refusal changes nothing; every change is
in the audit trail, with who made it and how."""

from __future__ import annotations

import json
from pathlib import Path

import grpc
import pytest

from logistics.carrier_setup import DEVELOPMENT_SECRET
from logistics.sandbox_carrier import SIGNATURE_HEADER, TIMESTAMP_HEADER
from logistics.settings import LogisticsSettings
from tests.builders import cny
from tests.conftest import eventually
from tests.e2e.builders import logistics_orders, paid_order
from tests.e2e.platform import Platform, running_platform
from tests.e2e.support import free_port, refusal, seed_shop
from zhongtai import signing
from zhongtai.auth import Identity, Role
from zhongtai.common.v1.common_pb2 import Operator
from zhongtai.db import utcnow
from zhongtai.logistics.v1 import logistics_pb2 as lg
from zhongtai.sandbox import format_time

pytestmark = pytest.mark.e2e

DENIED = grpc.StatusCode.PERMISSION_DENIED


def seller(seller_id: str) -> Identity:
    return Identity(Role.SELLER, f"account-of-{seller_id}", frozenset({seller_id}))


async def test_a_seller_ships_only_its_own_orders(platform: Platform) -> None:
    p = platform
    mine, theirs = await seed_shop(p.stubs, "mine", [500]), await seed_shop(p.stubs, "their", [500])
    order = await paid_order(p, "buyer-s", [(theirs.sku_ids[0], 2)])
    [lo] = await logistics_orders(p, order.order_id, 1)
    me = p.as_(seller(mine.seller_id))

    def ship(seller_id: str, tracking_no: str) -> lg.ShipPackageRequest:
        return lg.ShipPackageRequest(
            seller_id=seller_id, carrier="sandbox", tracking_no=tracking_no,
            items=[lg.PackageItem(logistics_order_id=lo.logistics_order_id)])

    err = await refusal(p.logistics.ShipPackage(ship(theirs.seller_id, "X-1"), metadata=me),
                        DENIED)
    assert err["reason"] == "SUBJECT_MISMATCH"
    err = await refusal(p.logistics.ShipPackage(ship(mine.seller_id, "X-2"), metadata=me),
                        DENIED)
    assert (err["reason"], err["metadata"]) == ("NOT_A_PARTY_TO_THE_ORDER",
                                               {"logistics_order_id": lo.logistics_order_id})
    buyer = p.as_(Identity(Role.BUYER, "buyer-s"))
    err = await refusal(p.logistics.ShipPackage(ship(theirs.seller_id, "X-3"), metadata=buyer),
                        DENIED)
    assert err["reason"] == "ROLE_NOT_ALLOWED"
    now = (await p.logistics.GetLogisticsOrder(lg.GetLogisticsOrderRequest(
        logistics_order_id=lo.logistics_order_id))).logistics_order
    assert (now.status, now.shipped_quantity) == (lg.LOGISTICS_ORDER_STATUS_WAIT_SHIP, 0)
    # Its seller ships it.
    done = await p.logistics.ShipPackage(ship(theirs.seller_id, "X-4"),
                                         metadata=p.as_(seller(theirs.seller_id)))
    assert done.package.status == lg.LOGISTICS_ORDER_STATUS_SHIPPED


async def test_logistics_orders_are_read_and_flagged_only_by_their_parties(
        platform: Platform) -> None:
    p = platform
    shop, other = await seed_shop(p.stubs, "S", [500]), await seed_shop(p.stubs, "O", [500])
    order = await paid_order(p, "buyer-r", [(shop.sku_ids[0], 1)])
    [lo] = await logistics_orders(p, order.order_id, 1)
    lo_id = lo.logistics_order_id
    assert lo.buyer_id == "buyer-r"  # known from trade.order.paid
    get = lg.GetLogisticsOrderRequest(logistics_order_id=lo_id)
    by_order = lg.ListLogisticsOrdersRequest(order_id=order.order_id)
    owner, stranger = p.as_(Identity(Role.BUYER, "buyer-r")), \
        p.as_(Identity(Role.BUYER, "buyer-x"))
    their_seller, other_seller = p.as_(seller(shop.seller_id)), \
        p.as_(seller(other.seller_id))
    ops = p.as_(Identity(Role.OPERATOR, "ops-1"))

    for who in (stranger, other_seller):
        err = await refusal(p.logistics.GetLogisticsOrder(get, metadata=who), DENIED)
        assert err["reason"] == "NOT_A_PARTY_TO_THE_ORDER"
        err = await refusal(p.logistics.ListLogisticsOrders(by_order, metadata=who), DENIED)
        assert err["reason"] == "NOT_A_PARTY_TO_THE_ORDER"
    for who in (owner, stranger, other_seller):  # a seller's list is its own
        err = await refusal(p.logistics.ListLogisticsOrders(lg.ListLogisticsOrdersRequest(
            seller_id=shop.seller_id), metadata=who), DENIED)
        assert err["reason"] == "SUBJECT_MISMATCH"
    for who in (owner, their_seller, ops):
        got = await p.logistics.GetLogisticsOrder(get, metadata=who)
        assert got.logistics_order.logistics_order_id == lo_id
        listed = await p.logistics.ListLogisticsOrders(by_order, metadata=who)
        assert [x.logistics_order_id for x in listed.logistics_orders] == [lo_id]
    listed = await p.logistics.ListLogisticsOrders(lg.ListLogisticsOrdersRequest(
        seller_id=shop.seller_id), metadata=their_seller)
    assert [x.logistics_order_id for x in listed.logistics_orders] == [lo_id]

    # A stranger claiming to be the buyer is still the stranger: refused.
    claim = Operator(role=Operator.ROLE_BUYER, id="buyer-r")
    err = await refusal(p.logistics.FlagLogisticsOrder(lg.FlagLogisticsOrderRequest(
        logistics_order_id=lo_id, flag="DAMAGED", operator=claim), metadata=stranger), DENIED)
    assert err["reason"] == "NOT_A_PARTY_TO_THE_ORDER"
    assert list((await p.logistics.GetLogisticsOrder(get)).logistics_order.flags) == []
    # The buyer claiming to be an operator is recorded as the buyer; the
    # seller as its seller id.
    await p.logistics.FlagLogisticsOrder(lg.FlagLogisticsOrderRequest(
        logistics_order_id=lo_id, flag="LATE", operator=Operator(
            role=Operator.ROLE_OPERATOR, id="ops-9")), metadata=owner)
    flagged = await p.logistics.FlagLogisticsOrder(lg.FlagLogisticsOrderRequest(
        logistics_order_id=lo_id, flag="CHECKING"), metadata=their_seller)
    assert [(f.flag, f.operator) for f in flagged.logistics_order.flags] == [
        ("LATE", Operator(role=Operator.ROLE_BUYER, id="buyer-r")),
        ("CHECKING", Operator(role=Operator.ROLE_SELLER, id=shop.seller_id))]


async def test_a_seller_creates_templates_only_for_itself(platform: Platform) -> None:
    p = platform
    rule = lg.FreightRule(first_units=1, first_fee=cny(1000), additional_units=1,
                          additional_fee=cny(100))
    template = lg.FreightTemplate(seller_id="s-2", name="express",
                                  delivery_method=lg.DELIVERY_METHOD_EXPRESS,
                                  charging_basis=lg.CHARGING_BASIS_BY_COUNT,
                                  default_rule=rule, unlisted_regions_deliverable=True)
    err = await refusal(p.logistics.CreateFreightTemplate(
        lg.CreateFreightTemplateRequest(template=template),
        metadata=p.as_(seller("s-1"))), DENIED)
    assert (err["reason"], err["metadata"]) == ("SUBJECT_MISMATCH",
                                               {"field": "template.seller_id"})
    listed = await p.logistics.ListFreightTemplates(lg.ListFreightTemplatesRequest(
        seller_id="s-2"))
    assert list(listed.templates) == []
    made = await p.logistics.CreateFreightTemplate(
        lg.CreateFreightTemplateRequest(template=template), metadata=p.as_(seller("s-2")))
    assert made.template.seller_id == "s-2"


async def test_a_push_moves_a_package_only_signed_with_the_configured_secret(
        tmp_path: Path) -> None:
    notify = f"127.0.0.1:{free_port()}"
    async with running_platform(tmp_path, logistics=LogisticsSettings(
            notify_listen=notify, carrier_sandbox_listen="127.0.0.1:0",
            carrier_sandbox_secret="current-secret",
            carrier_sandbox_secret_previous="previous-secret")) as p:
        shop = await seed_shop(p.stubs, "P", [500])
        order = await paid_order(p, "buyer-p", [(shop.sku_ids[0], 1)])
        [lo] = await logistics_orders(p, order.order_id, 1)
        await p.logistics.ShipPackage(lg.ShipPackageRequest(
            seller_id=shop.seller_id, carrier="sandbox", tracking_no="RT-1",
            items=[lg.PackageItem(logistics_order_id=lo.logistics_order_id)]))

        async def push(secret: str, event_id: str, milestone: str) -> int:
            body = json.dumps({"tracking_no": "RT-1", "events": [{
                "event_id": event_id, "tracking_no": "RT-1", "milestone": milestone,
                "occurred_at": format_time(utcnow())}]}).encode()
            headers = signing.signed_headers(secret, body, timestamp_header=TIMESTAMP_HEADER,
                                             signature_header=SIGNATURE_HEADER)
            async with p.http.post(f"http://{notify}/carriers/sandbox/notify", data=body,
                                   headers=headers) as resp:
                return resp.status

        async def status() -> int:
            return (await p.logistics.GetLogisticsOrder(lg.GetLogisticsOrderRequest(
                logistics_order_id=lo.logistics_order_id))).logistics_order.status

        # The secret logistics used to ship with is nobody's now.
        assert await push(DEVELOPMENT_SECRET, "e-1", "DELIVERED") == 401
        assert await status() == lg.LOGISTICS_ORDER_STATUS_SHIPPED
        assert await push("previous-secret", "e-2", "IN_TRANSIT") == 200
        assert await status() == lg.LOGISTICS_ORDER_STATUS_IN_TRANSIT
        assert await push("current-secret", "e-3", "DELIVERED") == 200
        assert await status() == lg.LOGISTICS_ORDER_STATUS_DELIVERED
        got = await p.logistics.ListAuditEntries(lg.ListAuditEntriesRequest(
            resource_type="logistics_order", resource_id=lo.logistics_order_id),
            metadata=p.as_(Identity(Role.OPERATOR, "ops-1")))
        assert [(e.subject, e.action, e.detail) for e in got.entries][-4:] == [
            ("logistics", "carrier push sandbox", "SHIPPED -> IN_TRANSIT"),
            ("logistics", "carrier push sandbox", "sandbox event e-2: IN_TRANSIT"),
            ("logistics", "carrier push sandbox", "IN_TRANSIT -> DELIVERED"),
            ("logistics", "carrier push sandbox", "sandbox event e-3: DELIVERED")]


async def test_every_change_is_in_the_audit_trail_with_who_did_it(platform: Platform) -> None:
    """The logistics order made from trade's event, planned by the allocation
    timer, flagged by its buyer and shipped by its seller, each with who and
    how; operators read it, nobody else."""
    p = platform
    shop = await seed_shop(p.stubs, "A", [500])
    order = await paid_order(p, "buyer-a", [(shop.sku_ids[0], 1)])
    [lo] = await logistics_orders(p, order.order_id, 1)
    lo_id = lo.logistics_order_id
    ops = p.as_(Identity(Role.OPERATOR, "ops-1"))

    async def trail() -> list[tuple[str, ...]]:
        got = await p.logistics.ListAuditEntries(lg.ListAuditEntriesRequest(
            resource_type="logistics_order", resource_id=lo_id), metadata=ops)
        return [(e.subject, e.role, e.app, e.action, e.detail) for e in got.entries]

    async def planned() -> bool:
        return len(await trail()) == 2

    await eventually(planned)
    await p.logistics.FlagLogisticsOrder(lg.FlagLogisticsOrderRequest(
        logistics_order_id=lo_id, flag="LATE"),
        metadata=p.as_(Identity(Role.BUYER, "buyer-a", app="h5-shop")))
    await p.logistics.ShipPackage(lg.ShipPackageRequest(
        seller_id=shop.seller_id, carrier="sandbox", tracking_no="AU-1",
        items=[lg.PackageItem(logistics_order_id=lo_id)]))
    seller_account = f"seller-account-{shop.seller_id}"
    assert await trail() == [
        ("logistics", "service", "", "event zhongtai.trade.v1.OrderPaid",
         f"created for order {order.order_id}"),
        ("logistics", "service", "", "timer logistics.allocate", "not planned: NOT_COVERED"),
        ("buyer-a", "buyer", "h5-shop", "FlagLogisticsOrder", "flagged LATE"),
        (seller_account, "seller", "", "ShipPackage", "WAIT_SHIP -> SHIPPED"),
        (seller_account, "seller", "", "ShipPackage", "shipped 1 unit(s) with sandbox AU-1")]
    first = await p.logistics.ListAuditEntries(lg.ListAuditEntriesRequest(
        resource_type="logistics_order", resource_id=lo_id, page_size=3), metadata=ops)
    rest = await p.logistics.ListAuditEntries(lg.ListAuditEntriesRequest(
        resource_type="logistics_order", resource_id=lo_id, page_size=3,
        page_token=first.next_page_token), metadata=ops)
    assert (len(first.entries), len(rest.entries), rest.next_page_token) == (3, 2, "")
    err = await refusal(p.logistics.ListAuditEntries(lg.ListAuditEntriesRequest(
        resource_type="logistics_order", resource_id=lo_id),
        metadata=p.as_(Identity(Role.BUYER, "buyer-a"))), DENIED)
    assert err["reason"] == "ROLE_NOT_ALLOWED"
