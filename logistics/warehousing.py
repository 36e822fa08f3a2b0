"""Warehouse rules: coverage, topology, allocation and ETA. No database, gRPC
or broker here; deterministic, integer hours, aware datetimes.

Coverage. A warehouse covers areas of the five-level Address; an area
matches by names (every name it gives equals the destination's province /
city / district) or by a GB/T 2260 region code prefix. The most specific
match wins (district over city over province, a longer code over a shorter
one), then the first area listed. Outside its coverage a warehouse ships
only if it has ``default_delivery_hours`` (slower), and never same-day.

Delivery methods. A warehouse offers a method only if it has a rule for it
(``MethodRule``); EXPRESS, the default method, is offered by every
warehouse (a rule for it only sets its window or delivery time). A rule's
window (local time, [start, end)) excludes orders paid outside it.

Topology. A warehouse is REGIONAL (optionally with a PARENT it receives
transfers from), PARENT or CENTRAL. For a destination, the *local*
warehouse is the non-central warehouse whose coverage matches it most
specifically; *mesh* warehouses are the other non-central ones (less the
local one's parent, whose stock comes by transfer); *central* ones are the
last resort.

Ties. Candidates are ranked by one explicit key (``_rank``): the local
warehouse is the best by (most specific coverage level, earliest direct
ETA, smallest warehouse id); mesh and central warehouses are each ordered
by (earliest direct ETA, smallest warehouse id). The direct ETA is the
package's without a transfer (production start + production + delivery
hours). So the plan never depends on the order the warehouses are listed in.

Allocation (``plan``), in this order:

1. the whole order from one source: the local warehouse from its own stock
   (LOCAL), else the local warehouse with the missing units transferred from
   its parent (PARENT_TRANSFER), else the first mesh warehouse that holds
   everything (MESH), else the first central one (CENTRAL);
2. otherwise a greedy cover: repeatedly take the source that completes the
   most remaining lines (then one that supplies anything, then the first in
   the order above) until the order is covered; then spread every line over
   the chosen sources, their own stock in that order first and transfers
   from the parent last. Each source used gives one package. Fewer packages
   beat preference.

Units are conserved: every line ships exactly its units, and no warehouse
gives more of a SKU than it holds (own units plus units transferred out of
it as a parent).

ETA of a package: production starts at the payment, or at 00:00 of the next
local day when paid at or after the warehouse's cut-off; then transfer hours
(PARENT_TRANSFER only) + production hours + delivery hours (0 for
self-pickup). The order's ETA is its latest package's. SAME_DAY needs a
warehouse covering the destination, no transfer, and ignores the cut-off.

Refusals, in this order: NOT_COVERED (no warehouse reaches the destination
with the method), DELIVERY_METHOD_NOT_OFFERED (none that reaches it has a
rule for the method), OUTSIDE_DELIVERY_WINDOW (every one offering it is
outside its window at the payment time), INSUFFICIENT_STOCK (those left
lack stock).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from logistics.reasons import E
from zhongtai.common.v1.common_pb2 import Address
from zhongtai.errors import PreconditionViolation, Violations, ZhongtaiError
from zhongtai.logistics.v1 import logistics_pb2 as lpb
from zhongtai.logistics.v1 import warehouse_pb2 as pb

DEFAULT_TIME_ZONE = "Asia/Shanghai"
MAX_HOURS = 24 * 366
MAX_AREAS = 500
MAX_LINES = 100
MAX_QUANTITY = 10**9
MAX_ID = 64
MAX_NAME = 200

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


# --- values ------------------------------------------------------------------


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
    m = _HHMM.match(value)
    return dt.time(int(m.group(1)), int(m.group(2))) if m else None


def _zone_ok(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


# --- validation ----------------------------------------------------------------


def validate_warehouse(w: pb.Warehouse, parent_kind: int | None) -> None:
    """INVALID_ARGUMENT listing every bad field of a warehouse to create.

    ``parent_kind``: the kind of the named parent, None if it does not exist
    (or none is named)."""
    v = Violations()
    f = "warehouse"
    v.check(len(w.warehouse_id) <= MAX_ID, f"{f}.warehouse_id",
            f"must be at most {MAX_ID} characters")
    v.check(w.warehouse_id == w.warehouse_id.strip(), f"{f}.warehouse_id",
            "must not start or end with spaces")
    v.check(bool(w.name.strip()), f"{f}.name", "is required")
    v.check(len(w.name) <= MAX_NAME, f"{f}.name", f"must be at most {MAX_NAME} characters")
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
    v.check(len(w.coverage) <= MAX_AREAS, f"{f}.coverage", f"at most {MAX_AREAS} areas")
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
        v.check(0 < a.delivery_hours <= MAX_HOURS, f"{n}.delivery_hours",
                f"must be 1 to {MAX_HOURS}")
    for name in ("production_hours", "default_delivery_hours", "transfer_hours"):
        v.check(0 <= getattr(w, name) <= MAX_HOURS, f"{f}.{name}", f"must be 0 to {MAX_HOURS}")
    v.check(bool(w.coverage) or w.default_delivery_hours > 0, f"{f}.coverage",
            "a warehouse with no coverage needs default_delivery_hours")
    v.check(not w.cutoff_time or parse_hhmm(w.cutoff_time) is not None, f"{f}.cutoff_time",
            'must be local "HH:MM"')
    v.check(not w.time_zone or (len(w.time_zone) <= MAX_ID and _zone_ok(w.time_zone)),
            f"{f}.time_zone",
            "is not an IANA time zone")
    seen: set[int] = set()
    for i, r in enumerate(w.method_rules):
        n = f"{f}.method_rules[{i}]"
        ok = r.delivery_method in lpb.DeliveryMethod.values() and r.delivery_method != 0
        v.check(ok, f"{n}.delivery_method", "is required")
        v.check(r.delivery_method not in seen, f"{n}.delivery_method", "has another rule")
        seen.add(r.delivery_method)
        if r.window_start or r.window_end:
            start, end = parse_hhmm(r.window_start), parse_hhmm(r.window_end)
            v.check(start is not None, f"{n}.window_start", 'must be local "HH:MM"')
            v.check(end is not None, f"{n}.window_end", 'must be local "HH:MM"')
            v.check(start is None or end is None or start < end, f"{n}.window_end",
                    "must be after window_start")
        v.check(0 <= r.delivery_hours <= MAX_HOURS, f"{n}.delivery_hours",
                f"must be 0 to {MAX_HOURS}")
    v.raise_if_any()


def validate_plan(req: pb.PlanFulfilmentRequest) -> None:
    v = Violations()
    to = req.destination
    if not req.HasField("destination"):
        v.add("destination", "is required")
    else:
        v.check(bool(to.province.strip() or to.city.strip() or to.region_code.strip()),
                "destination", "needs a province, city or region code")
    v.check(0 < len(req.lines) <= MAX_LINES, "lines", f"1 to {MAX_LINES} lines")
    seen: set[str] = set()
    for i, line in enumerate(req.lines):
        v.check(bool(line.sku_id), f"lines[{i}].sku_id", "is required")
        v.check(line.sku_id not in seen, f"lines[{i}].sku_id", "is repeated")
        seen.add(line.sku_id)
        v.check(0 < line.quantity <= MAX_QUANTITY, f"lines[{i}].quantity",
                f"must be 1 to {MAX_QUANTITY}")
    v.check(req.delivery_method in lpb.DeliveryMethod.values(), "delivery_method",
            "is not a delivery method")
    if req.HasField("paid_time"):
        ok = 0 <= req.paid_time.nanos < 10**9 and (
            dt.datetime(1, 1, 2, tzinfo=dt.UTC).timestamp() <= req.paid_time.seconds
            <= dt.datetime(9999, 12, 30, tzinfo=dt.UTC).timestamp())
        v.check(ok, "paid_time", "is not a valid time")
    v.raise_if_any()


def site_of(w: pb.Warehouse) -> Site:
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


# --- coverage ------------------------------------------------------------------


def _code_level(code: str) -> int:
    """GB/T 2260 code length to its level: 2 province, 4 city, 6 district..."""
    return 1 if len(code) <= 2 else 2 if len(code) <= 4 else 3 if len(code) <= 6 else 4


def area_level(a: Area, to: Address) -> int:
    """How specifically ``a`` matches the destination (0: not at all)."""
    if a.region_code:
        code = to.region_code.strip()
        return _code_level(a.region_code) if code.startswith(a.region_code) else 0
    names = ((a.province, to.province), (a.city, to.city), (a.district, to.district))
    level = 0
    for i, (want, got) in enumerate(names, start=1):
        if want:
            if want != got.strip():
                return 0
            level = i
    return level


def best_area(site: Site, to: Address) -> tuple[int, Area] | None:
    """The most specific area of ``site`` matching ``to`` (first listed on a tie)."""
    best: tuple[int, Area] | None = None
    for a in site.coverage:
        level = area_level(a, to)
        if level and (best is None or level > best[0]):
            best = (level, a)
    return best


def coverage_level(site: Site, to: Address) -> int:
    """How specifically ``site`` covers ``to`` (0: it does not)."""
    match = best_area(site, to)
    return match[0] if match else 0


def delivery_hours(site: Site, to: Address, method: int) -> int | None:
    """Hours from dispatch to delivery; None when the site cannot reach the
    destination (not covered and no default, or same-day outside coverage).
    Whether it offers ``method`` at all is ``Site.rule``'s."""
    match = best_area(site, to)
    if match is None and (method == SAME_DAY or site.default_delivery_hours <= 0):
        return None
    if method == SELF_PICKUP:
        return 0
    if match is None:
        return site.default_delivery_hours
    rule = site.rule(method)
    return rule.delivery_hours if rule and rule.delivery_hours else match[1].delivery_hours


