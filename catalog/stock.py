"""catalog's stock and reservations: each SKU's available, reserved, sold and
shipped units, and the reservations that move them, one per order id.

A reservation is an order-keyed hold (``zhongtai.holds.OrderHolds``):
RESERVED is held, DEDUCTED committed (at payment), RELEASED and RESTOCKED
(a paid order cancelled before anything shipped) its other ends. Claiming
once, tombstones, each move once and the cancel rule are OrderHolds'
guarantees; what a move does to the stock rows (``domain.UNIT_MOVES``) is
catalog's, in ``_move_units``, run in the same transaction. Each use case
runs in the caller's transaction (session), takes plain values and returns
``catalog.domain`` values, and publishes ``catalog.reservation.changed``
(``catalog.views``) when a reservation changes.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from catalog import domain, trail, views
from catalog import store as t
from catalog.domain import DEDUCT, RESTOCK, E, Reservation, Stock, StockLine
from zhongtai import outbox
from zhongtai.auth import Identity
from zhongtai.catalog.v1 import catalog_pb2 as pb
from zhongtai.common.v1 import errors_pb2
from zhongtai.db import compare_and_set, fetch_one, utcnow
from zhongtai.errors import COMMON, InvalidArgument, PreconditionViolation
from zhongtai.holds import HoldReasons, HoldStatuses, Moved, OrderHolds

log = logging.getLogger(__name__)

RESERVATIONS = OrderHolds(
    "reservation", t.reservations,
    HoldStatuses(pb.RESERVATION_STATUS_RESERVED, pb.RESERVATION_STATUS_RELEASED,
                 pb.RESERVATION_STATUS_DEDUCTED, pb.RESERVATION_STATUS_RESTOCKED,
                 release=domain.RELEASE, commit=DEDUCT, give_back=RESTOCK),
    pb.ReservationStatus.Name,
    HoldReasons(E, released=pb.ERROR_REASON_RESERVATION_RELEASED,
                not_found=pb.ERROR_REASON_RESERVATION_NOT_FOUND,
                illegal=pb.ERROR_REASON_ILLEGAL_RESERVATION_TRANSITION,
                concurrent=pb.ERROR_REASON_CONCURRENT_MODIFICATION))


# --- stock -------------------------------------------------------------------


def _stock(row: Any) -> Stock:
    return Stock(sku_id=row.sku_id, available=row.available, reserved=row.reserved,
                 sold=row.sold, shipped=row.shipped)


async def get_stock(s: AsyncSession, sku_id: str) -> Stock:
    """The SKU's stock, or SKU_NOT_FOUND."""
    return _stock(await fetch_one(s, t.stock.c.sku_id, sku_id, "SKU",
                                  reason=(E, pb.ERROR_REASON_SKU_NOT_FOUND)))


async def require_own_sku(s: AsyncSession, caller: Identity, sku_id: str) -> None:
    """The SKU exists (else SKU_NOT_FOUND) and ``caller`` may change its
    stock (``domain.require_seller``: its seller, or staff)."""
    sku = await fetch_one(s, t.skus.c.sku_id, sku_id, "SKU",
                          reason=(E, pb.ERROR_REASON_SKU_NOT_FOUND))
    seller_id = (await s.execute(select(t.items.c.seller_id)
                                 .where(t.items.c.item_id == sku.item_id))).scalar_one()
    domain.require_seller(caller, seller_id, f"SKU {sku_id}", sku_id=sku_id)


async def adjust_stock(s: AsyncSession, caller: Identity, *, sku_id: str, delta: int
                       ) -> Stock:
    """Add ``delta`` to (or, negative, remove from) the available units,
    never below zero (INSUFFICIENT_STOCK); only the SKU's seller or staff
    (``require_own_sku``). The SKU's stock after it; refused: nothing
    changed."""
    if delta == 0:
        raise InvalidArgument.field("delta", "must not be zero")
    await require_own_sku(s, caller, sku_id)
    if not await compare_and_set(s, update(t.stock).where(
            t.stock.c.sku_id == sku_id, t.stock.c.available + delta >= 0)
            .values(available=t.stock.c.available + delta)):
        raise E(pb.ERROR_REASON_INSUFFICIENT_STOCK,
                f"cannot remove {-delta} units of {sku_id}",
                violations=[PreconditionViolation("STOCK", f"skus/{sku_id}",
                                                  "not enough available")])
    await trail.record(s, trail.STOCK, sku_id, f"available {delta:+d}")
    return await get_stock(s, sku_id)


