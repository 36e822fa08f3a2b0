"""promotion's quotes: load what is in force for a cart at its time (each
benefit kind loads and checks its own: ``promotions.in_force``,
``coupons.load``, ``red_packets.load``, ``cards.load``, ``points.check``; the
stacking policy), run the pure engine (``engine.quote``) and map its quote to
the response. ``Quote`` and ``BestCoupons`` change nothing; ``HoldBenefits``
prices again through ``load_benefits`` and ``price`` in its own transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from promotion import cards, coupons, domain, engine, ownership, points, promotions, red_packets
from promotion.policy import load_policy
from promotion.reasons import E
from zhongtai.auth import Identity
from zhongtai.common.v1.common_pb2 import Money
from zhongtai.db import utcnow
from zhongtai.errors import ZhongtaiError
from zhongtai.promotion.v1 import promotion_pb2 as pb
from zhongtai.wire import money, to_datetime

Kind = engine.Kind
COUPON_STAGES = (Kind.SHOP_COUPON, Kind.PLATFORM_COUPON)


@dataclass(frozen=True)
class Benefits:
    """What a request brings to a cart, loaded and checked, as the engine sees it."""

    currency: str
    buyer_id: str
    lines: tuple[engine.Line, ...]
    vip: bool
    promotions: promotions.InForce
    policy: engine.Policy
    coupons: tuple[engine.Coupon, ...] = ()
    red_packet: engine.Benefit | None = None
    points: int = 0
    card: engine.Benefit | None = None
    # The coupon ids the request named (or BestCoupons chose), in its order.
    requested_coupons: tuple[str, ...] = ()
    # Seller id -> its freight, where the request gives it (seller_freights).
    freights: tuple[tuple[str, int], ...] = ()

    def cart(self, chosen: Sequence[engine.Coupon] | None = None, *,
             others: bool = True) -> engine.Cart:
        """The engine's cart: with ``chosen`` coupons instead of the
        request's, and without the red packet, points and card unless
        ``others``."""
        return engine.Cart(
            lines=self.lines, buyer_is_vip=self.vip,
            item_promotions=self.promotions.item_promotions,
            order_promotions=self.promotions.order_promotions,
            coupons=tuple(self.coupons if chosen is None else chosen),
            red_packet=self.red_packet if others else None,
            points=self.points if others else 0,
            card=self.card if others else None,
            free_shipping=self.promotions.free_shipping,
            freight_reductions=self.promotions.freight_reductions,
            freights=dict(self.freights))


def _at(req: pb.QuoteRequest) -> dt.datetime:
    return to_datetime(req.at_time) if req.HasField("at_time") else utcnow()


async def load_benefits(s: AsyncSession, req: pb.QuoteRequest, buyer_id: str, *,
                        prefix: str = "", with_coupons: bool = True) -> Benefits:
    """Check a quote request for ``buyer_id`` (the buyer it acts for, see
    ``ownership``) and load what is in force for it at its at_time (each kind
    refuses what the buyer cannot use: *_NOT_FOUND, *_NOT_USABLE,
    INSUFFICIENT_POINTS, INSUFFICIENT_CARD_BALANCE)."""
    currency = domain.validate_quote_request(req, prefix)
    at = _at(req)
    lines = tuple(engine.Line(x.line_id, x.seller_id, x.sku_id, x.category_id,
                              x.unit_price.amount_minor, x.quantity, x.non_discountable)
                  for x in req.lines)
    policy = await load_policy(s)
    in_force = await promotions.in_force(s, lines, buyer_id, currency, at)
    chosen = list(req.coupon_ids) if with_coupons else []
    return Benefits(
        currency=currency, buyer_id=buyer_id, lines=lines, vip=req.buyer_is_vip,
        promotions=in_force, policy=policy,
        coupons=await coupons.load(s, buyer_id, currency, chosen, at),
        requested_coupons=tuple(chosen),
        freights=tuple((x.seller_id, x.freight.amount_minor) for x in req.seller_freights),
        red_packet=await red_packets.load(s, buyer_id, currency, req.red_packet_id, at),
        card=await cards.load(s, buyer_id, currency, req.stored_value_card_id,
                              req.stored_value_amount.amount_minor),
        points=await points.check(s, buyer_id, req.points))


def price(b: Benefits) -> engine.Quote:
    """The engine's quote of the cart with everything the request brings."""
    return engine.quote(b.cart(), b.policy)


def used_amounts(q: engine.Quote) -> dict[tuple[Kind, str], int]:
    """What the quote takes off, per (kind, source)."""
    out: dict[tuple[Kind, str], int] = {}
    for total in q.totals:
        key = (total.kind, total.source_id)
        out[key] = out.get(key, 0) + total.amount
    return out


def unused_coupons(q: engine.Quote, requested: Sequence[str]) -> list[str]:
    """Requested coupons that took nothing off: the engine's unused ones (threshold
    not met, wrong shop...), and those capped to zero or whose stage the policy
    leaves out."""
    used = used_amounts(q)
    return [c for c in requested if not any(used.get((k, c), 0) > 0 for k in COUPON_STAGES)]


