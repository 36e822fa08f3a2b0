"""catalog's values and rules: sellers, items (immutable versions of their
SKUs), stock and reservations as the use cases take and return them (frozen
dataclasses; ``catalog.views`` shows them as protobuf), what a valid item,
SKU and stock line is, beyond the limits catalog.proto declares (lengths,
ranges, counts, currencies: checked by the server before any use case,
``zhongtai.validation``), and what each move of a reservation does to the
stock's units. No database, gRPC, broker or protobuf message here; the
generated ``catalog_pb2`` is imported for enum values (item types, stock
modes, statuses, reasons) only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from zhongtai.auth import Identity, may_act_for
from zhongtai.catalog.v1 import catalog_pb2 as pb
from zhongtai.errors import Reasons, Violations
from zhongtai.money import Money

# catalog's reasons (its ErrorReason enum): raise E(pb.ERROR_REASON_..., message).
E = Reasons(pb.ErrorReason)

# --- values ------------------------------------------------------------------


@dataclass(frozen=True)
class Seller:
    """A registered seller (shop)."""

    seller_id: str
    display_name: str
    created_at: dt.datetime


@dataclass(frozen=True)
class PresaleTerms:
    """A presale item's terms: a deposit per unit paid when ordering, the
    balance payable from ``balance_start`` to ``balance_end``. A stored
    item's terms have all three; a request's may lack some (refused by
    ``validate_presale``)."""

    deposit: Money | None = None
    balance_start: dt.datetime | None = None
    balance_end: dt.datetime | None = None


@dataclass(frozen=True)
class Sku:
    """A SKU as one item version defines it (weights and volumes 0 on SKUs
    of versions written before SKUs carried them)."""

    sku_id: str
    attributes: Mapping[str, str]
    price: Money
    weight_grams: int = 0
    volume_cm3: int = 0


@dataclass(frozen=True)
class SkuInput:
    """A SKU as a request gives it: ``sku_id`` empty for a new id, ``price``
    None when not given (refused), ``initial_stock`` the units of a new SKU;
    in an update, a weight or volume 0 keeps an existing SKU's."""

    sku_id: str = ""
    attributes: Mapping[str, str] = field(default_factory=dict)
    price: Money | None = None
    initial_stock: int = 0
    weight_grams: int = 0
    volume_cm3: int = 0


@dataclass(frozen=True)
class Item:
    """One immutable version of an item, priced in ``currency`` (every SKU's)."""

    item_id: str
    seller_id: str
    version: int
    title: str
    description: str
    category_id: str
    item_type: int
    stock_mode: int
    currency: str
    skus: tuple[Sku, ...]
    created_at: dt.datetime
    presale: PresaleTerms | None = None


@dataclass(frozen=True)
class NewItem:
    """CreateItem's item: its seller, texts, type (``pb.ItemType``), stock
    mode (``pb.StockMode``; UNSPECIFIED reads as RESERVE_AT_ORDER), SKUs and
    presale terms (None: an ordinary item)."""

    seller_id: str
    title: str
    item_type: int
    skus: tuple[SkuInput, ...]
    description: str = ""
    category_id: str = ""
    stock_mode: int = pb.STOCK_MODE_UNSPECIFIED
    presale: PresaleTerms | None = None


@dataclass(frozen=True)
class ItemChange:
    """UpdateItem's change: texts (empty: unchanged), SKUs to reprice or add,
    and the version the caller read (0: no check)."""

    item_id: str
    expected_version: int = 0
    title: str = ""
    description: str = ""
    category_id: str = ""
    skus: tuple[SkuInput, ...] = ()


@dataclass(frozen=True)
class Stock:
    """A SKU's units: available, reserved, sold, and shipped (of sold, those
    that left a known warehouse)."""

    sku_id: str
    available: int
    reserved: int
    sold: int
    shipped: int


@dataclass(frozen=True)
class StockLine:
    """Units of one SKU (a reservation's line)."""

    sku_id: str
    quantity: int


@dataclass(frozen=True)
class Reservation:
    """An order's reservation: its status (``pb.ReservationStatus``) and lines."""

    order_id: str
    status: int
    lines: tuple[StockLine, ...] = ()


@dataclass(frozen=True)
class WarehouseStock:
    """A SKU's on-hand units in one warehouse."""

    sku_id: str
    warehouse_id: str
    quantity: int
    updated_at: dt.datetime


# --- rules -------------------------------------------------------------------

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

# The moves of a reservation (RESERVED -> RELEASED | DEDUCTED; DEDUCTED ->
# RESTOCKED, see catalog.stock.RESERVATIONS) and what each does to the units
# of each of its lines: they go from one column of the SKU's stock row to
# another. A release gives reserved units back; a deduct sells them (at
# payment); a restock puts the units sold to a paid order cancelled before
# anything shipped back on sale (warehouse_stock is untouched: they never
# left). ``shipped`` only grows when a package leaves a warehouse.
RELEASE, DEDUCT, RESTOCK = "release", "deduct", "restock"
UNIT_MOVES: dict[str, tuple[str, str]] = {
    RELEASE: ("reserved", "available"),
    DEDUCT: ("reserved", "sold"),
    RESTOCK: ("sold", "available"),
}


def units_to_move(action: str, quantity: int, restocked: int) -> int:
    """The units of a reservation line a move moves: all of them, but a
    restock (a paid order cancelled) moves only those after-sales has not
    put back on sale already (``restocked``): together never more than
    were sold."""
    return quantity - restocked if action == RESTOCK else quantity


def restock_left(quantity: int, restocked: int) -> int:
    """What after-sales may still put back on sale of a line the order
    bought ``quantity`` of, ``restocked`` of them back already."""
    return max(0, quantity - restocked)


