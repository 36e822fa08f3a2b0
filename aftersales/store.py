"""after-sales' tables. Only after-sales reads or writes them.

``applications`` holds one row per application (its history and its refund's
progress as JSON: they are read and written with the application, never
queried alone); ``application_refunds`` finds an application by one of
payment's refund ids (``payment.refund.succeeded``).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, String, Table, Text

from aftersales.application import Actor, Application, HistoryEntry, Refund, RefundPart
from zhongtai.db import UTCDateTime, new_metadata, plumbing_tables

metadata = new_metadata()
plumbing = plumbing_tables(metadata)

applications = Table(
    "applications",
    metadata,
    Column("application_id", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("order_id", String(64), nullable=False),
    Column("line_order_id", String(64), nullable=False),
    Column("buyer_id", String(64), nullable=False),
    Column("seller_id", String(64), nullable=False),
    Column("sku_id", String(64), nullable=False),
    # ApplicationKind, ApplicationStatus, ApplicationReason, CloseReason.
    Column("kind", Integer, nullable=False),
    Column("status", Integer, nullable=False),
    Column("reason", Integer, nullable=False),
    Column("close_reason", Integer, nullable=False),
    Column("note", Text, nullable=False),
    Column("evidence_urls", Text, nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("agreed_amount", BigInteger),
    Column("seller_note", Text, nullable=False),
    Column("reapplications", Integer, nullable=False),
    Column("escalated_from", Integer, nullable=False),
    Column("return_logistics_order_id", String(64), nullable=False),
    Column("return_warehouse_id", String(64), nullable=False),
    Column("return_address", Text, nullable=False),
    Column("return_carrier", String(64), nullable=False),
    Column("return_tracking_no", String(64), nullable=False),
    Column("return_shipping_fee", BigInteger, nullable=False),
    Column("received_quantity", BigInteger, nullable=False),
    Column("delivered_at", UTCDateTime),
    Column("deadline_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("agreed_at", UTCDateTime),
    Column("finished_at", UTCDateTime),
    Column("refund", Text, nullable=False),
    Column("trade_finished", Boolean, nullable=False),
    Column("effects_round", Integer, nullable=False),
    Column("effects_failures", Integer, nullable=False),
    Column("history", Text, nullable=False),
    Index("ix_applications_buyer", "buyer_id", "application_id"),
    Index("ix_applications_seller", "seller_id", "application_id"),
    Index("ix_applications_order", "order_id", "application_id"),
    Index("ix_applications_line", "line_order_id"),
)

application_refunds = Table(
    "application_refunds",
    metadata,
    Column("refund_id", String(64), primary_key=True),
    Column("application_id", String(64), nullable=False, index=True),
)


def _time(value: dt.datetime) -> str:
    return value.isoformat()


def _refund_json(r: Refund) -> str:
    return json.dumps({
        "plan": base64.b64encode(r.plan).decode(), "points": r.points_amount,
        "card": r.stored_value_amount, "coupons": r.restore_coupons,
        "restock": r.restock_quantity, "benefits": r.benefits_returned,
        "restocked": r.restocked,
        "parts": [[p.pay_order_id, p.payment_id, p.amount, p.refund_id, p.settled]
                  for p in r.parts]}, sort_keys=True)


def _refund(text: str) -> Refund:
    d = json.loads(text)
    return Refund(plan=base64.b64decode(d["plan"]), points_amount=d["points"],
                  stored_value_amount=d["card"], restore_coupons=d["coupons"],
                  restock_quantity=d["restock"], benefits_returned=d["benefits"],
                  restocked=d["restocked"], parts=[RefundPart(*p) for p in d["parts"]])


def _history_json(history: list[HistoryEntry]) -> str:
    return json.dumps([[h.action, h.actor.role, h.actor.id, h.status, h.note, _time(h.at)]
                       for h in history])


def _history(text: str) -> list[HistoryEntry]:
    return [HistoryEntry(a, Actor(role, who), status, note, dt.datetime.fromisoformat(at))
            for a, role, who, status, note, at in json.loads(text)]


def to_row(app: Application) -> dict[str, Any]:
    """The application's row (without its version)."""
    return {
        "application_id": app.application_id, "order_id": app.order_id,
        "line_order_id": app.line_order_id, "buyer_id": app.buyer_id,
        "seller_id": app.seller_id, "sku_id": app.sku_id, "kind": app.kind,
        "status": app.status, "reason": app.reason, "close_reason": app.close_reason,
        "note": app.note, "evidence_urls": json.dumps(list(app.evidence_urls)),
        "quantity": app.quantity, "currency": app.currency, "amount": app.amount,
        "agreed_amount": app.agreed_amount, "seller_note": app.seller_note,
        "reapplications": app.reapplications, "escalated_from": app.escalated_from,
        "return_logistics_order_id": app.return_logistics_order_id,
        "return_warehouse_id": app.return_warehouse_id,
        "return_address": base64.b64encode(app.return_address).decode(),
        "return_carrier": app.return_carrier, "return_tracking_no": app.return_tracking_no,
        "return_shipping_fee": app.return_shipping_fee,
        "received_quantity": app.received_quantity, "delivered_at": app.delivered_at,
        "deadline_at": app.deadline_at, "created_at": app.created_at,
        "updated_at": app.updated_at or app.created_at, "agreed_at": app.agreed_at,
        "finished_at": app.finished_at, "refund": _refund_json(app.refund),
        "trade_finished": app.trade_finished, "effects_round": app.effects_round,
        "effects_failures": app.effects_failures, "history": _history_json(app.history),
    }


def from_row(row: Any) -> Application:
    r = row._mapping
    return Application(
        version=r["version"], application_id=r["application_id"], order_id=r["order_id"],
        line_order_id=r["line_order_id"], buyer_id=r["buyer_id"], seller_id=r["seller_id"],
        sku_id=r["sku_id"], kind=r["kind"], status=r["status"], reason=r["reason"],
        close_reason=r["close_reason"], note=r["note"],
        evidence_urls=tuple(json.loads(r["evidence_urls"])), quantity=r["quantity"],
        currency=r["currency"], amount=r["amount"], agreed_amount=r["agreed_amount"],
        seller_note=r["seller_note"], reapplications=r["reapplications"],
        escalated_from=r["escalated_from"],
        return_logistics_order_id=r["return_logistics_order_id"],
        return_warehouse_id=r["return_warehouse_id"],
        return_address=base64.b64decode(r["return_address"]),
        return_carrier=r["return_carrier"], return_tracking_no=r["return_tracking_no"],
        return_shipping_fee=r["return_shipping_fee"],
        received_quantity=r["received_quantity"], delivered_at=r["delivered_at"],
        deadline_at=r["deadline_at"], created_at=r["created_at"], updated_at=r["updated_at"],
        agreed_at=r["agreed_at"], finished_at=r["finished_at"], refund=_refund(r["refund"]),
        trade_finished=r["trade_finished"], effects_round=r["effects_round"],
        effects_failures=r["effects_failures"], history=_history(r["history"]))
