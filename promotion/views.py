"""promotion's values as protobuf: promotions, coupon templates and
coupons, points accounts, red packet pools and packets, stored-value cards,
the stacking policy, a priced cart (the engine's quote as QuoteResponse) and
an order's benefit hold as the API shows them; the integration events
promotion publishes (``promotion.coupon.claimed``,
``promotion.red_packet.issued``, ``promotion.hold.changed``); and what holds
store: a hold's quote (a serialized QuoteResponse) and the answer of a
ReturnBenefits request (a serialized ReturnBenefitsResponse).

The one place (with the servicer and ``promotion.requests``) where
promotion builds protobuf messages. No database here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from promotion import domain, engine
from promotion.values import (
    Amount,
    BenefitHold,
    Coupon,
    CouponTemplate,
    PointsAccount,
    Priced,
    Promotion,
    RedPacket,
    RedPacketPool,
    ReturnedShare,
    Scope,
    StoredValueCard,
)
from zhongtai.common.v1.common_pb2 import Money
from zhongtai.promotion.v1 import events_pb2 as ev
from zhongtai.promotion.v1 import promotion_pb2 as pb
from zhongtai.wire import enum_value, money, timestamp


def scope(x: Scope) -> pb.Scope:
    """A rule's scope."""
    return pb.Scope(seller_id=x.seller_id, sku_ids=x.sku_ids, category_ids=x.category_ids)


def promotion(x: Promotion) -> pb.Promotion:
    """A promotion, with the amounts its kind uses, its budget if it has one."""
    p = pb.Promotion(
        promotion_id=x.promotion_id, kind=enum_value(x.kind), title=x.title, scope=scope(x.scope),
        start_time=timestamp(x.start), end_time=timestamp(x.end), rate_bps=x.rate_bps,
        per_buyer_limit=x.per_buyer_limit, ended=x.ended,
        cost_sharing=pb.CostSharing(platform_share_bps=x.platform_share_bps),
    )
    if x.kind in (pb.PROMOTION_KIND_ITEM_DIRECT_REDUCTION, domain.FREIGHT_REDUCTION):
        p.amount_off.CopyFrom(money(x.currency, x.amount_off))
    if x.kind in (pb.PROMOTION_KIND_FLASH_SALE, pb.PROMOTION_KIND_VIP_PRICE):
        p.price.CopyFrom(money(x.currency, x.price))
    if x.budget is not None:
        p.budget.CopyFrom(money(x.currency, x.budget))
        p.budget_used.CopyFrom(money(x.currency, x.budget_used))
    for step in x.ladders:
        ladder = p.ladders.add(threshold=money(x.currency, step.threshold),
                               rate_bps=step.rate_bps)
        if step.amount_off:
            ladder.amount_off.CopyFrom(money(x.currency, step.amount_off))
    return p


def coupon_template(x: CouponTemplate) -> pb.CouponTemplate:
    """A template, with the amounts its kind uses (none without a currency)."""
    tpl = pb.CouponTemplate(
        template_id=x.template_id, title=x.title, kind=enum_value(x.kind), scope=scope(x.scope),
        rate_bps=x.rate_bps, valid_days=x.valid_days, total_quantity=x.total_quantity,
        per_buyer_limit=x.per_buyer_limit, restore_on_cancel=x.restore_on_cancel,
        cost_sharing=pb.CostSharing(platform_share_bps=x.platform_share_bps),
        issued_quantity=x.issued_quantity,
    )
    if x.currency:
        if x.kind != pb.COUPON_KIND_NO_THRESHOLD:
            tpl.threshold.CopyFrom(money(x.currency, x.threshold))
        if x.kind != pb.COUPON_KIND_DISCOUNT:
            tpl.amount_off.CopyFrom(money(x.currency, x.amount_off))
        elif x.max_off:
            tpl.max_off.CopyFrom(money(x.currency, x.max_off))
    for name, at in (("claim_start_time", x.claim_start), ("claim_end_time", x.claim_end),
                     ("valid_start_time", x.valid_start), ("valid_end_time", x.valid_end)):
        if at is not None:
            getattr(tpl, name).CopyFrom(timestamp(at))
    return tpl


