"""logistics' fulfilment use cases: logistics orders, packages, tracking.

- ``on_order_paid`` (``trade.order.paid``): one ROLE_ORDER logistics order per
  log_order of the paid order (idempotent by log_order id).
- ``on_order_cancelled`` (``trade.order.cancelled``): unshipped ones are
  cancelled; one partly shipped stays as it is (logged: after-sales).
- ``ship_package``: the seller ships units of one or more orders in one
  package — the order itself, a split child of it, or a merge master over
  several (seed 001 §四.2) — with a carrier and a tracking number.
- ``record_tracking``: carriers' events (duplicated, out of order) move
  packages forward only; the orders follow their packages.
- ``flag``: a user flags; nothing else changes.

A ROLE_ORDER's status change publishes ``LogisticsOrderChanged`` (trade
mirrors it); a package's shipping, tracking and flags publish
``PackageChanged``. Locks: orders (sorted by id) before the rows derived from
them; a package before its orders.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any

from google.protobuf import json_format
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from logistics import domain, warehouses
from logistics import store as t
from logistics.carriers.base import Milestone, TrackingEvent
from logistics.reasons import E
from logistics.settings import LogisticsSettings
from zhongtai import outbox, pagination, timers
from zhongtai.catalog.v1.catalog_pb2_grpc import CatalogServiceStub
from zhongtai.common.v1.common_pb2 import Address, Operator
from zhongtai.db import Database, insert_ignore, utcnow
from zhongtai.errors import FailedPrecondition, InvalidArgument, NotFound, PreconditionViolation
from zhongtai.ids import new_id
from zhongtai.logistics.v1 import events_pb2 as ev
from zhongtai.logistics.v1 import logistics_pb2 as pb
from zhongtai.logistics.v1 import warehouse_pb2 as wh
from zhongtai.trade.v1 import events_pb2 as trade_events
from zhongtai.wire import timestamp

log = logging.getLogger(__name__)

# Ask the package's carrier to push its events (after the shipping commits).
SUBSCRIBE_TIMER = "logistics.subscribe_waybill"
# Allocate a paid order's units to warehouses (after its orders are created).
ALLOCATE_TIMER = "logistics.allocate"
# Query a package's carrier for events a lost push did not bring
# (key "<package id>/<n>": the n-th query).
TRACK_QUERY_TIMER = "logistics.track_query"

QueryCarrier = Callable[[str, str], Awaitable[Sequence[TrackingEvent] | None]]

_MILESTONES = {
    Milestone.EXCEPTION: pb.TRACKING_MILESTONE_EXCEPTION,
    Milestone.ACCEPTED: pb.TRACKING_MILESTONE_ACCEPTED,
    Milestone.IN_TRANSIT: pb.TRACKING_MILESTONE_IN_TRANSIT,
    Milestone.OUT_FOR_DELIVERY: pb.TRACKING_MILESTONE_OUT_FOR_DELIVERY,
    Milestone.DELIVERED: pb.TRACKING_MILESTONE_DELIVERED,
}

LO = t.logistics_orders.c


class Fulfilment:
    def __init__(self, db: Database, settings: LogisticsSettings | None = None) -> None:
        self.db = db
        self.settings = settings or LogisticsSettings()

    # --- trade's events --------------------------------------------------------

    async def on_order_paid(self, s: AsyncSession, event: trade_events.OrderPaid) -> None:
        order = event.order
        now = utcnow()
        for line in [order, *order.sub_orders]:
            if not line.HasField("log_order"):
                continue
            lo_id = new_id()
            result = await s.execute(insert_ignore(self.db.dialect, t.logistics_orders).values(
                logistics_order_id=lo_id, role=domain.ROLE_ORDER, status=domain.WAIT_SHIP,
                log_order_id=line.log_order.log_order_id, order_id=line.order_id,
                top_order_id=order.order_id, seller_id=line.seller_id,
                buyer_id=order.buyer_id,
                address=json_format.MessageToJson(line.log_order.address, indent=None),
                delivery_method=pb.DELIVERY_METHOD_EXPRESS, split=False, parent_id="",
                merged_into="", is_package=False, carrier="", tracking_no="",
                exception=False, total_quantity=line.quantity, shipped_quantity=0,
                created_at=now, updated_at=now))
            if result.rowcount == 0:  # type: ignore[attr-defined]
                continue  # created by an earlier delivery of the event
            await s.execute(t.logistics_lines.insert().values(
                logistics_order_id=lo_id, seq=0, order_id=line.order_id,
                sku_id=line.item.sku_id, quantity=line.quantity))
            await self._order_changed(s, lo_id, pb.LOGISTICS_ORDER_STATUS_UNSPECIFIED)
            # The plan is for the payment time (the event's), not this delivery's.
            paid = event.occur_time.ToDatetime(dt.UTC) if event.HasField("occur_time") else now
            await timers.arm(s, self.db, ALLOCATE_TIMER, order.order_id, now,
                             {"paid_time": paid.isoformat()})

    async def on_order_cancelled(self, s: AsyncSession,
                                 event: trade_events.OrderCancelled) -> None:
        order = event.order
        ids = [line.log_order.log_order_id for line in [order, *order.sub_orders]
               if line.HasField("log_order")]
        if not ids:
            return
        rows = (await s.execute(select(t.logistics_orders)
                                .where(LO.log_order_id.in_(ids))
                                .order_by(LO.logistics_order_id).with_for_update())).all()
        for row in rows:
            if row.status != domain.WAIT_SHIP:
                log.warning("order %s cancelled with logistics order %s already %s",
                            order.order_id, row.logistics_order_id,
                            pb.LogisticsOrderStatus.Name(row.status))
                continue
            result = await s.execute(
                update(t.logistics_orders)
                .where(LO.logistics_order_id == row.logistics_order_id,
                       LO.status == domain.WAIT_SHIP)
                .values(status=domain.CANCELLED, updated_at=utcnow()))
            if result.rowcount:  # type: ignore[attr-defined]
                await self._order_changed(s, row.logistics_order_id, domain.WAIT_SHIP)

    # --- shipping --------------------------------------------------------------

    async def ship_package(self, s: AsyncSession, req: pb.ShipPackageRequest
                           ) -> pb.ShipPackageResponse:
        domain.validate_ship(req)
        wanted = {item.logistics_order_id: item.quantity for item in req.items}
        rows = {r.logistics_order_id: r for r in (await s.execute(
            select(t.logistics_orders).where(LO.logistics_order_id.in_(sorted(wanted)))
            .order_by(LO.logistics_order_id).with_for_update())).all()}
        quantities: dict[str, int] = {}
        for i, item in enumerate(req.items):
            row = rows.get(item.logistics_order_id)
            field = f"items[{i}].logistics_order_id"
            if row is None or row.role != domain.ROLE_ORDER:
                raise InvalidArgument.field(field, "is not a logistics order of an order")
            if row.seller_id != req.seller_id:
                raise E(pb.ERROR_REASON_NOT_A_PARTY_TO_THE_ORDER,
                        f"seller {req.seller_id} cannot ship logistics order "
                        f"{row.logistics_order_id}: it is another seller's",
                        metadata={"logistics_order_id": row.logistics_order_id})
            left = row.total_quantity - row.shipped_quantity
            quantity = item.quantity or left
            if row.status not in (domain.WAIT_SHIP, domain.PARTIALLY_SHIPPED) \
                    or quantity > left or left <= 0:
                name = pb.LogisticsOrderStatus.Name(row.status)
                raise E(
                    pb.ERROR_REASON_NOTHING_TO_SHIP,
                    f"logistics order {row.logistics_order_id} is {name} with {left} "
                    f"unit(s) left to ship; {quantity} asked",
                    violations=[PreconditionViolation(
                        "LOGISTICS_ORDER_STATUS", f"logistics_orders/{row.logistics_order_id}",
                        f"status is {name}, {left} left")],
                    metadata={"logistics_order_id": row.logistics_order_id, "status": name,
                              "left": str(left)})
            quantities[row.logistics_order_id] = quantity
        first = rows[req.items[0].logistics_order_id]
        if any((r.buyer_id, r.address) != (first.buyer_id, first.address)
               for r in rows.values()):
            raise E(pb.ERROR_REASON_PACKAGE_DESTINATIONS_DIFFER,
                    "orders merged into one package must go to the same buyer and address",
                    violations=[PreconditionViolation("ADDRESS", "items", "destinations differ")])

        now = utcnow()
        carrier, tracking_no = req.carrier.strip(), req.tracking_no.strip()
        members: list[str] = []
        for lo_id, quantity in quantities.items():
            row = rows[lo_id]
            if quantity == row.total_quantity and not row.split:
                members.append(lo_id)
                continue
            child_id = new_id()
            await s.execute(t.logistics_orders.insert().values(**_derived(
                row, logistics_order_id=child_id, role=domain.ROLE_SPLIT_CHILD,
                parent_id=lo_id, total_quantity=quantity, created_at=now, updated_at=now)))
            line = (await s.execute(select(t.logistics_lines).where(
                t.logistics_lines.c.logistics_order_id == lo_id))).one()
            await s.execute(t.logistics_lines.insert().values(
                logistics_order_id=child_id, seq=0, order_id=line.order_id,
                sku_id=line.sku_id, quantity=quantity))
            await s.execute(update(t.logistics_orders)
                            .where(LO.logistics_order_id == lo_id).values(split=True))
            members.append(child_id)
        travelling = {"status": domain.SHIPPED, "ship_time": now, "updated_at": now}
        if len(members) == 1:
            package_id = members[0]
        else:
            package_id = new_id()
            await s.execute(t.logistics_orders.insert().values(**_derived(
                first, logistics_order_id=package_id, role=domain.ROLE_MERGE_MASTER,
                order_id="", top_order_id="", total_quantity=sum(quantities.values()),
                created_at=now, updated_at=now)))
            seq = 0
            for member in members:
                for line in (await s.execute(select(t.logistics_lines).where(
                        t.logistics_lines.c.logistics_order_id == member)
                        .order_by(t.logistics_lines.c.seq))).all():
                    await s.execute(t.logistics_lines.insert().values(
                        logistics_order_id=package_id, seq=seq, order_id=line.order_id,
                        sku_id=line.sku_id, quantity=line.quantity))
                    seq += 1
            await s.execute(update(t.logistics_orders)
                            .where(LO.logistics_order_id.in_(members))
                            .values(merged_into=package_id, **travelling))
        waybill = await s.execute(insert_ignore(self.db.dialect, t.waybills).values(
            carrier=carrier, tracking_no=tracking_no, logistics_order_id=package_id))
        if waybill.rowcount == 0:  # type: ignore[attr-defined]
            raise E(pb.ERROR_REASON_TRACKING_NO_IN_USE,
                    f"{carrier} tracking number {tracking_no} is another package's",
                    violations=[PreconditionViolation(
                        "TRACKING_NO", f"waybills/{carrier}/{tracking_no}", "already used")])
        package_values = dict(travelling, is_package=True, carrier=carrier,
                              tracking_no=tracking_no)
        if package_id not in quantities:  # a split child or a merge master: all of it
            package_values["shipped_quantity"] = sum(quantities.values())
        await s.execute(update(t.logistics_orders)
                        .where(LO.logistics_order_id == package_id).values(**package_values))
        for lo_id, quantity in quantities.items():
            await s.execute(update(t.logistics_orders)
                            .where(LO.logistics_order_id == lo_id)
                            .values(shipped_quantity=LO.shipped_quantity + quantity))
            await self._refresh_order(s, lo_id, rows[lo_id].status)
        package = await self.get(s, package_id)
        await outbox.publish(s, t.plumbing,
                             ev.PackageChanged(package=package, occur_time=timestamp(now),
                                               shipped_from=await _leaving(s, rows, quantities)),
                             package_id)
        await timers.arm(s, self.db, SUBSCRIBE_TIMER, package_id, now)
        await self._arm_query(s, package_id, 1)
        return pb.ShipPackageResponse(
            package=package, orders=[await self.get(s, lo_id) for lo_id in quantities])

    # --- tracking --------------------------------------------------------------

    async def record_tracking(self, s: AsyncSession, carrier: str,
                              events: Sequence[TrackingEvent]) -> str:
        """Apply a carrier's events (in the caller's transaction); returns
        what happened, for the carrier's answer and the logs."""
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
            package = await _load(s, waybill.logistics_order_id, lock=True)
            now = utcnow()
            milestone = _MILESTONES[e.milestone]
            inserted = await s.execute(insert_ignore(self.db.dialect, t.tracking_events).values(
                carrier=carrier, event_id=e.event_id,
                logistics_order_id=package.logistics_order_id, milestone=milestone,
                occurred_at=e.occurred_at, location=e.location[:200],
                description=e.description[:500], received_at=now))
            if inserted.rowcount == 0:  # type: ignore[attr-defined]
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
            ids = [package.logistics_order_id, *(await self._merged(s, package))]
            orders = await self._orders_of(s, ids)
            before = {r.logistics_order_id: r.status for r in (await s.execute(
                select(LO.logistics_order_id, LO.status)
                .where(LO.logistics_order_id.in_(orders))
                .order_by(LO.logistics_order_id).with_for_update())).all()}
            await s.execute(update(t.logistics_orders)
                            .where(LO.logistics_order_id.in_(ids)).values(**values))
            for order_id in orders:
                await self._refresh_order(s, order_id, before[order_id])
            await outbox.publish(s, t.plumbing, ev.PackageChanged(
                package=await self.get(s, package.logistics_order_id),
                event=_event_view(e.event_id, milestone, e.occurred_at, e.location,
                                  e.description),
                occur_time=timestamp(now)), package.logistics_order_id)
        return f"{applied} of {len(events)} event(s) applied"

    async def on_allocate_timer(self, s: AsyncSession, timer: timers.Timer,
                                catalog: CatalogServiceStub) -> None:
        """Plan where a paid order's units ship from (per seller: each ships
        its own) and record each order's share and ETA. The plan is
        ``warehouses.plan`` for the seller's lines, the address, the method
        and the payment time (the timer's payload), exactly what
        PlanFulfilment answers for them and the same stock. An order no
        warehouse can serve keeps no plan and says why; catalog being
        unreachable fails the timer, which is retried."""
        rows = (await s.execute(select(t.logistics_orders).where(
            LO.top_order_id == timer.key, LO.role == domain.ROLE_ORDER, LO.plan.is_(None),
            LO.status != domain.CANCELLED).order_by(LO.logistics_order_id))).all()
        by_seller: dict[str, list[Any]] = {}
        for row in rows:
            by_seller.setdefault(row.seller_id, []).append(row)
        stamp = timer.payload.get("paid_time")  # older timers: the orders' creation
        for group in by_seller.values():
            lines = {row.logistics_order_id: (await s.execute(select(t.logistics_lines).where(
                t.logistics_lines.c.logistics_order_id == row.logistics_order_id))).one()
                for row in group}
            wanted: dict[str, int] = {}
            for line in lines.values():
                wanted[line.sku_id] = wanted.get(line.sku_id, 0) + line.quantity
            req = wh.PlanFulfilmentRequest(
                destination=json_format.Parse(group[0].address, Address()),
                lines=[wh.FulfilmentLine(sku_id=k, quantity=q) for k, q in wanted.items()],
                delivery_method=group[0].delivery_method,
                paid_time=timestamp(dt.datetime.fromisoformat(stamp) if stamp
                                    else group[0].created_at))
            try:
                planned = await warehouses.plan(s, catalog, req)
            except (FailedPrecondition, InvalidArgument, NotFound) as exc:
                log.info("order %s not allocated to warehouses: %s", timer.key, exc)
                for row in group:
                    await self._set_plan(s, row, [], exc.reason)
                continue
            shares = domain.shares_of_plan(
                [(row.logistics_order_id, lines[row.logistics_order_id].sku_id,
                  lines[row.logistics_order_id].quantity) for row in group],
                [(p.warehouse_id, p.transfer_from_warehouse_id,
                  p.estimated_delivery_time.ToDatetime(dt.UTC),
                  [(x.sku_id, x.quantity) for x in p.lines],
                  {x.sku_id: x.quantity for x in p.transfer_lines})
                 for p in planned.packages])
            for row in group:
                await self._set_plan(s, row, shares.get(row.logistics_order_id, []), "")

    async def _set_plan(self, s: AsyncSession, row: Any, shipments: list[pb.PlannedShipment],
                        note: str) -> None:
        eta = max((x.estimated_delivery_time.ToDatetime(dt.UTC) for x in shipments),
                  default=None)
        await s.execute(update(t.logistics_orders)
                        .where(LO.logistics_order_id == row.logistics_order_id)
                        .values(plan=json.dumps([json_format.MessageToDict(x)
                                                 for x in shipments]),
                                plan_note=note[:500], eta=eta, updated_at=utcnow()))
        await self._order_changed(s, row.logistics_order_id, row.status)

    async def _arm_query(self, s: AsyncSession, package_id: str, n: int) -> None:
        after = min(self.settings.tracking_query_after_seconds * 2 ** (n - 1), 86400.0)
        await timers.arm(s, self.db, TRACK_QUERY_TIMER, f"{package_id}/{n}",
                         utcnow() + dt.timedelta(seconds=after))

    async def on_track_query_timer(self, s: AsyncSession, timer: timers.Timer,
                                   query: QueryCarrier) -> None:
        """Ask the carrier for every event of a package not delivered yet and
        apply the missing ones; then query again later, with backoff."""
        package_id, _, n = timer.key.rpartition("/")
        row = await _load(s, package_id)
        if row.status == domain.DELIVERED:
            return
        events = await query(row.carrier, row.tracking_no)
        if events is None:
            return  # no adapter for this carrier: nothing to ask
        await self.record_tracking(s, row.carrier, events)
        row = await _load(s, package_id)
        if row.status != domain.DELIVERED and int(n) < self.settings.tracking_max_queries:
            await self._arm_query(s, package_id, int(n) + 1)

    async def on_subscribe_timer(self, s: AsyncSession, timer: timers.Timer,
                                 subscribe: Callable[[str, str], Awaitable[None]]) -> None:
        row = await _load(s, timer.key)
        await subscribe(row.carrier, row.tracking_no)

    # --- flags -----------------------------------------------------------------

    async def flag(self, s: AsyncSession, req: pb.FlagLogisticsOrderRequest
                   ) -> pb.FlagLogisticsOrderResponse:
        domain.validate_flag(req)
        row = await _load(s, req.logistics_order_id)
        role = req.operator.role
        if not ((role == Operator.ROLE_BUYER and req.operator.id == row.buyer_id)
                or (role == Operator.ROLE_SELLER and req.operator.id == row.seller_id)
                or role == Operator.ROLE_OPERATOR):
            raise E(pb.ERROR_REASON_NOT_A_PARTY_TO_THE_ORDER,
                    f"operator {req.operator.id} is neither the buyer nor the seller of "
                    f"logistics order {row.logistics_order_id}",
                    metadata={"logistics_order_id": row.logistics_order_id})
        now = utcnow()
        await s.execute(t.logistics_flags.insert().values(
            flag_id=new_id(), logistics_order_id=row.logistics_order_id,
            flag=req.flag.strip(), note=req.note, operator_role=role,
            operator_id=req.operator.id, created_at=now))
        view = await self.get(s, row.logistics_order_id)
        await outbox.publish(s, t.plumbing,
                             ev.PackageChanged(package=view, occur_time=timestamp(now)),
                             row.logistics_order_id)
        return pb.FlagLogisticsOrderResponse(logistics_order=view)

    # --- derived statuses ------------------------------------------------------

    async def _merged(self, s: AsyncSession, package: Any) -> list[str]:
        if package.role != domain.ROLE_MERGE_MASTER:
            return []
        return list((await s.execute(select(LO.logistics_order_id).where(
            LO.merged_into == package.logistics_order_id))).scalars())

    async def _orders_of(self, s: AsyncSession, ids: Sequence[str]) -> list[str]:
        """The ROLE_ORDER logistics orders whose units travel in ``ids``."""
        rows = (await s.execute(select(LO.logistics_order_id, LO.role, LO.parent_id)
                                .where(LO.logistics_order_id.in_(ids)))).all()
        found = {r.logistics_order_id if r.role == domain.ROLE_ORDER else r.parent_id
                 for r in rows if r.role != domain.ROLE_MERGE_MASTER}
        return sorted(found)

    async def _refresh_order(self, s: AsyncSession, lo_id: str, previous: int) -> None:
        """Derive a ROLE_ORDER's status from its packages (an unsplit order
        is its own package, or a member of one, and already holds its
        package's status); publish a change from ``previous``."""
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
        exception = any(p.exception for p in parts) or row.exception
        values: dict[str, Any] = {"exception": exception}
        if status == domain.DELIVERED:
            values["deliver_time"] = max(p.deliver_time for p in parts if p.deliver_time) \
                if any(p.deliver_time for p in parts) else utcnow()
        if row.ship_time is None and row.shipped_quantity > 0:
            values["ship_time"] = utcnow()
        if status != row.status:
            values.update(status=status, updated_at=utcnow())
        await s.execute(update(t.logistics_orders)
                        .where(LO.logistics_order_id == lo_id).values(**values))
        if status != previous:
            await self._order_changed(s, lo_id, previous)

    async def _order_changed(self, s: AsyncSession, lo_id: str, previous: int) -> None:
        await outbox.publish(s, t.plumbing, ev.LogisticsOrderChanged(
                                 logistics_order=await self.get(s, lo_id),
                                 previous_status=previous,  # type: ignore[arg-type]
                                 occur_time=timestamp(utcnow())), lo_id)

    # --- queries ---------------------------------------------------------------

    async def get(self, s: AsyncSession, lo_id: str) -> pb.LogisticsOrder:
        if not lo_id:
            raise InvalidArgument.field("logistics_order_id", "is required")
        row = await _load(s, lo_id)
        return (await self._views(s, [row]))[0]

    async def list_orders(self, s: AsyncSession, req: pb.ListLogisticsOrdersRequest
                   ) -> pb.ListLogisticsOrdersResponse:
        if bool(req.order_id) == bool(req.seller_id):
            raise InvalidArgument.field("order_id", "give exactly one of order_id, seller_id")
        size = pagination.page_size(req.page_size)
        query_key = f"logistics_orders:{req.order_id}:{req.seller_id}:{req.status}"
        before = pagination.decode_token(req.page_token, query_key)
        q = (select(t.logistics_orders).where(LO.role == domain.ROLE_ORDER)
             .order_by(LO.logistics_order_id.desc()).limit(size + 1))
        if req.order_id:
            q = q.where((LO.top_order_id == req.order_id) | (LO.order_id == req.order_id))
        else:
            q = q.where(LO.seller_id == req.seller_id)
        if req.status:
            q = q.where(LO.status == req.status)
        if before:
            q = q.where(LO.logistics_order_id < before)
        rows = (await s.execute(q)).all()
        resp = pb.ListLogisticsOrdersResponse(
            logistics_orders=await self._views(s, rows[:size]))
        if len(rows) > size:
            resp.next_page_token = pagination.encode_token(rows[size - 1].logistics_order_id,
                                                           query_key)
        return resp

    async def _views(self, s: AsyncSession, rows: Sequence[Any]) -> list[pb.LogisticsOrder]:
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
        views = []
        for r in rows:
            lo = pb.LogisticsOrder(
                logistics_order_id=r.logistics_order_id, role=r.role, status=r.status,
                log_order_id=r.log_order_id or "", order_id=r.order_id,
                top_order_id=r.top_order_id, seller_id=r.seller_id, buyer_id=r.buyer_id,
                address=json_format.Parse(r.address, Address()),
                delivery_method=r.delivery_method,
                lines=[pb.LogisticsLine(order_id=x.order_id, sku_id=x.sku_id,
                                        quantity=x.quantity)
                       for x in lines.get(r.logistics_order_id, [])],
                split=r.split, parent_id=r.parent_id, merged_into=r.merged_into,
                child_ids=children.get(r.logistics_order_id, []), is_package=r.is_package,
                carrier=r.carrier, tracking_no=r.tracking_no,
                tracking=[_event_view(e.event_id, e.milestone, e.occurred_at,
                                      e.location, e.description)
                          for e in events.get(r.logistics_order_id, [])],
                exception=r.exception,
                flags=[pb.LogisticsFlag(flag=f.flag, note=f.note,
                                        operator=Operator(role=f.operator_role,
                                                          id=f.operator_id),
                                        create_time=timestamp(f.created_at))
                       for f in flags.get(r.logistics_order_id, [])],
                shipped_quantity=r.shipped_quantity,
                create_time=timestamp(r.created_at), update_time=timestamp(r.updated_at),
                plan=_plan(r),
                plan_note=r.plan_note)
            if r.eta is not None:
                lo.estimated_delivery_time.CopyFrom(timestamp(r.eta))
            if r.ship_time is not None:
                lo.ship_time.CopyFrom(timestamp(r.ship_time))
            if r.deliver_time is not None:
                lo.deliver_time.CopyFrom(timestamp(r.deliver_time))
            views.append(lo)
        return views


