"""logistics' freight rules: freight template validation (beyond the limits
logistics.proto declares: lengths, counts, units and fees in range, checked
by the server first, ``zhongtai.validation``) and the freight calculator. No
database, gRPC or broker here.

Freight of one package (one seller's items) to a destination:

1. the template (the one named, else the seller's default) picks the rule
   for the destination: a region rule matching it (city name, then region
   code prefix, then province name; the first listed on a tie), else the
   default rule if unlisted regions are deliverable, else the package is
   NOT_DELIVERABLE (FAILED_PRECONDITION);
2. a package promotion made free (SellerQuote.free_shipping), or whose items'
   amount reaches the template's free-shipping threshold, costs 0;
3. otherwise ``first_fee`` covers up to ``first_units`` (a package of 0
   units too: every package pays at least its first fee), and every started
   ``additional_units`` beyond them costs ``additional_fee``. Units are
   pieces (BY_COUNT), grams (BY_WEIGHT: the sum of weight_grams × quantity)
   or minor units of the items' amount (BY_AMOUNT).

A BY_WEIGHT template refuses a package with an item of unknown weight
(weight_grams 0), even one that would ship free: FAILED_PRECONDITION
WEIGHT_REQUIRED, never a guessed or free price.

A seller with no template ships free (freight 0, source NO_TEMPLATE).

Templates, packages and quotes are the frozen values below (field for field
logistics.proto's messages, which ``views`` maps); logistics.proto's enum
values are used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from logistics.reasons import E
from logistics.values import Address
from zhongtai.errors import PreconditionViolation, Violations, ZhongtaiError
from zhongtai.logistics.v1 import logistics_pb2 as pb


@dataclass(frozen=True)
class Amount:
    """An amount as a request gives it (minor units; the currency is checked
    where it matters: ``validate_template``)."""

    currency: str = ""
    amount: int = 0


@dataclass(frozen=True)
class FreightRule:
    """First ``first_units`` for ``first_fee``, each started
    ``additional_units`` more for ``additional_fee``."""

    first_units: int = 0
    first_fee: Amount = Amount()
    additional_units: int = 0
    additional_fee: Amount = Amount()


@dataclass(frozen=True)
class RegionRule:
    """The rule for the regions named (provinces, cities, region code prefixes)."""

    provinces: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    region_codes: tuple[str, ...] = ()
    rule: FreightRule | None = None


@dataclass(frozen=True)
class FreightTemplate:
    """A seller's freight template (None: a part not given)."""

    template_id: str
    seller_id: str
    name: str
    delivery_method: int
    charging_basis: int
    default_rule: FreightRule | None
    region_rules: tuple[RegionRule, ...] = ()
    free_shipping_threshold: Amount | None = None
    unlisted_regions_deliverable: bool = False
    is_default: bool = False
    # When it was stored (None: not yet).
    created_at: dt.datetime | None = None


@dataclass(frozen=True)
class FreightItem:
    """Units of one SKU in a package: their weight each (0: unknown) and
    their amount after discounts."""

    sku_id: str
    quantity: int
    weight_grams: int
    amount: Amount


@dataclass(frozen=True)
class FreightPackage:
    """One seller's items to price together (``template_id``: "" for the
    seller's default)."""

    package_id: str
    seller_id: str
    template_id: str
    delivery_method: int
    items: tuple[FreightItem, ...]
    free_shipping: bool = False


@dataclass(frozen=True)
class PackageFreight:
    """The freight of a package, and how it was found (``rule``: None
    without a template)."""

    package_id: str
    seller_id: str
    template_id: str
    freight: Amount
    source: int
    delivery_method: int
    rule: FreightRule | None = None
    units: int = 0


_NO_RULE = FreightRule()


def validate_template(t: FreightTemplate) -> None:
    """Checks on a template to create (INVALID_ARGUMENT listing every field)."""
    v = Violations()
    v.check(t.delivery_method != pb.DELIVERY_METHOD_UNSPECIFIED,
            "template.delivery_method", "is required")
    v.check(t.charging_basis != pb.CHARGING_BASIS_UNSPECIFIED,
            "template.charging_basis", "is required")
    v.check(t.default_rule is not None, "template.default_rule", "is required")
    default_rule = t.default_rule or _NO_RULE
    currency = default_rule.first_fee.currency
    v.check(bool(currency), "template.default_rule.first_fee", "needs a currency")
    _check_rule(v, "template.default_rule", default_rule, currency)
    for i, r in enumerate(t.region_rules):
        name = f"template.region_rules[{i}]"
        v.check(bool(r.provinces or r.cities or r.region_codes), name,
                "names at least one province, city or region code")
        v.check(all(x.strip() for x in [*r.provinces, *r.cities, *r.region_codes]), name,
                "has an empty region")
        v.check(r.rule is not None, f"{name}.rule", "is required")
        _check_rule(v, f"{name}.rule", r.rule or _NO_RULE, currency)
    if t.free_shipping_threshold is not None:
        th = t.free_shipping_threshold
        v.check(th.currency == currency, "template.free_shipping_threshold",
                f"must be in the template's currency {currency}")
    v.raise_if_any()


def _check_rule(v: Violations, name: str, rule: FreightRule, currency: str) -> None:
    """Both fees in the template's currency (units and amounts are the
    contract's limits)."""
    for fee_name in ("first_fee", "additional_fee"):
        fee: Amount = getattr(rule, fee_name)
        v.check(fee.currency == currency, f"{name}.{fee_name}",
                f"must be in the template's currency {currency}")


