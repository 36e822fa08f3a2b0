"""promotion's benefit holds: what an order holds of the buyer's benefits,
from HoldBenefits (at order creation) to its redeem (at payment), release
(the order failed or was cancelled unpaid) or return (a paid order cancelled
before anything shipped).

The hold is an order-keyed hold (``zhongtai.holds.OrderHolds``): HELD, then
RELEASED or REDEEMED (committed), REDEEMED then RETURNED; claiming once,
tombstones, each move once and the cancel rule are OrderHolds' guarantees.
What each move does is each benefit kind's (``coupons``, ``points``,
``red_packets``, ``cards``, and the flash-sale units and budgets in
``promotions``), run in the same transaction. Each use case runs in the
caller's transaction (session), returns ``promotion.values`` and publishes
``promotion.hold.changed`` when the hold changes.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import Row, update
from sqlalchemy.ext.asyncio import AsyncSession

from promotion import (
    cards,
    coupons,
    domain,
    engine,
    ownership,
    points,
    promotions,
    red_packets,
    returns,
    trail,
    views,
)
from promotion import store as t
from promotion.quoting import load_benefits, price, priced, used_amounts
from promotion.reasons import E
from promotion.rows import ids
from promotion.values import Amount, BenefitHold, Held, QuoteAsk, ReturnAsk, ReturnedShare
from zhongtai import outbox
from zhongtai.common.v1 import errors_pb2
from zhongtai.db import utcnow
from zhongtai.errors import COMMON, InvalidArgument, PreconditionViolation
from zhongtai.holds import HoldReasons, HoldStatuses, Moved, OrderHolds
from zhongtai.promotion.v1 import promotion_pb2 as pb

log = logging.getLogger(__name__)

HOLDS = OrderHolds(
    "hold", t.benefit_holds,
    HoldStatuses(pb.HOLD_STATUS_HELD, pb.HOLD_STATUS_RELEASED, pb.HOLD_STATUS_REDEEMED,
                 pb.HOLD_STATUS_RETURNED, release=domain.RELEASE, commit=domain.REDEEM,
                 give_back=domain.RETURN),
    pb.HoldStatus.Name,
    HoldReasons(E, released=pb.ERROR_REASON_HOLD_RELEASED,
                not_found=pb.ERROR_REASON_HOLD_NOT_FOUND,
                illegal=pb.ERROR_REASON_ILLEGAL_HOLD_TRANSITION,
                concurrent=pb.ERROR_REASON_CONCURRENT_HOLD_CHANGE),
    # What a claim and a tombstone write besides the order id and status.
    row_defaults={"buyer_id": "", "request_hash": "", "coupon_ids": "[]", "points": 0,
                  "red_packet_id": "", "card_id": "", "currency": "", "card_amount": 0,
                  "quote": None})


def _hold(row: Any, status: int | None = None) -> BenefitHold:
    """The hold's row, in ``status`` if given (after a move)."""
    return BenefitHold(order_id=row.order_id, buyer_id=row.buyer_id,
                       status=int(row.status if status is None else status),
                       coupon_ids=tuple(ids(row.coupon_ids)), points=row.points,
                       red_packet_id=row.red_packet_id, card_id=row.card_id,
                       currency=row.currency, card_amount=row.card_amount)


async def _changed(s: AsyncSession, hold: BenefitHold, detail: str) -> None:
    """The hold changed: publish it, and record ``detail`` in its trail."""
    await outbox.publish(s, t.plumbing, views.hold_changed(hold, utcnow()), hold.order_id)
    await trail.record(s, trail.HOLD, hold.order_id, detail)


