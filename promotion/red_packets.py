"""promotion's red packets: pools with a budget, packets issued from them to
buyers, and what an order's hold does to a packet.

Issuing draws from the pool by compare-and-set (``remaining >= amount``), so
a pool never pays more than its budget. A packet a quote may use is the
buyer's, AVAILABLE, not expired and in the cart's currency; a seller's pays
only for that seller's goods, at the seller's cost. A hold locks it
(AVAILABLE → LOCKED, one order wins it); a release unlocks it; a redeem uses
it; a return (a paid order cancelled before anything shipped) gives it back
while not expired. Each use case runs in the caller's transaction (session),
takes plain values and returns ``promotion.values``.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import Any

from sqlalchemy import ColumnElement, and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from promotion import engine, ownership, trail, views
from promotion import store as t
from promotion.reasons import E, not_usable
from promotion.rows import Keyed
from promotion.values import RedPacket, RedPacketAsk, RedPacketPool
from zhongtai import outbox, pagination
from zhongtai.auth import Identity
from zhongtai.db import changed, compare_and_set, utcnow
from zhongtai.errors import InvalidArgument, PreconditionViolation, ZhongtaiError
from zhongtai.ids import new_id
from zhongtai.promotion.v1 import promotion_pb2 as pb

log = logging.getLogger(__name__)

POOLS = Keyed(t.red_packet_pools.c.pool_id, "red packet pool",
              pb.ERROR_REASON_RED_PACKET_POOL_NOT_FOUND, pb.ERROR_REASON_RED_PACKET_POOL_EXISTS)
RED_PACKETS = Keyed(t.red_packets.c.red_packet_id, "red packet",
                    pb.ERROR_REASON_RED_PACKET_NOT_FOUND)


def _pool(row: Any) -> RedPacketPool:
    return RedPacketPool(pool_id=row.pool_id, funded_by_seller_id=row.funded_by_seller_id,
                         currency=row.currency, budget=row.budget, remaining=row.remaining,
                         valid_days=row.valid_days)


async def create_red_packet_pool(s: AsyncSession, p: RedPacketPool) -> RedPacketPool:
    """Store a pool (checked: ``promotion.requests.pool``) with all its budget
    remaining (RED_PACKET_POOL_EXISTS if its id is taken, a new id if it has
    none); returns it as stored."""
    pool_id = await POOLS.new_key(s, p.pool_id)
    await s.execute(t.red_packet_pools.insert().values(
        pool_id=pool_id, funded_by_seller_id=p.funded_by_seller_id, currency=p.currency,
        budget=p.budget, remaining=p.budget, valid_days=p.valid_days, created_at=utcnow()))
    await trail.record(s, trail.POOL, pool_id,
                       f"created: {p.budget} {p.currency} of "
                       f"{trail.funder(p.funded_by_seller_id)}")
    return _pool(await POOLS.get(s, pool_id))


async def get_red_packet_pool(s: AsyncSession, pool_id: str) -> RedPacketPool:
    """One pool, or RED_PACKET_POOL_NOT_FOUND."""
    return _pool(await POOLS.get(s, pool_id))


def _red_packet(row: Any, now: dt.datetime) -> RedPacket:
    status = row.status
    if status == pb.RED_PACKET_STATUS_AVAILABLE and row.expire_at <= now:
        status = pb.RED_PACKET_STATUS_EXPIRED
    return RedPacket(red_packet_id=row.red_packet_id, pool_id=row.pool_id,
                     buyer_id=row.buyer_id, funded_by_seller_id=row.funded_by_seller_id,
                     currency=row.currency, amount=row.amount, status=status,
                     expire_at=row.expire_at, order_id=row.order_id or "")


async def issue_red_packet(s: AsyncSession, ask: RedPacketAsk) -> RedPacket:
    """Give the buyer a packet of ``amount`` (or a random amount up to
    ``max_amount``) drawn from the pool by compare-and-set (POOL_EXHAUSTED
    when it cannot pay it; the pool's currency or INVALID_ARGUMENT);
    publishes ``promotion.red_packet.issued``. Returns the packet."""
    currency, pool_id, buyer_id = ask.currency, ask.pool_id, ask.buyer_id
    pool = await POOLS.get(s, pool_id)
    if pool.currency != currency:
        raise InvalidArgument.field("amount.currency_code", f"the pool is in {pool.currency}")
    low = ask.amount
    high = low if ask.max_amount is None else ask.max_amount
    # Never draw more than the pool seemed to hold (the update below decides).
    high = max(low, min(high, pool.remaining))
    amount = low + secrets.randbelow(high - low + 1)
    p = t.red_packet_pools
    if not await compare_and_set(s, update(p).where(
            p.c.pool_id == pool_id, p.c.remaining >= amount)
            .values(remaining=p.c.remaining - amount)):
        raise E(pb.ERROR_REASON_POOL_EXHAUSTED,
                f"red packet pool {pool_id} cannot pay {amount}",
                violations=[PreconditionViolation("BUDGET", f"red_packet_pools/{pool_id}",
                                                  f"cannot pay {amount}")],
                metadata={"pool_id": pool_id})
    now = utcnow()
    red_packet_id = new_id()
    await s.execute(t.red_packets.insert().values(
        red_packet_id=red_packet_id, pool_id=pool_id, buyer_id=buyer_id,
        funded_by_seller_id=pool.funded_by_seller_id, currency=currency, amount=amount,
        status=pb.RED_PACKET_STATUS_AVAILABLE,
        expire_at=now + dt.timedelta(days=pool.valid_days), order_id=None,
        created_at=now, updated_at=now))
    row = (await s.execute(select(t.red_packets)
                           .where(t.red_packets.c.red_packet_id == red_packet_id))).one()
    packet = _red_packet(row, now)
    await outbox.publish(s, t.plumbing, views.red_packet_issued(packet, now), red_packet_id)
    await trail.record(s, trail.POOL, pool_id,
                       f"paid {amount} {currency} for red packet {red_packet_id} "
                       f"to buyer {buyer_id}")
    await trail.record(s, trail.RED_PACKET, red_packet_id,
                       f"issued {amount} {currency} from pool {pool_id} "
                       f"to buyer {buyer_id}")
    return packet


async def list_red_packets(s: AsyncSession, caller: Identity, buyer_id: str = "", *,
                           page_size: int = 0, page_token: str = ""
                           ) -> tuple[list[RedPacket], str]:
    """A buyer's packets (the caller's, or the buyer staff name:
    ``ownership.buyer_of``) by id, a page at a time: the page and the next
    page's token ("" after the last)."""
    buyer_id = ownership.buyer_of(caller, buyer_id)
    rp = t.red_packets
    rows, token = await pagination.page(s, select(rp).where(rp.c.buyer_id == buyer_id),
                                        rp.c.red_packet_id,
                                        pagination.Page(page_size, page_token),
                                        f"red_packets:{buyer_id}")
    now = utcnow()
    return [_red_packet(r, now) for r in rows], token


