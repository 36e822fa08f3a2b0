"""promotion's coupons: templates, claims, a buyer's coupons, and what an
order's hold does to them.

A claim counts per buyer and in total by compare-and-set, so neither
``per_buyer_limit`` nor ``total_quantity`` is ever overshot. A coupon a quote
may use is the buyer's, AVAILABLE, within its validity and in the cart's
currency. A hold locks it (AVAILABLE → LOCKED, by compare-and-set: one order
wins it); a release gives it back or spends it per its template's
``restore_on_cancel``; a redeem uses it (LOCKED → USED); a return (a paid
order cancelled before anything shipped) gives it back per the template while
still valid (``domain.coupon_returns``). Each use case runs in the caller's
transaction (session), takes plain values and returns ``promotion.values``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from types import SimpleNamespace
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from promotion import domain, engine, ownership, trail, views
from promotion import store as t
from promotion.reasons import E, not_usable
from promotion.rows import Keyed, engine_scope, ids, scope_columns, scope_of
from promotion.values import Checked, Coupon, CouponTemplate
from zhongtai import outbox, pagination
from zhongtai.auth import Identity
from zhongtai.db import changed, compare_and_set, insert_ignore, utcnow
from zhongtai.errors import InvalidArgument, PreconditionViolation, ZhongtaiError
from zhongtai.ids import new_id
from zhongtai.promotion.v1 import promotion_pb2 as pb

log = logging.getLogger(__name__)

TEMPLATES = Keyed(t.coupon_templates.c.template_id, "coupon template",
                  pb.ERROR_REASON_COUPON_TEMPLATE_NOT_FOUND,
                  pb.ERROR_REASON_COUPON_TEMPLATE_EXISTS)

# --- templates ---------------------------------------------------------------


def _template(row: Any) -> CouponTemplate:
    return CouponTemplate(
        template_id=row.template_id, title=row.title, kind=row.kind, scope=scope_of(row),
        currency=row.currency, threshold=row.threshold, amount_off=row.amount_off,
        rate_bps=row.rate_bps, max_off=row.max_off, claim_start=row.claim_start_at,
        claim_end=row.claim_end_at, valid_start=row.valid_start_at, valid_end=row.valid_end_at,
        valid_days=row.valid_days, total_quantity=row.total_quantity,
        per_buyer_limit=row.per_buyer_limit, platform_share_bps=row.platform_share_bps,
        restore_on_cancel=row.restore_on_cancel, issued_quantity=row.issued_quantity)


async def create_coupon_template(s: AsyncSession, caller: Identity,
                                 checked: Checked[CouponTemplate]) -> CouponTemplate:
    """Store a template (COUPON_TEMPLATE_EXISTS if its id is taken, a new id
    if it has none): a seller's for its own shop at its own cost, a platform
    one or one the platform pays for by staff (``ownership.rule_owner``),
    checked before the request's problems
    (``promotion.requests.coupon_template``) are raised: an unauthorized
    caller learns nothing about its validity. Returns it as stored."""
    ownership.rule_owner(caller, "template", checked.value.scope.seller_id,
                         checked.value.platform_share_bps)
    p = checked.valid()
    template_id = await TEMPLATES.new_key(s, p.template_id)
    await s.execute(t.coupon_templates.insert().values(
        template_id=template_id, title=p.title.strip(), kind=p.kind, **scope_columns(p.scope),
        currency=p.currency, threshold=p.threshold, amount_off=p.amount_off,
        rate_bps=p.rate_bps, max_off=p.max_off, claim_start_at=p.claim_start,
        claim_end_at=p.claim_end, valid_start_at=p.valid_start, valid_end_at=p.valid_end,
        valid_days=p.valid_days, total_quantity=p.total_quantity, issued_quantity=0,
        per_buyer_limit=p.per_buyer_limit, platform_share_bps=p.platform_share_bps,
        restore_on_cancel=p.restore_on_cancel, created_at=utcnow(),
    ))
    await trail.record(s, trail.TEMPLATE, template_id,
                       f"created: {pb.CouponKind.Name(p.kind)} of {trail.funder(p.scope.seller_id)}"
                       f", {p.total_quantity} coupons, platform share "
                       f"{p.platform_share_bps} bps")
    return _template(await TEMPLATES.get(s, template_id))


async def get_coupon_template(s: AsyncSession, template_id: str) -> CouponTemplate:
    """One template, or COUPON_TEMPLATE_NOT_FOUND."""
    return _template(await TEMPLATES.get(s, template_id))


# --- coupons -----------------------------------------------------------------


def _coupon_status(row: Any, now: dt.datetime) -> int:
    """AVAILABLE past its validity reads as EXPIRED (nothing else expires it)."""
    if row.status == pb.COUPON_STATUS_AVAILABLE and row.valid_end_at <= now:
        return pb.COUPON_STATUS_EXPIRED
    return int(row.status)


def _coupon(row: Any, tpl: Any, now: dt.datetime) -> Coupon:
    return Coupon(
        coupon_id=row.coupon_id, template_id=row.template_id, buyer_id=row.buyer_id,
        status=_coupon_status(row, now), valid_start=row.valid_start_at,
        valid_end=row.valid_end_at, order_id=row.order_id or "", template=_template(tpl),
    )


def _claim_refused(reason: int, message: str, template_id: str, kind: str, why: str,
                   **metadata: str) -> ZhongtaiError:
    return E(reason, message,
             violations=[PreconditionViolation(kind, f"coupon_templates/{template_id}", why)],
             metadata={"template_id": template_id, **metadata})


async def claim_coupon(s: AsyncSession, dialect: str, caller: Identity, template_id: str,
                       buyer_id: str = "") -> Coupon:
    """Give the buyer (the caller, or the one staff name:
    ``ownership.buyer_of``) a coupon of the template: within its claim
    window and validity (CLAIM_WINDOW_CLOSED, COUPON_TEMPLATE_EXPIRED),
    counted per buyer (PER_BUYER_LIMIT_REACHED) and in total
    (COUPONS_EXHAUSTED) by compare-and-set; publishes
    ``promotion.coupon.claimed``. Returns the coupon."""
    buyer_id = ownership.buyer_of(caller, buyer_id)
    tpl = await TEMPLATES.get(s, template_id)
    now = utcnow()
    if ((tpl.claim_start_at is not None and now < tpl.claim_start_at)
            or (tpl.claim_end_at is not None and now >= tpl.claim_end_at)):
        raise _claim_refused(pb.ERROR_REASON_CLAIM_WINDOW_CLOSED,
                             f"coupon template {template_id} cannot be claimed now",
                             template_id, "CLAIM_WINDOW", "outside the claim window")
    if tpl.valid_days:
        valid_start, valid_end = now, now + dt.timedelta(days=tpl.valid_days)
    else:
        valid_start, valid_end = tpl.valid_start_at, tpl.valid_end_at
        if valid_end <= now:
            raise _claim_refused(pb.ERROR_REASON_COUPON_TEMPLATE_EXPIRED,
                                 f"coupons of {template_id} are no longer valid",
                                 template_id, "VALIDITY", "validity ended")
    # Per buyer: a counter row per (template, buyer), then compare-and-set.
    claims = t.coupon_claims
    await s.execute(insert_ignore(dialect, claims).values(
        template_id=template_id, buyer_id=buyer_id, claimed=0))
    mine = and_(claims.c.template_id == template_id, claims.c.buyer_id == buyer_id)
    if tpl.per_buyer_limit:
        mine = and_(mine, claims.c.claimed < tpl.per_buyer_limit)
    if not await compare_and_set(s, update(claims).where(mine)
                                 .values(claimed=claims.c.claimed + 1)):
        raise _claim_refused(
            pb.ERROR_REASON_PER_BUYER_LIMIT_REACHED,
            f"buyer {buyer_id} already claimed {tpl.per_buyer_limit} of {template_id}",
            template_id, "PER_BUYER_LIMIT", f"at most {tpl.per_buyer_limit} per buyer",
            buyer_id=buyer_id)
    # The total, last: the hot row is locked for as short a time as possible.
    ct = t.coupon_templates
    if not await compare_and_set(s, update(ct).where(
            ct.c.template_id == template_id, ct.c.issued_quantity < ct.c.total_quantity)
            .values(issued_quantity=ct.c.issued_quantity + 1)):
        raise _claim_refused(pb.ERROR_REASON_COUPONS_EXHAUSTED,
                             f"all {tpl.total_quantity} coupons of {template_id} were claimed",
                             template_id, "QUANTITY", "none left")
    coupon_id = new_id()
    await s.execute(t.coupons.insert().values(
        coupon_id=coupon_id, template_id=template_id, buyer_id=buyer_id,
        status=pb.COUPON_STATUS_AVAILABLE, valid_start_at=valid_start, valid_end_at=valid_end,
        order_id=None, claimed_at=now, updated_at=now))
    row = (await s.execute(_coupon_join().where(t.coupons.c.coupon_id == coupon_id))).one()
    coupon = _coupon(*_split_coupon_row(row), now)
    await outbox.publish(s, t.plumbing, views.coupon_claimed(coupon, now), coupon_id)
    await trail.record(s, trail.COUPON, coupon_id,
                       f"claimed from template {template_id} by buyer {buyer_id}")
    await trail.record(s, trail.TEMPLATE, template_id,
                       f"coupon {coupon_id} claimed by buyer {buyer_id}")
    return coupon


def _coupon_join() -> Any:
    c, ct = t.coupons, t.coupon_templates
    return (select(c, *[col.label(f"tpl_{col.name}") for col in ct.c])
            .join(ct, ct.c.template_id == c.c.template_id))


def _split_coupon_row(row: Any) -> tuple[Any, Any]:
    """A joined row: the coupon's columns, and its template's (tpl_*)."""
    tpl = SimpleNamespace(**{k.removeprefix("tpl_"): v for k, v in row._mapping.items()
                             if k.startswith("tpl_")})
    return row, tpl


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


async def list_coupons(s: AsyncSession, caller: Identity, buyer_id: str = "",
                       statuses: Sequence[int] = (), *, page_size: int = 0,
                       page_token: str = "") -> tuple[list[Coupon], str]:
    """A buyer's coupons (the caller's, or the buyer staff name:
    ``ownership.buyer_of``) by id, optionally in some statuses (EXPIRED
    includes AVAILABLE ones past their validity), a page at a time: the
    page and the next page's token ("" after the last)."""
    buyer_id = ownership.buyer_of(caller, buyer_id)
    for i, status in enumerate(statuses):
        if status == pb.COUPON_STATUS_UNSPECIFIED:  # any other the contract defines
            raise InvalidArgument.field(f"statuses[{i}]", "is not a coupon status")
    now = utcnow()
    q = _coupon_join().where(t.coupons.c.buyer_id == buyer_id)
    if statuses:
        q = q.where(_status_filter(statuses, now))
    rows, token = await pagination.page(s, q, t.coupons.c.coupon_id,
                                        pagination.Page(page_size, page_token),
                                        f"coupons:{buyer_id}:{sorted(set(statuses))}")
    return [_coupon(*_split_coupon_row(r), now) for r in rows], token


