"""trade's fulfilment rules: which flow paying an order starts, mirroring
logistics forward only, receipt extensions, voucher codes and redemption."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trade import domain
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.errors import FailedPrecondition, InvalidArgument, PermissionDenied
from zhongtai.logistics.v1 import logistics_pb2 as lg
from zhongtai.trade.v1 import trade_pb2 as pb

PHYSICAL, VOUCHER, SERVICE = (cat.ITEM_TYPE_PHYSICAL, cat.ITEM_TYPE_E_VOUCHER,
                              cat.ITEM_TYPE_ONLINE_SERVICE)
UNSHIPPED, PARTLY, SHIPPED, DELIVERED, RECEIVED, CANCELLED = (
    pb.LOGISTICS_STATUS_UNSHIPPED, pb.LOGISTICS_STATUS_PARTIALLY_SHIPPED,
    pb.LOGISTICS_STATUS_SHIPPED, pb.LOGISTICS_STATUS_DELIVERED, pb.LOGISTICS_STATUS_RECEIVED,
    pb.LOGISTICS_STATUS_CANCELLED)
FORWARD = [UNSHIPPED, PARTLY, SHIPPED, DELIVERED, RECEIVED]


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
    assert domain.next_status("o", domain.WAIT_PAY, action) == status
    # A presale balance leads to the same place.
    assert domain.next_status("o", domain.WAIT_PAY_BALANCE, action) == status
    assert domain.pay_status_after(action, pb.PAY_STATUS_UNPAID) == pb.PAY_STATUS_PAID


def test_ship_timeout_cancels_a_paid_order_and_asks_for_the_refund() -> None:
    assert domain.next_status("o", domain.WAIT_SHIP, domain.SHIP_TIMEOUT) == domain.CANCELLED
    assert domain.pay_status_after(domain.SHIP_TIMEOUT, pb.PAY_STATUS_PAID) == \
        pb.PAY_STATUS_REFUNDING
    for kind in (domain.FULL, domain.DEPOSIT, domain.BALANCE):
        assert domain.pay_order_status_after(domain.SHIP_TIMEOUT, kind, pb.PAY_STATUS_PAID) \
            == pb.PAY_STATUS_REFUNDING
    assert domain.logistics_status_after(domain.SHIP_TIMEOUT, UNSHIPPED) == CANCELLED
    assert domain.logistics_status_after(domain.SHIP_TIMEOUT,
                                         pb.LOGISTICS_STATUS_NOT_REQUIRED) == \
        pb.LOGISTICS_STATUS_NOT_REQUIRED
    with pytest.raises(FailedPrecondition):
        domain.next_status("o", domain.WAIT_RECEIVE, domain.SHIP_TIMEOUT)
    # A party cannot cancel a paid order (that is after-sales' refund).
    with pytest.raises(FailedPrecondition):
        domain.next_status("o", domain.WAIT_SHIP, domain.CANCEL)


def test_vouchers_used_up_complete_the_order() -> None:
    assert domain.next_status("o", domain.WAIT_USE, domain.USE) == domain.COMPLETED
    for action in (domain.RECEIVE, domain.SHIP, domain.CANCEL):
        with pytest.raises(FailedPrecondition):
            domain.next_status("o", domain.WAIT_USE, action)


def test_every_logistics_status_maps_to_trade() -> None:
    for status in lg.LogisticsOrderStatus.values():
        if status != lg.LOGISTICS_ORDER_STATUS_UNSPECIFIED:
            assert status in domain.FROM_LOGISTICS


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


def _order(**kw: object) -> pb.Order:
    base: dict[str, object] = {"order_id": "o1", "buyer_id": "b", "seller_id": "s",
                               "status": domain.WAIT_RECEIVE}
    return pb.Order(**{**base, **kw})  # type: ignore[arg-type]


def test_receipt_extensions_are_limited() -> None:
    domain.check_extension(_order(), 1)
    with pytest.raises(FailedPrecondition) as e:
        domain.check_extension(_order(receipt_extensions=1), 1)
    assert e.value.reason == "RECEIPT_EXTENSION_LIMIT"
    with pytest.raises(FailedPrecondition) as e:
        domain.check_extension(_order(status=domain.WAIT_SHIP), 1)
    assert e.value.reason == "RECEIPT_NOT_EXTENDABLE"


def test_only_the_buyer_of_a_top_level_order() -> None:
    domain.check_party(_order(), buyer_id="b", action="confirm receipt of")
    with pytest.raises(PermissionDenied) as e:
        domain.check_party(_order(), buyer_id="x", action="confirm receipt of")
    assert e.value.reason == "NOT_A_PARTY_TO_THE_ORDER"
    with pytest.raises(FailedPrecondition) as e:
        domain.check_party(_order(parent_id="m"), buyer_id="b", action="confirm receipt of")
    assert e.value.reason == "NOT_A_TOP_LEVEL_ORDER"
    with pytest.raises(InvalidArgument):
        domain.validate_buyer_request(pb.ConfirmReceiptRequest(order_id="o1"))


def test_voucher_codes_are_random_and_readable() -> None:
    codes = {domain.new_voucher_code() for _ in range(1000)}
    assert len(codes) == 1000
    assert all(len(c) == domain.VOUCHER_CODE_LENGTH
               and set(c) <= set(domain.VOUCHER_ALPHABET) for c in codes)


def test_redeem_rules() -> None:
    v = pb.Voucher(code="C", order_id="o1", seller_id="s", status=pb.VOUCHER_STATUS_ISSUED)
    domain.check_redeem(v, domain.WAIT_USE, "s")
    domain.check_redeem(v, domain.WAIT_SHIP, "s")
    with pytest.raises(PermissionDenied) as e:
        domain.check_redeem(v, domain.WAIT_USE, "other")
    assert e.value.reason == "NOT_A_PARTY_TO_THE_ORDER"
    with pytest.raises(FailedPrecondition) as e:
        domain.check_redeem(v, domain.CANCELLED, "s")
    assert e.value.reason == "VOUCHER_NOT_REDEEMABLE"
    v.status = pb.VOUCHER_STATUS_REDEEMED
    with pytest.raises(FailedPrecondition) as e:
        domain.check_redeem(v, domain.WAIT_USE, "s")
    assert e.value.reason == "VOUCHER_ALREADY_REDEEMED"
    with pytest.raises(InvalidArgument):
        domain.validate_redeem(pb.RedeemVoucherRequest(code="C"))
