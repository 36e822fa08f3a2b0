"""trade's side of after-sales end to end on the embedded platform, through
the stubs with after-sales' service credential: what a paid, discounted
3-line order may refund, the caps, exact plans for partial refunds, and an
order whose every line is refunded before shipment closed without
``OrderCancelled``."""

from __future__ import annotations

import grpc
import pytest

from tests.builders import cny
from tests.conftest import eventually
from tests.e2e.builders import (
    CARD,
    DAY,
    POINTS,
    express_template,
    order_of,
    pay_by_balance,
    ts,
)
from tests.e2e.platform import Platform
from tests.e2e.support import order_request, refusal, seed_shop, status_is
from zhongtai.auth import Identity, Role
from zhongtai.promotion.v1 import promotion_pb2 as pr
from zhongtai.trade.v1 import trade_pb2 as tr

pytestmark = pytest.mark.e2e

AFTERSALES = Identity.for_service("aftersales")
REFUNDED = "zhongtai.trade.v1.OrderRefunded"


async def discounted_order(p: Platform, buyer: str) -> tr.Order:
    """Three lines of one seller (33.33 × 2, 25.00, 9.99 × 3; freight 8.00 +
    1.00 a unit more) with a shop promotion (12.34 off 50.00), 7.00 of
    points and 15.01 of a card, paid from the buyer's balance."""
    shop = await seed_shop(p.stubs, "refunds", [3_333, 2_500, 999])
    await express_template(p.logistics, shop.seller_id, 800, 100)
    await p.promotion.CreatePromotion(pr.CreatePromotionRequest(promotion=pr.Promotion(
        kind=pr.PROMOTION_KIND_SHOP_FULL_REDUCTION, title="满50减12.34",
        scope=pr.Scope(seller_id=shop.seller_id),
        ladders=[pr.Ladder(threshold=cny(5_000), amount_off=cny(1_234))],
        start_time=ts(-DAY), end_time=ts(DAY))))
    await p.promotion.EarnPoints(pr.EarnPointsRequest(request_id=f"earn-{buyer}",
                                                      buyer_id=buyer, points=1_000))
    card = (await p.promotion.CreateStoredValueCard(pr.CreateStoredValueCardRequest(
        request_id=f"card-{buyer}", buyer_id=buyer, balance=cny(10_000)))).card
    req = order_request(buyer, [(shop.sku_ids[0], 2), (shop.sku_ids[1], 1),
                                (shop.sku_ids[2], 3)], request_id=buyer)
    req.benefits.CopyFrom(tr.Benefits(points=700, stored_value_card_id=card.card_id,
                                      stored_value_amount=cny(1_501)))
    order = (await p.stubs.trade.CreateOrder(req)).order
    await pay_by_balance(p, buyer, order)
    await eventually(lambda: status_is(p.stubs, order.order_id, tr.ORDER_STATUS_WAIT_SHIP))
    return await order_of(p, order.order_id)