# --- for a quote -------------------------------------------------------------


def not_usable_coupon(coupon_id: str, why: str) -> ZhongtaiError:
    return not_usable(pb.ERROR_REASON_COUPON_NOT_USABLE, "coupon", coupon_id, why, "coupon_id")


def _engine_coupon(coupon_id: str, tpl: Any) -> engine.Coupon:
    return engine.Coupon(
        coupon_id, engine.Kind.SHOP_COUPON if tpl.seller_id else engine.Kind.PLATFORM_COUPON,
        engine.CouponRule(tpl.kind), engine_scope(tpl), threshold=tpl.threshold,
        amount_off=tpl.amount_off, rate_bps=tpl.rate_bps, max_off=tpl.max_off,
        platform_share_bps=tpl.platform_share_bps)


async def load(s: AsyncSession, buyer_id: str, currency: str, coupon_ids: Sequence[str],
               at: dt.datetime) -> tuple[engine.Coupon, ...]:
    """The coupons a request names, as the engine takes them, in its order:
    COUPON_NOT_FOUND, or COUPON_NOT_USABLE unless each is the buyer's,
    AVAILABLE, valid at ``at`` and in the cart's currency."""
    if not coupon_ids:
        return ()
    rows = {r.coupon_id: _split_coupon_row(r) for r in (await s.execute(
        _coupon_join().where(t.coupons.c.coupon_id.in_(list(coupon_ids))))).all()}
    coupons = []
    for coupon_id in coupon_ids:
        if coupon_id not in rows:
            raise E(pb.ERROR_REASON_COUPON_NOT_FOUND, f"coupon {coupon_id!r} does not exist",
                    metadata={"coupon_id": coupon_id})
        row, tpl = rows[coupon_id]
        if row.buyer_id != buyer_id:
            raise not_usable_coupon(coupon_id, f"it does not belong to buyer {buyer_id}")
        if row.status != pb.COUPON_STATUS_AVAILABLE:
            raise not_usable_coupon(
                coupon_id, f"it is {pb.CouponStatus.Name(row.status)}"
                + (f" (order {row.order_id})" if row.order_id else ""))
        if not row.valid_start_at <= at < row.valid_end_at:
            raise not_usable_coupon(coupon_id, f"it is valid from {row.valid_start_at} "
                                    f"until {row.valid_end_at}")
        if tpl.currency not in ("", currency):
            raise not_usable_coupon(coupon_id, f"it is in {tpl.currency}")
        coupons.append(_engine_coupon(coupon_id, tpl))
    return tuple(coupons)


