"""catalog's values as protobuf: sellers, items, SKUs, stock, reservations
and warehouse stock as the API shows them, and the integration events
catalog publishes (``catalog.item.version_published``,
``catalog.reservation.changed``).

The one place (with the servicer, and ``catalog.clients`` for the requests
catalog sends) where catalog builds protobuf messages. No database here.
"""

from __future__ import annotations

import datetime as dt

from catalog.domain import (
    Item,
    PresaleTerms,
    Reservation,
    Seller,
    Sku,
    Stock,
    WarehouseStock,
)
from zhongtai.catalog.v1 import catalog_pb2 as pb
from zhongtai.catalog.v1 import events_pb2 as ev
from zhongtai.wire import enum_value, money, timestamp


def seller(x: Seller) -> pb.Seller:
    """A seller as the API shows it."""
    return pb.Seller(seller_id=x.seller_id, display_name=x.display_name,
                     create_time=timestamp(x.created_at))


def presale(terms: PresaleTerms) -> pb.PresaleTerms:
    """Presale terms (the parts they have: a stored item's has all three)."""
    m = pb.PresaleTerms()
    if terms.deposit is not None:
        m.deposit.CopyFrom(money(terms.deposit.currency, terms.deposit.amount))
    if terms.balance_start is not None:
        m.balance_start_time.CopyFrom(timestamp(terms.balance_start))
    if terms.balance_end is not None:
        m.balance_end_time.CopyFrom(timestamp(terms.balance_end))
    return m


def sku(k: Sku) -> pb.Sku:
    """A SKU as one item version defines it."""
    return pb.Sku(sku_id=k.sku_id, attributes=dict(k.attributes),
                  price=money(k.price.currency, k.price.amount),
                  weight_grams=k.weight_grams, volume_cm3=k.volume_cm3)


def item(x: Item) -> pb.Item:
    """One version of an item, with its SKUs and presale terms (if any)."""
    m = pb.Item(
        item_id=x.item_id, seller_id=x.seller_id, version=x.version, title=x.title,
        description=x.description, category_id=x.category_id, item_type=enum_value(x.item_type),
        stock_mode=enum_value(x.stock_mode), skus=[sku(k) for k in x.skus],
        create_time=timestamp(x.created_at))
    if x.presale is not None:
        m.presale.CopyFrom(presale(x.presale))
    return m


def sku_view(x: Item, k: Sku) -> pb.SkuView:
    """What an order needs to know of SKU ``k`` of item version ``x``."""
    return pb.SkuView(
        sku_id=k.sku_id, item_id=x.item_id, seller_id=x.seller_id, item_version=x.version,
        title=x.title, category_id=x.category_id, item_type=enum_value(x.item_type),
        stock_mode=enum_value(x.stock_mode), attributes=dict(k.attributes),
        price=money(k.price.currency, k.price.amount),
        presale=presale(x.presale) if x.presale is not None else None,
        weight_grams=k.weight_grams, volume_cm3=k.volume_cm3)


def stock(x: Stock) -> pb.Stock:
    """A SKU's stock."""
    return pb.Stock(sku_id=x.sku_id, available=x.available, reserved=x.reserved,
                    sold=x.sold, shipped=x.shipped)


def reservation(x: Reservation) -> pb.Reservation:
    """An order's reservation with its lines."""
    return pb.Reservation(order_id=x.order_id, status=enum_value(x.status),
                          lines=[pb.StockLine(sku_id=line.sku_id, quantity=line.quantity)
                                 for line in x.lines])


def warehouse_stock(x: WarehouseStock) -> pb.WarehouseStock:
    """A SKU's on-hand units in one warehouse."""
    return pb.WarehouseStock(sku_id=x.sku_id, warehouse_id=x.warehouse_id,
                             quantity=x.quantity, update_time=timestamp(x.updated_at))


def item_version_published(x: Item, at: dt.datetime) -> ev.ItemVersionPublished:
    """The event of an item version written at ``at``."""
    return ev.ItemVersionPublished(item=item(x), occur_time=timestamp(at))


def reservation_changed(x: Reservation, at: dt.datetime) -> ev.ReservationChanged:
    """The event of a reservation changed at ``at``."""
    return ev.ReservationChanged(reservation=reservation(x), occur_time=timestamp(at))