def coupon(x: Coupon) -> pb.Coupon:
    """A buyer's coupon, with its template."""
    return pb.Coupon(
        coupon_id=x.coupon_id, template_id=x.template_id, buyer_id=x.buyer_id,
        status=enum_value(x.status), valid_start_time=timestamp(x.valid_start),
        valid_end_time=timestamp(x.valid_end), order_id=x.order_id,
        template=coupon_template(x.template))


def coupon_claimed(x: Coupon, at: dt.datetime) -> ev.CouponClaimed:
    """``promotion.coupon.claimed``: the coupon a buyer claimed, at ``at``."""
    return ev.CouponClaimed(coupon=coupon(x), occur_time=timestamp(at))


def points_account(x: PointsAccount) -> pb.PointsAccount:
    """A buyer's points: ``balance`` includes the frozen ones."""
    return pb.PointsAccount(buyer_id=x.buyer_id, balance=x.balance, frozen=x.frozen,
                            available=x.available)


def red_packet_pool(x: RedPacketPool) -> pb.RedPacketPool:
    """A pool, its budget and what remains of it."""
    return pb.RedPacketPool(pool_id=x.pool_id, funded_by_seller_id=x.funded_by_seller_id,
                            budget=money(x.currency, x.budget),
                            remaining=money(x.currency, x.remaining),
                            valid_days=x.valid_days)


def red_packet(x: RedPacket) -> pb.RedPacket:
    """A buyer's red packet."""
    return pb.RedPacket(red_packet_id=x.red_packet_id, pool_id=x.pool_id,
                        buyer_id=x.buyer_id, amount=money(x.currency, x.amount),
                        status=enum_value(x.status), expire_time=timestamp(x.expire_at),
                        order_id=x.order_id, funded_by_seller_id=x.funded_by_seller_id)


def red_packet_issued(x: RedPacket, at: dt.datetime) -> ev.RedPacketIssued:
    """``promotion.red_packet.issued``: the packet issued, at ``at``."""
    return ev.RedPacketIssued(red_packet=red_packet(x), occur_time=timestamp(at))


def stored_value_card(x: StoredValueCard) -> pb.StoredValueCard:
    """A card: its balance, what holds keep of it, what is available."""
    return pb.StoredValueCard(card_id=x.card_id, buyer_id=x.buyer_id,
                              balance=money(x.currency, x.balance),
                              held=money(x.currency, x.held),
                              available=money(x.currency, x.available))


def stacking_policy(policy: engine.Policy) -> pb.StackingPolicy:
    """The engine's policy as the API shows it (exclusions in sorted pairs)."""
    return pb.StackingPolicy(
        order=[enum_value(int(k)) for k in policy.order],
        exclusions=[pb.Exclusion(first=enum_value(a), second=enum_value(b))
                    for a, b in domain.sorted_exclusions(policy)],
        over_discount=(pb.OVER_DISCOUNT_POLICY_REFUSE if policy.refuse_over_discount
                       else pb.OVER_DISCOUNT_POLICY_CAP),
        floor_minor=policy.floor,
        points_per_unit=policy.points_per_unit,
        points_max_share_bps=policy.points_max_share_bps,
        points_cost_sharing=pb.CostSharing(
            platform_share_bps=policy.points_platform_share_bps),
    )


def benefit_hold(x: BenefitHold) -> pb.BenefitHold:
    """An order's hold (its card amount only when it holds a card)."""
    hold = pb.BenefitHold(order_id=x.order_id, buyer_id=x.buyer_id, status=enum_value(x.status),
                          coupon_ids=x.coupon_ids, points=x.points,
                          red_packet_id=x.red_packet_id, stored_value_card_id=x.card_id)
    if x.card_id:
        hold.stored_value_amount.CopyFrom(money(x.currency, x.card_amount))
    return hold


def hold_changed(x: BenefitHold, at: dt.datetime) -> ev.BenefitHoldChanged:
    """``promotion.hold.changed``: the hold as it is now, at ``at``."""
    return ev.BenefitHoldChanged(hold=benefit_hold(x), occur_time=timestamp(at))


