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

