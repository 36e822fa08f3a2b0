"""What promotion's servicer checks of a request beyond its contract, and
the request turned into its use case's arguments (``promotion.values``,
the engine's ``Policy`` and ``Line``): the one home of the request checks.

The limits its fields declare (``(zhongtai.common.v1.rules)`` in
promotion.proto: lengths, ranges, required ids, enabled currencies) are
checked by the server before the servicer runs. Here what field options
cannot say — which fields a promotion or coupon kind uses, one currency per
message, times in order, ids not repeated, a policy's kinds — each request
checked alone (INVALID_ARGUMENT with a field violation per problem, nothing
written). A request whose use case checks the caller first (CreatePromotion,
CreateCouponTemplate, Quote, BestCoupons) is turned into a
``values.Checked``: its value and its violations, raised after that check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from promotion import engine
from promotion.domain import FREE_SHIPPING, FREIGHT_REDUCTION
from promotion.values import (
    Amount,
    Checked,
    CouponTemplate,
    Promotion,
    QuoteAsk,
    RedPacketAsk,
    RedPacketPool,
    ReturnAsk,
    Scope,
    StoredValueCard,
)
from zhongtai.common.v1.common_pb2 import Money
from zhongtai.errors import Violations
from zhongtai.idempotency import request_hash
from zhongtai.promotion.v1 import promotion_pb2 as pb
from zhongtai.wire import to_datetime

M = TypeVar("M")

_COUPON_FIELDS: dict[int, frozenset[str]] = {
    pb.COUPON_KIND_FULL_REDUCTION: frozenset({"threshold", "amount_off"}),
    pb.COUPON_KIND_DISCOUNT: frozenset({"threshold", "rate_bps", "max_off"}),
    pb.COUPON_KIND_DIRECT_REDUCTION: frozenset({"threshold", "amount_off"}),
    pb.COUPON_KIND_NO_THRESHOLD: frozenset({"amount_off"}),
}


# Which optional rule fields each promotion kind uses. A budget caps what a
# promotion takes off orders, so free shipping (which takes nothing) has none.
_PROMOTION_FIELDS: dict[int, frozenset[str]] = {
    pb.PROMOTION_KIND_ITEM_DIRECT_REDUCTION: frozenset({"amount_off", "budget"}),
    pb.PROMOTION_KIND_ITEM_DISCOUNT: frozenset({"rate_bps", "budget"}),
    pb.PROMOTION_KIND_FLASH_SALE: frozenset({"price", "per_buyer_limit", "budget"}),
    pb.PROMOTION_KIND_VIP_PRICE: frozenset({"price", "budget"}),
    pb.PROMOTION_KIND_SHOP_FULL_REDUCTION: frozenset({"ladders", "budget"}),
    pb.PROMOTION_KIND_SHOP_FULL_DISCOUNT: frozenset({"ladders", "budget"}),
    pb.PROMOTION_KIND_PLATFORM_FULL_REDUCTION: frozenset({"ladders", "budget"}),
    FREE_SHIPPING: frozenset({"ladders"}),
    FREIGHT_REDUCTION: frozenset({"amount_off", "ladders", "budget"}),
}

# --- field checks ------------------------------------------------------------


class _Currencies:
    """The one currency of a message's amounts (each amount's range and
    currency are the contract's)."""

    def __init__(self, v: Violations) -> None:
        self.v = v
        self.seen: dict[str, str] = {}

    def money(self, m: Money, field: str) -> int:
        code = m.currency_code
        if self.seen and code not in self.seen:
            first = next(iter(self.seen.values()))
            self.v.add(f"{field}.currency_code", f"must be the currency of {first}")
        self.seen.setdefault(code, field)
        return m.amount_minor

    @property
    def code(self) -> str:
        return next(iter(self.seen), "")


def _check_unique(v: Violations, ids: Sequence[str], field: str) -> None:
    v.check(len(set(ids)) == len(ids), field, "has repeated ids")


def _check_scope(v: Violations, scope: pb.Scope, field: str) -> None:
    for name in ("sku_ids", "category_ids"):
        _check_unique(v, getattr(scope, name), f"{field}.{name}")


def _check_rule(v: Violations, f: str, kinds: str, known: bool, scope: pb.Scope
                ) -> tuple[_Currencies, bool]:
    """What every rule (field ``f``) needs: a ``known`` kind (one of the
    ``kinds`` kinds), its scope's ids not repeated; its amounts' one
    currency."""
    v.check(known, f"{f}.kind", f"must be one of the {kinds} kinds")
    _check_scope(v, scope, f"{f}.scope")
    return _Currencies(v), known


