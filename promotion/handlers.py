"""promotion's use cases: each runs in the caller's transaction (session).

Counters that must never overshoot (coupons issued, coupons per buyer, a red
packet pool's budget, flash-sale units per buyer, a promotion's budget, points,
a card's balance) change only by compare-and-set: ``UPDATE ... SET x = x + n
WHERE <still allowed>``, with the row count telling whether it won. On
PostgreSQL the second of two concurrent updates waits for the first and
re-checks the condition; on SQLite writers are serialized.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from promotion import domain, engine
from promotion import store as t
from zhongtai import outbox, pagination
from zhongtai.common.v1.common_pb2 import Money
from zhongtai.db import ensure_absent, fetch_one, insert_ignore, utcnow
from zhongtai.errors import (
    Aborted,
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PreconditionViolation,
)
from zhongtai.idempotency import request_hash
from zhongtai.ids import new_id
from zhongtai.promotion.v1 import events_pb2 as ev
from zhongtai.promotion.v1 import promotion_pb2 as pb
from zhongtai.wire import money, now_timestamp, timestamp, to_datetime

Kind = engine.Kind
COUPON_STAGES = (Kind.SHOP_COUPON, Kind.PLATFORM_COUPON)
# The kinds of deduction a promotion (rather than a coupon, a red packet,
# points or a card) makes: what counts against its budget.
PROMOTION_DEDUCTIONS = engine.ITEM_KINDS | engine.PROMOTION_STAGES

log = logging.getLogger(__name__)








def _opt_dt(msg: Any, name: str) -> dt.datetime | None:
    return to_datetime(getattr(msg, name)) if msg.HasField(name) else None




def _rowcount(result: Any) -> int:
    return int(result.rowcount)


def _ids(text: str) -> list[str]:
    return list(json.loads(text))


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _scope(row: Any) -> pb.Scope:
    return pb.Scope(seller_id=row.seller_id, sku_ids=_ids(row.scope_sku_ids),
                    category_ids=_ids(row.scope_category_ids))


def _engine_scope(row: Any) -> engine.Scope:
    return engine.Scope(row.seller_id, frozenset(_ids(row.scope_sku_ids)),
                        frozenset(_ids(row.scope_category_ids)))


# --- promotions --------------------------------------------------------------


def _promotion(row: Any) -> pb.Promotion:
    p = pb.Promotion(
        promotion_id=row.promotion_id, kind=row.kind, title=row.title, scope=_scope(row),
        start_time=timestamp(row.start_at), end_time=timestamp(row.end_at), rate_bps=row.rate_bps,
        per_buyer_limit=row.per_buyer_limit, ended=row.ended_at is not None,
        cost_sharing=pb.CostSharing(platform_share_bps=row.platform_share_bps),
    )
    if row.kind == pb.PROMOTION_KIND_ITEM_DIRECT_REDUCTION:
        p.amount_off.CopyFrom(money(row.currency, row.amount_off))
    if row.kind in (pb.PROMOTION_KIND_FLASH_SALE, pb.PROMOTION_KIND_VIP_PRICE):
        p.price.CopyFrom(money(row.currency, row.price))
    if row.budget is not None:
        p.budget.CopyFrom(money(row.currency, row.budget))
        p.budget_used.CopyFrom(money(row.currency, row.budget_used))
    for step in json.loads(row.ladders):
        ladder = p.ladders.add(threshold=money(row.currency, step["threshold"]),
                               rate_bps=step["rate_bps"])
        if step["amount_off"]:
            ladder.amount_off.CopyFrom(money(row.currency, step["amount_off"]))
    return p


async def _promotion_row(s: AsyncSession, promotion_id: str) -> Any:
    return await fetch_one(s, t.promotions.c.promotion_id, promotion_id, "promotion")


async def create_promotion(s: AsyncSession, req: pb.CreatePromotionRequest
                           ) -> pb.CreatePromotionResponse:
    currency = domain.validate_promotion(req.promotion)
    p = req.promotion
    promotion_id = p.promotion_id or new_id()
    await ensure_absent(s, t.promotions.c.promotion_id, promotion_id, "promotion")
    await s.execute(t.promotions.insert().values(
        promotion_id=promotion_id, kind=p.kind, title=p.title.strip(),
        seller_id=p.scope.seller_id, scope_sku_ids=_json(list(p.scope.sku_ids)),
        scope_category_ids=_json(list(p.scope.category_ids)),
        start_at=to_datetime(p.start_time), end_at=to_datetime(p.end_time), currency=currency,
        amount_off=p.amount_off.amount_minor, rate_bps=p.rate_bps,
        price=p.price.amount_minor, per_buyer_limit=p.per_buyer_limit,
        ladders=json.dumps([{"threshold": x.threshold.amount_minor,
                             "amount_off": x.amount_off.amount_minor,
                             "rate_bps": x.rate_bps} for x in p.ladders]),
        platform_share_bps=p.cost_sharing.platform_share_bps, ended_at=None,
        created_at=utcnow(),
        budget=p.budget.amount_minor if p.HasField("budget") else None, budget_used=0,
    ))
    return pb.CreatePromotionResponse(
        promotion=_promotion(await _promotion_row(s, promotion_id)))


async def get_promotion(s: AsyncSession, promotion_id: str) -> pb.Promotion:
    return _promotion(await _promotion_row(s, promotion_id))


async def list_promotions(s: AsyncSession, req: pb.ListPromotionsRequest
                          ) -> pb.ListPromotionsResponse:
    size = pagination.page_size(req.page_size)
    query_key = f"promotions:{req.seller_id}"
    after = pagination.decode_token(req.page_token, query_key)
    q = select(t.promotions).order_by(t.promotions.c.promotion_id).limit(size + 1)
    if req.seller_id:
        q = q.where(t.promotions.c.seller_id == req.seller_id)
    if after:
        q = q.where(t.promotions.c.promotion_id > after)
    rows = (await s.execute(q)).all()
    resp = pb.ListPromotionsResponse(promotions=[_promotion(r) for r in rows[:size]])
    if len(rows) > size:
        resp.next_page_token = pagination.encode_token(rows[size - 1].promotion_id, query_key)
    return resp


async def end_promotion(s: AsyncSession, req: pb.EndPromotionRequest
                        ) -> pb.EndPromotionResponse:
    if not req.promotion_id:
        raise InvalidArgument.field("promotion_id", "is required")
    await _promotion_row(s, req.promotion_id)
    await s.execute(update(t.promotions)
                    .where(t.promotions.c.promotion_id == req.promotion_id,
                           t.promotions.c.ended_at.is_(None))
                    .values(ended_at=utcnow()))
    return pb.EndPromotionResponse(
        promotion=_promotion(await _promotion_row(s, req.promotion_id)))


# --- coupon templates and coupons --------------------------------------------


def _template(row: Any) -> pb.CouponTemplate:
    tpl = pb.CouponTemplate(
        template_id=row.template_id, title=row.title, kind=row.kind, scope=_scope(row),
        rate_bps=row.rate_bps, valid_days=row.valid_days, total_quantity=row.total_quantity,
        per_buyer_limit=row.per_buyer_limit, restore_on_cancel=row.restore_on_cancel,
        cost_sharing=pb.CostSharing(platform_share_bps=row.platform_share_bps),
        issued_quantity=row.issued_quantity,
    )
    if row.currency:
        if row.kind != pb.COUPON_KIND_NO_THRESHOLD:
            tpl.threshold.CopyFrom(money(row.currency, row.threshold))
        if row.kind != pb.COUPON_KIND_DISCOUNT:
            tpl.amount_off.CopyFrom(money(row.currency, row.amount_off))
        elif row.max_off:
            tpl.max_off.CopyFrom(money(row.currency, row.max_off))
    for name, column in (("claim_start_time", row.claim_start_at),
                         ("claim_end_time", row.claim_end_at),
                         ("valid_start_time", row.valid_start_at),
                         ("valid_end_time", row.valid_end_at)):
        if column is not None:
            getattr(tpl, name).CopyFrom(timestamp(column))
    return tpl


async def _template_row(s: AsyncSession, template_id: str) -> Any:
    return await fetch_one(s, t.coupon_templates.c.template_id, template_id, "coupon template")


async def create_coupon_template(s: AsyncSession, req: pb.CreateCouponTemplateRequest
                                 ) -> pb.CreateCouponTemplateResponse:
    currency = domain.validate_coupon_template(req.template)
    p = req.template
    template_id = p.template_id or new_id()
    await ensure_absent(s, t.coupon_templates.c.template_id, template_id, "coupon template")
    await s.execute(t.coupon_templates.insert().values(
        template_id=template_id, title=p.title.strip(), kind=p.kind,
        seller_id=p.scope.seller_id, scope_sku_ids=_json(list(p.scope.sku_ids)),
        scope_category_ids=_json(list(p.scope.category_ids)), currency=currency,
        threshold=p.threshold.amount_minor, amount_off=p.amount_off.amount_minor,
        rate_bps=p.rate_bps, max_off=p.max_off.amount_minor,
        claim_start_at=_opt_dt(p, "claim_start_time"), claim_end_at=_opt_dt(p, "claim_end_time"),
        valid_start_at=_opt_dt(p, "valid_start_time"), valid_end_at=_opt_dt(p, "valid_end_time"),
        valid_days=p.valid_days, total_quantity=p.total_quantity, issued_quantity=0,
        per_buyer_limit=p.per_buyer_limit,
        platform_share_bps=p.cost_sharing.platform_share_bps,
        restore_on_cancel=p.restore_on_cancel, created_at=utcnow(),
    ))
    return pb.CreateCouponTemplateResponse(
        template=_template(await _template_row(s, template_id)))


async def get_coupon_template(s: AsyncSession, template_id: str) -> pb.CouponTemplate:
    return _template(await _template_row(s, template_id))


def _coupon_status(row: Any, now: dt.datetime) -> int:
    """AVAILABLE past its validity reads as EXPIRED (nothing else expires it)."""
    if row.status == pb.COUPON_STATUS_AVAILABLE and row.valid_end_at <= now:
        return pb.COUPON_STATUS_EXPIRED
    return int(row.status)


def _coupon(row: Any, tpl: Any, now: dt.datetime) -> pb.Coupon:
    return pb.Coupon(
        coupon_id=row.coupon_id, template_id=row.template_id, buyer_id=row.buyer_id,
        status=_coupon_status(row, now),  # type: ignore[arg-type]
        valid_start_time=timestamp(row.valid_start_at), valid_end_time=timestamp(row.valid_end_at),
        order_id=row.order_id or "", template=_template(tpl),
    )


async def claim_coupon(s: AsyncSession, dialect: str, req: pb.ClaimCouponRequest
                       ) -> pb.ClaimCouponResponse:
    domain.validate_claim(req)
    tpl = await _template_row(s, req.template_id)
    now = utcnow()
    subject = f"coupon_templates/{req.template_id}"
    if ((tpl.claim_start_at is not None and now < tpl.claim_start_at)
            or (tpl.claim_end_at is not None and now >= tpl.claim_end_at)):
        raise FailedPrecondition(
            "CLAIM_WINDOW_CLOSED", f"coupon template {req.template_id} cannot be claimed now",
            [PreconditionViolation("CLAIM_WINDOW", subject, "outside the claim window")],
            {"template_id": req.template_id})
    if tpl.valid_days:
        valid_start, valid_end = now, now + dt.timedelta(days=tpl.valid_days)
    else:
        valid_start, valid_end = tpl.valid_start_at, tpl.valid_end_at
        if valid_end <= now:
            raise FailedPrecondition(
                "COUPON_TEMPLATE_EXPIRED", f"coupons of {req.template_id} are no longer valid",
                [PreconditionViolation("VALIDITY", subject, "validity ended")],
                {"template_id": req.template_id})
    # Per buyer: a counter row per (template, buyer), then compare-and-set.
    claims = t.coupon_claims
    await s.execute(insert_ignore(dialect, claims).values(
        template_id=req.template_id, buyer_id=req.buyer_id, claimed=0))
    mine = and_(claims.c.template_id == req.template_id, claims.c.buyer_id == req.buyer_id)
    if tpl.per_buyer_limit:
        mine = and_(mine, claims.c.claimed < tpl.per_buyer_limit)
    if _rowcount(await s.execute(update(claims).where(mine)
                                 .values(claimed=claims.c.claimed + 1))) != 1:
        raise FailedPrecondition(
            "PER_BUYER_LIMIT_REACHED",
            f"buyer {req.buyer_id} already claimed {tpl.per_buyer_limit} of {req.template_id}",
            [PreconditionViolation("PER_BUYER_LIMIT", subject,
                                   f"at most {tpl.per_buyer_limit} per buyer")],
            {"template_id": req.template_id, "buyer_id": req.buyer_id})
    # The total, last: the hot row is locked for as short a time as possible.
    ct = t.coupon_templates
    issued = await s.execute(
        update(ct).where(ct.c.template_id == req.template_id,
                         ct.c.issued_quantity < ct.c.total_quantity)
        .values(issued_quantity=ct.c.issued_quantity + 1))
    if _rowcount(issued) != 1:
        raise FailedPrecondition(
            "COUPONS_EXHAUSTED", f"all {tpl.total_quantity} coupons of {req.template_id} "
            "were claimed",
            [PreconditionViolation("QUANTITY", subject, "none left")],
            {"template_id": req.template_id})
    coupon_id = new_id()
    await s.execute(t.coupons.insert().values(
        coupon_id=coupon_id, template_id=req.template_id, buyer_id=req.buyer_id,
        status=pb.COUPON_STATUS_AVAILABLE, valid_start_at=valid_start, valid_end_at=valid_end,
        order_id=None, claimed_at=now, updated_at=now))
    coupon = await _coupon_by_id(s, coupon_id, now)
    await outbox.publish(s, t.plumbing,
                         ev.CouponClaimed(coupon=coupon, occur_time=timestamp(now)), coupon_id)
    return pb.ClaimCouponResponse(coupon=coupon)


def _coupon_join() -> Any:
    c, ct = t.coupons, t.coupon_templates
    return (select(c, *[col.label(f"tpl_{col.name}") for col in ct.c])
            .join(ct, ct.c.template_id == c.c.template_id))


def _split_coupon_row(row: Any) -> tuple[Any, Any]:
    """A joined row: the coupon's columns, and its template's (tpl_*)."""
    tpl = SimpleNamespace(**{k.removeprefix("tpl_"): v for k, v in row._mapping.items()
                             if k.startswith("tpl_")})
    return row, tpl


async def _coupon_by_id(s: AsyncSession, coupon_id: str, now: dt.datetime) -> pb.Coupon:
    row = (await s.execute(_coupon_join().where(t.coupons.c.coupon_id == coupon_id))).one()
    return _coupon(*_split_coupon_row(row), now)


def _status_filter(statuses: Iterable[int], now: dt.datetime) -> ColumnElement[bool]:
    c = t.coupons.c
    available = c.status == pb.COUPON_STATUS_AVAILABLE
    conditions: list[ColumnElement[bool]] = []
    for status in set(statuses):
        if status == pb.COUPON_STATUS_AVAILABLE:
            conditions.append(and_(available, c.valid_end_at > now))
        elif status == pb.COUPON_STATUS_EXPIRED:
            conditions.append(or_(c.status == status, and_(available, c.valid_end_at <= now)))
        else:
            conditions.append(c.status == status)
    return or_(*conditions)


async def list_coupons(s: AsyncSession, req: pb.ListCouponsRequest) -> pb.ListCouponsResponse:
    if not req.buyer_id:
        raise InvalidArgument.field("buyer_id", "is required")
    for i, status in enumerate(req.statuses):
        if status == pb.COUPON_STATUS_UNSPECIFIED or status not in pb.CouponStatus.values():
            raise InvalidArgument.field(f"statuses[{i}]", "is not a coupon status")
    size = pagination.page_size(req.page_size)
    query_key = f"coupons:{req.buyer_id}:{sorted(set(req.statuses))}"
    after = pagination.decode_token(req.page_token, query_key)
    now = utcnow()
    q = (_coupon_join().where(t.coupons.c.buyer_id == req.buyer_id)
         .order_by(t.coupons.c.coupon_id).limit(size + 1))
    if req.statuses:
        q = q.where(_status_filter(req.statuses, now))
    if after:
        q = q.where(t.coupons.c.coupon_id > after)
    rows = (await s.execute(q)).all()
    resp = pb.ListCouponsResponse(coupons=[_coupon(*_split_coupon_row(r), now)
                                           for r in rows[:size]])
    if len(rows) > size:
        resp.next_page_token = pagination.encode_token(rows[size - 1].coupon_id, query_key)
    return resp


# --- points ------------------------------------------------------------------

EARN, FREEZE, UNFREEZE, DEDUCT = "EARN", "FREEZE", "UNFREEZE", "DEDUCT"
# Points a paid order deducted, credited back when the order is cancelled
# before anything shipped (the hold REDEEMED -> RETURNED).
RETURN = "RETURN"


async def get_points_account(s: AsyncSession, buyer_id: str) -> pb.PointsAccount:
    if not buyer_id:
        raise InvalidArgument.field("buyer_id", "is required")
    row = (await s.execute(select(t.points_accounts)
                           .where(t.points_accounts.c.buyer_id == buyer_id))).first()
    if row is None:
        return pb.PointsAccount(buyer_id=buyer_id)
    # The row's balance is what is available; the view's includes the frozen part.
    return pb.PointsAccount(buyer_id=buyer_id, balance=row.balance + row.frozen,
                            frozen=row.frozen, available=row.balance)


async def _change_points(s: AsyncSession, buyer_id: str, kind: str, points: int, *,
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
    changed = await s.execute(update(a).where(a.c.buyer_id == buyer_id, guard)
                              .values(updated_at=now, **values))
    if _rowcount(changed) != 1:
        return False
    row = (await s.execute(select(a.c.balance, a.c.frozen)
                           .where(a.c.buyer_id == buyer_id))).one()
    await s.execute(t.points_ledger.insert().values(
        entry_id=new_id(), buyer_id=buyer_id, kind=kind, points=points, order_id=order_id,
        request_id=request_id, reason=reason, balance_after=row.balance,
        frozen_after=row.frozen, created_at=now))
    return True


async def earn_points(s: AsyncSession, dialect: str, req: pb.EarnPointsRequest
                      ) -> pb.EarnPointsResponse:
    domain.validate_earn(req)
    lg = t.points_ledger
    # The ledger remembers the request id for good (idempotency records expire).
    done = (await s.execute(select(lg.c.points).where(
        lg.c.buyer_id == req.buyer_id, lg.c.kind == EARN, lg.c.order_id == "",
        lg.c.request_id == req.request_id))).first()
    if done is None:
        await s.execute(insert_ignore(dialect, t.points_accounts).values(
            buyer_id=req.buyer_id, balance=0, frozen=0, updated_at=utcnow()))
        ok = await _change_points(s, req.buyer_id, EARN, req.points,
                                  request_id=req.request_id, reason=req.reason)
        assert ok
    return pb.EarnPointsResponse(account=await get_points_account(s, req.buyer_id))


# --- red packets -------------------------------------------------------------


def _pool(row: Any) -> pb.RedPacketPool:
    return pb.RedPacketPool(pool_id=row.pool_id, funded_by_seller_id=row.funded_by_seller_id,
                            budget=money(row.currency, row.budget),
                            remaining=money(row.currency, row.remaining),
                            valid_days=row.valid_days)


async def _pool_row(s: AsyncSession, pool_id: str) -> Any:
    return await fetch_one(s, t.red_packet_pools.c.pool_id, pool_id, "red packet pool")


async def create_red_packet_pool(s: AsyncSession, req: pb.CreateRedPacketPoolRequest
                                 ) -> pb.CreateRedPacketPoolResponse:
    currency = domain.validate_pool(req.pool)
    p = req.pool
    pool_id = p.pool_id or new_id()
    await ensure_absent(s, t.red_packet_pools.c.pool_id, pool_id, "red packet pool")
    await s.execute(t.red_packet_pools.insert().values(
        pool_id=pool_id, funded_by_seller_id=p.funded_by_seller_id, currency=currency,
        budget=p.budget.amount_minor, remaining=p.budget.amount_minor,
        valid_days=p.valid_days, created_at=utcnow()))
    return pb.CreateRedPacketPoolResponse(pool=_pool(await _pool_row(s, pool_id)))


async def get_red_packet_pool(s: AsyncSession, pool_id: str) -> pb.RedPacketPool:
    return _pool(await _pool_row(s, pool_id))


def _red_packet(row: Any, now: dt.datetime) -> pb.RedPacket:
    status = row.status
    if status == pb.RED_PACKET_STATUS_AVAILABLE and row.expire_at <= now:
        status = pb.RED_PACKET_STATUS_EXPIRED
    return pb.RedPacket(red_packet_id=row.red_packet_id, pool_id=row.pool_id,
                        buyer_id=row.buyer_id, amount=money(row.currency, row.amount),
                        status=status, expire_time=timestamp(row.expire_at),
                        order_id=row.order_id or "",
                        funded_by_seller_id=row.funded_by_seller_id)


async def issue_red_packet(s: AsyncSession, req: pb.IssueRedPacketRequest
                           ) -> pb.IssueRedPacketResponse:
    currency = domain.validate_issue_red_packet(req)
    pool = await _pool_row(s, req.pool_id)
    if pool.currency != currency:
        raise InvalidArgument.field("amount.currency_code", f"the pool is in {pool.currency}")
    low = req.amount.amount_minor
    high = req.max_amount.amount_minor if req.HasField("max_amount") else low
    # Never draw more than the pool seemed to hold (the update below decides).
    high = max(low, min(high, pool.remaining))
    amount = low + secrets.randbelow(high - low + 1)
    p = t.red_packet_pools
    taken = await s.execute(update(p).where(p.c.pool_id == req.pool_id, p.c.remaining >= amount)
                            .values(remaining=p.c.remaining - amount))
    if _rowcount(taken) != 1:
        raise FailedPrecondition(
            "POOL_EXHAUSTED", f"red packet pool {req.pool_id} cannot pay {amount}",
            [PreconditionViolation("BUDGET", f"red_packet_pools/{req.pool_id}",
                                   f"cannot pay {amount}")],
            {"pool_id": req.pool_id})
    now = utcnow()
    red_packet_id = new_id()
    await s.execute(t.red_packets.insert().values(
        red_packet_id=red_packet_id, pool_id=req.pool_id, buyer_id=req.buyer_id,
        funded_by_seller_id=pool.funded_by_seller_id, currency=currency, amount=amount,
        status=pb.RED_PACKET_STATUS_AVAILABLE,
        expire_at=now + dt.timedelta(days=pool.valid_days), order_id=None,
        created_at=now, updated_at=now))
    row = (await s.execute(select(t.red_packets)
                           .where(t.red_packets.c.red_packet_id == red_packet_id))).one()
    packet = _red_packet(row, now)
    await outbox.publish(s, t.plumbing,
                         ev.RedPacketIssued(red_packet=packet, occur_time=timestamp(now)),
                         red_packet_id)
    return pb.IssueRedPacketResponse(red_packet=packet)


async def list_red_packets(s: AsyncSession, req: pb.ListRedPacketsRequest
                           ) -> pb.ListRedPacketsResponse:
    if not req.buyer_id:
        raise InvalidArgument.field("buyer_id", "is required")
    size = pagination.page_size(req.page_size)
    query_key = f"red_packets:{req.buyer_id}"
    after = pagination.decode_token(req.page_token, query_key)
    rp = t.red_packets
    q = (select(rp).where(rp.c.buyer_id == req.buyer_id).order_by(rp.c.red_packet_id)
         .limit(size + 1))
    if after:
        q = q.where(rp.c.red_packet_id > after)
    rows = (await s.execute(q)).all()
    now = utcnow()
    resp = pb.ListRedPacketsResponse(red_packets=[_red_packet(r, now) for r in rows[:size]])
    if len(rows) > size:
        resp.next_page_token = pagination.encode_token(rows[size - 1].red_packet_id, query_key)
    return resp


# --- stored-value cards ------------------------------------------------------


def _card(row: Any) -> pb.StoredValueCard:
    return pb.StoredValueCard(card_id=row.card_id, buyer_id=row.buyer_id,
                              balance=money(row.currency, row.balance),
                              held=money(row.currency, row.held),
                              available=money(row.currency, row.balance - row.held))


async def _card_row(s: AsyncSession, card_id: str) -> Any:
    return await fetch_one(s, t.stored_value_cards.c.card_id, card_id, "stored-value card")


async def create_stored_value_card(s: AsyncSession, req: pb.CreateStoredValueCardRequest
                                   ) -> pb.CreateStoredValueCardResponse:
    currency = domain.validate_card(req)
    card_id, now = new_id(), utcnow()
    await s.execute(t.stored_value_cards.insert().values(
        card_id=card_id, buyer_id=req.buyer_id, currency=currency,
        balance=req.balance.amount_minor, held=0, created_at=now, updated_at=now))
    return pb.CreateStoredValueCardResponse(card=_card(await _card_row(s, card_id)))


async def get_stored_value_card(s: AsyncSession, card_id: str) -> pb.StoredValueCard:
    return _card(await _card_row(s, card_id))


# --- the stacking policy -----------------------------------------------------

POLICY_ID = 1


async def load_policy(s: AsyncSession) -> engine.Policy:
    row = (await s.execute(select(t.stacking_policy)
                           .where(t.stacking_policy.c.policy_id == POLICY_ID))).first()
    if row is None:
        return domain.DEFAULT_POLICY
    return engine.Policy(
        order=tuple(Kind(k) for k in json.loads(row.stage_order)),
        exclusions=frozenset(frozenset({Kind(a), Kind(b)})
                             for a, b in json.loads(row.exclusions)),
        refuse_over_discount=row.refuse_over_discount,
        floor=row.floor_minor,
        points_per_unit=row.points_per_unit,
        points_max_share_bps=row.points_max_share_bps,
        points_platform_share_bps=row.points_platform_share_bps,
    )


async def get_stacking_policy(s: AsyncSession) -> pb.StackingPolicy:
    return domain.policy_to_proto(await load_policy(s))


async def update_stacking_policy(s: AsyncSession, dialect: str,
                                 req: pb.UpdateStackingPolicyRequest
                                 ) -> pb.UpdateStackingPolicyResponse:
    policy = domain.policy_from_proto(req.policy)
    values = {
        "stage_order": json.dumps([int(k) for k in policy.order]),
        "exclusions": json.dumps(domain.sorted_exclusions(policy)),
        "refuse_over_discount": policy.refuse_over_discount,
        "floor_minor": policy.floor,
        "points_per_unit": policy.points_per_unit,
        "points_max_share_bps": policy.points_max_share_bps,
        "points_platform_share_bps": policy.points_platform_share_bps,
        "updated_at": utcnow(),
    }
    inserted = await s.execute(insert_ignore(dialect, t.stacking_policy)
                               .values(policy_id=POLICY_ID, **values))
    if _rowcount(inserted) == 0:
        await s.execute(update(t.stacking_policy)
                        .where(t.stacking_policy.c.policy_id == POLICY_ID).values(**values))
    return pb.UpdateStackingPolicyResponse(policy=await get_stacking_policy(s))


# --- quotes ------------------------------------------------------------------


@dataclass(frozen=True)
class FlashRule:
    price: int
    per_buyer_limit: int


@dataclass
class Benefits:
    """What a request brings to a cart, loaded and checked, as the engine sees it."""

    currency: str
    buyer_id: str
    lines: tuple[engine.Line, ...]
    vip: bool
    item_promotions: tuple[engine.ItemPromotion, ...]
    order_promotions: tuple[engine.OrderPromotion, ...]
    flash: dict[str, FlashRule]
    policy: engine.Policy
    # The promotions with a budget (what a hold counts against it).
    budgeted: frozenset[str] = frozenset()
    free_shipping: tuple[engine.FreeShipping, ...] = ()
    coupons: tuple[engine.Coupon, ...] = ()
    red_packet: engine.Benefit | None = None
    points: int = 0
    card: engine.Benefit | None = None
    requested_coupons: tuple[str, ...] = field(default=())

    def cart(self, coupons: Sequence[engine.Coupon] | None = None, *,
             others: bool = True) -> engine.Cart:
        return engine.Cart(
            lines=self.lines, buyer_is_vip=self.vip, item_promotions=self.item_promotions,
            order_promotions=self.order_promotions,
            coupons=tuple(self.coupons if coupons is None else coupons),
            red_packet=self.red_packet if others else None,
            points=self.points if others else 0,
            card=self.card if others else None,
            free_shipping=self.free_shipping)


def _at(req: pb.QuoteRequest) -> dt.datetime:
    return to_datetime(req.at_time) if req.HasField("at_time") else utcnow()


def _not_usable(reason: str, what: str, subject_id: str, why: str,
                key: str) -> FailedPrecondition:
    return FailedPrecondition(
        reason, f"{what} {subject_id} cannot be used: {why}",
        [PreconditionViolation(reason.removesuffix("_NOT_USABLE"), f"{what}s/{subject_id}",
                               why)],
        {key: subject_id})


def _coupon_not_usable(coupon_id: str, why: str) -> FailedPrecondition:
    return _not_usable("COUPON_NOT_USABLE", "coupon", coupon_id, why, "coupon_id")


async def _load_promotions(s: AsyncSession, b: Benefits, at: dt.datetime) -> None:
    p = t.promotions
    sellers = sorted({line.seller_id for line in b.lines})
    rows = (await s.execute(
        select(p).where(p.c.ended_at.is_(None), p.c.start_at <= at, p.c.end_at > at,
                        p.c.seller_id.in_(["", *sellers]), p.c.currency.in_(["", b.currency]))
        .order_by(p.c.promotion_id))).all()
    flash_ids = [r.promotion_id for r in rows
                 if r.kind == pb.PROMOTION_KIND_FLASH_SALE and r.per_buyer_limit > 0]
    used: dict[str, int] = {}
    if flash_ids:
        fc = t.flash_sale_counters
        used = {pid: units for pid, units in (await s.execute(
            select(fc.c.promotion_id, fc.c.units)
            .where(fc.c.buyer_id == b.buyer_id, fc.c.promotion_id.in_(flash_ids)))).all()}
    items: list[engine.ItemPromotion] = []
    orders: list[engine.OrderPromotion] = []
    free: list[engine.FreeShipping] = []
    budgeted: set[str] = set()
    for r in rows:
        scope = _engine_scope(r)
        covered = [line for line in b.lines if scope.covers(line)]
        if not covered:
            continue
        ladders = tuple(engine.Ladder(x["threshold"], x["amount_off"], x["rate_bps"])
                        for x in json.loads(r.ladders))
        if r.kind == domain.FREE_SHIPPING:
            free.append(engine.FreeShipping(r.promotion_id, scope, ladders[0].threshold))
            continue
        # What is left of the budget caps what the quote offers; the hold
        # counts it by compare-and-set (another order may take it first).
        budget_left = None
        if r.budget is not None:
            budget_left = max(0, r.budget - r.budget_used)
            budgeted.add(r.promotion_id)
        if r.kind in domain.ORDER_KINDS:
            orders.append(engine.OrderPromotion(
                r.promotion_id, domain.ORDER_KINDS[r.kind], scope, ladders,
                r.platform_share_bps, budget_left=budget_left))
            continue
        kind = domain.ITEM_KINDS[r.kind]
        rule = engine.ItemPromotion(r.promotion_id, kind, scope, amount_off=r.amount_off,
                                    rate_bps=r.rate_bps, price=r.price,
                                    platform_share_bps=r.platform_share_bps,
                                    budget_left=budget_left)
        if kind != Kind.FLASH_SALE:
            items.append(rule)
            continue
        b.flash[r.promotion_id] = FlashRule(r.price, r.per_buyer_limit)
        if r.per_buyer_limit:
            # What the buyer may still buy at the flash price, shared by the
            # cart's lines (the engine counts them down line by line).
            left = max(0, r.per_buyer_limit - used.get(r.promotion_id, 0))
            rule = dataclasses.replace(rule, units_left=left)
        items.append(rule)
    b.item_promotions, b.order_promotions = tuple(items), tuple(orders)
    b.free_shipping, b.budgeted = tuple(free), frozenset(budgeted)


def _engine_coupon(coupon_id: str, tpl: Any) -> engine.Coupon:
    scope = _engine_scope(tpl)
    return engine.Coupon(
        coupon_id, Kind.SHOP_COUPON if tpl.seller_id else Kind.PLATFORM_COUPON,
        engine.CouponRule(tpl.kind), scope, threshold=tpl.threshold,
        amount_off=tpl.amount_off, rate_bps=tpl.rate_bps, max_off=tpl.max_off,
        platform_share_bps=tpl.platform_share_bps)


async def _load_coupons(s: AsyncSession, b: Benefits, coupon_ids: Sequence[str],
                        at: dt.datetime) -> None:
    if not coupon_ids:
        return
    rows = {r.coupon_id: _split_coupon_row(r) for r in (await s.execute(
        _coupon_join().where(t.coupons.c.coupon_id.in_(list(coupon_ids))))).all()}
    coupons = []
    for coupon_id in coupon_ids:
        if coupon_id not in rows:
            raise NotFound("COUPON_NOT_FOUND", f"coupon {coupon_id!r} does not exist",
                           {"coupon_id": coupon_id})
        row, tpl = rows[coupon_id]
        if row.buyer_id != b.buyer_id:
            raise _coupon_not_usable(coupon_id, f"it does not belong to buyer {b.buyer_id}")
        if row.status != pb.COUPON_STATUS_AVAILABLE:
            raise _coupon_not_usable(
                coupon_id, f"it is {pb.CouponStatus.Name(row.status)}"
                + (f" (order {row.order_id})" if row.order_id else ""))
        if not row.valid_start_at <= at < row.valid_end_at:
            raise _coupon_not_usable(coupon_id, f"it is valid from {row.valid_start_at} "
                                     f"until {row.valid_end_at}")
        if tpl.currency not in ("", b.currency):
            raise _coupon_not_usable(coupon_id, f"it is in {tpl.currency}")
        coupons.append(_engine_coupon(coupon_id, tpl))
    b.coupons = tuple(coupons)
    b.requested_coupons = tuple(coupon_ids)


async def _load_red_packet(s: AsyncSession, b: Benefits, red_packet_id: str,
                           at: dt.datetime) -> None:
    if not red_packet_id:
        return
    row = await fetch_one(s, t.red_packets.c.red_packet_id, red_packet_id, "red packet")

    def refuse(why: str) -> FailedPrecondition:
        return _not_usable("RED_PACKET_NOT_USABLE", "red_packet", red_packet_id, why,
                           "red_packet_id")

    if row.buyer_id != b.buyer_id:
        raise refuse(f"it does not belong to buyer {b.buyer_id}")
    if row.status != pb.RED_PACKET_STATUS_AVAILABLE:
        raise refuse(f"it is {pb.RedPacketStatus.Name(row.status)}")
    if row.expire_at <= at:
        raise refuse(f"it expired at {row.expire_at}")
    if row.currency != b.currency:
        raise refuse(f"it is in {row.currency}")
    seller = row.funded_by_seller_id
    # A seller's red packet pays only for that seller's goods, at its cost.
    b.red_packet = engine.Benefit(red_packet_id, row.amount, 0 if seller else engine.BPS,
                                  engine.Scope(seller_id=seller))


async def _load_card(s: AsyncSession, b: Benefits, req: pb.QuoteRequest) -> None:
    if not req.stored_value_card_id:
        return
    card_id = req.stored_value_card_id
    row = await _card_row(s, card_id)

    def refuse(reason: str, why: str) -> FailedPrecondition:
        return _not_usable(reason, "stored_value_card", card_id, why, "card_id")

    if row.buyer_id != b.buyer_id:
        raise refuse("CARD_NOT_USABLE", f"it does not belong to buyer {b.buyer_id}")
    if row.currency != b.currency:
        raise refuse("CARD_NOT_USABLE", f"it is in {row.currency}")
    available = row.balance - row.held
    wanted = req.stored_value_amount.amount_minor
    if wanted > available:
        raise refuse("INSUFFICIENT_CARD_BALANCE",
                     f"{wanted} wanted, {available} available")
    amount = wanted or available
    if amount > 0:
        # Prepaid money the platform (the card issuer) holds: the platform
        # funds the deduction, the merchant bears none of it.
        b.card = engine.Benefit(card_id, amount, engine.BPS)


async def _check_points(s: AsyncSession, b: Benefits, points: int) -> None:
    if points <= 0:
        return
    account = await get_points_account(s, b.buyer_id)
    if points > account.available:
        raise FailedPrecondition(
            "INSUFFICIENT_POINTS", f"buyer {b.buyer_id} has {account.available} points "
            f"available, {points} wanted",
            [PreconditionViolation("POINTS", f"points_accounts/{b.buyer_id}",
                                   f"{points} wanted, {account.available} available")],
            {"buyer_id": b.buyer_id})
    b.points = points


async def load_benefits(s: AsyncSession, req: pb.QuoteRequest, *, prefix: str = "",
                        with_coupons: bool = True) -> Benefits:
    """Check a quote request and load what is in force for it at its at_time."""
    currency = domain.validate_quote_request(req, prefix)
    at = _at(req)
    b = Benefits(
        currency=currency, buyer_id=req.buyer_id,
        lines=tuple(engine.Line(x.line_id, x.seller_id, x.sku_id, x.category_id,
                                x.unit_price.amount_minor, x.quantity, x.non_discountable)
                    for x in req.lines),
        vip=req.buyer_is_vip, item_promotions=(), order_promotions=(), flash={},
        policy=await load_policy(s))
    await _load_promotions(s, b, at)
    if with_coupons:
        await _load_coupons(s, b, list(req.coupon_ids), at)
    await _load_red_packet(s, b, req.red_packet_id, at)
    await _load_card(s, b, req)
    await _check_points(s, b, req.points)
    return b


def used_amounts(q: engine.Quote) -> dict[tuple[Kind, str], int]:
    out: dict[tuple[Kind, str], int] = {}
    for total in q.totals:
        out[(total.kind, total.source_id)] = out.get((total.kind, total.source_id), 0) \
            + total.amount
    return out


def unused_coupons(q: engine.Quote, requested: Sequence[str]) -> list[str]:
    """Requested coupons that took nothing off: the engine's unused ones (threshold
    not met, wrong shop...), and those capped to zero or whose stage the policy
    leaves out."""
    used = used_amounts(q)
    return [c for c in requested if not any(used.get((k, c), 0) > 0 for k in COUPON_STAGES)]


def to_response(b: Benefits, q: engine.Quote) -> pb.QuoteResponse:
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
        resp.sellers.add(seller_id=seller_id, original_amount=m(original),
                         deducted_amount=m(deducted), actual_amount=m(actual),
                         merchant_borne_amount=m(merchant), platform_borne_amount=m(platform),
                         free_shipping=bool(free), free_shipping_promotion_id=free)
    for total in q.totals:
        resp.deductions.add(kind=int(total.kind),
                            source_id=total.source_id, amount=m(total.amount),
                            offered_amount=m(total.offered))
    return resp


def price(b: Benefits) -> engine.Quote:
    """The engine's quote of the cart with everything the request brings."""
    return engine.quote(b.cart(), b.policy)


