"""catalog's sellers and items: registering a seller, publishing an item
and each change of it as a new immutable version (an order keeps the
snapshot it was bought at), and reading SKUs at their current version.
Each use case runs in the caller's transaction (session), takes plain
values and returns ``catalog.domain`` values (``catalog.views`` shows them)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from catalog import domain, trail, views
from catalog import store as t
from catalog.domain import (
    E,
    Item,
    ItemChange,
    NewItem,
    PresaleTerms,
    Seller,
    Sku,
    SkuInput,
)
from zhongtai import outbox, pagination
from zhongtai.auth import Identity, acting_seller
from zhongtai.catalog.v1 import catalog_pb2 as pb
from zhongtai.db import compare_and_set, ensure_absent, fetch_one, utcnow
from zhongtai.errors import InvalidArgument, PreconditionViolation, Violations
from zhongtai.ids import new_id
from zhongtai.money import Money

# --- sellers -----------------------------------------------------------------


def _seller(row: Any) -> Seller:
    return Seller(seller_id=row.seller_id, display_name=row.display_name,
                  created_at=row.created_at)


async def create_seller(s: AsyncSession, *, display_name: str, seller_id: str = "") -> Seller:
    """Register a seller (its name and id within the contract's limits;
    the name stripped, the id generated when empty); SELLER_EXISTS if the id
    is taken."""
    seller_id = seller_id or new_id()
    await ensure_absent(s, t.sellers.c.seller_id, seller_id, "seller",
                        reason=(E, pb.ERROR_REASON_SELLER_EXISTS))
    now = utcnow()
    await s.execute(t.sellers.insert().values(
        seller_id=seller_id, display_name=display_name.strip(), created_at=now))
    await trail.record(s, trail.SELLER, seller_id, "registered")
    return Seller(seller_id=seller_id, display_name=display_name.strip(), created_at=now)


async def get_seller(s: AsyncSession, seller_id: str) -> Seller:
    """The seller, or SELLER_NOT_FOUND."""
    return _seller(await fetch_one(s, t.sellers.c.seller_id, seller_id, "seller",
                                   reason=(E, pb.ERROR_REASON_SELLER_NOT_FOUND)))


async def list_sellers(s: AsyncSession, *, page_size: int, page_token: str
                       ) -> tuple[list[Seller], str]:
    """Sellers by id, a page at a time (AIP-158): the page and the next
    page's token ("" after the last)."""
    rows, token = await pagination.page(s, select(t.sellers), t.sellers.c.seller_id,
                                        pagination.Page(page_size, page_token), "sellers")
    return [_seller(r) for r in rows], token


# --- items -------------------------------------------------------------------


def _json_time(at: dt.datetime) -> str:
    """An instant as stored in a version's presale JSON: RFC 3339 in UTC with
    0, 3 or 6 fractional digits (as ``Timestamp.ToJsonString`` writes it)."""
    spec = ("seconds" if at.microsecond == 0 else
            "milliseconds" if at.microsecond % 1000 == 0 else "microseconds")
    return at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def _item(item_id: str, seller_id: str, v: Any) -> Item:
    """An ``item_versions`` row (SKUs and presale terms as JSON) as an ``Item``."""
    presale = None
    if v.presale:
        terms = json.loads(v.presale)
        presale = PresaleTerms(
            deposit=Money(terms["deposit"], v.currency),
            balance_start=dt.datetime.fromisoformat(terms["balance_start_time"]),
            balance_end=dt.datetime.fromisoformat(terms["balance_end_time"]))
    return Item(
        item_id=item_id, seller_id=seller_id, version=v.version, title=v.title,
        description=v.description, category_id=v.category_id, item_type=v.item_type,
        stock_mode=v.stock_mode, currency=v.currency, created_at=v.created_at,
        skus=tuple(Sku(sku_id=sku["sku_id"], attributes=sku["attributes"],
                       price=Money(sku["price"], v.currency),
                       # versions from before SKUs had weights: 0
                       weight_grams=sku.get("weight_grams", 0),
                       volume_cm3=sku.get("volume_cm3", 0))
                   for sku in json.loads(v.skus)),
        presale=presale)


def _presale_json(presale: PresaleTerms | None) -> str | None:
    if presale is None:
        return None
    # A stored item's terms are whole (domain.validate_presale).
    assert presale.deposit and presale.balance_start and presale.balance_end
    return json.dumps({"deposit": presale.deposit.amount,
                       "balance_start_time": _json_time(presale.balance_start),
                       "balance_end_time": _json_time(presale.balance_end)}, sort_keys=True)


