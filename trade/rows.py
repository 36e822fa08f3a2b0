"""An Order aggregate as the rows of trade's tables, and back.

``to_rows`` gives every row of an order (``biz_orders`` for the top-level
order and each sub order, ``pay_orders``, ``log_orders``,
``order_deductions``, ``vouchers``, ``refund_claims``) with the amounts the aggregate computes;
``from_rows`` rebuilds the aggregate from the rows ``trade.repository``
read. Item attributes are stored as JSON with sorted keys.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from trade.order import (
    Close,
    Deduction,
    Item,
    Line,
    LogOrder,
    Order,
    Party,
    PayOrder,
    RefundClaim,
    RefundPlan,
    Voucher,
)
from trade.order.model import CARD, POINTS
from trade.order.refunds import Refunded
from trade.order.states import NOT_REQUIRED
from zhongtai.trade.v1 import trade_pb2 as pb


@dataclass
class Rows:
    """An order as rows, by primary key (biz rows: the top-level one first)."""

    biz: dict[str, dict[str, Any]] = field(default_factory=dict)
    pay: dict[str, dict[str, Any]] = field(default_factory=dict)
    log: dict[str, dict[str, Any]] = field(default_factory=dict)
    vouchers: dict[str, dict[str, Any]] = field(default_factory=dict)
    deductions: list[dict[str, Any]] = field(default_factory=list)
    claims: dict[str, dict[str, Any]] = field(default_factory=dict)


_NO_ITEM: dict[str, Any] = {
    "item_id": "", "item_version": 0, "sku_id": "", "item_title": "", "category_id": "",
    "item_type": 0, "sku_attributes": "{}", "unit_price": 0, "quantity": 0,
    "weight_grams": 0, "volume_cm3": 0,
}


def _item_columns(line: Line) -> dict[str, Any]:
    i = line.item
    return {"item_id": i.item_id, "item_version": i.item_version, "sku_id": i.sku_id,
            "item_title": i.title, "category_id": i.category_id, "item_type": i.item_type,
            "sku_attributes": json.dumps(dict(i.attributes), sort_keys=True,
                                         ensure_ascii=False),
            "unit_price": i.unit_price, "quantity": line.quantity,
            "weight_grams": i.weight_grams, "volume_cm3": i.volume_cm3}


def _amounts(x: Order | Line) -> dict[str, Any]:
    return {"total_amount": x.total, "discount_amount": x.discount,
            "actual_amount": x.actual, "freight_amount": x.freight,
            "adjust_amount": x.adjust}


def _refunded(lines: list[Line], status: int) -> dict[str, Any]:
    """The refunded figures of a line (one) or a main order (the sums)."""
    parts = lines[0].refunded.parts if len(lines) == 1 else ()
    backs = [(d.kind, r[0]) for x in lines
             for d, r in zip(x.deductions, x.refunded.parts, strict=False)]
    return {"refund_status": status,
            "refunded_amount": sum(x.refunded.cash for x in lines),
            "refunded_quantity": sum(x.refunded.quantity for x in lines),
            "refunded_points": sum(a for k, a in backs if k == POINTS),
            "refunded_stored_value": sum(a for k, a in backs if k == CARD),
            "refunded_deductions": json.dumps([list(p) for p in parts])}


def _claim_row(order: Order, c: RefundClaim) -> dict[str, Any]:
    return {"application_id": c.application_id, "order_id": order.order_id,
            "line_order_id": c.line_order_id, "buyer_id": c.buyer_id, "kind": c.kind,
            "quantity": c.quantity, "amount": c.amount, "status": c.status,
            "plan": json.dumps(c.plan.to_json(), sort_keys=True) if c.plan else None,
            "return_shipping_amount": c.return_shipping_amount,
            "return_shipping_by_seller": c.return_shipping_by_seller,
            "created_at": c.created_at, "updated_at": c.updated_at}


def to_rows(order: Order) -> Rows:
    """Every row of an order (without the biz rows' ``version``)."""
    close = order.close or Close(0, "", Party(0))
    shared = {"buyer_id": order.buyer_id, "status": order.status,
              "pay_status": order.pay_status, "currency": order.currency,
              "business_type": order.business_type,
              "close_reason": close.reason, "close_note": close.note,
              "closed_by_role": close.by.role, "closed_by_id": close.by.id}
    rows = Rows()
    main = order.is_main
    rows.biz[order.order_id] = {
        **shared, **(_NO_ITEM if main else _item_columns(order.lines[0])), **_amounts(order),
        "order_id": order.order_id, "parent_id": None, "is_main": main,
        "seller_id": order.seller_id, "logistics_status": order.logistics_status,
        "request_id": order.request_id, "out_type": order.out_type, "out_id": order.out_id,
        "buyer_memo": order.buyer_memo, "shipped_at": order.ship_time,
        "receive_deadline": order.auto_receive_time,
        "receipt_extensions": order.receipt_extensions,
        **_refunded(order.lines, pb.LINE_REFUND_STATUS_NONE if main
                    else order.lines[0].refund_status),
        "after_sales_end": order.after_sales_end, "after_sales_ended": order.after_sales_ended,
        "created_at": order.created_at, "updated_at": order.updated_at}
    for line in order.lines:
        if main:
            rows.biz[line.order_id] = {
                **shared, **_item_columns(line), **_amounts(line),
                "order_id": line.order_id, "parent_id": order.order_id, "is_main": False,
                "seller_id": line.seller_id, "logistics_status": line.logistics_status,
                "request_id": "", "out_type": "", "out_id": "", "buyer_memo": "",
                "shipped_at": None, "receive_deadline": None, "receipt_extensions": 0,
                **_refunded([line], line.refund_status), "after_sales_end": None,
                "after_sales_ended": False,
                "created_at": line.created_at, "updated_at": line.updated_at}
        if (lo := line.log_order) is not None:
            rows.log[lo.log_order_id] = {
                "log_order_id": lo.log_order_id, "order_id": line.order_id, "status": lo.status,
                "address": lo.address, "created_at": lo.created_at, "updated_at": lo.updated_at}
        rows.deductions += [
            {"order_id": line.order_id, "seq": seq, "kind": d.kind, "source_id": d.source_id,
             "currency": order.currency, "amount": d.amount,
             "platform_amount": d.platform_amount, "merchant_amount": d.merchant_amount}
            for seq, d in enumerate(line.deductions)]
        for v in line.vouchers:
            rows.vouchers[v.code] = {
                "code": v.code, "order_id": order.order_id, "line_order_id": v.line_order_id,
                "seller_id": v.seller_id, "buyer_id": v.buyer_id, "sku_id": v.sku_id,
                "status": v.status, "created_at": v.issued_at, "redeemed_at": v.redeemed_at,
                "updated_at": v.updated_at}
    for p in order.pay_orders:
        rows.pay[p.pay_order_id] = {
            "pay_order_id": p.pay_order_id, "order_id": order.order_id,
            "currency": order.currency, "total_amount": p.total, "point_amount": p.point,
            "discount_amount": p.discount, "adjust_amount": p.adjust,
            "stored_value_amount": p.stored_value, "freight_amount": p.freight,
            "actual_amount": p.actual, "status": p.status, "pay_deadline": p.expire_at,
            "kind": p.kind, "balance_start": p.balance_start, "balance_end": p.balance_end,
            "payment_id": p.payment_id, "paid_at": p.paid_at, "refunded_amount": p.refunded,
            "created_at": p.created_at, "updated_at": p.updated_at}
    for c in order.claims:
        rows.claims[c.application_id] = _claim_row(order, c)
    return rows


def _line(r: Any, related: Related) -> Line:
    lo = related.log.get(r.order_id)
    return Line(
        order_id=r.order_id, seller_id=r.seller_id,
        item=Item(item_id=r.item_id, item_version=r.item_version, sku_id=r.sku_id,
                  title=r.item_title, category_id=r.category_id, item_type=r.item_type,
                  attributes=json.loads(r.sku_attributes), unit_price=r.unit_price,
                  weight_grams=r.weight_grams, volume_cm3=r.volume_cm3),
        quantity=r.quantity, created_at=r.created_at, updated_at=r.updated_at,
        deductions=[Deduction(d.kind, d.source_id, d.amount, d.platform_amount,
                              d.merchant_amount) for d in related.deductions.get(r.order_id, [])],
        freight=r.freight_amount, adjust=r.adjust_amount, logistics_status=r.logistics_status,
        log_order=None if lo is None else LogOrder(lo.log_order_id, lo.status, lo.address,
                                                   lo.created_at, lo.updated_at),
        vouchers=[Voucher(code=v.code, line_order_id=v.line_order_id, seller_id=v.seller_id,
                          buyer_id=v.buyer_id, sku_id=v.sku_id, status=v.status,
                          issued_at=v.created_at, updated_at=v.updated_at,
                          redeemed_at=v.redeemed_at)
                  for v in related.vouchers.get(r.order_id, [])],
        refund_status=r.refund_status,
        refunded=Refunded(r.refunded_amount, r.refunded_quantity,
                          tuple((int(a), int(p)) for a, p in json.loads(r.refunded_deductions))))


@dataclass
class Related:
    """The rows around top-level orders, grouped by the order (or line) they belong to."""

    subs: dict[str, list[Any]] = field(default_factory=dict)
    pay: dict[str, list[Any]] = field(default_factory=dict)
    log: dict[str, Any] = field(default_factory=dict)
    deductions: dict[str, list[Any]] = field(default_factory=dict)
    vouchers: dict[str, list[Any]] = field(default_factory=dict)
    claims: dict[str, list[Any]] = field(default_factory=dict)


def _claim(c: Any) -> RefundClaim:
    return RefundClaim(
        application_id=c.application_id, line_order_id=c.line_order_id, buyer_id=c.buyer_id,
        kind=c.kind, quantity=c.quantity, amount=c.amount, status=c.status,
        created_at=c.created_at, updated_at=c.updated_at,
        plan=RefundPlan.from_json(json.loads(c.plan)) if c.plan else None,
        return_shipping_amount=c.return_shipping_amount,
        return_shipping_by_seller=bool(c.return_shipping_by_seller))


def from_rows(r: Any, related: Related) -> Order:
    """The order of top-level row ``r`` with its ``related`` rows."""
    lines = [_line(x, related) for x in related.subs.get(r.order_id, [])] if r.is_main \
        else [_line(r, related)]
    return Order(
        order_id=r.order_id, buyer_id=r.buyer_id, currency=r.currency, lines=lines,
        pay_orders=[PayOrder(
            pay_order_id=p.pay_order_id, kind=p.kind, total=p.total_amount,
            point=p.point_amount, discount=p.discount_amount,
            stored_value=p.stored_value_amount, freight=p.freight_amount,
            adjust=p.adjust_amount, actual=p.actual_amount, status=p.status,
            created_at=p.created_at, updated_at=p.updated_at, expire_at=p.pay_deadline,
            balance_start=p.balance_start, balance_end=p.balance_end,
            payment_id=p.payment_id, paid_at=p.paid_at, refunded=p.refunded_amount)
            for p in sorted(related.pay.get(r.order_id, []), key=lambda p: p.kind)],
        created_at=r.created_at, updated_at=r.updated_at, status=r.status,
        pay_status=r.pay_status,
        main_logistics_status=r.logistics_status if r.is_main else NOT_REQUIRED,
        request_id=r.request_id, out_type=r.out_type, out_id=r.out_id,
        buyer_memo=r.buyer_memo, business_type=r.business_type,
        close=Close(r.close_reason, r.close_note, Party(r.closed_by_role, r.closed_by_id))
        if r.close_reason else None,
        ship_time=r.shipped_at, auto_receive_time=r.receive_deadline,
        receipt_extensions=r.receipt_extensions, version=r.version,
        claims=[_claim(c) for c in sorted(related.claims.get(r.order_id, []),
                                          key=lambda c: (c.created_at, c.application_id))],
        after_sales_end=r.after_sales_end, after_sales_ended=bool(r.after_sales_ended))


def group(rows: Iterable[Any], key: str) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for r in rows:
        out.setdefault(getattr(r, key), []).append(r)
    return out
