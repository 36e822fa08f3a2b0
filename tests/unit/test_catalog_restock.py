"""catalog's consumers on a SQLite database of its own: on
trade.order.cancelled an unpaid order's reservation is released, a paid
one's (DEDUCTED) is RESTOCKED — its sold units on sale again, once, whatever
the redeliveries — and a reservation in any other state is logged and left,
never raised; on a shipment (logistics.package.changed) its units leave
their warehouses once, and units the books do not hold are logged and
skipped."""

from __future__ import annotations

import dataclasses
import itertools
import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from catalog import domain
from catalog import stock as catalog_stock
from catalog import store as t
from catalog.app import SERVICE as CATALOG
from catalog.app import STOCK_DEDUCT, STOCK_RELEASE, STOCK_SHIPPED
from catalog.stock import RESERVATIONS
from tests.builders import envelope
from tests.catalog_support import books, reserve, sku_in_warehouses
from tests.conftest import OpenDb
from tests.paid_cancel_support import cancelled, consumers, outbox_events, paid
from zhongtai.catalog.v1 import catalog_pb2 as pb
from zhongtai.db import Database
from zhongtai.errors import FailedPrecondition
from zhongtai.events import Envelope
from zhongtai.logistics.v1 import events_pb2 as lev
from zhongtai.logistics.v1 import logistics_pb2 as lg
from zhongtai.trade.v1 import events_pb2 as trade_events
from zhongtai.trade.v1 import trade_pb2 as tr

R = pb.ReservationStatus
RESERVED, DEDUCTED, RESTOCKED = (R.RESERVATION_STATUS_RESERVED, R.RESERVATION_STATUS_DEDUCTED,
                                 R.RESERVATION_STATUS_RESTOCKED)


@pytest.fixture
async def db(migrated_sqlite: OpenDb) -> Database:
    return await migrated_sqlite(CATALOG)


async def status(db: Database, order_id: str) -> int:
    async with db.transaction() as s:
        return (await catalog_stock.get_reservation(s, order_id)).status


async def reservation_events(db: Database, order_id: str) -> list[int]:
    return [e.reservation.status for e in await outbox_events(
        db, "catalog.reservation.changed", order_id)]


@pytest.mark.parametrize(("current", "paid_cancelled"),
                         list(itertools.product(R.values(), [True, False])))
def test_what_a_cancel_does_to_each_reservation_state(current: int,
                                                      paid_cancelled: bool) -> None:
    action = RESERVATIONS.statuses.on_cancel(current, paid_cancelled)
    expected = {(int(RESERVED), True): domain.RELEASE, (RESERVED, False): domain.RELEASE,
                (DEDUCTED, True): domain.RESTOCK}.get((current, paid_cancelled))
    assert action == expected
    if action is not None:  # every action chosen is a legal transition
        assert RESERVATIONS.machine.next(current, action, "o") == \
            RESERVATIONS.statuses.target(action)


def test_only_a_deducted_reservation_restocks() -> None:
    for current in R.values():
        if current == DEDUCTED:
            assert RESERVATIONS.machine.next(current, domain.RESTOCK, "o") == RESTOCKED
        else:
            with pytest.raises(FailedPrecondition) as e:
                RESERVATIONS.machine.next(current, domain.RESTOCK, "o")
            assert e.value.reason == "ILLEGAL_RESERVATION_TRANSITION"
    # A restocked reservation is final.
    assert not [k for k in RESERVATIONS.machine.transitions if k[0] == RESTOCKED]


@given(st.integers(1, 50), st.lists(st.sampled_from([domain.RELEASE, domain.DEDUCT,
                                                     domain.RESTOCK]), max_size=6))
