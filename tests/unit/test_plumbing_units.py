from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from random import Random

import pytest
from sqlalchemy import Column, String, Table, select, text

from zhongtai import pagination
from zhongtai.db import Database, new_metadata, plumbing_tables
from zhongtai.errors import (
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    NotFound,
    PreconditionViolation,
    error_from_dict,
    error_to_dict,
)
from zhongtai.events import topic_matches
from zhongtai.grpcserver import to_status
from zhongtai.idempotency import request_hash
from zhongtai.ids import new_id
from zhongtai.trade.v1 import trade_pb2 as pb


def test_ids_are_unique_sortable_and_26_chars() -> None:
    ids = [new_id() for _ in range(5000)]
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)
    assert all(len(i) == 26 for i in ids)


@pytest.mark.parametrize(("pattern", "key", "ok"), [
    ("trade.order.*", "trade.order.created", True),
    ("trade.order.*", "trade.order.created.x", False),
    ("trade.#", "trade.order.created", True),
    ("#", "anything.at.all", True),
    ("trade.*.cancelled", "trade.order.cancelled", True),
    ("trade.order.created", "trade.order.cancelled", False),
    ("trade.#.cancelled", "trade.cancelled", True),
])
def test_topic_matching_follows_amqp(pattern: str, key: str, ok: bool) -> None:
    assert topic_matches(pattern, key) is ok


def test_page_tokens_round_trip_and_are_bound_to_the_query() -> None:
    token = pagination.encode_token("01ABC", "orders:b1")
    assert pagination.decode_token(token, "orders:b1") == "01ABC"
    with pytest.raises(InvalidArgument):
        pagination.decode_token(token, "orders:b2")
    with pytest.raises(InvalidArgument):
        pagination.decode_token("!!not-a-token", "orders:b1")
    assert pagination.page_size(0) == pagination.DEFAULT_PAGE_SIZE
    assert pagination.page_size(10**6) == pagination.MAX_PAGE_SIZE
    with pytest.raises(InvalidArgument):
        pagination.page_size(-1)


async def test_a_page_walks_a_query_in_key_order_either_way(tmp_path: Path) -> None:
    metadata = new_metadata()
    things = Table("things", metadata, Column("thing_id", String(8), primary_key=True),
                   Column("kind", String(8), nullable=False))
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/p.db", metadata, plumbing_tables(metadata))
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    try:
        async with db.transaction() as s:
            await s.execute(things.insert(), [{"thing_id": f"t{i}", "kind": "ab"[i % 2]}
                                              for i in range(7)])
            query = select(things).where(things.c.kind == "a")  # t0 t2 t4 t6
            for descending, expected in ((False, ["t0", "t2", "t4", "t6"]),
                                         (True, ["t6", "t4", "t2", "t0"])):
                seen, token = [], ""
                while True:
                    request = pb.ListOrdersRequest(page_size=3, page_token=token)
                    rows, token = await pagination.page(s, query, things.c.thing_id, request,
                                                        "things:a", descending=descending)
                    seen.append([r.thing_id for r in rows])
                    if not token:
                        break
                assert seen == [expected[:3], expected[3:]]
            with pytest.raises(InvalidArgument):  # a token of another query
                await pagination.page(s, query, things.c.thing_id, pb.ListOrdersRequest(
                    page_token=pagination.encode_token("t0", "things:b")), "things:a")
    finally:
        await db.dispose()


def test_request_hash_ignores_request_id_only() -> None:
    a = pb.CreateOrderRequest(request_id="r1", buyer_id="b")
    b = pb.CreateOrderRequest(request_id="r2", buyer_id="b")
    c = pb.CreateOrderRequest(request_id="r1", buyer_id="c")
    assert request_hash(a) == request_hash(b) != request_hash(c)


@pytest.mark.parametrize("error", [
    InvalidArgument([FieldViolation("lines[0].quantity", "must be positive")]),
    FailedPrecondition("OUT_OF_STOCK", "no stock", [PreconditionViolation("STOCK", "skus/x", "0")],
                       {"order_id": "o"}),
    NotFound("ORDER_NOT_FOUND", "nope", {"order_id": "o"}),
])
def test_errors_survive_a_round_trip_for_replay(error: Exception) -> None:
    back = error_from_dict(error_to_dict(error))  # type: ignore[arg-type]
    assert type(back) is type(error)
    assert error_to_dict(back) == error_to_dict(error)  # type: ignore[arg-type]


def test_status_carries_error_info_and_field_violations() -> None:
    from google.rpc import code_pb2, error_details_pb2

    status = to_status(InvalidArgument([FieldViolation("buyer_id", "is required")]))
    assert status.code == code_pb2.INVALID_ARGUMENT
    info, bad = error_details_pb2.ErrorInfo(), error_details_pb2.BadRequest()
    assert status.details[0].Unpack(info) and info.reason == "INVALID_ARGUMENT"
    assert info.domain == "zhongtai.dev"
    assert status.details[1].Unpack(bad)
    assert bad.field_violations[0].field == "buyer_id"


