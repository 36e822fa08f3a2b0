"""catalog's rules: what a valid item, SKU and stock line is, beyond the
limits catalog.proto declares (lengths, ranges, counts, currencies: checked
by the server before any use case, ``zhongtai.validation``), and what each
move of a reservation does to the stock's units. No database, gRPC or broker
here; the generated ``catalog_pb2`` is imported for enum values (statuses,
reasons) and the request messages validated."""

from __future__ import annotations

from collections.abc import Sequence

from zhongtai.auth import Identity, may_act_for
from zhongtai.catalog.v1 import catalog_pb2 as pb
from zhongtai.errors import Reasons, Violations

# catalog's reasons (its ErrorReason enum): raise E(pb.ERROR_REASON_..., message).
E = Reasons(pb.ErrorReason)

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


def _validate_skus(v: Violations, skus: Sequence[pb.SkuInput], *, creating: bool) -> str:
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
        if not sku.HasField("price"):
            v.add(f"{f}.price", "is required")
        else:  # its amount and currency are within the contract's limits
            currencies.add(sku.price.currency_code)
    if len(currencies) > 1:
        v.add("skus", "all SKUs of an item must be priced in one currency")
    return next(iter(currencies), "")


def validate_create_item(req: pb.CreateItemRequest) -> str:
    """Validate; return the item's currency."""
    v = Violations()
    v.check(req.item_type != pb.ITEM_TYPE_UNSPECIFIED,
            "item_type", "must be one of PHYSICAL, E_VOUCHER, ONLINE_SERVICE")
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
    """A deposit (1 to 10^10 minor units, the contract's limit) below every
    SKU's price, in the item's currency, and a balance window that starts
    before it ends."""
    deposit = terms.deposit
    v.check(terms.HasField("deposit"), "presale.deposit", "is required")
    v.check(deposit.currency_code == currency, "presale.deposit.currency_code",
            f"must be the item's currency {currency}")
    v.check(all(deposit.amount_minor < p for p in prices), "presale.deposit",
            "must be less than the price of every SKU")
    v.check(terms.HasField("balance_start_time"), "presale.balance_start_time", "is required")
    v.check(terms.HasField("balance_end_time"), "presale.balance_end_time", "is required")
    v.check(terms.balance_start_time.ToNanoseconds() < terms.balance_end_time.ToNanoseconds(),
            "presale.balance_start_time", "must be before balance_end_time")


def validate_update_item(req: pb.UpdateItemRequest) -> None:
    v = Violations()
    _validate_skus(v, req.skus, creating=False)
    v.raise_if_any()


def validate_stock_lines(lines: Sequence[pb.StockLine]) -> None:
    """At least one line, one per SKU (each line's SKU and units are within
    the contract's limits)."""
    v = Violations()
    v.check(len(lines) > 0, "lines", "at least one line is required")
    seen: set[str] = set()
    for i, line in enumerate(lines):
        v.check(line.sku_id not in seen, f"lines[{i}].sku_id", "is repeated")
        seen.add(line.sku_id)
    v.raise_if_any()
