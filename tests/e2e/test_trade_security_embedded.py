"""trade's access rules and request limits end to end, through the stubs
with explicit credentials: what the issue's outside caller tried is refused
with the right code and writes nothing; the parties themselves and staff
still act."""

from __future__ import annotations

import grpc
import pytest

from tests.conftest import eventually
from tests.e2e.builders import make_due_and_fire, order_of, pay_by_balance
from tests.e2e.platform import Platform
from tests.e2e.support import (
    ADDRESS,
    credential,
    order_request,
    refusal,
    rich_error,
    seed_shop,
    status_is,
)
from zhongtai.auth import Identity, Role
from zhongtai.common.v1.common_pb2 import Money, Operator
from zhongtai.trade.v1 import trade_pb2 as tr

pytestmark = pytest.mark.e2e

DENIED, INVALID = grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.INVALID_ARGUMENT
PRICE_ADJUSTED = "zhongtai.trade.v1.OrderPriceAdjusted"
CANCELLED = "zhongtai.trade.v1.OrderCancelled"


class Callers:
    """Credentials of the platform's issuer, as call metadata."""

    def __init__(self, p: Platform) -> None:
        self.p = p

    def __call__(self, role: Role, subject: str, *sellers: str
                 ) -> tuple[tuple[str, str], ...]:
        return credential(self.p.runtime.access.issuer,
                          Identity(role, subject, frozenset(sellers)))

    def buyer(self, buyer_id: str) -> tuple[tuple[str, str], ...]:
        return self(Role.BUYER, buyer_id)

    def seller(self, seller_id: str) -> tuple[tuple[str, str], ...]:
        return self(Role.SELLER, f"account-{seller_id}", seller_id)


async def victims_order(p: Platform, buyer: str = "victim") -> tuple[tr.Order, str]:
    """``buyer``'s unpaid order at a new shop, and that shop's seller id."""
    shop = await seed_shop(p.stubs, f"shop of {buyer}", [1000])
    order = (await p.stubs.trade.CreateOrder(order_request(buyer, [(shop.sku_ids[0], 1)]),
                                             metadata=Callers(p).buyer(buyer))).order
    return order, shop.seller_id


async def test_a_buyers_orders_are_theirs_to_read(platform: Platform) -> None:
    p, as_ = platform, Callers(platform)
    order, seller_id = await victims_order(p)
    trade = p.stubs.trade
    # ListOrders{buyer_id: B} by anyone else: refused, not filtered.
    for who in (as_.buyer("attacker"), as_.seller(seller_id)):
        e = await refusal(trade.ListOrders(tr.ListOrdersRequest(buyer_id="victim"),
                                           metadata=who), DENIED)
        assert e["reason"] == "SUBJECT_MISMATCH"
    for req in (tr.GetOrderRequest(order_id=order.order_id),
                tr.ListVouchersRequest(order_id=order.order_id)):
        call = trade.GetOrder if isinstance(req, tr.GetOrderRequest) else trade.ListVouchers
        e = await refusal(call(req, metadata=as_.buyer("attacker")), DENIED)  # type: ignore[operator]
        assert e["reason"] == "NOT_A_PARTY_TO_THE_ORDER"
        e = await refusal(call(req, metadata=as_.seller("another-shop")), DENIED)  # type: ignore[operator]
        assert e["reason"] == "NOT_A_PARTY_TO_THE_ORDER"
    # The buyer (naming themself or not), the seller, and staff do read it.
    for who, req in ((as_.buyer("victim"), tr.ListOrdersRequest()),
                     (as_.buyer("victim"), tr.ListOrdersRequest(buyer_id="victim")),
                     (as_(Role.OPERATOR, "ops-1"), tr.ListOrdersRequest(buyer_id="victim"))):
        listed = await trade.ListOrders(req, metadata=who)
        assert [o.order_id for o in listed.orders] == [order.order_id]
        assert listed.orders[0].log_order.address.recipient_phone == ADDRESS.recipient_phone
    sold = await trade.ListOrders(tr.ListOrdersRequest(), metadata=as_.seller(seller_id))
    assert [o.order_id for o in sold.orders] == [order.order_id]
    got = await trade.GetOrder(tr.GetOrderRequest(order_id=order.order_id),
                               metadata=as_.seller(seller_id))
    assert got.order.buyer_id == "victim"