async def quote(s: AsyncSession, req: pb.QuoteRequest) -> pb.QuoteResponse:
    b = await load_benefits(s, req)
    return to_response(b, price(b))


async def _buyer_coupons(s: AsyncSession, b: Benefits, at: dt.datetime) -> list[engine.Coupon]:
    """The buyer's coupons usable on this cart at ``at``."""
    c = t.coupons.c
    rows = (await s.execute(
        _coupon_join().where(c.buyer_id == b.buyer_id, c.status == pb.COUPON_STATUS_AVAILABLE,
                             c.valid_start_at <= at, c.valid_end_at > at)
        .order_by(c.coupon_id))).all()
    sellers = {line.seller_id for line in b.lines}
    out = []
    for row, tpl in map(_split_coupon_row, rows):
        if tpl.currency not in ("", b.currency) or (tpl.seller_id and tpl.seller_id not in sellers):
            continue
        coupon = _engine_coupon(row.coupon_id, tpl)
        if any(coupon.scope.covers(line) for line in b.lines):
            out.append(coupon)
    return out


def _saving(b: Benefits, coupons: Sequence[engine.Coupon]) -> int | None:
    """What the cart's promotions and these coupons take off; None if refused."""
    try:
        return engine.quote(b.cart(coupons, others=False), b.policy).deducted
    except FailedPrecondition as e:
        if e.reason == "OVER_DISCOUNT":
            return None
        raise


