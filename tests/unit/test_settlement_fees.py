"""Fee rules: versions by effective time, tiers, bases and rounding."""

from __future__ import annotations

import datetime as dt

import pytest

from settlement.fees import CommissionBase, CommissionKind, Tier, in_force, rate, validate
from tests.settlement_support import T0, rule
from zhongtai.errors import InvalidArgument

DAY = dt.timedelta(days=1)


def test_rate_rounds_half_up_to_the_minor_unit() -> None:
    assert rate(5, 1000) == 1  # 0.5 -> 1
    assert rate(4, 1000) == 0  # 0.4 -> 0
    assert rate(15, 1000) == 2  # 1.5 -> 2
    assert rate(-100, 1000) == 0
    assert rate(4000, 1000) == 400


def test_the_version_in_force_at_the_order_creation_applies() -> None:
    old, new = rule(1000, rule_id="old"), rule(500, rule_id="new", effective=T0 + DAY)
    assert in_force([old, new], "default", "s1", T0 + DAY / 2) is old
    assert in_force([old, new], "default", "s1", T0 + DAY) is new
    assert in_force([old, new], "default", "s1", T0 - DAY) is None
    assert in_force([old, new], "takeout", "s1", T0 + DAY) is None


def test_a_merchant_rule_comes_before_the_business_rule() -> None:
    everyone, own = rule(1000, rule_id="all"), rule(300, seller_id="s1", rule_id="own")
    assert in_force([everyone, own], "default", "s1", T0) is own
    assert in_force([everyone, own], "default", "s2", T0) is everyone


def test_tiers_apply_the_highest_reached_rate_to_the_whole_base() -> None:
    r = rule(0, commission_kind=CommissionKind.TIERED,
             tiers=(Tier(0, 1000), Tier(10000, 800), Tier(100000, 500)))
    assert r.commission(9999, 0) == 1000  # 999.9 -> 1000
    assert r.commission(10000, 0) == 800
    assert r.commission(200000, 0) == 10000


def test_the_base_after_merchant_discounts_and_a_fixed_commission() -> None:
    after = rule(1000, commission_base=CommissionBase.GOODS_AFTER_MERCHANT_DISCOUNTS)
    assert after.commission(4000, 1900) == 210
    assert rule(1000).commission(4000, 1900) == 400
    fixed = rule(0, commission_kind=CommissionKind.FIXED, fixed_amount=500)
    assert fixed.commission(4000, 0) == 500
    assert fixed.commission(300, 0) == 300  # never above the base


def test_an_invalid_rule_is_refused_with_every_violation() -> None:
    bad = rule(20000, business_type=" ", commission_kind=CommissionKind.TIERED,
               tiers=(Tier(5, 100),), channel_fee_bps=-1)
    with pytest.raises(InvalidArgument) as e:
        validate(bad)
    fields = {v.field for v in e.value.violations}
    assert fields == {"fee_rule.business_type", "fee_rule.commission_rate_bps",
                      "fee_rule.channel_fee_bps", "fee_rule.commission_tiers"}
    validate(rule(1000))
