"""promotion's promotions: item and order rules (direct reduction, discount,
flash sale, VIP price, full reduction ladders, free shipping) with their
budgets and flash-sale limits. Use cases take and return
``promotion.values`` (``Promotion``).

What is in force for a quote is loaded here (``in_force``); what a hold
takes is counted here, by compare-and-set, and given back here when the hold
is released or returned: the flash-sale units per buyer (``units + n <=
per_buyer_limit``) and the budget per promotion (``budget_used + amount <=
budget``), each recorded per order so exactly that goes back. Each use case
runs in the caller's transaction (session).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from promotion import domain, engine, ownership, trail
from promotion import store as t
from promotion.reasons import E
from promotion.rows import Keyed, engine_scope, scope_columns, scope_of
from promotion.values import Checked, Promotion
from zhongtai import pagination
from zhongtai.auth import Identity
from zhongtai.db import changed, compare_and_set, insert_ignore, utcnow
from zhongtai.errors import PreconditionViolation
from zhongtai.promotion.v1 import promotion_pb2 as pb

# The kinds of deduction a promotion (rather than a coupon, a red packet,
# points or a card) makes: what counts against its budget.
PROMOTION_DEDUCTIONS = (engine.ITEM_KINDS | engine.PROMOTION_STAGES
                        | {engine.Kind.FREIGHT_REDUCTION})
PROMOTIONS = Keyed(t.promotions.c.promotion_id, "promotion",
                   pb.ERROR_REASON_PROMOTION_NOT_FOUND, pb.ERROR_REASON_PROMOTION_EXISTS)


def _ladders(row: Any) -> tuple[engine.Ladder, ...]:
    """A promotion's ladder steps (a JSON list), as the engine takes them."""
    return tuple(engine.Ladder(x["threshold"], x["amount_off"], x["rate_bps"])
                 for x in json.loads(row.ladders))


def _promotion(row: Any) -> Promotion:
    return Promotion(
        promotion_id=row.promotion_id, kind=row.kind, title=row.title, scope=scope_of(row),
        start=row.start_at, end=row.end_at, currency=row.currency, amount_off=row.amount_off,
        rate_bps=row.rate_bps, price=row.price, per_buyer_limit=row.per_buyer_limit,
        ladders=_ladders(row), platform_share_bps=row.platform_share_bps, budget=row.budget,
        budget_used=row.budget_used, ended=row.ended_at is not None)


async def create_promotion(s: AsyncSession, caller: Identity, checked: Checked[Promotion]
                           ) -> Promotion:
    """Store a promotion (PROMOTION_EXISTS if its id is taken, a new id if
    it has none): a seller's for its own shop at its own cost, a
    platform-wide one or one the platform pays for by staff
    (``ownership.rule_owner``), checked before the request's problems
    (``promotion.requests.promotion``) are raised. Returns it as stored."""
    ownership.rule_owner(caller, "promotion", checked.value.scope.seller_id,
                         checked.value.platform_share_bps)
    p = checked.valid()
    promotion_id = await PROMOTIONS.new_key(s, p.promotion_id)
    await s.execute(t.promotions.insert().values(
        promotion_id=promotion_id, kind=p.kind, title=p.title.strip(), **scope_columns(p.scope),
        start_at=p.start, end_at=p.end, currency=p.currency,
        amount_off=p.amount_off, rate_bps=p.rate_bps,
        price=p.price, per_buyer_limit=p.per_buyer_limit,
        ladders=json.dumps([{"threshold": x.threshold, "amount_off": x.amount_off,
                             "rate_bps": x.rate_bps} for x in p.ladders]),
        platform_share_bps=p.platform_share_bps, ended_at=None,
        created_at=utcnow(), budget=p.budget, budget_used=0,
    ))
    await trail.record(s, trail.PROMOTION, promotion_id,
                       f"created: {pb.PromotionKind.Name(p.kind)} of "
                       f"{trail.funder(p.scope.seller_id)}, platform share "
                       f"{p.platform_share_bps} bps")
    return _promotion(await PROMOTIONS.get(s, promotion_id))


async def get_promotion(s: AsyncSession, promotion_id: str) -> Promotion:
    """One promotion, or PROMOTION_NOT_FOUND."""
    return _promotion(await PROMOTIONS.get(s, promotion_id))


async def list_promotions(s: AsyncSession, seller_id: str = "", *, page_size: int = 0,
                          page_token: str = "") -> tuple[list[Promotion], str]:
    """Promotions by id, optionally of one seller, a page at a time: the
    page and the next page's token ("" after the last)."""
    q = select(t.promotions)
    if seller_id:
        q = q.where(t.promotions.c.seller_id == seller_id)
    rows, token = await pagination.page(s, q, t.promotions.c.promotion_id,
                                        pagination.Page(page_size, page_token),
                                        f"promotions:{seller_id}")
    return [_promotion(r) for r in rows], token


