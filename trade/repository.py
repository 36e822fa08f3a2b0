"""Orders in trade's database, and trade's unit of work.

``SqlOrders`` keeps Order aggregates in their rows (``trade.rows``) —
``biz_orders`` (the top-level order, and its sub orders), ``pay_orders``,
``log_orders``, ``order_deductions``, ``vouchers`` and ``refund_claims``:

* ``get`` / ``find`` load the order an id names (a sub order's id loads its
  main order: the aggregate is always top-level); ``get_for_update`` locks
  the top-level row first (``SELECT ... FOR UPDATE`` on PostgreSQL), so
  consumers and timers wait for each other instead of failing;
* ``add`` inserts every row; ``save`` writes what changed since the order was
  loaded, behind an optimistic check on the top-level row
  (``UPDATE ... SET version = version + 1 WHERE version = :loaded``): an
  order someone else saved meanwhile is not written and the unit of work
  rolls back (ABORTED ``CONCURRENT_ORDER_CHANGE``);
* on ``add`` and ``save`` the order's recorded events (mapped to integration
  events by ``trade.views``) and deadlines go to the unit of work, which
  writes them to the outbox and the timers at commit.

``SqlTradeUnitOfWork`` is one transaction exposing ``orders`` and ``keys``
(idempotency records); it can also join a transaction already open (a
consumer's or a timer's, an idempotent RPC's). The in-memory twins are in
``trade.fakes``.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from trade import store as t
from trade import views
from trade.order import E, Order
from trade.order.events import DomainEvent
from trade.rows import Related, Rows, from_rows, group, to_rows
from zhongtai.db import Database, compare_and_set
from zhongtai.errors import ZhongtaiError
from zhongtai.idempotency import KeyStore, SqlKeyStore
from zhongtai.trade.v1 import trade_pb2 as pb
from zhongtai.uow import SqlUnitOfWork, UnitOfWork

# The audit trail's resource type for orders (resource id: the top-level order).
AUDIT_ORDER = "order"


def not_found(order_id: str) -> ZhongtaiError:
    """NOT_FOUND ``ORDER_NOT_FOUND``."""
    return E(pb.ERROR_REASON_ORDER_NOT_FOUND, f"order {order_id!r} does not exist",
             metadata={"order_id": order_id})


def concurrent_change(order_id: str) -> ZhongtaiError:
    """ABORTED ``CONCURRENT_ORDER_CHANGE``: saved meanwhile by someone else."""
    return E(pb.ERROR_REASON_CONCURRENT_ORDER_CHANGE,
             f"order {order_id} changed concurrently; retry", metadata={"order_id": order_id})


@dataclass(frozen=True)
class Page:
    """Which orders a listing shows: a buyer's top-level orders or a seller's
    single and sub orders, newest first, in some statuses (all if empty),
    with ids below ``before``."""

    buyer_id: str = ""
    seller_id: str = ""
    statuses: tuple[int, ...] = ()
    before: str | None = None
    limit: int = 50


class Orders(abc.ABC):
    """The repository contract (SQL here, in memory in ``trade.fakes``)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    async def get(self, order_id: str) -> Order:
        """The order ``order_id`` names (a sub order: its main order); NOT_FOUND."""
        order = await self.find(order_id)
        if order is None:
            raise not_found(order_id)
        return order

    async def get_for_update(self, order_id: str) -> Order:
        """``get`` with the top-level row locked until the unit of work ends."""
        order = await self.find(order_id, lock=True)
        if order is None:
            raise not_found(order_id)
        return order

    @abc.abstractmethod
    async def find(self, order_id: str, *, lock: bool = False) -> Order | None:
        """The order ``order_id`` names (a sub order: its main order), or None."""

    @abc.abstractmethod
    async def by_pay_orders(self, pay_order_ids: Sequence[str], *, lock: bool = False
                            ) -> dict[str, Order]:
        """The orders of these pay orders, by pay order id (unknown ones absent)."""

    @abc.abstractmethod
    async def by_log_order(self, log_order_id: str, *, lock: bool = False) -> Order | None:
        """The order of this log order, or None."""

    @abc.abstractmethod
    async def by_voucher(self, code: str, *, lock: bool = False) -> Order | None:
        """The order of this voucher code, or None."""

    @abc.abstractmethod
    async def by_application(self, application_id: str, *, lock: bool = False
                             ) -> Order | None:
        """The order of this refund claim (after-sales' application), or None."""

    @abc.abstractmethod
    async def page(self, page: Page) -> list[tuple[Order, str]]:
        """The listed orders: each with the id of the row listed (the order
        itself, or one of its sub orders for a seller)."""

    @abc.abstractmethod
    async def taken_codes(self, codes: Iterable[str]) -> set[str]:
        """Which of these voucher codes exist already."""

    @abc.abstractmethod
    async def add(self, order: Order) -> None:
        """Write a new order (version 1); hand its events and deadlines over."""

    @abc.abstractmethod
    async def save(self, order: Order) -> None:
        """Write what changed behind the version check; hand events and deadlines over."""

    def publish(self, event: DomainEvent) -> None:
        """Hand one domain event to the unit of work as its integration event."""
        self.uow.emit(views.event_message(event), event.aggregate_id)

    def _hand_over(self, order: Order, changed: bool, before: int | None) -> None:
        """Hand the order's events and deadlines to the unit of work, and
        record the change (if any) in the audit trail (``AUDIT_ORDER``, the
        top-level order's id; ``before``: its status as loaded, None if new)."""
        events, deadlines = order.pull()
        for event in events:
            self.publish(event)  # type: ignore[arg-type]
        self.uow.schedule(deadlines)
        if changed or events:
            self.uow.audit(AUDIT_ORDER, order.order_id,
                           views.audit_detail(order, before, events))  # type: ignore[arg-type]