def expected_parts(line: tr.Order, refunded_before: int, refunded_after: int
                   ) -> list[tuple[int, int]]:
    """Each deduction's share of a claim: the growth of floor(amount × r)."""
    paid = line.actual_amount.amount_minor
    return [(d.kind, d.amount.amount_minor * refunded_after // paid
             - d.amount.amount_minor * refunded_before // paid) for d in line.deductions]


async def test_a_discounted_order_refunded_line_by_line_gives_back_exactly_what_was_paid(
        platform: Platform) -> None:
    p, as_aftersales = platform, platform.as_(AFTERSALES)
    trade = p.stubs.trade
    order = await discounted_order(p, "refund-buyer")
    lines = list(order.sub_orders)
    assert len(lines) == 3 and all(x.deductions for x in lines)
    shown = await trade.GetRefundable(tr.GetRefundableRequest(order_id=order.order_id),
                                      metadata=p.as_(Identity(Role.BUYER,
                                                                      "refund-buyer")))
    assert shown.refundable and shown.freight_amount == order.freight_amount
    assert [(x.line_order_id, x.max_refundable, x.refundable_quantity, x.shipped)
            for x in shown.lines] == [(x.order_id, x.actual_amount, x.quantity, False)
                                      for x in lines]
    assert shown.address.city  # where a return would come from

    first = lines[0]
    cap = first.actual_amount.amount_minor

    def claim(app: str, line: tr.Order, amount: int, quantity: int) -> tr.OpenRefundRequest:
        return tr.OpenRefundRequest(application_id=app, line_order_id=line.order_id,
                                    buyer_id="refund-buyer", kind=tr.REFUND_KIND_REFUND_ONLY,
                                    quantity=quantity, amount=cny(amount))

    over = await refusal(trade.OpenRefund(claim("over", first, cap + 1, 1),
                                          metadata=as_aftersales))
    assert over["reason"] == "REFUND_AMOUNT_EXCEEDED"
    assert over["metadata"]["max_refundable"] == str(cap)  # type: ignore[index]
    denied = await refusal(trade.OpenRefund(claim("x", first, 1, 1), metadata=p.as_(
        Identity(Role.BUYER, "refund-buyer"))), grpc.StatusCode.PERMISSION_DENIED)
    assert denied["reason"] == "ROLE_NOT_ALLOWED"

    # A partial refund of the first line: one unit, 40.00.
    opened = (await trade.OpenRefund(claim("app-1", first, 4_000, 1),
                                     metadata=as_aftersales)).line
    assert opened.refund_status == tr.LINE_REFUND_STATUS_REFUNDING
    assert opened.open_application_id == "app-1" and opened.refundable_quantity == 1
    busy = await refusal(trade.OpenRefund(claim("app-2", first, 1, 1), metadata=as_aftersales))
    assert (busy["reason"], busy["metadata"]) == (  # type: ignore[index]
        "LINE_REFUND_OPEN", {"application_id": "app-1", "line_order_id": first.order_id})
    plan = (await trade.AgreeRefund(tr.AgreeRefundRequest(application_id="app-1"),
                                    metadata=as_aftersales)).plan
    assert [(d.kind, d.amount.amount_minor) for d in plan.deductions] == \
        expected_parts(first, 0, 4_000)
    assert plan.cash_amount.amount_minor == 4_000 and plan.freight_amount.amount_minor == 0
    assert [(x.pay_order_id, x.amount.amount_minor) for x in plan.payments] == \
        [(order.pay_order.pay_order_id, 4_000)]
    assert plan.restock_quantity == 1 and not plan.restore_coupons
    again = (await trade.AgreeRefund(tr.AgreeRefundRequest(application_id="app-1"),
                                     metadata=as_aftersales)).plan
    assert again == plan
    finished = (await trade.FinishRefund(tr.FinishRefundRequest(
        application_id="app-1", outcome=tr.REFUND_OUTCOME_KIND_REFUNDED),
        metadata=as_aftersales)).order
    line = next(x for x in finished.sub_orders if x.order_id == first.order_id)
    assert (line.refund_status, line.refunded_amount.amount_minor, line.refunded_quantity) == \
        (tr.LINE_REFUND_STATUS_REFUNDED, 4_000, 1)
    assert finished.pay_status == tr.PAY_STATUS_PARTIALLY_REFUNDED

    # The rest of every line: together exactly what was paid, points and card back.
    plans = [plan]
    rest = [(first, cap - 4_000, 1)] + [(x, x.actual_amount.amount_minor, x.quantity)
                                         for x in lines[1:]]
    for i, (x, amount, quantity) in enumerate(rest):
        await trade.OpenRefund(claim(f"rest-{i}", x, amount, quantity), metadata=as_aftersales)
        plans.append((await trade.AgreeRefund(tr.AgreeRefundRequest(
            application_id=f"rest-{i}"), metadata=as_aftersales)).plan)
        await trade.FinishRefund(tr.FinishRefundRequest(
            application_id=f"rest-{i}", outcome=tr.REFUND_OUTCOME_KIND_REFUNDED),
            metadata=as_aftersales)
    assert sum(x.cash_amount.amount_minor + x.freight_amount.amount_minor for x in plans) == \
        order.pay_order.actual_amount.amount_minor
    assert sum(x.points_amount.amount_minor for x in plans) == 700
    assert sum(x.stored_value_amount.amount_minor for x in plans) == 1_501
    assert plans[-1].freight_amount == order.freight_amount and plans[-1].restore_coupons
    by_kind = {(d.kind, d.source_id): 0 for d in order.deductions}
    for x in plans:
        for d in x.deductions:
            by_kind[(d.kind, d.source_id)] += d.amount.amount_minor
    assert by_kind == {(d.kind, d.source_id): d.amount.amount_minor for d in order.deductions}
    assert {POINTS, CARD} <= {k for k, _ in by_kind}

    closed = await order_of(p, order.order_id)
    assert (closed.status, closed.close_reason, closed.pay_status) == (
        tr.ORDER_STATUS_CANCELLED, tr.CLOSE_REASON_REFUNDED, tr.PAY_STATUS_REFUNDED)
    assert [x.log_order.status for x in closed.sub_orders] == [tr.LOGISTICS_STATUS_CANCELLED] * 3
    await eventually(lambda: _count(p, REFUNDED, order.order_id, 4))
    assert p.events.of("zhongtai.trade.v1.OrderCancelled", order.order_id) == []
    assert len(p.events.of("zhongtai.trade.v1.OrderRefundOpened", order.order_id)) == 4
    again_shown = await trade.GetRefundable(tr.GetRefundableRequest(order_id=order.order_id))
    assert not again_shown.refundable
    assert all(x.max_refundable.amount_minor == 0 for x in again_shown.lines)


async def _count(p: Platform, event_type: str, order_id: str, n: int) -> bool:
    return len(p.events.of(event_type, order_id)) == n
