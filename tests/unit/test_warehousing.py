"""Warehouse rules (logistics/warehousing.py): coverage, topology, allocation
in the issue's order, fewest packages, and ETA with cut-off, transfer and
delivery-method windows."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import random
from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logistics import domain, views
from logistics import warehousing as w
from logistics.values import Address
from tests.builders import refused_fields
from zhongtai.errors import FailedPrecondition, InvalidArgument
from zhongtai.logistics.v1 import logistics_pb2 as lpb
from zhongtai.logistics.v1 import warehouse_pb2 as pb
from zhongtai.wire import to_datetime

SH_TZ = dt.timezone(dt.timedelta(hours=8))
HANGZHOU = Address(country_code="CN", province="浙江省", city="杭州市", district="西湖区",
                   region_code="330106")
LHASA = Address(country_code="CN", province="西藏自治区", city="拉萨市", district="城关区")

# 杭州 regional warehouse, child of the 浙江 parent; 上海 and 广州 are mesh
# warehouses; one central warehouse ships anywhere, slowly.
HZ = w.Site("hz", w.REGIONAL, parent_id="zj",
            coverage=(w.Area(24, province="浙江省", city="杭州市"),),
            production_hours=2, default_delivery_hours=72, transfer_hours=12,
            cutoff=dt.time(16, 0),
            method_rules=(w.MethodRule(w.SAME_DAY, (dt.time(8), dt.time(17)), 3),))
ZJ = w.Site("zj", w.PARENT, coverage=(w.Area(48, province="浙江省"),),
            production_hours=4, default_delivery_hours=72)
SH = w.Site("sh", w.REGIONAL, coverage=(w.Area(24, province="上海市"),),
            production_hours=2, default_delivery_hours=48)
GZ = w.Site("gz", w.REGIONAL, coverage=(w.Area(24, province="广东省"),),
            production_hours=2, default_delivery_hours=60)
CN = w.Site("cn", w.CENTRAL, production_hours=6, default_delivery_hours=96)
SITES = [HZ, ZJ, SH, GZ, CN]

# 10:00 in Shanghai, before the 16:00 cut-off.
MORNING = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH_TZ)


def hours(n: int) -> dt.timedelta:
    return dt.timedelta(hours=n)


def plan(stock: Mapping[str, Mapping[str, int]], lines: Mapping[str, int],
         method: int = lpb.DELIVERY_METHOD_EXPRESS, paid: dt.datetime = MORNING,
         to: Address = HANGZHOU, sites: list[w.Site] | None = None) -> w.Plan:
    return w.plan(SITES if sites is None else sites, stock, to, lines, method, paid)


def shape(p: w.Plan) -> list[tuple[str, int, tuple[tuple[str, int], ...]]]:
    return [(x.warehouse_id, x.source, x.lines) for x in p.packages]


def refused(reason: str, *args: object, **kw: object) -> FailedPrecondition:
    with pytest.raises(FailedPrecondition) as e:
        plan(*args, **kw)  # type: ignore[arg-type]
    assert e.value.reason == reason
    return e.value


# --- allocation order --------------------------------------------------------


def test_the_whole_order_ships_from_the_local_warehouse_when_it_can() -> None:
    stock = {"hz": {"a": 2, "b": 1}, "zj": {"a": 9, "b": 9}, "sh": {"a": 9, "b": 9},
             "cn": {"a": 9, "b": 9}}
    p = plan(stock, {"a": 2, "b": 1})
    assert shape(p) == [("hz", w.LOCAL, (("a", 2), ("b", 1)))]
    assert p.packages[0].transfer_from == "" and p.packages[0].transfer_lines == ()


def test_missing_units_are_transferred_from_the_parent_into_one_package() -> None:
    stock = {"hz": {"a": 1}, "zj": {"a": 5, "b": 5}, "sh": {"a": 9, "b": 9}}
    p = plan(stock, {"a": 2, "b": 1})
    assert shape(p) == [("hz", w.PARENT_TRANSFER, (("a", 2), ("b", 1)))]
    pkg = p.packages[0]
    assert pkg.transfer_from == "zj"
    assert pkg.transfer_lines == (("a", 1), ("b", 1))  # hz's own unit of a ships too


def test_the_fastest_mesh_warehouse_holding_everything_ships_when_local_and_parent_cannot(
) -> None:
    stock = {"hz": {"a": 1}, "zj": {"b": 1}, "sh": {"a": 5, "b": 5}, "gz": {"a": 5, "b": 5},
             "cn": {"a": 5, "b": 5}}
    p = plan(stock, {"a": 2, "b": 2})
    # sh: 2 + 48 hours outside its coverage; gz: 2 + 60.
    assert shape(p) == [("sh", w.MESH, (("a", 2), ("b", 2)))]
    assert p.packages[0].delivery_hours == 48
    # Without sh, the slower mesh warehouse still beats central.
    p = plan({**stock, "sh": {}}, {"a": 2, "b": 2})
    assert shape(p) == [("gz", w.MESH, (("a", 2), ("b", 2)))]


def test_central_ships_the_whole_order_when_no_other_warehouse_can() -> None:
    stock = {"hz": {"a": 1}, "sh": {"b": 5}, "cn": {"a": 5, "b": 5}}
    p = plan(stock, {"a": 2, "b": 2})
    assert shape(p) == [("cn", w.CENTRAL_SOURCE, (("a", 2), ("b", 2)))]


def test_a_multi_sku_order_splits_over_two_warehouses_into_two_packages() -> None:
    stock = {"hz": {"a": 3, "b": 3}, "sh": {"c": 3}, "gz": {"a": 3, "c": 3}, "cn": {"a": 3}}
    p = plan(stock, {"a": 1, "b": 2, "c": 3})
    assert shape(p) == [("hz", w.LOCAL, (("a", 1), ("b", 2))),
                        ("sh", w.MESH, (("c", 3),))]
    assert p.eta == max(x.eta for x in p.packages)
    assert p.eta == MORNING + hours(2 + 48)  # sh's package is the later one


def test_fewest_packages_beat_preference() -> None:
    # In preference order alone: hz(a), sh(b), gz(c) — three packages. gz
    # holding b and c makes two.
    stock = {"hz": {"a": 1}, "sh": {"b": 1}, "gz": {"b": 1, "c": 1}}
    p = plan(stock, {"a": 1, "b": 1, "c": 1})
    assert shape(p) == [("hz", w.LOCAL, (("a", 1),)), ("gz", w.MESH, (("b", 1), ("c", 1)))]


def test_a_line_is_split_when_no_warehouse_holds_all_its_units() -> None:
    stock = {"hz": {"a": 2}, "zj": {"a": 1}, "sh": {"a": 4}}
    p = plan(stock, {"a": 6})
    # Own stock of the packages' warehouses before a transfer from the parent.
    assert shape(p) == [("hz", w.LOCAL, (("a", 2),)), ("sh", w.MESH, (("a", 4),))]
    stock = {"hz": {"a": 1}, "zj": {"a": 2, "b": 1}, "sh": {"a": 2}}
    p = plan(stock, {"a": 5, "b": 1})
    assert shape(p) == [("hz", w.PARENT_TRANSFER, (("a", 3), ("b", 1))),
                        ("sh", w.MESH, (("a", 2),))]
    assert p.packages[0].transfer_lines == (("a", 2), ("b", 1))
    assert p.packages[0].eta == MORNING + hours(12 + 2 + 24)
    assert p.eta == p.packages[1].eta == MORNING + hours(2 + 48)


def test_insufficient_stock_lists_every_short_sku() -> None:
    stock = {"hz": {"a": 1, "b": 1}, "cn": {"a": 1}}
    err = refused("INSUFFICIENT_STOCK", stock, {"a": 3, "b": 1, "c": 1})
    assert [v.subject for v in err.violations] == ["skus/a", "skus/c"]
    assert err.metadata["sku_ids"] == "a,c"


# --- coverage ------------------------------------------------------------------


def test_the_most_specific_covering_warehouse_is_local() -> None:
    district = w.Site("xh", w.REGIONAL, coverage=(w.Area(6, region_code="330106"),),
                      production_hours=1)
    province_only = w.Site("zj2", w.REGIONAL, coverage=(w.Area(12, province="浙江省"),))
    stock = {"xh": {"a": 1}, "hz": {"a": 1}, "zj2": {"a": 1}}
    assert shape(plan(stock, {"a": 1}, sites=[province_only, HZ, district])) == [
        ("xh", w.LOCAL, (("a", 1),))]
    assert shape(plan(stock, {"a": 1}, sites=[province_only, HZ])) == [
        ("hz", w.LOCAL, (("a", 1),))]
    # Another district of Hangzhou is not covered by xh's code.
    binjiang = Address(province="浙江省", city="杭州市", district="滨江区", region_code="330108")
    assert shape(plan(stock, {"a": 1}, sites=[HZ, district], to=binjiang)) == [
        ("hz", w.LOCAL, (("a", 1),))]


def test_area_matching_by_names_and_codes() -> None:
    assert w.area_level(w.Area(1, province="浙江省"), HANGZHOU) == 1
    assert w.area_level(w.Area(1, province="浙江省", city="杭州市"), HANGZHOU) == 2
    assert w.area_level(w.Area(1, city="杭州市", district="西湖区"), HANGZHOU) == 3
    assert w.area_level(w.Area(1, province="浙江省", city="宁波市"), HANGZHOU) == 0
    assert w.area_level(w.Area(1, region_code="33"), HANGZHOU) == 1
    assert w.area_level(w.Area(1, region_code="3301"), HANGZHOU) == 2
    assert w.area_level(w.Area(1, region_code="3302"), HANGZHOU) == 0
    # The most specific area of a warehouse gives its delivery time.
    site = w.Site("x", w.REGIONAL, coverage=(w.Area(30, province="浙江省"),
                                             w.Area(10, region_code="3301")))
    assert w.delivery_hours(site, HANGZHOU, lpb.DELIVERY_METHOD_EXPRESS) == 10


def test_a_destination_no_warehouse_reaches_is_not_covered() -> None:
    local_only = [w.Site("hz", w.REGIONAL, coverage=(w.Area(24, city="杭州市"),))]
    err = refused("NOT_COVERED", {"hz": {"a": 1}}, {"a": 1}, to=LHASA, sites=local_only)
    assert err.metadata["delivery_method"] == "DELIVERY_METHOD_EXPRESS"


def test_warehouses_ship_outside_their_coverage_at_their_slower_default() -> None:
    p = plan({"hz": {"a": 1}}, {"a": 1}, to=LHASA)
    assert shape(p) == [("hz", w.MESH, (("a", 1),))]  # nothing is local to Lhasa
    assert p.packages[0].delivery_hours == 72


# --- ties ----------------------------------------------------------------------


def twin(warehouse_id: str, production_hours: int = 2, kind: int = w.REGIONAL) -> w.Site:
    return w.Site(warehouse_id, kind, coverage=(w.Area(24, city="杭州市"),),
                  production_hours=production_hours, default_delivery_hours=48)


def test_ties_go_to_coverage_then_the_earliest_eta_then_the_smallest_id() -> None:
    stock = {x: {"a": 1} for x in ("a", "b", "c", "z")}
    # Identical warehouses: the smallest id, however they are listed.
    for sites in itertools.permutations([twin("b"), twin("a"), twin("c")]):
        assert shape(plan(stock, {"a": 1}, sites=list(sites))) == [("a", w.LOCAL, (("a", 1),))]
    # An earlier direct ETA beats a smaller id (production 1 h against 3 h) ...
    assert shape(plan(stock, {"a": 1}, sites=[twin("a", 3), twin("b", 1)])) == [
        ("b", w.LOCAL, (("a", 1),))]
    # ... and a more specific coverage beats an earlier ETA.
    district = w.Site("z", w.REGIONAL, coverage=(w.Area(48, region_code="330106"),),
                      production_hours=9)
    assert shape(plan(stock, {"a": 1}, sites=[twin("a"), district])) == [
        ("z", w.LOCAL, (("a", 1),))]
    # Mesh and central warehouses rank by ETA, then id: to Lhasa nothing is
    # local, the twins ship at their default hours.
    assert shape(plan(stock, {"a": 1}, to=LHASA, sites=[twin("c"), twin("b")])) == [
        ("b", w.MESH, (("a", 1),))]
    centrals = [twin("c", kind=w.CENTRAL), twin("b", kind=w.CENTRAL)]
    assert shape(plan(stock, {"a": 1}, sites=centrals)) == [
        ("b", w.CENTRAL_SOURCE, (("a", 1),))]


# --- ETA -----------------------------------------------------------------------


def test_eta_direct_is_production_plus_delivery() -> None:
    p = plan({"hz": {"a": 1}}, {"a": 1})
    pkg = p.packages[0]
    assert (pkg.production_start, pkg.transfer_hours, pkg.production_hours,
            pkg.delivery_hours) == (MORNING, 0, 2, 24)
    assert pkg.eta == p.eta == MORNING + hours(26)


def test_eta_transfer_is_transfer_time_plus_direct() -> None:
    p = plan({"zj": {"a": 1}}, {"a": 1})
    pkg = p.packages[0]
    assert (pkg.source, pkg.transfer_hours) == (w.PARENT_TRANSFER, 12)
    assert pkg.eta == MORNING + hours(12 + 2 + 24)


@pytest.mark.parametrize("paid_at", [dt.time(16, 0), dt.time(16, 30), dt.time(23, 59)])
def test_an_order_paid_at_or_after_the_cut_off_starts_production_the_next_day(
        paid_at: dt.time) -> None:
    paid = dt.datetime.combine(MORNING.date(), paid_at, tzinfo=SH_TZ)
    p = plan({"hz": {"a": 1}}, {"a": 1}, paid=paid)
    next_midnight = dt.datetime(2026, 3, 3, 0, 0, tzinfo=SH_TZ)
    assert p.packages[0].production_start == next_midnight
    assert p.eta == next_midnight + hours(2 + 24)


def test_the_cut_off_is_read_on_the_warehouse_clock() -> None:
    # 07:59 UTC is 15:59 in Shanghai (before the cut-off); 08:00 UTC is 16:00.
    before = dt.datetime(2026, 3, 2, 7, 59, tzinfo=dt.UTC)
    after = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
    assert plan({"hz": {"a": 1}}, {"a": 1}, paid=before).eta == before + hours(26)
    assert plan({"hz": {"a": 1}}, {"a": 1}, paid=after).eta == (
        dt.datetime(2026, 3, 2, 16, 0, tzinfo=dt.UTC) + hours(26))
    la = w.Site("la", w.REGIONAL, coverage=(w.Area(24, city="杭州市"),),
                cutoff=dt.time(16), time_zone="America/Los_Angeles")
    # 08:00 UTC is 00:00 in Los Angeles (PST): before its cut-off.
    assert plan({"la": {"a": 1}}, {"a": 1}, paid=after, sites=[la]).eta == after + hours(24)


def test_same_day_inside_its_window_ignores_the_cut_off() -> None:
    paid = dt.datetime(2026, 3, 2, 16, 30, tzinfo=SH_TZ)  # after the 16:00 cut-off
    p = plan({"hz": {"a": 1}}, {"a": 1}, method=lpb.DELIVERY_METHOD_SAME_DAY, paid=paid)
    assert shape(p) == [("hz", w.LOCAL, (("a", 1),))]
    assert p.packages[0].delivery_hours == 3
    assert p.eta == paid + hours(2 + 3)


@pytest.mark.parametrize("paid_at", [dt.time(7, 59), dt.time(17, 0), dt.time(22, 0)])
def test_same_day_outside_its_window_is_refused(paid_at: dt.time) -> None:
    paid = dt.datetime.combine(MORNING.date(), paid_at, tzinfo=SH_TZ)
    err = refused("OUTSIDE_DELIVERY_WINDOW", {"hz": {"a": 1}}, {"a": 1},
                  method=lpb.DELIVERY_METHOD_SAME_DAY, paid=paid)
    assert [v.subject for v in err.violations] == ["warehouses/hz"]


def test_same_day_only_from_a_covering_warehouse_without_transfer() -> None:
    same_day = lpb.DELIVERY_METHOD_SAME_DAY
    # Stock only in the parent or a mesh warehouse: same-day cannot use it.
    refused("INSUFFICIENT_STOCK", {"zj": {"a": 1}, "sh": {"a": 1}}, {"a": 1}, method=same_day)
    # Nobody offers same-day to Lhasa.
    refused("NOT_COVERED", {"hz": {"a": 1}}, {"a": 1}, method=same_day, to=LHASA)


def test_self_pickup_is_offered_only_where_a_rule_offers_it() -> None:
    pickup = w.SELF_PICKUP
    hz = dataclasses.replace(HZ, method_rules=(
        *HZ.method_rules, w.MethodRule(pickup, (dt.time(9), dt.time(18)))))
    sites = [hz, ZJ, SH, GZ, CN]
    stock = {"hz": {"a": 1}, "sh": {"a": 9}, "cn": {"a": 9}}
    p = plan(stock, {"a": 1}, method=pickup, sites=sites)
    assert shape(p) == [("hz", w.LOCAL, (("a", 1),))]
    assert p.packages[0].delivery_hours == 0
    assert p.eta == MORNING + hours(2)
    # Outside hz's window: the warehouses without a self-pickup rule do not
    # offer it, whatever they hold.
    evening = dt.datetime(2026, 3, 2, 19, 0, tzinfo=SH_TZ)
    err = refused("OUTSIDE_DELIVERY_WINDOW", stock, {"a": 1}, method=pickup, paid=evening,
                  sites=sites)
    assert [v.subject for v in err.violations] == ["warehouses/hz"]
    # Inside it, only hz (and a transfer from its parent) can serve it.
    refused("INSUFFICIENT_STOCK", {"sh": {"a": 9}, "cn": {"a": 9}}, {"a": 1}, method=pickup,
            sites=sites)
    assert shape(plan({"zj": {"a": 1}}, {"a": 1}, method=pickup, sites=sites)) == [
        ("hz", w.PARENT_TRANSFER, (("a", 1),))]
    # Nobody offers it: a reason of its own.
    err = refused("DELIVERY_METHOD_NOT_OFFERED", stock, {"a": 1}, method=pickup)
    assert len(err.violations) == len(SITES)


def test_express_is_offered_everywhere_and_other_methods_only_with_a_rule() -> None:
    stock = {"hz": {"a": 1}}
    assert shape(plan(stock, {"a": 1})) == [("hz", w.LOCAL, (("a", 1),))]
    refused("DELIVERY_METHOD_NOT_OFFERED", stock, {"a": 1}, method=lpb.DELIVERY_METHOD_EMS)
    # A rule for EXPRESS narrows it to its window.
    late = w.Site("hz", w.REGIONAL, coverage=(w.Area(24, city="杭州市"),),
                  method_rules=(w.MethodRule(w.EXPRESS, (dt.time(20), dt.time(23))),))
    refused("OUTSIDE_DELIVERY_WINDOW", stock, {"a": 1}, sites=[late])


def test_a_method_rule_sets_that_methods_delivery_time() -> None:
    ems = w.Site("hz", w.REGIONAL, coverage=(w.Area(24, city="杭州市"),),
                 method_rules=(w.MethodRule(lpb.DELIVERY_METHOD_EMS, None, 40),))
    assert plan({"hz": {"a": 1}}, {"a": 1}, method=lpb.DELIVERY_METHOD_EMS,
                sites=[ems]).eta == MORNING + hours(40)
    assert plan({"hz": {"a": 1}}, {"a": 1}, sites=[ems]).eta == MORNING + hours(24)


# --- validation ----------------------------------------------------------------


def test_a_bad_warehouse_lists_every_bad_field() -> None:
    bad = pb.Warehouse(
        name=" ", kind=pb.WAREHOUSE_KIND_CENTRAL, parent_warehouse_id="p",
        coverage=[pb.CoverageArea(region_code="33x", delivery_hours=0),
                  pb.CoverageArea(district="西湖区", delivery_hours=5)],
        production_hours=-1, cutoff_time="25:00", time_zone="Mars/Olympus",
        method_rules=[pb.DeliveryMethodRule(delivery_method=lpb.DELIVERY_METHOD_SAME_DAY,
                                            window_start="17:00", window_end="08:00"),
                      pb.DeliveryMethodRule(delivery_method=lpb.DELIVERY_METHOD_SAME_DAY)])
    # Lengths and hours are the contract's limits, the rest the rules'.
    assert refused_fields(pb.CreateWarehouseRequest(warehouse=bad),
                          lambda r: w.validate_warehouse(views.warehouse_of(r.warehouse),
                                                         None)) == {
        "warehouse.name", "warehouse.parent_warehouse_id", "warehouse.coverage[0].region_code",
        "warehouse.coverage[0].delivery_hours", "warehouse.coverage[1]",
        "warehouse.production_hours", "warehouse.cutoff_time", "warehouse.time_zone",
        "warehouse.method_rules[0].window_end", "warehouse.method_rules[1].delivery_method"}


def test_a_regional_warehouse_parent_must_be_a_parent_warehouse() -> None:
    child = pb.Warehouse(name="hz", kind=pb.WAREHOUSE_KIND_REGIONAL, parent_warehouse_id="x",
                         default_delivery_hours=24, transfer_hours=12)
    w.validate_warehouse(views.warehouse_of(child), pb.WAREHOUSE_KIND_PARENT)
    with pytest.raises(InvalidArgument) as e:
        w.validate_warehouse(views.warehouse_of(child), pb.WAREHOUSE_KIND_CENTRAL)
    assert [v.field for v in e.value.violations] == ["warehouse.parent_warehouse_id"]


def test_a_bad_plan_request_lists_every_bad_field() -> None:
    req = pb.PlanFulfilmentRequest(
        lines=[pb.FulfilmentLine(sku_id="a", quantity=0), pb.FulfilmentLine(sku_id="a",
                                                                             quantity=1)],
        delivery_method=99)  # type: ignore[arg-type]
    assert refused_fields(req, lambda r: w.validate_plan(
        views.address_of(r.destination) if r.HasField("destination") else None,
        [(x.sku_id, x.quantity) for x in r.lines],
        to_datetime(r.paid_time) if r.HasField("paid_time") else None)) == {
        "destination", "lines[0].quantity", "lines[1].sku_id", "delivery_method"}


def test_site_of_a_warehouse_message() -> None:
    site = w.site_of(views.warehouse_of(pb.Warehouse(
        warehouse_id="hz", kind=pb.WAREHOUSE_KIND_REGIONAL, parent_warehouse_id="zj",
        coverage=[pb.CoverageArea(city=" 杭州市 ", delivery_hours=24)], cutoff_time="16:00",
        method_rules=[pb.DeliveryMethodRule(delivery_method=lpb.DELIVERY_METHOD_SAME_DAY,
                                            window_start="08:00", window_end="17:00",
                                            delivery_hours=3)])))
    assert site == w.Site("hz", w.REGIONAL, parent_id="zj",
                          coverage=(w.Area(24, city="杭州市"),), cutoff=dt.time(16),
                          method_rules=(w.MethodRule(w.SAME_DAY, (dt.time(8), dt.time(17)),
                                                     3),))


# --- properties ----------------------------------------------------------------

SKUS = ["a", "b", "c"]
IDS = ["w1", "w2", "w3", "w4", "w5"]
AREAS = [w.Area(24, province="浙江省"), w.Area(24, province="浙江省", city="杭州市"),
         w.Area(12, region_code="330106"), w.Area(24, province="上海市")]
RULES = [w.MethodRule(w.SELF_PICKUP), w.MethodRule(w.SELF_PICKUP, (dt.time(8), dt.time(12))),
         w.MethodRule(w.SAME_DAY, (dt.time(8), dt.time(17)), 3),
         w.MethodRule(w.EXPRESS, (dt.time(9), dt.time(11)))]
METHODS = [w.EXPRESS, w.EXPRESS, w.SAME_DAY, w.SELF_PICKUP]
REASONS = {"NOT_COVERED", "DELIVERY_METHOD_NOT_OFFERED", "OUTSIDE_DELIVERY_WINDOW",
           "INSUFFICIENT_STOCK"}


@st.composite
def topologies(draw: st.DrawFn) -> list[w.Site]:
    """A few warehouses with few distinct values, so that ties are common."""
    kinds = draw(st.lists(st.sampled_from([w.REGIONAL, w.REGIONAL, w.PARENT, w.CENTRAL]),
                          min_size=1, max_size=len(IDS)))
    parents = [IDS[i] for i, k in enumerate(kinds) if k == w.PARENT]
    sites = []
    for i, kind in enumerate(kinds):
        parent = draw(st.sampled_from(parents or [""])) if kind == w.REGIONAL else ""
        coverage = () if kind == w.CENTRAL else tuple(
            draw(st.lists(st.sampled_from(AREAS), max_size=2)))
        sites.append(w.Site(
            IDS[i], kind, parent_id=parent, coverage=coverage,
            production_hours=draw(st.sampled_from([0, 2])),
            default_delivery_hours=draw(st.sampled_from([0, 48])) if coverage else 72,
            transfer_hours=draw(st.sampled_from([0, 12])) if parent else 0,
            cutoff=draw(st.sampled_from([None, dt.time(9)])),
            method_rules=tuple(draw(st.lists(st.sampled_from(RULES), max_size=2,
                                             unique_by=lambda r: r.method)))))
    return sites


@settings(max_examples=400, deadline=None)
@given(sites=topologies(),
       stock=st.fixed_dictionaries({x: st.fixed_dictionaries({k: st.integers(0, 4)
                                                              for k in SKUS}) for x in IDS}),
       order=st.dictionaries(st.sampled_from(SKUS), st.integers(1, 4), min_size=1),
       method=st.sampled_from(METHODS), paid_hour=st.sampled_from([7, 10, 20]),
       seed=st.integers(0, 1000))
def test_allocation_conserves_units_honours_methods_and_ignores_listing_order(
        sites: list[w.Site], stock: dict[str, dict[str, int]], order: dict[str, int],
        method: int, paid_hour: int, seed: int) -> None:
    paid = MORNING.replace(hour=paid_hour)
    shuffled = list(sites)
    random.Random(seed).shuffle(shuffled)
    plenty = {s.warehouse_id: {sku: 10**6 for sku in SKUS} for s in sites}
    try:
        p = plan(stock, order, method=method, paid=paid, sites=sites)
    except FailedPrecondition as e:
        assert e.reason in REASONS
        with pytest.raises(FailedPrecondition) as again:
            plan(stock, order, method=method, paid=paid, sites=shuffled)
        assert again.value.reason == e.reason
        if e.reason == "INSUFFICIENT_STOCK":
            # Stock is really the limit: with plenty everywhere it is served.
            plan(plenty, order, method=method, paid=paid, sites=sites)
        else:  # coverage, method and window refusals do not depend on stock
            with pytest.raises(FailedPrecondition) as plenty_refused:
                plan(plenty, order, method=method, paid=paid, sites=sites)
            assert plenty_refused.value.reason == e.reason
        return
    by_id = {s.warehouse_id: s for s in sites}
    shipped: dict[str, int] = {}
    taken: dict[tuple[str, str], int] = {}
    for pkg in p.packages:
        site = by_id[pkg.warehouse_id]
        assert site.rule(method) is not None and w.in_window(site, method, paid)
        transferred = dict(pkg.transfer_lines)
        assert set(transferred) <= {sku for sku, _ in pkg.lines}
        assert bool(transferred) == bool(pkg.transfer_from)
        for sku, q in pkg.lines:
            assert 0 <= transferred.get(sku, 0) <= q
            shipped[sku] = shipped.get(sku, 0) + q
            own = q - transferred.get(sku, 0)
            taken[(pkg.warehouse_id, sku)] = taken.get((pkg.warehouse_id, sku), 0) + own
            if transferred.get(sku):
                key = (pkg.transfer_from, sku)
                taken[key] = taken.get(key, 0) + transferred[sku]
    assert shipped == order  # own + transferred per line == requested
    for (wid, sku), q in taken.items():
        assert 0 <= q <= stock.get(wid, {}).get(sku, 0)  # never more than it holds
    assert len({pkg.warehouse_id for pkg in p.packages}) == len(p.packages)
    assert p.eta == max(pkg.eta for pkg in p.packages)
    # Whatever order the warehouses are listed in: the same plan.
    assert plan(stock, order, method=method, paid=paid, sites=shuffled) == p
    # The shares stored on logistics orders (each SKU's units cut over two
    # orders) add up to exactly the plan: own units and transfers apart.
    orders = [(f"{sku}-{i}", sku, part) for sku, q in sorted(order.items())
              for i, part in enumerate((q // 2, q - q // 2)) if part]
    shares = domain.shares_of_plan(orders, [
        (x.warehouse_id, x.transfer_from, x.eta, x.lines, dict(x.transfer_lines))
        for x in p.packages])
    stored: dict[tuple[str, str, str], int] = {}
    for lo_id, sku, units in orders:
        assert sum(x.quantity for x in shares[lo_id]) == units
        for x in shares[lo_id]:
            key = (x.warehouse_id, x.transfer_from_warehouse_id, sku)
            stored[key] = stored.get(key, 0) + x.quantity
    planned: dict[tuple[str, str, str], int] = {}
    for pkg in p.packages:
        moved = dict(pkg.transfer_lines)
        for sku, q in pkg.lines:
            for source, n in (("", q - moved.get(sku, 0)), (pkg.transfer_from, moved.get(sku, 0))):
                if n:
                    planned[(pkg.warehouse_id, source, sku)] = n
    assert stored == planned