async def usable(s: AsyncSession, buyer_id: str, currency: str,
                 lines: Sequence[engine.Line], at: dt.datetime) -> list[engine.Coupon]:
    """The buyer's coupons usable on this cart at ``at`` (BestCoupons' candidates)."""
    c = t.coupons.c
    rows = (await s.execute(
        _coupon_join().where(c.buyer_id == buyer_id, c.status == pb.COUPON_STATUS_AVAILABLE,
                             c.valid_start_at <= at, c.valid_end_at > at)
        .order_by(c.coupon_id))).all()
    sellers = {line.seller_id for line in lines}
    out = []
    for row, tpl in map(_split_coupon_row, rows):
        if tpl.currency not in ("", currency) or (tpl.seller_id and tpl.seller_id not in sellers):
            continue
        coupon = _engine_coupon(row.coupon_id, tpl)
        if any(coupon.scope.covers(line) for line in lines):
            out.append(coupon)
    return out


# --- an order's hold ---------------------------------------------------------


async def lock(s: AsyncSession, order_id: str, buyer_id: str, coupon_ids: Sequence[str],
               now: dt.datetime) -> None:
    """Hold: AVAILABLE → LOCKED for the order, in id order; COUPON_NOT_USABLE
    when another order took one first."""
    c = t.coupons
    for coupon_id in sorted(coupon_ids):
        if not await compare_and_set(s, update(c).where(
                c.c.coupon_id == coupon_id, c.c.buyer_id == buyer_id,
                c.c.status == pb.COUPON_STATUS_AVAILABLE)
                .values(status=pb.COUPON_STATUS_LOCKED, order_id=order_id, updated_at=now)):
            raise not_usable_coupon(coupon_id, "another order took it")
        await trail.record(s, trail.COUPON, coupon_id, f"locked for order {order_id}")


