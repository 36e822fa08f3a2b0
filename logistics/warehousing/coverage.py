"""Coverage (which warehouse reaches a destination, how specifically, in
how many hours, with which delivery methods and windows) and topology (the
sources that may ship an order, in order of preference: local with its
parent, mesh, central; ties by ``_rank``). Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from logistics.reasons import E
from logistics.values import Address
from logistics.warehousing.eta import eta
from logistics.warehousing.sites import (
    CENTRAL,
    CENTRAL_SOURCE,
    LOCAL,
    MESH,
    PARENT,
    SAME_DAY,
    SELF_PICKUP,
    Area,
    Site,
)
from zhongtai.errors import PreconditionViolation, ZhongtaiError
from zhongtai.logistics.v1 import logistics_pb2 as lpb


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


@dataclass(frozen=True)
class Source:
    """A warehouse that may ship the order, as what (LOCAL, MESH, CENTRAL)."""

    source: int
    site: Site
    hours: int
    # For the local warehouse: its parent (units may be transferred from it).
    parent: Site | None = None


def _rank(site: Site, hours: int, level: int, method: int, paid: dt.datetime
          ) -> tuple[int, dt.datetime, str]:
    """The tie rule between candidates (the package doc's "Ties"): most specific coverage
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
            ) -> list[Source]:
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
    out: list[Source] = []
    local: Site | None = None
    parent: Site | None = None
    if covering:
        local, hours, _ = min(covering, key=lambda x: _rank(x[0], x[1], x[2], method, paid))
        candidate = by_id.get(local.parent_id)
        if method != SAME_DAY and candidate is not None and candidate.kind == PARENT:
            parent = candidate
        out.append(Source(LOCAL, local, hours, parent))

    def ranked(central: bool, source: int) -> list[Source]:
        rest = [(s, h) for s, h in open_
                if (s.kind == CENTRAL) == central and s is not local and s is not parent]
        return [Source(source, s, h)
                for s, h in sorted(rest, key=lambda x: _rank(x[0], x[1], 0, method, paid))]

    return out + ranked(False, MESH) + ranked(True, CENTRAL_SOURCE)
