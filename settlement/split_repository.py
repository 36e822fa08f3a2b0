"""settlement's database access for split settlement (part of
``SqlSettlementUnitOfWork``: ``uow.splits``).

* ``lock_order`` serializes the transactions that record an order's splits
  (its ``split_locks`` row updated first); ``record_payment`` keeps each
  payment of an order as payment reported it, with the order's share of its
  channel discount (written once: a redelivery changes nothing);
  ``payments_of`` and ``channel_discounts_of`` read them.
* ``add`` writes a new instruction behind its primary key (one per order
  and seller: a second add writes nothing) and arms its timer; ``get``
  loads one (row-locked on PostgreSQL with ``lock``), ``save`` writes it
  behind a version check with its entries.
* ``pending`` is what the merchant's PENDING splits will take (a payout
  leaves it alone).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from settlement import store as t
from settlement.cycle_repository import lock_row
from settlement.ledger import Entry
from settlement.reasons import E
from settlement.split import Route, Split, SplitState
from zhongtai.db import compare_and_set, insert_ignore, rows_changed
from zhongtai.errors import ZhongtaiError
from zhongtai.settlement.v1 import settlement_pb2 as pb

if TYPE_CHECKING:
    from settlement.repository import SqlSettlementUnitOfWork


def split_row(s: Split) -> dict[str, Any]:
    return {"split_id": s.split_id, "order_id": s.order_id, "seller_id": s.seller_id,
            "currency": s.currency, "amount": s.amount, "state": int(s.state),
            "channel": s.channel, "trade_no": s.trade_no, "transaction_id": s.transaction_id,
            "reference": s.reference, "reason": s.reason[:500], "entry_id": s.entry_id,
            "attempts": s.attempts, "created_at": s.created_time,
            "resolved_at": s.resolved_time}


def split_from(row: Any) -> Split:
    r = row._mapping
    return Split(version=r["version"], split_id=r["split_id"], order_id=r["order_id"],
                 seller_id=r["seller_id"], amount=r["amount"], currency=r["currency"],
                 state=SplitState(r["state"]), channel=r["channel"], trade_no=r["trade_no"],
                 transaction_id=r["transaction_id"], reference=r["reference"],
                 reason=r["reason"], entry_id=r["entry_id"], attempts=r["attempts"],
                 created_time=r["created_at"], resolved_time=r["resolved_at"])


def split_not_found(split_id: str) -> ZhongtaiError:
    return E(pb.ERROR_REASON_SPLIT_NOT_FOUND, f"no split {split_id!r}",
             metadata={"split_id": split_id})


class Splits:
    def __init__(self, uow: SqlSettlementUnitOfWork) -> None:
        self.uow = uow

    async def lock_order(self, order_id: str) -> None:
        await lock_row(self.uow, t.split_locks, order_id)

    async def record_payment(self, order_id: str, payment_id: str, route: Route,
                             channel_discount: int = 0) -> None:
        await self.uow.session.execute(insert_ignore(self.uow.db.dialect, t.order_payments)
                                       .values(order_id=order_id, payment_id=payment_id,
                                               channel=route.channel, trade_no=route.trade_no,
                                               transaction_id=route.transaction_id,
                                               channel_discount=channel_discount))

    async def channel_discounts_of(self, order_id: str) -> dict[str, int]:
        """The order's share of each of its payments' channel discounts."""
        c = t.order_payments.c
        rows = await self.uow.session.execute(select(c.payment_id, c.channel_discount).where(
            c.order_id == order_id, c.channel_discount > 0))
        return {str(p): int(x) for p, x in rows.all()}

    async def payments_of(self, order_id: str) -> list[Route]:
        c = t.order_payments.c
        rows = await self.uow.session.execute(select(c.channel, c.trade_no, c.transaction_id)
                                              .where(c.order_id == order_id))
        return [Route(*r) for r in rows.all()]

    async def add(self, s: Split) -> bool:
        """Write a new instruction and arm its timer; False (nothing
        written) when the order's seller has one."""
        result = await self.uow.session.execute(insert_ignore(
            self.uow.db.dialect, t.splits).values(**split_row(s), version=1))
        if not rows_changed(result):
            return False
        s.version = 1
        self.uow.schedule(s.pull()[1])
        return True

    async def find(self, split_id: str, *, lock: bool = False) -> Split | None:
        query = select(t.splits).where(t.splits.c.split_id == split_id)
        if lock:
            query = query.with_for_update()
        row = (await self.uow.session.execute(query)).first()
        return split_from(row) if row is not None else None

    async def get(self, split_id: str, *, lock: bool = False) -> Split:
        found = await self.find(split_id, lock=lock)
        if found is None:
            raise split_not_found(split_id)
        return found

    async def save(self, s: Split, at: dt.datetime, entries: Sequence[Entry] = ()) -> None:
        c = t.splits.c
        if not await compare_and_set(self.uow.session, update(t.splits).where(
                c.split_id == s.split_id, c.version == s.version)
                .values(**split_row(s), version=c.version + 1)):
            raise E(pb.ERROR_REASON_ILLEGAL_SPLIT_TRANSITION,
                    f"split {s.split_id} changed concurrently",
                    metadata={"split_id": s.split_id})
        s.version += 1
        await self.uow.journal.append(entries, at)

    async def pending(self, seller_id: str, currency: str) -> int:
        """What the merchant's PENDING splits in ``currency`` will take."""
        c = t.splits.c
        total = (await self.uow.session.execute(select(func.sum(c.amount)).where(
            c.seller_id == seller_id, c.currency == currency,
            c.state == int(SplitState.PENDING)))).scalar()
        return int(total or 0)