async def _load_version(s: AsyncSession, item_id: str, version: int | None = None) -> Item:
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


async def _write_version(s: AsyncSession, item: Item) -> None:
    """Write an item version, publish ``catalog.item.version_published``
    and record it, in ``s``'s transaction."""
    await s.execute(t.item_versions.insert().values(
        item_id=item.item_id, version=item.version, title=item.title,
        description=item.description, category_id=item.category_id,
        item_type=item.item_type, stock_mode=item.stock_mode, currency=item.currency,
        skus=json.dumps([{"sku_id": k.sku_id, "attributes": dict(k.attributes),
                          "price": k.price.amount, "weight_grams": k.weight_grams,
                          "volume_cm3": k.volume_cm3} for k in item.skus],
                        sort_keys=True, ensure_ascii=False),
        presale=_presale_json(item.presale),
        created_at=item.created_at,
    ))
    await outbox.publish(s, t.plumbing, views.item_version_published(item, utcnow()),
                         item.item_id)
    await trail.record(s, trail.ITEM, item.item_id,
                       f"version {item.version}: SKUs {', '.join(k.sku_id for k in item.skus)}")


def _priced(k: SkuInput) -> Money:
    # Every SKU of a request is priced (domain.validate_create_item / _update_item).
    assert k.price is not None
    return k.price


async def _add_sku(s: AsyncSession, item_id: str, k: SkuInput, now: dt.datetime) -> Sku:
    """A new SKU of item ``item_id`` (its id, or a new one): its row and its
    stock (``initial_stock`` available)."""
    sku_id = k.sku_id or new_id()
    await s.execute(t.skus.insert().values(sku_id=sku_id, item_id=item_id, created_at=now))
    await s.execute(t.stock.insert().values(sku_id=sku_id, available=k.initial_stock,
                                            reserved=0, sold=0))
    return Sku(sku_id=sku_id, attributes=dict(k.attributes), price=_priced(k),
               weight_grams=k.weight_grams, volume_cm3=k.volume_cm3)


async def create_item(s: AsyncSession, caller: Identity, new: NewItem) -> Item:
    """Publish a seller's item at version 1 with its SKUs and their stock
    (``domain.validate_create_item``). A seller credential only for one of
    its own sellers (SUBJECT_MISMATCH); SELLER_NOT_FOUND, SKU_EXISTS for ids
    in use; nothing written when refused."""
    acting_seller(caller, new.seller_id)
    currency = domain.validate_create_item(new)
    await get_seller(s, new.seller_id)
    taken = [k.sku_id for k in new.skus if k.sku_id]
    if taken:
        clash = (await s.execute(select(t.skus.c.sku_id)
                                 .where(t.skus.c.sku_id.in_(taken)))).scalars().all()
        if clash:
            raise E(pb.ERROR_REASON_SKU_EXISTS, f"SKU ids already in use: {sorted(clash)}",
                    metadata={"sku_ids": ",".join(sorted(clash))})
    now = utcnow()
    item_id = new_id()
    await s.execute(t.items.insert().values(
        item_id=item_id, seller_id=new.seller_id, current_version=1,
        created_at=now, updated_at=now))
    skus = [await _add_sku(s, item_id, k, now) for k in new.skus]
    item = Item(
        item_id=item_id, seller_id=new.seller_id, version=1, title=new.title.strip(),
        description=new.description, category_id=new.category_id, item_type=new.item_type,
        stock_mode=new.stock_mode or pb.STOCK_MODE_RESERVE_AT_ORDER, currency=currency,
        skus=tuple(skus), created_at=now, presale=new.presale)
    await _write_version(s, item)
    return item