async def best_coupons(s: AsyncSession, req: pb.BestCouponsRequest) -> pb.BestCouponsResponse:
    b = await load_benefits(s, req.quote, prefix="quote.", with_coupons=False)
    candidates = await _buyer_coupons(s, b, _at(req.quote))
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
    b.coupons = tuple(by_id[cid] for cid in chosen)
    b.requested_coupons = chosen
    resp = to_response(b, price(b))
    resp.coupon_ids.extend(chosen)
    return pb.BestCouponsResponse(quote=resp)


# --- holds -------------------------------------------------------------------


def _hold(row: Any) -> pb.BenefitHold:
    hold = pb.BenefitHold(order_id=row.order_id, buyer_id=row.buyer_id, status=row.status,
                          coupon_ids=_ids(row.coupon_ids), points=row.points,
                          red_packet_id=row.red_packet_id,
                          stored_value_card_id=row.card_id)
    if row.card_id:
        hold.stored_value_amount.CopyFrom(money(row.currency, row.card_amount))
    return hold


async def _hold_row(s: AsyncSession, order_id: str, lock: bool = False) -> Any:
    q = select(t.benefit_holds).where(t.benefit_holds.c.order_id == order_id)
    if lock:
        q = q.with_for_update()
    return (await s.execute(q)).first()