def in_window(site: Site, method: int, paid: dt.datetime) -> bool:
    """Whether an order paid at ``paid`` may use ``method`` at ``site``: the
    site offers it and, if its rule has a window, the payment is inside."""
    rule = site.rule(method)
    if rule is None or rule.window is None:
        return rule is not None
    local = paid.astimezone(site.zone).time().replace(tzinfo=None)
    start, end = rule.window
    return start <= local < end


def production_start(site: Site, paid: dt.datetime, method: int) -> dt.datetime:
    """The payment time, or 00:00 of the next local day when paid at or after
    the cut-off (same-day ignores the cut-off: its window rules instead)."""
    if site.cutoff is None or method == SAME_DAY:
        return paid
    local = paid.astimezone(site.zone)
    if local.time().replace(tzinfo=None) < site.cutoff:
        return paid
    next_day = local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(next_day, dt.time(0), tzinfo=site.zone).astimezone(dt.UTC)


def eta(site: Site, paid: dt.datetime, method: int, hours: int, transfer: bool
        ) -> tuple[dt.datetime, dt.datetime]:
    """(production start, estimated delivery) of a package shipped by ``site``."""
    start = production_start(site, paid, method)
    total = (site.transfer_hours if transfer else 0) + site.production_hours + hours
    return start, start.astimezone(dt.UTC) + dt.timedelta(hours=total)


