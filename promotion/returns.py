"""What each order got back of the benefits it consumed (``benefit_returns``),
and after-sales' return requests (``benefit_return_requests``).

The ledger is the one record both ways of giving back go through:
after-sales' ReturnBenefits (a share per agreed refund,
``promotion.holds.return_shares``) and the whole-order return of a paid order
cancelled (``promotion.holds.return_benefits``), which gives back only what
the ledger says is left. So together they never give back more than the
order consumed. The hold's row is locked before the ledger is read (both
callers hold it), so the two never interleave. Each function runs in the
caller's transaction (session).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from promotion import domain, views
from promotion import store as t
from promotion.values import ReturnedShare
from zhongtai.common.v1 import errors_pb2
from zhongtai.db import changed, insert_ignore, utcnow
from zhongtai.errors import COMMON


def consumed(hold: Any) -> domain.Consumed:
    """What the order of this hold row consumed: its points and the money
    its quote took off with them, its card amount."""
    money = views.points_amount(hold.quote) if hold.quote else 0
    return domain.Consumed(hold.points, money, hold.card_amount)


async def returned(s: AsyncSession, order_id: str) -> domain.Returned:
    """What the order got back so far (nothing: all zero)."""
    r = t.benefit_returns.c
    row = (await s.execute(select(r.points_amount, r.points, r.card_amount,
                                  r.coupons_restored).where(r.order_id == order_id))).first()
    if row is None:
        return domain.Returned()
    return domain.Returned(row.points_amount, row.points, row.card_amount,
                           bool(row.coupons_restored))


async def record(s: AsyncSession, order_id: str, after: domain.Returned) -> None:
    """The order's returns are now ``after`` (its hold row is locked: no
    one else writes its ledger meanwhile)."""
    values = {"points_amount": after.points_amount, "points": after.points,
              "card_amount": after.card_amount, "coupons_restored": after.coupons,
              "updated_at": utcnow()}
    if not await changed(s, update(t.benefit_returns)
                         .where(t.benefit_returns.c.order_id == order_id).values(values)):
        await s.execute(t.benefit_returns.insert().values(order_id=order_id, **values))


def share(hold: Any, before: domain.Returned, after: domain.Returned) -> Any:
    """The hold row as the give-back effects take it (``points.give_back``,
    ``cards.refund``...), holding only what goes back between ``before`` and
    ``after``."""
    return SimpleNamespace(**{**hold._mapping, "points": after.points - before.points,
                              "card_amount": after.card_amount - before.card_amount})


async def rest_of(s: AsyncSession, hold: Any) -> Any:
    """For the whole-order return: the hold row less what after-sales gave
    back already; the ledger then says everything is back."""
    before = await returned(s, hold.order_id)
    after = consumed(hold).everything()
    await record(s, hold.order_id, after)
    return share(hold, before, after)


async def claim_request(s: AsyncSession, dialect: str, request_id: str, order_id: str,
                        digest: str) -> ReturnedShare | None:
    """Record a new request id (None), or return the answer of the same
    request made before; another request under the id is
    IDEMPOTENCY_KEY_REUSED."""
    q = t.benefit_return_requests
    if await changed(s, insert_ignore(dialect, q).values(
            request_id=request_id, order_id=order_id, request_hash=digest, response=b"",
            created_at=utcnow())):
        return None
    row = (await s.execute(select(q.c.request_hash, q.c.response)
                           .where(q.c.request_id == request_id))).one()
    if row.request_hash != digest:
        raise COMMON(errors_pb2.ERROR_REASON_IDEMPOTENCY_KEY_REUSED,
                     f"return {request_id!r} was asked with another payload",
                     metadata={"scope": "ReturnBenefits", "key": request_id})
    return views.returned_share_of(bytes(row.response))


async def answer(s: AsyncSession, request_id: str, share: ReturnedShare) -> None:
    """Remember the answer of a request claimed in this transaction (as
    ``views.returned_share_bytes`` stores it)."""
    q = t.benefit_return_requests
    await s.execute(update(q).where(q.c.request_id == request_id).values(
        response=views.returned_share_bytes(share)))