async def _publish_hold(s: AsyncSession, hold: pb.BenefitHold) -> None:
    await outbox.publish(s, t.plumbing,
                         ev.BenefitHoldChanged(hold=hold, occur_time=now_timestamp()),
                         hold.order_id)


def _flash_units(b: Benefits, q: engine.Quote) -> dict[str, int]:
    """Units each flash sale priced, per promotion (from the line deductions)."""
    units: dict[str, int] = {}
    for lq in q.lines:
        for d in lq.deductions:
            if d.kind == Kind.FLASH_SALE:
                off_per_unit = lq.line.unit_price - b.flash[d.source_id].price
                units[d.source_id] = units.get(d.source_id, 0) + d.amount // off_per_unit
    return units


async def hold_benefits(s: AsyncSession, dialect: str, req: pb.HoldBenefitsRequest
                        ) -> pb.HoldBenefitsResponse:
    domain.validate_order_id(req.order_id)
    domain.validate_quote_request(req.quote, "quote.")
    order_id, buyer_id = req.order_id, req.quote.buyer_id
    digest = request_hash(req)
    now = utcnow()
    h = t.benefit_holds
    claimed = await s.execute(insert_ignore(dialect, h).values(
        order_id=order_id, buyer_id=buyer_id, status=domain.HELD, request_hash=digest,
        coupon_ids="[]", points=0, red_packet_id="", card_id="", currency="", card_amount=0,
        quote=None, created_at=now, updated_at=now))
    if _rowcount(claimed) == 0:
        existing = await _hold_row(s, order_id)
        assert existing is not None
        if existing.status == domain.RELEASED:
            raise FailedPrecondition(
                "HOLD_RELEASED", f"the benefits of order {order_id} were already released",
                [PreconditionViolation("HOLD", f"orders/{order_id}", "released")],
                {"order_id": order_id})
        if existing.request_hash != digest:
            raise AlreadyExists("IDEMPOTENCY_KEY_REUSED",
                                f"order {order_id} already holds other benefits",
                                {"order_id": order_id})
        return pb.HoldBenefitsResponse(hold=_hold(existing),
                                       quote=pb.QuoteResponse.FromString(existing.quote))

    # Price again, authoritatively, in this transaction; then hold exactly what
    # the quote used. Any refusal below rolls everything back, the claim too.
    b = await load_benefits(s, req.quote, prefix="quote.")
    q = price(b)
    response = to_response(b, q)
    used = used_amounts(q)
    coupon_ids = [c for c in b.requested_coupons if c not in response.unused_coupon_ids]
    c = t.coupons
    for coupon_id in sorted(coupon_ids):
        locked = await s.execute(
            update(c).where(c.c.coupon_id == coupon_id, c.c.buyer_id == buyer_id,
                            c.c.status == pb.COUPON_STATUS_AVAILABLE)
            .values(status=pb.COUPON_STATUS_LOCKED, order_id=order_id, updated_at=now))
        if _rowcount(locked) != 1:
            raise _coupon_not_usable(coupon_id, "another order took it")
    if q.points_used and not await _change_points(s, buyer_id, FREEZE, q.points_used,
                                                  order_id=order_id):
        raise FailedPrecondition(
            "INSUFFICIENT_POINTS", f"buyer {buyer_id} no longer has {q.points_used} points",
            [PreconditionViolation("POINTS", f"points_accounts/{buyer_id}", "spent meanwhile")],
            {"buyer_id": buyer_id})
    red_packet_id = ""
    if b.red_packet is not None and used.get((Kind.RED_PACKET, b.red_packet.source_id), 0):
        red_packet_id = b.red_packet.source_id
        rp = t.red_packets
        locked = await s.execute(
            update(rp).where(rp.c.red_packet_id == red_packet_id, rp.c.buyer_id == buyer_id,
                             rp.c.status == pb.RED_PACKET_STATUS_AVAILABLE)
            .values(status=pb.RED_PACKET_STATUS_LOCKED, order_id=order_id, updated_at=now))
        if _rowcount(locked) != 1:
            raise _not_usable("RED_PACKET_NOT_USABLE", "red_packet", red_packet_id,
                              "another order took it", "red_packet_id")
    card_id, card_amount = "", 0
    if b.card is not None:
        card_amount = used.get((Kind.STORED_VALUE_CARD, b.card.source_id), 0)
    if b.card is not None and card_amount:
        card_id = b.card.source_id
        sv = t.stored_value_cards
        held = await s.execute(
            update(sv).where(sv.c.card_id == card_id, sv.c.buyer_id == buyer_id,
                             sv.c.balance - sv.c.held >= card_amount)
            .values(held=sv.c.held + card_amount, updated_at=now))
        if _rowcount(held) != 1:
            raise _not_usable("INSUFFICIENT_CARD_BALANCE", "stored_value_card", card_id,
                              f"{card_amount} is no longer available", "card_id")
    for promotion_id, units in sorted(_flash_units(b, q).items()):
        await _count_flash_units(s, dialect, promotion_id, buyer_id, order_id, units,
                                 b.flash[promotion_id].per_buyer_limit)
    # Budgets last: a popular promotion's row is locked as briefly as possible.
    for promotion_id, amount in sorted(budget_amounts(b, q).items()):
        await _count_budget(s, promotion_id, order_id, amount)
    await s.execute(update(h).where(h.c.order_id == order_id).values(
        coupon_ids=json.dumps(coupon_ids), points=q.points_used, red_packet_id=red_packet_id,
        card_id=card_id, currency=b.currency, card_amount=card_amount,
        quote=response.SerializeToString(deterministic=True)))
    row = await _hold_row(s, order_id)
    hold = _hold(row)
    await _publish_hold(s, hold)
    return pb.HoldBenefitsResponse(hold=hold, quote=response)