# The time, read by a use case once it holds the order (its lock), so the
# times it writes and publishes follow the order in which changes commit.
Clock = Callable[[], dt.datetime]


class TradeUnitOfWork(UnitOfWork):
    """trade's unit of work: one transaction exposing ``orders`` and ``keys``
    (the request ids; ``SqlTradeUnitOfWork``; ``trade.fakes.InMemoryTradeUnitOfWork``)."""

    orders: Orders
    keys: KeyStore


class SqlOrders(Orders):
    """Orders in trade's database, in the unit of work's transaction."""

    uow: SqlTradeUnitOfWork

    def __init__(self, uow: SqlTradeUnitOfWork) -> None:
        super().__init__(uow)
        # The rows of each order as this unit of work loaded or wrote them.
        self._seen: dict[str, Rows] = {}

    @property
    def _s(self) -> AsyncSession:
        return self.uow.session

    async def _scalars(self, query: Any) -> list[str]:
        return [str(x) for x in (await self._s.execute(query)).scalars()]

    async def _load(self, top_ids: Sequence[str], *, lock: bool = False) -> list[Order]:
        """The orders of these top-level ids (in that order; unknown ones left out)."""
        if not top_ids:
            return []
        o = t.biz_orders.c
        query = select(t.biz_orders).where(o.order_id.in_(top_ids))
        if lock:
            query = query.order_by(o.order_id).with_for_update()
        tops = {r.order_id: r for r in (await self._s.execute(query)).all()}
        main_ids = [r.order_id for r in tops.values() if r.is_main]
        subs = list((await self._s.execute(select(t.biz_orders).where(
            o.parent_id.in_(main_ids)).order_by(o.order_id))).all()) if main_ids else []
        line_ids = [r.order_id for r in tops.values()] + [x.order_id for x in subs]
        d, v = t.order_deductions.c, t.vouchers.c
        related = Related(
            subs=group(subs, "parent_id"),
            pay=group((await self._s.execute(select(t.pay_orders).where(
                t.pay_orders.c.order_id.in_(list(tops))))).all(), "order_id"),
            log={r.order_id: r for r in (await self._s.execute(select(t.log_orders).where(
                t.log_orders.c.order_id.in_(line_ids)))).all()},
            deductions=group((await self._s.execute(select(t.order_deductions).where(
                d.order_id.in_(line_ids)).order_by(d.order_id, d.seq))).all(), "order_id"),
            vouchers=group((await self._s.execute(select(t.vouchers).where(
                v.order_id.in_(list(tops))).order_by(v.code))).all(), "line_order_id"),
            claims=group((await self._s.execute(select(t.refund_claims).where(
                t.refund_claims.c.order_id.in_(list(tops))))).all(), "order_id"))
        orders = [from_rows(tops[x], related) for x in top_ids if x in tops]
        for order in orders:
            self._seen[order.order_id] = to_rows(order)
        return orders

    async def _one(self, top_id: str | None, lock: bool) -> Order | None:
        found = await self._load([top_id], lock=lock) if top_id else []
        return found[0] if found else None

    async def find(self, order_id: str, *, lock: bool = False) -> Order | None:
        o = t.biz_orders.c
        top = await self._scalars(select(func.coalesce(o.parent_id, o.order_id))
                                  .where(o.order_id == order_id))
        return await self._one(top[0] if top else None, lock)

    async def by_pay_orders(self, pay_order_ids: Sequence[str], *, lock: bool = False
                            ) -> dict[str, Order]:
        p = t.pay_orders.c
        owners = {r.pay_order_id: r.order_id for r in (await self._s.execute(
            select(p.pay_order_id, p.order_id).where(p.pay_order_id.in_(pay_order_ids)))).all()}
        orders = {x.order_id: x for x in await self._load(sorted(set(owners.values())),
                                                            lock=lock)}
        return {po: orders[oid] for po, oid in owners.items() if oid in orders}

    async def by_log_order(self, log_order_id: str, *, lock: bool = False) -> Order | None:
        line = await self._scalars(select(t.log_orders.c.order_id)
                                   .where(t.log_orders.c.log_order_id == log_order_id))
        return await self.find(line[0], lock=lock) if line else None

    async def by_voucher(self, code: str, *, lock: bool = False) -> Order | None:
        top = await self._scalars(select(t.vouchers.c.order_id).where(t.vouchers.c.code == code))
        return await self._one(top[0] if top else None, lock)

    async def by_application(self, application_id: str, *, lock: bool = False
                             ) -> Order | None:
        top = await self._scalars(select(t.refund_claims.c.order_id).where(
            t.refund_claims.c.application_id == application_id))
        return await self._one(top[0] if top else None, lock)

    async def page(self, page: Page) -> list[tuple[Order, str]]:
        o = t.biz_orders.c
        q = select(o.order_id, o.parent_id).order_by(o.order_id.desc()).limit(page.limit)
        if page.buyer_id:
            q = q.where(o.buyer_id == page.buyer_id, o.parent_id.is_(None))
        else:
            q = q.where(o.seller_id == page.seller_id, o.is_main.is_(False))
        if page.statuses:
            q = q.where(o.status.in_(list(page.statuses)))
        if page.before:
            q = q.where(o.order_id < page.before)
        rows = (await self._s.execute(q)).all()
        tops = [r.parent_id or r.order_id for r in rows]
        orders = {x.order_id: x for x in await self._load(list(dict.fromkeys(tops)))}
        return [(orders[top], r.order_id) for top, r in zip(tops, rows, strict=True)]

    async def taken_codes(self, codes: Iterable[str]) -> set[str]:
        wanted = sorted(set(codes))
        taken: set[str] = set()
        for i in range(0, len(wanted), 500):
            taken |= set(await self._scalars(select(t.vouchers.c.code).where(
                t.vouchers.c.code.in_(wanted[i:i + 500]))))
        return taken

    async def add(self, order: Order) -> None:
        rows = to_rows(order)
        await self._s.execute(t.biz_orders.insert(),
                              [{**r, "version": 1} for r in rows.biz.values()])
        await self._s.execute(t.pay_orders.insert(), list(rows.pay.values()))
        for table, values in ((t.log_orders, list(rows.log.values())),
                              (t.order_deductions, rows.deductions),
                              (t.vouchers, list(rows.vouchers.values())),
                              (t.refund_claims, list(rows.claims.values()))):
            if values:
                await self._s.execute(table.insert(), values)
        order.version = 1
        self._seen[order.order_id] = rows
        self._hand_over(order, True, None)

    async def save(self, order: Order) -> None:
        rows = to_rows(order)
        seen = self._seen.get(order.order_id, Rows())
        changed = _changed(rows, seen)
        if changed:
            await self._write(order, rows, seen)
        self._seen[order.order_id] = rows
        before = seen.biz.get(order.order_id, {}).get("status")
        self._hand_over(order, changed, before)

    async def _write(self, order: Order, rows: Rows, seen: Rows) -> None:
        b = t.biz_orders.c
        top = rows.biz[order.order_id]
        if not await compare_and_set(self._s, update(t.biz_orders).where(
                b.order_id == order.order_id, b.version == order.version)
                .values(**top, version=b.version + 1)):
            raise concurrent_change(order.order_id)
        order.version += 1
        for key, row in rows.biz.items():
            if key != order.order_id and row != seen.biz.get(key):
                await self._s.execute(update(t.biz_orders).where(b.order_id == key)
                                      .values(**row, version=b.version + 1))
        await self._update(t.pay_orders.c.pay_order_id, rows.pay, seen.pay)
        await self._update(t.log_orders.c.log_order_id, rows.log, seen.log)
        new = [r for code, r in rows.vouchers.items() if code not in seen.vouchers]
        if new:
            await self._s.execute(t.vouchers.insert(), new)
        await self._update(t.vouchers.c.code, {k: r for k, r in rows.vouchers.items()
                                               if k in seen.vouchers}, seen.vouchers)
        claims = [r for k, r in rows.claims.items() if k not in seen.claims]
        if claims:
            await self._s.execute(t.refund_claims.insert(), claims)
        await self._update(t.refund_claims.c.application_id,
                           {k: r for k, r in rows.claims.items() if k in seen.claims},
                           seen.claims)

    async def _update(self, key: Any, rows: dict[str, dict[str, Any]],
                      seen: dict[str, dict[str, Any]]) -> None:
        for k, row in rows.items():
            if row != seen.get(k):
                await self._s.execute(update(key.table).where(key == k).values(**row))


def _changed(rows: Rows, seen: Rows) -> bool:
    return (rows.biz, rows.pay, rows.log, rows.vouchers, rows.claims) != (
        seen.biz, seen.pay, seen.log, seen.vouchers, seen.claims)


class SqlTradeUnitOfWork(SqlUnitOfWork, TradeUnitOfWork):
    """One transaction on trade's database, or a part of an open one (a
    consumer's, a timer's, an idempotent RPC's: see ``SqlUnitOfWork``)."""

    def __init__(self, db: Database, session: AsyncSession | None = None) -> None:
        super().__init__(db, session)
        self.orders = SqlOrders(self)
        self.keys = SqlKeyStore(self)
