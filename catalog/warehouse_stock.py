"""catalog's stock per warehouse (分仓库存): the units of each SKU on the
shelves of each logistics warehouse, kept in step with the SKU's stock:
``sum(warehouse_stock) == available + reserved + sold - shipped``. Setting a
warehouse's units moves ``available`` by the same delta; a shipped package's
units leave their warehouse once. Only warehouses logistics knows hold
stock: the servicer asks logistics first (``catalog.clients.require_warehouse``),
then opens the transaction ``set_stock_in_warehouse`` runs in. Each use case
runs in the caller's transaction (session), takes plain values and returns
``catalog.domain`` values."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from catalog import store as t
from catalog import trail
from catalog.domain import E, Stock, WarehouseStock
from catalog.stock import get_stock, require_own_sku
from zhongtai.auth import Identity
from zhongtai.catalog.v1 import catalog_pb2 as pb
from zhongtai.db import changed, compare_and_set, insert_ignore, utcnow
from zhongtai.errors import PreconditionViolation

log = logging.getLogger(__name__)



def _warehouse_stock(row: Any) -> WarehouseStock:
    return WarehouseStock(sku_id=row.sku_id, warehouse_id=row.warehouse_id,
                          quantity=row.quantity, updated_at=row.updated_at)


async def set_stock_in_warehouse(s: AsyncSession, dialect: str, caller: Identity, *,
                                 sku_id: str, warehouse_id: str, quantity: int
                                 ) -> tuple[WarehouseStock, Stock]:
    """SetWarehouseStock, in its transaction (idempotent by request id: the
    servicer's, after logistics said the warehouse exists): the caller must
    be the SKU's seller or staff (``stock.require_own_sku``), then the units
    are set (``set_warehouse_stock``). Refused: nothing changed."""
    await require_own_sku(s, caller, sku_id)
    return await set_warehouse_stock(s, dialect, sku_id=sku_id, warehouse_id=warehouse_id,
                                     quantity=quantity)


async def set_warehouse_stock(s: AsyncSession, dialect: str, *, sku_id: str,
                              warehouse_id: str, quantity: int
                              ) -> tuple[WarehouseStock, Stock]:
    """Set a SKU's on-hand units in one warehouse; stock.available moves by the
    same delta and never below zero (units reserved by orders stay reserved).
    The warehouse's units and the SKU's stock after it."""
    await get_stock(s, sku_id)
    ws = t.warehouse_stock.c
    now = utcnow()
    await s.execute(insert_ignore(dialect, t.warehouse_stock).values(
        sku_id=sku_id, warehouse_id=warehouse_id, quantity=0, updated_at=now))
    # Row lock (PostgreSQL; SQLite serializes writers): concurrent sets of
    # one (SKU, warehouse) apply one after the other, each with its own delta.
    old = (await s.execute(
        select(ws.quantity).where(ws.sku_id == sku_id, ws.warehouse_id == warehouse_id)
        .with_for_update())).scalar_one()
    delta = quantity - old
    # Compare-and-set, as reservations do: racing a reservation, the one that
    # commits second sees the other's available.
    if delta and not await compare_and_set(s, update(t.stock).where(
            t.stock.c.sku_id == sku_id, t.stock.c.available + delta >= 0)
            .values(available=t.stock.c.available + delta)):
        available = (await s.execute(select(t.stock.c.available)
                                     .where(t.stock.c.sku_id == sku_id))).scalar()
        raise E(pb.ERROR_REASON_INSUFFICIENT_STOCK,
                f"cannot remove {-delta} units of {sku_id} from warehouse "
                f"{warehouse_id}: only {available} are not reserved",
                violations=[PreconditionViolation("STOCK", f"skus/{sku_id}",
                                                  f"available {available}, removing {-delta}")],
                metadata={"sku_id": sku_id, "warehouse_id": warehouse_id})
    if not await compare_and_set(s, update(t.warehouse_stock).where(
            ws.sku_id == sku_id, ws.warehouse_id == warehouse_id, ws.quantity == old)
            .values(quantity=quantity, updated_at=now)):
        raise E(pb.ERROR_REASON_CONCURRENT_MODIFICATION,
                f"the stock of {sku_id} in {warehouse_id} changed concurrently",
                metadata={"sku_id": sku_id, "warehouse_id": warehouse_id})
    await trail.record(s, trail.STOCK, sku_id,
                       f"warehouse {warehouse_id}: {old} -> {quantity}")
    row = (await s.execute(select(t.warehouse_stock).where(
        ws.sku_id == sku_id, ws.warehouse_id == warehouse_id))).one()
    return _warehouse_stock(row), await get_stock(s, sku_id)


async def batch_get_warehouse_stock(s: AsyncSession, sku_ids: Sequence[str]
                                    ) -> tuple[list[WarehouseStock], list[str]]:
    """The units of each SKU asked for in each warehouse holding some (by
    SKU, then warehouse), and the ids of the SKUs that do not exist."""
    wanted = list(dict.fromkeys(sku_ids))
    known = set((await s.execute(select(t.skus.c.sku_id)
                                 .where(t.skus.c.sku_id.in_(wanted)))).scalars())
    ws = t.warehouse_stock.c
    rows = (await s.execute(select(t.warehouse_stock).where(ws.sku_id.in_(wanted))
                            .order_by(ws.sku_id, ws.warehouse_id))).all()
    return [_warehouse_stock(r) for r in rows], [i for i in wanted if i not in known]


async def ship_from_warehouses(s: AsyncSession, dialect: str, package_id: str,
                               lines: Sequence[tuple[str, str, int]]) -> None:
    """The consumer's effect of a shipment (``logistics.package.changed`` with
    ``shipped_from``): each (SKU, warehouse, units) left that warehouse.

    Once per (package, SKU, warehouse): a ``warehouse_shipments`` row is
    written first, so a redelivered or re-sent event moves nothing again. The
    warehouse's units go down and ``stock.shipped`` up by the same units, so
    ``sum(warehouse_stock) == available + reserved + sold - shipped`` holds
    and the next plan no longer counts them; ``available`` does not move
    (the units left the sellable total when the order was paid). Both rows
    are locked (PostgreSQL; SQLite serializes writers) and guarded, never
    below zero. Units of an unknown warehouse, or that the books do not hold
    (the warehouse has fewer, or fewer are sold and not yet shipped), are
    logged and skipped, never raised: redelivering would not change them."""
    ws, st, shipments = t.warehouse_stock.c, t.stock.c, t.warehouse_shipments
    for sku_id, warehouse_id, quantity in lines:
        if not warehouse_id or quantity <= 0:
            log.info("package %s: %d unit(s) of %s left no known warehouse",
                     package_id, quantity, sku_id)
            continue
        if not await changed(s, insert_ignore(dialect, shipments).values(
                package_id=package_id, sku_id=sku_id, warehouse_id=warehouse_id,
                quantity=quantity, applied=False, created_at=utcnow())):
            continue  # this package's units were taken off already
        held = (await s.execute(select(ws.quantity).where(
            ws.sku_id == sku_id, ws.warehouse_id == warehouse_id).with_for_update())).scalar()
        books = (await s.execute(select(st.sold, st.shipped).where(st.sku_id == sku_id)
                                 .with_for_update())).first()
        if held is None or held < quantity or books is None \
                or books.sold - books.shipped < quantity:
            log.error("package %s: cannot take %d unit(s) of %s off warehouse %s (it "
                      "holds %s; sold and not shipped: %s): skipped", package_id, quantity,
                      sku_id, warehouse_id, held,
                      None if books is None else books.sold - books.shipped)
            continue
        moved = [await compare_and_set(s, update(t.warehouse_stock)
                                       .where(ws.sku_id == sku_id,
                                              ws.warehouse_id == warehouse_id,
                                              ws.quantity >= quantity)
                                       .values(quantity=ws.quantity - quantity,
                                               updated_at=utcnow())),
                 await compare_and_set(s, update(t.stock)
                                       .where(st.sku_id == sku_id,
                                              st.sold - st.shipped >= quantity)
                                       .values(shipped=st.shipped + quantity))]
        if not all(moved):
            # Only without row locks: roll back, the event is delivered again.
            raise E(pb.ERROR_REASON_CONCURRENT_MODIFICATION,
                    f"the stock of {sku_id} changed while package {package_id} shipped",
                    metadata={"sku_id": sku_id, "warehouse_id": warehouse_id})
        await s.execute(update(shipments).where(
            shipments.c.package_id == package_id, shipments.c.sku_id == sku_id,
            shipments.c.warehouse_id == warehouse_id).values(applied=True))
        await trail.record(s, trail.STOCK, sku_id,
                           f"package {package_id}: {quantity} left warehouse {warehouse_id}")
