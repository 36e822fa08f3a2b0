"""promotion's rules: the hold state machine, validation (the contract's
limits, then the domain's rules, as the server checks a request), the
stacking policy's two forms, the bounded coupon search, flash-sale units."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import pytest
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from hypothesis import given
from hypothesis import strategies as st

from promotion import domain, engine, requests, views
from promotion.holds import HOLDS
from tests.builders import cny
from zhongtai.common.v1.common_pb2 import Money
from zhongtai.errors import FailedPrecondition, InvalidArgument
from zhongtai.promotion.v1 import promotion_pb2 as pb
from zhongtai.validation import Validator

ALL_STATUSES = [s for s in pb.HoldStatus.values() if s != pb.HOLD_STATUS_UNSPECIFIED]
ALL_ACTIONS = [domain.RELEASE, domain.REDEEM]
HOLD, HELD = HOLDS.machine, pb.HOLD_STATUS_HELD


@pytest.mark.parametrize(("status", "action"), list(itertools.product(ALL_STATUSES, ALL_ACTIONS)))
def test_every_hold_transition_is_listed_or_refused(status: int, action: str) -> None:
    if (status, action) in HOLD.transitions:
        assert HOLD.next(status, action, "o") == HOLD.transitions[(status, action)]
    else:
        with pytest.raises(FailedPrecondition) as e:
            HOLD.next(status, action, "o")
        assert e.value.reason == "ILLEGAL_HOLD_TRANSITION"
        assert e.value.metadata["order_id"] == "o"


def test_only_a_held_order_moves() -> None:
    assert HOLD.next(HELD, domain.RELEASE, "o") == pb.HOLD_STATUS_RELEASED
    assert HOLD.next(HELD, domain.REDEEM, "o") == pb.HOLD_STATUS_REDEEMED
    assert {s for s, a in HOLD.transitions if a in ALL_ACTIONS} == {HELD}


def test_coupons_go_back_only_when_the_template_says_so() -> None:
    assert domain.coupon_status_after_release(True) == pb.COUPON_STATUS_AVAILABLE
    assert domain.coupon_status_after_release(False) == pb.COUPON_STATUS_USED


def ts(seconds: int) -> Timestamp:
    return Timestamp(seconds=seconds)


def fields(exc: pytest.ExceptionInfo[InvalidArgument]) -> list[str]:
    return [v.field for v in exc.value.violations]


CONTRACT = Validator()


def refused(request: Message, rule: Callable[[], object]) -> list[str]:
    """The fields a server refuses in ``request``: the contract's limits
    (promotion.proto's rules) first, then the domain's ``rule``."""
    try:
        CONTRACT.check(request)
        rule()
    except InvalidArgument as e:
        return [v.field for v in e.violations]
    return []


def refused_promotion(p: pb.Promotion) -> list[str]:
    return refused(pb.CreatePromotionRequest(promotion=p), lambda: requests.validate_promotion(p))


def refused_template(t: pb.CouponTemplate) -> list[str]:
    return refused(pb.CreateCouponTemplateRequest(template=t),
                   lambda: requests.validate_coupon_template(t))


def promotion(**kw: object) -> pb.Promotion:
    base: dict[str, object] = {"title": "p", "start_time": ts(1), "end_time": ts(2)}
    base.update(kw)
    return pb.Promotion(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize("p", [
    promotion(kind=pb.PROMOTION_KIND_ITEM_DIRECT_REDUCTION, amount_off=cny(100)),
    promotion(kind=pb.PROMOTION_KIND_ITEM_DISCOUNT, rate_bps=8500),
    promotion(kind=pb.PROMOTION_KIND_FLASH_SALE, price=cny(0), per_buyer_limit=2),
    promotion(kind=pb.PROMOTION_KIND_VIP_PRICE, price=cny(900)),
    promotion(kind=pb.PROMOTION_KIND_SHOP_FULL_REDUCTION, scope=pb.Scope(seller_id="s"),
              ladders=[pb.Ladder(threshold=cny(100), amount_off=cny(10))]),
    promotion(kind=pb.PROMOTION_KIND_SHOP_FULL_DISCOUNT, scope=pb.Scope(seller_id="s"),
              ladders=[pb.Ladder(threshold=cny(100), rate_bps=9000)]),
    promotion(kind=pb.PROMOTION_KIND_PLATFORM_FULL_REDUCTION,
              ladders=[pb.Ladder(threshold=cny(100), amount_off=cny(10))]),
    promotion(kind=pb.PROMOTION_KIND_FREE_SHIPPING, scope=pb.Scope(seller_id="s"),
              ladders=[pb.Ladder(threshold=cny(9900))]),
    promotion(kind=pb.PROMOTION_KIND_FREE_SHIPPING, ladders=[pb.Ladder(threshold=cny(0))]),
], ids=lambda p: pb.PromotionKind.Name(p.kind) + ("_SHOP" if p.scope.seller_id else ""))
def test_valid_promotions_of_every_kind(p: pb.Promotion) -> None:
    currency = requests.validate_promotion(p)
    assert currency == ("" if p.kind == pb.PROMOTION_KIND_ITEM_DISCOUNT else "CNY")


def test_a_promotion_refuses_fields_of_other_kinds_and_mixed_currencies() -> None:
    with pytest.raises(InvalidArgument) as e:
        requests.validate_promotion(promotion(
            kind=pb.PROMOTION_KIND_ITEM_DIRECT_REDUCTION, amount_off=cny(100), rate_bps=10,
            price=Money(currency_code="USD", amount_minor=1)))
    assert fields(e) == ["promotion.rate_bps", "promotion.price"]
    with pytest.raises(InvalidArgument) as e:
        requests.validate_promotion(promotion(
            kind=pb.PROMOTION_KIND_SHOP_FULL_REDUCTION, scope=pb.Scope(seller_id="s"),
            ladders=[pb.Ladder(threshold=cny(100), amount_off=cny(10)),
                     pb.Ladder(threshold=Money(currency_code="USD", amount_minor=200),
                               amount_off=cny(20))]))
    assert fields(e) == ["promotion.ladders[1].threshold.currency_code"]
    assert refused_promotion(pb.Promotion(kind=pb.PROMOTION_KIND_ITEM_DISCOUNT,
                                          rate_bps=10_000, ended=True)) == [
        "promotion.title", "promotion.rate_bps"]
    assert refused_promotion(pb.Promotion(kind=pb.PROMOTION_KIND_ITEM_DISCOUNT, title="t",
                                          ended=True)) == [
        "promotion.start_time", "promotion.end_time", "promotion.ended", "promotion.rate_bps"]
    assert refused_promotion(promotion(
        kind=pb.PROMOTION_KIND_ITEM_DIRECT_REDUCTION, title=" ", amount_off=cny(0),
        per_buyer_limit=-1, scope=pb.Scope(sku_ids=["k", "k", ""]),
        cost_sharing=pb.CostSharing(platform_share_bps=10_001))) == [
        "promotion.title", "promotion.scope.sku_ids[2]",
        "promotion.amount_off.amount_minor", "promotion.per_buyer_limit",
        "promotion.cost_sharing.platform_share_bps"]
    assert refused_promotion(promotion(
        kind=pb.PROMOTION_KIND_ITEM_DIRECT_REDUCTION, amount_off=cny(1),
        scope=pb.Scope(sku_ids=["k", "k"]))) == ["promotion.scope.sku_ids"]


def test_a_budget_is_a_positive_amount_in_the_rules_currency_and_not_for_free_shipping(
        ) -> None:
    ok = promotion(kind=pb.PROMOTION_KIND_ITEM_DISCOUNT, rate_bps=9000, budget=cny(100_000))
    assert requests.validate_promotion(ok) == "CNY"  # the budget gives it a currency
    assert refused_promotion(promotion(
        kind=pb.PROMOTION_KIND_ITEM_DIRECT_REDUCTION, amount_off=cny(100),
        budget=Money(currency_code="XXX", amount_minor=0))) == [
        "promotion.budget.amount_minor", "promotion.budget.currency_code"]
    assert refused_promotion(promotion(
        kind=pb.PROMOTION_KIND_ITEM_DIRECT_REDUCTION, amount_off=cny(100),
        budget=Money(currency_code="USD", amount_minor=1), budget_used=cny(1))) == [
        "promotion.budget_used", "promotion.budget.currency_code"]
    with pytest.raises(InvalidArgument) as e:
        requests.validate_promotion(promotion(
            kind=pb.PROMOTION_KIND_FREE_SHIPPING, budget=cny(100),
            ladders=[pb.Ladder(threshold=cny(100), amount_off=cny(10), rate_bps=5),
                     pb.Ladder()]))
    assert fields(e) == ["promotion.budget", "promotion.ladders",
                         "promotion.ladders[0].amount_off", "promotion.ladders[0].rate_bps",
                         "promotion.ladders[1].threshold"]


def test_a_freight_reduction_is_a_shops_amount_off_from_at_most_one_threshold() -> None:
    shop = pb.Scope(seller_id="m1")
    for ok in (promotion(kind=pb.PROMOTION_KIND_FREIGHT_REDUCTION, scope=shop,
                         amount_off=cny(500)),
               promotion(kind=pb.PROMOTION_KIND_FREIGHT_REDUCTION, scope=shop,
                         amount_off=cny(500), ladders=[pb.Ladder(threshold=cny(2000))],
                         budget=cny(10_000))):
        assert refused_promotion(ok) == []
        assert requests.validate_promotion(ok) == "CNY"
    # A platform-wide one, no amount, two steps, a step with an amount or a
    # rate, a price: refused, every field named.
    assert refused_promotion(promotion(
        kind=pb.PROMOTION_KIND_FREIGHT_REDUCTION, price=cny(1),
        ladders=[pb.Ladder(threshold=cny(1), amount_off=cny(1)),
                 pb.Ladder(threshold=cny(2), rate_bps=5)])) == [
        "promotion.price", "promotion.amount_off", "promotion.ladders",
        "promotion.ladders[0].amount_off", "promotion.ladders[1].rate_bps",
        "promotion.scope.seller_id"]


def template(**kw: object) -> pb.CouponTemplate:
    base: dict[str, object] = {"title": "t", "kind": pb.COUPON_KIND_FULL_REDUCTION,
                               "threshold": cny(1000), "amount_off": cny(100),
                               "total_quantity": 10, "valid_days": 7}
    base.update(kw)
    return pb.CouponTemplate(**base)  # type: ignore[arg-type]


def test_coupon_validity_is_a_window_or_days_not_both() -> None:
    assert requests.validate_coupon_template(template()) == "CNY"
    assert requests.validate_coupon_template(template(
        valid_days=0, valid_start_time=ts(1), valid_end_time=ts(2))) == "CNY"
    with pytest.raises(InvalidArgument) as e:
        requests.validate_coupon_template(template(valid_start_time=ts(1), valid_end_time=ts(2)))
    assert fields(e) == ["template.valid_start_time"]
    with pytest.raises(InvalidArgument) as e:
        requests.validate_coupon_template(template(valid_days=0))
    assert fields(e) == ["template.valid_days"]
    assert refused_template(template(
        kind=pb.COUPON_KIND_NO_THRESHOLD, total_quantity=0, per_buyer_limit=-1,
        valid_days=3651)) == [
        "template.valid_days", "template.total_quantity", "template.per_buyer_limit"]
    assert refused_template(template(
        kind=pb.COUPON_KIND_NO_THRESHOLD, claim_start_time=ts(5), claim_end_time=ts(5))) == [
        "template.claim_end_time", "template.threshold"]


def test_quote_requests_need_one_currency_and_sane_lines() -> None:
    ok = pb.QuoteRequest(buyer_id="b", lines=[pb.QuoteLine(
        line_id="l", seller_id="s", sku_id="k", unit_price=cny(100), quantity=1)])
    assert requests.validate_quote_request(ok) == "CNY"
    bad = pb.QuoteRequest(lines=[
        pb.QuoteLine(line_id="l", seller_id="s", sku_id="k", unit_price=cny(100), quantity=1),
        pb.QuoteLine(line_id="m", seller_id="s", sku_id="k", quantity=1,
                     unit_price=Money(currency_code="USD", amount_minor=1))],
        coupon_ids=["c", "c"], stored_value_amount=cny(1))
    assert refused(pb.HoldBenefitsRequest(order_id="o", quote=bad),
                   lambda: requests.validate_quote_request(bad, "quote.")) == [
        "quote.lines[1].unit_price.currency_code", "quote.coupon_ids",
        "quote.stored_value_card_id"]
    huge = pb.QuoteRequest(buyer_id="b", lines=[pb.QuoteLine(
        line_id="l" * 65, seller_id=" ", sku_id="k", unit_price=cny(10**10 + 1),
        quantity=10**6 + 1)], coupon_ids=["c"] * 21, points=-1)
    assert refused(huge, lambda: None) == [
        "lines[0].line_id", "lines[0].seller_id", "lines[0].unit_price.amount_minor",
        "lines[0].quantity", "coupon_ids", "points"]
    # The sellers' freight: each seller once, in the cart's currency, never negative.
    freights = pb.QuoteRequest(lines=ok.lines, seller_freights=[
        pb.SellerFreight(seller_id="s", freight=cny(700)),
        pb.SellerFreight(seller_id="s", freight=Money(currency_code="USD", amount_minor=1)),
        pb.SellerFreight(seller_id="t", freight=cny(0)),
        pb.SellerFreight(seller_id="u", freight=cny(-1))])
    assert refused(freights, lambda: requests.validate_quote_request(freights)) == [
        "seller_freights[3].freight.amount_minor"]
    freights.seller_freights.pop()
    assert refused(freights, lambda: requests.validate_quote_request(freights)) == [
        "seller_freights", "seller_freights[1].freight.currency_code"]


def test_the_default_policy_survives_a_round_trip() -> None:
    proto = views.stacking_policy(domain.DEFAULT_POLICY)
    assert requests.stacking_policy(proto) == domain.DEFAULT_POLICY
    # An empty order means the default order.
    proto.ClearField("order")
    assert requests.stacking_policy(proto).order == engine.ORDER_KINDS


def test_a_policy_with_unknown_or_repeated_kinds_is_refused() -> None:
    k = pb.DeductionKind
    policy = pb.StackingPolicy(
        order=[k.DEDUCTION_KIND_POINTS, k.DEDUCTION_KIND_POINTS],
        exclusions=[pb.Exclusion(first=k.DEDUCTION_KIND_POINTS,
                                 second=k.DEDUCTION_KIND_POINTS)], points_per_unit=100)
    assert refused(pb.UpdateStackingPolicyRequest(policy=policy),
                   lambda: requests.stacking_policy(policy)) == [
        "policy.order", "policy.exclusions[0]"]
    out_of_range = pb.StackingPolicy(floor_minor=-1, points_per_unit=0,
                                     points_max_share_bps=10_001)
    out_of_range.over_discount = 7  # type: ignore[assignment]
    assert refused(pb.UpdateStackingPolicyRequest(policy=out_of_range), lambda: None) == [
        "policy.over_discount", "policy.floor_minor", "policy.points_per_unit",
        "policy.points_max_share_bps"]
    # No policy at all: nothing for the contract to check, refused all the same.
    assert refused(pb.UpdateStackingPolicyRequest(),
                   lambda: requests.stacking_policy(pb.StackingPolicy())) == [
        "policy.points_per_unit"]


@given(st.lists(st.integers(0, 30), max_size=6), st.sampled_from([1, 16, 4096]))
def test_coupon_combinations_are_bounded_and_deterministic(sizes: list[int], limit: int) -> None:
    groups = [[f"g{g}c{c}" for c in range(n)] for g, n in enumerate(sizes)]
    combos = list(domain.coupon_combinations(groups, limit))
    assert combos == list(domain.coupon_combinations(groups, limit))
    assert len(combos) <= max(limit, 1)
    assert () in combos
    assert len(set(combos)) == len(combos)
    for combo in combos:  # at most one coupon of each group
        assert len({c.split("c")[0] for c in combo}) == len(combo)
    if math.prod(n + 1 for n in sizes) <= limit:
        assert len(combos) == math.prod(n + 1 for n in sizes)
    else:  # the best candidate of each group is always kept
        kept = {c for combo in combos for c in combo}
        assert all(g[0] in kept for g in groups if g) or limit < 2 ** len([g for g in groups
                                                                          if g])


def test_better_choice_prefers_savings_then_fewer_coupons_then_ids() -> None:
    assert domain.better_choice((10, ("b",)), (9, ()))
    assert domain.better_choice((10, ("b",)), (10, ("a", "c")))
    assert domain.better_choice((10, ("a",)), (10, ("b",)))
    assert not domain.better_choice((10, ("b",)), (10, ("b",)))