# --- allocation ----------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    source: int
    site: Site
    hours: int
    # For the local warehouse: its parent (units may be transferred from it).
    parent: Site | None = None


def _capacity(src: _Source, stock: Stock, sku: str) -> int:
    own = max(stock.get(src.site.warehouse_id, {}).get(sku, 0), 0)
    if src.parent is not None:
        own += max(stock.get(src.parent.warehouse_id, {}).get(sku, 0), 0)
    return own


def _package(src: _Source, take: Mapping[str, int], stock: Stock, paid: dt.datetime,
             method: int) -> Package:
    lines = tuple(sorted((k, q) for k, q in take.items() if q > 0))
    transfer: list[tuple[str, int]] = []
    if src.parent is not None:
        for sku, q in lines:
            own = max(stock.get(src.site.warehouse_id, {}).get(sku, 0), 0)
            if q > own:
                transfer.append((sku, q - own))
    start, arrive = eta(src.site, paid, method, src.hours, bool(transfer))
    return Package(
        warehouse_id=src.site.warehouse_id,
        source=PARENT_TRANSFER if transfer else src.source,
        lines=lines, production_start=start,
        transfer_hours=src.site.transfer_hours if transfer else 0,
        production_hours=src.site.production_hours, delivery_hours=src.hours, eta=arrive,
        transfer_from=src.parent.warehouse_id if transfer and src.parent else "",
        transfer_lines=tuple(transfer))


