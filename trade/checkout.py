"""Checkout: a cart validated, split into orders and priced (结算).

Catalog gives the SKUs' current versions and prices; the cart becomes one
top-level order (``assemble``: grouped by seller, one line a single order,
more a main order with one sub order per SKU); promotion quotes every
deduction per line; logistics prices one package per seller with physical
lines, and the seller's freight reduction the quote offers
(``SellerQuote.freight_reduction``) is deducted from that freight.
``QuoteOrder`` stops there; ``CreateOrder`` (``trade.create_saga``) writes
the priced order. No side effects anywhere here.

Checkout is trade's client of catalog, promotion and logistics: it forwards
the request's benefits and address to them in their messages and turns
their answers into the order's parts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from google.protobuf import json_format

from trade.order import Deduction, E, Item, Line, LogOrder, Order, Presale, TradePolicy
from trade.order.amounts import check_presale_balance, freight_reduction
from trade.order.model import DEFAULT_BUSINESS_TYPE
from trade.order.states import UNSHIPPED, needs_logistics
from zhongtai.auth import Identity, Role, acting_buyer
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.catalog.v1 import catalog_pb2_grpc as cat_grpc
from zhongtai.common.v1.common_pb2 import Address, Money
from zhongtai.errors import Violations
from zhongtai.grpcclient import call
from zhongtai.ids import new_id
from zhongtai.logistics.v1 import logistics_pb2 as lg
from zhongtai.logistics.v1 import logistics_pb2_grpc as lg_grpc
from zhongtai.promotion.v1 import promotion_pb2 as promo
from zhongtai.promotion.v1 import promotion_pb2_grpc as promo_grpc
from zhongtai.trade.v1 import trade_pb2 as pb
from zhongtai.validation import MAX_INTEGER
from zhongtai.wire import to_datetime

MAX_BUYER_ID = 64
# What one order may add up to (the platform's money limit, zhongtai.validation).
MAX_ORDER_TOTAL = MAX_INTEGER

Cart = pb.CreateOrderRequest | pb.QuoteOrderRequest
C = TypeVar("C", pb.CreateOrderRequest, pb.QuoteOrderRequest)


@dataclass(frozen=True)
class Clients:
    """trade's stubs of the services it calls, and the default call deadline."""

    catalog: cat_grpc.CatalogServiceStub
    promotion: promo_grpc.PromotionServiceStub
    # None: every order ships free (no logistics service wired).
    logistics: lg_grpc.LogisticsServiceStub | None = None
    timeout: float = 10.0

    async def call(self, method: Any, request: Any, time_remaining: float | None) -> Any:
        """Call within the caller's deadline; a refusal comes back as our error."""
        return await call(method, request, self.timeout, time_remaining)


@dataclass
class Priced:
    """A cart validated, split into orders and priced: the order (INIT, not
    written) and what promotion was asked and answered."""

    order: Order
    quote_request: promo.QuoteRequest
    quote: promo.QuoteResponse

    def held_as_priced(self, held: promo.QuoteResponse) -> bool:
        """Whether promotion held what the order was priced with: the same
        line deductions, and for each seller with freight the same freight
        reduction (the hold's quote knows the freight: ``seller_freights``)."""
        freight = {line.seller_id for line in self.order.lines if line.freight}
        reductions = {(line.seller_id, d.source_id, d.amount, d.platform_amount)
                      for line in self.order.lines for d in line.deductions
                      if d.kind == promo.DEDUCTION_KIND_FREIGHT_REDUCTION}
        offered = {(q.seller_id, q.freight_reduction.source_id,
                    q.freight_reduction.amount.amount_minor,
                    q.freight_reduction.platform_amount.amount_minor)
                   for q in held.sellers if q.seller_id in freight
                   and q.HasField("freight_reduction")}
        return list(held.lines) == list(self.quote.lines) and reductions == offered