def budget_amounts(b: Benefits, q: engine.Quote) -> dict[str, int]:
    """What the quote takes off, per promotion with a budget (over all lines)."""
    out: dict[str, int] = {}
    for total in q.totals:
        if (total.kind in PROMOTION_DEDUCTIONS and total.source_id in b.budgeted
                and total.amount > 0):
            out[total.source_id] = out.get(total.source_id, 0) + total.amount
    return out


async def _count_budget(s: AsyncSession, promotion_id: str, order_id: str, amount: int) -> None:
    """Count what an order takes against a promotion's budget (compare-and-set)."""
    p = t.promotions
    taken = await s.execute(
        update(p).where(p.c.promotion_id == promotion_id,
                        p.c.budget_used + amount <= p.c.budget)
        .values(budget_used=p.c.budget_used + amount))
    if _rowcount(taken) != 1:
        raise FailedPrecondition(
            "PROMOTION_BUDGET_EXHAUSTED",
            f"promotion {promotion_id} has less than {amount} of its budget left",
            [PreconditionViolation("BUDGET", f"promotions/{promotion_id}",
                                   f"{amount} wanted, less is left")],
            {"promotion_id": promotion_id})
    await s.execute(t.promotion_budget_usage.insert().values(
        promotion_id=promotion_id, order_id=order_id, amount=amount, created_at=utcnow()))


