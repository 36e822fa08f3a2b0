"""logistics' pure rules of after-sales returns: the return is shipped once
(``RETURN``), goes to the warehouse its line's units left (else the seller's
first), must agree with its line, and its carrier code fits the column."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logistics import domain
from logistics.values import Shipment
from zhongtai.errors import FailedPrecondition, InvalidArgument
from zhongtai.logistics.v1 import logistics_pb2 as pb


def at(warehouse_id: str, quantity: int, transfer_from: str = "") -> Shipment:
    return Shipment(warehouse_id, quantity, transfer_from)


def line(plan: list[Shipment], total: int = 3, shipped: int = 3
         ) -> domain.ReturnedLine:
    return domain.ReturnedLine("top-1", "seller-1", "buyer-1", "sku-1", total, shipped, plan)


def request(**kw: object) -> domain.AskedReturn:
    fields: dict[str, object] = dict(application_id="app-1", order_id="line-1",
                                     top_order_id="top-1", seller_id="seller-1",
                                     buyer_id="buyer-1", sku_id="sku-1", quantity=2)
    fields.update(kw)
    return domain.AskedReturn(**fields)  # type: ignore[arg-type]


def test_a_return_is_handed_to_its_carrier_once() -> None:
    assert domain.RETURN.next(domain.WAIT_SHIP, domain.SHIP_RETURN, "r") == domain.SHIPPED
    for status in domain.TRAVELLING:
        with pytest.raises(FailedPrecondition) as e:
            domain.RETURN.next(status, domain.SHIP_RETURN, "r")
        assert e.value.reason == "NOTHING_TO_SHIP"
        assert e.value.metadata["logistics_order_id"] == "r"
    # Nothing else is ever asked of a return: trade's cancellations do not reach it.
    assert not domain.RETURN.can(domain.WAIT_SHIP, domain.CANCEL)
    assert domain.RETURN.reachable([domain.WAIT_SHIP]) == {domain.WAIT_SHIP, domain.SHIPPED}


def test_goods_go_back_where_most_of_the_line_left_from() -> None:
    # 1 own unit of hz, 2 transferred from zj: the transferred ones left zj.
    transfer = [at("hz", 1), at("hz", 2, "zj")]
    assert domain.return_warehouse(line(transfer), []) == "zj"
    # Only the first unit shipped: it left hz.
    assert domain.return_warehouse(line(transfer, shipped=1), []) == "hz"
    # A tie: the earlier in the plan.
    assert domain.return_warehouse(line([at("sh", 1), at("bj", 1)], 2, 2), []) == "sh"
    # Nothing shipped (yet): where the plan sends it.
    assert domain.return_warehouse(line([at("bj", 3)], shipped=0), []) == "bj"


def test_else_the_sellers_first_warehouse_else_none() -> None:
    sellers = [[at("gz", 2, "cn"), at("gz", 1)], [at("sz", 1)]]
    # The line has no plan (its units left an unknown warehouse): the
    # seller's first plan's first units left cn (transferred to gz).
    assert domain.return_warehouse(line([]), sellers) == "cn"
    # A plan covering part of the line still names its warehouse.
    assert domain.return_warehouse(line([at("bj", 1)], total=3, shipped=3), sellers) == "bj"
    assert domain.return_warehouse(None, sellers) == "cn"
    assert domain.return_warehouse(None, [[], [at("sz", 1)]]) == "sz"
    assert domain.return_warehouse(line([]), []) == ""
    refusal = domain.no_return_warehouse(request())
    assert isinstance(refusal, FailedPrecondition)
    assert (refusal.reason, refusal.metadata) == (
        "NO_RETURN_WAREHOUSE", {"order_id": "line-1", "seller_id": "seller-1"})


@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(1, 5),
                          st.sampled_from(["", "p"])), min_size=1, max_size=5),
       st.integers(0, 30))
def test_the_warehouse_named_is_one_the_units_left(
        shares: list[tuple[str, int, str]], shipped: int) -> None:
    plan = [at(w, n, parent) for w, n, parent in shares]
    total = sum(n for _, n, _ in shares)
    shipped = min(shipped, total)
    chosen = domain.return_warehouse(line(plan, total, shipped), [])
    left = dict(domain.leaving_warehouses(plan, 0, shipped or total))
    assert chosen in left and left[chosen] == max(left.values())


def test_a_return_agrees_with_its_line() -> None:
    domain.check_return(request(), line([]))
    domain.check_return(request(quantity=3), line([]))
    domain.check_return(request(seller_id="anyone"), None)  # a line logistics never had
    with pytest.raises(InvalidArgument) as e:
        domain.check_return(request(top_order_id="top-2", seller_id="s-2", buyer_id="b-2",
                                    sku_id="k-2", quantity=4), line([]))
    assert {v.field for v in e.value.violations} == {
        "top_order_id", "seller_id", "buyer_id", "sku_id", "quantity"}


def test_a_return_carrier_code_is_at_most_32_characters() -> None:
    domain.validate_ship_return("c" * 32)
    with pytest.raises(InvalidArgument) as e:
        domain.validate_ship_return("c" * 33)
    assert [v.field for v in e.value.violations] == ["carrier"]


def test_a_delivered_return_is_delivered_as_a_package_of_its_own() -> None:
    status = domain.SHIPPED
    for m in (pb.TRACKING_MILESTONE_DELIVERED, pb.TRACKING_MILESTONE_IN_TRANSIT):
        status = domain.package_status_after(status, m)
    assert domain.order_status(2, 2, [status]) == domain.DELIVERED