# --- reservations ------------------------------------------------------------


async def _reservation(s: AsyncSession, order_id: str) -> Reservation | None:
    row = await RESERVATIONS.row(s, order_id)
    if row is None:
        return None
    rl = t.reservation_lines.c
    lines = (await s.execute(select(rl.sku_id, rl.quantity).where(rl.order_id == order_id)
                             .order_by(rl.sku_id))).all()
    return Reservation(order_id=order_id, status=row.status,
                       lines=tuple(StockLine(sku_id=r.sku_id, quantity=r.quantity)
                                   for r in lines))


async def get_reservation(s: AsyncSession, order_id: str) -> Reservation:
    """The order's reservation, or RESERVATION_NOT_FOUND."""
    res = await _reservation(s, order_id)
    if res is None:
        raise E(pb.ERROR_REASON_RESERVATION_NOT_FOUND, f"order {order_id!r} reserved nothing",
                metadata={"order_id": order_id})
    return res


def _same_lines(res: Reservation, lines: Sequence[StockLine]) -> bool:
    return sorted((x.sku_id, x.quantity) for x in res.lines) == sorted(
        (x.sku_id, x.quantity) for x in lines)


async def _publish(s: AsyncSession, res: Reservation) -> None:
    """A reservation changed: its event, and its audit entry."""
    await outbox.publish(s, t.plumbing, views.reservation_changed(res, utcnow()), res.order_id)
    lines = ", ".join(f"{x.sku_id} x{x.quantity}" for x in res.lines)
    await trail.record(s, trail.RESERVATION, res.order_id,
                       f"{pb.ReservationStatus.Name(res.status).removeprefix('RESERVATION_STATUS_')}"
                       f" {lines}".strip())


async def reserve_stock(s: AsyncSession, dialect: str, *, order_id: str,
                        lines: Sequence[StockLine]) -> Reservation:
    """Reserve every line (available → reserved) or none; the reservation.
    Idempotent by order id: a repeat gets the reservation made, other lines
    IDEMPOTENCY_KEY_REUSED; an order already released is
    RESERVATION_RELEASED; a line short of stock OUT_OF_STOCK, an unknown SKU
    SKU_NOT_FOUND (all rolled back)."""
    domain.validate_stock_lines(lines)
    if await RESERVATIONS.claim(s, dialect, order_id, {}) is not None:
        existing = await _reservation(s, order_id)
        assert existing is not None
        if not _same_lines(existing, lines):
            raise COMMON(errors_pb2.ERROR_REASON_IDEMPOTENCY_KEY_REUSED,
                         f"order {order_id} already reserved different lines",
                         metadata={"order_id": order_id})
        return existing
    violations: list[PreconditionViolation] = []
    missing: list[str] = []
    st = t.stock.c
    # A fixed lock order (by SKU id) keeps concurrent reservations deadlock-free.
    for line in sorted(lines, key=lambda x: x.sku_id):
        if await compare_and_set(s, update(t.stock).where(
                st.sku_id == line.sku_id, st.available >= line.quantity)
                .values(available=st.available - line.quantity,
                        reserved=st.reserved + line.quantity)):
            await s.execute(t.reservation_lines.insert().values(
                order_id=order_id, sku_id=line.sku_id, quantity=line.quantity))
            continue
        available = (await s.execute(select(st.available)
                                     .where(st.sku_id == line.sku_id))).scalar()
        if available is None:
            missing.append(line.sku_id)
        else:
            violations.append(PreconditionViolation(
                "STOCK", f"skus/{line.sku_id}",
                f"requested {line.quantity}, available {available}"))
    if missing:
        raise E(pb.ERROR_REASON_SKU_NOT_FOUND, f"SKUs do not exist: {missing}",
                metadata={"sku_ids": ",".join(missing)})
    if violations:
        # Raising rolls the whole transaction back: all lines or none.
        raise E(pb.ERROR_REASON_OUT_OF_STOCK, "not enough stock for the order",
                violations=violations, metadata={"order_id": order_id})
    res = await _reservation(s, order_id)
    assert res is not None
    await _publish(s, res)
    return res