async def _count_flash_units(s: AsyncSession, dialect: str, promotion_id: str, buyer_id: str,
                             order_id: str, units: int, limit: int) -> None:
    now = utcnow()
    await s.execute(t.flash_sale_usage.insert().values(
        promotion_id=promotion_id, buyer_id=buyer_id, order_id=order_id, units=units,
        created_at=now))
    fc = t.flash_sale_counters
    await s.execute(insert_ignore(dialect, fc).values(
        promotion_id=promotion_id, buyer_id=buyer_id, units=0))
    mine = and_(fc.c.promotion_id == promotion_id, fc.c.buyer_id == buyer_id)
    if limit:
        mine = and_(mine, fc.c.units + units <= limit)
    if _rowcount(await s.execute(update(fc).where(mine).values(units=fc.c.units + units))) != 1:
        raise FailedPrecondition(
            "FLASH_SALE_LIMIT_EXCEEDED",
            f"buyer {buyer_id} may buy at most {limit} units of flash sale {promotion_id}",
            [PreconditionViolation("FLASH_SALE_LIMIT", f"promotions/{promotion_id}",
                                   f"at most {limit} units per buyer")],
            {"promotion_id": promotion_id, "buyer_id": buyer_id})


async def _tombstone(s: AsyncSession, dialect: str, order_id: str) -> pb.BenefitHold | None:
    """Nothing held yet: leave a tombstone so a late hold is refused."""
    now = utcnow()
    tomb = await s.execute(insert_ignore(dialect, t.benefit_holds).values(
        order_id=order_id, buyer_id="", status=domain.RELEASED, request_hash="",
        coupon_ids="[]", points=0, red_packet_id="", card_id="", currency="", card_amount=0,
        quote=None, created_at=now, updated_at=now))
    if _rowcount(tomb) != 1:
        return None
    hold = pb.BenefitHold(order_id=order_id, status=domain.RELEASED)
    await _publish_hold(s, hold)
    return hold


