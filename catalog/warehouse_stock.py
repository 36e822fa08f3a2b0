"""catalog's stock per warehouse (分仓库存): the units of each SKU on the
shelves of each logistics warehouse, kept in step with the SKU's stock:
``sum(warehouse_stock) == available + reserved + sold - shipped``. Setting a
warehouse's units moves ``available`` by the same delta; a shipped package's
units leave their warehouse once. Only warehouses logistics knows hold
stock: ``set_stock_in_warehouse`` asks logistics first, then opens its
transaction; the other use cases run in the caller's transaction (session)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from catalog import store as t
from catalog import trail
from catalog.domain import E
from catalog.stock import get_stock, require_own_sku
from zhongtai.auth import Identity
from zhongtai.catalog.v1 import catalog_pb2 as pb
from zhongtai.db import Database, changed, compare_and_set, insert_ignore, utcnow
from zhongtai.errors import NotFound, PreconditionViolation
from zhongtai.grpcclient import call
from zhongtai.idempotency import Keys, idempotent_rpc
from zhongtai.logistics.v1 import warehouse_pb2 as wh
from zhongtai.logistics.v1.warehouse_pb2_grpc import WarehouseServiceStub
from zhongtai.wire import timestamp

log = logging.getLogger(__name__)

LOGISTICS_TIMEOUT = 5.0


def _warehouse_stock(row: Any) -> pb.WarehouseStock:
    return pb.WarehouseStock(sku_id=row.sku_id, warehouse_id=row.warehouse_id,
                             quantity=row.quantity, update_time=timestamp(row.updated_at))


async def set_stock_in_warehouse(db: Database, keys: Keys, logistics: WarehouseServiceStub,
                                 caller: Identity, req: pb.SetWarehouseStockRequest,
                                 time_remaining: float | None = None
                                 ) -> pb.SetWarehouseStockResponse:
    """SetWarehouseStock: logistics is asked whether the warehouse exists
    (``require_warehouse``, before any transaction is open), then, in one
    transaction idempotent by request_id, the caller must be the SKU's seller
    or staff (``stock.require_own_sku``) and the units are set
    (``set_warehouse_stock``). Refused: nothing changed."""
    await require_warehouse(logistics, req.warehouse_id, time_remaining)

    async def setting(s: AsyncSession) -> pb.SetWarehouseStockResponse:
        await require_own_sku(s, caller, req.sku_id)
        return await set_warehouse_stock(s, db.dialect, req)

    return await idempotent_rpc(db, keys, req, pb.SetWarehouseStockResponse, setting)


async def require_warehouse(logistics: WarehouseServiceStub, warehouse_id: str,
                            time_remaining: float | None = None) -> None:
    """The warehouse is one logistics knows (WarehouseService.GetWarehouse,
    called as catalog); else WAREHOUSE_NOT_FOUND. Logistics unreachable:
    UNAVAILABLE, worth retrying (warehouses are never deleted, so a repeat
    finds the same)."""
    try:
        await call(logistics.GetWarehouse, wh.GetWarehouseRequest(warehouse_id=warehouse_id),
                   LOGISTICS_TIMEOUT, time_remaining)
    except NotFound:
        raise E(pb.ERROR_REASON_WAREHOUSE_NOT_FOUND,
                f"logistics has no warehouse {warehouse_id!r}",
                metadata={"warehouse_id": warehouse_id}) from None


async def set_warehouse_stock(s: AsyncSession, dialect: str, req: pb.SetWarehouseStockRequest
                              ) -> pb.SetWarehouseStockResponse:
    """Set a SKU's on-hand units in one warehouse; stock.available moves by the
    same delta and never below zero (units reserved by orders stay reserved)."""
    await get_stock(s, req.sku_id)
    ws = t.warehouse_stock.c
    now = utcnow()
    await s.execute(insert_ignore(dialect, t.warehouse_stock).values(
        sku_id=req.sku_id, warehouse_id=req.warehouse_id, quantity=0, updated_at=now))
    # Row lock (PostgreSQL; SQLite serializes writers): concurrent sets of
    # one (SKU, warehouse) apply one after the other, each with its own delta.
    old = (await s.execute(
        select(ws.quantity).where(ws.sku_id == req.sku_id, ws.warehouse_id == req.warehouse_id)
        .with_for_update())).scalar_one()
    delta = req.quantity - old
    # Compare-and-set, as reservations do: racing a reservation, the one that
    # commits second sees the other's available.
    if delta and not await compare_and_set(s, update(t.stock).where(
            t.stock.c.sku_id == req.sku_id, t.stock.c.available + delta >= 0)
            .values(available=t.stock.c.available + delta)):
        available = (await s.execute(select(t.stock.c.available)
                                     .where(t.stock.c.sku_id == req.sku_id))).scalar()
        raise E(pb.ERROR_REASON_INSUFFICIENT_STOCK,
                f"cannot remove {-delta} units of {req.sku_id} from warehouse "
                f"{req.warehouse_id}: only {available} are not reserved",
                violations=[PreconditionViolation("STOCK", f"skus/{req.sku_id}",
                                                  f"available {available}, removing {-delta}")],
                metadata={"sku_id": req.sku_id, "warehouse_id": req.warehouse_id})
    if not await compare_and_set(s, update(t.warehouse_stock).where(
            ws.sku_id == req.sku_id, ws.warehouse_id == req.warehouse_id, ws.quantity == old)
            .values(quantity=req.quantity, updated_at=now)):
        raise E(pb.ERROR_REASON_CONCURRENT_MODIFICATION,
                f"the stock of {req.sku_id} in {req.warehouse_id} changed concurrently",
                metadata={"sku_id": req.sku_id, "warehouse_id": req.warehouse_id})
    await trail.record(s, trail.STOCK, req.sku_id,
                       f"warehouse {req.warehouse_id}: {old} -> {req.quantity}")
    row = (await s.execute(select(t.warehouse_stock).where(
        ws.sku_id == req.sku_id, ws.warehouse_id == req.warehouse_id))).one()
    return pb.SetWarehouseStockResponse(warehouse_stock=_warehouse_stock(row),
                                        stock=await get_stock(s, req.sku_id))


async def batch_get_warehouse_stock(s: AsyncSession, sku_ids: Sequence[str]
                                    ) -> pb.BatchGetWarehouseStockResponse:
    wanted = list(dict.fromkeys(sku_ids))
    known = set((await s.execute(select(t.skus.c.sku_id)
                                 .where(t.skus.c.sku_id.in_(wanted)))).scalars())
    ws = t.warehouse_stock.c
    rows = (await s.execute(select(t.warehouse_stock).where(ws.sku_id.in_(wanted))
                            .order_by(ws.sku_id, ws.warehouse_id))).all()
    return pb.BatchGetWarehouseStockResponse(
        warehouse_stock=[_warehouse_stock(r) for r in rows],
        missing_sku_ids=[i for i in wanted if i not in known])


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
