"""logistics' freight calculator: rules, regions, free shipping, validation.

Templates, packages and destinations are written as the contract's messages
and handed to the rules as the servicer does (``logistics.views``)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logistics import freight as d
from logistics import views
from tests.builders import cny, refused_fields
from zhongtai.common.v1.common_pb2 import Address, Money
from zhongtai.errors import FailedPrecondition
from zhongtai.logistics.v1 import logistics_pb2 as pb


def rule(first: int, first_fee: int, add: int, add_fee: int) -> pb.FreightRule:
    return pb.FreightRule(first_units=first, first_fee=cny(first_fee), additional_units=add,
                          additional_fee=cny(add_fee))


def template(**kw: object) -> pb.FreightTemplate:
    base: dict[str, object] = dict(
        template_id="t1", seller_id="s1", name="default",
        delivery_method=pb.DELIVERY_METHOD_EXPRESS, charging_basis=pb.CHARGING_BASIS_BY_COUNT,
        default_rule=rule(1, 1000, 1, 200),
        region_rules=[pb.RegionRule(provinces=["浙江省"], rule=rule(1, 800, 1, 200))],
        unlisted_regions_deliverable=True)
    base.update(kw)
    return pb.FreightTemplate(**base)  # type: ignore[arg-type]


def package(quantity: int, *, free: bool = False, amount: int = 1000,
            weight: int = 0) -> pb.FreightPackage:
    return pb.FreightPackage(package_id="p", seller_id="s1", free_shipping=free, items=[
        pb.FreightItem(sku_id="k", quantity=quantity, weight_grams=weight, amount=cny(amount))])


def quote(t: pb.FreightTemplate | None, p: pb.FreightPackage, to: Address
          ) -> pb.PackageFreight:
    """``freight.quote_package`` as QuoteFreight calls it and answers."""
    return views.package_freight(d.quote_package(
        None if t is None else views.freight_template_of(t), views.freight_package_of(p),
        views.address_of(to)))


def validate_quote(req: pb.QuoteFreightRequest) -> None:
    d.validate_quote([views.freight_package_of(p) for p in req.packages],
                     views.address_of(req.destination) if req.HasField("destination") else None)


def validate_template(t: pb.FreightTemplate) -> None:
    d.validate_template(views.freight_template_of(t))


HANGZHOU = Address(province="浙江省", city="杭州市", region_code="330106")
BEIJING = Address(province="北京市", city="北京市", region_code="110101")
LHASA = Address(province="西藏自治区", city="拉萨市", region_code="540102")


def test_region_rule_first_and_additional_units() -> None:
    q = quote(template(), package(3), HANGZHOU)
    assert q.freight == cny(800 + 2 * 200)
    assert q.source == pb.FREIGHT_SOURCE_REGION_RULE
    assert q.rule.first_fee == cny(800) and q.units == 3 and q.template_id == "t1"


def test_unlisted_region_uses_the_default_rule() -> None:
    q = quote(template(), package(1), BEIJING)
    assert q.freight == cny(1000) and q.source == pb.FREIGHT_SOURCE_DEFAULT_RULE


def test_undeliverable_region_is_a_failed_precondition() -> None:
    with pytest.raises(FailedPrecondition) as e:
        quote(template(unlisted_regions_deliverable=False), package(1), LHASA)
    assert e.value.reason == "NOT_DELIVERABLE"


def test_city_beats_region_code_beats_province() -> None:
    t = template(region_rules=[
        pb.RegionRule(provinces=["浙江省"], rule=rule(1, 100, 1, 0)),
        pb.RegionRule(region_codes=["3301"], rule=rule(1, 200, 1, 0)),
        pb.RegionRule(cities=["杭州市"], rule=rule(1, 300, 1, 0)),
    ])
    assert quote(t, package(1), HANGZHOU).freight == cny(300)
    assert quote(t, package(1), Address(province="浙江省", region_code="330102")
                           ).freight == cny(200)
    assert quote(t, package(1), Address(province="浙江省", city="宁波市")
                           ).freight == cny(100)


def test_free_shipping_by_promotion_and_by_threshold() -> None:
    q = quote(template(), package(3, free=True), HANGZHOU)
    assert q.freight == cny(0) and q.source == pb.FREIGHT_SOURCE_FREE_SHIPPING_PROMOTION
    t = template(free_shipping_threshold=cny(9900))
    assert quote(t, package(3, amount=9899), HANGZHOU).freight == cny(1200)
    q = quote(t, package(3, amount=9900), HANGZHOU)
    assert q.freight == cny(0) and q.source == pb.FREIGHT_SOURCE_FREE_SHIPPING_THRESHOLD


def test_free_shipping_does_not_make_a_region_deliverable() -> None:
    with pytest.raises(FailedPrecondition):
        quote(template(unlisted_regions_deliverable=False),
                        package(1, free=True), LHASA)


def test_no_template_ships_free() -> None:
    q = quote(None, package(5), HANGZHOU)
    assert q.freight == cny(0) and q.source == pb.FREIGHT_SOURCE_NO_TEMPLATE


BY_WEIGHT = template(charging_basis=pb.CHARGING_BASIS_BY_WEIGHT, region_rules=[],
                     default_rule=rule(1000, 1000, 500, 300))  # issue 8's template


@pytest.mark.parametrize(("grams", "fee"), [
    (1, 1000), (1000, 1000), (1001, 1300), (1500, 1300), (1501, 1600), (2000, 1600),
    (2001, 1900)])
def test_by_weight_is_exact_at_the_boundaries(grams: int, fee: int) -> None:
    q = quote(BY_WEIGHT, package(1, weight=grams), BEIJING)
    assert (q.freight, q.units) == (cny(fee), grams)


def test_by_weight_weighs_every_unit_of_every_item() -> None:
    p = package(2, weight=600)  # 1200 g
    p.items.add(sku_id="k2", quantity=3, weight_grams=100, amount=cny(300))  # + 300 g
    q = quote(BY_WEIGHT, p, BEIJING)
    assert (q.units, q.freight) == (1500, cny(1300))


def test_by_weight_refuses_an_unknown_weight_even_when_free() -> None:
    for p in (package(1, weight=0), package(1, weight=0, free=True)):
        p.items.add(sku_id="k2", quantity=1, weight_grams=0, amount=cny(100))
        with pytest.raises(FailedPrecondition) as e:
            quote(BY_WEIGHT, p, BEIJING)
        assert e.value.reason == "WEIGHT_REQUIRED"
        assert e.value.metadata["sku_id"] == "k"
        assert [v.subject for v in e.value.violations] == ["skus/k", "skus/k2"]
    # Only a by-weight template needs weights.
    assert quote(template(), package(1, weight=0), BEIJING).freight == cny(1000)


def test_by_amount() -> None:
    t = template(charging_basis=pb.CHARGING_BASIS_BY_AMOUNT, region_rules=[],
                 default_rule=rule(10000, 500, 10000, 100))
    assert quote(t, package(1, amount=25000), BEIJING).freight == cny(700)
    # Items whose amount was all deducted still ship: the first fee.
    assert quote(t, package(1, amount=0), BEIJING).freight == cny(500)


def test_a_quote_needs_items_with_a_plausible_weight() -> None:
    req = pb.QuoteFreightRequest(destination=BEIJING, packages=[
        pb.FreightPackage(seller_id="s1"), package(1, weight=10**8 + 1)])
    # The weight's range is the contract's; a package without items the rule's.
    assert refused_fields(req, validate_quote) == {
        "packages[0].items", "packages[1].items[0].weight_grams"}


def test_template_validation_lists_every_field() -> None:
    validate_template(template())
    bad = template(name="", delivery_method=0, default_rule=rule(0, -1, 1, 0),
                   region_rules=[pb.RegionRule(rule=rule(1, 1, 1, 1))],
                   free_shipping_threshold=Money(currency_code="USD", amount_minor=1))
    # Lengths and ranges are the contract's limits, the rest the rule's.
    fields = refused_fields(pb.CreateFreightTemplateRequest(template=bad),
                            lambda r: validate_template(r.template))
    assert {"template.name", "template.delivery_method", "template.default_rule.first_units",
            "template.default_rule.first_fee.amount_minor", "template.region_rules[0]",
            "template.free_shipping_threshold"} <= fields


rules = st.builds(rule, st.integers(1, 20), st.integers(0, 10_000), st.integers(1, 20),
                  st.integers(0, 10_000))


@given(rules, st.integers(1, 1000), st.integers(0, 1000))
def test_by_count_freight_is_never_negative_and_monotonic_in_quantity(
        r: pb.FreightRule, quantity: int, more: int) -> None:
    t = template(default_rule=r, region_rules=[])
    low = quote(t, package(quantity), BEIJING).freight.amount_minor
    high = quote(t, package(quantity + more), BEIJING).freight.amount_minor
    assert 0 <= low <= high
    assert low >= r.first_fee.amount_minor


@given(rules, st.integers(1, 10**6), st.integers(0, 10**6))
def test_by_weight_freight_is_monotonic_in_weight_and_at_least_the_first_fee(
        r: pb.FreightRule, grams: int, more: int) -> None:
    t = template(charging_basis=pb.CHARGING_BASIS_BY_WEIGHT, default_rule=r, region_rules=[])
    low = quote(t, package(1, weight=grams), BEIJING).freight.amount_minor
    high = quote(t, package(1, weight=grams + more), BEIJING).freight.amount_minor
    assert r.first_fee.amount_minor <= low <= high


@given(rules, st.integers(0, 1000))
def test_by_weight_steps_start_just_past_each_boundary(r: pb.FreightRule, steps: int) -> None:
    """At first_units + k × additional_units exactly: k additional fees; one
    gram more starts the next step."""
    t = template(charging_basis=pb.CHARGING_BASIS_BY_WEIGHT, default_rule=r, region_rules=[])
    boundary = r.first_units + steps * r.additional_units

    def fee(grams: int) -> int:
        return quote(t, package(1, weight=grams), BEIJING).freight.amount_minor

    first, add = r.first_fee.amount_minor, r.additional_fee.amount_minor
    assert fee(boundary) == first + steps * add
    assert fee(boundary + 1) == first + (steps + 1) * add
