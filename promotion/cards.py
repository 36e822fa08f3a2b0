"""promotion's stored-value cards: prepaid money the platform (the card
issuer) holds for a buyer, and what an order's hold does to a card.

``held`` is what holds keep of ``balance``; what a quote may use is
``balance - held``. A hold holds the amount by compare-and-set (never more
than is available); a release lets it go; a redeem captures it (balance and
held both down); a return (a paid order cancelled before anything shipped)
puts it back on the balance. Each use case runs in the caller's transaction
(session) and returns a ``values.StoredValueCard``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from promotion import engine, ownership, trail
from promotion import store as t
from promotion.reasons import not_usable
from promotion.rows import Keyed
from promotion.values import StoredValueCard
from zhongtai.auth import Identity
from zhongtai.db import compare_and_set, utcnow
from zhongtai.errors import ZhongtaiError
from zhongtai.ids import new_id
from zhongtai.promotion.v1 import promotion_pb2 as pb

CARDS = Keyed(t.stored_value_cards.c.card_id, "stored-value card",
              pb.ERROR_REASON_STORED_VALUE_CARD_NOT_FOUND)


def _card(row: Any) -> StoredValueCard:
    return StoredValueCard(card_id=row.card_id, buyer_id=row.buyer_id, currency=row.currency,
                           balance=row.balance, held=row.held)


async def create_stored_value_card(s: AsyncSession, card: StoredValueCard
                                   ) -> StoredValueCard:
    """Issue a card (checked: ``promotion.requests.card``) to its buyer with
    its opening balance, under a new id; returns it as stored."""
    card_id, now = new_id(), utcnow()
    await s.execute(t.stored_value_cards.insert().values(
        card_id=card_id, buyer_id=card.buyer_id, currency=card.currency,
        balance=card.balance, held=0, created_at=now, updated_at=now))
    await trail.record(s, trail.CARD, card_id, f"issued to buyer {card.buyer_id} with "
                       f"{card.balance} {card.currency}")
    return _card(await CARDS.get(s, card_id))


async def get_stored_value_card(s: AsyncSession, caller: Identity, card_id: str
                                ) -> StoredValueCard:
    """One card, or STORED_VALUE_CARD_NOT_FOUND; its buyer's or staff's
    (NOT_THE_OWNER)."""
    row = await CARDS.get(s, card_id)
    ownership.owner(caller, f"stored_value_cards/{card_id}", buyer_id=row.buyer_id)
    return _card(row)


# --- for a quote -------------------------------------------------------------


def _refused(reason: int, card_id: str, why: str) -> ZhongtaiError:
    return not_usable(reason, "stored_value_card", card_id, why, "card_id")


async def load(s: AsyncSession, buyer_id: str, currency: str, card_id: str,
               wanted: int) -> engine.Benefit | None:
    """The card a request names, as the engine takes it: what is ``wanted``
    of it, or all that is available (none: None). STORED_VALUE_CARD_NOT_FOUND;
    CARD_NOT_USABLE unless it is the buyer's and in the cart's currency;
    INSUFFICIENT_CARD_BALANCE when more is wanted than is available."""
    if not card_id:
        return None
    row = await CARDS.get(s, card_id)
    if row.buyer_id != buyer_id:
        raise _refused(pb.ERROR_REASON_CARD_NOT_USABLE, card_id,
                       f"it does not belong to buyer {buyer_id}")
    if row.currency != currency:
        raise _refused(pb.ERROR_REASON_CARD_NOT_USABLE, card_id, f"it is in {row.currency}")
    available = row.balance - row.held
    if wanted > available:
        raise _refused(pb.ERROR_REASON_INSUFFICIENT_CARD_BALANCE, card_id,
                       f"{wanted} wanted, {available} available")
    amount = wanted or available
    if amount <= 0:
        return None
    # Prepaid money the platform (the card issuer) holds: the platform funds
    # the deduction, the merchant bears none of it.
    return engine.Benefit(card_id, amount, engine.BPS)


# --- an order's hold ---------------------------------------------------------


async def hold(s: AsyncSession, order_id: str, buyer_id: str, card_id: str, amount: int,
               now: dt.datetime) -> None:
    """Hold: keep ``amount`` of the available balance (INSUFFICIENT_CARD_BALANCE
    when another order took it meanwhile)."""
    sv = t.stored_value_cards
    if not await compare_and_set(s, update(sv).where(
            sv.c.card_id == card_id, sv.c.buyer_id == buyer_id,
            sv.c.balance - sv.c.held >= amount)
            .values(held=sv.c.held + amount, updated_at=now)):
        raise _refused(pb.ERROR_REASON_INSUFFICIENT_CARD_BALANCE, card_id,
                       f"{amount} is no longer available")
    await trail.record(s, trail.CARD, card_id, f"{amount} held for order {order_id}")


async def _settle(s: AsyncSession, hold: Any, now: dt.datetime, what: str,
                  guard: ColumnElement[bool], **values: Any) -> None:
    if not (hold.card_id and hold.card_amount):
        return
    sv = t.stored_value_cards
    if not await compare_and_set(s, update(sv).where(sv.c.card_id == hold.card_id, guard)
                                 .values(updated_at=now, **values)):
        # Only this order's own moves touch its held amount: the books are broken.
        raise RuntimeError(f"order {hold.order_id}: card {hold.card_id} does not hold "
                           f"{hold.card_amount}")
    await trail.record(s, trail.CARD, hold.card_id,
                       f"{hold.card_amount} {what} order {hold.order_id}")


async def release(s: AsyncSession, hold: Any, now: dt.datetime) -> None:
    """Release: the held amount is available again."""
    sv, amount = t.stored_value_cards.c, hold.card_amount
    await _settle(s, hold, now, "released by", sv.held >= amount, held=sv.held - amount)


async def capture(s: AsyncSession, hold: Any, now: dt.datetime) -> None:
    """Redeem: the held amount leaves the card (balance and held both down)."""
    sv, amount = t.stored_value_cards.c, hold.card_amount
    await _settle(s, hold, now, "captured by", sv.held >= amount, held=sv.held - amount,
                  balance=sv.balance - amount)


async def refund(s: AsyncSession, hold: Any, now: dt.datetime) -> None:
    """Return: what the paid order took goes back on the balance."""
    sv = t.stored_value_cards.c
    await _settle(s, hold, now, "refunded to the card by", true(),
                  balance=sv.balance + hold.card_amount)