async def _load(s: AsyncSession, lo_id: str, *, lock: bool = False) -> Any:
    """A logistics order's row (locked if asked), or LOGISTICS_ORDER_NOT_FOUND."""
    query = select(t.logistics_orders).where(LO.logistics_order_id == lo_id)
    row = (await s.execute(query.with_for_update() if lock else query)).first()
    if row is None:
        raise E(pb.ERROR_REASON_LOGISTICS_ORDER_NOT_FOUND,
                f"logistics order {lo_id!r} does not exist",
                metadata={"logistics_order_id": lo_id})
    return row


def _plan(row: Any) -> list[pb.PlannedShipment]:
    return [json_format.ParseDict(x, pb.PlannedShipment()) for x in json.loads(row.plan or "[]")]


async def _leaving(s: AsyncSession, rows: Mapping[str, Any], quantities: Mapping[str, int]
                   ) -> list[ev.ShippedUnits]:
    """The units of a package per SKU and the warehouse they leave: each
    order's next units of its plan (``rows`` as they were before shipping)."""
    ll = t.logistics_lines.c
    skus = dict((await s.execute(select(ll.logistics_order_id, ll.sku_id)
                                 .where(ll.logistics_order_id.in_(sorted(quantities))))).all())
    leaving: dict[tuple[str, str], int] = {}
    for lo_id, quantity in quantities.items():
        row = rows[lo_id]
        for warehouse_id, units in domain.leaving_warehouses(
                _plan(row), row.shipped_quantity, quantity):
            key = (skus[lo_id], warehouse_id)
            leaving[key] = leaving.get(key, 0) + units
    return [ev.ShippedUnits(sku_id=sku, warehouse_id=warehouse_id, quantity=units)
            for (sku, warehouse_id), units in sorted(leaving.items())]


def _derived(row: Any, **values: Any) -> dict[str, Any]:
    """A new split child or merge master of an order: its destination, not
    yet a package."""
    base = {k: getattr(row, k) for k in ("order_id", "top_order_id", "seller_id",
                                         "buyer_id", "address", "delivery_method")}
    return base | {"status": domain.WAIT_SHIP, "log_order_id": None, "split": False,
                   "parent_id": "", "merged_into": "", "is_package": False, "carrier": "",
                   "tracking_no": "", "exception": False, "shipped_quantity": 0} | values


def _group(rows: Iterable[Any]) -> Mapping[str, list[Any]]:
    grouped: dict[str, list[Any]] = {}
    for r in rows:
        grouped.setdefault(r.logistics_order_id, []).append(r)
    return grouped


def _event_view(event_id: str, milestone: int, occurred_at: dt.datetime,
                location: str, description: str) -> pb.TrackingEvent:
    return pb.TrackingEvent(event_id=event_id, milestone=milestone,  # type: ignore[arg-type]
                            occur_time=timestamp(occurred_at), location=location,
                            description=description)