def to_response(b: Benefits, q: engine.Quote) -> pb.QuoteResponse:
    """The quote as QuoteResponse: lines, sellers (with their bearers, free
    shipping and freight reduction), totals per source, points and unused
    coupons."""
    cur = b.currency

    def m(amount: int) -> Money:
        return money(cur, amount)

    resp = pb.QuoteResponse(original_amount=m(q.original), deducted_amount=m(q.deducted),
                            payable_amount=m(q.payable), points_used=q.points_used,
                            points_max=q.points_max,
                            unused_coupon_ids=unused_coupons(q, b.requested_coupons))
    sellers: dict[str, list[int]] = {}
    for lq in q.lines:
        resp.lines.add(
            line_id=lq.line.line_id, seller_id=lq.line.seller_id,
            original_amount=m(lq.line.amount), actual_amount=m(lq.actual),
            deductions=[pb.Deduction(kind=int(d.kind),  # type: ignore[arg-type]
                                     source_id=d.source_id, amount=m(d.amount),
                                     platform_amount=m(d.platform_amount),
                                     merchant_amount=m(d.merchant_amount))
                        for d in lq.deductions])
        agg = sellers.setdefault(lq.line.seller_id, [0, 0, 0, 0, 0])
        agg[0] += lq.line.amount
        agg[1] += lq.deducted
        agg[2] += lq.actual
        for d in lq.deductions:
            agg[3] += d.merchant_amount
            agg[4] += d.platform_amount
    for seller_id, (original, deducted, actual, merchant, platform) in sellers.items():
        free = q.free_shipping.get(seller_id, "")
        seller = resp.sellers.add(
            seller_id=seller_id, original_amount=m(original), deducted_amount=m(deducted),
            actual_amount=m(actual), merchant_borne_amount=m(merchant),
            platform_borne_amount=m(platform), free_shipping=bool(free),
            free_shipping_promotion_id=free)
        if (offer := q.freight_reductions.get(seller_id)) is not None:
            seller.freight_reduction.CopyFrom(pb.Deduction(
                kind=pb.DEDUCTION_KIND_FREIGHT_REDUCTION, source_id=offer.source_id,
                amount=m(offer.amount), platform_amount=m(offer.platform_amount),
                merchant_amount=m(offer.merchant_amount)))
    for total in q.totals:
        resp.deductions.add(kind=int(total.kind),
                            source_id=total.source_id, amount=m(total.amount),
                            offered_amount=m(total.offered))
    return resp


async def quote(s: AsyncSession, caller: Identity, req: pb.QuoteRequest) -> pb.QuoteResponse:
    """Price the cart with what the request brings, for the caller (or the
    buyer staff name: ``ownership.buyer_of``); changes nothing."""
    b = await load_benefits(s, req, ownership.buyer_of(caller, req.buyer_id))
    return to_response(b, price(b))


def _saving(b: Benefits, chosen: Sequence[engine.Coupon]) -> int | None:
    """What the cart's promotions and these coupons take off; None if refused."""
    try:
        return engine.quote(b.cart(chosen, others=False), b.policy).deducted
    except ZhongtaiError as e:
        if e.reason == E[pb.ERROR_REASON_OVER_DISCOUNT].name:
            return None
        raise


async def best_coupons(s: AsyncSession, caller: Identity, req: pb.BestCouponsRequest
                       ) -> pb.BestCouponsResponse:
    """The buyer's coupons (the caller's, or the buyer staff name:
    ``ownership.buyer_of``) that save the most on the cart (at most one per
    shop and one of the platform; ties: fewer coupons, then smaller ids),
    found by a bounded search (``domain.coupon_combinations``), and the quote
    with them; changes nothing."""
    buyer_id = ownership.buyer_of(caller, req.quote.buyer_id, "quote.buyer_id")
    b = await load_benefits(s, req.quote, buyer_id, prefix="quote.", with_coupons=False)
    candidates = await coupons.usable(s, b.buyer_id, b.currency, b.lines, _at(req.quote))
    base = _saving(b, ()) or 0
    by_id = {c.source_id: c for c in candidates}
    # Group by shop (in the cart's order), the platform last; best alone first.
    groups: dict[str, list[tuple[int, str]]] = {
        seller: [] for seller in dict.fromkeys(line.seller_id for line in b.lines)}
    groups[""] = []
    for c in candidates:
        alone = _saving(b, [c])
        if alone is not None and alone > base:
            groups[c.scope.seller_id].append((alone, c.source_id))
    ranked = [[cid for _, cid in sorted(g, key=lambda x: (-x[0], x[1]))]
              for g in groups.values()]
    best: tuple[int, tuple[str, ...]] = (base, ())
    for combo in domain.coupon_combinations(ranked):
        if not combo:
            continue
        saving = _saving(b, [by_id[cid] for cid in combo])
        if saving is not None and domain.better_choice((saving, combo), best):
            best = (saving, combo)
    chosen = best[1]
    b = dataclasses.replace(b, coupons=tuple(by_id[cid] for cid in chosen),
                            requested_coupons=chosen)
    resp = to_response(b, price(b))
    resp.coupon_ids.extend(chosen)
    return pb.BestCouponsResponse(quote=resp)
