from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.trade_support import T0, line, placed
from trade import checkout
from trade.order import Order, Presale, TradePolicy
from trade.order import states as domain
from trade.order.states import ORDER
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.common.v1.common_pb2 import Address, Money
from zhongtai.errors import FailedPrecondition, InvalidArgument
from zhongtai.trade.v1 import trade_pb2 as pb
from zhongtai.validation import Validator

ALL_STATUSES = [s for s in pb.OrderStatus.values() if s != pb.ORDER_STATUS_UNSPECIFIED]
ALL_ACTIONS = sorted({action for _, action in domain.TRANSITIONS})


def next_status(order_id: str, current: int, action: str) -> int:
    return ORDER.next(current, action, order_id)


def test_transition_table_happy_path() -> None:
    s = domain.INIT
    for action in (domain.CREATE_SUCCEEDED, domain.PAY, domain.SHIP, domain.RECEIVE):
        s = next_status("o", s, action)
    assert s == domain.COMPLETED


@pytest.mark.parametrize(("status", "action"), list(itertools.product(ALL_STATUSES, ALL_ACTIONS)))
def test_every_pair_is_either_listed_or_refused(status: int, action: str) -> None:
    if (status, action) in domain.TRANSITIONS:
        assert next_status("o", status, action) == domain.TRANSITIONS[(status, action)]
    else:
        with pytest.raises(FailedPrecondition) as e:
            next_status("o", status, action)
        assert e.value.reason == "ILLEGAL_ORDER_TRANSITION"
        assert e.value.violations[0].subject == "orders/o"


def test_terminal_states_have_no_way_out() -> None:
    for terminal in (domain.FAILED, domain.CANCELLED, domain.COMPLETED):
        assert not [k for k in domain.TRANSITIONS if k[0] == terminal]


@given(st.lists(st.sampled_from(ALL_ACTIONS), max_size=12))
def test_any_action_sequence_stays_in_the_table(actions: list[str]) -> None:
    s = domain.INIT
    for action in actions:
        try:
            s = next_status("o", s, action)
        except FailedPrecondition:
            continue
        assert s in ALL_STATUSES


def test_cancel_closes_payment_and_logistics() -> None:
    assert domain.pay_status_after(domain.CANCEL, pb.PAY_STATUS_UNPAID) == pb.PAY_STATUS_CLOSED
    assert domain.logistics_status_after(
        domain.CANCEL, pb.LOGISTICS_STATUS_UNSHIPPED) == pb.LOGISTICS_STATUS_CANCELLED
    assert domain.logistics_status_after(
        domain.CANCEL, pb.LOGISTICS_STATUS_NOT_REQUIRED) == pb.LOGISTICS_STATUS_NOT_REQUIRED


def sku(sku_id: str, seller: str, price: int, item_type: int = cat.ITEM_TYPE_PHYSICAL,
        currency: str = "CNY") -> cat.SkuView:
    return cat.SkuView(sku_id=sku_id, item_id=f"item-{sku_id}", seller_id=seller,
                       item_version=3, title=sku_id, item_type=item_type,
                       price=Money(currency_code=currency, amount_minor=price))


ADDRESS = Address(province="浙江", city="杭州", district="西湖区", detail="1号",
                  recipient_name="李", recipient_phone="13800000000")


def request(*lines: tuple[str, int], address: Address | None = ADDRESS) -> pb.CreateOrderRequest:
    req = pb.CreateOrderRequest(buyer_id="b1", lines=[
        pb.OrderLineInput(sku_id=s, quantity=q) for s, q in lines])
    if address is not None:
        req.address.CopyFrom(address)
    return req


def ids() -> object:
    counter = itertools.count(1)
    return lambda: f"id{next(counter)}"


def assemble(req: pb.CreateOrderRequest, skus: dict[str, cat.SkuView], missing: list[str],
             new_id: Callable[[], str]) -> Order:
    """The cart assembled and placed unpriced (checkout without the calls)."""
    draft = checkout.assemble(req, skus, missing, new_id, T0)
    return Order.place(order_id=draft.top_id, buyer_id=req.buyer_id, currency=draft.currency,
                       lines=draft.lines, pay_order_id=draft.pay_order_id,
                       balance_pay_order_id=draft.balance_pay_order_id, presale=draft.presale,
                       now=T0, policy=TradePolicy())


def test_two_sellers_three_skus_make_a_main_order_with_three_subs_grouped_by_seller() -> None:
    skus = {"a1": sku("a1", "A", 100), "b1": sku("b1", "B", 250), "a2": sku("a2", "A", 30)}
    a = assemble(request(("a1", 2), ("b1", 1), ("a2", 3)), skus, [], ids())  # type: ignore[arg-type]
    assert a.is_main
    assert [(x.seller_id, x.item.sku_id) for x in a.lines] == [
        ("A", "a1"), ("A", "a2"), ("B", "b1")]
    assert a.total == 200 + 90 + 250
    assert a.seller_id == ""
    assert len({x.order_id for x in a.lines} | {a.order_id}) == 4
    assert all(x.log_order for x in a.lines)


def test_one_sku_of_one_seller_is_a_single_order() -> None:
    a = assemble(request(("a1", 2)), {"a1": sku("a1", "A", 100)}, [], ids())  # type: ignore[arg-type]
    assert not a.is_main
    assert a.lines[0].order_id == a.order_id
    assert a.seller_id == "A"