def test_a_reservation_moves_its_units_between_columns_and_loses_none(
        quantity: int, actions: list[str]) -> None:
    """Whatever moves are tried, the legal ones move a line's units from one
    stock column to another (``domain.UNIT_MOVES``): the total stays, no
    column goes negative, and the units end where the status says."""
    books = {"available": 0, "reserved": quantity, "sold": 0}
    status = RESERVED
    for action in actions:
        if not RESERVATIONS.machine.can(status, action):
            continue
        status = RESERVATIONS.machine.next(status, action, "o")
        source, target = domain.UNIT_MOVES[action]
        books[source] -= quantity
        books[target] += quantity
        assert min(books.values()) >= 0
    assert sum(books.values()) == quantity
    where = {RESERVED: "reserved", DEDUCTED: "sold"}.get(status, "available")
    assert books[where] == quantity


async def test_a_paid_order_cancelled_by_ship_timeout_puts_its_units_back_once(
        db: Database) -> None:
    sku_id = await sku_in_warehouses(db)
    consume = consumers(CATALOG, db)
    await reserve(db, "o1", sku_id, 3)
    await consume[STOCK_DEDUCT.queue](paid("o1"))
    assert await books(db, sku_id) == (7, 0, 3, 10)

    event = cancelled("o1")
    await consume[STOCK_RELEASE.queue](event)
    assert await status(db, "o1") == R.RESERVATION_STATUS_RESTOCKED
    # The sold units are on sale again; the warehouses still hold them all.
    assert await books(db, sku_id) == (10, 0, 0, 10)
    # Redelivered (same id) and the same cancel under a new event id: no more.
    await consume[STOCK_RELEASE.queue](event)
    await consume[STOCK_RELEASE.queue](cancelled("o1"))
    assert await books(db, sku_id) == (10, 0, 0, 10)
    assert await reservation_events(db, "o1") == [
        R.RESERVATION_STATUS_RESERVED, R.RESERVATION_STATUS_DEDUCTED,
        R.RESERVATION_STATUS_RESTOCKED]
    restocked = (await outbox_events(db, "catalog.reservation.changed", "o1"))[-1]
    assert [(x.sku_id, x.quantity) for x in restocked.reservation.lines] == [(sku_id, 3)]

    # A late OrderPaid redelivery cannot sell the units again, and a late
    # ReserveStock for the order is refused as for a released one.
    await consume[STOCK_DEDUCT.queue](paid("o1"))
    assert await books(db, sku_id) == (10, 0, 0, 10)
    with pytest.raises(FailedPrecondition) as e:
        await reserve(db, "o1", sku_id, 3)
    assert e.value.reason == "RESERVATION_RELEASED"
    # The units are sold to the next buyer as usual.
    await reserve(db, "o2", sku_id, 10)
    assert await books(db, sku_id) == (0, 10, 0, 10)


async def test_an_unpaid_cancel_of_a_deducted_reservation_is_logged_and_left(
        db: Database, caplog: pytest.LogCaptureFixture) -> None:
    sku_id = await sku_in_warehouses(db)
    consume = consumers(CATALOG, db)
    await reserve(db, "o1", sku_id, 2)
    await consume[STOCK_DEDUCT.queue](paid("o1"))
    with caplog.at_level(logging.ERROR, logger="zhongtai.holds"):
        await consume[STOCK_RELEASE.queue](cancelled("o1", paid=False))  # no raise
    assert "not giving back the reservation of cancelled order o1" in caplog.text
    assert await status(db, "o1") == R.RESERVATION_STATUS_DEDUCTED
    assert await books(db, sku_id) == (8, 0, 2, 10)
    assert await reservation_events(db, "o1") == [R.RESERVATION_STATUS_RESERVED,
                                                  R.RESERVATION_STATUS_DEDUCTED]
    # The event was consumed (not left to be retried forever).
    async with db.transaction() as s:
        consumed = (await s.execute(select(func.count()).select_from(db.plumbing.inbox)
                                    .where(db.plumbing.inbox.c.consumer == STOCK_RELEASE.queue))
                    ).scalar_one()
    assert consumed == 1


