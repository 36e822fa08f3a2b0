"""catalog's use cases: each runs in the caller's transaction (session)."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from catalog import domain
from catalog import store as t
from zhongtai import outbox, pagination
from zhongtai.catalog.v1 import catalog_pb2 as pb
from zhongtai.catalog.v1 import events_pb2 as ev
from zhongtai.common.v1.common_pb2 import Money
from zhongtai.db import ensure_absent, fetch_one, insert_ignore, utcnow
from zhongtai.errors import (
    Aborted,
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PreconditionViolation,
    Violations,
)
from zhongtai.ids import new_id
from zhongtai.wire import now_timestamp, timestamp

log = logging.getLogger(__name__)

# --- sellers -----------------------------------------------------------------


def _seller(row: Any) -> pb.Seller:
    return pb.Seller(seller_id=row.seller_id, display_name=row.display_name,
                     create_time=timestamp(row.created_at))


async def create_seller(s: AsyncSession, req: pb.CreateSellerRequest) -> pb.CreateSellerResponse:
    domain.validate_seller(req)
    seller_id = req.seller_id or new_id()
    await ensure_absent(s, t.sellers.c.seller_id, seller_id, "seller")
    now = utcnow()
    await s.execute(t.sellers.insert().values(
        seller_id=seller_id, display_name=req.display_name.strip(), created_at=now))
    return pb.CreateSellerResponse(seller=pb.Seller(
        seller_id=seller_id, display_name=req.display_name.strip(), create_time=timestamp(now)))


async def get_seller(s: AsyncSession, seller_id: str) -> pb.Seller:
    return _seller(await fetch_one(s, t.sellers.c.seller_id, seller_id, "seller"))


async def list_sellers(s: AsyncSession, req: pb.ListSellersRequest) -> pb.ListSellersResponse:
    size = pagination.page_size(req.page_size)
    after = pagination.decode_token(req.page_token, "sellers")
    q = select(t.sellers).order_by(t.sellers.c.seller_id).limit(size + 1)
    if after:
        q = q.where(t.sellers.c.seller_id > after)
    rows = (await s.execute(q)).all()
    resp = pb.ListSellersResponse(sellers=[_seller(r) for r in rows[:size]])
    if len(rows) > size:
        resp.next_page_token = pagination.encode_token(rows[size - 1].seller_id, "sellers")
    return resp


# --- items -------------------------------------------------------------------


def _item(item_id: str, seller_id: str, v: Any) -> pb.Item:
    item = pb.Item(
        item_id=item_id, seller_id=seller_id, version=v.version, title=v.title,
        description=v.description, category_id=v.category_id, item_type=v.item_type,
        stock_mode=v.stock_mode, create_time=timestamp(v.created_at),
    )
    for sku in json.loads(v.skus):  # versions from before SKUs had weights: 0
        item.skus.add(sku_id=sku["sku_id"], attributes=sku["attributes"],
                      price=Money(currency_code=v.currency, amount_minor=sku["price"]),
                      weight_grams=sku.get("weight_grams", 0),
                      volume_cm3=sku.get("volume_cm3", 0))
    if v.presale:
        terms = json.loads(v.presale)
        item.presale.deposit.CopyFrom(Money(currency_code=v.currency,
                                            amount_minor=terms["deposit"]))
        item.presale.balance_start_time.FromJsonString(terms["balance_start_time"])
        item.presale.balance_end_time.FromJsonString(terms["balance_end_time"])
    return item


def _presale_json(item: pb.Item) -> str | None:
    if not item.HasField("presale"):
        return None
    p = item.presale
    return json.dumps({"deposit": p.deposit.amount_minor,
                       "balance_start_time": p.balance_start_time.ToJsonString(),
                       "balance_end_time": p.balance_end_time.ToJsonString()}, sort_keys=True)


async def _load_version(s: AsyncSession, item_id: str, version: int | None = None) -> pb.Item:
    q = (select(t.items.c.seller_id, t.item_versions)
         .join(t.item_versions, t.item_versions.c.item_id == t.items.c.item_id)
         .where(t.items.c.item_id == item_id))
    if version is None:
        q = q.where(t.item_versions.c.version == t.items.c.current_version)
    else:
        q = q.where(t.item_versions.c.version == version)
    row = (await s.execute(q)).first()
    if row is None:
        what = f"item {item_id!r}" + ("" if version is None else f" version {version}")
        raise NotFound("ITEM_NOT_FOUND", f"{what} does not exist",
                       {"item_id": item_id, "version": str(version or "")})
    return _item(item_id, row.seller_id, row)


async def _write_version(s: AsyncSession, item: pb.Item, currency: str) -> None:
    await s.execute(t.item_versions.insert().values(
        item_id=item.item_id, version=item.version, title=item.title,
        description=item.description, category_id=item.category_id,
        item_type=item.item_type, stock_mode=item.stock_mode, currency=currency,
        skus=json.dumps([{"sku_id": k.sku_id, "attributes": dict(k.attributes),
                          "price": k.price.amount_minor, "weight_grams": k.weight_grams,
                          "volume_cm3": k.volume_cm3} for k in item.skus],
                        sort_keys=True, ensure_ascii=False),
        presale=_presale_json(item),
        created_at=item.create_time.ToDatetime(tzinfo=utcnow().tzinfo),
    ))
    await outbox.publish(s, t.plumbing,
                         ev.ItemVersionPublished(item=item, occur_time=now_timestamp()),
                         item.item_id)


async def create_item(s: AsyncSession, req: pb.CreateItemRequest) -> pb.CreateItemResponse:
    currency = domain.validate_create_item(req)
    await get_seller(s, req.seller_id)
    taken = [k.sku_id for k in req.skus if k.sku_id]
    if taken:
        clash = (await s.execute(select(t.skus.c.sku_id)
                                 .where(t.skus.c.sku_id.in_(taken)))).scalars().all()
        if clash:
            raise AlreadyExists("SKU_EXISTS", f"SKU ids already in use: {sorted(clash)}",
                                {"sku_ids": ",".join(sorted(clash))})
    now = utcnow()
    item = pb.Item(
        item_id=new_id(), seller_id=req.seller_id, version=1, title=req.title.strip(),
        description=req.description, category_id=req.category_id, item_type=req.item_type,
        stock_mode=req.stock_mode or pb.STOCK_MODE_RESERVE_AT_ORDER, create_time=timestamp(now),
    )
    if req.HasField("presale"):
        item.presale.CopyFrom(req.presale)
    await s.execute(t.items.insert().values(
        item_id=item.item_id, seller_id=req.seller_id, current_version=1,
        created_at=now, updated_at=now))
    for k in req.skus:
        sku_id = k.sku_id or new_id()
        item.skus.add(sku_id=sku_id, attributes=k.attributes, price=k.price,
                      weight_grams=k.weight_grams, volume_cm3=k.volume_cm3)
        await s.execute(t.skus.insert().values(sku_id=sku_id, item_id=item.item_id,
                                               created_at=now))
        await s.execute(t.stock.insert().values(sku_id=sku_id, available=k.initial_stock,
                                                reserved=0, sold=0))
    await _write_version(s, item, currency)
    return pb.CreateItemResponse(item=item)


async def update_item(s: AsyncSession, req: pb.UpdateItemRequest) -> pb.UpdateItemResponse:
    domain.validate_update_item(req)
    current = await _load_version(s, req.item_id)
    if req.expected_version and req.expected_version != current.version:
        raise FailedPrecondition(
            "ITEM_VERSION_MISMATCH",
            f"item {req.item_id} is at version {current.version}, not {req.expected_version}",
            [PreconditionViolation("VERSION", f"items/{req.item_id}",
                                   f"current version is {current.version}")],
        )
    currency = current.skus[0].price.currency_code
    new = pb.Item()
    new.CopyFrom(current)
    new.version = current.version + 1
    new.create_time.CopyFrom(now_timestamp())
    if req.title:
        new.title = req.title.strip()
    if req.description:
        new.description = req.description
    if req.category_id:
        new.category_id = req.category_id
    by_id = {k.sku_id: k for k in new.skus}
    fields = {k.sku_id: "" for k in new.skus}  # the request's name of each SKU
    now = utcnow()
    for i, k in enumerate(req.skus):
        if k.price.currency_code != currency:
            raise InvalidArgument.field(f"skus[{i}].price.currency_code",
                                        f"the item is priced in {currency}")
        if k.sku_id in by_id:
            old = by_id[k.sku_id]
            old.price.CopyFrom(k.price)
            if k.attributes:
                old.attributes.clear()
                old.attributes.update(k.attributes)
            old.weight_grams = k.weight_grams or old.weight_grams
            old.volume_cm3 = k.volume_cm3 or old.volume_cm3
            fields[k.sku_id] = f"skus[{i}]"
            continue
        sku_id = k.sku_id or new_id()
        fields[sku_id] = f"skus[{i}]"
        new.skus.add(sku_id=sku_id, attributes=k.attributes, price=k.price,
                     weight_grams=k.weight_grams, volume_cm3=k.volume_cm3)
        await s.execute(t.skus.insert().values(sku_id=sku_id, item_id=new.item_id,
                                               created_at=now))
        await s.execute(t.stock.insert().values(sku_id=sku_id, available=k.initial_stock,
                                                reserved=0, sold=0))
    v = Violations()
    domain.check_shipping(v, new.item_type, [fields[k.sku_id] for k in new.skus], new.skus)
    if new.HasField("presale"):  # the terms carry over; prices must still exceed the deposit
        domain.validate_presale(v, new.presale, currency,
                                [k.price.amount_minor for k in new.skus])
    v.raise_if_any()
    # Compare-and-set on the version: two concurrent updates cannot both win.
    result = await s.execute(
        update(t.items)
        .where(t.items.c.item_id == new.item_id, t.items.c.current_version == current.version)
        .values(current_version=new.version, updated_at=now)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise FailedPrecondition("ITEM_VERSION_MISMATCH",
                                 f"item {new.item_id} was changed concurrently; read it again")
    await _write_version(s, new, currency)
    return pb.UpdateItemResponse(item=new)


async def get_item(s: AsyncSession, item_id: str) -> pb.Item:
    return await _load_version(s, item_id)


async def get_item_version(s: AsyncSession, item_id: str, version: int) -> pb.Item:
    if version <= 0:
        raise InvalidArgument.field("version", "must be positive")
    return await _load_version(s, item_id, version)


async def list_items(s: AsyncSession, req: pb.ListItemsRequest) -> pb.ListItemsResponse:
    size = pagination.page_size(req.page_size)
    query_key = f"items:{req.seller_id}"
    after = pagination.decode_token(req.page_token, query_key)
    q = (select(t.items.c.item_id, t.items.c.seller_id, t.item_versions)
         .join(t.item_versions, (t.item_versions.c.item_id == t.items.c.item_id)
               & (t.item_versions.c.version == t.items.c.current_version))
         .order_by(t.items.c.item_id).limit(size + 1))
    if req.seller_id:
        q = q.where(t.items.c.seller_id == req.seller_id)
    if after:
        q = q.where(t.items.c.item_id > after)
    rows = (await s.execute(q)).all()
    resp = pb.ListItemsResponse(items=[_item(r.item_id, r.seller_id, r) for r in rows[:size]])
    if len(rows) > size:
        resp.next_page_token = pagination.encode_token(rows[size - 1].item_id, query_key)
    return resp


async def batch_get_skus(s: AsyncSession, sku_ids: Sequence[str]) -> pb.BatchGetSkusResponse:
    if len(sku_ids) > 500:
        raise InvalidArgument.field("sku_ids", "at most 500 per call")
    rows = (await s.execute(
        select(t.skus.c.sku_id, t.items.c.item_id, t.items.c.seller_id, t.item_versions)
        .join(t.items, t.items.c.item_id == t.skus.c.item_id)
        .join(t.item_versions, (t.item_versions.c.item_id == t.items.c.item_id)
              & (t.item_versions.c.version == t.items.c.current_version))
        .where(t.skus.c.sku_id.in_(list(set(sku_ids))))
    )).all()
    found: dict[str, pb.SkuView] = {}
    for r in rows:
        item = _item(r.item_id, r.seller_id, r)
        for k in item.skus:
            if k.sku_id == r.sku_id:
                found[k.sku_id] = pb.SkuView(
                    sku_id=k.sku_id, item_id=item.item_id, seller_id=item.seller_id,
                    item_version=item.version, title=item.title,
                    category_id=item.category_id, item_type=item.item_type,
                    stock_mode=item.stock_mode, attributes=k.attributes, price=k.price,
                    presale=item.presale if item.HasField("presale") else None,
                    weight_grams=k.weight_grams, volume_cm3=k.volume_cm3)
    return pb.BatchGetSkusResponse(
        skus=[found[i] for i in dict.fromkeys(sku_ids) if i in found],
        missing_sku_ids=[i for i in dict.fromkeys(sku_ids) if i not in found],
    )


# --- stock -------------------------------------------------------------------


def _stock(row: Any) -> pb.Stock:
    return pb.Stock(sku_id=row.sku_id, available=row.available, reserved=row.reserved,
                    sold=row.sold, shipped=row.shipped)


async def get_stock(s: AsyncSession, sku_id: str) -> pb.Stock:
    return _stock(await fetch_one(s, t.stock.c.sku_id, sku_id, "SKU"))


async def adjust_stock(s: AsyncSession, req: pb.AdjustStockRequest) -> pb.AdjustStockResponse:
    if not req.sku_id:
        raise InvalidArgument.field("sku_id", "is required")
    if req.delta == 0:
        raise InvalidArgument.field("delta", "must not be zero")
    await get_stock(s, req.sku_id)
    result = await s.execute(
        update(t.stock)
        .where(t.stock.c.sku_id == req.sku_id, t.stock.c.available + req.delta >= 0)
        .values(available=t.stock.c.available + req.delta)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise FailedPrecondition(
            "INSUFFICIENT_STOCK", f"cannot remove {-req.delta} units of {req.sku_id}",
            [PreconditionViolation("STOCK", f"skus/{req.sku_id}", "not enough available")])
    return pb.AdjustStockResponse(stock=await get_stock(s, req.sku_id))


def _warehouse_stock(row: Any) -> pb.WarehouseStock:
    return pb.WarehouseStock(sku_id=row.sku_id, warehouse_id=row.warehouse_id,
                             quantity=row.quantity, update_time=timestamp(row.updated_at))


async def set_warehouse_stock(s: AsyncSession, dialect: str, req: pb.SetWarehouseStockRequest
                              ) -> pb.SetWarehouseStockResponse:
    """Set a SKU's on-hand units in one warehouse; stock.available moves by the
    same delta and never below zero (units reserved by orders stay reserved)."""
    domain.validate_set_warehouse_stock(req)
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
    if delta:
        # Compare-and-set, as reservations do: racing a reservation, the one
        # that commits second sees the other's available.
        moved = await s.execute(
            update(t.stock)
            .where(t.stock.c.sku_id == req.sku_id, t.stock.c.available + delta >= 0)
            .values(available=t.stock.c.available + delta))
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            available = (await s.execute(select(t.stock.c.available)
                                         .where(t.stock.c.sku_id == req.sku_id))).scalar()
            raise FailedPrecondition(
                "INSUFFICIENT_STOCK",
                f"cannot remove {-delta} units of {req.sku_id} from warehouse "
                f"{req.warehouse_id}: only {available} are not reserved",
                [PreconditionViolation("STOCK", f"skus/{req.sku_id}",
                                       f"available {available}, removing {-delta}")],
                {"sku_id": req.sku_id, "warehouse_id": req.warehouse_id})
    changed = await s.execute(
        update(t.warehouse_stock)
        .where(ws.sku_id == req.sku_id, ws.warehouse_id == req.warehouse_id, ws.quantity == old)
        .values(quantity=req.quantity, updated_at=now))
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise Aborted("CONCURRENT_MODIFICATION",
                      f"the stock of {req.sku_id} in {req.warehouse_id} changed concurrently",
                      {"sku_id": req.sku_id, "warehouse_id": req.warehouse_id})
    row = (await s.execute(select(t.warehouse_stock).where(
        ws.sku_id == req.sku_id, ws.warehouse_id == req.warehouse_id))).one()
    return pb.SetWarehouseStockResponse(warehouse_stock=_warehouse_stock(row),
                                        stock=await get_stock(s, req.sku_id))


async def batch_get_warehouse_stock(s: AsyncSession, sku_ids: Sequence[str]
                                    ) -> pb.BatchGetWarehouseStockResponse:
    if len(sku_ids) > 500:
        raise InvalidArgument.field("sku_ids", "at most 500 per call")
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
        first = await s.execute(insert_ignore(dialect, shipments).values(
            package_id=package_id, sku_id=sku_id, warehouse_id=warehouse_id,
            quantity=quantity, applied=False, created_at=utcnow()))
        if first.rowcount == 0:  # type: ignore[attr-defined]
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
        moved = [await s.execute(update(t.warehouse_stock)
                                 .where(ws.sku_id == sku_id, ws.warehouse_id == warehouse_id,
                                        ws.quantity >= quantity)
                                 .values(quantity=ws.quantity - quantity, updated_at=utcnow())),
                 await s.execute(update(t.stock)
                                 .where(st.sku_id == sku_id, st.sold - st.shipped >= quantity)
                                 .values(shipped=st.shipped + quantity))]
        if any(r.rowcount != 1 for r in moved):  # type: ignore[attr-defined]
            # Only without row locks: roll back, the event is delivered again.
            raise Aborted("CONCURRENT_MODIFICATION",
                          f"the stock of {sku_id} changed while package {package_id} shipped",
                          {"sku_id": sku_id, "warehouse_id": warehouse_id})
        await s.execute(update(shipments).where(
            shipments.c.package_id == package_id, shipments.c.sku_id == sku_id,
            shipments.c.warehouse_id == warehouse_id).values(applied=True))


async def _reservation(s: AsyncSession, order_id: str, lock: bool = False) -> pb.Reservation | None:
    q = select(t.reservations.c.status).where(t.reservations.c.order_id == order_id)
    if lock:
        q = q.with_for_update()
    status = (await s.execute(q)).scalar_one_or_none()
    if status is None:
        return None
    lines = (await s.execute(
        select(t.reservation_lines.c.sku_id, t.reservation_lines.c.quantity)
        .where(t.reservation_lines.c.order_id == order_id)
        .order_by(t.reservation_lines.c.sku_id)
    )).all()
    return pb.Reservation(order_id=order_id, status=status,
                          lines=[pb.StockLine(sku_id=r.sku_id, quantity=r.quantity)
                                 for r in lines])


async def get_reservation(s: AsyncSession, order_id: str) -> pb.Reservation:
    res = await _reservation(s, order_id)
    if res is None:
        raise NotFound("RESERVATION_NOT_FOUND", f"order {order_id!r} reserved nothing",
                       {"order_id": order_id})
    return res


def _same_lines(res: pb.Reservation, lines: Sequence[pb.StockLine]) -> bool:
    return sorted((x.sku_id, x.quantity) for x in res.lines) == sorted(
        (x.sku_id, x.quantity) for x in lines)


async def _publish_reservation(s: AsyncSession, res: pb.Reservation) -> None:
    await outbox.publish(s, t.plumbing,
                         ev.ReservationChanged(reservation=res, occur_time=now_timestamp()),
                         res.order_id)


def _replay_reservation(res: pb.Reservation, lines: Sequence[pb.StockLine]) -> pb.Reservation:
    if res.status in (domain.RELEASED, domain.RESTOCKED):
        raise FailedPrecondition(
            "RESERVATION_RELEASED", f"order {res.order_id} was already released",
            [PreconditionViolation("RESERVATION", f"orders/{res.order_id}",
                                   pb.ReservationStatus.Name(res.status))],
            {"order_id": res.order_id})
    if not _same_lines(res, lines):
        raise AlreadyExists("IDEMPOTENCY_KEY_REUSED",
                            f"order {res.order_id} already reserved different lines",
                            {"order_id": res.order_id})
    return res


async def reserve_stock(s: AsyncSession, dialect: str,
                        req: pb.ReserveStockRequest) -> pb.ReserveStockResponse:
    domain.validate_stock_lines(req.order_id, req.lines)
    now = utcnow()
    inserted = await s.execute(insert_ignore(dialect, t.reservations).values(
        order_id=req.order_id, status=domain.RESERVED, created_at=now, updated_at=now))
    if inserted.rowcount == 0:  # type: ignore[attr-defined]
        existing = await _reservation(s, req.order_id)
        assert existing is not None
        return pb.ReserveStockResponse(reservation=_replay_reservation(existing, req.lines))
    violations: list[PreconditionViolation] = []
    missing: list[str] = []
    # A fixed lock order (by SKU id) keeps concurrent reservations deadlock-free.
    for line in sorted(req.lines, key=lambda x: x.sku_id):
        result = await s.execute(
            update(t.stock)
            .where(t.stock.c.sku_id == line.sku_id, t.stock.c.available >= line.quantity)
            .values(available=t.stock.c.available - line.quantity,
                    reserved=t.stock.c.reserved + line.quantity)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            await s.execute(t.reservation_lines.insert().values(
                order_id=req.order_id, sku_id=line.sku_id, quantity=line.quantity))
            continue
        available = (await s.execute(select(t.stock.c.available)
                                     .where(t.stock.c.sku_id == line.sku_id))).scalar()
        if available is None:
            missing.append(line.sku_id)
        else:
            violations.append(PreconditionViolation(
                "STOCK", f"skus/{line.sku_id}",
                f"requested {line.quantity}, available {available}"))
    if missing:
        raise NotFound("SKU_NOT_FOUND", f"SKUs do not exist: {missing}",
                       {"sku_ids": ",".join(missing)})
    if violations:
        # Raising rolls the whole transaction back: all lines or none.
        raise FailedPrecondition("OUT_OF_STOCK", "not enough stock for the order", violations,
                                 {"order_id": req.order_id})
    res = await _reservation(s, req.order_id)
    assert res is not None
    await _publish_reservation(s, res)
    return pb.ReserveStockResponse(reservation=res)


async def _tombstone(s: AsyncSession, dialect: str, order_id: str) -> pb.Reservation | None:
    """Nothing reserved yet: leave a tombstone so a late reservation is refused."""
    now = utcnow()
    tomb = await s.execute(insert_ignore(dialect, t.reservations).values(
        order_id=order_id, status=domain.RELEASED, created_at=now, updated_at=now))
    if tomb.rowcount != 1:  # type: ignore[attr-defined]
        return None
    res = pb.Reservation(order_id=order_id, status=domain.RELEASED)
    await _publish_reservation(s, res)
    return res


async def release_stock(s: AsyncSession, dialect: str, order_id: str) -> pb.Reservation:
    if not order_id:
        raise InvalidArgument.field("order_id", "is required")
    tomb = await _tombstone(s, dialect, order_id)
    return tomb if tomb is not None else await _transition(s, order_id, domain.RELEASE)


async def deduct_stock(s: AsyncSession, order_id: str) -> pb.Reservation:
    if not order_id:
        raise InvalidArgument.field("order_id", "is required")
    return await _transition(s, order_id, domain.DEDUCT)


async def restock_stock(s: AsyncSession, order_id: str) -> pb.Reservation:
    """A paid order cancelled before anything shipped: its sold units go back
    on sale (DEDUCTED -> RESTOCKED, sold -> available). Idempotent by order id."""
    if not order_id:
        raise InvalidArgument.field("order_id", "is required")
    return await _transition(s, order_id, domain.RESTOCK)


async def stock_on_order_cancelled(s: AsyncSession, dialect: str, order_id: str, *,
                                   paid_cancelled: bool) -> pb.Reservation | None:
    """The consumer's effect of ``trade.order.cancelled``: release a reserved
    order's stock, restock a paid one's (only when the event says it was paid,
    ``zhongtai.orders.paid_order_cancelled``); anything else is logged and skipped
    (never raised: redelivering would not change it, and the queue must not
    be poisoned). Returns the reservation changed, or None.

    The reservation row is locked first (PostgreSQL; SQLite serializes
    writers), so the same cancel delivered twice under two event ids acts
    once: the second finds RELEASED / RESTOCKED and does nothing."""
    if not order_id:
        log.error("trade.order.cancelled without an order id: ignored")
        return None
    tomb = await _tombstone(s, dialect, order_id)
    if tomb is not None:
        if paid_cancelled:
            log.error("paid order %s was cancelled but reserved no stock here: "
                      "left a tombstone, restocked nothing", order_id)
        return tomb
    res = await _reservation(s, order_id, lock=True)
    assert res is not None
    action = domain.on_cancel_action(res.status, paid_cancelled)
    if action is None:
        status = pb.ReservationStatus.Name(res.status)
        if res.status in (domain.RELEASED, domain.RESTOCKED):
            log.info("stock of cancelled order %s already %s", order_id, status)
        else:
            log.error("not releasing the stock of cancelled order %s: its reservation is %s "
                      "and the event does not say the order was paid (pay_status "
                      "REFUNDING / close_reason SHIP_TIMEOUT); left as it is",
                      order_id, status)
        return None
    return await _transition(s, order_id, action)


async def _transition(s: AsyncSession, order_id: str, action: str) -> pb.Reservation:
    res = await _reservation(s, order_id, lock=True)
    if res is None:
        raise NotFound("RESERVATION_NOT_FOUND", f"order {order_id!r} reserved nothing",
                       {"order_id": order_id})
    target = domain.ACTION_TARGETS[action]
    if res.status == target:
        return res  # idempotent repeat
    new_status = domain.next_reservation_status(res.status, action, order_id)
    changed = await s.execute(
        update(t.reservations)
        .where(t.reservations.c.order_id == order_id, t.reservations.c.status == res.status)
        .values(status=new_status, updated_at=utcnow())
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        # Lost a race with a concurrent transition (SQLite has no row lock).
        current = await _reservation(s, order_id)
        assert current is not None
        if current.status == target:
            return current
        domain.next_reservation_status(current.status, action, order_id)
        raise Aborted("CONCURRENT_MODIFICATION",
                      f"the reservation of order {order_id} changed concurrently; retry",
                      {"order_id": order_id})
    st = t.stock.c
    for line in res.lines:
        if action == domain.RELEASE:
            guard = st.reserved >= line.quantity
            values = {"available": st.available + line.quantity,
                      "reserved": st.reserved - line.quantity}
        elif action == domain.DEDUCT:
            guard = st.reserved >= line.quantity
            values = {"reserved": st.reserved - line.quantity,
                      "sold": st.sold + line.quantity}
        else:  # RESTOCK: the units sold to this order are on sale again
            guard = st.sold >= line.quantity
            values = {"available": st.available + line.quantity,
                      "sold": st.sold - line.quantity}
        moved = await s.execute(update(t.stock).where(st.sku_id == line.sku_id, guard)
                                .values(**values))
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            # Only this order's own transitions move these units: the books are broken.
            raise RuntimeError(f"order {order_id}: cannot {action} {line.quantity} units "
                               f"of {line.sku_id}: the stock row does not hold them")
    res.status = new_status
    await _publish_reservation(s, res)
    return res

