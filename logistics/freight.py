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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from logistics.reasons import E
from zhongtai.common.v1.common_pb2 import Address, Money
from zhongtai.errors import PreconditionViolation, Violations, ZhongtaiError
from zhongtai.logistics.v1 import logistics_pb2 as pb


def validate_template(t: pb.FreightTemplate) -> None:
    """Checks on a template to create (INVALID_ARGUMENT listing every field)."""
    v = Violations()
    v.check(t.delivery_method != pb.DELIVERY_METHOD_UNSPECIFIED,
            "template.delivery_method", "is required")
    v.check(t.charging_basis != pb.CHARGING_BASIS_UNSPECIFIED,
            "template.charging_basis", "is required")
    v.check(t.HasField("default_rule"), "template.default_rule", "is required")
    currency = t.default_rule.first_fee.currency_code
    v.check(bool(currency), "template.default_rule.first_fee", "needs a currency")
    _check_rule(v, "template.default_rule", t.default_rule, currency)
    for i, r in enumerate(t.region_rules):
        name = f"template.region_rules[{i}]"
        v.check(bool(r.provinces or r.cities or r.region_codes), name,
                "names at least one province, city or region code")
        v.check(all(x.strip() for x in [*r.provinces, *r.cities, *r.region_codes]), name,
                "has an empty region")
        v.check(r.HasField("rule"), f"{name}.rule", "is required")
        _check_rule(v, f"{name}.rule", r.rule, currency)
    if t.HasField("free_shipping_threshold"):
        th = t.free_shipping_threshold
        v.check(th.currency_code == currency, "template.free_shipping_threshold",
                f"must be in the template's currency {currency}")
    v.raise_if_any()


def _check_rule(v: Violations, name: str, rule: pb.FreightRule, currency: str) -> None:
    """Both fees in the template's currency (units and amounts are the
    contract's limits)."""
    for fee_name in ("first_fee", "additional_fee"):
        fee: Money = getattr(rule, fee_name)
        v.check(fee.currency_code == currency, f"{name}.{fee_name}",
                f"must be in the template's currency {currency}")


def rule_fee(rule: pb.FreightRule, units: int) -> int:
    """first_fee for 0 up to first_units, plus additional_fee per started
    additional_units beyond them."""
    fee = rule.first_fee.amount_minor
    extra = units - rule.first_units
    if extra > 0:
        steps = -(-extra // max(rule.additional_units, 1))
        fee += steps * rule.additional_fee.amount_minor
    return max(fee, 0)


def units(basis: int, items: Sequence[pb.FreightItem]) -> int:
    """What a package counts for its template's basis: pieces, grams (weight ×
    quantity) or minor units of the items' amount."""
    if basis == pb.CHARGING_BASIS_BY_WEIGHT:
        return sum(max(i.weight_grams, 0) * max(i.quantity, 0) for i in items)
    if basis == pb.CHARGING_BASIS_BY_AMOUNT:
        return sum(max(i.amount.amount_minor, 0) for i in items)
    return sum(max(i.quantity, 0) for i in items)


def _norm(s: str) -> str:
    return s.strip()


@dataclass(frozen=True)
class Match:
    rule: pb.FreightRule
    source: int


def match_rule(t: pb.FreightTemplate, to: Address) -> Match | None:
    """The rule for a destination, or None when the template does not deliver there."""
    city, province, code = _norm(to.city), _norm(to.province), _norm(to.region_code)
    best: tuple[int, int] | None = None  # (precedence, -index): higher wins
    chosen: pb.RegionRule | None = None
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
        return Match(chosen.rule, pb.FREIGHT_SOURCE_REGION_RULE)
    if t.unlisted_regions_deliverable:
        return Match(t.default_rule, pb.FREIGHT_SOURCE_DEFAULT_RULE)
    return None


def not_deliverable(t: pb.FreightTemplate, package_id: str, to: Address) -> ZhongtaiError:
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


def require_weights(t: pb.FreightTemplate, package: pb.FreightPackage) -> None:
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


def quote_package(t: pb.FreightTemplate | None, package: pb.FreightPackage,
                  to: Address, currency: str = "CNY") -> pb.PackageFreight:
    """The freight of one package with its template (None: the seller has none)."""
    out = pb.PackageFreight(package_id=package.package_id, seller_id=package.seller_id,
                            delivery_method=package.delivery_method)
    if t is None:
        out.freight.CopyFrom(Money(currency_code=currency, amount_minor=0))
        out.source = pb.FREIGHT_SOURCE_NO_TEMPLATE
        return out
    out.template_id = t.template_id
    out.delivery_method = t.delivery_method
    template_currency = t.default_rule.first_fee.currency_code
    match = match_rule(t, to)
    if match is None:
        raise not_deliverable(t, package.package_id, to)
    out.rule.CopyFrom(match.rule)
    if t.charging_basis == pb.CHARGING_BASIS_BY_WEIGHT:
        require_weights(t, package)
    out.units = units(t.charging_basis, package.items)
    amount = sum(i.amount.amount_minor for i in package.items)
    source: int
    if package.free_shipping:
        fee, source = 0, pb.FREIGHT_SOURCE_FREE_SHIPPING_PROMOTION
    elif (t.HasField("free_shipping_threshold")
          and amount >= t.free_shipping_threshold.amount_minor):
        fee, source = 0, pb.FREIGHT_SOURCE_FREE_SHIPPING_THRESHOLD
    else:
        fee, source = rule_fee(match.rule, out.units), match.source
    out.freight.CopyFrom(Money(currency_code=template_currency, amount_minor=fee))
    out.source = source  # type: ignore[assignment]
    return out


def validate_quote(req: pb.QuoteFreightRequest) -> None:
    """INVALID_ARGUMENT listing every bad field of a quote request."""
    v = Violations()
    v.check(len(req.packages) > 0, "packages", "at least one package")
    v.check(req.HasField("destination"), "destination", "is required")
    v.check(bool(req.destination.province or req.destination.city
                 or req.destination.region_code), "destination",
            "needs a province, city or region code")
    for i, p in enumerate(req.packages):
        v.check(len(p.items) > 0, f"packages[{i}].items", "at least one item")
    v.raise_if_any()
