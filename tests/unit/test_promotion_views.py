"""promotion's edges: a request turned into its use case's values
(promotion.requests) and those values shown again (promotion.views) say
what was asked, and the stored answer of a ReturnBenefits request keeps the
bytes it always had."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from promotion import requests, views
from promotion.values import Amount, PointsAccount, ReturnedShare
from tests.builders import cny
from zhongtai.promotion.v1 import promotion_pb2 as pb
from zhongtai.wire import money, timestamp

IDS = st.text("abc123", min_size=1, max_size=8)
SHARES = st.builds(
    ReturnedShare, points=st.integers(0, 10**6),
    card=st.none() | st.builds(Amount, st.integers(0, 10**9), st.sampled_from(["CNY", "USD"])),
    coupons_restored=st.lists(IDS, max_size=3, unique=True).map(tuple),
    red_packet_restored=st.just("") | IDS)


@given(SHARES)
def test_a_return_answer_is_stored_as_the_response_it_always_was(share: ReturnedShare) -> None:
    response = pb.ReturnBenefitsResponse(points_returned=share.points,
                                         coupons_restored=share.coupons_restored,
                                         red_packet_restored=share.red_packet_restored)
    if share.card is not None:
        response.stored_value_returned.CopyFrom(money(share.card.currency, share.card.amount))
    stored = views.returned_share_bytes(share)
    assert stored == response.SerializeToString(deterministic=True)
    assert views.returned_share_of(stored) == share  # a replay answers the same


def test_a_template_request_shows_again_as_it_was_asked() -> None:
    start = dt.datetime(2030, 1, 2, 3, 4, 5, 678_000, tzinfo=dt.UTC)
    asked = pb.CouponTemplate(
        template_id="t1", title="10 off 50", kind=pb.COUPON_KIND_FULL_REDUCTION,
        scope=pb.Scope(seller_id="s1", sku_ids=["k2", "k1"], category_ids=["c"]),
        threshold=cny(5000), amount_off=cny(1000), claim_start_time=timestamp(start),
        claim_end_time=timestamp(start + dt.timedelta(days=1)),
        valid_start_time=timestamp(start), valid_end_time=timestamp(start + dt.timedelta(days=7)),
        total_quantity=100, per_buyer_limit=2, restore_on_cancel=True,
        cost_sharing=pb.CostSharing(platform_share_bps=2500))
    template = requests.coupon_template(pb.CreateCouponTemplateRequest(template=asked)).valid()
    assert template.currency == "CNY" and template.scope.sku_ids == ("k2", "k1")
    assert views.coupon_template(template) == asked


def test_a_points_account_shows_its_frozen_points_in_its_balance() -> None:
    assert views.points_account(PointsAccount("b1", available=70, frozen=30)) == pb.PointsAccount(
        buyer_id="b1", balance=100, frozen=30, available=70)


def test_a_promotion_request_shows_again_as_it_was_asked() -> None:
    start = dt.datetime(2030, 1, 2, 3, 4, 5, 678_000, tzinfo=dt.UTC)
    asked = pb.Promotion(
        promotion_id="p1", kind=pb.PROMOTION_KIND_SHOP_FULL_REDUCTION, title="30 off 100",
        scope=pb.Scope(seller_id="s1", sku_ids=["k2", "k1"]), start_time=timestamp(start),
        end_time=timestamp(start + dt.timedelta(days=1)),
        ladders=[pb.Ladder(threshold=cny(10_000), amount_off=cny(3000)),
                 pb.Ladder(threshold=cny(20_000), amount_off=cny(7000))],
        budget=cny(50_000), cost_sharing=pb.CostSharing(platform_share_bps=0))
    promotion = requests.promotion(pb.CreatePromotionRequest(promotion=asked)).valid()
    assert promotion.currency == "CNY" and promotion.budget == 50_000
    shown = views.promotion(promotion)
    assert shown.budget_used == cny(0)  # what orders took: nothing yet
    shown.ClearField("budget_used")
    assert shown == asked