def test_data_validation_reports_every_bad_line() -> None:
    skus = {"a1": sku("a1", "A", 100)}
    req = request(("a1", 1), ("zz", 1))
    req.lines[0].seller_id = "B"
    with pytest.raises(InvalidArgument) as e:
        assemble(req, skus, ["zz"], ids())  # type: ignore[arg-type]
    fields = {v.field for v in e.value.violations}
    assert fields == {"lines[0].seller_id", "lines[1].sku_id"}


def test_physical_goods_need_an_address_but_a_voucher_does_not() -> None:
    with pytest.raises(InvalidArgument) as e:
        assemble(request(("a1", 1), address=None), {"a1": sku("a1", "A", 1)}, [], ids())  # type: ignore[arg-type]
    assert [v.field for v in e.value.violations] == ["address"]
    voucher = {"v": sku("v", "A", 1, cat.ITEM_TYPE_E_VOUCHER)}
    a = assemble(request(("v", 1), address=None), voucher, [], ids())  # type: ignore[arg-type]
    assert a.logistics_status == pb.LOGISTICS_STATUS_NOT_REQUIRED


def test_mixed_currencies_are_refused() -> None:
    skus = {"a": sku("a", "A", 1), "b": sku("b", "A", 1, currency="USD")}
    with pytest.raises(InvalidArgument):
        assemble(request(("a", 1), ("b", 1)), skus, [], ids())  # type: ignore[arg-type]


def test_request_validation_collects_field_violations() -> None:
    req = pb.CreateOrderRequest(lines=[pb.OrderLineInput(sku_id="a", quantity=0),
                                       pb.OrderLineInput(sku_id="a", quantity=1)],
                                out_type="x")
    with pytest.raises(InvalidArgument) as e:
        checkout.validate(req)
    fields = [v.field for v in e.value.violations]
    assert fields == ["buyer_id", "lines[1].sku_id", "out_id"]
    # The quantity's range is the contract's (checked before any servicer).
    with pytest.raises(InvalidArgument) as e:
        Validator().check(req)
    assert [v.field for v in e.value.violations] == ["lines[0].quantity"]


# --- presale (定金+尾款) --------------------------------------------------------


def test_presale_path_deposit_then_balance() -> None:
    s = next_status("o", domain.WAIT_PAY, domain.PAY_DEPOSIT)
    assert s == domain.WAIT_PAY_BALANCE
    assert next_status("o", s, domain.PAY) == domain.WAIT_SHIP
    assert next_status("o", s, domain.CANCEL) == domain.CANCELLED
    for action in (domain.PAY_DEPOSIT, domain.SHIP, domain.SELLER_CONFIRM):
        with pytest.raises(FailedPrecondition):
            next_status("o", s, action)
    for status in (domain.WAIT_SELLER_CONFIRM, domain.WAIT_SHIP, domain.INIT):
        with pytest.raises(FailedPrecondition):
            next_status("o", status, domain.PAY_DEPOSIT)


def test_paying_the_deposit_pays_only_the_deposit_pay_order() -> None:
    unpaid, paid, closed = pb.PAY_STATUS_UNPAID, pb.PAY_STATUS_PAID, pb.PAY_STATUS_CLOSED
    after = domain.pay_order_status_after
    assert after(domain.PAY_DEPOSIT, domain.DEPOSIT, unpaid) == paid
    assert after(domain.PAY_DEPOSIT, domain.BALANCE, unpaid) == unpaid
    assert after(domain.PAY, domain.BALANCE, unpaid) == paid
    assert after(domain.PAY, domain.DEPOSIT, paid) == paid
    # The lapse cancels: the paid deposit stays paid (kept), the balance closes.
    assert after(domain.CANCEL, domain.DEPOSIT, paid) == paid
    assert after(domain.CANCEL, domain.BALANCE, unpaid) == closed
    # The order's own pay status waits for the balance.
    assert domain.pay_status_after(domain.PAY_DEPOSIT, unpaid) == unpaid


def test_due_pay_order_is_the_first_unpaid() -> None:
    order = placed(line("p"), presale=Presale(100, T0, T0))
    deposit, balance = order.pay_orders
    assert (deposit.kind, balance.kind) == (domain.DEPOSIT, domain.BALANCE)
    order.pay_orders.reverse()
    assert order.due_pay_order is deposit
    deposit.status = pb.PAY_STATUS_PAID
    assert order.due_pay_order is balance
    balance.status = pb.PAY_STATUS_PAID
    assert order.due_pay_order is balance


def presale_sku(sku_id: str, price: int, deposit: int) -> cat.SkuView:
    view = sku(sku_id, "s1", price)
    view.presale.deposit.CopyFrom(Money(currency_code="CNY", amount_minor=deposit))
    view.presale.balance_start_time.FromSeconds(1_000)
    view.presale.balance_end_time.FromSeconds(2_000)
    return view


def test_a_presale_line_must_be_alone_in_its_order() -> None:
    skus = {"p": presale_sku("p", 10_000, 1_000), "x": sku("x", "s1", 500)}
    with pytest.raises(InvalidArgument) as e:
        assemble(request(("p", 1), ("x", 1)), skus, [], ids())  # type: ignore[arg-type]
    assert any(v.field == "lines[0].sku_id" for v in e.value.violations)
    a = assemble(request(("p", 3)), skus, [], ids())  # type: ignore[arg-type]
    assert [(p.kind, p.actual) for p in a.pay_orders] == [(domain.DEPOSIT, 3_000),
                                                         (domain.BALANCE, 27_000)]
    plain = assemble(request(("x", 1)), skus, [], ids())  # type: ignore[arg-type]
    assert [p.kind for p in plain.pay_orders] == [domain.FULL]
