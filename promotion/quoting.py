"""promotion's quotes: load what is in force for a cart at its time (each
benefit kind loads and checks its own: ``promotions.in_force``,
``coupons.load``, ``red_packets.load``, ``cards.load``, ``points.check``; the
stacking policy), run the pure engine (``engine.quote``) and return it
priced (``values.Priced``, which ``promotion.views`` shows as
QuoteResponse). The cart comes as ``values.QuoteAsk`` (made of the request
by ``promotion.requests``). ``Quote`` and ``BestCoupons`` change nothing;
``HoldBenefits`` prices again through ``load_benefits`` and ``price`` in
its own transaction.
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
from promotion.values import Checked, Priced, QuoteAsk
from zhongtai.auth import Identity
from zhongtai.db import utcnow
from zhongtai.errors import ZhongtaiError
from zhongtai.promotion.v1 import promotion_pb2 as pb

Kind = engine.Kind
COUPON_STAGES = (Kind.SHOP_COUPON, Kind.PLATFORM_COUPON)


@dataclass(frozen=True)
class Benefits:
    """What a request brings to a cart, loaded and checked, as the engine sees it."""

    currency: str
    buyer_id: str
    # The time the cart is priced at (the request's, or when it came).
    at: dt.datetime
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


async def load_benefits(s: AsyncSession, ask: QuoteAsk, buyer_id: str, *,
                        with_coupons: bool = True) -> Benefits:
    """Load what is in force for a checked cart (``promotion.requests``) of
    ``buyer_id`` (the buyer it acts for, see ``ownership``) at its time
    (each kind refuses what the buyer cannot use: *_NOT_FOUND,
    *_NOT_USABLE, INSUFFICIENT_POINTS, INSUFFICIENT_CARD_BALANCE); the
    request's coupons unless not ``with_coupons``."""
    at = ask.at or utcnow()
    policy = await load_policy(s)
    in_force = await promotions.in_force(s, ask.lines, buyer_id, ask.currency, at)
    chosen = ask.coupon_ids if with_coupons else ()
    return Benefits(
        currency=ask.currency, buyer_id=buyer_id, at=at, lines=ask.lines, vip=ask.vip,
        promotions=in_force, policy=policy,
        coupons=await coupons.load(s, buyer_id, ask.currency, list(chosen), at),
        requested_coupons=chosen, freights=ask.freights,
        red_packet=await red_packets.load(s, buyer_id, ask.currency, ask.red_packet_id, at),
        card=await cards.load(s, buyer_id, ask.currency, ask.card_id, ask.card_amount),
        points=await points.check(s, buyer_id, ask.points))


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


def priced(b: Benefits, q: engine.Quote, chosen: tuple[str, ...] = ()) -> Priced:
    """The engine's quote of the cart, with the requested coupons it left
    unused and the coupons BestCoupons ``chosen``."""
    return Priced(b.currency, q, tuple(unused_coupons(q, b.requested_coupons)), chosen)


async def quote(s: AsyncSession, caller: Identity, ask: Checked[QuoteAsk]) -> Priced:
    """Price the cart with what the request brings, for the caller (or the
    buyer staff name: ``ownership.buyer_of``, checked before the request's
    problems are raised); changes nothing."""
    buyer_id = ownership.buyer_of(caller, ask.value.buyer_id)
    b = await load_benefits(s, ask.valid(), buyer_id)
    return priced(b, price(b))


def _saving(b: Benefits, chosen: Sequence[engine.Coupon]) -> int | None:
    """What the cart's promotions and these coupons take off; None if refused."""
    try:
        return engine.quote(b.cart(chosen, others=False), b.policy).deducted
    except ZhongtaiError as e:
        if e.reason == E[pb.ERROR_REASON_OVER_DISCOUNT].name:
            return None
        raise


async def best_coupons(s: AsyncSession, caller: Identity, ask: Checked[QuoteAsk]) -> Priced:
    """The buyer's coupons (the caller's, or the buyer staff name:
    ``ownership.buyer_of``, checked before the request's problems are
    raised) that save the most on the cart (at most one per shop and one of
    the platform; ties: fewer coupons, then smaller ids), found by a bounded
    search (``domain.coupon_combinations``), and the quote with them (its
    ``chosen_coupon_ids``); changes nothing."""
    buyer_id = ownership.buyer_of(caller, ask.value.buyer_id, "quote.buyer_id")
    b = await load_benefits(s, ask.valid(), buyer_id, with_coupons=False)
    candidates = await coupons.usable(s, b.buyer_id, b.currency, b.lines, b.at)
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
    return priced(b, price(b), chosen)