async def release_benefits(s: AsyncSession, dialect: str, order_id: str) -> pb.BenefitHold:
    domain.validate_order_id(order_id)
    tomb = await _tombstone(s, dialect, order_id)
    return tomb if tomb is not None else await _transition(s, order_id, domain.RELEASE)


async def redeem_benefits(s: AsyncSession, order_id: str) -> pb.BenefitHold:
    domain.validate_order_id(order_id)
    return await _transition(s, order_id, domain.REDEEM)


async def return_benefits(s: AsyncSession, order_id: str) -> pb.BenefitHold:
    """A paid order cancelled before anything shipped: what it consumed goes
    back to the buyer (REDEEMED -> RETURNED, see ``_return_effects``).
    Idempotent by order id."""
    domain.validate_order_id(order_id)
    return await _transition(s, order_id, domain.RETURN)


async def benefits_on_order_cancelled(s: AsyncSession, dialect: str, order_id: str, *,
                                      paid_cancelled: bool) -> pb.BenefitHold | None:
    """The consumer's effect of ``trade.order.cancelled``: release a held
    order's benefits, return a paid one's (only when the event says it was
    paid, ``zhongtai.orders.paid_order_cancelled``); anything else is logged and
    skipped, never raised (redelivering would not change it). Returns the
    hold changed, or None.

    The hold row is locked first (PostgreSQL; SQLite serializes writers), so
    the same cancel delivered twice under two event ids acts once: the second
    finds RELEASED / RETURNED and does nothing."""
    if not order_id:
        log.error("trade.order.cancelled without an order id: ignored")
        return None
    tomb = await _tombstone(s, dialect, order_id)
    if tomb is not None:
        return tomb
    row = await _hold_row(s, order_id, lock=True)
    action = domain.on_cancel_action(row.status, paid_cancelled)
    if action is None:
        status = pb.HoldStatus.Name(row.status)
        if row.status in (domain.RELEASED, domain.RETURNED):
            log.info("benefits of cancelled order %s already %s", order_id, status)
        else:
            log.warning("not giving back the benefits of cancelled order %s: the hold is %s "
                        "and the event does not say the order was paid (pay_status "
                        "REFUNDING / close_reason SHIP_TIMEOUT); kept", order_id, status)
        return None
    return await _transition(s, order_id, action)


async def _transition(s: AsyncSession, order_id: str, action: str) -> pb.BenefitHold:
    row = await _hold_row(s, order_id, lock=True)
    if row is None:
        raise NotFound("HOLD_NOT_FOUND", f"order {order_id!r} holds no benefits",
                       {"order_id": order_id})
    target = domain.ACTION_TARGETS[action]
    if row.status == target:
        return _hold(row)  # idempotent repeat
    new_status = domain.next_hold_status(row.status, action, order_id)
    h = t.benefit_holds
    now = utcnow()
    changed = await s.execute(update(h).where(h.c.order_id == order_id,
                                              h.c.status == row.status)
                              .values(status=new_status, updated_at=now))
    if _rowcount(changed) != 1:
        current = await _hold_row(s, order_id)
        if current.status == target:
            return _hold(current)
        domain.next_hold_status(current.status, action, order_id)
        raise Aborted("CONCURRENT_HOLD_CHANGE", f"the hold of order {order_id} changed; retry")
    if action == domain.RELEASE:
        await _release_effects(s, row, now)
    elif action == domain.REDEEM:
        await _redeem_effects(s, row, now)
    else:
        await _return_effects(s, row, now)
    hold = _hold(row)
    hold.status = new_status
    await _publish_hold(s, hold)
    return hold