def _rank(site: Site, hours: int, level: int, method: int, paid: dt.datetime
          ) -> tuple[int, dt.datetime, str]:
    """The tie rule between candidates (module doc): most specific coverage
    ``level`` first, then the earliest direct ETA, then the smallest id."""
    return (-level, eta(site, paid, method, hours, False)[1], site.warehouse_id)


def _refuse(reason: int, what: str, sites: Sequence[Site], message: str, to: Address,
            method: int, paid: dt.datetime) -> ZhongtaiError:
    where = " ".join(x for x in (to.province, to.city, to.district) if x) or to.region_code
    method_name = lpb.DeliveryMethod.Name(method)
    subjects = [f"warehouses/{s.warehouse_id}" for s in sites] or ["warehouses"]
    return E(
        reason, f"{method_name} to {where}: {message}",
        violations=[PreconditionViolation(what, subject, message) for subject in subjects],
        metadata={"destination": where, "delivery_method": method_name,
                  "paid_time": paid.isoformat()})


def sources(sites: Sequence[Site], to: Address, method: int, paid: dt.datetime
            ) -> list[_Source]:
    """The sources that may ship the order, in order of preference (local with
    its parent, then mesh, then central, each by ``_rank``). Raises
    NOT_COVERED, DELIVERY_METHOD_NOT_OFFERED or OUTSIDE_DELIVERY_WINDOW when
    there is none."""
    reachable = [(s, h) for s in sites if (h := delivery_hours(s, to, method)) is not None]
    if not reachable:
        raise _refuse(lpb.ERROR_REASON_NOT_COVERED, "COVERAGE", [],
                      "no warehouse reaches the destination", to, method, paid)
    offering = [(s, h) for s, h in reachable if s.rule(method) is not None]
    if not offering:
        raise _refuse(lpb.ERROR_REASON_DELIVERY_METHOD_NOT_OFFERED, "DELIVERY_METHOD",
                      [s for s, _ in reachable],
                      "no warehouse reaching the destination offers the method",
                      to, method, paid)
    open_ = [(s, h) for s, h in offering if in_window(s, method, paid)]
    if not open_:
        raise _refuse(lpb.ERROR_REASON_OUTSIDE_DELIVERY_WINDOW, "DELIVERY_WINDOW",
                      [s for s, _ in offering],
                      f"the method's window excludes the payment time {paid.isoformat()}",
                      to, method, paid)
    by_id = {s.warehouse_id: s for s in sites}
    covering = [(s, h, lvl) for s, h in open_
                if s.kind != CENTRAL and (lvl := coverage_level(s, to))]
    out: list[_Source] = []
    local: Site | None = None
    parent: Site | None = None
    if covering:
        local, hours, _ = min(covering, key=lambda x: _rank(x[0], x[1], x[2], method, paid))
        candidate = by_id.get(local.parent_id)
        if method != SAME_DAY and candidate is not None and candidate.kind == PARENT:
            parent = candidate
        out.append(_Source(LOCAL, local, hours, parent))

    def ranked(central: bool, source: int) -> list[_Source]:
        rest = [(s, h) for s, h in open_
                if (s.kind == CENTRAL) == central and s is not local and s is not parent]
        return [_Source(source, s, h)
                for s, h in sorted(rest, key=lambda x: _rank(x[0], x[1], 0, method, paid))]

    return out + ranked(False, MESH) + ranked(True, CENTRAL_SOURCE)


