"""Allocation: which sources ship which units of an order (``plan``; the
rules are the package doc's "Allocation"). Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from logistics.reasons import E
from logistics.values import Address
from logistics.warehousing.coverage import Source, sources
from logistics.warehousing.eta import eta
from logistics.warehousing.sites import EXPRESS, PARENT_TRANSFER, Package, Plan, Site, Stock
from zhongtai.errors import PreconditionViolation
from zhongtai.logistics.v1 import logistics_pb2 as lpb


def _capacity(src: Source, stock: Stock, sku: str) -> int:
    own = max(stock.get(src.site.warehouse_id, {}).get(sku, 0), 0)
    if src.parent is not None:
        own += max(stock.get(src.parent.warehouse_id, {}).get(sku, 0), 0)
    return own


def _package(src: Source, take: Mapping[str, int], stock: Stock, paid: dt.datetime,
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


def _score(item: tuple[int, Source], remaining: Mapping[str, int], stock: Stock
           ) -> tuple[int, int, int]:
    """Greedy preference: lines it completes, whether it supplies anything,
    then its rank."""
    i, src = item
    full = sum(1 for sku, q in remaining.items() if _capacity(src, stock, sku) >= q)
    some = any(_capacity(src, stock, sku) > 0 for sku in remaining)
    return (full, int(some), -i)


def _fill(chosen: Sequence[Source], stock: Stock, wanted: Mapping[str, int]
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
    chosen: list[tuple[int, Source]] = []
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
