"""What promotion's servicer checks of a request beyond its contract, and
the request turned into its use case's arguments (``promotion.values``,
the engine's ``Policy``).

The limits its fields declare (``(zhongtai.common.v1.rules)`` in
promotion.proto: lengths, ranges, required ids, enabled currencies) are
checked by the server before the servicer runs. Here what field options
cannot say — which fields a coupon kind uses, one currency per message,
times in order, ids not repeated, a policy's kinds — each request checked
alone (INVALID_ARGUMENT with a field violation per problem, nothing
written). The promotion and quote requests' checks are ``promotion.domain``'s
(``validate_promotion``, ``validate_quote_request``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from promotion import engine
from promotion.domain import _check_only, _check_scope, _Currencies
from promotion.values import (
    Amount,
    CouponTemplate,
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

_COUPON_FIELDS: dict[int, frozenset[str]] = {
    pb.COUPON_KIND_FULL_REDUCTION: frozenset({"threshold", "amount_off"}),
    pb.COUPON_KIND_DISCOUNT: frozenset({"threshold", "rate_bps", "max_off"}),
    pb.COUPON_KIND_DIRECT_REDUCTION: frozenset({"threshold", "amount_off"}),
    pb.COUPON_KIND_NO_THRESHOLD: frozenset({"amount_off"}),
}


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


# --- coupons -----------------------------------------------------------------


def validate_coupon_template(t: pb.CouponTemplate) -> str:
    """Validate a new template (the fields its kind uses, one currency, its
    claim and validity windows in order, valid_days or a fixed window);
    return its currency ("" if it has no amount)."""
    v = Violations()
    f = "template"
    cur = _Currencies(v)
    known = t.kind in _COUPON_FIELDS
    v.check(known, f"{f}.kind", "must be one of the coupon kinds")
    _check_scope(v, t.scope, f"{f}.scope")
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
        v.raise_if_any()
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
    v.raise_if_any()
    return cur.code


def coupon_template(req: pb.CreateCouponTemplateRequest) -> CouponTemplate:
    """CreateCouponTemplate's template, checked (``validate_coupon_template``)."""
    p = req.template
    currency = validate_coupon_template(p)
    return CouponTemplate(
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
        restore_on_cancel=p.restore_on_cancel)


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
