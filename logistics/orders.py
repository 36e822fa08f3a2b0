"""logistics orders: created from trade's paid orders, cancelled with them,
flagged by users, and read.

- ``on_order_paid`` (``trade.order.paid``): one ROLE_ORDER logistics order per
  log_order of the paid order (idempotent by log_order id), then the
  allocation timer (``allocation``).
- ``on_order_cancelled`` (``trade.order.cancelled``): the ones still
  unshipped are cancelled; one already (partly) shipped stays as it is
  (logged: that is after-sales).
- ``on_order_refunded`` (``trade.order.refunded``): a line refunded in full
  before shipment (``line_cancelled``) loses its ROLE_ORDER the same way.
- ``flag``: a party flags a logistics order; nothing else changes.
- ``get``, ``read``, ``list_orders``: logistics orders as they are now
  (``values.LogisticsOrder``).

Trade's events are read for facts only (``consumers`` maps them): the lines that ship are the ones
trade gave a log_order (with its address), the units are the line's
quantity, the payment time is the event's. A ROLE_ORDER's status change
publishes ``LogisticsOrderChanged`` (``publish_changed``), which trade
mirrors; shipping is ``shipping``'s, tracking ``tracking``'s.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from logistics import domain, trail, views
from logistics import store as t
from logistics import values as v
from logistics.reasons import E
from zhongtai import outbox, pagination, timers
from zhongtai.auth import Identity, acting_seller
from zhongtai.db import Database, changed, compare_and_set, insert_ignore
from zhongtai.errors import InvalidArgument
from zhongtai.ids import new_id
from zhongtai.logistics.v1 import logistics_pb2 as pb

log = logging.getLogger(__name__)

LO = t.logistics_orders.c


async def on_order_paid(s: AsyncSession, db: Database, *, order_id: str, buyer_id: str,
                        lines: Sequence[v.PaidLine], paid_at: dt.datetime | None,
                        now: dt.datetime) -> None:
    """One WAIT_SHIP ROLE_ORDER per line of paid order ``order_id`` that
    ships (has a log_order), each published; then the allocation timer, due
    now, with the payment time (``paid_at``, else now). A redelivered event
    creates nothing and arms nothing."""
    created = False
    for line in lines:
        lo_id = new_id()
        if not await changed(s, insert_ignore(db.dialect, t.logistics_orders).values(
                logistics_order_id=lo_id, role=domain.ROLE_ORDER, status=domain.WAIT_SHIP,
                log_order_id=line.log_order_id, order_id=line.order_id,
                top_order_id=order_id, seller_id=line.seller_id, buyer_id=buyer_id,
                address=views.address_json(line.address),
                delivery_method=pb.DELIVERY_METHOD_EXPRESS, split=False, parent_id="",
                merged_into="", is_package=False, carrier="", tracking_no="",
                exception=False, total_quantity=line.quantity, shipped_quantity=0,
                created_at=now, updated_at=now)):
            continue  # created by an earlier delivery of the event
        await s.execute(t.logistics_lines.insert().values(
            logistics_order_id=lo_id, seq=0, order_id=line.order_id,
            sku_id=line.sku_id, quantity=line.quantity))
        await publish_changed(s, lo_id, pb.LOGISTICS_ORDER_STATUS_UNSPECIFIED, now,
                              f"created for order {line.order_id}")
        created = True
    if created:
        await timers.arm(s, db, domain.ALLOCATE_TIMER, order_id, now,
                         {"paid_time": (paid_at or now).isoformat()})


async def on_order_cancelled(s: AsyncSession, *, order_id: str,
                             log_order_ids: Sequence[str], now: dt.datetime) -> None:
    """Trade cancelled order ``order_id``: its logistics orders (by their
    log orders) that ``domain.ORDER`` may still cancel (nothing shipped) are
    cancelled, each published; the others stay as they are."""
    if log_order_ids:
        await _cancel_unshipped(s, LO.log_order_id.in_(log_order_ids), f"order {order_id}",
                                now)


async def on_order_refunded(s: AsyncSession, *, line_id: str, line_cancelled: bool,
                            now: dt.datetime) -> None:
    """Line ``line_id`` was refunded: refunded in full with nothing of it
    shipped (``line_cancelled``), its ROLE_ORDER is cancelled as with the
    order (``domain.ORDER``), published; one logistics has (partly) shipped
    stays as it is. Any other refund moves nothing here."""
    if not line_cancelled:
        return
    await _cancel_unshipped(s, (LO.order_id == line_id) & (LO.role == domain.ROLE_ORDER),
                            f"line {line_id} refunded", now)


async def _cancel_unshipped(s: AsyncSession, which: Any, why: str, now: dt.datetime) -> None:
    """Cancel the logistics orders ``which`` selects (locked, by id) that
    ``domain.ORDER`` may still cancel, each published; log the others."""
    rows = (await s.execute(select(t.logistics_orders).where(which)
                            .order_by(LO.logistics_order_id).with_for_update())).all()
    for row in rows:
        lo_id = row.logistics_order_id
        if not domain.ORDER.can(row.status, domain.CANCEL):
            log.warning("%s with logistics order %s already %s: it stays", why, lo_id,
                        pb.LogisticsOrderStatus.Name(row.status))
            continue
        if await compare_and_set(s, update(t.logistics_orders)
                                 .where(LO.logistics_order_id == lo_id,
                                        LO.status == row.status)
                                 .values(status=domain.ORDER.next(row.status, domain.CANCEL,
                                                                  lo_id),
                                         updated_at=now)):
            await publish_changed(s, lo_id, row.status, now,
                                  f"{_status(row.status)} -> CANCELLED: {why}")


async def flag(s: AsyncSession, caller: Identity, *, logistics_order_id: str, flag: str,
               note: str, now: dt.datetime) -> v.LogisticsOrder:
    """Record a party's flag on a logistics order (``domain.require_party``;
    the flag's operator is the caller, ``domain.operator_of``, whatever the
    request says) and publish it (``PackageChanged``); the status never
    changes. The order after it."""
    row = await load(s, logistics_order_id)
    domain.require_party(caller, row.buyer_id, row.seller_id, row.logistics_order_id)
    operator = domain.operator_of(caller, row.seller_id)
    await s.execute(t.logistics_flags.insert().values(
        flag_id=new_id(), logistics_order_id=row.logistics_order_id,
        flag=flag.strip(), note=note, operator_role=operator.role,
        operator_id=operator.id, created_at=now))
    view = await get(s, row.logistics_order_id)
    await publish_package(s, view, now, f"flagged {flag.strip()}")
    return view


def _status(status: int) -> str:
    return pb.LogisticsOrderStatus.Name(status).removeprefix("LOGISTICS_ORDER_STATUS_")


async def publish_changed(s: AsyncSession, lo_id: str, previous: int, now: dt.datetime,
                          detail: str = "") -> None:
    """Publish a ROLE_ORDER or ROLE_RETURN as it is now, moved from
    ``previous``, and record the change in its trail (``detail``, else the
    move)."""
    view = await get(s, lo_id)
    await outbox.publish(s, t.plumbing, views.order_changed(view, previous, now), lo_id)
    await trail.record(s, trail.LOGISTICS_ORDER, lo_id,
                       detail or f"{_status(previous)} -> {_status(view.status)}")


async def publish_package(s: AsyncSession, package: v.LogisticsOrder, now: dt.datetime,
                          detail: str, *, event: v.Tracked | None = None,
                          shipped_from: Sequence[v.ShippedUnits] = ()) -> None:
    """Publish a package (or a flagged order) as it is now
    (``PackageChanged`` with its units' warehouses or the carrier's event)
    and record ``detail`` in its trail."""
    await outbox.publish(s, t.plumbing, views.package_changed(
        package, now, event=event, shipped_from=shipped_from), package.logistics_order_id)
    await trail.record(s, trail.LOGISTICS_ORDER, package.logistics_order_id, detail)


async def load(s: AsyncSession, lo_id: str, *, lock: bool = False) -> Any:
    """A logistics order's row (locked if asked), or LOGISTICS_ORDER_NOT_FOUND."""
    query = select(t.logistics_orders).where(LO.logistics_order_id == lo_id)
    row = (await s.execute(query.with_for_update() if lock else query)).first()
    if row is None:
        raise E(pb.ERROR_REASON_LOGISTICS_ORDER_NOT_FOUND,
                f"logistics order {lo_id!r} does not exist",
                metadata={"logistics_order_id": lo_id})
    return row


