"""Reconciliation's messages and CSV, built from ``matching.Result``.

CSV columns (a header row first; amounts are integers of minor units; times
RFC 3339 UTC; a side that does not have the transaction leaves its columns
empty)::

    kind,type,reference,channel_transaction_id,currency,channel_amount,our_amount,
    channel_status,our_status,channel_time,our_time
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from settlement.reconciliation.matching import Difference, Kind, Result, Txn
from zhongtai.sandbox import format_time
from zhongtai.settlement.v1 import reconciliation_pb2 as pb
from zhongtai.wire import money, timestamp

CSV_COLUMNS = ("kind", "type", "reference", "channel_transaction_id", "currency",
               "channel_amount", "our_amount", "channel_status", "our_status",
               "channel_time", "our_time")
_TYPES = {"PAY": pb.TRANSACTION_TYPE_PAY, "REFUND": pb.TRANSACTION_TYPE_REFUND}


def _txn(t: Txn | None) -> pb.ReconciledTransaction | None:
    if t is None:
        return None
    return pb.ReconciledTransaction(
        type=_TYPES.get(t.type, pb.TRANSACTION_TYPE_UNSPECIFIED), reference=t.reference,
        channel_transaction_id=t.channel_transaction_id, amount=money(t.currency, t.amount),
        status=t.status, time=timestamp(t.time))


def _difference(d: Difference) -> pb.ReconciliationDifference:
    return pb.ReconciliationDifference(
        kind=d.kind, reference=d.reference,  # type: ignore[arg-type]
        channel=_txn(d.channel), ours=_txn(d.ours))


def report(channel: str, day: dt.date, r: Result, at: dt.datetime,
           provisional: bool = False) -> pb.ReconciliationReport:
    """The report message: totals per class (every class) and each difference."""
    return pb.ReconciliationReport(
        channel=channel, date=day.isoformat(), channel_rows=r.channel_rows,
        our_rows=r.our_rows, matched=r.matched, matched_carried=r.matched_carried,
        unmatched=[pb.DifferenceCount(kind=k, count=n)  # type: ignore[arg-type]
                   for k, n in r.counts().items()],
        differences=[_difference(d) for d in r.differences], create_time=timestamp(at),
        provisional=provisional)


def _side(t: Txn | None) -> tuple[str, str, str]:
    return ("", "", "") if t is None else (str(t.amount), t.status, format_time(t.time))


def csv_of(r: Result) -> str:
    """The differences as CSV (``CSV_COLUMNS``), in the report's order."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for d in r.differences:
        either = d.channel or d.ours
        assert either is not None
        (ca, cs, ct), (oa, os_, ot) = _side(d.channel), _side(d.ours)
        w.writerow((Kind(d.kind).name, either.type, d.reference,
                    either.channel_transaction_id, either.currency, ca, oa, cs, os_, ct, ot))
    return out.getvalue()