async def _move_units(s: AsyncSession, row: Row[Any], action: str) -> None:
    """The stock effect of a reservation's move: each line's units go from
    one column of its stock row to another (``domain.UNIT_MOVES``), by
    compare-and-set, in SKU order; a restock moves only the units after-sales
    did not restock already (``domain.units_to_move``)."""
    source, target = domain.UNIT_MOVES[action]
    rl, st = t.reservation_lines.c, t.stock.c
    lines = (await s.execute(select(rl.sku_id, rl.quantity, rl.restocked)
                             .where(rl.order_id == row.order_id).order_by(rl.sku_id))).all()
    for sku_id, bought, restocked in lines:
        quantity = domain.units_to_move(action, bought, restocked)
        if action == RESTOCK:  # every unit is back now (after-sales' ones first)
            await s.execute(update(t.reservation_lines).where(
                rl.order_id == row.order_id, rl.sku_id == sku_id).values(restocked=bought))
        if quantity and not await compare_and_set(s, update(t.stock).where(
                st.sku_id == sku_id, st[source] >= quantity).values(
                {source: st[source] - quantity, target: st[target] + quantity})):
            # Only this order's own moves move these units: the books are broken.
            raise RuntimeError(f"order {row.order_id}: cannot {action} {quantity} units "
                               f"of {sku_id}: the stock row does not hold them")


async def _after(s: AsyncSession, order_id: str, moved: Moved | None) -> Reservation:
    """The reservation after a move, published when it changed (None: a
    tombstone was left, the order reserved nothing)."""
    if moved is None:
        res = Reservation(order_id=order_id, status=pb.RESERVATION_STATUS_RELEASED)
    else:
        current = await _reservation(s, order_id)
        assert current is not None
        if not moved.moved:
            return current  # a repeat
        res = current
    await _publish(s, res)
    return res


def _require_order_id(order_id: str) -> None:
    if not order_id:
        raise InvalidArgument.field("order_id", "is required")


async def release_stock(s: AsyncSession, dialect: str, order_id: str) -> Reservation:
    """Give an order's reserved units back (RESERVED → RELEASED); an order
    that reserved nothing is left a tombstone, so a late reservation is
    refused. Idempotent by order id."""
    _require_order_id(order_id)
    return await _after(s, order_id,
                        await RESERVATIONS.release(s, dialect, order_id, _move_units))


async def deduct_stock(s: AsyncSession, order_id: str) -> Reservation:
    """Sell a paid order's reserved units (RESERVED → DEDUCTED). Idempotent."""
    _require_order_id(order_id)
    return await _after(s, order_id, await RESERVATIONS.move(s, order_id, DEDUCT, _move_units))


async def restock_stock(s: AsyncSession, order_id: str) -> Reservation:
    """A paid order cancelled before anything shipped: its sold units go back
    on sale (DEDUCTED → RESTOCKED, sold → available). Idempotent by order id."""
    _require_order_id(order_id)
    return await _after(s, order_id, await RESERVATIONS.move(s, order_id, RESTOCK, _move_units))


async def stock_on_order_cancelled(s: AsyncSession, dialect: str, order_id: str, *,
                                   paid: bool) -> Reservation | None:
    """The consumer's effect of ``trade.order.cancelled``: release a reserved
    order's stock, restock a paid one's (only when the event says the order
    was paid); anything else is logged and skipped, never raised
    (redelivering would not change it, and the queue must not be poisoned).
    Returns the reservation changed, or None. The row is locked first, so
    the same cancel delivered twice under two event ids acts once."""
    if not order_id:
        log.error("trade.order.cancelled without an order id: ignored")
        return None
    moved = await RESERVATIONS.on_cancel(s, dialect, order_id, paid=paid, effects=_move_units)
    if moved is not None and not moved.moved:
        return None
    return await _after(s, order_id, moved)