async def get(s: AsyncSession, lo_id: str) -> v.LogisticsOrder:
    """One logistics order (any role) as it is now."""
    return (await values_of(s, [await load(s, lo_id)]))[0]


async def read(s: AsyncSession, caller: Identity, lo_id: str) -> v.LogisticsOrder:
    """GetLogisticsOrder: one logistics order, for its buyer, its seller or
    staff only (``domain.require_party``)."""
    row = await load(s, lo_id)
    domain.require_party(caller, row.buyer_id, row.seller_id, lo_id)
    return (await values_of(s, [row]))[0]


async def list_orders(s: AsyncSession, caller: Identity, *, order_id: str, seller_id: str,
                      status: int, page_size: int, page_token: str
                      ) -> tuple[list[v.LogisticsOrder], str]:
    """A trade order's ROLE_ORDERs and ROLE_RETURNs (``domain.LINE_ROLES``;
    by top-level or line order id), or a seller's, newest first, by pages
    (the page and the next page's token, "" after the last); ``status``
    (0: any) filters both.

    A seller lists by its own seller_id (SUBJECT_MISMATCH otherwise); by
    order id, every logistics order of the page must be the caller's
    (``domain.require_party``: refused, never filtered, so a seller of a
    multi-seller order lists by its sub order or seller_id)."""
    if bool(order_id) == bool(seller_id):
        raise InvalidArgument.field("order_id", "give exactly one of order_id, seller_id")
    if seller_id:
        acting_seller(caller, seller_id)
    size = pagination.page_size(page_size)
    query_key = f"logistics_orders:{order_id}:{seller_id}:{status}"
    before = pagination.decode_token(page_token, query_key)
    q = (select(t.logistics_orders).where(LO.role.in_(domain.LINE_ROLES))
         .order_by(LO.logistics_order_id.desc()).limit(size + 1))
    if order_id:
        q = q.where((LO.top_order_id == order_id) | (LO.order_id == order_id))
    else:
        q = q.where(LO.seller_id == seller_id)
    if status:
        q = q.where(LO.status == status)
    if before:
        q = q.where(LO.logistics_order_id < before)
    rows = (await s.execute(q)).all()
    for row in rows[:size]:
        domain.require_party(caller, row.buyer_id, row.seller_id, row.logistics_order_id)
    token = (pagination.encode_token(rows[size - 1].logistics_order_id, query_key)
             if len(rows) > size else "")
    return await values_of(s, rows[:size]), token