async def end_promotion(s: AsyncSession, caller: Identity, promotion_id: str) -> Promotion:
    """End a promotion now: no quote applies it again. Its shop's seller or
    staff; a platform-wide one staff only (NOT_THE_OWNER). Idempotent."""
    row = await PROMOTIONS.get(s, promotion_id)
    ownership.owner(caller, f"promotions/{row.promotion_id}", seller_id=row.seller_id)
    if await changed(s, update(t.promotions)
                     .where(t.promotions.c.promotion_id == promotion_id,
                            t.promotions.c.ended_at.is_(None))
                     .values(ended_at=utcnow())):
        await trail.record(s, trail.PROMOTION, promotion_id, "ended")
    return _promotion(await PROMOTIONS.get(s, promotion_id))


# --- what is in force for a quote --------------------------------------------


@dataclass(frozen=True)
class FlashRule:
    price: int
    per_buyer_limit: int


@dataclass(frozen=True)
class InForce:
    """The promotions a cart sees at a time, as the engine takes them."""

    item_promotions: tuple[engine.ItemPromotion, ...]
    order_promotions: tuple[engine.OrderPromotion, ...]
    free_shipping: tuple[engine.FreeShipping, ...]
    freight_reductions: tuple[engine.FreightReduction, ...]
    # The flash sales covering the cart (what a hold counts per buyer).
    flash: Mapping[str, FlashRule]
    # The promotions with a budget (what a hold counts against it).
    budgeted: frozenset[str]


async def in_force(s: AsyncSession, lines: Sequence[engine.Line], buyer_id: str,
                   currency: str, at: dt.datetime) -> InForce:
    """The promotions not ended and running at ``at`` that cover a line of
    the cart, with what is left of each budget and of the buyer's flash-sale
    units (the engine caps what it offers by them; a hold counts them again,
    by compare-and-set, since another order may take them first)."""
    p = t.promotions
    sellers = sorted({line.seller_id for line in lines})
    rows = (await s.execute(
        select(p).where(p.c.ended_at.is_(None), p.c.start_at <= at, p.c.end_at > at,
                        p.c.seller_id.in_(["", *sellers]), p.c.currency.in_(["", currency]))
        .order_by(p.c.promotion_id))).all()
    flash_ids = [r.promotion_id for r in rows
                 if r.kind == pb.PROMOTION_KIND_FLASH_SALE and r.per_buyer_limit > 0]
    used: dict[str, int] = {}
    if flash_ids:
        fc = t.flash_sale_counters
        used = {pid: units for pid, units in (await s.execute(
            select(fc.c.promotion_id, fc.c.units)
            .where(fc.c.buyer_id == buyer_id, fc.c.promotion_id.in_(flash_ids)))).all()}
    items: list[engine.ItemPromotion] = []
    orders: list[engine.OrderPromotion] = []
    free: list[engine.FreeShipping] = []
    freight: list[engine.FreightReduction] = []
    flash: dict[str, FlashRule] = {}
    budgeted: set[str] = set()
    for r in rows:
        scope = engine_scope(r)
        if not any(scope.covers(line) for line in lines):
            continue
        ladders = _ladders(r)
        if r.kind == domain.FREE_SHIPPING:
            free.append(engine.FreeShipping(r.promotion_id, scope, ladders[0].threshold))
            continue
        budget_left = None
        if r.budget is not None:
            budget_left = max(0, r.budget - r.budget_used)
            budgeted.add(r.promotion_id)
        if r.kind == domain.FREIGHT_REDUCTION:
            freight.append(engine.FreightReduction(
                r.promotion_id, scope, r.amount_off, ladders[0].threshold if ladders else 0,
                r.platform_share_bps, budget_left=budget_left))
            continue
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
        if kind == engine.Kind.FLASH_SALE:
            flash[r.promotion_id] = FlashRule(r.price, r.per_buyer_limit)
            if r.per_buyer_limit:
                # What the buyer may still buy at the flash price, shared by
                # the cart's lines (the engine counts them down line by line).
                left = max(0, r.per_buyer_limit - used.get(r.promotion_id, 0))
                rule = dataclasses.replace(rule, units_left=left)
        items.append(rule)
    return InForce(tuple(items), tuple(orders), tuple(free), tuple(freight), flash,
                   frozenset(budgeted))


# --- what a hold counts, and gives back --------------------------------------


def flash_units(flash: Mapping[str, FlashRule], q: engine.Quote) -> dict[str, int]:
    """Units each flash sale priced, per promotion (from the line deductions)."""
    units: dict[str, int] = {}
    for lq in q.lines:
        for d in lq.deductions:
            if d.kind == engine.Kind.FLASH_SALE:
                off_per_unit = lq.line.unit_price - flash[d.source_id].price
                units[d.source_id] = units.get(d.source_id, 0) + d.amount // off_per_unit
    return units


def budget_amounts(budgeted: frozenset[str], q: engine.Quote) -> dict[str, int]:
    """What the quote takes off, per promotion with a budget (over all lines)."""
    out: dict[str, int] = {}
    for total in q.totals:
        if (total.kind in PROMOTION_DEDUCTIONS and total.source_id in budgeted
                and total.amount > 0):
            out[total.source_id] = out.get(total.source_id, 0) + total.amount
    return out


