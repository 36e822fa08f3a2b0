"""What the quote says about each seller's shipping: free shipping (包邮) and
freight reductions (减配送费).

Pure and deterministic, like the engine that calls it (``engine.quote``,
after its promotion stages): neither takes anything off the goods.

* Free shipping: a seller ships free when a free-shipping rule covering some
  of its lines is reached by the amount of the rule's eligible lines after
  the promotion stages (a shop rule: that seller's lines; a platform rule:
  the whole cart's). A shop's own rule before a platform one, then the
  smallest id.
* Freight reduction: a shop rule of one seller offers a fixed amount off
  that seller's freight once its threshold (0: none) is reached by the
  seller's eligible lines after the promotion stages, as free shipping's.
  The offer is at most what is left of the rule's budget and, when the
  seller's freight is known, at most that freight; a seller that ships
  free is offered none (free shipping wins). Of several rules, the largest
  offer, then the smallest id. An offer is a ``Deduction`` of kind
  FREIGHT_REDUCTION. The platform bears ``platform_share_bps`` of the offer
  (rounded down), the seller the rest; for a smaller freight F the
  platform's part scales to ``platform * F // amount`` (``scaled``), which
  is how trade deducts an offer above the freight
  (``trade.order.amounts.freight_reduction``: the same rule).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from promotion.cart import BPS, Deduction, FreeShipping, FreightReduction, Kind, Line, Scope


def scaled(offer: Deduction, freight: int) -> Deduction:
    """The offer on a freight of ``freight``: min(amount, freight), the
    platform's part in proportion, rounded down."""
    take = max(0, min(offer.amount, freight))
    if take == offer.amount:
        return offer
    return Deduction(offer.kind, offer.source_id, take,
                     offer.platform_amount * take // offer.amount)


def _reached(lines: Sequence[Line], scope: Scope, threshold: int,
             after_promotions: Mapping[str, int]) -> list[Line]:
    """The rule's eligible lines (in scope, discountable) when they are worth
    at least ``threshold`` after the promotion stages; none otherwise."""
    covered = [line for line in lines if not line.non_discountable and scope.covers(line)]
    if not covered or sum(after_promotions[x.line_id] for x in covered) < threshold:
        return []
    return covered


def free_shipping(lines: Sequence[Line], rules: Sequence[FreeShipping],
                  after_promotions: Mapping[str, int]) -> dict[str, str]:
    """Seller id -> the free-shipping rule that covers it (see the module
    docstring)."""
    out: dict[str, str] = {}
    for rule in sorted(rules, key=lambda r: (r.scope.seller_id == "", r.source_id)):
        for line in _reached(lines, rule.scope, rule.threshold, after_promotions):
            out.setdefault(line.seller_id, rule.source_id)
    return out


def freight_reductions(lines: Sequence[Line], rules: Sequence[FreightReduction],
                       after_promotions: Mapping[str, int], free: Mapping[str, str],
                       freights: Mapping[str, int]) -> dict[str, Deduction]:
    """Seller id -> the freight reduction offered for its freight (see the
    module docstring); ``freights``: the sellers' freight, where known."""
    out: dict[str, Deduction] = {}
    for rule in sorted(rules, key=lambda r: r.source_id):
        seller = rule.scope.seller_id
        if not seller or seller in free or not _reached(lines, rule.scope, rule.threshold,
                                                        after_promotions):
            continue
        amount = rule.amount if rule.budget_left is None else min(rule.amount, rule.budget_left)
        if amount <= 0:
            continue
        offer = Deduction(Kind.FREIGHT_REDUCTION, rule.source_id, amount,
                          amount * rule.platform_share_bps // BPS)
        if seller in freights:
            offer = scaled(offer, freights[seller])
        if offer.amount > 0 and (seller not in out or offer.amount > out[seller].amount):
            out[seller] = offer
    return out