async def hold_benefits(s: AsyncSession, dialect: str, order_id: str, quote: QuoteAsk,
                        digest: str) -> Held:
    """Price the cart again, authoritatively, in this transaction, and hold
    exactly what that quote used, each by compare-and-set, all or nothing:
    coupons locked, points frozen, the red packet locked, the card amount
    held, flash-sale units and budgets counted (last). Idempotent by order
    id (``digest``: the request's fingerprint): a repeat gets the hold and
    quote made, another request IDEMPOTENCY_KEY_REUSED; an order already
    released is HOLD_RELEASED. The cart (checked: ``promotion.requests``)
    is priced through ``quoting``; the quote is kept as the API shows it
    (``views.quote_bytes``)."""
    # Trade's call (a service's): it names the buyer.
    buyer_id = ownership.named_buyer(quote.buyer_id, "quote.buyer_id")
    existing = await HOLDS.claim(s, dialect, order_id,
                                 {"buyer_id": buyer_id, "request_hash": digest})
    if existing is not None:
        if existing.request_hash != digest:
            raise COMMON(errors_pb2.ERROR_REASON_IDEMPOTENCY_KEY_REUSED,
                         f"order {order_id} already holds other benefits",
                         metadata={"order_id": order_id})
        return Held(_hold(existing), bytes(existing.quote))
    # Any refusal below rolls everything back, the claim too.
    b = await load_benefits(s, quote, buyer_id)
    q = price(b)
    quoted = priced(b, q)
    stored_quote = views.quote_bytes(quoted)
    used = used_amounts(q)
    now = utcnow()
    coupon_ids = [c for c in b.requested_coupons if c not in quoted.unused_coupon_ids]
    await coupons.lock(s, order_id, buyer_id, coupon_ids, now)
    await points.freeze(s, order_id, buyer_id, q.points_used)
    red_packet_id = ""
    if b.red_packet is not None and used.get((engine.Kind.RED_PACKET, b.red_packet.source_id)):
        red_packet_id = b.red_packet.source_id
        await red_packets.lock(s, order_id, buyer_id, red_packet_id, now)
    card_id, card_amount = "", 0
    if b.card is not None:
        card_amount = used.get((engine.Kind.STORED_VALUE_CARD, b.card.source_id), 0)
    if b.card is not None and card_amount:
        card_id = b.card.source_id
        await cards.hold(s, order_id, buyer_id, card_id, card_amount, now)
    await promotions.count(s, dialect, order_id, buyer_id, b.promotions, q)
    h = t.benefit_holds
    await s.execute(update(h).where(h.c.order_id == order_id).values(
        coupon_ids=json.dumps(coupon_ids), points=q.points_used, red_packet_id=red_packet_id,
        card_id=card_id, currency=b.currency, card_amount=card_amount, quote=stored_quote))
    row = await HOLDS.row(s, order_id)
    hold = _hold(row)
    await _changed(s, hold, f"HELD for buyer {buyer_id}: coupons {coupon_ids}, "
                   f"{q.points_used} points, red packet {red_packet_id or 'none'}, "
                   f"card {card_id or 'none'} {card_amount}")
    return Held(hold, stored_quote)


# What each move of the hold does, kind by kind (each kind's own effects, in
# this order): a release and a return give back the flash-sale units and
# budgets the order counted too (the discount was never granted).
_EFFECTS = {
    domain.RELEASE: (coupons.unlock, points.unfreeze, red_packets.unlock, cards.release,
                     promotions.give_back),
    domain.REDEEM: (coupons.use, points.deduct, red_packets.use, cards.capture),
    domain.RETURN: (coupons.give_back, points.give_back, red_packets.give_back, cards.refund,
                    promotions.give_back),
}


async def _effects(s: AsyncSession, row: Row[Any], action: str) -> None:
    """What a move does, kind by kind; a return gives back only what
    after-sales' returns left (``returns.rest_of``)."""
    now = utcnow()
    hold = await returns.rest_of(s, row) if action == domain.RETURN else row
    for effect in _EFFECTS[action]:
        await effect(s, hold, now)


async def _after(s: AsyncSession, order_id: str, moved: Moved | None) -> BenefitHold:
    """The hold after a move, published when it changed (None: a tombstone
    was left, the order held nothing)."""
    if moved is None:
        hold = BenefitHold(order_id, pb.HOLD_STATUS_RELEASED)
        detail = "RELEASED: it held nothing (a later hold is refused)"
    else:
        hold = _hold(moved.before, moved.status)
        if not moved.moved:
            return hold  # a repeat
        detail = (f"{pb.HoldStatus.Name(moved.before.status)} -> "
                  f"{pb.HoldStatus.Name(moved.status)}")
    await _changed(s, hold, detail.replace("HOLD_STATUS_", ""))
    return hold


async def release_benefits(s: AsyncSession, dialect: str, order_id: str) -> BenefitHold:
    """Give back what the order holds (HELD → RELEASED): coupons per their
    template's restore policy, points unfrozen, the red packet unlocked, the
    card amount let go, flash-sale units and budgets given back. An order
    that held nothing is left a tombstone, so a late hold is refused.
    Idempotent by order id."""
    return await _after(s, order_id, await HOLDS.release(s, dialect, order_id, _effects))


async def redeem_benefits(s: AsyncSession, order_id: str) -> BenefitHold:
    """Consume a paid order's hold (HELD → REDEEMED): coupons and the red
    packet used, points deducted, the card amount captured. Idempotent."""
    return await _after(s, order_id, await HOLDS.move(s, order_id, domain.REDEEM,
                                                      _effects))