async def test_an_unpaid_cancel_releases_and_a_paid_one_then_changes_nothing(
        db: Database) -> None:
    sku_id = await sku_in_warehouses(db)
    consume = consumers(CATALOG, db)
    await reserve(db, "o1", sku_id, 4)
    await consume[STOCK_RELEASE.queue](cancelled("o1", paid=False))
    assert await status(db, "o1") == R.RESERVATION_STATUS_RELEASED
    assert await books(db, sku_id) == (10, 0, 0, 10)
    # A paid-looking cancel of a released order: already back, nothing moves.
    await consume[STOCK_RELEASE.queue](cancelled("o1"))
    assert await books(db, sku_id) == (10, 0, 0, 10)
    assert await reservation_events(db, "o1") == [R.RESERVATION_STATUS_RESERVED,
                                                  R.RESERVATION_STATUS_RELEASED]


async def test_a_ship_timeout_cancel_before_the_deduct_releases_the_reservation(
        db: Database) -> None:
    """The deduct queue lagging behind: the cancel finds the units still
    reserved and releases them; the late OrderPaid is refused and logged."""
    sku_id = await sku_in_warehouses(db)
    consume = consumers(CATALOG, db)
    await reserve(db, "o1", sku_id, 5)
    await consume[STOCK_RELEASE.queue](cancelled("o1"))
    await consume[STOCK_DEDUCT.queue](paid("o1"))
    assert await status(db, "o1") == R.RESERVATION_STATUS_RELEASED
    assert await books(db, sku_id) == (10, 0, 0, 10)


async def test_a_cancel_of_an_order_that_reserved_nothing_leaves_a_tombstone(
        db: Database) -> None:
    sku_id = await sku_in_warehouses(db)
    consume = consumers(CATALOG, db)
    await consume[STOCK_RELEASE.queue](cancelled("ghost"))
    assert await status(db, "ghost") == R.RESERVATION_STATUS_RELEASED
    with pytest.raises(FailedPrecondition) as e:
        await reserve(db, "ghost", sku_id, 1)
    assert e.value.reason == "RESERVATION_RELEASED"
    assert await books(db, sku_id) == (10, 0, 0, 10)


async def test_restock_stock_use_case_is_idempotent_and_refuses_other_states(
        db: Database) -> None:
    sku_id = await sku_in_warehouses(db)
    await reserve(db, "o1", sku_id, 1)
    with pytest.raises(FailedPrecondition) as e:
        async with db.transaction() as s:
            await catalog_stock.restock_stock(s, "o1")
    assert e.value.reason == "ILLEGAL_RESERVATION_TRANSITION"
    async with db.transaction() as s:
        await catalog_stock.deduct_stock(s, "o1")
    for _ in range(2):
        async with db.transaction() as s:
            res = await catalog_stock.restock_stock(s, "o1")
        assert res.status == R.RESERVATION_STATUS_RESTOCKED
    assert await books(db, sku_id) == (10, 0, 0, 10)
    with pytest.raises(FailedPrecondition) as e:
        async with db.transaction() as s:
            await catalog_stock.release_stock(s, db.dialect, "o1")
    assert e.value.reason == "ILLEGAL_RESERVATION_TRANSITION"


async def test_a_creation_failure_for_a_deducted_reservation_is_logged_not_raised(
        db: Database, caplog: pytest.LogCaptureFixture) -> None:
    sku_id = await sku_in_warehouses(db)
    consume = consumers(CATALOG, db)
    await reserve(db, "o1", sku_id, 2)
    await consume[STOCK_DEDUCT.queue](paid("o1"))
    failed = trade_events.OrderCreationFailed(order=tr.Order(order_id="o1"))
    with caplog.at_level(logging.WARNING, logger="zhongtai.participants"):
        await consume[STOCK_RELEASE.queue](envelope(failed, "trade.order.creation_failed", "o1"))
    assert "not releasing the stock of failed order o1" in caplog.text
    assert await status(db, "o1") == R.RESERVATION_STATUS_DEDUCTED
    assert await books(db, sku_id) == (8, 0, 2, 10)


