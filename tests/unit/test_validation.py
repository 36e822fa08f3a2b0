"""Request limits from the contract (zhongtai.validation): defaults and
declared rules, paths of the offending fields, never the offending value."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.common.v1.common_pb2 import Address, Money
from zhongtai.errors import InvalidArgument
from zhongtai.trade.v1 import trade_pb2 as tr
from zhongtai.validation import Validator

V = Validator(["CNY"])


def violations(message: object) -> dict[str, str]:
    try:
        V.check(message)  # type: ignore[arg-type]
    except InvalidArgument as e:
        return {v.field: v.description for v in e.violations}
    return {}


def test_a_good_request_passes() -> None:
    assert violations(tr.CreateOrderRequest(
        request_id="r-1", buyer_id="u1", lines=[tr.OrderLineInput(sku_id="s", quantity=2)],
        address=Address(province="浙江省", detail="龙井路 1 号"))) == {}


def test_defaults_bound_strings_ids_integers_enums_and_lists() -> None:
    found = violations(tr.CreateOrderRequest(
        request_id="x" * 20_000, buyer_id="   ",
        lines=[tr.OrderLineInput(sku_id="s", quantity=2**62)],
        address=Address(province="p" * 129)))
    assert set(found) == {"request_id", "buyer_id", "lines[0].quantity", "address.province"}
    assert all("x" * 10 not in d for d in found.values())  # the value is never echoed
    assert violations(tr.ListOrdersRequest(statuses=[99])) == {
        "statuses[0]": "is not a value of OrderStatus"}
    many = tr.CheckPayableRequest(buyer_id="u1", parts=[tr.PayablePart(
        pay_order_id="p", order_id="o")] * 101)  # trade declares max_items 100
    assert violations(many) == {"parts": "at most 100 items"}


def test_money_is_bounded_and_in_an_enabled_currency() -> None:
    found = violations(tr.AdjustPriceRequest(
        order_id="o1", adjust_amount=Money(currency_code="XXX", amount_minor=-(10**16))))
    assert set(found) == {"adjust_amount.amount_minor", "adjust_amount.currency_code"}
    ok = tr.AdjustPriceRequest(order_id="o1",
                               adjust_amount=Money(currency_code="CNY", amount_minor=-100))
    assert violations(ok) == {}


def test_timestamps_must_be_real_instants() -> None:
    item = cat.PresaleTerms()
    item.balance_start_time.seconds = 2**60
    assert set(violations(item)) == {"balance_start_time"}


@settings(max_examples=200, deadline=None)
@given(quantity=st.integers(min_value=-(2**63), max_value=2**63 - 1),
       sku=st.text(max_size=300))
def test_the_validator_never_fails_with_anything_but_field_violations(quantity: int,
                                                                       sku: str) -> None:
    message = tr.QuoteOrderRequest(lines=[tr.OrderLineInput(sku_id=sku, quantity=quantity)])
    found = violations(message)
    assert ("lines[0].quantity" in found) == (not 1 <= quantity <= 10_000)  # trade's rule


def test_recursive_and_map_fields_are_checked() -> None:
    found = violations(cat.CreateItemRequest(skus=[cat.SkuInput(attributes={"k" * 200: "v"})]))
    assert "skus[0].attributes[key]" in found
    with pytest.raises(InvalidArgument):
        V.check(cat.CreateItemRequest(title="t" * 129))


def test_an_error_never_carries_unbounded_input() -> None:
    from zhongtai.errors import NotFound
    from zhongtai.grpcserver import MAX_MESSAGE, to_status

    huge = "x" * 20_000
    status = to_status(NotFound("ORDER_NOT_FOUND", f"order {huge} does not exist",
                                {"order_id": huge}))
    assert len(status.message) <= MAX_MESSAGE
    assert len(status.SerializeToString()) < 4096