def _deduction(kind: int, d: engine.Deduction, m: Callable[[int], Money]) -> pb.Deduction:
    return pb.Deduction(kind=enum_value(kind), source_id=d.source_id, amount=m(d.amount),
                        platform_amount=m(d.platform_amount),
                        merchant_amount=m(d.merchant_amount))


def quote_response(x: Priced) -> pb.QuoteResponse:
    """A priced cart as QuoteResponse: lines, sellers (with their bearers,
    free shipping and freight reduction), totals per source, points, unused
    coupons and the coupons BestCoupons chose."""
    q = x.quote

    def m(amount: int) -> Money:
        return money(x.currency, amount)

    resp = pb.QuoteResponse(original_amount=m(q.original), deducted_amount=m(q.deducted),
                            payable_amount=m(q.payable), points_used=q.points_used,
                            points_max=q.points_max, unused_coupon_ids=x.unused_coupon_ids,
                            coupon_ids=x.chosen_coupon_ids)
    sellers: dict[str, list[int]] = {}
    for lq in q.lines:
        resp.lines.add(
            line_id=lq.line.line_id, seller_id=lq.line.seller_id,
            original_amount=m(lq.line.amount), actual_amount=m(lq.actual),
            deductions=[_deduction(int(d.kind), d, m) for d in lq.deductions])
        agg = sellers.setdefault(lq.line.seller_id, [0, 0, 0, 0, 0])
        agg[0] += lq.line.amount
        agg[1] += lq.deducted
        agg[2] += lq.actual
        for d in lq.deductions:
            agg[3] += d.merchant_amount
            agg[4] += d.platform_amount
    for seller_id, (original, deducted, actual, merchant, platform) in sellers.items():
        free = q.free_shipping.get(seller_id, "")
        seller = resp.sellers.add(
            seller_id=seller_id, original_amount=m(original), deducted_amount=m(deducted),
            actual_amount=m(actual), merchant_borne_amount=m(merchant),
            platform_borne_amount=m(platform), free_shipping=bool(free),
            free_shipping_promotion_id=free)
        if (offer := q.freight_reductions.get(seller_id)) is not None:
            seller.freight_reduction.CopyFrom(
                _deduction(pb.DEDUCTION_KIND_FREIGHT_REDUCTION, offer, m))
    for total in q.totals:
        resp.deductions.add(kind=enum_value(int(total.kind)), source_id=total.source_id,
                            amount=m(total.amount), offered_amount=m(total.offered))
    return resp


def quote_bytes(x: Priced) -> bytes:
    """A hold's quote as stored (a serialized QuoteResponse, deterministic)."""
    return quote_response(x).SerializeToString(deterministic=True)


def quote(stored: bytes) -> pb.QuoteResponse:
    """A hold's quote as stored (a serialized QuoteResponse)."""
    return pb.QuoteResponse.FromString(stored)


def points_amount(stored: bytes) -> int:
    """What the points took off in a hold's stored quote (its POINTS
    deductions' money)."""
    return sum(d.amount.amount_minor for d in quote(stored).deductions
               if d.kind == pb.DEDUCTION_KIND_POINTS)


def returned_share(x: ReturnedShare) -> pb.ReturnBenefitsResponse:
    """What one ReturnBenefits request gave back (the card amount only when
    the order used a card)."""
    response = pb.ReturnBenefitsResponse(points_returned=x.points,
                                         coupons_restored=x.coupons_restored,
                                         red_packet_restored=x.red_packet_restored)
    if x.card is not None:
        response.stored_value_returned.CopyFrom(money(x.card.currency, x.card.amount))
    return response


def returned_share_bytes(x: ReturnedShare) -> bytes:
    """A ReturnBenefits request's answer as stored, to replay it."""
    return returned_share(x).SerializeToString(deterministic=True)


def returned_share_of(stored: bytes) -> ReturnedShare:
    """A ReturnBenefits request's stored answer (``returned_share_bytes``)."""
    r = pb.ReturnBenefitsResponse.FromString(stored)
    card = r.stored_value_returned
    return ReturnedShare(
        points=r.points_returned,
        card=(Amount(card.amount_minor, card.currency_code)
              if r.HasField("stored_value_returned") else None),
        coupons_restored=tuple(r.coupons_restored),
        red_packet_restored=r.red_packet_restored)