async def values_of(s: AsyncSession, rows: Sequence[Any]) -> list[v.LogisticsOrder]:
    """``rows`` of logistics orders as they are now, with their lines,
    children's ids (split children of an order, members of a merge master),
    carrier events (by occurrence) and flags."""
    ids = [r.logistics_order_id for r in rows]
    lines = _group((await s.execute(
        select(t.logistics_lines).where(t.logistics_lines.c.logistics_order_id.in_(ids))
        .order_by(t.logistics_lines.c.seq))).all())
    children: dict[str, list[str]] = {}
    for c in (await s.execute(
            select(LO.logistics_order_id, LO.parent_id, LO.merged_into)
            .where(LO.parent_id.in_(ids) | LO.merged_into.in_(ids))
            .order_by(LO.logistics_order_id))).all():
        owner = c.merged_into if c.merged_into in ids else c.parent_id
        children.setdefault(owner, []).append(c.logistics_order_id)
    events = _group((await s.execute(
        select(t.tracking_events).where(t.tracking_events.c.logistics_order_id.in_(ids))
        .order_by(t.tracking_events.c.occurred_at, t.tracking_events.c.event_id))).all())
    flags = _group((await s.execute(
        select(t.logistics_flags).where(t.logistics_flags.c.logistics_order_id.in_(ids))
        .order_by(t.logistics_flags.c.flag_id))).all())
    return [_value(r, lines.get(r.logistics_order_id, []),
                   children.get(r.logistics_order_id, []),
                   events.get(r.logistics_order_id, []),
                   flags.get(r.logistics_order_id, []))
            for r in rows]


def _value(r: Any, lines: Sequence[Any], child_ids: Sequence[str], events: Sequence[Any],
           flags: Sequence[Any]) -> v.LogisticsOrder:
    """A ``logistics_orders`` row with its ``logistics_lines``, children's
    ids, ``tracking_events`` and ``logistics_flags`` rows."""
    return v.LogisticsOrder(
        logistics_order_id=r.logistics_order_id, role=r.role, status=r.status,
        log_order_id=r.log_order_id or "", order_id=r.order_id,
        top_order_id=r.top_order_id, seller_id=r.seller_id, buyer_id=r.buyer_id,
        address=views.address_from_json(r.address), delivery_method=r.delivery_method,
        lines=tuple(v.Line(x.order_id, x.sku_id, x.quantity) for x in lines),
        split=r.split, parent_id=r.parent_id, merged_into=r.merged_into,
        child_ids=tuple(child_ids), is_package=r.is_package, carrier=r.carrier,
        tracking_no=r.tracking_no,
        tracking=tuple(v.Tracked(e.event_id, e.milestone, e.occurred_at, e.location,
                                 e.description) for e in events),
        exception=r.exception,
        flags=tuple(v.Flag(f.flag, f.note, v.Operator(f.operator_role, f.operator_id),
                           f.created_at) for f in flags),
        shipped_quantity=r.shipped_quantity, created_at=r.created_at,
        updated_at=r.updated_at, plan=views.plan(r.plan), plan_note=r.plan_note,
        application_id=r.application_id or "", warehouse_id=r.warehouse_id,
        return_from=(views.address_from_json(r.return_from)
                     if r.return_from is not None else None),
        eta=r.eta, ship_time=r.ship_time, deliver_time=r.deliver_time)


def _group(rows: Iterable[Any]) -> Mapping[str, list[Any]]:
    """Rows by their ``logistics_order_id``, in the order given."""
    grouped: dict[str, list[Any]] = {}
    for r in rows:
        grouped.setdefault(r.logistics_order_id, []).append(r)
    return grouped
