"""Carriers move packages; the orders follow.

- ``record_tracking``: a carrier's events (pushed, or fetched by a query),
  deduplicated by (carrier, event id), move a package to the furthest
  milestone reached (``domain.package_status_after``), whatever order they
  arrive in; an EXCEPTION flags it. The ROLE_ORDERs whose units travel in it
  derive their status from their packages (``domain.order_status``); a
  ROLE_RETURN (after-sales' return, ``returns``) is a package of its own and
  is published as an order is.
- ``arm``: a shipped package's timers: the carrier subscription, at once,
  and the first query for events a lost push did not bring.
- ``to_subscribe``, ``to_query`` / ``record_query``: those timers, remote
  ones (``zhongtai.timers.RemoteTimer``: the carrier is asked outside any
  transaction; subscribing and querying are idempotent); the query comes
  back with backoff until the package is delivered
  (``domain.TrackingPolicy``).

Locks: a package, then its orders (sorted by id).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from logistics import domain, orders
from logistics import store as t
from logistics.carriers.base import Milestone, TrackingEvent
from logistics.values import Tracked
from zhongtai import timers
from zhongtai.db import Database, changed, insert_ignore
from zhongtai.logistics.v1 import logistics_pb2 as pb

log = logging.getLogger(__name__)

# (carrier, tracking number)
Waybill = tuple[str, str]

_MILESTONES = {
    Milestone.EXCEPTION: pb.TRACKING_MILESTONE_EXCEPTION,
    Milestone.ACCEPTED: pb.TRACKING_MILESTONE_ACCEPTED,
    Milestone.IN_TRANSIT: pb.TRACKING_MILESTONE_IN_TRANSIT,
    Milestone.OUT_FOR_DELIVERY: pb.TRACKING_MILESTONE_OUT_FOR_DELIVERY,
    Milestone.DELIVERED: pb.TRACKING_MILESTONE_DELIVERED,
}

LO = t.logistics_orders.c


async def record_tracking(s: AsyncSession, db: Database, carrier: str,
                          events: Sequence[TrackingEvent], now: dt.datetime) -> str:
    """Apply a carrier's events in the caller's transaction; returns what
    happened, for the carrier's answer and the logs.

    An event without an id or tracking number is ``ValueError`` (nothing
    applied); one of an unknown waybill is logged and skipped; a duplicate
    changes nothing. Each applied event publishes ``PackageChanged`` (and
    ``LogisticsOrderChanged`` for each order whose status moved)."""
    applied = 0
    for e in events:
        if not e.event_id or len(e.event_id) > 128 or not e.tracking_no:
            raise ValueError("a tracking event needs an event id and a tracking number")
        waybill = (await s.execute(select(t.waybills).where(
            t.waybills.c.carrier == carrier,
            t.waybills.c.tracking_no == e.tracking_no))).first()
        if waybill is None:
            log.warning("%s event %s for unknown tracking number %s ignored",
                        carrier, e.event_id, e.tracking_no)
            continue
        package = await orders.load(s, waybill.logistics_order_id, lock=True)
        milestone = _MILESTONES[e.milestone]
        if not await changed(s, insert_ignore(db.dialect, t.tracking_events).values(
                carrier=carrier, event_id=e.event_id,
                logistics_order_id=package.logistics_order_id, milestone=milestone,
                occurred_at=e.occurred_at, location=e.location[:200],
                description=e.description[:500], received_at=now)):
            continue  # a duplicate
        applied += 1
        values: dict[str, Any] = {"updated_at": now}
        status = domain.package_status_after(package.status, milestone)
        if status != package.status:
            values["status"] = status
        if status == domain.DELIVERED and package.deliver_time is None:
            values["deliver_time"] = e.occurred_at
        if milestone == pb.TRACKING_MILESTONE_EXCEPTION:
            values["exception"] = True
        ids = [package.logistics_order_id, *(await _merged(s, package))]
        order_ids = await _orders_of(s, ids)
        before = {r.logistics_order_id: r.status for r in (await s.execute(
            select(LO.logistics_order_id, LO.status)
            .where(LO.logistics_order_id.in_(order_ids))
            .order_by(LO.logistics_order_id).with_for_update())).all()}
        await s.execute(update(t.logistics_orders)
                        .where(LO.logistics_order_id.in_(ids)).values(**values))
        for order_id in order_ids:
            await _follow(s, order_id, before[order_id], now)
        await orders.publish_package(
            s, await orders.get(s, package.logistics_order_id), now,
            f"{carrier} event {e.event_id}: {e.milestone.name}",
            event=Tracked(e.event_id, milestone, e.occurred_at, e.location, e.description))
    return f"{applied} of {len(events)} event(s) applied"


async def arm(s: AsyncSession, db: Database, package_id: str, policy: domain.TrackingPolicy,
              now: dt.datetime) -> None:
    """A package just shipped: subscribe to its carrier now, query it later."""
    await timers.arm(s, db, domain.SUBSCRIBE_TIMER, package_id, now)
    await _arm_query(s, db, package_id, 1, policy, now)


async def to_subscribe(s: AsyncSession, timer: timers.Timer) -> Waybill:
    """Whom the subscription timer asks to push the package's events: its
    carrier and tracking number (the call follows the transaction; a
    failure retries)."""
    row = await orders.load(s, timer.key)
    return row.carrier, row.tracking_no


async def to_query(s: AsyncSession, timer: timers.Timer) -> Waybill | None:
    """What the query timer asks the carrier about: the package's waybill,
    None once it is delivered."""
    row = await orders.load(s, timer.key.rpartition("/")[0])
    return None if row.status == domain.DELIVERED else (row.carrier, row.tracking_no)


async def record_query(s: AsyncSession, db: Database, timer: timers.Timer, waybill: Waybill,
                       events: Sequence[TrackingEvent] | None, policy: domain.TrackingPolicy,
                       now: dt.datetime) -> None:
    """Apply the events the carrier answered (None: no adapter for it,
    nothing asked) that are missing; then query again later, as ``policy``
    says."""
    if events is None:
        return
    package_id, _, n = timer.key.rpartition("/")
    await record_tracking(s, db, waybill[0], events, now)
    row = await orders.load(s, package_id)
    if policy.queries_again(int(n), row.status):
        await _arm_query(s, db, package_id, int(n) + 1, policy, now)


async def _arm_query(s: AsyncSession, db: Database, package_id: str, n: int,
                     policy: domain.TrackingPolicy, now: dt.datetime) -> None:
    await timers.arm(s, db, domain.TRACK_QUERY_TIMER, f"{package_id}/{n}",
                     now + policy.query_delay(n))


async def _merged(s: AsyncSession, package: Any) -> list[str]:
    if package.role != domain.ROLE_MERGE_MASTER:
        return []
    return list((await s.execute(select(LO.logistics_order_id).where(
        LO.merged_into == package.logistics_order_id))).scalars())


async def _orders_of(s: AsyncSession, ids: Sequence[str]) -> list[str]:
    """The ROLE_ORDER logistics orders whose units travel in ``ids`` (a
    split child's parent), and a ROLE_RETURN among them: a return is its own
    order, published like one."""
    rows = (await s.execute(select(LO.logistics_order_id, LO.role, LO.parent_id)
                            .where(LO.logistics_order_id.in_(ids)))).all()
    found = {r.logistics_order_id if r.role in domain.LINE_ROLES else r.parent_id
             for r in rows if r.role != domain.ROLE_MERGE_MASTER}
    return sorted(found)


async def _follow(s: AsyncSession, lo_id: str, previous: int, now: dt.datetime) -> None:
    """Derive a ROLE_ORDER from its packages (an unsplit order is its own
    package, or a member of one, and already holds its package's status):
    its status, exception and delivery time; publish a move from
    ``previous``."""
    row = (await s.execute(select(t.logistics_orders)
                           .where(LO.logistics_order_id == lo_id).with_for_update())).one()
    if row.split:
        parts = (await s.execute(select(LO.status, LO.exception, LO.deliver_time)
                                 .where(LO.parent_id == lo_id))).all()
    else:
        parts = [row] if row.status in domain.TRAVELLING else []
    status = domain.order_status(row.total_quantity, row.shipped_quantity,
                                 [p.status for p in parts],
                                 cancelled=row.status == domain.CANCELLED)
    values: dict[str, Any] = {"exception": any(p.exception for p in parts) or row.exception}
    if status == domain.DELIVERED:
        values["deliver_time"] = max((p.deliver_time for p in parts if p.deliver_time),
                                     default=now)
    if status != row.status:
        values.update(status=status, updated_at=now)
    await s.execute(update(t.logistics_orders)
                    .where(LO.logistics_order_id == lo_id).values(**values))
    if status != previous:
        await orders.publish_changed(s, lo_id, previous, now)