# --- for a quote -------------------------------------------------------------


def _not_usable(red_packet_id: str, why: str) -> ZhongtaiError:
    return not_usable(pb.ERROR_REASON_RED_PACKET_NOT_USABLE, "red_packet", red_packet_id, why,
                      "red_packet_id")


async def load(s: AsyncSession, buyer_id: str, currency: str, red_packet_id: str,
               at: dt.datetime) -> engine.Benefit | None:
    """The packet a request names, as the engine takes it: RED_PACKET_NOT_FOUND,
    or RED_PACKET_NOT_USABLE unless it is the buyer's, AVAILABLE, not expired
    at ``at`` and in the cart's currency."""
    if not red_packet_id:
        return None
    row = await RED_PACKETS.get(s, red_packet_id)
    if row.buyer_id != buyer_id:
        raise _not_usable(red_packet_id, f"it does not belong to buyer {buyer_id}")
    if row.status != pb.RED_PACKET_STATUS_AVAILABLE:
        raise _not_usable(red_packet_id, f"it is {pb.RedPacketStatus.Name(row.status)}")
    if row.expire_at <= at:
        raise _not_usable(red_packet_id, f"it expired at {row.expire_at}")
    if row.currency != currency:
        raise _not_usable(red_packet_id, f"it is in {row.currency}")
    seller = row.funded_by_seller_id
    # A seller's red packet pays only for that seller's goods, at its cost.
    return engine.Benefit(red_packet_id, row.amount, 0 if seller else engine.BPS,
                          engine.Scope(seller_id=seller))