def _check_only(v: Violations, used: frozenset[str], present: dict[str, bool], prefix: str,
                kind_name: str) -> None:
    for name, is_set in present.items():
        if is_set and name not in used:
            v.add(f"{prefix}.{name}", f"does not apply to {kind_name}")


def _raised(check: Callable[[Violations, M], str], msg: M) -> str:
    """``check``'s currency, or INVALID_ARGUMENT with every violation it found."""
    v = Violations()
    currency = check(v, msg)
    v.raise_if_any()
    return currency


def _optional_time(msg: Any, name: str) -> dt.datetime | None:
    """A Timestamp field that may be unset, as a datetime or None."""
    return to_datetime(getattr(msg, name)) if msg.HasField(name) else None


def _amount(m: Money) -> Amount:
    return Amount(m.amount_minor, m.currency_code)


def _required(v: Violations, cur: _Currencies, msg: Any, name: str, field: str) -> None:
    """An amount the request must give, in the message's one currency."""
    if msg.HasField(name):
        cur.money(getattr(msg, name), field)
    else:
        v.add(field, "is required")


def scope(s: pb.Scope) -> Scope:
    """A rule's scope, its ids in the order given."""
    return Scope(s.seller_id, tuple(s.sku_ids), tuple(s.category_ids))


# --- promotions --------------------------------------------------------------


def _check_promotion(v: Violations, p: pb.Promotion) -> str:
    """A new promotion's problems, in ``v``; its currency ("" if it has no
    amount)."""
    f = "promotion"
    cur, known = _check_rule(v, f, "promotion", p.kind in _PROMOTION_FIELDS, p.scope)
    v.check(p.HasField("start_time"), f"{f}.start_time", "is required")
    v.check(p.HasField("end_time"), f"{f}.end_time", "is required")
    if p.HasField("start_time") and p.HasField("end_time"):
        v.check(p.start_time.ToNanoseconds() < p.end_time.ToNanoseconds(), f"{f}.end_time",
                "must be after start_time")
    v.check(not p.ended, f"{f}.ended", "is set by EndPromotion")
    v.check(not p.HasField("budget_used"), f"{f}.budget_used", "is output only")
    if not known:
        return ""
    kind_name = pb.PromotionKind.Name(p.kind)
    used = _PROMOTION_FIELDS[p.kind]
    _check_only(v, used, {
        "amount_off": p.HasField("amount_off"), "rate_bps": p.rate_bps != 0,
        "price": p.HasField("price"), "per_buyer_limit": p.per_buyer_limit != 0,
        "ladders": len(p.ladders) > 0, "budget": p.HasField("budget"),
    }, f, kind_name)
    if "amount_off" in used:
        if p.HasField("amount_off"):
            cur.money(p.amount_off, f"{f}.amount_off")
        else:
            v.add(f"{f}.amount_off", "is required")
    if "rate_bps" in used:
        v.check(p.rate_bps > 0, f"{f}.rate_bps", "is required")
    if "price" in used:
        if p.HasField("price"):
            cur.money(p.price, f"{f}.price")
        else:
            v.add(f"{f}.price", "is required")
    if p.kind in (FREE_SHIPPING, FREIGHT_REDUCTION):
        if p.kind == FREE_SHIPPING:
            v.check(len(p.ladders) == 1, f"{f}.ladders",
                    "exactly one step (the threshold) is required")
        else:
            v.check(len(p.ladders) <= 1, f"{f}.ladders",
                    "at most one step (the threshold) is allowed")
        for i, step in enumerate(p.ladders):
            g = f"{f}.ladders[{i}]"
            if step.HasField("threshold"):
                cur.money(step.threshold, f"{g}.threshold")
            else:
                v.add(f"{g}.threshold", "is required")
            v.check(not step.HasField("amount_off"), f"{g}.amount_off",
                    f"does not apply to {kind_name} (a threshold only)")
            v.check(step.rate_bps == 0, f"{g}.rate_bps",
                    f"does not apply to {kind_name} (a threshold only)")
    elif "ladders" in used:
        v.check(len(p.ladders) > 0, f"{f}.ladders", "at least one step is required")
        by_rate = p.kind == pb.PROMOTION_KIND_SHOP_FULL_DISCOUNT
        for i, step in enumerate(p.ladders):
            _check_ladder(v, cur, step, f"{f}.ladders[{i}]", by_rate)
    if p.kind in (pb.PROMOTION_KIND_SHOP_FULL_REDUCTION, pb.PROMOTION_KIND_SHOP_FULL_DISCOUNT,
                  FREIGHT_REDUCTION):
        v.check(bool(p.scope.seller_id), f"{f}.scope.seller_id", "is required for a shop rule")
    if p.kind == pb.PROMOTION_KIND_PLATFORM_FULL_REDUCTION:
        v.check(not p.scope.seller_id, f"{f}.scope.seller_id",
                "must be empty for a platform rule")
    if "budget" in used and p.HasField("budget"):
        cur.money(p.budget, f"{f}.budget")
    return cur.code


