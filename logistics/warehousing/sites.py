"""Warehouses as they are defined (``Warehouse``, its ``CoverageArea``s and
``DeliveryMethodRule``s, field for field warehouse.proto's) and as the rules
see them (``Site``, its ``Area``s and ``MethodRule``s), the plan's values
(``Package``, ``Plan``), and the checks of a warehouse to create and of a
plan request beyond the limits warehouse.proto declares (lengths, hours,
counts: checked by the server first, ``zhongtai.validation``). Pure: no
protobuf message (its enum values are used)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from logistics.values import Address
from zhongtai.errors import Violations
from zhongtai.logistics.v1 import logistics_pb2 as lpb
from zhongtai.logistics.v1 import warehouse_pb2 as pb

DEFAULT_TIME_ZONE = "Asia/Shanghai"

REGIONAL = pb.WAREHOUSE_KIND_REGIONAL
PARENT = pb.WAREHOUSE_KIND_PARENT
CENTRAL = pb.WAREHOUSE_KIND_CENTRAL

LOCAL = pb.FULFILMENT_SOURCE_LOCAL
PARENT_TRANSFER = pb.FULFILMENT_SOURCE_PARENT_TRANSFER
MESH = pb.FULFILMENT_SOURCE_MESH
CENTRAL_SOURCE = pb.FULFILMENT_SOURCE_CENTRAL

EXPRESS = lpb.DELIVERY_METHOD_EXPRESS
SELF_PICKUP = lpb.DELIVERY_METHOD_SELF_PICKUP
SAME_DAY = lpb.DELIVERY_METHOD_SAME_DAY

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_CODE = re.compile(r"^\d{1,12}$")
_LAST_PAID = dt.datetime(9990, 1, 1, tzinfo=dt.UTC)


# --- values ------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageArea:
    """A region a warehouse covers, as defined."""

    province: str = ""
    city: str = ""
    district: str = ""
    region_code: str = ""
    delivery_hours: int = 0


@dataclass(frozen=True)
class DeliveryMethodRule:
    """A delivery method a warehouse offers, as defined (local "HH:MM"
    window, "" for none)."""

    delivery_method: int
    window_start: str = ""
    window_end: str = ""
    delivery_hours: int = 0


@dataclass(frozen=True)
class Warehouse:
    """A warehouse as defined (WarehouseService's ``Warehouse``)."""

    warehouse_id: str
    name: str
    kind: int
    parent_warehouse_id: str = ""
    address: Address | None = None
    coverage: tuple[CoverageArea, ...] = ()
    production_hours: int = 0
    default_delivery_hours: int = 0
    transfer_hours: int = 0
    cutoff_time: str = ""
    time_zone: str = ""
    method_rules: tuple[DeliveryMethodRule, ...] = ()
    # When it was stored (None: not yet).
    created_at: dt.datetime | None = None


@dataclass(frozen=True)
class Area:
    """One covered region (see the module doc for matching)."""

    delivery_hours: int
    province: str = ""
    city: str = ""
    district: str = ""
    region_code: str = ""


@dataclass(frozen=True)
class MethodRule:
    """A delivery method at a warehouse: its order window and delivery time."""

    method: int
    window: tuple[dt.time, dt.time] | None = None
    delivery_hours: int = 0


@dataclass(frozen=True)
class Site:
    """A warehouse as the rules see it."""

    warehouse_id: str
    kind: int
    parent_id: str = ""
    coverage: tuple[Area, ...] = ()
    production_hours: int = 0
    default_delivery_hours: int = 0
    transfer_hours: int = 0
    cutoff: dt.time | None = None
    time_zone: str = DEFAULT_TIME_ZONE
    method_rules: tuple[MethodRule, ...] = ()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone or DEFAULT_TIME_ZONE)

    def rule(self, method: int) -> MethodRule | None:
        """The site's rule for ``method``; None: the method is not offered
        here. EXPRESS without a rule is offered all day (coverage hours)."""
        rule = next((r for r in self.method_rules if r.method == method), None)
        return MethodRule(EXPRESS) if rule is None and method == EXPRESS else rule


@dataclass(frozen=True)
class Package:
    warehouse_id: str
    source: int
    # (sku_id, quantity), by SKU id.
    lines: tuple[tuple[str, int], ...]
    production_start: dt.datetime
    transfer_hours: int
    production_hours: int
    delivery_hours: int
    eta: dt.datetime
    transfer_from: str = ""
    # The units of ``lines`` transferred from ``transfer_from``.
    transfer_lines: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Plan:
    packages: tuple[Package, ...]
    eta: dt.datetime
    method: int


# Stock on hand: warehouse id -> SKU id -> units.
Stock = Mapping[str, Mapping[str, int]]


def parse_hhmm(value: str) -> dt.time | None:
    """A local "HH:MM" time, or None if malformed."""
    m = _HHMM.match(value)
    return dt.time(int(m.group(1)), int(m.group(2))) if m else None