# --- an order's hold ---------------------------------------------------------


def _held(hold: Any, status: int) -> ColumnElement[bool]:
    """The hold's packet (none if it holds none), still in ``status``."""
    rp = t.red_packets.c
    return and_(rp.red_packet_id == hold.red_packet_id, rp.order_id == hold.order_id,
                rp.status == status)


async def lock(s: AsyncSession, order_id: str, buyer_id: str, red_packet_id: str,
               now: dt.datetime) -> None:
    """Hold: AVAILABLE → LOCKED for the order; RED_PACKET_NOT_USABLE when
    another order took it first."""
    rp = t.red_packets
    if not await compare_and_set(s, update(rp).where(
            rp.c.red_packet_id == red_packet_id, rp.c.buyer_id == buyer_id,
            rp.c.status == pb.RED_PACKET_STATUS_AVAILABLE)
            .values(status=pb.RED_PACKET_STATUS_LOCKED, order_id=order_id, updated_at=now)):
        raise _not_usable(red_packet_id, "another order took it")
    await trail.record(s, trail.RED_PACKET, red_packet_id, f"locked for order {order_id}")


async def _move(s: AsyncSession, hold: Any, to: int, what: str, now: dt.datetime) -> None:
    """The order's locked packet (if any) moves ``to`` a status, recorded as ``what``."""
    if await changed(s, update(t.red_packets)
                     .where(_held(hold, pb.RED_PACKET_STATUS_LOCKED))
                     .values(status=to, updated_at=now,
                             **({"order_id": None} if to == pb.RED_PACKET_STATUS_AVAILABLE
                                else {}))):
        await trail.record(s, trail.RED_PACKET, hold.red_packet_id,
                           f"{what} order {hold.order_id}")


async def unlock(s: AsyncSession, hold: Any, now: dt.datetime) -> None:
    """Release: the packet the order locked is AVAILABLE again."""
    await _move(s, hold, pb.RED_PACKET_STATUS_AVAILABLE, "released by", now)


async def use(s: AsyncSession, hold: Any, now: dt.datetime) -> None:
    """Redeem: the packet the order locked is used."""
    await _move(s, hold, pb.RED_PACKET_STATUS_USED, "used by", now)


async def give_back(s: AsyncSession, hold: Any, now: dt.datetime) -> bool:
    """Return: the packet the paid order used is AVAILABLE again while not
    expired; an expired one stays USED, logged. Once: a packet given back is
    no longer the order's. Whether it was given back."""
    rp = t.red_packets
    if not hold.red_packet_id:
        return False
    if await compare_and_set(s, update(rp).where(
            _held(hold, pb.RED_PACKET_STATUS_USED), rp.c.expire_at > now)
            .values(status=pb.RED_PACKET_STATUS_AVAILABLE, order_id=None, updated_at=now)):
        await trail.record(s, trail.RED_PACKET, hold.red_packet_id,
                           f"given back by order {hold.order_id}")
        return True
    log.info("order %s: red packet %s stays used: it expired or was given back",
             hold.order_id, hold.red_packet_id)
    return False