def require_seller(caller: Identity, seller_id: str, what: str, **resource: str) -> None:
    """Who may change an item, its SKUs or their stock: a seller credential
    only for its own sellers' (``what``, e.g. "item i1"; ``resource`` its
    id, for the error's metadata); operators and services for any seller
    (the RPC's policy admits no buyer). Anyone else is PERMISSION_DENIED
    NOT_THE_SELLER, and nothing changes."""
    if not may_act_for(caller, seller_ids=[seller_id]):
        raise E(pb.ERROR_REASON_NOT_THE_SELLER,
                f"{what} is another seller's: this credential does not act for it",
                metadata=resource)


def _validate_skus(v: Violations, skus: Sequence[SkuInput], *, creating: bool) -> str:
    currencies = set()
    seen_ids: set[str] = set()
    seen_attrs: set[tuple[tuple[str, str], ...]] = set()
    for i, sku in enumerate(skus):
        f = f"skus[{i}]"
        if sku.sku_id:
            v.check(sku.sku_id not in seen_ids, f"{f}.sku_id", "is repeated")
            seen_ids.add(sku.sku_id)
        attrs = tuple(sorted(sku.attributes.items()))
        if creating or not sku.sku_id:
            v.check(attrs not in seen_attrs, f"{f}.attributes",
                    "repeats another SKU's attribute combination")
            seen_attrs.add(attrs)
        if sku.price is None:
            v.add(f"{f}.price", "is required")
        else:  # its amount and currency are within the contract's limits
            currencies.add(sku.price.currency)
    if len(currencies) > 1:
        v.add("skus", "all SKUs of an item must be priced in one currency")
    return next(iter(currencies), "")


def validate_create_item(item: NewItem) -> str:
    """A new item is valid beyond the contract's limits: a type, at least
    one SKU, no repeated SKU ids or attribute combinations, every SKU
    priced in one currency, weights as ``check_shipping`` says, presale
    terms as ``validate_presale`` says. Returns the item's currency;
    INVALID_ARGUMENT listing every violation otherwise."""
    v = Violations()
    v.check(item.item_type != pb.ITEM_TYPE_UNSPECIFIED,
            "item_type", "must be one of PHYSICAL, E_VOUCHER, ONLINE_SERVICE")
    v.check(len(item.skus) > 0, "skus", "at least one SKU is required")
    currency = _validate_skus(v, item.skus, creating=True)
    check_shipping(v, item.item_type, [f"skus[{i}]" for i in range(len(item.skus))], item.skus)
    if item.presale is not None:
        validate_presale(v, item.presale, currency,
                         [k.price.amount if k.price is not None else 0 for k in item.skus])
    v.raise_if_any()
    return currency


def check_shipping(v: Violations, item_type: int, fields: Sequence[str],
                   skus: Sequence[Sku | SkuInput]) -> None:
    """The SKUs of an item version, as shipping sees them: a physical item's
    each weigh something (weight_grams > 0), since any of them may be priced
    by weight; an e-voucher's or online service's weigh and measure nothing
    (they never ship). ``fields[i]`` names SKU i in the request (``skus[j]``),
    or is empty when the request does not list it (an update keeping a SKU
    created before SKUs carried weights): then the violation is on ``skus``."""
    physical = item_type == pb.ITEM_TYPE_PHYSICAL
    for f, sku in zip(fields, skus, strict=True):
        if physical and sku.weight_grams <= 0:
            v.add(f"{f}.weight_grams" if f else "skus",
                  "is required on a physical item" if f else
                  f"SKU {sku.sku_id} has no weight: list it with weight_grams")
        if not physical:
            v.check(sku.weight_grams == 0, f"{f}.weight_grams", "must be 0: the item does not ship")
            v.check(sku.volume_cm3 == 0, f"{f}.volume_cm3", "must be 0: the item does not ship")


def validate_presale(v: Violations, terms: PresaleTerms, currency: str,
                     prices: Sequence[int]) -> None:
    """A deposit (1 to 10^10 minor units, the contract's limit) below every
    SKU's price, in the item's currency, and a balance window that starts
    before it ends (a time not given reads as the epoch, as on the wire)."""
    deposit = terms.deposit
    v.check(deposit is not None, "presale.deposit", "is required")
    v.check((deposit.currency if deposit else "") == currency, "presale.deposit.currency_code",
            f"must be the item's currency {currency}")
    v.check(all((deposit.amount if deposit else 0) < p for p in prices), "presale.deposit",
            "must be less than the price of every SKU")
    v.check(terms.balance_start is not None, "presale.balance_start_time", "is required")
    v.check(terms.balance_end is not None, "presale.balance_end_time", "is required")
    v.check((terms.balance_start or EPOCH) < (terms.balance_end or EPOCH),
            "presale.balance_start_time", "must be before balance_end_time")


def validate_update_item(change: ItemChange) -> None:
    """An update's SKUs: no repeated ids, each priced, in one currency
    (the item's is checked by the use case); INVALID_ARGUMENT otherwise."""
    v = Violations()
    _validate_skus(v, change.skus, creating=False)
    v.raise_if_any()


def validate_stock_lines(lines: Sequence[StockLine]) -> None:
    """At least one line, one per SKU (each line's SKU and units are within
    the contract's limits)."""
    v = Violations()
    v.check(len(lines) > 0, "lines", "at least one line is required")
    seen: set[str] = set()
    for i, line in enumerate(lines):
        v.check(line.sku_id not in seen, f"lines[{i}].sku_id", "is repeated")
        seen.add(line.sku_id)
    v.raise_if_any()
