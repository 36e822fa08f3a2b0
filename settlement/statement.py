"""A merchant's statement: what each clearing and each reversal of its
orders moved, in the merchant's terms, and its CSV form.

Pure: no database, clock or protobuf messages.

The figures of a line come from the clearing lines (settlement.clearing) of
the entry, for one seller (``figures``): goods, the discounts the merchant
bears (positive), the freight that is the merchant's (``FREIGHT`` less
``DELIVERY_FEE`` and ``RIDER_FEE``: none when the platform delivers, but
what the platform absorbed of freight reductions the merchant's goods could
not fund), commission, the channel fee the merchant bears, and the
receivable; a reversal's figures are negative (what went back). Always
``receivable == goods - merchant_discount + freight - commission -
channel_fee`` (clearing's identity). Only merchants' parts have figures:
the platform's own sales (``PLATFORM_SALES``) are in no statement.

CSV (``to_csv``; RFC 4180, header first, UTF-8): ``seller_id, batch_id,
order_id, entry_id, kind, post_time, currency, goods, merchant_discount,
freight, commission, channel_fee, receivable``; amounts are decimal
integers of minor units (never floats); ``kind`` is CLEARING or REVERSAL;
the last rows have kind TOTAL and the sums, one per currency.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from settlement.clearing import Line, LineKind
from settlement.ledger import Entry, EntryKind
from settlement.order import difference

AMOUNTS = ("goods", "merchant_discount", "freight", "commission", "channel_fee",
           "receivable")
COLUMNS = ("seller_id", "batch_id", "order_id", "entry_id", "kind", "post_time", "currency",
           *AMOUNTS)


@dataclass(frozen=True)
class Figures:
    goods: int = 0
    merchant_discount: int = 0
    freight: int = 0
    commission: int = 0
    channel_fee: int = 0
    receivable: int = 0

    def __add__(self, other: Figures) -> Figures:
        return Figures(*(getattr(self, a) + getattr(other, a) for a in AMOUNTS))


def figures(by_kind: Mapping[int, int]) -> Figures:
    """The figures of one seller's lines of one entry, summed by LineKind."""
    k = {LineKind(x): v for x, v in by_kind.items()}
    return Figures(
        goods=k.get(LineKind.GOODS, 0), merchant_discount=-k.get(LineKind.MERCHANT_DISCOUNT, 0),
        freight=k.get(LineKind.FREIGHT, 0) - k.get(LineKind.DELIVERY_FEE, 0)
        - k.get(LineKind.RIDER_FEE, 0),
        commission=k.get(LineKind.PLATFORM_COMMISSION, 0),
        channel_fee=k.get(LineKind.CHANNEL_FEE, 0) + k.get(LineKind.PLATFORM_CHANNEL_FEE, 0),
        receivable=k.get(LineKind.MERCHANT_RECEIVABLE, 0))


def entry_lines(entries: Iterable[Entry], before: Iterable[Line], after: Iterable[Line]
                ) -> list[tuple[str, str, int, int]]:
    """(entry id, seller, line kind, amount) of what each CLEARING entry
    cleared (the lines ``after`` the change) and each REVERSAL took back
    (the lines the change removed, negated): the statement's source."""
    before, after = list(before), list(after)
    out: dict[tuple[str, str, int], int] = {}
    for e in entries:
        if e.kind is EntryKind.CLEARING:
            lines = after
        elif e.kind is EntryKind.REVERSAL:
            lines = [Line(x.kind, x.seller_id, -x.amount) for x in difference(before, after)]
        else:
            continue
        for x in lines:
            key = (e.entry_id, x.seller_id, int(x.kind))
            out[key] = out.get(key, 0) + x.amount
    return [(e, s, k, v) for (e, s, k), v in sorted(out.items())]


@dataclass(frozen=True)
class StatementLine:
    order_id: str
    entry_id: str
    kind: EntryKind
    posted_at: dt.datetime
    currency: str
    figures: Figures


def totals_by_currency(lines: Iterable[StatementLine]) -> dict[str, Figures]:
    """The sums of the lines' figures per currency."""
    out: dict[str, Figures] = {}
    for x in lines:
        out[x.currency] = out.get(x.currency, Figures()) + x.figures
    return out


def to_csv(seller_id: str, batch_id: str, lines: Iterable[StatementLine]) -> str:
    """The statement as CSV (module docstring): a row per line, then a
    TOTAL row per currency."""
    lines = list(lines)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(COLUMNS)
    for x in lines:
        w.writerow([seller_id, batch_id, x.order_id, x.entry_id, x.kind.name,
                    x.posted_at.isoformat(), x.currency,
                    *(str(getattr(x.figures, a)) for a in AMOUNTS)])
    for currency, total in sorted(totals_by_currency(lines).items()):
        w.writerow([seller_id, batch_id, "", "", "TOTAL", "", currency,
                    *(str(getattr(total, a)) for a in AMOUNTS)])
    return buf.getvalue()