def test_a_subset_of_services_needs_a_broker_and_keys_of_its_own(tmp_path: Path) -> None:
    from tests.e2e.support import key_files
    from zhongtai.auth import load_or_create_dev_key
    from zhongtai.config import Settings
    from zhongtai.runtime import Runtime

    with pytest.raises(ValueError, match="shared broker"):
        Runtime(Settings(data_dir=tmp_path), ["trade"])
    amqp = "amqp://guest:guest@127.0.0.1:5672/"
    with pytest.raises(ValueError, match="needs its keys"):
        Runtime(Settings(broker_url=amqp, data_dir=tmp_path), ["trade"])
    env, _ = key_files(tmp_path)
    Runtime(Settings.load(environ={**env, "ZHONGTAI_BROKER_URL": amqp}), ["trade"])  # accepted
    dev = tmp_path / "dev"
    load_or_create_dev_key(dev)
    with pytest.raises(ValueError, match="development signing key"):
        Runtime(Settings.load(environ={
            "ZHONGTAI_BROKER_URL": amqp,
            "ZHONGTAI_AUTH_SIGNING_KEY_FILE": str(dev / "dev-signing-key.pem"),
            "ZHONGTAI_AUTH_PUBLIC_KEY_FILES": env["ZHONGTAI_AUTH_PUBLIC_KEY_FILES"]}), ["trade"])
    Runtime(Settings(data_dir=tmp_path))  # all services in one process: the dev key
    assert (tmp_path / "dev-signing-key.pem").exists()


def test_settings_from_file_and_environment(tmp_path: object) -> None:
    from pathlib import Path

    from trade.settings import TradeSettings
    from zhongtai.config import Settings

    path = Path(str(tmp_path)) / "z.toml"
    path.write_text('listen = "0.0.0.0:6000"\ndatabase_url = "postgresql+asyncpg://h/{service}"\n'
                    '[endpoints]\ncatalog = "cat:1"\n[trade]\npay_timeout_seconds = 60\n')
    s = Settings.load(path, environ={"ZHONGTAI_DATABASE_URL_TRADE": "sqlite+aiosqlite:///t.db",
                                     "ZHONGTAI_TRADE_ROLLBACK_AFTER_SECONDS": "5"})
    assert s.listen == "0.0.0.0:6000"
    assert s.database_url_for("catalog") == "postgresql+asyncpg://h/catalog"
    assert s.database_url_for("trade") == "sqlite+aiosqlite:///t.db"
    assert s.endpoint_for("catalog") == "cat:1"
    assert s.endpoint_for("trade") == "127.0.0.1:6000"
    trade = s.section("trade", TradeSettings)
    assert (trade.pay_timeout_seconds, trade.rollback_after_seconds) == (60.0, 5.0)
    given = TradeSettings(pay_timeout_seconds=1)
    assert Settings(sections={"trade": given}).section("trade", TradeSettings) is given
    with pytest.raises(ValueError, match="unknown"):
        Settings(file_sections={"trade": {"nope": 1}}).section("trade", TradeSettings)
    secret = Path(str(tmp_path)) / "timeout"
    secret.write_text("42\n")
    from_file = Settings.load(environ={"ZHONGTAI_TRADE_PAY_TIMEOUT_SECONDS_FILE": str(secret)})
    assert from_file.section("trade", TradeSettings).pay_timeout_seconds == 42.0
    default = Settings.load(environ={})
    assert default.database_url_for("trade") == "sqlite+aiosqlite:///data/trade.db"
    assert default.broker_url == "memory"


def test_downstream_calls_inherit_the_callers_deadline() -> None:
    from zhongtai.grpcclient import call_timeout

    assert call_timeout(10.0, None) == 10.0
    assert call_timeout(10.0, 2.0) == pytest.approx(1.95)
    assert call_timeout(1.0, 30.0) == 1.0
    assert call_timeout(10.0, 0.01) == 0.001


async def test_a_transaction_cancelled_midway_never_leaves_the_sqlite_file_locked(
        tmp_path: Path) -> None:
    """A server stopping cancels relays and consumers mid-commit; after its
    databases are disposed, the next engine on the same file must be able to
    write (Python's sqlite3 used to keep such a connection, with its write
    lock, until its statements were garbage collected)."""
    path = tmp_path / "db.sqlite"
    metadata = new_metadata()
    plumbing = plumbing_tables(metadata)

    async def write_forever(db: Database) -> None:
        while True:
            async with db.transaction() as s:
                await s.execute(text("INSERT INTO t (x) VALUES (1)"))
                await s.execute(text("SELECT count(*) FROM t"))

    random = Random(7)
    for _ in range(60):
        db = Database(f"sqlite+aiosqlite:///{path}", metadata, plumbing)
        async with db.transaction() as s:
            await s.execute(text("CREATE TABLE IF NOT EXISTS t (x INTEGER)"))
        tasks = [asyncio.create_task(write_forever(db)) for _ in range(2)]
        await asyncio.sleep(random.random() * 0.02)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await db.dispose()
        other = sqlite3.connect(path, timeout=0.5, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # "database is locked" before the fix
            other.execute("ROLLBACK")
        finally:
            other.close()