async def price(clients: Clients, req: C, caller: Identity, now: dt.datetime,
                policy: TradePolicy, time_remaining: float | None = None) -> Priced:
    """Validate, split and price the cart of the buyer the caller acts for
    (``for_caller``; catalog, promotion, logistics; no side effects). The
    order's rules and amounts are the aggregate's (``Order.place``);
    refusals (an unknown SKU, points over the cap, an address not delivered
    to...) are raised before anything is written."""
    req = for_caller(req, caller)
    validate(req)
    found = await clients.call(clients.catalog.BatchGetSkus, cat.BatchGetSkusRequest(
        sku_ids=[line.sku_id for line in req.lines]), time_remaining)
    draft = assemble(req, {s.sku_id: s for s in found.skus}, found.missing_sku_ids, new_id, now)
    quote_request = draft.quote_request(req)
    quote = await clients.call(clients.promotion.Quote, quote_request, time_remaining)
    draft.apply_quote(quote)
    check_presale_balance(draft.lines, draft.presale)
    freight_request = draft.freight_request(req.address, quote)
    if freight_request is not None and clients.logistics is not None:
        # One package per seller; a seller with no template ships free.
        draft.apply_freight(await clients.call(
            clients.logistics.QuoteFreight, freight_request, time_remaining))
    draft.apply_freight_reductions(quote)
    # The hold counts a freight reduction against its promotion's budget for
    # the freight it reduces (at most the seller's freight).
    quote_request.seller_freights.extend(draft.seller_freights())
    extra: dict[str, str] = {}
    if isinstance(req, pb.CreateOrderRequest):
        extra = {"request_id": req.request_id, "out_type": req.out_type, "out_id": req.out_id,
                 "buyer_memo": req.buyer_memo}
    order = Order.place(order_id=draft.top_id, buyer_id=req.buyer_id, currency=draft.currency,
                        lines=draft.lines, pay_order_id=draft.pay_order_id,
                        balance_pay_order_id=draft.balance_pay_order_id, presale=draft.presale,
                        business_type=req.business_type or DEFAULT_BUSINESS_TYPE,
                        now=now, policy=policy, **extra)
    return Priced(order, quote_request, quote)


def for_caller(req: C, caller: Identity) -> C:
    """The cart of the buyer the caller acts for (``acting_buyer``: a buyer
    for themself, ``buyer_id`` empty or theirs; a front's service credential
    names the buyer). VIP prices only on a front's word: a buyer's own
    credential asking for them is PERMISSION_DENIED ``VIP_CLAIM_NOT_TRUSTED``."""
    buyer_id = acting_buyer(caller, req.buyer_id)
    if req.buyer_is_vip and caller.role is not Role.SERVICE:
        raise E(pb.ERROR_REASON_VIP_CLAIM_NOT_TRUSTED,
                "buyer_is_vip is asserted by the calling front (a service credential), "
                "not by the buyer")
    out = type(req)()
    out.CopyFrom(req)
    out.buyer_id = buyer_id
    return out


def validate(req: Cart) -> None:
    """What the contract's limits cannot say (no data lookups):
    INVALID_ARGUMENT with every field violation."""
    v = Violations()
    b = req.benefits
    v.check(len(set(b.coupon_ids)) == len(b.coupon_ids), "benefits.coupon_ids",
            "are repeated")
    v.check(not b.HasField("stored_value_amount") or bool(b.stored_value_card_id),
            "benefits.stored_value_amount", "needs stored_value_card_id")
    v.check(bool(req.buyer_id), "buyer_id", "is required")
    # The contract caps a named buyer; this caps the credential's subject too.
    v.check(len(req.buyer_id) <= MAX_BUYER_ID, "buyer_id",
            f"must be at most {MAX_BUYER_ID} characters")
    v.check(len(req.lines) > 0, "lines", "at least one line")
    seen: set[str] = set()
    for i, line in enumerate(req.lines):
        v.check(line.sku_id not in seen, f"lines[{i}].sku_id",
                "is repeated; put the whole quantity on one line")
        seen.add(line.sku_id)
    if isinstance(req, pb.CreateOrderRequest):
        v.check(bool(req.out_type) == bool(req.out_id), "out_id",
                "out_type and out_id go together")
    v.check(req.business_type == req.business_type.strip(), "business_type",
            "must not start or end with spaces")
    v.raise_if_any()


def validate_address(v: Violations, address: Address | None) -> None:
    if address is None:
        v.add("address", "is required for physical goods")
        return
    for name in ("province", "city", "district", "detail", "recipient_name", "recipient_phone"):
        v.check(bool(getattr(address, name).strip()), f"address.{name}",
                "is required for physical goods")