async def test_cancelling_someone_elses_order_by_claiming_to_be_them(
        platform: Platform) -> None:
    p, as_ = platform, Callers(platform)
    order, _ = await victims_order(p)
    for claimed in (Operator(role=Operator.ROLE_BUYER, id="victim"),
                    Operator(role=Operator.ROLE_SYSTEM), Operator(role=Operator.ROLE_OPERATOR)):
        e = await refusal(p.stubs.trade.CancelOrder(tr.CancelOrderRequest(
            order_id=order.order_id, operator=claimed), metadata=as_.buyer("attacker")), DENIED)
        assert e["reason"] == "NOT_A_PARTY_TO_THE_ORDER"
    e = await refusal(p.stubs.trade.CancelOrder(tr.CancelOrderRequest(
        order_id=order.order_id), metadata=as_.seller("another-shop")), DENIED)
    assert e["reason"] == "NOT_A_PARTY_TO_THE_ORDER"
    assert (await order_of(p, order.order_id)).status == tr.ORDER_STATUS_WAIT_PAY
    assert not p.events.of(CANCELLED, order.order_id)
    # The buyer's own cancel: the claimed operator is ignored, the credential
    # is who closed it.
    request = tr.CancelOrderRequest(request_id="own-cancel", order_id=order.order_id,
                                    operator=Operator(role=Operator.ROLE_SYSTEM))
    cancelled = (await p.stubs.trade.CancelOrder(request, metadata=as_.buyer("victim"))).order
    assert cancelled.close_reason == tr.CLOSE_REASON_BUYER_CANCELLED
    assert (cancelled.closed_by.role, cancelled.closed_by.id) == (Operator.ROLE_BUYER, "victim")
    # The same request id from another caller is not a replay of the
    # buyer's answer (it would show their order).
    with pytest.raises(grpc.aio.AioRpcError) as exc:
        await p.stubs.trade.CancelOrder(request, metadata=as_.buyer("attacker"))
    assert exc.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert "victim" not in (exc.value.details() or "")
    again = await p.stubs.trade.CancelOrder(request, metadata=as_.buyer("victim"))
    assert again.order == cancelled


async def test_a_price_cut_on_someone_elses_order(platform: Platform) -> None:
    p, as_ = platform, Callers(platform)
    order, seller_id = await victims_order(p)
    cut = Money(currency_code="CNY", amount_minor=-990)

    def adjust(seller: str = "") -> tr.AdjustPriceRequest:
        return tr.AdjustPriceRequest(order_id=order.order_id, seller_id=seller,
                                     adjust_amount=cut)

    e = await refusal(p.stubs.trade.AdjustPrice(adjust(), metadata=as_.seller("another-shop")),
                      DENIED)
    assert e["reason"] == "NOT_A_PARTY_TO_THE_ORDER"
    e = await refusal(p.stubs.trade.AdjustPrice(adjust(seller_id),
                                                metadata=as_.seller("another-shop")), DENIED)
    assert e["reason"] == "SUBJECT_MISMATCH"
    e = await refusal(p.stubs.trade.AdjustPrice(adjust(seller_id),
                                                metadata=as_.buyer("victim")), DENIED)
    assert e["reason"] == "ROLE_NOT_ALLOWED"
    with pytest.raises(grpc.aio.AioRpcError) as exc:
        await p.stubs.trade.AdjustPrice(adjust(seller_id), metadata=(("authorization", ""),))
    assert exc.value.code() == grpc.StatusCode.UNAUTHENTICATED
    after = await order_of(p, order.order_id)
    assert after.pay_order.actual_amount == order.pay_order.actual_amount
    assert not p.events.of(PRICE_ADJUSTED, order.order_id)
    # Its own seller may.
    own = (await p.stubs.trade.AdjustPrice(adjust(), metadata=as_.seller(seller_id))).order
    assert own.pay_order.adjust_amount == cut


