"""trade's fulfilment rules: which flow paying an order starts, mirroring
logistics forward only, receipt extensions, voucher codes and redemption."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.trade_support import POLICY, T0, buyer, line, memory, paid, seller, voucher_line
from trade import vouchers
from trade.consumers import FROM_LOGISTICS
from trade.fulfilment import confirm_receipt
from trade.order import Order, Party
from trade.order import states as domain
from trade.order.states import ORDER
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.common.v1.common_pb2 import Operator
from zhongtai.errors import FailedPrecondition, PermissionDenied
from zhongtai.logistics.v1 import logistics_pb2 as lg
from zhongtai.trade.v1 import trade_pb2 as pb

PHYSICAL, VOUCHER, SERVICE = (cat.ITEM_TYPE_PHYSICAL, cat.ITEM_TYPE_E_VOUCHER,
                              cat.ITEM_TYPE_ONLINE_SERVICE)
UNSHIPPED, PARTLY, SHIPPED, DELIVERED, RECEIVED, CANCELLED = (
    pb.LOGISTICS_STATUS_UNSHIPPED, pb.LOGISTICS_STATUS_PARTIALLY_SHIPPED,
    pb.LOGISTICS_STATUS_SHIPPED, pb.LOGISTICS_STATUS_DELIVERED, pb.LOGISTICS_STATUS_RECEIVED,
    pb.LOGISTICS_STATUS_CANCELLED)
FORWARD = [UNSHIPPED, PARTLY, SHIPPED, DELIVERED, RECEIVED]


def next_status(order_id: str, current: int, action: str) -> int:
    return ORDER.next(current, action, order_id)


@pytest.mark.parametrize(("types", "action", "status"), [
    ([PHYSICAL], domain.PAY, domain.WAIT_SHIP),
    ([PHYSICAL, VOUCHER], domain.PAY, domain.WAIT_SHIP),
    ([SERVICE, PHYSICAL], domain.PAY, domain.WAIT_SHIP),
    ([VOUCHER], domain.PAY_TO_USE, domain.WAIT_USE),
    ([VOUCHER, VOUCHER], domain.PAY_TO_USE, domain.WAIT_USE),
    ([SERVICE], domain.PAY_TO_RECEIVE, domain.WAIT_RECEIVE),
    ([VOUCHER, SERVICE], domain.PAY_TO_RECEIVE, domain.WAIT_RECEIVE),
])
def test_the_lines_decide_where_payment_leads(types: list[int], action: str,
                                              status: int) -> None:
    assert domain.pay_action(types) == action
    assert next_status("o", domain.WAIT_PAY, action) == status
    # A presale balance leads to the same place.
    assert next_status("o", domain.WAIT_PAY_BALANCE, action) == status
    assert domain.pay_status_after(action, pb.PAY_STATUS_UNPAID) == pb.PAY_STATUS_PAID


def test_ship_timeout_cancels_a_paid_order_and_asks_for_the_refund() -> None:
    assert next_status("o", domain.WAIT_SHIP, domain.SHIP_TIMEOUT) == domain.CANCELLED
    assert domain.pay_status_after(domain.SHIP_TIMEOUT, pb.PAY_STATUS_PAID) == \
        pb.PAY_STATUS_REFUNDING
    for kind in (domain.FULL, domain.DEPOSIT, domain.BALANCE):
        assert domain.pay_order_status_after(domain.SHIP_TIMEOUT, kind, pb.PAY_STATUS_PAID) \
            == pb.PAY_STATUS_REFUNDING
    # Nothing went through payment (points and the card paid it all): REFUNDED at once.
    order = paid(line("o", price=500))
    order.pay_orders[0].payment_id = ""
    assert order.ship_timeout(T0)
    assert (order.pay_status, order.pay_orders[0].status) == (pb.PAY_STATUS_REFUNDED,
                                                              pb.PAY_STATUS_REFUNDED)
    assert domain.logistics_status_after(domain.SHIP_TIMEOUT, UNSHIPPED) == CANCELLED
    assert domain.logistics_status_after(domain.SHIP_TIMEOUT,
                                         pb.LOGISTICS_STATUS_NOT_REQUIRED) == \
        pb.LOGISTICS_STATUS_NOT_REQUIRED
    with pytest.raises(FailedPrecondition):
        next_status("o", domain.WAIT_RECEIVE, domain.SHIP_TIMEOUT)
    # A party cannot cancel a paid order (that is after-sales' refund).
    with pytest.raises(FailedPrecondition):
        next_status("o", domain.WAIT_SHIP, domain.CANCEL)


def test_vouchers_used_up_complete_the_order() -> None:
    assert next_status("o", domain.WAIT_USE, domain.USE) == domain.COMPLETED
    for action in (domain.RECEIVE, domain.SHIP, domain.CANCEL):
        with pytest.raises(FailedPrecondition):
            next_status("o", domain.WAIT_USE, action)


def test_every_logistics_status_maps_to_trade() -> None:
    for status in lg.LogisticsOrderStatus.values():
        if status != lg.LOGISTICS_ORDER_STATUS_UNSPECIFIED:
            assert status in FROM_LOGISTICS


@given(st.lists(st.sampled_from(FORWARD[:4]), max_size=12))
def test_mirrored_status_only_moves_forward_whatever_the_order(events: list[int]) -> None:
    current = UNSHIPPED
    for incoming in events:
        new = domain.mirrored_status(current, incoming)
        if new is not None:
            assert FORWARD.index(new) > FORWARD.index(current)
            current = new
    # Redelivered or reordered, the furthest status reported is where it ends.
    assert current == max([UNSHIPPED, *events], key=FORWARD.index)


def test_mirrored_status_cases() -> None:
    m = domain.mirrored_status
    assert m(UNSHIPPED, SHIPPED) == SHIPPED
    assert m(SHIPPED, SHIPPED) is None                # a duplicate
    assert m(DELIVERED, SHIPPED) is None              # out of order
    assert m(SHIPPED, PARTLY) is None
    assert m(RECEIVED, DELIVERED) is None             # the buyer already received it
    assert m(SHIPPED, RECEIVED) is None               # receipt is the buyer's
    assert m(UNSHIPPED, CANCELLED) == CANCELLED
    assert m(SHIPPED, CANCELLED) is None              # shipped goods are not cancelled
    assert m(CANCELLED, SHIPPED) == SHIPPED           # moved after all: recorded
    assert m(CANCELLED, UNSHIPPED) is None


def test_shipped_and_combined_statuses() -> None:
    assert domain.all_shipped([SHIPPED, DELIVERED])
    assert not domain.all_shipped([SHIPPED, PARTLY])
    assert not domain.all_shipped([])
    assert not domain.anything_shipped([UNSHIPPED, CANCELLED])
    assert domain.anything_shipped([UNSHIPPED, PARTLY])
    assert domain.combined_logistics_status([SHIPPED, UNSHIPPED]) == PARTLY
    assert domain.combined_logistics_status([UNSHIPPED, UNSHIPPED]) == UNSHIPPED
    assert domain.combined_logistics_status([DELIVERED, SHIPPED]) == SHIPPED
    assert domain.combined_logistics_status([]) == pb.LOGISTICS_STATUS_NOT_REQUIRED


def _order(*, receipt_extensions: int = 0, status: int = domain.WAIT_RECEIVE) -> Order:
    order = paid(line("o1", item_type=cat.ITEM_TYPE_ONLINE_SERVICE, seller="s"),
                 order_id="o1", buyer="b")
    order.receipt_extensions, order.status = receipt_extensions, status
    return order


def test_receipt_extensions_are_limited() -> None:
    _order().extend_receipt(Party.buyer("b"), T0, POLICY)
    with pytest.raises(FailedPrecondition) as e:
        _order(receipt_extensions=1).extend_receipt(Party.buyer("b"), T0, POLICY)
    assert e.value.reason == "RECEIPT_EXTENSION_LIMIT"
    with pytest.raises(FailedPrecondition) as e:
        _order(status=domain.WAIT_SHIP).extend_receipt(Party.buyer("b"), T0, POLICY)
    assert e.value.reason == "RECEIPT_NOT_EXTENDABLE"


async def test_only_the_buyer_of_a_top_level_order() -> None:
    _order().confirm_receipt(Party.buyer("b"), T0)
    with pytest.raises(PermissionDenied) as e:
        _order().confirm_receipt(Party.buyer("x"), T0)
    assert e.value.reason == "NOT_A_PARTY_TO_THE_ORDER"
    with pytest.raises(FailedPrecondition) as e:
        _order().check_top_level("sub-1", "confirm receipt of")
    assert e.value.reason == "NOT_A_TOP_LEVEL_ORDER"
    with pytest.raises(PermissionDenied) as e:
        _order().confirm_receipt(Party.seller("s"), T0)
    assert e.value.reason == "NOT_A_PARTY_TO_THE_ORDER"
    _order().confirm_receipt(Party(Operator.ROLE_OPERATOR, "ops-1"), T0)
    uow = memory()
    async with uow:
        await uow.orders.add(_order())
    for caller, reason in ((buyer("x"), "NOT_A_PARTY_TO_THE_ORDER"),
                           (seller("s"), "SUBJECT_MISMATCH")):
        with pytest.raises(PermissionDenied) as e:
            async with uow:
                await confirm_receipt(uow, order_id="o1", caller=caller, buyer_id="",
                                      clock=lambda: T0, policy=POLICY)
        assert e.value.reason == reason
    async with uow:
        done = await confirm_receipt(uow, order_id="o1", caller=buyer("b"), buyer_id="",
                                     clock=lambda: T0, policy=POLICY)
    assert done.status == domain.COMPLETED


def test_voucher_codes_are_random_and_readable() -> None:
    codes = {vouchers.new_voucher_code() for _ in range(1000)}
    assert len(codes) == 1000
    assert all(len(c) == vouchers.VOUCHER_CODE_LENGTH
               and set(c) <= set(vouchers.VOUCHER_ALPHABET) for c in codes)


def _voucher_order(status: int) -> Order:
    order = paid(voucher_line(), order_id="o1")
    order.status = status
    return order


async def test_redeem_rules() -> None:
    _voucher_order(domain.WAIT_USE).redeem_voucher("o1-CODE0000", Party.seller("s"), T0)
    _voucher_order(domain.WAIT_SHIP).redeem_voucher("o1-CODE0000", Party.seller("s"), T0)
    with pytest.raises(PermissionDenied) as e:
        _voucher_order(domain.WAIT_USE).redeem_voucher("o1-CODE0000", Party.seller("other"),
                                                            T0)
    assert e.value.reason == "NOT_A_PARTY_TO_THE_ORDER"
    with pytest.raises(FailedPrecondition) as e:
        _voucher_order(domain.CANCELLED).redeem_voucher("o1-CODE0000", Party.seller("s"), T0)
    assert e.value.reason == "VOUCHER_NOT_REDEEMABLE"
    twice = _voucher_order(domain.WAIT_USE)
    twice.redeem_voucher("o1-CODE0000", Party.seller("s"), T0)
    with pytest.raises(FailedPrecondition) as e:
        twice.redeem_voucher("o1-CODE0000", Party.seller("s"), T0)
    assert e.value.reason == "VOUCHER_ALREADY_REDEEMED"
    with pytest.raises(PermissionDenied) as e:
        async with memory() as uow:
            await vouchers.redeem_voucher(uow, code="C", caller=buyer("b1"), seller_id="",
                                          clock=lambda: T0, policy=POLICY)
    assert e.value.reason == "SUBJECT_MISMATCH"