@dataclass
class Draft:
    """A cart turned into the lines of one top-level order, being priced."""

    top_id: str
    currency: str
    lines: list[Line]
    pay_order_id: str
    # A presale order's second pay order (the balance); empty otherwise.
    balance_pay_order_id: str = ""
    presale: Presale | None = None

    def money(self, amount: int) -> Money:
        return Money(currency_code=self.currency, amount_minor=amount)

    def quote_request(self, req: Cart) -> promo.QuoteRequest:
        """What promotion prices: one quote line per order line (keyed by its id)."""
        b = req.benefits
        return promo.QuoteRequest(
            buyer_id=req.buyer_id, buyer_is_vip=req.buyer_is_vip,
            lines=[promo.QuoteLine(line_id=line.order_id, seller_id=line.seller_id,
                                   sku_id=line.item.sku_id, category_id=line.item.category_id,
                                   unit_price=self.money(line.item.unit_price),
                                   quantity=line.quantity)
                   for line in self.lines],
            coupon_ids=b.coupon_ids, points=b.points, red_packet_id=b.red_packet_id,
            stored_value_card_id=b.stored_value_card_id,
            stored_value_amount=b.stored_value_amount
            if b.HasField("stored_value_amount") else None)

    def apply_quote(self, quote: promo.QuoteResponse) -> None:
        """Record the quote's deductions on the lines; they must add up."""
        by_line = {q.line_id: q for q in quote.lines}
        for line in self.lines:
            q = by_line[line.order_id]
            line.deductions = [Deduction(d.kind, d.source_id, d.amount.amount_minor,
                                         d.platform_amount.amount_minor,
                                         d.merchant_amount.amount_minor) for d in q.deductions]
            if q.actual_amount.amount_minor != line.actual:
                raise ValueError(f"quote for line {line.order_id} does not add up")

    def packages(self) -> dict[str, list[Line]]:
        """The physical lines by seller (sellers in order): one package each."""
        out: dict[str, list[Line]] = {}
        for line in self.lines:
            if line.log_order is not None:
                out.setdefault(line.seller_id, []).append(line)
        return out

    def freight_request(self, address: Address, quote: promo.QuoteResponse
                        ) -> lg.QuoteFreightRequest | None:
        """What logistics prices: one package per seller with physical lines,
        free when promotion's quote says the seller ships free; None when
        nothing ships. Each item's amount (for BY_AMOUNT templates and
        free-shipping thresholds) is the quote line's actual amount: the line
        after every deduction, points and the card included."""
        packages = self.packages()
        if not packages:
            return None
        free = {q.seller_id for q in quote.sellers if q.free_shipping}
        actual = {q.line_id: q.actual_amount for q in quote.lines}
        return lg.QuoteFreightRequest(destination=address, packages=[
            lg.FreightPackage(
                package_id=seller_id, seller_id=seller_id, free_shipping=seller_id in free,
                items=[lg.FreightItem(sku_id=line.item.sku_id, quantity=line.quantity,
                                      weight_grams=line.item.weight_grams,
                                      amount=actual.get(line.order_id, self.money(line.total)))
                       for line in lines])
            for seller_id, lines in packages.items()])

    def apply_freight(self, quoted: lg.QuoteFreightResponse) -> None:
        """Put each seller's freight on its first physical line.

        The freight is not spread over the seller's lines: it is one charge
        for one package, and the first line (the sub order listed first) is
        where it is recorded; the top-level order carries the sum.
        """
        packages = self.packages()
        for p in quoted.packages:
            if p.freight.amount_minor and p.freight.currency_code != self.currency:
                raise E(pb.ERROR_REASON_FREIGHT_CURRENCY_MISMATCH,
                        f"seller {p.seller_id}'s freight is in {p.freight.currency_code}, "
                        f"the order in {self.currency}", metadata={"seller_id": p.seller_id})
            lines = packages.get(p.package_id)
            if lines:
                lines[0].freight = p.freight.amount_minor

    def apply_freight_reductions(self, quote: promo.QuoteResponse) -> None:
        """Deduct each seller's freight reduction offered by the quote from
        its freight, on the line that carries it (its first physical line):
        min(offer, freight), the platform's part scaled down with it
        (``amounts.freight_reduction``). No freight, no deduction."""
        packages = self.packages()
        for q in quote.sellers:
            lines = packages.get(q.seller_id)
            if not q.HasField("freight_reduction") or not lines or not lines[0].freight:
                continue
            offer = q.freight_reduction
            amount, platform = freight_reduction(
                offer.amount.amount_minor, offer.platform_amount.amount_minor, lines[0].freight)
            if amount:
                lines[0].deductions.append(Deduction(
                    promo.DEDUCTION_KIND_FREIGHT_REDUCTION, offer.source_id, amount, platform,
                    amount - platform))

    def seller_freights(self) -> list[promo.SellerFreight]:
        """Each seller's freight, for promotion (QuoteRequest.seller_freights)."""
        return [promo.SellerFreight(seller_id=seller_id, freight=self.money(lines[0].freight))
                for seller_id, lines in self.packages().items()]