async def count(s: AsyncSession, dialect: str, order_id: str, buyer_id: str,
                rules: InForce, q: engine.Quote) -> None:
    """Count what the order's quote takes: the flash-sale units per buyer
    (FLASH_SALE_LIMIT_EXCEEDED past the limit), then the budgets
    (PROMOTION_BUDGET_EXHAUSTED when another order took what was left) — last,
    so a popular promotion's row is locked as briefly as possible."""
    for promotion_id, units in sorted(flash_units(rules.flash, q).items()):
        await _count_flash_units(s, dialect, promotion_id, buyer_id, order_id, units,
                                 rules.flash[promotion_id].per_buyer_limit)
    for promotion_id, amount in sorted(budget_amounts(rules.budgeted, q).items()):
        await _count_budget(s, promotion_id, order_id, amount)


async def _count_budget(s: AsyncSession, promotion_id: str, order_id: str, amount: int) -> None:
    p = t.promotions
    if not await compare_and_set(s, update(p).where(
            p.c.promotion_id == promotion_id, p.c.budget_used + amount <= p.c.budget)
            .values(budget_used=p.c.budget_used + amount)):
        raise E(pb.ERROR_REASON_PROMOTION_BUDGET_EXHAUSTED,
                f"promotion {promotion_id} has less than {amount} of its budget left",
                violations=[PreconditionViolation("BUDGET", f"promotions/{promotion_id}",
                                                  f"{amount} wanted, less is left")],
                metadata={"promotion_id": promotion_id})
    await s.execute(t.promotion_budget_usage.insert().values(
        promotion_id=promotion_id, order_id=order_id, amount=amount, created_at=utcnow()))
    await trail.record(s, trail.PROMOTION, promotion_id,
                       f"order {order_id} took {amount} of the budget")


async def _count_flash_units(s: AsyncSession, dialect: str, promotion_id: str, buyer_id: str,
                             order_id: str, units: int, limit: int) -> None:
    await s.execute(t.flash_sale_usage.insert().values(
        promotion_id=promotion_id, buyer_id=buyer_id, order_id=order_id, units=units,
        created_at=utcnow()))
    fc = t.flash_sale_counters
    await s.execute(insert_ignore(dialect, fc).values(
        promotion_id=promotion_id, buyer_id=buyer_id, units=0))
    mine = and_(fc.c.promotion_id == promotion_id, fc.c.buyer_id == buyer_id)
    if limit:
        mine = and_(mine, fc.c.units + units <= limit)
    if not await compare_and_set(s, update(fc).where(mine).values(units=fc.c.units + units)):
        raise E(pb.ERROR_REASON_FLASH_SALE_LIMIT_EXCEEDED,
                f"buyer {buyer_id} may buy at most {limit} units of flash sale {promotion_id}",
                violations=[PreconditionViolation("FLASH_SALE_LIMIT", f"promotions/{promotion_id}",
                                                  f"at most {limit} units per buyer")],
                metadata={"promotion_id": promotion_id, "buyer_id": buyer_id})
    await trail.record(s, trail.PROMOTION, promotion_id,
                       f"order {order_id} took {units} flash-sale units of buyer {buyer_id}")


async def give_back(s: AsyncSession, hold: Any, now: dt.datetime) -> None:
    """A released or returned order's flash-sale units and budgets: exactly
    what its hold counted goes back (the discount was never granted)."""
    order_id = hold.order_id
    fu, fc = t.flash_sale_usage, t.flash_sale_counters
    usage = (await s.execute(select(fu.c.promotion_id, fu.c.buyer_id, fu.c.units)
                             .where(fu.c.order_id == order_id)
                             .order_by(fu.c.promotion_id))).all()
    for promotion_id, buyer_id, units in usage:
        await s.execute(update(fc).where(fc.c.promotion_id == promotion_id,
                                         fc.c.buyer_id == buyer_id)
                        .values(units=fc.c.units - units))
        await trail.record(s, trail.PROMOTION, promotion_id,
                           f"order {order_id} gave back {units} flash-sale units of buyer "
                           f"{buyer_id}")
    await s.execute(delete(fu).where(fu.c.order_id == order_id))
    p, bu = t.promotions, t.promotion_budget_usage
    taken = (await s.execute(select(bu.c.promotion_id, bu.c.amount)
                             .where(bu.c.order_id == order_id)
                             .order_by(bu.c.promotion_id))).all()
    for promotion_id, amount in taken:
        if not await compare_and_set(s, update(p).where(
                p.c.promotion_id == promotion_id, p.c.budget_used >= amount)
                .values(budget_used=p.c.budget_used - amount)):
            raise RuntimeError(f"order {order_id}: {amount} of promotion {promotion_id}'s "
                               "budget is missing")
        await trail.record(s, trail.PROMOTION, promotion_id,
                           f"order {order_id} gave back {amount} of the budget")
    await s.execute(delete(bu).where(bu.c.order_id == order_id))
