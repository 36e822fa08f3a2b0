"""After-sales puts sold units of an order back on sale (RestockUnits): the
units of an agreed refund not shipped yet, or goods that came back.

Guarantees, whatever the order and number of requests:

* **Never more than sold.** The units restocked of an order's SKU, summed
  over every request and the restock of the order cancelled after payment
  (``stock._move_units``), never exceed what the order bought of it
  (``reservation_lines.restocked <= quantity``, by compare-and-set under the
  reservation's row lock, and a check constraint besides).
* **Once per request id.** A ``unit_restocks`` row is written with the
  restock: the same request again moves nothing (the SKU's stock is
  answered), another payload under the id is IDEMPOTENCY_KEY_REUSED.
* **The books stay whole.** ``sold`` goes down and ``available`` up by the
  units. Units returned to a warehouse catalog stocks the SKU in, that left
  a known warehouse (``shipped``), go back on its shelves too (its units and
  ``shipped`` move by the same units, so ``sum(warehouse_stock) == available
  + reserved + sold - shipped`` holds); otherwise only the SKU's total moves.

Runs in the caller's transaction (session); the reservation row is locked
first, then the warehouse row, then the stock row (the order every other
stock change takes).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from catalog import domain, trail
from catalog import store as t
from catalog.domain import E, Stock
from catalog.stock import RESERVATIONS, get_stock
from zhongtai.catalog.v1 import catalog_pb2 as pb
from zhongtai.common.v1 import errors_pb2
from zhongtai.db import changed, compare_and_set, insert_ignore, utcnow
from zhongtai.errors import COMMON, PreconditionViolation, ZhongtaiError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UnitRestock:
    """After-sales' request: ``quantity`` sold units of the order's SKU back
    on sale, into ``warehouse_id`` if they came back to one (else "");
    ``request_id`` names it (after-sales' application id)."""

    request_id: str
    order_id: str
    sku_id: str
    quantity: int
    warehouse_id: str = ""


async def restock_units(s: AsyncSession, dialect: str, req: UnitRestock) -> Stock:
    """Put ``req.quantity`` sold units of the order's SKU back on sale (and on
    the warehouse's shelves, see the module): only of a DEDUCTED reservation
    (RESERVATION_NOT_FOUND; ILLEGAL_RESERVATION_TRANSITION for one not
    sold, or restocked whole already), never more than the order has left
    to restock of the SKU (INSUFFICIENT_STOCK). Once per request id. The
    SKU's stock after it; refused: nothing changed."""
    if not await changed(s, insert_ignore(dialect, t.unit_restocks).values(
            request_id=req.request_id, order_id=req.order_id, sku_id=req.sku_id,
            quantity=req.quantity, warehouse_id=req.warehouse_id, created_at=utcnow())):
        await _check_repeat(s, req)
        return await get_stock(s, req.sku_id)
    row = await RESERVATIONS.row(s, req.order_id, lock=True)
    if row is None:
        raise E(pb.ERROR_REASON_RESERVATION_NOT_FOUND,
                f"order {req.order_id!r} reserved nothing", metadata={"order_id": req.order_id})
    if row.status != pb.RESERVATION_STATUS_DEDUCTED:
        status = pb.ReservationStatus.Name(row.status)
        raise E(pb.ERROR_REASON_ILLEGAL_RESERVATION_TRANSITION,
                f"the reservation of order {req.order_id} is {status}: nothing sold to restock",
                violations=[PreconditionViolation("RESERVATION", f"orders/{req.order_id}",
                                                  status)],
                metadata={"order_id": req.order_id, "status": status})
    rl = t.reservation_lines.c
    line = (await s.execute(select(rl.quantity, rl.restocked).where(
        rl.order_id == req.order_id, rl.sku_id == req.sku_id))).first()
    bought, restocked = (line.quantity, line.restocked) if line is not None else (0, 0)
    if req.quantity > domain.restock_left(bought, restocked) or not await compare_and_set(
            s, update(t.reservation_lines).where(
                rl.order_id == req.order_id, rl.sku_id == req.sku_id,
                rl.restocked + req.quantity <= rl.quantity)
            .values(restocked=rl.restocked + req.quantity)):
        raise _too_many(req, bought, restocked)
    on_shelves = await _back_on_shelves(s, req)
    st = t.stock.c
    if not await compare_and_set(s, update(t.stock).where(
            st.sku_id == req.sku_id, st.sold >= req.quantity)
            .values(sold=st.sold - req.quantity, available=st.available + req.quantity)):
        # The order's own sold units are counted in sold: the books are broken.
        raise RuntimeError(f"order {req.order_id}: {req.sku_id} has fewer than "
                           f"{req.quantity} units sold")
    await trail.record(s, trail.STOCK, req.sku_id,
                       f"order {req.order_id}: {req.quantity} sold unit(s) back on sale "
                       f"(after-sales {req.request_id})"
                       + (f", into warehouse {req.warehouse_id}" if on_shelves else ""))
    return await get_stock(s, req.sku_id)


async def _check_repeat(s: AsyncSession, req: UnitRestock) -> None:
    """The request id was used: by this very request (nothing to do), or by
    another (IDEMPOTENCY_KEY_REUSED)."""
    u = t.unit_restocks.c
    done = (await s.execute(select(u.order_id, u.sku_id, u.quantity, u.warehouse_id)
                            .where(u.request_id == req.request_id))).one()
    if tuple(done) != (req.order_id, req.sku_id, req.quantity, req.warehouse_id):
        raise COMMON(errors_pb2.ERROR_REASON_IDEMPOTENCY_KEY_REUSED,
                     f"restock {req.request_id!r} was asked for other units",
                     metadata={"scope": "RestockUnits", "key": req.request_id})


def _too_many(req: UnitRestock, bought: int, restocked: int) -> ZhongtaiError:
    left = domain.restock_left(bought, restocked)
    return E(pb.ERROR_REASON_INSUFFICIENT_STOCK,
             f"order {req.order_id} has {left} unit(s) of {req.sku_id} left to restock, "
             f"{req.quantity} asked",
             violations=[PreconditionViolation(
                 "RESTOCK", f"orders/{req.order_id}/skus/{req.sku_id}",
                 f"{bought} sold, {restocked} restocked already")],
             metadata={"order_id": req.order_id, "sku_id": req.sku_id,
                       "restockable": str(left)})


async def _back_on_shelves(s: AsyncSession, req: UnitRestock) -> bool:
    """Units that came back to a warehouse catalog stocks the SKU in, out of
    those that left a known warehouse: on its shelves again (its units up,
    ``shipped`` down). False (only the SKU's total moves, logged) otherwise."""
    if not req.warehouse_id:
        return False
    ws, st = t.warehouse_stock.c, t.stock.c
    held = (await s.execute(select(ws.quantity).where(
        ws.sku_id == req.sku_id, ws.warehouse_id == req.warehouse_id)
        .with_for_update())).scalar()
    if held is None or not await compare_and_set(s, update(t.stock).where(
            st.sku_id == req.sku_id, st.shipped >= req.quantity)
            .values(shipped=st.shipped - req.quantity)):
        log.info("order %s: %d unit(s) of %s back, but not into warehouse %s (it does not "
                 "stock the SKU, or fewer left a known warehouse): the SKU's total only",
                 req.order_id, req.quantity, req.sku_id, req.warehouse_id)
        return False
    await s.execute(update(t.warehouse_stock).where(
        ws.sku_id == req.sku_id, ws.warehouse_id == req.warehouse_id)
        .values(quantity=ws.quantity + req.quantity, updated_at=utcnow()))
    return True