def validate_promotion(p: pb.Promotion) -> str:
    """Validate a new promotion (the fields its kind uses, one currency, its
    window in order, its ladders, a shop rule's seller); return its
    currency ("" if it has no amount)."""
    return _raised(_check_promotion, p)


def promotion(req: pb.CreatePromotionRequest) -> Checked[Promotion]:
    """CreatePromotion's promotion, with its problems
    (``validate_promotion``'s), raised once the caller may create it."""
    p = req.promotion
    v = Violations()
    currency = _check_promotion(v, p)
    return Checked(Promotion(
        promotion_id=p.promotion_id, kind=p.kind, title=p.title, scope=scope(p.scope),
        start=to_datetime(p.start_time), end=to_datetime(p.end_time), currency=currency,
        amount_off=p.amount_off.amount_minor, rate_bps=p.rate_bps,
        price=p.price.amount_minor, per_buyer_limit=p.per_buyer_limit,
        ladders=tuple(engine.Ladder(x.threshold.amount_minor, x.amount_off.amount_minor,
                                    x.rate_bps) for x in p.ladders),
        platform_share_bps=p.cost_sharing.platform_share_bps,
        budget=p.budget.amount_minor if p.HasField("budget") else None), tuple(v.items))


def _check_ladder(v: Violations, cur: _Currencies, step: pb.Ladder, f: str,
                  by_rate: bool) -> None:
    if step.HasField("threshold"):
        cur.money(step.threshold, f"{f}.threshold")
    else:
        v.add(f"{f}.threshold", "is required")
    if by_rate:
        v.check(step.rate_bps > 0, f"{f}.rate_bps", "is required")
        v.check(not step.HasField("amount_off"), f"{f}.amount_off",
                "does not apply to a discount ladder")
    else:
        v.check(step.rate_bps == 0, f"{f}.rate_bps", "does not apply to a reduction ladder")
        if step.HasField("amount_off"):
            cur.money(step.amount_off, f"{f}.amount_off")
        else:
            v.add(f"{f}.amount_off", "is required")


# --- quotes ------------------------------------------------------------------


def _check_quote(v: Violations, req: pb.QuoteRequest, prefix: str = "") -> str:
    """A cart's and its benefits' problems, in ``v``; the cart's currency."""
    cur = _Currencies(v)
    v.check(len(req.lines) > 0, f"{prefix}lines", "at least one line is required")
    seen: set[str] = set()
    for i, line in enumerate(req.lines):
        f = f"{prefix}lines[{i}]"
        v.check(line.line_id not in seen, f"{f}.line_id", "is repeated")
        seen.add(line.line_id)
        if line.HasField("unit_price"):
            cur.money(line.unit_price, f"{f}.unit_price")
        else:
            v.add(f"{f}.unit_price", "is required")
    _check_unique(v, req.coupon_ids, f"{prefix}coupon_ids")
    if req.HasField("stored_value_amount"):
        v.check(bool(req.stored_value_card_id), f"{prefix}stored_value_card_id",
                "is required with stored_value_amount")
        cur.money(req.stored_value_amount, f"{prefix}stored_value_amount")
    _check_unique(v, [x.seller_id for x in req.seller_freights], f"{prefix}seller_freights")
    for i, x in enumerate(req.seller_freights):
        cur.money(x.freight, f"{prefix}seller_freights[{i}].freight")
    return cur.code


def validate_quote_request(req: pb.QuoteRequest, prefix: str = "") -> str:
    """Validate a cart and the benefits chosen (lines, each line id once, one
    currency, coupons and sellers' freights not repeated, a card with its
    amount); return the cart's currency. ``prefix`` names the request's
    field in another (``"quote."``)."""
    return _raised(lambda v, r: _check_quote(v, r, prefix), req)


