"""Who may act on an order and see it (trade's ownership rules): the
aggregate's ``party_of`` / ``check_visible_to`` and each transition's rule,
and the use cases that take the caller from the credential alone."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.fakes import FakeShop
from tests.trade_support import (
    FRONT,
    OPS,
    POLICY,
    SERVICE,
    T0,
    buyer,
    create_request,
    line,
    memory,
    paid,
    seller,
    voucher_line,
    waiting,
)
from trade import adjust_price, cancel, checkout, create_saga, payments, queries, vouchers
from trade.order import Order, Party
from trade.order.states import WAIT_RECEIVE
from zhongtai.auth import Identity
from zhongtai.common.v1.common_pb2 import Operator
from zhongtai.errors import InvalidArgument, PermissionDenied
from zhongtai.trade.v1 import trade_pb2 as pb

STRANGER = buyer("b-other")
OTHER_SHOP = seller("s2")


def receiving() -> Order:
    """An online service, paid: waiting for receipt."""
    order = paid(line("a", item_type=SERVICE), order_id="m")
    assert order.status == WAIT_RECEIVE
    return order


def for_buyer(request: pb.CreateOrderRequest, buyer_id: str) -> pb.CreateOrderRequest:
    request.buyer_id = buyer_id
    return request


# Each transition, run by a party the caller maps to.
ACTIONS: dict[str, tuple[Callable[[], Order], Callable[[Order, Party], object]]] = {
    "cancel": (lambda: waiting(line("a"), order_id="m"),
               lambda o, by: o.cancel(by, "", T0)),
    "adjust_price": (lambda: waiting(line("a"), order_id="m"),
                     lambda o, by: o.adjust_price(by, -1, "", T0)),
    "confirm_receipt": (receiving, lambda o, by: o.confirm_receipt(by, T0)),
    "extend_receipt": (receiving, lambda o, by: o.extend_receipt(by, T0, POLICY)),
    "redeem_voucher": (lambda: paid(voucher_line("a", quantity=1), order_id="m"),
                       lambda o, by: o.redeem_voucher(o.vouchers[0].code, by, T0)),
}
# Who each transition admits (the seller of the voucher line is "s").
ALLOWED = {
    "cancel": {"buyer", "seller", "operator", "service"},
    "adjust_price": {"seller", "operator", "service"},
    "confirm_receipt": {"buyer", "operator", "service"},
    "extend_receipt": {"buyer", "operator", "service"},
    "redeem_voucher": {"seller", "operator", "service"},
}
CALLERS = {"buyer": buyer("b1"), "stranger": STRANGER, "operator": OPS, "service": FRONT}


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("who", ["buyer", "seller", "other_shop", "stranger", "operator",
                                 "service"])
def test_each_transition_admits_exactly_its_parties_and_a_refusal_changes_nothing(
        action: str, who: str) -> None:
    build, run = ACTIONS[action]
    order = build()
    own_seller = order.lines[0].seller_id
    caller = {**CALLERS, "seller": seller(own_seller), "other_shop": OTHER_SHOP}[who]
    before = order.snapshot()
    if who in ALLOWED[action]:
        run(order, order.party_of(caller))
        assert order.events
        return
    with pytest.raises(PermissionDenied) as e:
        run(order, order.party_of(caller))
    assert e.value.reason == "NOT_A_PARTY_TO_THE_ORDER"
    assert order == before and not order.events


def test_the_party_comes_from_the_credential() -> None:
    order = waiting(line("a", seller="A"), line("b", seller="B"), order_id="m")
    assert order.party_of(buyer("b1")) == Party.buyer("b1")
    assert order.party_of(OPS) == Party(Operator.ROLE_OPERATOR, "ops-1")
    assert order.party_of(FRONT) == Party(Operator.ROLE_SYSTEM, "web-front")
    # A seller: the one it names, or the order's one seller if it acts for
    # it; a main order of two sellers has none, so no seller acts on it whole.
    assert order.party_of(seller("A", "B"), seller_id="B") == Party.seller("B")
    assert order.party_of(seller("A")) == Party.seller("")
    single = waiting(line("x", seller="A"), order_id="x")
    assert single.party_of(seller("A")) == Party.seller("A")
    assert single.party_of(seller("Z")) == Party.seller("")
    # Staff may name the buyer or seller they act for: it must be the order's.
    assert order.party_of(OPS, buyer_id="b1", seller_id="B").role == Operator.ROLE_OPERATOR
    for named in ({"buyer_id": "b9"}, {"seller_id": "Z"}):
        with pytest.raises(PermissionDenied) as e:
            order.party_of(OPS, **named)
        assert e.value.reason == "NOT_A_PARTY_TO_THE_ORDER"


@pytest.mark.parametrize(("caller", "order_id", "visible"), [
    (buyer("b1"), "m", True), (buyer("b1"), "a", True), (STRANGER, "m", False),
    (seller("A"), "a", True), (seller("A"), "m", False), (seller("A"), "b", False),
    (seller("A", "B"), "m", True), (OPS, "b", True), (FRONT, "m", True),
])
def test_who_sees_an_order_or_one_of_its_lines(caller: Identity, order_id: str,
                                                visible: bool) -> None:
    order = waiting(line("a", seller="A"), line("b", seller="B"), order_id="m")
    if visible:
        order.check_visible_to(caller, order_id)
        return
    with pytest.raises(PermissionDenied) as e:
        order.check_visible_to(caller, order_id)
    assert e.value.reason == "NOT_A_PARTY_TO_THE_ORDER"


async def test_reads_are_refused_to_whoever_is_not_a_party() -> None:
    uow = memory()
    async with uow:
        await uow.orders.add(waiting(line("a", seller="A"), order_id="m"))
        await uow.orders.add(paid(voucher_line("v", quantity=1), order_id="v", buyer="b2"))
    for caller, order_id in ((STRANGER, "m"), (seller("B"), "m"), (STRANGER, "v")):
        with pytest.raises(PermissionDenied):
            async with uow:
                await queries.get_order(uow, order_id, caller)
        with pytest.raises(PermissionDenied):
            async with uow:
                await vouchers.list_vouchers(uow, order_id=order_id, caller=caller,
                                             page_size=0, page_token="")


@pytest.mark.parametrize(("caller", "buyer_id", "seller_id", "expected"), [
    (buyer("b1"), "", "", ("b1", "")),
    (buyer("b1"), "b1", "", ("b1", "")),
    (buyer("b1"), "b2", "", "SUBJECT_MISMATCH"),
    (buyer("b1"), "", "A", "SUBJECT_MISMATCH"),
    (seller("A"), "", "", ("", "A")),
    (seller("A", "B"), "", "B", ("", "B")),
    (seller("A", "B"), "", "", "SUBJECT_MISMATCH"),
    (seller("A"), "", "C", "SUBJECT_MISMATCH"),
    (seller("A"), "b1", "", "SUBJECT_MISMATCH"),
    (OPS, "b1", "", ("b1", "")),
    (FRONT, "", "A", ("", "A")),
    (OPS, "", "", "INVALID_ARGUMENT"),
    (OPS, "b1", "A", "INVALID_ARGUMENT"),
])
def test_a_listing_shows_the_callers_own_orders_or_is_refused(
        caller: Identity, buyer_id: str, seller_id: str, expected: object) -> None:
    if isinstance(expected, tuple):
        assert queries.listed_party(caller, buyer_id, seller_id) == expected
        return
    with pytest.raises((PermissionDenied, InvalidArgument)) as e:
        queries.listed_party(caller, buyer_id, seller_id)
    assert e.value.reason == expected


async def test_an_order_is_created_for_the_credentials_buyer_only() -> None:
    shop, uow = FakeShop(), memory()
    sku = shop.sku("a", 1000)
    own = await create_saga.create_order(lambda: uow, shop.clients(), POLICY,
                                         for_buyer(create_request((sku, 1)), ""), buyer("b7"))
    assert own.order.buyer_id == "b7"
    refusals = [(for_buyer(create_request((sku, 1)), "b8"), buyer("b7"), "SUBJECT_MISMATCH"),
                (create_request((sku, 1), buyer_is_vip=True), buyer("b1"),
                 "VIP_CLAIM_NOT_TRUSTED")]
    for request, caller, reason in refusals:
        with pytest.raises(PermissionDenied) as e:
            await create_saga.create_order(lambda: uow, shop.clients(), POLICY, request, caller)
        assert e.value.reason == reason
    assert len(uow.store.orders) == 1 and shop.reserved == [own.order.order_id]
    # A front asserts VIP prices and names the buyer.
    vip = await checkout.price(shop.clients(), create_request((sku, 1), buyer_is_vip=True),
                               FRONT, T0, POLICY)
    assert vip.order.buyer_id == "b1" and vip.quote_request.buyer_is_vip


# --- the audit trail -----------------------------------------------------------


async def test_every_change_of_an_order_is_audited_with_the_change_and_refusals_are_not(
        ) -> None:
    uow = memory()
    async with uow:
        await uow.orders.add(waiting(line("a"), order_id="m"))
    assert uow.audited == [("order", "m", "created WAIT_PAY")]
    with pytest.raises(PermissionDenied):
        async with uow:
            await cancel.cancel_order(uow, order_id="m", caller=STRANGER, reason="",
                                      clock=lambda: T0)
    async with uow:
        await adjust_price.adjust_price(uow, order_id="m", caller=seller(), seller_id="",
                                        adjust=-5, currency="CNY", reason="loyal",
                                        clock=lambda: T0)
        await cancel.cancel_order(uow, order_id="m", caller=buyer("b1"), reason="",
                                  clock=lambda: T0)
    assert uow.audited[1:] == [
        ("order", "m", "WAIT_PAY; OrderPriceAdjusted 0 -> -5 CNY: loyal"),
        ("order", "m", "WAIT_PAY -> CANCELLED; OrderCancelled by buyer b1")]
    # A payment for a pay order trade does not know: rejected, and audited
    # under the order the part named.
    async with uow:
        await payments.payment_succeeded(
            uow, payment_id="pay-9", buyer_id="b1", paid_at=T0, clock=lambda: T0,
            policy=POLICY, parts=[payments.Part("po-none", "x" * 300, "CNY", 100)])
    resource_type, resource_id, detail = uow.audited[-1]
    assert (resource_type, resource_id) == ("order", "x" * 128)
    assert detail.startswith("PaymentRejected payment pay-9 for po-none")
