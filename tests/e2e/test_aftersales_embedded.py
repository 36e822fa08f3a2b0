"""After-sales end to end on the embedded default (every service in one
process, SQLite, in-process broker), through gRPC stubs with each party's own
credential: refunds before shipment, exact partial refunds of a discounted
order, caps, the seller's review deadline, refused input."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest

from aftersales.settings import AfterSalesSettings
from tests.builders import cny
from tests.conftest import eventually
from tests.e2e.aftersales_support import (
    DEPOT,
    application_of,
    apply,
    approve,
    as_buyer,
    as_seller,
    carrier_journey,
    lines_of,
    reaches,
    refundable,
    shipped_line,
    stub,
)
from tests.e2e.builders import (
    CANCELLED,
    balance,
    card_of,
    coupon_for,
    coupon_status,
    express_template,
    logistics_orders,
    make_due_and_fire,
    order_of,
    paid_order,
    pay_by_balance,
    points_of,
    ship,
    sold,
)
from tests.e2e.platform import Platform, running_platform
from tests.e2e.support import order_request, refusal, rich_error, seed_shop, status_is
from zhongtai.aftersales.v1 import aftersales_pb2 as af
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.common.v1.common_pb2 import Operator
from zhongtai.ids import new_id
from zhongtai.logistics.v1 import logistics_pb2 as lg
from zhongtai.promotion.v1 import promotion_pb2 as pr
from zhongtai.trade.v1 import trade_pb2 as tr

pytestmark = pytest.mark.e2e

REFUNDED_EVENT = "zhongtai.trade.v1.OrderRefunded"
AFTER_SALES_ENDED = "zhongtai.trade.v1.OrderAfterSalesEnded"


async def test_refund_only_before_shipment_closes_the_order_and_gives_everything_back(
        platform: Platform) -> None:
    p, buyer = platform, "b-refund-only"
    shop = await seed_shop(p.stubs, "RO", [10_000], stock=10)
    await express_template(p.logistics, shop.seller_id, 800, 200)
    order = await paid_order(p, buyer, [(shop.sku_ids[0], 2)])
    paid = order.pay_order.actual_amount.amount_minor
    assert paid == 20_000 + 1_000  # the goods and 8.00 + 2.00 freight
    after_payment = await balance(p, buyer)
    assert await sold(p, shop.sku_ids[0]) == 2
    (lo,) = await logistics_orders(p, order.order_id, 1)

    application = await apply(p, buyer, order)
    assert application.status == af.APPLICATION_STATUS_WAIT_SELLER_REVIEW
    assert (application.seller_id, application.amount.amount_minor) == (shop.seller_id, 20_000)
    line = (await refundable(p, order.order_id)).lines[0]
    assert line.refund_status == tr.LINE_REFUND_STATUS_REFUNDING
    assert line.open_application_id == application.application_id

    await approve(p, application)
    done = await reaches(p, application.application_id, af.APPLICATION_STATUS_REFUNDED)
    # The goods and, as every line is refunded before shipment, the freight.
    assert done.refund.plan.cash_amount.amount_minor == 20_000
    assert done.refund.plan.freight_amount.amount_minor == 1_000
    assert await balance(p, buyer) == after_payment + paid
    closed = await order_of(p, order.order_id)
    assert (closed.status, closed.close_reason) == (
        tr.ORDER_STATUS_CANCELLED, tr.CLOSE_REASON_REFUNDED)
    assert closed.refund_status == tr.LINE_REFUND_STATUS_REFUNDED
    assert (closed.refunded_amount.amount_minor, closed.refunded_quantity) == (20_000, 2)
    assert await sold(p, shop.sku_ids[0]) == 0  # back on sale

    async def cancelled() -> bool:
        got = await p.logistics.GetLogisticsOrder(lg.GetLogisticsOrderRequest(
            logistics_order_id=lo.logistics_order_id))
        return got.logistics_order.status == lg.LOGISTICS_ORDER_STATUS_CANCELLED

    await eventually(cancelled)
    refunded = await p.events.the_one(REFUNDED_EVENT, order.order_id)
    assert refunded.decode().line_cancelled  # type: ignore[attr-defined]
    # Closed by its refunds: nobody is told to cancel (and refund) it again.
    assert not p.events.of(CANCELLED, order.order_id)
    history = (await application_of(p, application.application_id)).history
    assert [h.action for h in history][:2] == [af.ACTION_APPLIED, af.ACTION_APPROVED]
    assert history[-1].action == af.ACTION_REFUNDED


async def test_a_discounted_three_line_order_refunds_each_line_exactly_its_allocation(
        platform: Platform) -> None:
    """Coupon, points and card spread over three lines: each line refunds
    what it was allocated; refunding everything (one line in two parts)
    refunds exactly what was paid, the freight included, and gives every
    point, the card amount and the coupon back."""
    p, buyer = platform, "b-three-lines"
    shop = await seed_shop(p.stubs, "TL", [10_000, 6_001, 3_333], stock=10)
    await express_template(p.logistics, shop.seller_id, 1_000, 0)
    coupon = await coupon_for(p.promotion, buyer, threshold=5_000, off=1_001)
    await p.promotion.EarnPoints(pr.EarnPointsRequest(
        request_id="earn-tl", buyer_id=buyer, points=1_000, reason="welcome"))
    card = (await p.promotion.CreateStoredValueCard(pr.CreateStoredValueCardRequest(
        request_id="card-tl", buyer_id=buyer, balance=cny(5_000)))).card
    req = order_request(buyer, [(shop.sku_ids[0], 1), (shop.sku_ids[1], 3),
                                (shop.sku_ids[2], 1)], request_id="three-lines")
    req.benefits.CopyFrom(tr.Benefits(coupon_ids=[coupon], points=700,
                                      stored_value_card_id=card.card_id,
                                      stored_value_amount=cny(2_999)))
    order = (await p.stubs.trade.CreateOrder(req)).order
    await pay_by_balance(p, buyer, order)
    await eventually(lambda: status_is(p.stubs, order.order_id, tr.ORDER_STATUS_WAIT_SHIP))
    order = await order_of(p, order.order_id)
    paid = order.pay_order.actual_amount.amount_minor
    after_payment = await balance(p, buyer)

    async def redeemed() -> bool:  # promotion redeems on trade.order.paid
        return (await points_of(p.promotion, buyer))[0] == 300

    await eventually(redeemed)
    first, second, third = sorted(lines_of(order), key=lambda o: o.item.unit_price.amount_minor,
                                  reverse=True)

    def part(line: tr.Order, kind: int) -> int:
        return sum(d.amount.amount_minor for d in line.deductions if d.kind == kind)

    # The second line alone: its cash, its points and its card share, exactly.
    application = await apply(p, buyer, second)
    await approve(p, application)
    done = await reaches(p, application.application_id, af.APPLICATION_STATUS_REFUNDED)
    plan = done.refund.plan
    assert plan.cash_amount.amount_minor == second.actual_amount.amount_minor
    assert plan.freight_amount.amount_minor == 0
    assert plan.points_amount.amount_minor == part(second, pr.DEDUCTION_KIND_POINTS)
    assert plan.stored_value_amount.amount_minor == part(
        second, pr.DEDUCTION_KIND_STORED_VALUE_CARD)
    assert not plan.restore_coupons
    assert await balance(p, buyer) == after_payment + second.actual_amount.amount_minor
    # The order is still on: the other lines are paid for.
    assert (await order_of(p, order.order_id)).status == tr.ORDER_STATUS_WAIT_SHIP

    # The first line in two applications (one unit is all it has: by amount).
    half = first.actual_amount.amount_minor // 3
    one = await apply(p, buyer, first, amount=half)
    await approve(p, one)
    await reaches(p, one.application_id, af.APPLICATION_STATUS_REFUNDED)
    rest = await apply(p, buyer, first, amount=first.actual_amount.amount_minor - half)
    await approve(p, rest)
    await reaches(p, rest.application_id, af.APPLICATION_STATUS_REFUNDED)
    last = await apply(p, buyer, third)
    await approve(p, last)
    final = await reaches(p, last.application_id, af.APPLICATION_STATUS_REFUNDED)
    assert final.refund.plan.freight_amount.amount_minor == 1_000
    assert final.refund.plan.restore_coupons

    # Everything paid came back, to the cent; every point, the card, the coupon.
    assert await balance(p, buyer) == after_payment + paid

    async def all_back() -> bool:
        return ((await points_of(p.promotion, buyer))[0] == 1_000
                and (await card_of(p.promotion, card.card_id))[0] == 5_000
                and await coupon_status(p.promotion, buyer, coupon) == pr.COUPON_STATUS_AVAILABLE)

    await eventually(all_back)
    closed = await order_of(p, order.order_id)
    assert (closed.status, closed.close_reason) == (
        tr.ORDER_STATUS_CANCELLED, tr.CLOSE_REASON_REFUNDED)
    assert closed.refunded_amount.amount_minor == closed.actual_amount.amount_minor


async def test_a_second_application_above_what_is_left_is_refused(platform: Platform) -> None:
    p, buyer = platform, "b-cap"
    shop = await seed_shop(p.stubs, "CAP", [10_000], stock=10)
    order = await paid_order(p, buyer, [(shop.sku_ids[0], 1)])
    first = await apply(p, buyer, order, amount=6_000)

    # One open application per line.
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await apply(p, buyer, order, amount=1_000)
    assert (e.value.code(), rich_error(e.value)["reason"]) == (
        grpc.StatusCode.FAILED_PRECONDITION, "LINE_REFUND_OPEN")

    await approve(p, first)
    await reaches(p, first.application_id, af.APPLICATION_STATUS_REFUNDED)
    assert (await refundable(p, order.order_id)).lines[0].max_refundable.amount_minor == 4_000
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await apply(p, buyer, order, amount=4_001)
    assert (e.value.code(), rich_error(e.value)["reason"]) == (
        grpc.StatusCode.FAILED_PRECONDITION, "REFUND_AMOUNT_EXCEEDED")
    mine = await stub(p).ListApplications(af.ListApplicationsRequest(),
                                          metadata=as_buyer(p, buyer))
    assert [a.application_id for a in mine.applications] == [first.application_id]
    rest = await apply(p, buyer, order, amount=4_000)
    await approve(p, rest)
    await reaches(p, rest.application_id, af.APPLICATION_STATUS_REFUNDED)
    assert (await order_of(p, order.order_id)).refunded_amount.amount_minor == 10_000


async def test_an_application_is_idempotent_and_bad_input_writes_nothing(
        platform: Platform) -> None:
    p, buyer = platform, "b-input"
    shop = await seed_shop(p.stubs, "IN", [5_000], stock=10)
    order = await paid_order(p, buyer, [(shop.sku_ids[0], 2)])
    bad = af.CreateApplicationRequest(request_id="bad-1", line_order_id=order.order_id,
                                      quantity=0, amount=cny(-1),
                                      evidence_urls=["javascript:alert(1)"])
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await stub(p).CreateApplication(bad, metadata=as_buyer(p, buyer))
    err = rich_error(e.value)
    assert err["code"] == grpc.StatusCode.INVALID_ARGUMENT
    assert {"quantity", "amount.amount_minor"} <= set(err["fields"])  # type: ignore[arg-type]
    # Someone else's line: refused, not found out.
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await apply(p, "b-stranger", order)
    assert e.value.code() == grpc.StatusCode.PERMISSION_DENIED
    listed = await stub(p).ListApplications(af.ListApplicationsRequest(order_id=order.order_id),
                                            metadata=as_buyer(p, buyer))
    assert not listed.applications
    assert (await refundable(p, order.order_id)).lines[0].refund_status in (
        tr.LINE_REFUND_STATUS_NONE, tr.LINE_REFUND_STATUS_UNSPECIFIED)

    one = await apply(p, buyer, order, quantity=1, amount=2_500, request_id="same-1")
    again = await apply(p, buyer, order, quantity=1, amount=2_500, request_id="same-1")
    assert again.application_id == one.application_id
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await apply(p, buyer, order, quantity=1, amount=2_000, request_id="same-1")
    assert e.value.code() == grpc.StatusCode.ALREADY_EXISTS


async def test_a_seller_who_does_not_answer_in_time_is_deemed_to_approve(
        tmp_path: Path) -> None:
    """The review deadline is a durable timer: when it passes (here after a
    second), the system approves and the refund follows."""
    async with running_platform(tmp_path, aftersales=AfterSalesSettings(
            review_seconds=1.0)) as p:
        buyer = "b-timeout"
        shop = await seed_shop(p.stubs, "TO", [3_000], stock=10)
        order = await paid_order(p, buyer, [(shop.sku_ids[0], 1)])
        application = await apply(p, buyer, order)
        assert application.status == af.APPLICATION_STATUS_WAIT_SELLER_REVIEW
        assert application.HasField("deadline_time")
        await reaches(p, application.application_id, af.APPLICATION_STATUS_REFUNDED)
        history = (await application_of(p, application.application_id)).history
        by_timeout = [h for h in history if h.action == af.ACTION_APPROVED_BY_TIMEOUT]
        assert len(by_timeout) == 1
        assert by_timeout[0].actor.role == Operator.ROLE_SYSTEM
        assert (await order_of(p, order.order_id)).status == tr.ORDER_STATUS_CANCELLED


async def test_return_and_refund_after_receipt_with_review_and_a_tracked_return(
        tracked: tuple[Platform, str, str]) -> None:
    """Received goods: the seller rejects, the buyer re-applies, the seller
    approves; the buyer sends the goods back with the sandbox carrier; one of
    two units came back damaged, so the seller refunds less, which the buyer
    accepts. The refund, the restock of the good unit and the return shipping
    (the seller's fault: the seller bears it) are recorded once."""
    p, carrier, _ = tracked
    buyer = "b-return"
    order, _ = await shipped_line(p, buyer)  # 2 × 30.00 from warehouse hz
    await carrier_journey(p, carrier, "OUT-1")
    await eventually(lambda: status_is(p.stubs, order.order_id, tr.ORDER_STATUS_WAIT_RECEIVE))
    await p.stubs.trade.ConfirmReceipt(tr.ConfirmReceiptRequest(
        order_id=order.order_id, buyer_id=buyer))
    received = await order_of(p, order.order_id)
    assert received.status == tr.ORDER_STATUS_COMPLETED
    assert received.HasField("after_sales_end_time")
    after_payment = await balance(p, buyer)
    available = (await p.stubs.catalog.GetStock(cat.GetStockRequest(
        sku_id=order.item.sku_id))).stock.available

    application = await apply(p, buyer, order, kind=af.APPLICATION_KIND_RETURN_AND_REFUND)
    # The window does not run while the line is refunding.
    assert not (await order_of(p, order.order_id)).HasField("after_sales_end_time")
    rejected = (await stub(p).RejectApplication(af.RejectApplicationRequest(
        request_id=new_id(), application_id=application.application_id,
        note="send photos of the damage"), metadata=as_seller(p, order.seller_id))).application
    assert (rejected.status, rejected.seller_note) == (
        af.APPLICATION_STATUS_REJECTED, "send photos of the damage")
    reapplied = (await stub(p).UpdateApplication(af.UpdateApplicationRequest(
        request_id=new_id(), application_id=application.application_id,
        kind=af.APPLICATION_KIND_RETURN_AND_REFUND, reason=af.APPLICATION_REASON_DAMAGED,
        note="photos attached", evidence_urls=["https://img.example/2.jpg"], quantity=2,
        amount=cny(6_000)), metadata=as_buyer(p, buyer))).application
    assert (reapplied.status, reapplied.reapplications) == (
        af.APPLICATION_STATUS_WAIT_SELLER_REVIEW, 1)
    approved = await approve(p, reapplied)
    assert approved.status == af.APPLICATION_STATUS_WAIT_BUYER_RETURN
    assert approved.return_address == DEPOT
    assert approved.return_shipping_bearer == af.BEARER_SELLER

    shipped = (await stub(p).ShipReturn(af.ShipReturnRequest(
        request_id=new_id(), application_id=application.application_id, carrier="sandbox",
        tracking_no="BACK-9", shipping_fee=cny(1_200)), metadata=as_buyer(p, buyer))
    ).application
    assert shipped.status == af.APPLICATION_STATUS_WAIT_SELLER_RECEIVE
    await carrier_journey(p, carrier, "BACK-9")

    async def delivered() -> bool:
        history = (await application_of(p, application.application_id)).history
        return af.ACTION_RETURN_DELIVERED in [h.action for h in history]

    await eventually(delivered)
    reduced = (await stub(p).ConfirmReturnReceipt(af.ConfirmReturnReceiptRequest(
        request_id=new_id(), application_id=application.application_id, received_quantity=1,
        amount=cny(4_500), note="one unit came back scratched"),
        metadata=as_seller(p, order.seller_id))).application
    assert (reduced.status, reduced.agreed_amount.amount_minor, reduced.seller_note) == (
        af.APPLICATION_STATUS_WAIT_BUYER_CONFIRM, 4_500, "one unit came back scratched")
    await stub(p).AcceptReducedRefund(af.AcceptReducedRefundRequest(
        request_id=new_id(), application_id=application.application_id),
        metadata=as_buyer(p, buyer))
    done = await reaches(p, application.application_id, af.APPLICATION_STATUS_REFUNDED)
    assert (done.refund.plan.cash_amount.amount_minor, done.refund.plan.restock_quantity) == (
        4_500, 1)

    assert await balance(p, buyer) == after_payment + 4_500
    assert (await p.stubs.catalog.GetStock(cat.GetStockRequest(
        sku_id=order.item.sku_id))).stock.available == available + 1
    after = await order_of(p, order.order_id)
    assert after.status == tr.ORDER_STATUS_COMPLETED  # the goods were received
    assert (after.refund_status, after.refunded_amount.amount_minor) == (
        tr.LINE_REFUND_STATUS_REFUNDED, 4_500)
    assert after.HasField("after_sales_end_time")  # runs again from the refund
    fact = (await p.events.the_one(REFUNDED_EVENT, order.order_id)).decode()
    assert (fact.return_shipping_amount.amount_minor,  # type: ignore[attr-defined]
            fact.return_shipping_by_seller, fact.line_cancelled) == (  # type: ignore[attr-defined]
        1_200, True, False)
    actions = [h.action for h in (await application_of(p, application.application_id)).history]
    assert actions == [
        af.ACTION_APPLIED, af.ACTION_REJECTED, af.ACTION_REAPPLIED, af.ACTION_APPROVED,
        af.ACTION_RETURN_SHIPPED, af.ACTION_RETURN_DELIVERED, af.ACTION_RETURN_PARTLY_RECEIVED,
        af.ACTION_REDUCED_REFUND_ACCEPTED, af.ACTION_REFUND_STARTED, af.ACTION_REFUNDED]


async def test_an_application_after_the_after_sales_window_is_refused(tmp_path: Path) -> None:
    async with running_platform(tmp_path, after_sales_window_seconds=1.0) as p:
        buyer = "b-late"
        shop = await seed_shop(p.stubs, "LATE", [2_000], stock=10)
        order = await paid_order(p, buyer, [(shop.sku_ids[0], 1)])
        await ship(p, order, order, lg.LOGISTICS_ORDER_STATUS_DELIVERED)
        await p.stubs.trade.ConfirmReceipt(tr.ConfirmReceiptRequest(
            order_id=order.order_id, buyer_id=buyer))
        await p.events.the_one(AFTER_SALES_ENDED, order.order_id)
        refused = await refusal(apply(p, buyer, order))
        assert refused["reason"] == "REFUND_WINDOW_CLOSED"
        assert not (await stub(p).ListApplications(af.ListApplicationsRequest(
            order_id=order.order_id), metadata=as_buyer(p, buyer))).applications


async def test_the_ship_timeout_after_a_partial_refund_gives_back_exactly_the_rest(
        platform: Platform) -> None:
    """One line refunded through after-sales, then nothing shipped in time:
    the ship timeout refunds the rest — together exactly what was paid, the
    freight, every point and every unit, none of it twice."""
    p, buyer = platform, "b-partial-timeout"
    shop = await seed_shop(p.stubs, "PT", [4_000, 2_500], stock=10)
    await express_template(p.logistics, shop.seller_id, 600, 0)
    await p.promotion.EarnPoints(pr.EarnPointsRequest(
        request_id="earn-pt", buyer_id=buyer, points=1_000, reason="welcome"))
    req = order_request(buyer, [(shop.sku_ids[0], 1), (shop.sku_ids[1], 2)],
                        request_id="partial-timeout")
    req.benefits.CopyFrom(tr.Benefits(points=301))
    order = (await p.stubs.trade.CreateOrder(req)).order
    await pay_by_balance(p, buyer, order)
    await eventually(lambda: status_is(p.stubs, order.order_id, tr.ORDER_STATUS_WAIT_SHIP))
    order = await order_of(p, order.order_id)
    paid, after_payment = order.pay_order.actual_amount.amount_minor, await balance(p, buyer)

    async def points_are(n: int) -> bool:
        return (await points_of(p.promotion, buyer))[0] == n

    await eventually(lambda: points_are(699))
    second = next(x for x in order.sub_orders if x.item.sku_id == shop.sku_ids[1])
    application = await apply(p, buyer, second, quantity=1,
                              amount=second.actual_amount.amount_minor // 2)
    await approve(p, application)
    await reaches(p, application.application_id, af.APPLICATION_STATUS_REFUNDED)
    assert await sold(p, shop.sku_ids[1]) == 1

    await make_due_and_fire(p, "order.ship_timeout", order.order_id)
    closed = await order_of(p, order.order_id)
    assert (closed.status, closed.close_reason) == (
        tr.ORDER_STATUS_CANCELLED, tr.CLOSE_REASON_SHIP_TIMEOUT)

    async def all_back() -> bool:
        return (await balance(p, buyer) == after_payment + paid
                and await points_are(1_000)
                and await sold(p, shop.sku_ids[0]) == 0 and await sold(p, shop.sku_ids[1]) == 0)

    await eventually(all_back)

    async def pay_order_refunded() -> bool:
        return (await order_of(p, order.order_id)).pay_status == tr.PAY_STATUS_REFUNDED

    await eventually(pay_order_refunded)
