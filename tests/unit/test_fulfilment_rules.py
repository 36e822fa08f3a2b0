"""logistics' pure fulfilment rules: package status from carrier milestones
(monotonic, whatever the arrival order), an order's derived status, and each
order's share of a warehouse plan."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import given
from hypothesis import strategies as st

from logistics import domain
from zhongtai.logistics.v1 import logistics_pb2 as pb

M = [pb.TRACKING_MILESTONE_ACCEPTED, pb.TRACKING_MILESTONE_IN_TRANSIT,
     pb.TRACKING_MILESTONE_OUT_FOR_DELIVERY, pb.TRACKING_MILESTONE_DELIVERED]
T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


@given(st.lists(st.sampled_from([*M, pb.TRACKING_MILESTONE_EXCEPTION]), max_size=12))
def test_a_package_ends_at_its_furthest_milestone_in_any_arrival_order(
        milestones: list[int]) -> None:
    furthest = max((domain.MILESTONE_STATUS[m] for m in milestones
                    if m in domain.MILESTONE_STATUS), default=domain.SHIPPED)
    for order in itertools.islice(itertools.permutations(milestones), 50):
        status = domain.SHIPPED
        for m in order:
            after = domain.package_status_after(status, m)
            assert after >= status  # never back
            status = after
        assert status == furthest


def test_exception_and_untravelled_packages_do_not_move() -> None:
    assert domain.package_status_after(domain.IN_TRANSIT,
                                       pb.TRACKING_MILESTONE_EXCEPTION) == domain.IN_TRANSIT
    assert domain.package_status_after(domain.CANCELLED,
                                       pb.TRACKING_MILESTONE_DELIVERED) == domain.CANCELLED


def test_an_order_is_as_far_as_its_slowest_package() -> None:
    assert domain.order_status(3, 0, []) == domain.WAIT_SHIP
    assert domain.order_status(3, 2, [domain.DELIVERED]) == domain.PARTIALLY_SHIPPED
    assert domain.order_status(3, 3, [domain.DELIVERED, domain.IN_TRANSIT]) == \
        domain.IN_TRANSIT
    assert domain.order_status(3, 3, [domain.DELIVERED] * 2) == domain.DELIVERED
    assert domain.order_status(3, 0, [], cancelled=True) == domain.CANCELLED


@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(1, 9)),
                min_size=1, max_size=5),
       st.lists(st.integers(1, 4), min_size=1, max_size=4))
def test_every_order_gets_exactly_its_units_of_a_covering_plan(
        lines: list[tuple[str, int]], cuts: list[int]) -> None:
    orders = [(f"lo-{i}", sku, units) for i, (sku, units) in enumerate(lines)]
    # A plan that covers every SKU, cut into packages of at most `cut` units.
    need: dict[str, int] = {}
    for _, sku, units in orders:
        need[sku] = need.get(sku, 0) + units
    packages = []
    for n, cut in enumerate(itertools.cycle(cuts)):
        if not any(need.values()):
            break
        chunk = []
        for sku in sorted(need):
            take = min(cut, need[sku])
            if take:
                chunk.append((sku, take))
                need[sku] -= take
        packages.append((f"w{n % 3}", "", T0 + dt.timedelta(hours=n), chunk, {}))
    shares = domain.shares_of_plan(orders, packages)
    for lo_id, _, units in orders:
        assert sum(s.quantity for s in shares[lo_id]) == units
        assert all(s.quantity > 0 for s in shares[lo_id])


def test_a_transfer_share_holds_only_the_transferred_units() -> None:
    # Issue 8: hz holds 1, its parent zj 10, the order asks 3.
    shares = domain.shares_of_plan([("lo", "a", 3)], [("hz", "zj", T0, [("a", 3)], {"a": 2})])
    assert [(s.warehouse_id, s.quantity, s.transfer_from_warehouse_id)
            for s in shares["lo"]] == [("hz", 1, ""), ("hz", 2, "zj")]


def share(warehouse_id: str, quantity: int, transfer_from: str = "") -> pb.PlannedShipment:
    return pb.PlannedShipment(warehouse_id=warehouse_id, quantity=quantity,
                              transfer_from_warehouse_id=transfer_from)


def test_shipped_units_leave_the_warehouses_of_the_plan_in_order() -> None:
    plan = [share("hz", 1), share("hz", 2, "zj"), share("sh", 2)]
    assert domain.leaving_warehouses(plan, 0, 2) == [("hz", 1), ("zj", 1)]
    assert domain.leaving_warehouses(plan, 2, 3) == [("zj", 1), ("sh", 2)]
    # Beyond the plan, or without one: an unknown warehouse.
    assert domain.leaving_warehouses(plan, 4, 3) == [("sh", 1), ("", 2)]
    assert domain.leaving_warehouses([], 0, 2) == [("", 2)]


@given(st.lists(st.tuples(st.sampled_from(["hz", "sh"]), st.integers(1, 5),
                          st.sampled_from(["", "zj"])), max_size=4),
       st.lists(st.integers(1, 4), min_size=1, max_size=6))
def test_shipments_in_any_cuts_take_exactly_the_plan_from_each_warehouse(
        shares: list[tuple[str, int, str]], cuts: list[int]) -> None:
    plan = [share(*x) for x in shares]
    total = sum(q for _, q, _ in shares) + 1  # one unit more than planned
    left: dict[str, int] = {"": 1}
    for wid, q, transfer_from in shares:
        left[transfer_from or wid] = left.get(transfer_from or wid, 0) + q
    shipped = 0
    for cut in itertools.cycle(cuts):
        if shipped == total:
            break
        n = min(cut, total - shipped)
        out = domain.leaving_warehouses(plan, shipped, n)
        assert sum(q for _, q in out) == n and all(q > 0 for _, q in out)
        for source, q in out:
            left[source] -= q
        shipped += n
    assert set(left.values()) == {0}