async def test_oversized_blank_and_unbounded_input_is_refused_and_not_stored(
        platform: Platform) -> None:
    p, as_ = platform, Callers(platform)
    shop = await seed_shop(p.stubs, "limits", [1000])
    huge = order_request("buyer-l", [(shop.sku_ids[0], 1)])
    huge.address.detail = "路" * 100_000
    front = as_(Role.SERVICE, "web-front")
    cases = [
        (huge, ["address.detail"]),
        (order_request("   ", [(shop.sku_ids[0], 1)]), ["buyer_id"]),
        (order_request("", [(shop.sku_ids[0], 1)]), ["buyer_id"]),
        (order_request("buyer-l", [(shop.sku_ids[0], 0)]), ["lines[0].quantity"]),
        (order_request("buyer-l", [(shop.sku_ids[0], 1)], buyer_memo="x" * 501),
         ["buyer_memo"]),
    ]
    for request, fields in cases:
        e = await refusal(p.stubs.trade.CreateOrder(request, metadata=front), INVALID)
        assert e["fields"] == fields, request.buyer_id
    listed = await p.stubs.trade.ListOrders(tr.ListOrdersRequest(buyer_id="buyer-l"),
                                            metadata=front)
    assert list(listed.orders) == []
    # A 20,000-character id: INVALID_ARGUMENT, and the error does not echo it.
    with pytest.raises(grpc.aio.AioRpcError) as exc:
        await p.stubs.trade.GetOrder(tr.GetOrderRequest(order_id="9" * 20_000), metadata=front)
    assert exc.value.code() == INVALID
    assert rich_error(exc.value)["fields"] == ["order_id"]
    assert len(exc.value.details() or "") < 200
    # VIP prices are the front's word, not the buyer's.
    e = await refusal(p.stubs.trade.QuoteOrder(tr.QuoteOrderRequest(
        lines=[tr.OrderLineInput(sku_id=shop.sku_ids[0], quantity=1)], address=ADDRESS,
        buyer_is_vip=True), metadata=as_.buyer("buyer-l")), DENIED)
    assert e["reason"] == "VIP_CLAIM_NOT_TRUSTED"


async def test_an_orders_audit_trail_shows_who_changed_it_through_what(
        platform: Platform) -> None:
    p, as_ = platform, Callers(platform)
    shop = await seed_shop(p.stubs, "audited", [1000, 2000])
    order = (await p.stubs.trade.CreateOrder(
        order_request("buyer-a", [(shop.sku_ids[0], 1), (shop.sku_ids[1], 1)]),
        metadata=as_.buyer("buyer-a"))).order
    await pay_by_balance(p, "buyer-a", order)  # payment's event pays it
    await eventually(lambda: status_is(p.stubs, order.order_id, tr.ORDER_STATUS_WAIT_SHIP))
    unpaid, _ = await victims_order(p, "buyer-t")
    await make_due_and_fire(p, "order.pay_timeout", unpaid.order_id)  # a timer cancels it
    ops = as_(Role.OPERATOR, "ops-1")

    async def trail(order_id: str) -> list[tuple[str, str, str, str]]:
        listed = await p.stubs.trade.ListAuditEntries(tr.ListAuditEntriesRequest(
            resource_type="order", resource_id=order_id), metadata=ops)
        assert all(e.HasField("occur_time") for e in listed.entries)
        return [(e.subject, e.role, e.action, e.detail) for e in listed.entries]

    paid = await trail(order.order_id)
    assert paid[:2] == [("buyer-a", "buyer", "CreateOrder", "created INIT"),
                        ("buyer-a", "buyer", "CreateOrder", "INIT -> WAIT_PAY; OrderCreated")]
    assert paid[2][:3] == ("trade", "service", "event zhongtai.payment.v1.PaymentSucceeded")
    assert paid[2][3].startswith("WAIT_PAY -> WAIT_SHIP; OrderPaid")
    # A sub order's id shows its main order's trail.
    assert await trail(order.sub_orders[0].order_id) == paid
    assert (await trail(unpaid.order_id))[-1] == (
        "trade", "service", "timer order.pay_timeout",
        "WAIT_PAY -> CANCELLED; OrderCancelled by system")
    # Nobody else reads it.
    for who in (as_.buyer("buyer-a"), as_.seller(shop.seller_id)):
        e = await refusal(p.stubs.trade.ListAuditEntries(tr.ListAuditEntriesRequest(
            resource_type="order", resource_id=order.order_id), metadata=who), DENIED)
        assert e["reason"] == "ROLE_NOT_ALLOWED"