def _score(item: tuple[int, _Source], remaining: Mapping[str, int], stock: Stock
           ) -> tuple[int, int, int]:
    """Greedy preference: lines it completes, whether it supplies anything,
    then its rank."""
    i, src = item
    full = sum(1 for sku, q in remaining.items() if _capacity(src, stock, sku) >= q)
    some = any(_capacity(src, stock, sku) > 0 for sku in remaining)
    return (full, int(some), -i)


def _fill(chosen: Sequence[_Source], stock: Stock, wanted: Mapping[str, int]
          ) -> list[dict[str, int]]:
    """Spread each line over the chosen sources: their own stock in order of
    preference first, transfers from the parent last."""
    takes: list[dict[str, int]] = [{} for _ in chosen]
    for sku, q in sorted(wanted.items()):
        left = q
        for i, src in enumerate(chosen):
            n = min(left, max(stock.get(src.site.warehouse_id, {}).get(sku, 0), 0))
            if n:
                takes[i][sku] = n
                left -= n
        for i, src in enumerate(chosen):
            if left and src.parent is not None:
                n = min(left, max(stock.get(src.parent.warehouse_id, {}).get(sku, 0), 0))
                if n:
                    takes[i][sku] = takes[i].get(sku, 0) + n
                    left -= n
        assert left == 0  # the chosen sources cover the order
    return takes


def plan(sites: Sequence[Site], stock: Stock, to: Address, lines: Mapping[str, int],
         method: int, paid: dt.datetime) -> Plan:
    """Which warehouses ship the order and when it arrives (see the module doc)."""
    assert paid.tzinfo is not None, "paid must be an aware datetime"
    method = method or EXPRESS
    wanted = {k: q for k, q in lines.items() if q > 0}
    srcs = sources(sites, to, method, paid)
    short = [(sku, q, sum(_capacity(x, stock, sku) for x in srcs))
             for sku, q in sorted(wanted.items())]
    short = [x for x in short if x[2] < x[1]]
    if short:
        raise E(
            lpb.ERROR_REASON_INSUFFICIENT_STOCK,
            "the warehouses that can ship the order lack stock",
            violations=[PreconditionViolation("STOCK", f"skus/{sku}",
                                              f"requested {q}, {have} in warehouses that can ship")
                        for sku, q, have in short],
            metadata={"sku_ids": ",".join(sku for sku, _, _ in short)})
    # 1. the whole order from one source, in order of preference.
    for src in srcs:
        if all(_capacity(src, stock, sku) >= q for sku, q in wanted.items()):
            pkg = _package(src, wanted, stock, paid, method)
            return Plan((pkg,), pkg.eta, method)
    # 2. greedy cover: most lines completed, then preference; then each line
    # spread over the chosen sources, own stock before transfers.
    remaining = dict(wanted)
    chosen: list[tuple[int, _Source]] = []
    unused = list(enumerate(srcs))
    while remaining:
        index, src = max(unused, key=lambda item: _score(item, remaining, stock))
        take = {sku: min(_capacity(src, stock, sku), q) for sku, q in remaining.items()}
        assert sum(take.values()) > 0  # guaranteed by the shortage check above
        unused.remove((index, src))
        chosen.append((index, src))
        remaining = {sku: q - take[sku] for sku, q in remaining.items() if q > take[sku]}
    ordered = [src for _, src in sorted(chosen, key=lambda x: x[0])]
    packages = tuple(_package(src, take, stock, paid, method)
                     for src, take in zip(ordered, _fill(ordered, stock, wanted), strict=True)
                     if take)
    return Plan(packages, max(p.eta for p in packages), method)