def shipment(package_id: str, *units: tuple[str, str, int]) -> Envelope:
    """logistics.package.changed as ShipPackage publishes it (no units: a
    tracking or flag event of the package)."""
    event = lev.PackageChanged(package=lg.LogisticsOrder(logistics_order_id=package_id),
                               shipped_from=[lev.ShippedUnits(sku_id=k, warehouse_id=w,
                                                              quantity=q) for k, w, q in units])
    return envelope(event, "logistics.package.changed", package_id)


async def ledger(db: Database, sku_id: str) -> tuple[dict[str, int], int, list[tuple[str, bool]]]:
    """Units per warehouse, stock.shipped, and the (package, applied) rows."""
    async with db.transaction() as s:
        on_hand = dict((await s.execute(
            select(t.warehouse_stock.c.warehouse_id, t.warehouse_stock.c.quantity)
            .where(t.warehouse_stock.c.sku_id == sku_id))).all())
        shipped = (await catalog_stock.get_stock(s, sku_id)).shipped
        rows = (await s.execute(select(t.warehouse_shipments.c.package_id,
                                       t.warehouse_shipments.c.applied)
                                .order_by(t.warehouse_shipments.c.package_id))).all()
    return on_hand, shipped, [(r.package_id, r.applied) for r in rows]


async def balanced(db: Database, sku_id: str) -> bool:
    """available + reserved + sold - shipped == the units on the shelves."""
    async with db.transaction() as s:
        stock = await catalog_stock.get_stock(s, sku_id)
    on_hand = sum((await ledger(db, sku_id))[0].values())
    return stock.available + stock.reserved + stock.sold - stock.shipped == on_hand


async def test_a_shipment_takes_its_units_off_the_warehouses_once(
        db: Database, caplog: pytest.LogCaptureFixture) -> None:
    sku_id = await sku_in_warehouses(db)  # hz 6, sh 4
    consume = consumers(CATALOG, db)
    await reserve(db, "o1", sku_id, 3)
    await consume[STOCK_DEDUCT.queue](paid("o1"))
    # Two units leave hz; one leaves no known warehouse (nothing to take off).
    event = shipment("pk1", (sku_id, "hz", 2), (sku_id, "", 1))
    await consume[STOCK_SHIPPED.queue](event)
    assert await ledger(db, sku_id) == ({"hz": 4, "sh": 4}, 2, [("pk1", True)])
    assert await books(db, sku_id) == (7, 0, 3, 8)
    assert await balanced(db, sku_id)
    # Redelivered, re-sent under a new id, a tracking event: nothing more.
    await consume[STOCK_SHIPPED.queue](event)
    await consume[STOCK_SHIPPED.queue](dataclasses.replace(event, event_id="again"))
    await consume[STOCK_SHIPPED.queue](shipment("pk1"))
    assert await ledger(db, sku_id) == ({"hz": 4, "sh": 4}, 2, [("pk1", True)])
    # Units the books do not hold are logged and skipped, never raised: more
    # than sh has, more than is sold and not shipped (1 left).
    with caplog.at_level(logging.ERROR, logger="catalog.warehouse_stock"):
        await consume[STOCK_SHIPPED.queue](shipment("pk2", (sku_id, "sh", 5)))
        await consume[STOCK_SHIPPED.queue](shipment("pk3", (sku_id, "sh", 2)))
    assert caplog.text.count("cannot take") == 2
    assert await ledger(db, sku_id) == (
        {"hz": 4, "sh": 4}, 2, [("pk1", True), ("pk2", False), ("pk3", False)])
    await consume[STOCK_SHIPPED.queue](shipment("pk4", (sku_id, "sh", 1)))
    assert await ledger(db, sku_id) == (
        {"hz": 4, "sh": 3}, 3, [("pk1", True), ("pk2", False), ("pk3", False), ("pk4", True)])
    assert await books(db, sku_id) == (7, 0, 3, 7)
    assert await balanced(db, sku_id)