async def _release_effects(s: AsyncSession, row: Any, now: dt.datetime) -> None:
    order_id = row.order_id
    c, ct = t.coupons, t.coupon_templates
    locked = (await s.execute(
        select(c.c.coupon_id, ct.c.restore_on_cancel)
        .join(ct, ct.c.template_id == c.c.template_id)
        .where(c.c.order_id == order_id, c.c.status == pb.COUPON_STATUS_LOCKED)
        .order_by(c.c.coupon_id))).all()
    for coupon_id, restore in locked:
        status = domain.coupon_status_after_release(restore)
        await s.execute(update(c).where(c.c.coupon_id == coupon_id).values(
            status=status, updated_at=now,
            order_id=None if status == pb.COUPON_STATUS_AVAILABLE else order_id))
    if row.points and not await _change_points(s, row.buyer_id, UNFREEZE, row.points,
                                               order_id=order_id):
        raise RuntimeError(f"order {order_id}: {row.points} frozen points are missing")
    if row.red_packet_id:
        rp = t.red_packets
        await s.execute(update(rp).where(rp.c.red_packet_id == row.red_packet_id,
                                         rp.c.order_id == order_id,
                                         rp.c.status == pb.RED_PACKET_STATUS_LOCKED)
                        .values(status=pb.RED_PACKET_STATUS_AVAILABLE, order_id=None,
                                updated_at=now))
    if row.card_id and row.card_amount:
        sv = t.stored_value_cards
        released = await s.execute(
            update(sv).where(sv.c.card_id == row.card_id, sv.c.held >= row.card_amount)
            .values(held=sv.c.held - row.card_amount, updated_at=now))
        if _rowcount(released) != 1:
            raise RuntimeError(f"order {order_id}: the card hold is missing")
    await _give_back_counters(s, order_id)


async def _give_back_counters(s: AsyncSession, order_id: str) -> None:
    """The flash-sale units and the promotion budgets the order counted."""
    fu, fc = t.flash_sale_usage, t.flash_sale_counters
    usage = (await s.execute(select(fu.c.promotion_id, fu.c.buyer_id, fu.c.units)
                             .where(fu.c.order_id == order_id)
                             .order_by(fu.c.promotion_id))).all()
    for promotion_id, buyer_id, units in usage:
        await s.execute(update(fc).where(fc.c.promotion_id == promotion_id,
                                         fc.c.buyer_id == buyer_id)
                        .values(units=fc.c.units - units))
    await s.execute(delete(fu).where(fu.c.order_id == order_id))
    # Exactly what the hold took off each promotion goes back to its budget.
    p, bu = t.promotions, t.promotion_budget_usage
    taken = (await s.execute(select(bu.c.promotion_id, bu.c.amount)
                             .where(bu.c.order_id == order_id)
                             .order_by(bu.c.promotion_id))).all()
    for promotion_id, amount in taken:
        given_back = await s.execute(
            update(p).where(p.c.promotion_id == promotion_id, p.c.budget_used >= amount)
            .values(budget_used=p.c.budget_used - amount))
        if _rowcount(given_back) != 1:
            raise RuntimeError(f"order {order_id}: {amount} of promotion {promotion_id}'s "
                               "budget is missing")
    await s.execute(delete(bu).where(bu.c.order_id == order_id))


async def _redeem_effects(s: AsyncSession, row: Any, now: dt.datetime) -> None:
    order_id = row.order_id
    c = t.coupons
    await s.execute(update(c).where(c.c.order_id == order_id,
                                    c.c.status == pb.COUPON_STATUS_LOCKED)
                    .values(status=pb.COUPON_STATUS_USED, updated_at=now))
    if row.points and not await _change_points(s, row.buyer_id, DEDUCT, row.points,
                                               order_id=order_id):
        raise RuntimeError(f"order {order_id}: {row.points} frozen points are missing")
    if row.red_packet_id:
        rp = t.red_packets
        await s.execute(update(rp).where(rp.c.red_packet_id == row.red_packet_id,
                                         rp.c.order_id == order_id,
                                         rp.c.status == pb.RED_PACKET_STATUS_LOCKED)
                        .values(status=pb.RED_PACKET_STATUS_USED, updated_at=now))
    if row.card_id and row.card_amount:
        sv = t.stored_value_cards
        paid = await s.execute(
            update(sv).where(sv.c.card_id == row.card_id, sv.c.held >= row.card_amount)
            .values(held=sv.c.held - row.card_amount,
                    balance=sv.c.balance - row.card_amount, updated_at=now))
        if _rowcount(paid) != 1:
            raise RuntimeError(f"order {order_id}: the card hold is missing")


async def _return_effects(s: AsyncSession, row: Any, now: dt.datetime) -> None:
    """Give back what a paid order consumed (it was cancelled before anything
    shipped; payment refunds the money paid through it): the card amount to
    the card's balance, the points as a RETURN ledger entry, each coupon per
    its template's restore-on-cancel policy while still valid, the red packet
    while not expired; coupons and red packets not given back stay USED (and
    are logged). The flash-sale units and promotion budgets the order counted
    go back too, as on a release: the discount was never granted."""
    order_id = row.order_id
    c, ct = t.coupons, t.coupon_templates
    used = (await s.execute(
        select(c.c.coupon_id, c.c.valid_end_at, ct.c.restore_on_cancel)
        .join(ct, ct.c.template_id == c.c.template_id)
        .where(c.c.coupon_id.in_(_ids(row.coupon_ids)), c.c.order_id == order_id,
               c.c.status == pb.COUPON_STATUS_USED)
        .order_by(c.c.coupon_id))).all()
    for coupon_id, valid_end, restore in used:
        if not domain.coupon_returns(restore, valid_end, now):
            log.info("order %s: coupon %s stays used: %s", order_id, coupon_id,
                     "its validity ended" if restore
                     else "its template does not restore on cancel")
            continue
        await s.execute(update(c).where(c.c.coupon_id == coupon_id, c.c.order_id == order_id,
                                        c.c.status == pb.COUPON_STATUS_USED)
                        .values(status=pb.COUPON_STATUS_AVAILABLE, order_id=None,
                                updated_at=now))
    if row.points and not await _change_points(s, row.buyer_id, RETURN, row.points,
                                               order_id=order_id):
        raise RuntimeError(f"order {order_id}: the points account of {row.buyer_id} is missing")
    if row.red_packet_id:
        rp = t.red_packets
        mine = and_(rp.c.red_packet_id == row.red_packet_id, rp.c.order_id == order_id,
                    rp.c.status == pb.RED_PACKET_STATUS_USED)
        returned = await s.execute(update(rp).where(mine, rp.c.expire_at > now)
                                   .values(status=pb.RED_PACKET_STATUS_AVAILABLE,
                                           order_id=None, updated_at=now))
        if _rowcount(returned) != 1:
            log.info("order %s: red packet %s stays used: it expired", order_id,
                     row.red_packet_id)
    if row.card_id and row.card_amount:
        sv = t.stored_value_cards
        refunded = await s.execute(
            update(sv).where(sv.c.card_id == row.card_id)
            .values(balance=sv.c.balance + row.card_amount, updated_at=now))
        if _rowcount(refunded) != 1:
            raise RuntimeError(f"order {order_id}: card {row.card_id} is missing")
    await _give_back_counters(s, order_id)