def quote_ask(req: pb.QuoteRequest, prefix: str = "") -> Checked[QuoteAsk]:
    """A quote request's cart (the engine's lines) and benefits, with its
    problems (``validate_quote_request``'s), raised once the caller may act
    for its buyer."""
    v = Violations()
    currency = _check_quote(v, req, prefix)
    return Checked(QuoteAsk(
        buyer_id=req.buyer_id, currency=currency,
        lines=tuple(engine.Line(x.line_id, x.seller_id, x.sku_id, x.category_id,
                                x.unit_price.amount_minor, x.quantity, x.non_discountable)
                    for x in req.lines),
        vip=req.buyer_is_vip, coupon_ids=tuple(req.coupon_ids),
        red_packet_id=req.red_packet_id, points=req.points,
        card_id=req.stored_value_card_id, card_amount=req.stored_value_amount.amount_minor,
        freights=tuple((x.seller_id, x.freight.amount_minor) for x in req.seller_freights),
        at=_optional_time(req, "at_time")), tuple(v.items))


# --- coupons -----------------------------------------------------------------


def _check_coupon_template(v: Violations, t: pb.CouponTemplate) -> str:
    """A new template's problems, in ``v``; its currency ("" if it has no
    amount)."""
    f = "template"
    cur, known = _check_rule(v, f, "coupon", t.kind in _COUPON_FIELDS, t.scope)
    if t.HasField("claim_start_time") and t.HasField("claim_end_time"):
        v.check(t.claim_start_time.ToNanoseconds() < t.claim_end_time.ToNanoseconds(),
                f"{f}.claim_end_time", "must be after claim_start_time")
    fixed = t.HasField("valid_start_time") or t.HasField("valid_end_time")
    if t.valid_days:
        v.check(not fixed, f"{f}.valid_start_time",
                "a coupon is valid either for valid_days or in a fixed window, not both")
    elif not fixed:
        v.add(f"{f}.valid_days", "set valid_days or valid_start_time and valid_end_time")
    else:
        v.check(t.HasField("valid_start_time"), f"{f}.valid_start_time", "is required")
        v.check(t.HasField("valid_end_time"), f"{f}.valid_end_time", "is required")
        if t.HasField("valid_start_time") and t.HasField("valid_end_time"):
            v.check(t.valid_start_time.ToNanoseconds() < t.valid_end_time.ToNanoseconds(),
                    f"{f}.valid_end_time", "must be after valid_start_time")
    if not known:
        return ""
    used = _COUPON_FIELDS[t.kind]
    _check_only(v, used, {
        "threshold": t.HasField("threshold") and t.threshold.amount_minor != 0,
        "amount_off": t.HasField("amount_off"), "rate_bps": t.rate_bps != 0,
        "max_off": t.HasField("max_off"),
    }, f, pb.CouponKind.Name(t.kind))
    if t.HasField("threshold"):
        cur.money(t.threshold, f"{f}.threshold")
    if "amount_off" in used:
        _required(v, cur, t, "amount_off", f"{f}.amount_off")
    if "rate_bps" in used:
        v.check(t.rate_bps > 0, f"{f}.rate_bps", "is required")
    if "max_off" in used and t.HasField("max_off"):
        cur.money(t.max_off, f"{f}.max_off")
    return cur.code


def validate_coupon_template(t: pb.CouponTemplate) -> str:
    """Validate a new template (the fields its kind uses, one currency, its
    claim and validity windows in order, valid_days or a fixed window);
    return its currency ("" if it has no amount)."""
    return _raised(_check_coupon_template, t)


def coupon_template(req: pb.CreateCouponTemplateRequest) -> Checked[CouponTemplate]:
    """CreateCouponTemplate's template, with its problems
    (``validate_coupon_template``'s), raised once the caller may create it."""
    p = req.template
    v = Violations()
    currency = _check_coupon_template(v, p)
    return Checked(CouponTemplate(
        template_id=p.template_id, title=p.title, kind=p.kind, scope=scope(p.scope),
        currency=currency, threshold=p.threshold.amount_minor,
        amount_off=p.amount_off.amount_minor, rate_bps=p.rate_bps,
        max_off=p.max_off.amount_minor,
        claim_start=_optional_time(p, "claim_start_time"),
        claim_end=_optional_time(p, "claim_end_time"),
        valid_start=_optional_time(p, "valid_start_time"),
        valid_end=_optional_time(p, "valid_end_time"),
        valid_days=p.valid_days, total_quantity=p.total_quantity,
        per_buyer_limit=p.per_buyer_limit,
        platform_share_bps=p.cost_sharing.platform_share_bps,
        restore_on_cancel=p.restore_on_cancel), tuple(v.items))


# --- red packets, cards ------------------------------------------------------


