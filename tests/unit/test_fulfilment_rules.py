"""logistics' pure fulfilment rules: package status from carrier milestones
(monotonic, whatever the arrival order), an order's derived status, each
order's share of a warehouse plan, what a package is made of (split, merge,
the ORDER machine), who may flag, the re-query backoff and the warehouses a
package's units leave."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logistics import domain
from logistics.values import Operator as Acted
from logistics.values import Shipment
from zhongtai.auth import Identity, Role
from zhongtai.common.v1.common_pb2 import Operator
from zhongtai.errors import FailedPrecondition, PermissionDenied, ZhongtaiError
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


def share(warehouse_id: str, quantity: int, transfer_from: str = "") -> Shipment:
    return Shipment(warehouse_id, quantity, transfer_from)


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


# --- shipping: split, merge and the ORDER machine -----------------------------

STATUSES = [domain.WAIT_SHIP, domain.PARTIALLY_SHIPPED, domain.SHIPPED, domain.DELIVERED,
            domain.CANCELLED]


def order(lo_id: str, total: int, shipped: int = 0, *, status: int | None = None,
          seller: str = "s", buyer: str = "b", address: str = "a") -> domain.Shippable:
    derived = domain.order_status(total, shipped, [domain.SHIPPED] if shipped else [])
    return domain.Shippable(lo_id, domain.ROLE_ORDER, derived if status is None else status,
                            seller, (buyer, address), total, shipped, 0 < shipped < total)


def test_all_of_an_order_travels_as_itself_a_part_as_a_split_child() -> None:
    whole = domain.pack("s", [("a", 0)], {"a": order("a", 3)})
    assert whole.parts == (domain.Part("a", 3, True, domain.SHIPPED),)
    assert not whole.merged
    part = domain.pack("s", [("a", 2)], {"a": order("a", 3)})
    assert part.parts == (domain.Part("a", 2, False, domain.PARTIALLY_SHIPPED),)
    rest = domain.pack("s", [("a", 0)], {"a": order("a", 3, 2)})
    assert rest.parts == (domain.Part("a", 1, False, domain.SHIPPED),)
    merged = domain.pack("s", [("a", 0), ("b", 1)], {"a": order("a", 1), "b": order("b", 2)})
    assert merged.merged and merged.quantity == 2
    assert [p.whole for p in merged.parts] == [True, False]


def test_refusals_name_the_first_offending_item() -> None:
    orders = {"a": order("a", 2), "c": order("c", 1, status=domain.CANCELLED),
              "o": order("o", 1, seller="other"), "far": order("far", 1, buyer="b2")}
    cases = [([("x", 0)], "INVALID_ARGUMENT"), ([("o", 0)], "NOT_A_PARTY_TO_THE_ORDER"),
             ([("c", 0)], "NOTHING_TO_SHIP"), ([("a", 3)], "NOTHING_TO_SHIP"),
             ([("a", 0), ("far", 0)], "PACKAGE_DESTINATIONS_DIFFER"),
             ([("a", 0), ("o", 0), ("c", 0)], "NOT_A_PARTY_TO_THE_ORDER")]
    for items, reason in cases:
        with pytest.raises(ZhongtaiError) as e:
            domain.pack("s", items, orders)
        assert e.value.reason == reason
    with pytest.raises(FailedPrecondition) as fp:
        domain.pack("s", [("a", 3)], orders)
    assert fp.value.metadata == {"logistics_order_id": "a",
                                 "status": "LOGISTICS_ORDER_STATUS_WAIT_SHIP", "left": "2"}


@given(st.lists(st.tuples(st.integers(1, 4), st.integers(0, 4), st.sampled_from(STATUSES),
                          st.sampled_from(["b", "b2"])), min_size=1, max_size=4),
       st.lists(st.tuples(st.integers(0, 3), st.integers(0, 5)), min_size=1, max_size=4,
                unique_by=lambda x: x[0]))
def test_a_package_ships_only_units_left_and_moves_each_order_by_its_machine(
        rows: list[tuple[int, int, int, str]], asked: list[tuple[int, int]]) -> None:
    orders = {f"o{i}": order(f"o{i}", total, min(shipped, total), buyer=buyer,
                             status=None if status != domain.CANCELLED else status)
              for i, (total, shipped, status, buyer) in enumerate(rows)}
    items = [(f"o{i}", q) for i, q in asked]
    try:
        packing = domain.pack("s", items, orders)
    except ZhongtaiError as e:
        assert e.reason in {"INVALID_ARGUMENT", "NOTHING_TO_SHIP", "PACKAGE_DESTINATIONS_DIFFER"}
        return
    assert [p.logistics_order_id for p in packing.parts] == [i for i, _ in items]
    assert packing.merged == (len(items) > 1)
    assert packing.quantity == sum(p.quantity for p in packing.parts)
    assert len({orders[i].destination for i, _ in items}) == 1
    for p, (lo_id, q) in zip(packing.parts, items, strict=True):
        o = orders[lo_id]
        left = o.total - o.shipped
        assert 1 <= p.quantity <= left and p.quantity == (q or left)
        assert p.whole == (p.quantity == o.total and not o.split)
        assert p.status == (domain.SHIPPED if p.quantity == left else domain.PARTIALLY_SHIPPED)
        assert p.status in domain.ORDER.reachable([o.status])


def test_the_order_machine_ships_and_cancels_only_what_is_left() -> None:
    assert domain.ORDER.reachable([domain.WAIT_SHIP]) == {
        domain.WAIT_SHIP, domain.PARTIALLY_SHIPPED, domain.SHIPPED, domain.CANCELLED}
    assert domain.ORDER.can(domain.WAIT_SHIP, domain.CANCEL)
    assert not domain.ORDER.can(domain.PARTIALLY_SHIPPED, domain.CANCEL)
    for done in (domain.SHIPPED, domain.DELIVERED, domain.CANCELLED):
        assert domain.ORDER.reachable([done]) == {done}
    with pytest.raises(FailedPrecondition) as e:
        domain.ORDER.next(domain.CANCELLED, domain.SHIP_PART, "lo")
    assert e.value.reason == "NOTHING_TO_SHIP"


def test_who_may_read_or_flag_and_who_the_flag_says_acted() -> None:
    parties = {Identity(Role.BUYER, "b"): Acted(Operator.ROLE_BUYER, "b"),
               Identity(Role.SELLER, "acct", frozenset({"x", "s"})):
                   Acted(Operator.ROLE_SELLER, "s"),
               Identity(Role.OPERATOR, "ops"): Acted(Operator.ROLE_OPERATOR, "ops"),
               Identity.for_service("trade"): Acted(Operator.ROLE_SYSTEM, "trade")}
    for caller, operator in parties.items():
        domain.require_party(caller, "b", "s", "lo")
        assert domain.operator_of(caller, "s") == operator
    for caller in (Identity(Role.BUYER, "s"), Identity(Role.SELLER, "s", frozenset({"b"}))):
        with pytest.raises(PermissionDenied) as e:
            domain.require_party(caller, "b", "s", "lo")
        assert (e.value.reason, e.value.metadata) == ("NOT_A_PARTY_TO_THE_ORDER",
                                                      {"logistics_order_id": "lo"})


# --- lost pushes and shipped units --------------------------------------------


def test_queries_double_up_to_a_day_until_delivered_or_the_last() -> None:
    policy = domain.TrackingPolicy(first_query_after_seconds=6 * 3600, max_queries=5)
    assert [policy.query_delay(n) / dt.timedelta(hours=1) for n in range(1, 6)] == [
        6, 12, 24, 24, 24]
    assert policy.queries_again(4, domain.IN_TRANSIT)
    assert not policy.queries_again(5, domain.IN_TRANSIT)
    assert not policy.queries_again(1, domain.DELIVERED)


@given(st.floats(1, 10**6), st.integers(1, 60))
def test_query_delays_never_shrink_nor_exceed_a_day(first: float, n: int) -> None:
    policy = domain.TrackingPolicy(first_query_after_seconds=first)
    assert policy.query_delay(1) == dt.timedelta(seconds=min(first, 86400))
    assert policy.query_delay(n) <= policy.query_delay(n + 1) <= dt.timedelta(days=1)


def test_a_package_leaves_per_sku_and_warehouse_across_its_orders() -> None:
    plan_a = [share("hz", 1), share("hz", 2, "zj")]
    assert domain.shipped_from([("k1", plan_a, 0, 2), ("k1", [share("hz", 5)], 0, 1),
                                ("k2", [], 0, 1)]) == [
        ("k1", "hz", 2), ("k1", "zj", 1), ("k2", "", 1)]