async def update_item(s: AsyncSession, caller: Identity, change: ItemChange) -> Item:
    """Write the item's next version (prices, weights, new SKUs...). Only
    its seller (``domain.require_seller``); ITEM_VERSION_MISMATCH when
    another update came first; nothing written when refused."""
    domain.validate_update_item(change)
    item_id = change.item_id
    current = await _load_version(s, item_id)
    domain.require_seller(caller, current.seller_id, f"item {item_id}", item_id=item_id)
    if change.expected_version and change.expected_version != current.version:
        raise E(pb.ERROR_REASON_ITEM_VERSION_MISMATCH,
                f"item {item_id} is at version {current.version}, not {change.expected_version}",
                violations=[PreconditionViolation("VERSION", f"items/{item_id}",
                                                  f"current version is {current.version}")])
    currency = current.currency
    skus = {k.sku_id: k for k in current.skus}
    fields = {k.sku_id: "" for k in current.skus}  # the request's name of each SKU
    now = utcnow()
    for i, k in enumerate(change.skus):
        if _priced(k).currency != currency:
            raise InvalidArgument.field(f"skus[{i}].price.currency_code",
                                        f"the item is priced in {currency}")
        if k.sku_id in skus:
            old = skus[k.sku_id]
            skus[k.sku_id] = dataclasses.replace(
                old, price=_priced(k),
                attributes=dict(k.attributes) if k.attributes else old.attributes,
                weight_grams=k.weight_grams or old.weight_grams,
                volume_cm3=k.volume_cm3 or old.volume_cm3)
            fields[k.sku_id] = f"skus[{i}]"
            continue
        added = await _add_sku(s, item_id, k, now)
        skus[added.sku_id] = added
        fields[added.sku_id] = f"skus[{i}]"
    new = dataclasses.replace(
        current, version=current.version + 1, created_at=now,
        title=change.title.strip() if change.title else current.title,
        description=change.description or current.description,
        category_id=change.category_id or current.category_id, skus=tuple(skus.values()))
    v = Violations()
    domain.check_shipping(v, new.item_type, [fields[k.sku_id] for k in new.skus], new.skus)
    if new.presale is not None:  # the terms carry over; prices must still exceed the deposit
        domain.validate_presale(v, new.presale, currency, [k.price.amount for k in new.skus])
    v.raise_if_any()
    # Compare-and-set on the version: two concurrent updates cannot both win.
    if not await compare_and_set(s, update(t.items).where(
            t.items.c.item_id == item_id, t.items.c.current_version == current.version)
            .values(current_version=new.version, updated_at=now)):
        raise E(pb.ERROR_REASON_ITEM_VERSION_MISMATCH,
                f"item {item_id} was changed concurrently; read it again")
    await _write_version(s, new)
    return new


async def get_item(s: AsyncSession, item_id: str) -> Item:
    """The item's current version, or ITEM_NOT_FOUND."""
    return await _load_version(s, item_id)


async def get_item_version(s: AsyncSession, item_id: str, version: int) -> Item:
    """One version of the item as it was published, or ITEM_NOT_FOUND."""
    return await _load_version(s, item_id, version)


async def list_items(s: AsyncSession, *, seller_id: str, page_size: int, page_token: str
                     ) -> tuple[list[Item], str]:
    """Items at their current version by id, of one seller when
    ``seller_id`` is set, a page at a time (AIP-158): the page and the next
    page's token ("" after the last)."""
    q = (select(t.items.c.item_id, t.items.c.seller_id, t.item_versions)
         .join(t.item_versions, (t.item_versions.c.item_id == t.items.c.item_id)
               & (t.item_versions.c.version == t.items.c.current_version)))
    if seller_id:
        q = q.where(t.items.c.seller_id == seller_id)
    rows, token = await pagination.page(s, q, t.items.c.item_id,
                                        pagination.Page(page_size, page_token),
                                        f"items:{seller_id}")
    return [_item(r.item_id, r.seller_id, r) for r in rows], token


async def batch_get_skus(s: AsyncSession, sku_ids: Sequence[str]
                         ) -> tuple[list[tuple[Item, Sku]], list[str]]:
    """Each SKU asked for (once, in the order asked) with its item's current
    version, and the ids of those that do not exist."""
    rows = (await s.execute(
        select(t.skus.c.sku_id, t.items.c.item_id, t.items.c.seller_id, t.item_versions)
        .join(t.items, t.items.c.item_id == t.skus.c.item_id)
        .join(t.item_versions, (t.item_versions.c.item_id == t.items.c.item_id)
              & (t.item_versions.c.version == t.items.c.current_version))
        .where(t.skus.c.sku_id.in_(list(set(sku_ids))))
    )).all()
    found: dict[str, tuple[Item, Sku]] = {}
    for r in rows:
        item = _item(r.item_id, r.seller_id, r)
        for k in item.skus:
            if k.sku_id == r.sku_id:
                found[k.sku_id] = (item, k)
    wanted = list(dict.fromkeys(sku_ids))
    return [found[i] for i in wanted if i in found], [i for i in wanted if i not in found]