def validate_pool(p: pb.RedPacketPool) -> str:
    """Validate a new pool (a budget, nothing output-only); its currency."""
    v = Violations()
    cur = _Currencies(v)
    _required(v, cur, p, "budget", "pool.budget")
    v.check(not p.HasField("remaining"), "pool.remaining", "is output only")
    v.raise_if_any()
    return cur.code


def pool(req: pb.CreateRedPacketPoolRequest) -> RedPacketPool:
    """CreateRedPacketPool's pool, checked (``validate_pool``): all its
    budget remaining."""
    p = req.pool
    currency = validate_pool(p)
    return RedPacketPool(pool_id=p.pool_id, funded_by_seller_id=p.funded_by_seller_id,
                         currency=currency, budget=p.budget.amount_minor,
                         remaining=p.budget.amount_minor, valid_days=p.valid_days)


def validate_issue_red_packet(req: pb.IssueRedPacketRequest) -> str:
    """Validate an issue (an amount, a maximum not below it, one currency);
    its currency."""
    v = Violations()
    cur = _Currencies(v)
    _required(v, cur, req, "amount", "amount")
    if req.HasField("max_amount"):
        cur.money(req.max_amount, "max_amount")
        v.check(req.max_amount.amount_minor >= req.amount.amount_minor, "max_amount",
                "must not be below amount")
    v.raise_if_any()
    return cur.code


def red_packet(req: pb.IssueRedPacketRequest) -> RedPacketAsk:
    """IssueRedPacket's packet, checked (``validate_issue_red_packet``)."""
    currency = validate_issue_red_packet(req)
    return RedPacketAsk(pool_id=req.pool_id, buyer_id=req.buyer_id, currency=currency,
                        amount=req.amount.amount_minor,
                        max_amount=(req.max_amount.amount_minor
                                    if req.HasField("max_amount") else None))


def validate_card(req: pb.CreateStoredValueCardRequest) -> str:
    """Validate a new card (an opening balance); its currency."""
    v = Violations()
    cur = _Currencies(v)
    _required(v, cur, req, "balance", "balance")
    v.raise_if_any()
    return cur.code


def card(req: pb.CreateStoredValueCardRequest) -> StoredValueCard:
    """CreateStoredValueCard's card, checked (``validate_card``): its id is
    made when it is stored."""
    currency = validate_card(req)
    return StoredValueCard(card_id="", buyer_id=req.buyer_id, currency=currency,
                           balance=req.balance.amount_minor)


# --- an agreed refund's return -----------------------------------------------


def return_ask(req: pb.ReturnBenefitsRequest) -> ReturnAsk:
    """ReturnBenefits' request, with its fingerprint under its request id
    (the amounts' currency is checked against the order's by the use case)."""
    return ReturnAsk(request_id=req.request_id, order_id=req.order_id,
                     points_amount=_amount(req.points_amount),
                     card_amount=_amount(req.stored_value_amount),
                     restore_coupons=req.restore_coupons, digest=request_hash(req))


# --- the stacking policy -----------------------------------------------------


def stacking_policy(p: pb.StackingPolicy) -> engine.Policy:
    """Validate a policy from a request (order-level kinds, each once; known
    kinds excluded in pairs; points priced); empty ``order`` means the
    default order."""
    v = Violations()
    order_kinds = {int(k) for k in engine.ORDER_KINDS}
    all_kinds = {k.value for k in engine.Kind}
    for i, k in enumerate(p.order):
        v.check(k in order_kinds, f"policy.order[{i}]", "must be an order-level kind")
    v.check(len(set(p.order)) == len(p.order), "policy.order", "lists a kind more than once")
    for i, x in enumerate(p.exclusions):
        v.check(x.first in all_kinds, f"policy.exclusions[{i}].first", "must be a known kind")
        v.check(x.second in all_kinds, f"policy.exclusions[{i}].second",
                "must be a known kind")
        v.check(x.first != x.second, f"policy.exclusions[{i}]", "must name two kinds")
    # Zero only when the request has no policy (the contract's minimum is 1).
    v.check(p.points_per_unit > 0, "policy.points_per_unit", "is required")
    v.raise_if_any()
    return engine.Policy(
        order=tuple(engine.Kind(k) for k in p.order) or engine.ORDER_KINDS,
        exclusions=frozenset(frozenset({engine.Kind(x.first), engine.Kind(x.second)})
                             for x in p.exclusions),
        refuse_over_discount=p.over_discount == pb.OVER_DISCOUNT_POLICY_REFUSE,
        floor=p.floor_minor,
        points_per_unit=p.points_per_unit,
        points_max_share_bps=p.points_max_share_bps,
        points_platform_share_bps=p.points_cost_sharing.platform_share_bps,
    )