async def unlock(s: AsyncSession, hold: Any, now: dt.datetime) -> None:
    """Release: each coupon the order locked goes back to the buyer, or is
    spent, per its template (``domain.coupon_status_after_release``)."""
    order_id = hold.order_id
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
        await trail.record(s, trail.COUPON, coupon_id, f"released by order {order_id}: "
                           + pb.CouponStatus.Name(status).removeprefix("COUPON_STATUS_"))


async def use(s: AsyncSession, hold: Any, now: dt.datetime) -> None:
    """Redeem: the order's locked coupons are used (LOCKED → USED)."""
    c = t.coupons
    if await changed(s, update(c).where(c.c.order_id == hold.order_id,
                                        c.c.status == pb.COUPON_STATUS_LOCKED)
                     .values(status=pb.COUPON_STATUS_USED, updated_at=now)):
        for coupon_id in ids(hold.coupon_ids):
            await trail.record(s, trail.COUPON, coupon_id, f"used by order {hold.order_id}")


async def give_back(s: AsyncSession, hold: Any, now: dt.datetime) -> list[str]:
    """Return: each coupon the paid order used goes back to AVAILABLE if its
    template restores on cancel and it is still valid
    (``domain.coupon_returns``); any other stays USED, logged. Once: a coupon
    given back is no longer the order's. Returns those given back."""
    order_id, coupon_ids = hold.order_id, ids(hold.coupon_ids)
    c, ct = t.coupons, t.coupon_templates
    used = (await s.execute(
        select(c.c.coupon_id, c.c.valid_end_at, ct.c.restore_on_cancel)
        .join(ct, ct.c.template_id == c.c.template_id)
        .where(c.c.coupon_id.in_(list(coupon_ids)), c.c.order_id == order_id,
               c.c.status == pb.COUPON_STATUS_USED)
        .order_by(c.c.coupon_id))).all()
    restored = []
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
        await trail.record(s, trail.COUPON, coupon_id, f"given back by order {order_id}")
        restored.append(coupon_id)
    return restored
