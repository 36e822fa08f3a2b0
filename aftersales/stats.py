"""Refund figures per seller and reason (GetRefundStats): one SQL GROUP BY
over the applications created in a period, as plain records
(``aftersales.views.refund_stat`` shows them). Read-only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, func, select

from aftersales import store as t
from aftersales.repository import SqlAfterSalesUnitOfWork
from zhongtai.aftersales.v1 import aftersales_pb2 as pb
from zhongtai.auth import Identity, Role, acting_seller
from zhongtai.errors import InvalidArgument


@dataclass(frozen=True)
class RefundStat:
    """One seller's figures for one reason, in one currency: applications
    created, how many were REFUNDED and what they refunded for the goods
    (minor units), how many CLOSED."""

    seller_id: str
    reason: int
    currency: str
    applications: int
    refunded: int
    refunded_amount: int
    closed: int


def stats_seller(caller: Identity, seller_id: str) -> str:
    """A seller credential one of its own sellers (required when it acts for
    several); operators any, or every seller (empty)."""
    if caller.role is Role.SELLER:
        return acting_seller(caller, seller_id)
    return seller_id


async def refund_stats(uow: SqlAfterSalesUnitOfWork, caller: Identity, seller_id: str,
                       start: dt.datetime | None, end: dt.datetime | None
                       ) -> list[RefundStat]:
    """Per seller, reason and currency: applications created in [start,
    end), how many were REFUNDED and what they refunded for the goods
    (their agreed amounts), how many CLOSED."""
    seller_id = stats_seller(caller, seller_id)
    if start is not None and end is not None and end <= start:
        raise InvalidArgument.field("end_time", "must be after start_time")
    a = t.applications.c
    refunded = a.status == pb.APPLICATION_STATUS_REFUNDED
    query = (select(a.seller_id, a.reason, a.currency, func.count().label("applications"),
                    func.sum(case((refunded, 1), else_=0)).label("refunded"),
                    func.sum(case((refunded, func.coalesce(a.agreed_amount, 0)), else_=0))
                    .label("refunded_amount"),
                    func.sum(case((a.status == pb.APPLICATION_STATUS_CLOSED, 1), else_=0))
                    .label("closed"))
             .group_by(a.seller_id, a.reason, a.currency)
             .order_by(a.seller_id, a.reason, a.currency))
    if seller_id:
        query = query.where(a.seller_id == seller_id)
    if start is not None:
        query = query.where(a.created_at >= start)
    if end is not None:
        query = query.where(a.created_at < end)
    return [RefundStat(seller_id=r.seller_id, reason=int(r.reason), currency=r.currency,
                       applications=int(r.applications), refunded=int(r.refunded or 0),
                       refunded_amount=int(r.refunded_amount or 0), closed=int(r.closed or 0))
            for r in (await uow.session.execute(query)).all()]
