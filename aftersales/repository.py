"""Applications in after-sales' database, and its unit of work.

``Applications`` loads and saves ``Application`` aggregates: ``get`` /
``get_for_update`` (row-locked on PostgreSQL: consumers and timers wait for
each other instead of failing), ``add`` and ``save`` behind an optimistic
version check (an application saved meanwhile is not written: ABORTED
``CONCURRENT_APPLICATION_CHANGE``). On ``add`` and ``save`` the application's
recorded events (``ApplicationChanged``, built by ``aftersales.views``), its
deadline changes and an audit entry go to the unit of work, which writes
them at commit. The in-memory twins are in ``aftersales.fakes``.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales import store as t
from aftersales import views
from aftersales.application import Application, E, StatusChanged
from zhongtai.aftersales.v1 import aftersales_pb2 as pb
from zhongtai.db import Database, compare_and_set, insert_ignore
from zhongtai.errors import ZhongtaiError
from zhongtai.idempotency import KeyStore, SqlKeyStore
from zhongtai.uow import SqlUnitOfWork, UnitOfWork

# The audit trail's resource type (resource id: the application id).
AUDIT_APPLICATION = "application"

Clock = Callable[[], dt.datetime]


def not_found(application_id: str) -> ZhongtaiError:
    """NOT_FOUND ``APPLICATION_NOT_FOUND``."""
    return E(pb.ERROR_REASON_APPLICATION_NOT_FOUND,
             f"application {application_id!r} does not exist",
             metadata={"application_id": application_id})


def concurrent_change(application_id: str) -> ZhongtaiError:
    """ABORTED ``CONCURRENT_APPLICATION_CHANGE``: saved meanwhile by someone else."""
    return E(pb.ERROR_REASON_CONCURRENT_APPLICATION_CHANGE,
             f"application {application_id} changed concurrently; retry",
             metadata={"application_id": application_id})


@dataclass(frozen=True)
class Filter:
    """Which applications a listing shows (every given filter applies),
    newest first, with ids below ``before``."""

    buyer_id: str = ""
    seller_id: str = ""
    order_id: str = ""
    statuses: tuple[int, ...] = ()
    before: str | None = None
    limit: int = 50

    def admits(self, app: Application) -> bool:
        return ((not self.buyer_id or app.buyer_id == self.buyer_id)
                and (not self.seller_id or app.seller_id == self.seller_id)
                and (not self.order_id or app.order_id == self.order_id)
                and (not self.statuses or app.status in self.statuses)
                and (self.before is None or app.application_id < self.before))


class Applications(abc.ABC):
    """The repository contract (SQL here, in memory in ``aftersales.fakes``)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    async def get(self, application_id: str) -> Application:
        """The application, or NOT_FOUND."""
        app = await self.find(application_id)
        if app is None:
            raise not_found(application_id)
        return app

    async def get_for_update(self, application_id: str) -> Application:
        """``get`` with the row locked until the unit of work ends."""
        app = await self.find(application_id, lock=True)
        if app is None:
            raise not_found(application_id)
        return app

    @abc.abstractmethod
    async def find(self, application_id: str, *, lock: bool = False) -> Application | None:
        """The application, or None."""

    @abc.abstractmethod
    async def by_refund(self, refund_id: str) -> str | None:
        """The id of the application one of payment's refunds belongs to."""

    @abc.abstractmethod
    async def page(self, which: Filter) -> list[Application]:
        """The listed applications, newest first."""

    @abc.abstractmethod
    async def add(self, app: Application) -> None:
        """Write a new application (version 1); hand its events and deadlines over."""

    @abc.abstractmethod
    async def save(self, app: Application) -> None:
        """Write it behind the version check; hand its events and deadlines over."""

    def _hand_over(self, app: Application) -> None:
        events, deadlines = app.pull()
        for event in events:
            assert isinstance(event, StatusChanged)
            self.uow.emit(views.application_changed(app, event), app.application_id)
        self.uow.schedule(deadlines)
        last = app.history[-1] if app.history else None
        self.uow.audit(AUDIT_APPLICATION, app.application_id, views.audit_detail(app, last))


class AfterSalesUnitOfWork(UnitOfWork):
    """after-sales' unit of work: ``applications`` and ``keys`` (request ids)."""

    applications: Applications
    keys: KeyStore


class SqlApplications(Applications):
    uow: SqlAfterSalesUnitOfWork

    @property
    def _s(self) -> AsyncSession:
        return self.uow.session

    async def find(self, application_id: str, *, lock: bool = False) -> Application | None:
        query = select(t.applications).where(t.applications.c.application_id == application_id)
        if lock:
            query = query.with_for_update()
        row = (await self._s.execute(query)).first()
        return t.from_row(row) if row is not None else None

    async def by_refund(self, refund_id: str) -> str | None:
        r = t.application_refunds.c
        found = (await self._s.execute(select(r.application_id)
                                       .where(r.refund_id == refund_id))).scalar()
        return str(found) if found is not None else None

    async def page(self, which: Filter) -> list[Application]:
        a = t.applications.c
        query = select(t.applications).order_by(a.application_id.desc()).limit(which.limit)
        for column, value in ((a.buyer_id, which.buyer_id), (a.seller_id, which.seller_id),
                              (a.order_id, which.order_id)):
            if value:
                query = query.where(column == value)
        if which.statuses:
            query = query.where(a.status.in_(list(which.statuses)))
        if which.before:
            query = query.where(a.application_id < which.before)
        return [t.from_row(r) for r in (await self._s.execute(query)).all()]

    async def add(self, app: Application) -> None:
        await self._s.execute(t.applications.insert().values(**t.to_row(app), version=1))
        app.version = 1
        await self._index_refunds(app)
        self._hand_over(app)

    async def save(self, app: Application) -> None:
        a = t.applications.c
        if not await compare_and_set(self._s, update(t.applications).where(
                a.application_id == app.application_id, a.version == app.version)
                .values(**t.to_row(app), version=a.version + 1)):
            raise concurrent_change(app.application_id)
        app.version += 1
        await self._index_refunds(app)
        self._hand_over(app)

    async def _index_refunds(self, app: Application) -> None:
        for part in app.refund.parts:
            if part.refund_id:
                await self._s.execute(insert_ignore(self.uow.db.dialect, t.application_refunds)
                                      .values(refund_id=part.refund_id,
                                              application_id=app.application_id))


class SqlAfterSalesUnitOfWork(SqlUnitOfWork, AfterSalesUnitOfWork):
    """One transaction on after-sales' database, or a part of an open one
    (a consumer's, a timer's: see ``SqlUnitOfWork``)."""

    def __init__(self, db: Database, session: AsyncSession | None = None) -> None:
        super().__init__(db, session)
        self.applications = SqlApplications(self)
        self.keys = SqlKeyStore(self)


def listed_ids(apps: Sequence[Application]) -> list[str]:
    return [a.application_id for a in apps]


UnitOfWorkFactory = Callable[[], AfterSalesUnitOfWork]


async def change(uow: AfterSalesUnitOfWork, application_id: str,
                 act: Callable[[Application], None]) -> Application:
    """A change of one application in ``uow``: loaded for update, changed by
    ``act`` (its checks included: a refusal saves nothing), saved; returned
    as it is now."""
    app = await uow.applications.get_for_update(application_id)
    act(app)
    await uow.applications.save(app)
    return app