def rule_fee(rule: FreightRule, units: int) -> int:
    """first_fee for 0 up to first_units, plus additional_fee per started
    additional_units beyond them."""
    fee = rule.first_fee.amount
    extra = units - rule.first_units
    if extra > 0:
        steps = -(-extra // max(rule.additional_units, 1))
        fee += steps * rule.additional_fee.amount
    return max(fee, 0)


def units(basis: int, items: Sequence[FreightItem]) -> int:
    """What a package counts for its template's basis: pieces, grams (weight ×
    quantity) or minor units of the items' amount."""
    if basis == pb.CHARGING_BASIS_BY_WEIGHT:
        return sum(max(i.weight_grams, 0) * max(i.quantity, 0) for i in items)
    if basis == pb.CHARGING_BASIS_BY_AMOUNT:
        return sum(max(i.amount.amount, 0) for i in items)
    return sum(max(i.quantity, 0) for i in items)


def _norm(s: str) -> str:
    return s.strip()


@dataclass(frozen=True)
class Match:
    rule: FreightRule
    source: int


def match_rule(t: FreightTemplate, to: Address) -> Match | None:
    """The rule for a destination, or None when the template does not deliver there."""
    city, province, code = _norm(to.city), _norm(to.province), _norm(to.region_code)
    best: tuple[int, int] | None = None  # (precedence, -index): higher wins
    chosen: RegionRule | None = None
    for i, r in enumerate(t.region_rules):
        score = 0
        if city and city in {_norm(c) for c in r.cities}:
            score = 3_000_000
        elif code and (lens := [len(c) for c in map(_norm, r.region_codes)
                                if c and code.startswith(c)]):
            score = 1_000_000 + max(lens)
        elif province and province in {_norm(p) for p in r.provinces}:
            score = 1
        if score and (best is None or (score, -i) > best):
            best, chosen = (score, -i), r
    if chosen is not None:
        return Match(chosen.rule or _NO_RULE, pb.FREIGHT_SOURCE_REGION_RULE)
    if t.unlisted_regions_deliverable:
        return Match(t.default_rule or _NO_RULE, pb.FREIGHT_SOURCE_DEFAULT_RULE)
    return None


def not_deliverable(t: FreightTemplate, package_id: str, to: Address) -> ZhongtaiError:
    """NOT_DELIVERABLE: the template has no rule for the destination."""
    where = " ".join(x for x in (to.province, to.city, to.district) if x) or to.region_code
    return E(
        pb.ERROR_REASON_NOT_DELIVERABLE,
        f"seller {t.seller_id} does not deliver to {where} (freight template "
        f"{t.template_id})",
        violations=[PreconditionViolation("DESTINATION", f"freight_templates/{t.template_id}",
                                          f"{where} is not deliverable")],
        metadata={"template_id": t.template_id, "seller_id": t.seller_id,
                  "package_id": package_id})


def require_weights(t: FreightTemplate, package: FreightPackage) -> None:
    """A by-weight template prices only items whose weight is known."""
    weightless = [i.sku_id for i in package.items if i.weight_grams <= 0]
    if weightless:
        raise E(
            pb.ERROR_REASON_WEIGHT_REQUIRED,
            f"freight template {t.template_id} charges by weight and SKUs "
            f"{', '.join(weightless)} have no weight",
            violations=[PreconditionViolation("WEIGHT", f"skus/{sku_id}", "weight_grams is 0")
                        for sku_id in weightless],
            metadata={"sku_id": weightless[0], "template_id": t.template_id,
                      "package_id": package.package_id})


def quote_package(t: FreightTemplate | None, package: FreightPackage,
                  to: Address, currency: str = "CNY") -> PackageFreight:
    """The freight of one package with its template (None: the seller has none)."""
    if t is None:
        return PackageFreight(package.package_id, package.seller_id, "", Amount(currency, 0),
                              pb.FREIGHT_SOURCE_NO_TEMPLATE, package.delivery_method)
    template_currency = (t.default_rule or _NO_RULE).first_fee.currency
    match = match_rule(t, to)
    if match is None:
        raise not_deliverable(t, package.package_id, to)
    if t.charging_basis == pb.CHARGING_BASIS_BY_WEIGHT:
        require_weights(t, package)
    counted = units(t.charging_basis, package.items)
    amount = sum(i.amount.amount for i in package.items)
    source: int
    if package.free_shipping:
        fee, source = 0, pb.FREIGHT_SOURCE_FREE_SHIPPING_PROMOTION
    elif (t.free_shipping_threshold is not None
          and amount >= t.free_shipping_threshold.amount):
        fee, source = 0, pb.FREIGHT_SOURCE_FREE_SHIPPING_THRESHOLD
    else:
        fee, source = rule_fee(match.rule, counted), match.source
    return PackageFreight(package.package_id, package.seller_id, t.template_id,
                          Amount(template_currency, fee), source, t.delivery_method,
                          match.rule, counted)


def validate_quote(packages: Sequence[FreightPackage], destination: Address | None) -> None:
    """INVALID_ARGUMENT listing every bad field of a quote request: its
    packages and its destination (None: not given)."""
    v = Violations()
    to = destination or Address()
    v.check(len(packages) > 0, "packages", "at least one package")
    v.check(destination is not None, "destination", "is required")
    v.check(bool(to.province or to.city or to.region_code), "destination",
            "needs a province, city or region code")
    for i, p in enumerate(packages):
        v.check(len(p.items) > 0, f"packages[{i}].items", "at least one item")
    v.raise_if_any()