async def return_benefits(s: AsyncSession, order_id: str) -> BenefitHold:
    """A paid order cancelled before anything shipped: what it consumed goes
    back to the buyer (REDEEMED → RETURNED): the card amount to the card's
    balance, the points as a RETURN ledger entry — both less what
    after-sales gave back already (``returns``) —, each coupon per its
    template's restore-on-cancel policy while still valid, the red packet
    while not expired, and the flash-sale units and budgets it counted.
    Idempotent by order id."""
    return await _after(s, order_id, await HOLDS.move(s, order_id, domain.RETURN,
                                                      _effects))


async def return_shares(s: AsyncSession, dialect: str, req: ReturnAsk) -> ReturnedShare:
    """After-sales gives back what an agreed refund returns of a paid order's
    benefits (its hold REDEEMED, or RETURNED: then nothing is left): the
    points for ``points_amount`` of their money and ``stored_value_amount``
    to the order's card (``domain.after_return``: never more than the order
    consumed, with every other return of it, the whole-order one included),
    and with ``restore_coupons`` its coupons and red packet, once, per the
    same policy as a cancelled order's. Once per request id: the same
    request again gets the first answer and changes nothing, another under
    the id is IDEMPOTENCY_KEY_REUSED. HOLD_NOT_FOUND, ILLEGAL_HOLD_TRANSITION
    (nothing consumed); refused: nothing changed."""
    stored = await returns.claim_request(s, dialect, req.request_id, req.order_id, req.digest)
    if stored is not None:
        return stored
    row = await HOLDS.row(s, req.order_id, lock=True)
    if row is None or row.status not in (pb.HOLD_STATUS_REDEEMED, pb.HOLD_STATUS_RETURNED):
        _nothing_consumed(req.order_id, row)
    assert row is not None
    asked = (_money(req.points_amount, row.currency, "points_amount"),
             _money(req.card_amount, row.currency, "stored_value_amount"))
    consumed = returns.consumed(row)
    before = (consumed.everything() if row.status == pb.HOLD_STATUS_RETURNED  # all back
              else await returns.returned(s, req.order_id))
    after = domain.after_return(before, consumed, asked[0], asked[1], req.restore_coupons)
    hold, now = returns.share(row, before, after), utcnow()
    await points.give_back_share(s, hold, req.request_id)
    await cards.refund(s, hold, now)
    coupons_restored, red_packet_restored = [], ""
    if after.coupons and not before.coupons:
        coupons_restored = await coupons.give_back(s, hold, now)
        if await red_packets.give_back(s, hold, now):
            red_packet_restored = row.red_packet_id
    share = ReturnedShare(
        points=hold.points,
        card=Amount(hold.card_amount, row.currency) if row.card_id else None,
        coupons_restored=tuple(coupons_restored), red_packet_restored=red_packet_restored)
    await returns.record(s, req.order_id, after)
    await trail.record(s, trail.HOLD, req.order_id, (
        f"after-sales {req.request_id} gave back {hold.points} points, "
        f"{hold.card_amount} to card {row.card_id or 'none'}, coupons "
        f"{coupons_restored}, red packet {red_packet_restored or 'none'}"
        + (" (less than asked: that is all that was left)" if (
            after.points_amount - before.points_amount,
            after.card_amount - before.card_amount) != asked else "")))
    await returns.answer(s, req.request_id, share)
    return share


def _money(m: Amount, currency: str, field: str) -> int:
    """An amount of the order's currency (a zero amount in any)."""
    if m.amount and m.currency != currency:
        raise InvalidArgument.field(f"{field}.currency_code",
                                    f"the order's benefits are in {currency or 'no currency'}")
    return int(m.amount)


def _nothing_consumed(order_id: str, row: Any) -> None:
    if row is None:
        raise E(pb.ERROR_REASON_HOLD_NOT_FOUND, f"order {order_id!r} has no hold",
                metadata={"order_id": order_id})
    status = pb.HoldStatus.Name(row.status)
    raise E(pb.ERROR_REASON_ILLEGAL_HOLD_TRANSITION,
            f"the hold of order {order_id} is {status}: it consumed nothing to give back",
            violations=[PreconditionViolation("HOLD", f"orders/{order_id}", status)],
            metadata={"order_id": order_id, "status": status})


async def benefits_on_order_cancelled(s: AsyncSession, dialect: str, order_id: str, *,
                                      paid: bool) -> BenefitHold | None:
    """The consumer's effect of ``trade.order.cancelled``: release a held
    order's benefits, return a paid one's (only when the event says the order
    was paid); anything else is logged and skipped, never raised
    (redelivering would not change it). Returns the hold changed, or None.
    The row is locked first, so the same cancel delivered twice under two
    event ids acts once."""
    if not order_id:
        log.error("trade.order.cancelled without an order id: ignored")
        return None
    moved = await HOLDS.on_cancel(s, dialect, order_id, paid=paid, effects=_effects)
    if moved is not None and not moved.moved:
        return None
    return await _after(s, order_id, moved)
