"""promotion's points: each buyer's account (``balance`` is what is
available, ``frozen`` what holds keep) and its ledger, one entry per change.

Every change is one ledger entry applied by compare-and-set, never below
zero: EARN (once per request id, for good), FREEZE (a hold), UNFREEZE (its
release), DEDUCT (its redeem) and RETURN (a paid order cancelled before
anything shipped, or an after-sales refund's share: the points it spent are
credited back, one entry per order and request). Each use case runs in the
caller's transaction (session) and returns a ``values.PointsAccount``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from promotion import ownership, trail
from promotion import store as t
from promotion.reasons import E
from promotion.values import PointsAccount
from zhongtai.auth import Identity
from zhongtai.db import compare_and_set, insert_ignore, utcnow
from zhongtai.errors import PreconditionViolation, ZhongtaiError
from zhongtai.ids import new_id
from zhongtai.promotion.v1 import promotion_pb2 as pb

# The ledger's kinds of entry.
EARN, FREEZE, UNFREEZE, DEDUCT, RETURN = "EARN", "FREEZE", "UNFREEZE", "DEDUCT", "RETURN"


async def get_points_account(s: AsyncSession, caller: Identity, buyer_id: str
                             ) -> PointsAccount:
    """A buyer's account: the caller's, or the buyer staff name
    (``ownership.buyer_of``)."""
    return await account(s, ownership.buyer_of(caller, buyer_id))


async def account(s: AsyncSession, buyer_id: str) -> PointsAccount:
    """The buyer's account (empty if it never earned a point)."""
    row = (await s.execute(select(t.points_accounts)
                           .where(t.points_accounts.c.buyer_id == buyer_id))).first()
    if row is None:
        return PointsAccount(buyer_id)
    # The row's balance is what is available; the account's includes the frozen part.
    return PointsAccount(buyer_id, available=row.balance, frozen=row.frozen)


async def _change(s: AsyncSession, buyer_id: str, kind: str, points: int, *,
                  order_id: str = "", request_id: str = "", reason: str = "") -> bool:
    """Apply one ledger entry by compare-and-set; False if the account cannot."""
    a = t.points_accounts
    if kind in (EARN, RETURN):
        guard, values = a.c.balance >= 0, {"balance": a.c.balance + points}
    elif kind == FREEZE:
        guard, values = a.c.balance >= points, {"balance": a.c.balance - points,
                                                "frozen": a.c.frozen + points}
    elif kind == UNFREEZE:
        guard, values = a.c.frozen >= points, {"balance": a.c.balance + points,
                                               "frozen": a.c.frozen - points}
    else:
        guard, values = a.c.frozen >= points, {"frozen": a.c.frozen - points}
    now = utcnow()
    if not await compare_and_set(s, update(a).where(a.c.buyer_id == buyer_id, guard)
                                 .values(updated_at=now, **values)):
        return False
    row = (await s.execute(select(a.c.balance, a.c.frozen)
                           .where(a.c.buyer_id == buyer_id))).one()
    await s.execute(t.points_ledger.insert().values(
        entry_id=new_id(), buyer_id=buyer_id, kind=kind, points=points, order_id=order_id,
        request_id=request_id, reason=reason, balance_after=row.balance,
        frozen_after=row.frozen, created_at=now))
    await trail.record(s, trail.POINTS, buyer_id,
                       f"{kind} {points}" + (f" for order {order_id}" if order_id else "")
                       + (f": {reason}" if reason else ""))
    return True


async def earn_points(s: AsyncSession, dialect: str, *, request_id: str, buyer_id: str,
                      points: int, reason: str = "") -> PointsAccount:
    """Credit the buyer ``points`` once per request id (the ledger remembers
    it for good, where idempotency records expire); the account after."""
    lg = t.points_ledger
    done = (await s.execute(select(lg.c.points).where(
        lg.c.buyer_id == buyer_id, lg.c.kind == EARN, lg.c.order_id == "",
        lg.c.request_id == request_id))).first()
    if done is None:
        await s.execute(insert_ignore(dialect, t.points_accounts).values(
            buyer_id=buyer_id, balance=0, frozen=0, updated_at=utcnow()))
        ok = await _change(s, buyer_id, EARN, points, request_id=request_id, reason=reason)
        assert ok
    return await account(s, buyer_id)


def _insufficient(buyer_id: str, message: str, why: str) -> ZhongtaiError:
    return E(pb.ERROR_REASON_INSUFFICIENT_POINTS, message,
             violations=[PreconditionViolation("POINTS", f"points_accounts/{buyer_id}", why)],
             metadata={"buyer_id": buyer_id})


async def check(s: AsyncSession, buyer_id: str, points: int) -> int:
    """The points a quote asks for, if the account has them available
    (INSUFFICIENT_POINTS otherwise; what the cart may use is the engine's)."""
    if points <= 0:
        return 0
    available = (await account(s, buyer_id)).available
    if points > available:
        raise _insufficient(buyer_id, f"buyer {buyer_id} has {available} points "
                            f"available, {points} wanted",
                            f"{points} wanted, {available} available")
    return points


async def freeze(s: AsyncSession, order_id: str, buyer_id: str, points: int) -> None:
    """Hold: freeze what the quote spends (INSUFFICIENT_POINTS if spent meanwhile)."""
    if points and not await _change(s, buyer_id, FREEZE, points, order_id=order_id):
        raise _insufficient(buyer_id, f"buyer {buyer_id} no longer has {points} points",
                            "spent meanwhile")


async def _settle(s: AsyncSession, hold: Any, kind: str, request_id: str = "") -> None:
    if hold.points and not await _change(s, hold.buyer_id, kind, hold.points,
                                         order_id=hold.order_id, request_id=request_id):
        # Only this order's own moves touch its frozen points: the books are broken.
        raise RuntimeError(f"order {hold.order_id}: cannot {kind} {hold.points} points "
                           f"of {hold.buyer_id}")


async def unfreeze(s: AsyncSession, hold: Any, now: dt.datetime) -> None:
    """Release: the frozen points are available again (an UNFREEZE entry)."""
    await _settle(s, hold, UNFREEZE)


async def deduct(s: AsyncSession, hold: Any, now: dt.datetime) -> None:
    """Redeem: the frozen points are spent (a DEDUCT entry)."""
    await _settle(s, hold, DEDUCT)


async def give_back(s: AsyncSession, hold: Any, now: dt.datetime) -> None:
    """Return: the points the paid order spent are credited back (a RETURN entry)."""
    await _settle(s, hold, RETURN)


async def give_back_share(s: AsyncSession, hold: Any, request_id: str) -> None:
    """After-sales' return: ``hold.points`` of those the order spent are
    credited back (a RETURN entry of the order under the request id: one
    per request)."""
    await _settle(s, hold, RETURN, request_id)
