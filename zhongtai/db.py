"""Database plumbing: engines, the unit of work, and the plumbing tables.

Each service owns one database (a SQLite file, or a PostgreSQL database) and
one ``MetaData``; ``plumbing_tables`` adds to it the tables every service needs:
``outbox`` (events written in the business transaction), ``inbox`` (event ids
consumed, written in the consumer's transaction), ``timers`` (durable
deadlines), ``idempotency`` (request ids and the responses they got) and
``audit_log`` (who changed what, ``zhongtai.audit``).

SQLite (aiosqlite): WAL, foreign keys on, one pooled connection per database
(transactions queue fairly in the pool), and every transaction starts with
``BEGIN IMMEDIATE``, so writers serialize instead of failing on lock upgrade.
Never open a second transaction on the same database inside a first one.
PostgreSQL (asyncpg): READ COMMITTED with row locks, compare-and-set updates
and ``FOR UPDATE SKIP LOCKED`` where rows are claimed.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Dialect,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    event,
    make_url,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.sql import Executable

from zhongtai.errors import Reasons

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite stores naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use zhongtai.db.utcnow()")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


@dataclass(frozen=True)
class PlumbingTables:
    outbox: Table
    inbox: Table
    timers: Table
    idempotency: Table
    audit: Table


def plumbing_tables(metadata: MetaData) -> PlumbingTables:
    outbox = Table(
        "outbox",
        metadata,
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
               autoincrement=True),
        Column("event_id", String(26), nullable=False, unique=True),
        Column("routing_key", String(200), nullable=False),
        Column("event_type", String(200), nullable=False),
        Column("payload", LargeBinary, nullable=False),
        Column("aggregate_id", String(64), nullable=False, default=""),
        Column("created_at", UTCDateTime, nullable=False),
        Column("attempts", Integer, nullable=False, default=0),
        # A relay holds a row until this time while publishing it (a lease).
        Column("available_at", UTCDateTime, nullable=False),
        Column("sent_at", UTCDateTime),
        Column("last_error", Text),
    )
    Index("ix_outbox_pending", outbox.c.sent_at, outbox.c.available_at, outbox.c.id)
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", String(64), primary_key=True),
        Column("event_type", String(200), nullable=False),
        Column("processed_at", UTCDateTime, nullable=False),
    )
    timers = Table(
        "timers",
        metadata,
        Column("kind", String(100), primary_key=True),
        Column("key", String(100), primary_key=True),
        Column("due_at", UTCDateTime, nullable=False),
        Column("payload", Text, nullable=False, default="{}"),
        # PENDING -> FIRED | CANCELLED
        Column("status", String(16), nullable=False),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", Text),
        Column("created_at", UTCDateTime, nullable=False),
        Column("fired_at", UTCDateTime),
    )
    Index("ix_timers_due", timers.c.status, timers.c.due_at)
    idempotency = Table(
        "idempotency",
        metadata,
        Column("scope", String(100), primary_key=True),
        Column("key", String(200), primary_key=True),
        Column("request_hash", String(64), nullable=False),
        # What the first request got: a serialized response message, or a
        # serialized google.rpc.Status for an error. Both empty while the
        # first request is still in progress (a saga).
        Column("response", LargeBinary),
        Column("error", LargeBinary),
        Column("resource_id", String(64), nullable=False, default=""),
        Column("created_at", UTCDateTime, nullable=False),
    )
    audit = Table(
        "audit_log",
        metadata,
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
               autoincrement=True),
        Column("occurred_at", UTCDateTime, nullable=False),
        Column("subject", String(128), nullable=False),
        Column("role", String(16), nullable=False),
        Column("app", String(128), nullable=False, default=""),
        Column("action", String(200), nullable=False),
        Column("resource_type", String(64), nullable=False),
        Column("resource_id", String(128), nullable=False),
        Column("detail", Text, nullable=False, default=""),
    )
    Index("ix_audit_log_resource", audit.c.resource_type, audit.c.resource_id, audit.c.id)
    return PlumbingTables(outbox, inbox, timers, idempotency, audit)


class _SQLiteConnection(sqlite3.Connection):
    """Rolls back an open transaction before closing.

    A task cancelled in the middle of a transaction (a server stopping while
    a relay or consumer commits) can leave a statement unfinalized; Python's
    sqlite3 then only marks the connection closed and SQLite keeps it, with
    its write lock, until every statement is freed, so another engine or
    process on the same file fails with "database is locked". A ROLLBACK
    first releases the lock whatever is still referenced.
    """

    def close(self) -> None:
        try:
            if self.in_transaction:
                self.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        super().close()


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(url: str) -> AsyncEngine:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        # One connection per database: SQLite has one writer anyway, and
        # waiting in the pool's FIFO queue is fair, where SQLite's busy
        # handler (sleeps of up to 100 ms) gave multi-second tails under load.
        engine = create_async_engine(url, connect_args={"timeout": 30,
                                                        "factory": _SQLiteConnection},
                                     pool_size=1,
                                     max_overflow=0, pool_timeout=60)
        _configure_sqlite(engine)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


# A service's ErrorReason enum and one of its values.
Reason = tuple[Reasons, int]


async def fetch_one(session: AsyncSession, column: Column[Any], value: Any, what: str, *,
                    reason: Reason, lock: bool = False) -> Any:
    """The row of ``column``'s table where ``column == value``, or the
    NOT_FOUND ``reason`` (e.g. ``(E, pb.ERROR_REASON_COUPON_TEMPLATE_NOT_FOUND)``)
    with the column in its metadata."""
    query = select(column.table).where(column == value)
    if lock:
        query = query.with_for_update()
    row = (await session.execute(query)).first()
    if row is None:
        reasons, not_found = reason
        raise reasons(not_found, f"{what} {value!r} does not exist",
                      metadata={column.name: str(value)})
    return row


async def ensure_absent(session: AsyncSession, column: Column[Any], value: Any,
                        what: str, *, reason: Reason) -> None:
    """The ALREADY_EXISTS ``reason`` (e.g. ``(E, pb.ERROR_REASON_COUPON_TEMPLATE_EXISTS)``)
    if a row has that key."""
    if (await session.execute(select(column).where(column == value))).first():
        reasons, exists = reason
        raise reasons(exists, f"{what} {value} already exists",
                      metadata={column.name: str(value)})


def rows_changed(result: Result[Any]) -> int:
    """How many rows an INSERT, UPDATE or DELETE changed."""
    return int(cast("CursorResult[Any]", result).rowcount)


async def changed(session: AsyncSession, statement: Executable) -> int:
    """Run a write; how many rows it changed."""
    return rows_changed(await session.execute(statement))


async def compare_and_set(session: AsyncSession, statement: Executable) -> bool:
    """Run a write guarded by its WHERE clause (``UPDATE ... WHERE status =
    :expected``, ``... WHERE available >= :n``); whether exactly one row
    changed. The one way to express a compare-and-set."""
    return await changed(session, statement) == 1


def insert_ignore(dialect_name: str, table: Table) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING`` for the session's backend."""
    module = postgresql if dialect_name == "postgresql" else sqlite
    return module.insert(table).on_conflict_do_nothing()


class Database:
    """One service's database: engine, sessions, plumbing tables."""

    def __init__(self, url: str, metadata: MetaData, plumbing: PlumbingTables) -> None:
        self.url = url
        self.engine = create_engine(url)
        self.metadata = metadata
        self.plumbing = plumbing
        self.dialect = self.engine.dialect.name
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # Called after a commit that wrote outbox rows (wakes the relay).
        self.on_outbox_commit: list[Callable[[], None]] = []
        self.on_timer_commit: list[Callable[[], None]] = []

    @property
    def supports_skip_locked(self) -> bool:
        return self.dialect == "postgresql"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session in one transaction: committed on exit, rolled back on error."""
        async with self.sessions() as session, session.begin():
            yield session
        if session.info.pop("outbox_written", False):
            for wake in self.on_outbox_commit:
                wake()
        if session.info.pop("timer_armed", False):
            for wake in self.on_timer_commit:
                wake()

    async def dispose(self) -> None:
        await self.engine.dispose()
