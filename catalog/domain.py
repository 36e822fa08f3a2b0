"""catalog's rules: what a valid seller, item, SKU and stock line is, and
what each move of a reservation does to the stock's units. No database, gRPC
or broker here; the generated ``catalog_pb2`` is imported for enum values
(statuses, reasons) and the request messages validated."""

from __future__ import annotations

from collections.abc import Sequence

from zhongtai.catalog.v1 import catalog_pb2 as pb
from zhongtai.errors import Reasons, Violations
from zhongtai.money import parse_currency

# catalog's reasons (its ErrorReason enum): raise E(pb.ERROR_REASON_..., message).
E = Reasons(pb.ErrorReason)

MAX_TITLE = 500
MAX_QUANTITY = 1_000_000
MAX_WEIGHT_GRAMS = 10**8
MAX_VOLUME_CM3 = 10**10

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


def validate_seller(req: pb.CreateSellerRequest) -> None:
    v = Violations()
    v.check(bool(req.display_name.strip()), "display_name", "is required")
    v.check(len(req.display_name) <= 200, "display_name", "must be at most 200 characters")
    v.check(len(req.seller_id) <= 64, "seller_id", "must be at most 64 characters")
    v.raise_if_any()


def _validate_skus(v: Violations, skus: Sequence[pb.SkuInput], *, creating: bool) -> str:
    currencies = set()
    seen_ids: set[str] = set()
    seen_attrs: set[tuple[tuple[str, str], ...]] = set()
    for i, sku in enumerate(skus):
        f = f"skus[{i}]"
        if sku.sku_id:
            v.check(sku.sku_id not in seen_ids, f"{f}.sku_id", "is repeated")
            v.check(len(sku.sku_id) <= 64, f"{f}.sku_id", "must be at most 64 characters")
            seen_ids.add(sku.sku_id)
        attrs = tuple(sorted(sku.attributes.items()))
        if creating or not sku.sku_id:
            v.check(attrs not in seen_attrs, f"{f}.attributes",
                    "repeats another SKU's attribute combination")
            seen_attrs.add(attrs)
        if not sku.HasField("price"):
            v.add(f"{f}.price", "is required")
        else:
            v.check(sku.price.amount_minor >= 0, f"{f}.price.amount_minor",
                    "must not be negative")
            try:
                currencies.add(parse_currency(sku.price.currency_code, f"{f}.price.currency_code"))
            except Exception:
                v.add(f"{f}.price.currency_code", "must be an ISO-4217 code")
        v.check(sku.initial_stock >= 0, f"{f}.initial_stock", "must not be negative")
        v.check(0 <= sku.weight_grams <= MAX_WEIGHT_GRAMS, f"{f}.weight_grams",
                f"must be 0 to {MAX_WEIGHT_GRAMS}")
        v.check(0 <= sku.volume_cm3 <= MAX_VOLUME_CM3, f"{f}.volume_cm3",
                f"must be 0 to {MAX_VOLUME_CM3}")
    if len(currencies) > 1:
        v.add("skus", "all SKUs of an item must be priced in one currency")
    return next(iter(currencies), "")


def validate_create_item(req: pb.CreateItemRequest) -> str:
    """Validate; return the item's currency."""
    v = Violations()
    v.check(bool(req.seller_id), "seller_id", "is required")
    v.check(bool(req.title.strip()), "title", "is required")
    v.check(len(req.title) <= MAX_TITLE, "title", f"must be at most {MAX_TITLE} characters")
    v.check(req.item_type != pb.ITEM_TYPE_UNSPECIFIED and req.item_type in pb.ItemType.values(),
            "item_type", "must be one of PHYSICAL, E_VOUCHER, ONLINE_SERVICE")
    v.check(req.stock_mode in pb.StockMode.values(), "stock_mode", "is not a known mode")
    v.check(len(req.skus) > 0, "skus", "at least one SKU is required")
    currency = _validate_skus(v, req.skus, creating=True)
    check_shipping(v, req.item_type, [f"skus[{i}]" for i in range(len(req.skus))], req.skus)
    if req.HasField("presale"):
        validate_presale(v, req.presale, currency,
                         [k.price.amount_minor for k in req.skus])
    v.raise_if_any()
    return currency


def check_shipping(v: Violations, item_type: int, fields: Sequence[str],
                   skus: Sequence[pb.Sku | pb.SkuInput]) -> None:
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


def validate_presale(v: Violations, terms: pb.PresaleTerms, currency: str,
                     prices: Sequence[int]) -> None:
    """A deposit above zero and below every SKU's price, in the item's
    currency, and a balance window that starts before it ends."""
    deposit = terms.deposit
    v.check(terms.HasField("deposit"), "presale.deposit", "is required")
    v.check(deposit.currency_code == currency, "presale.deposit.currency_code",
            f"must be the item's currency {currency}")
    v.check(deposit.amount_minor > 0, "presale.deposit", "must be above zero")
    v.check(all(deposit.amount_minor < p for p in prices), "presale.deposit",
            "must be less than the price of every SKU")
    v.check(terms.HasField("balance_start_time"), "presale.balance_start_time", "is required")
    v.check(terms.HasField("balance_end_time"), "presale.balance_end_time", "is required")
    v.check(terms.balance_start_time.ToNanoseconds() < terms.balance_end_time.ToNanoseconds(),
            "presale.balance_start_time", "must be before balance_end_time")


def validate_update_item(req: pb.UpdateItemRequest) -> None:
    v = Violations()
    v.check(bool(req.item_id), "item_id", "is required")
    v.check(len(req.title) <= MAX_TITLE, "title", f"must be at most {MAX_TITLE} characters")
    v.check(req.expected_version >= 0, "expected_version", "must not be negative")
    _validate_skus(v, req.skus, creating=False)
    v.raise_if_any()


def validate_stock_lines(order_id: str, lines: Sequence[pb.StockLine]) -> None:
    v = Violations()
    v.check(bool(order_id), "order_id", "is required")
    v.check(len(lines) > 0, "lines", "at least one line is required")
    seen: set[str] = set()
    for i, line in enumerate(lines):
        v.check(bool(line.sku_id), f"lines[{i}].sku_id", "is required")
        v.check(line.sku_id not in seen, f"lines[{i}].sku_id", "is repeated")
        seen.add(line.sku_id)
        v.check(0 < line.quantity <= MAX_QUANTITY, f"lines[{i}].quantity",
                f"must be between 1 and {MAX_QUANTITY}")
    v.raise_if_any()


MAX_WAREHOUSE_STOCK = 10**12


def validate_set_warehouse_stock(req: pb.SetWarehouseStockRequest) -> None:
    v = Violations()
    v.check(bool(req.sku_id), "sku_id", "is required")
    v.check(bool(req.warehouse_id.strip()), "warehouse_id", "is required")
    v.check(len(req.warehouse_id) <= 64, "warehouse_id", "must be at most 64 characters")
    v.check(0 <= req.quantity <= MAX_WAREHOUSE_STOCK, "quantity",
            f"must be 0 to {MAX_WAREHOUSE_STOCK}")
    v.raise_if_any()