def assemble(req: Cart, skus: Mapping[str, cat.SkuView], missing: Sequence[str],
             new_id: Callable[[], str], now: dt.datetime) -> Draft:
    """Check the request against catalog data and build the lines.

    Lines are grouped by seller (sellers in order of first appearance, lines
    in request order within a seller); a cart of one line is a single order,
    otherwise a main order with one sub order per SKU (seed 001 §三.4.4). A
    presale item must be alone in its order.
    """
    v = Violations()
    missing_set = set(missing)
    for i, line in enumerate(req.lines):
        if line.sku_id in missing_set:
            v.add(f"lines[{i}].sku_id", f"SKU {line.sku_id} does not exist")
            continue
        sku = skus[line.sku_id]
        if line.seller_id and line.seller_id != sku.seller_id:
            v.add(f"lines[{i}].seller_id", f"SKU {line.sku_id} does not belong to this seller")
        if sku.HasField("presale") and len(req.lines) > 1:
            v.add(f"lines[{i}].sku_id",
                  f"SKU {line.sku_id} is a presale item; it must be alone in its order")
    v.raise_if_any()
    total = sum(skus[line.sku_id].price.amount_minor * line.quantity for line in req.lines)
    if not 0 <= total <= MAX_ORDER_TOTAL:
        v.add("lines", f"the order's total must be between 0 and {MAX_ORDER_TOTAL} minor units")
    currencies = {skus[line.sku_id].price.currency_code for line in req.lines}
    if len(currencies) > 1:
        v.add("lines", f"all lines must be priced in one currency, got {sorted(currencies)}")
    if any(needs_logistics(skus[line.sku_id].item_type) for line in req.lines):
        validate_address(v, req.address if req.HasField("address") else None)
    v.raise_if_any()

    address = json_format.MessageToJson(req.address, indent=None) \
        if req.HasField("address") else "{}"
    by_seller: dict[str, list[pb.OrderLineInput]] = {}
    for line in req.lines:
        by_seller.setdefault(skus[line.sku_id].seller_id, []).append(line)
    top_id = new_id()
    single = len(req.lines) == 1
    lines = []
    for seller_id, group in by_seller.items():
        for line in group:
            sku = skus[line.sku_id]
            lines.append(Line(
                order_id=top_id if single else new_id(), seller_id=seller_id,
                item=Item(item_id=sku.item_id, item_version=sku.item_version,
                          sku_id=sku.sku_id, title=sku.title, category_id=sku.category_id,
                          item_type=sku.item_type, attributes=dict(sku.attributes),
                          unit_price=sku.price.amount_minor, weight_grams=sku.weight_grams,
                          volume_cm3=sku.volume_cm3),
                quantity=line.quantity, created_at=now, updated_at=now,
                log_order=LogOrder(new_id(), UNSHIPPED, address, now, now)
                if needs_logistics(sku.item_type) else None))
    presale = None
    if single and (sku := skus[req.lines[0].sku_id]).HasField("presale"):
        terms = sku.presale
        presale = Presale(terms.deposit.amount_minor, to_datetime(terms.balance_start_time),
                          to_datetime(terms.balance_end_time))
    return Draft(top_id=top_id, currency=currencies.pop(), lines=lines, pay_order_id=new_id(),
                 balance_pay_order_id=new_id() if presale else "", presale=presale)
