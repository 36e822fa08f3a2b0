"""catalog's sellers and items: registering a seller, publishing an item
and each change of it as a new immutable version (an order keeps the
snapshot it was bought at), and reading SKUs at their current version.
Each use case runs in the caller's transaction (session)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from catalog import domain, trail
from catalog import store as t
from catalog.domain import E
from zhongtai import outbox, pagination
from zhongtai.auth import Identity, acting_seller
from zhongtai.catalog.v1 import catalog_pb2 as pb
from zhongtai.catalog.v1 import events_pb2 as ev
from zhongtai.common.v1.common_pb2 import Money
from zhongtai.db import compare_and_set, ensure_absent, fetch_one, utcnow
from zhongtai.errors import InvalidArgument, PreconditionViolation, Violations
from zhongtai.ids import new_id
from zhongtai.wire import now_timestamp, timestamp

# --- sellers -----------------------------------------------------------------


def _seller(row: Any) -> pb.Seller:
    return pb.Seller(seller_id=row.seller_id, display_name=row.display_name,
                     create_time=timestamp(row.created_at))


async def create_seller(s: AsyncSession, req: pb.CreateSellerRequest) -> pb.CreateSellerResponse:
    """Register a seller (its name and id within the contract's limits);
    SELLER_EXISTS if the id is taken."""
    seller_id = req.seller_id or new_id()
    await ensure_absent(s, t.sellers.c.seller_id, seller_id, "seller",
                        reason=(E, pb.ERROR_REASON_SELLER_EXISTS))
    now = utcnow()
    await s.execute(t.sellers.insert().values(
        seller_id=seller_id, display_name=req.display_name.strip(), created_at=now))
    await trail.record(s, trail.SELLER, seller_id, "registered")
    return pb.CreateSellerResponse(seller=pb.Seller(
        seller_id=seller_id, display_name=req.display_name.strip(), create_time=timestamp(now)))


async def get_seller(s: AsyncSession, seller_id: str) -> pb.Seller:
    return _seller(await fetch_one(s, t.sellers.c.seller_id, seller_id, "seller",
                                   reason=(E, pb.ERROR_REASON_SELLER_NOT_FOUND)))


async def list_sellers(s: AsyncSession, req: pb.ListSellersRequest) -> pb.ListSellersResponse:
    rows, token = await pagination.page(s, select(t.sellers), t.sellers.c.seller_id, req,
                                        "sellers")
    return pb.ListSellersResponse(sellers=[_seller(r) for r in rows], next_page_token=token)


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
        raise E(pb.ERROR_REASON_ITEM_NOT_FOUND, f"{what} does not exist",
                metadata={"item_id": item_id, "version": str(version or "")})
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
    await trail.record(s, trail.ITEM, item.item_id,
                       f"version {item.version}: SKUs {', '.join(k.sku_id for k in item.skus)}")


async def _add_sku(s: AsyncSession, item: pb.Item, k: pb.SkuInput, now: dt.datetime) -> str:
    """A new SKU of ``item`` (its id, or a new one): its row and its stock
    (``initial_stock`` available). Returns its id."""
    sku_id = k.sku_id or new_id()
    item.skus.add(sku_id=sku_id, attributes=k.attributes, price=k.price,
                  weight_grams=k.weight_grams, volume_cm3=k.volume_cm3)
    await s.execute(t.skus.insert().values(sku_id=sku_id, item_id=item.item_id, created_at=now))
    await s.execute(t.stock.insert().values(sku_id=sku_id, available=k.initial_stock,
                                            reserved=0, sold=0))
    return sku_id


async def create_item(s: AsyncSession, caller: Identity, req: pb.CreateItemRequest
                      ) -> pb.CreateItemResponse:
    """Publish a seller's item at version 1 with its SKUs and their stock. A
    seller credential only for one of its own sellers (SUBJECT_MISMATCH);
    SELLER_NOT_FOUND, SKU_EXISTS for ids in use; nothing written when
    refused."""
    acting_seller(caller, req.seller_id)
    currency = domain.validate_create_item(req)
    await get_seller(s, req.seller_id)
    taken = [k.sku_id for k in req.skus if k.sku_id]
    if taken:
        clash = (await s.execute(select(t.skus.c.sku_id)
                                 .where(t.skus.c.sku_id.in_(taken)))).scalars().all()
        if clash:
            raise E(pb.ERROR_REASON_SKU_EXISTS, f"SKU ids already in use: {sorted(clash)}",
                    metadata={"sku_ids": ",".join(sorted(clash))})
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
        await _add_sku(s, item, k, now)
    await _write_version(s, item, currency)
    return pb.CreateItemResponse(item=item)


async def update_item(s: AsyncSession, caller: Identity, req: pb.UpdateItemRequest
                      ) -> pb.UpdateItemResponse:
    """Write the item's next version (prices, weights, new SKUs...). Only
    its seller (``domain.require_seller``); ITEM_VERSION_MISMATCH when
    another update came first; nothing written when refused."""
    domain.validate_update_item(req)
    current = await _load_version(s, req.item_id)
    domain.require_seller(caller, current.seller_id, f"item {req.item_id}",
                          item_id=req.item_id)
    if req.expected_version and req.expected_version != current.version:
        raise E(pb.ERROR_REASON_ITEM_VERSION_MISMATCH,
                f"item {req.item_id} is at version {current.version}, not {req.expected_version}",
                violations=[PreconditionViolation("VERSION", f"items/{req.item_id}",
                                                  f"current version is {current.version}")])
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
        fields[await _add_sku(s, new, k, now)] = f"skus[{i}]"
    v = Violations()
    domain.check_shipping(v, new.item_type, [fields[k.sku_id] for k in new.skus], new.skus)
    if new.HasField("presale"):  # the terms carry over; prices must still exceed the deposit
        domain.validate_presale(v, new.presale, currency,
                                [k.price.amount_minor for k in new.skus])
    v.raise_if_any()
    # Compare-and-set on the version: two concurrent updates cannot both win.
    if not await compare_and_set(s, update(t.items).where(
            t.items.c.item_id == new.item_id, t.items.c.current_version == current.version)
            .values(current_version=new.version, updated_at=now)):
        raise E(pb.ERROR_REASON_ITEM_VERSION_MISMATCH,
                f"item {new.item_id} was changed concurrently; read it again")
    await _write_version(s, new, currency)
    return pb.UpdateItemResponse(item=new)


async def get_item(s: AsyncSession, item_id: str) -> pb.Item:
    return await _load_version(s, item_id)


async def get_item_version(s: AsyncSession, item_id: str, version: int) -> pb.Item:
    return await _load_version(s, item_id, version)


async def list_items(s: AsyncSession, req: pb.ListItemsRequest) -> pb.ListItemsResponse:
    q = (select(t.items.c.item_id, t.items.c.seller_id, t.item_versions)
         .join(t.item_versions, (t.item_versions.c.item_id == t.items.c.item_id)
               & (t.item_versions.c.version == t.items.c.current_version)))
    if req.seller_id:
        q = q.where(t.items.c.seller_id == req.seller_id)
    rows, token = await pagination.page(s, q, t.items.c.item_id, req, f"items:{req.seller_id}")
    return pb.ListItemsResponse(items=[_item(r.item_id, r.seller_id, r) for r in rows],
                                next_page_token=token)


async def batch_get_skus(s: AsyncSession, sku_ids: Sequence[str]) -> pb.BatchGetSkusResponse:
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