def _zone_ok(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


# --- validation ----------------------------------------------------------------


def validate_warehouse(w: Warehouse, parent_kind: int | None) -> None:
    """INVALID_ARGUMENT listing every bad field of a warehouse to create.

    ``parent_kind``: the kind of the named parent, None if it does not exist
    (or none is named)."""
    v = Violations()
    f = "warehouse"
    v.check(w.warehouse_id == w.warehouse_id.strip(), f"{f}.warehouse_id",
            "must not start or end with spaces")
    v.check(w.kind in (REGIONAL, PARENT, CENTRAL), f"{f}.kind", "is required")
    if w.parent_warehouse_id:
        v.check(w.kind == REGIONAL, f"{f}.parent_warehouse_id",
                "only a REGIONAL warehouse has a parent")
        v.check(w.parent_warehouse_id != w.warehouse_id, f"{f}.parent_warehouse_id",
                "must not be the warehouse itself")
        v.check(parent_kind is not None, f"{f}.parent_warehouse_id", "no such warehouse")
        v.check(parent_kind is None or parent_kind == PARENT, f"{f}.parent_warehouse_id",
                "must be a PARENT warehouse")
    else:
        v.check(w.transfer_hours == 0, f"{f}.transfer_hours", "needs a parent warehouse")
    for i, a in enumerate(w.coverage):
        n = f"{f}.coverage[{i}]"
        if a.region_code:
            v.check(bool(_CODE.match(a.region_code)), f"{n}.region_code",
                    "must be 1 to 12 digits (GB/T 2260)")
            v.check(not (a.province or a.city or a.district), n,
                    "names either a region code or names, not both")
        else:
            v.check(bool(a.province.strip() or a.city.strip()), n,
                    "names a region code, a province or a city")
    v.check(bool(w.coverage) or w.default_delivery_hours > 0, f"{f}.coverage",
            "a warehouse with no coverage needs default_delivery_hours")
    v.check(not w.cutoff_time or parse_hhmm(w.cutoff_time) is not None, f"{f}.cutoff_time",
            'must be local "HH:MM"')
    v.check(not w.time_zone or _zone_ok(w.time_zone), f"{f}.time_zone",
            "is not an IANA time zone")
    seen: set[int] = set()
    for i, r in enumerate(w.method_rules):
        n = f"{f}.method_rules[{i}]"
        v.check(r.delivery_method != lpb.DELIVERY_METHOD_UNSPECIFIED, f"{n}.delivery_method",
                "is required")
        v.check(r.delivery_method not in seen, f"{n}.delivery_method", "has another rule")
        seen.add(r.delivery_method)
        if r.window_start or r.window_end:
            start, end = parse_hhmm(r.window_start), parse_hhmm(r.window_end)
            v.check(start is not None, f"{n}.window_start", 'must be local "HH:MM"')
            v.check(end is not None, f"{n}.window_end", 'must be local "HH:MM"')
            v.check(start is None or end is None or start < end, f"{n}.window_end",
                    "must be after window_start")
    v.raise_if_any()


def validate_plan(destination: Address | None, lines: Sequence[tuple[str, int]],
                  paid: dt.datetime | None) -> None:
    """INVALID_ARGUMENT listing every bad field of a plan request: its
    destination (None: not given), its lines ((SKU, units)) and payment
    time (None: not given)."""
    v = Violations()
    to = destination
    if to is None:
        v.add("destination", "is required")
    else:
        v.check(bool(to.province.strip() or to.city.strip() or to.region_code.strip()),
                "destination", "needs a province, city or region code")
    v.check(len(lines) > 0, "lines", "at least one line")
    seen: set[str] = set()
    for i, (sku_id, _) in enumerate(lines):
        v.check(sku_id not in seen, f"lines[{i}].sku_id", "is repeated")
        seen.add(sku_id)
    # A real instant (the contract's limit) leaves room for the plan's hours
    # (at most three years of them) before the calendar ends.
    v.check(paid is None or paid < _LAST_PAID, "paid_time", "must be before the year 9990")
    v.raise_if_any()


def site_of(w: Warehouse) -> Site:
    """The rules' view of a (valid, stored) warehouse."""
    rules = []
    for r in w.method_rules:
        window = None
        start, end = parse_hhmm(r.window_start), parse_hhmm(r.window_end)
        if start is not None and end is not None:
            window = (start, end)
        rules.append(MethodRule(r.delivery_method, window, r.delivery_hours))
    return Site(
        warehouse_id=w.warehouse_id, kind=w.kind, parent_id=w.parent_warehouse_id,
        coverage=tuple(Area(a.delivery_hours, a.province.strip(), a.city.strip(),
                            a.district.strip(), a.region_code.strip()) for a in w.coverage),
        production_hours=w.production_hours, default_delivery_hours=w.default_delivery_hours,
        transfer_hours=w.transfer_hours, cutoff=parse_hhmm(w.cutoff_time),
        time_zone=w.time_zone or DEFAULT_TIME_ZONE, method_rules=tuple(rules))
