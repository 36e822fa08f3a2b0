"""Builders for end-to-end tests on the embedded platform (tests/e2e/platform.py):
orders paid from the buyer's balance, presale items, payments through the
sandbox wallet, logistics' events delivered on the bus, trade's timers made
due, coupons, freight templates, and what every order's amounts must satisfy.

The basics (a shop, an order request, stock and status reads, rich errors)
are in tests/e2e/support.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import select, update

from tests.builders import cny, envelope
from tests.conftest import eventually
from tests.e2e.platform import Platform
from tests.e2e.support import order_request, seed_shop, status_is, stock_is
from zhongtai.bus import PublishError
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.db import utcnow
from zhongtai.events import Envelope
from zhongtai.ids import new_id
from zhongtai.logistics.v1 import events_pb2 as lev
from zhongtai.logistics.v1 import logistics_pb2 as lg
from zhongtai.logistics.v1 import logistics_pb2_grpc as lg_grpc
from zhongtai.payment.v1 import payment_pb2 as pb
from zhongtai.promotion.v1 import promotion_pb2 as pr
from zhongtai.promotion.v1 import promotion_pb2_grpc as pr_grpc
from zhongtai.runtime import load_spec
from zhongtai.trade.v1 import trade_pb2 as tr
from zhongtai.wire import timestamp

PAID = "zhongtai.trade.v1.OrderPaid"
REJECTED = "zhongtai.trade.v1.PaymentRejected"
SHIPPED = "zhongtai.trade.v1.OrderShipped"
COMPLETED = "zhongtai.trade.v1.OrderCompleted"
CANCELLED = "zhongtai.trade.v1.OrderCancelled"
VOUCHERS_ISSUED = "zhongtai.trade.v1.VouchersIssued"

DAY = dt.timedelta(days=1)
CARD = pr.DEDUCTION_KIND_STORED_VALUE_CARD
POINTS = pr.DEDUCTION_KIND_POINTS
FREIGHT_REDUCTION = pr.DEDUCTION_KIND_FREIGHT_REDUCTION


def ts(delta: dt.timedelta) -> Timestamp:
    """Now plus ``delta``."""
    return timestamp(dt.datetime.now(dt.UTC) + delta)


# --- orders and payments ------------------------------------------------------


async def order_of(p: Platform, order_id: str) -> tr.Order:
    return (await p.stubs.trade.GetOrder(tr.GetOrderRequest(order_id=order_id))).order


async def pay(p: Platform, buyer: str, po: tr.PayOrder) -> pb.Payment:
    """Pay the pay order from the buyer's balance (enough there already)."""
    payment = (await p.payment.CreatePayment(pb.CreatePaymentRequest(
        buyer_id=buyer, method=pb.METHOD_BALANCE,
        parts=[pb.PaymentPart(pay_order_id=po.pay_order_id, order_id=po.order_id,
                              amount=po.actual_amount)]))).payment
    assert payment.status == pb.PAYMENT_STATUS_SUCCEEDED
    return payment


async def pay_by_balance(p: Platform, buyer: str, order: tr.Order) -> pb.Payment:
    """Top the buyer's balance up by 1000.00, then pay the order's pay order from it."""
    await p.payment.TopUpBalance(pb.TopUpBalanceRequest(buyer_id=buyer, amount=cny(100_000)))
    return await pay(p, buyer, order.pay_order)


async def paid_order(p: Platform, buyer: str, lines: list[tuple[str, int]],
                     status: int = tr.ORDER_STATUS_WAIT_SHIP) -> tr.Order:
    """An order of ``lines`` paid by balance, once trade has it in ``status``."""
    order = (await p.stubs.trade.CreateOrder(order_request(buyer, lines))).order
    await pay_by_balance(p, buyer, order)
    await eventually(lambda: status_is(p.stubs, order.order_id, status))
    return await order_of(p, order.order_id)


async def logistics_orders(p: Platform, order_id: str, n: int) -> list[lg.LogisticsOrder]:
    """The order's n logistics orders, by SKU, once logistics created them."""
    found: list[lg.LogisticsOrder] = []

    async def created() -> bool:
        nonlocal found
        found = list((await p.logistics.ListLogisticsOrders(lg.ListLogisticsOrdersRequest(
            order_id=order_id))).logistics_orders)
        return len(found) == n

    await eventually(created)
    return sorted(found, key=lambda lo: lo.lines[0].sku_id)


async def balance(p: Platform, buyer: str) -> int:
    return (await p.payment.GetBalance(pb.GetBalanceRequest(
        buyer_id=buyer))).account.balance.amount_minor


def parts_of(order: tr.Order, amount: int | None = None) -> list[pb.PaymentPart]:
    due = order.pay_order.actual_amount
    return [pb.PaymentPart(pay_order_id=order.pay_order.pay_order_id, order_id=order.order_id,
                           amount=cny(due.amount_minor if amount is None else amount))]


async def payment_of(p: Platform, payment_id: str) -> pb.Payment:
    return (await p.payment.GetPayment(pb.GetPaymentRequest(payment_id=payment_id))).payment


async def payment_is(p: Platform, payment_id: str, status: int) -> bool:
    return (await payment_of(p, payment_id)).status == status


async def refunds_settled(p: Platform, payment_id: str, n: int) -> bool:
    refunds = (await payment_of(p, payment_id)).refunds
    return len(refunds) == n and all(r.status == pb.REFUND_STATUS_SUCCEEDED for r in refunds)


async def sold(p: Platform, sku_id: str) -> int:
    return (await p.stubs.catalog.GetStock(cat.GetStockRequest(sku_id=sku_id))).stock.sold


async def points(p: Platform, buyer: str) -> tuple[int, int]:
    """(balance, frozen)."""
    return (await points_of(p.promotion, buyer))[:2]


def sandbox_of(attempt: pb.PaymentAttempt) -> str:
    """The sandbox's base URL, from the pay URL it gave."""
    return attempt.pay_url.rsplit("/pay/", 1)[0]


async def sandbox(p: Platform, method: str, url: str, body: dict[str, Any] | None = None
                  ) -> dict[str, Any]:
    """A call to a sandbox's HTTP API (payment's wallet, logistics' carrier)."""
    async with p.http.request(method, url, json=body or {}) as resp:
        data: dict[str, Any] = await resp.json()
        assert resp.status < 300, data
        return data


async def buyer_pays(p: Platform, attempt: pb.PaymentAttempt, force: bool = False
                     ) -> dict[str, Any]:
    return await sandbox(p, "POST", f"{sandbox_of(attempt)}/v1/trades/{attempt.attempt_id}/pay",
                         {"force": force})


# --- presale ------------------------------------------------------------------


async def presale_item(p: Platform, start_in: float, end_in: float, price: int = 10_000,
                       deposit: int = 1_000) -> str:
    """A presale SKU whose balance may be paid from ``start_in`` to ``end_in``
    seconds from now."""
    seller = (await p.stubs.catalog.CreateSeller(cat.CreateSellerRequest(
        display_name="presale shop"))).seller
    t0 = dt.datetime.now(dt.UTC)
    item = (await p.stubs.catalog.CreateItem(cat.CreateItemRequest(
        seller_id=seller.seller_id, title="presale phone", item_type=cat.ITEM_TYPE_PHYSICAL,
        category_id="c1",
        skus=[cat.SkuInput(price=cny(price), initial_stock=10, weight_grams=500)],
        presale=cat.PresaleTerms(
            deposit=cny(deposit),
            balance_start_time=timestamp(t0 + dt.timedelta(seconds=start_in)),
            balance_end_time=timestamp(t0 + dt.timedelta(seconds=end_in)))))).item
    assert item.presale.deposit.amount_minor == deposit
    return item.skus[0].sku_id


async def ordered_and_deposit_paid(p: Platform, buyer: str, sku_id: str) -> tr.Order:
    """One unit of a presale SKU ordered (the buyer's balance topped up by
    500.00) and its deposit paid: the order waits for its balance."""
    await p.payment.TopUpBalance(pb.TopUpBalanceRequest(buyer_id=buyer, amount=cny(50_000)))
    order = (await p.stubs.trade.CreateOrder(order_request(buyer, [(sku_id, 1)]))).order
    assert order.status == tr.ORDER_STATUS_WAIT_PAY
    assert [(po.kind, po.actual_amount.amount_minor) for po in order.pay_orders] == [
        (tr.PAY_ORDER_KIND_DEPOSIT, 1_000), (tr.PAY_ORDER_KIND_BALANCE, 9_000)]
    deposit, rest = order.pay_orders
    assert order.pay_order == deposit
    assert rest.HasField("balance_start_time") and rest.HasField("balance_end_time")
    await pay(p, buyer, deposit)
    await eventually(lambda: status_is(p.stubs, order.order_id,
                                       tr.ORDER_STATUS_WAIT_PAY_BALANCE))
    order = await order_of(p, order.order_id)
    assert order.pay_order.pay_order_id == rest.pay_order_id
    assert order.pay_orders[0].status == tr.PAY_STATUS_PAID
    assert order.pay_status == tr.PAY_STATUS_UNPAID
    # Nothing is sold yet: the stock stays reserved until the balance.
    assert not p.events.of(PAID, order.order_id)
    assert await stock_is(p.stubs, sku_id, (9, 1))
    return order


# --- fulfilment: logistics' events, trade's timers ------------------------------


async def deliver(p: Platform, envelope: Envelope) -> None:
    """Publish on the in-process bus (it returns when every consumer has
    committed). Only trade's and payment's consumers must succeed: another
    service refusing the event is not what these tests are about."""
    try:
        await p.runtime.bus.publish(envelope)
    except PublishError as e:
        failed = [part.split(":")[0].strip() for part in str(e).split(";")]
        mine = [q for q in failed if q.startswith(("trade.", "payment."))]
        assert not mine, str(e)


def logistics_changed(line: tr.Order, status: int, top_order_id: str,
                      logistics_order_id: str | None = None) -> Envelope:
    """logistics.order.changed for a line's (single or sub order's) log_order."""
    lo_id = logistics_order_id or f"lo-{line.log_order.log_order_id}"
    event = lev.LogisticsOrderChanged(
        logistics_order=lg.LogisticsOrder(
            logistics_order_id=lo_id, role=lg.LOGISTICS_ORDER_ROLE_ORDER, status=status,
            log_order_id=line.log_order.log_order_id, order_id=line.order_id,
            top_order_id=top_order_id, seller_id=line.seller_id, buyer_id=line.buyer_id))
    return envelope(event, "logistics.order.changed", lo_id)


async def ship(p: Platform, order: tr.Order, line: tr.Order, status: int) -> None:
    await deliver(p, logistics_changed(line, status, order.order_id))


def again(envelope: Envelope, *, new_event_id: bool) -> Envelope:
    """The same event redelivered, or the same content under a new id."""
    return dataclasses.replace(envelope, event_id=new_id()) if new_event_id else envelope


async def timer_status(p: Platform, kind: str, key: str, service: str = "trade") -> str:
    """The status of one of ``service``'s timers."""
    timers = load_spec(service).plumbing.timers
    async with p.runtime.dbs[service].transaction() as s:
        return str((await s.execute(select(timers.c.status).where(
            timers.c.kind == kind, timers.c.key == key))).scalar_one())


async def make_due_and_fire(p: Platform, kind: str, key: str, service: str = "trade") -> None:
    """The clock moved on: one of ``service``'s pending timers comes due now;
    wait until it fired."""
    timers = load_spec(service).plumbing.timers
    async with p.runtime.dbs[service].transaction() as s:
        changed = await s.execute(update(timers).where(
            timers.c.kind == kind, timers.c.key == key, timers.c.status == "PENDING")
            .values(due_at=utcnow() - dt.timedelta(seconds=1)))
        assert changed.rowcount == 1  # type: ignore[attr-defined]
    p.runtime.timer_workers[service].wake()

    async def fired() -> bool:
        return await timer_status(p, kind, key, service) == "FIRED"

    await eventually(fired)


# --- promotion and freight ------------------------------------------------------


async def coupon_for(promo: pr_grpc.PromotionServiceStub, buyer: str, *, seller: str = "",
                     threshold: int, off: int, restore: bool = True,
                     platform_share: int = 0) -> str:
    """A full-reduction coupon (``off`` from ``threshold``) claimed by the buyer."""
    template = (await promo.CreateCouponTemplate(pr.CreateCouponTemplateRequest(
        template=pr.CouponTemplate(
            title="coupon", kind=pr.COUPON_KIND_FULL_REDUCTION, scope=pr.Scope(seller_id=seller),
            threshold=cny(threshold), amount_off=cny(off), claim_start_time=ts(-DAY),
            claim_end_time=ts(DAY), valid_start_time=ts(-DAY), valid_end_time=ts(DAY),
            total_quantity=100, per_buyer_limit=5, restore_on_cancel=restore,
            cost_sharing=pr.CostSharing(platform_share_bps=platform_share))))).template
    coupon = (await promo.ClaimCoupon(pr.ClaimCouponRequest(
        template_id=template.template_id, buyer_id=buyer))).coupon
    return coupon.coupon_id


async def coupon_status(promo: pr_grpc.PromotionServiceStub, buyer: str, coupon_id: str) -> int:
    coupons = (await promo.ListCoupons(pr.ListCouponsRequest(buyer_id=buyer))).coupons
    return next(c.status for c in coupons if c.coupon_id == coupon_id)


async def express_template(logistics: lg_grpc.LogisticsServiceStub, seller_id: str,
                           first_fee: int, additional_fee: int) -> None:
    """The seller's default freight: ``first_fee`` for the first unit,
    ``additional_fee`` for each more, anywhere."""
    await logistics.CreateFreightTemplate(lg.CreateFreightTemplateRequest(
        request_id=f"express-{seller_id}", template=lg.FreightTemplate(
            seller_id=seller_id, name="express", delivery_method=lg.DELIVERY_METHOD_EXPRESS,
            charging_basis=lg.CHARGING_BASIS_BY_COUNT, is_default=True,
            unlisted_regions_deliverable=True,
            default_rule=lg.FreightRule(first_units=1, first_fee=cny(first_fee),
                                        additional_units=1,
                                        additional_fee=cny(additional_fee)))))


async def points_of(promo: pr_grpc.PromotionServiceStub, buyer: str) -> tuple[int, int, int]:
    """(balance, frozen, available)."""
    a = (await promo.GetPointsAccount(pr.GetPointsAccountRequest(buyer_id=buyer))).account
    return a.balance, a.frozen, a.available


async def card_of(promo: pr_grpc.PromotionServiceStub, card_id: str) -> tuple[int, int, int]:
    """(balance, held, available)."""
    c = (await promo.GetStoredValueCard(pr.GetStoredValueCardRequest(card_id=card_id))).card
    return c.balance.amount_minor, c.held.amount_minor, c.available.amount_minor


def deducted(order: tr.Order, kinds: set[int] | None = None) -> int:
    return sum(d.amount.amount_minor for d in order.deductions
               if kinds is None or d.kind in kinds)


def check_amounts(order: tr.Order) -> None:
    """What trade.proto says of a top-level order's amounts, exactly."""
    lines = list(order.sub_orders) if order.is_main else [order]
    for o in [order, *order.sub_orders]:
        # discount: every deduction, the card's and the freight reduction's
        # included; actual: what is left of the goods (the freight apart).
        assert o.discount_amount.amount_minor == deducted(o)
        assert o.freight_reduction_amount.amount_minor == deducted(o, {FREIGHT_REDUCTION}) \
            <= o.freight_amount.amount_minor
        assert o.actual_amount.amount_minor == (o.total_amount.amount_minor
                                                - o.discount_amount.amount_minor
                                                + o.freight_reduction_amount.amount_minor
                                                + o.adjust_amount.amount_minor) >= 0
        for d in o.deductions:
            assert d.platform_amount.amount_minor + d.merchant_amount.amount_minor == \
                d.amount.amount_minor
            if d.kind == CARD:  # the platform's prepaid money: it funds the card
                assert d.platform_amount == d.amount
    for name in ("total_amount", "discount_amount", "actual_amount", "freight_amount",
                 "freight_reduction_amount"):
        assert getattr(order, name).amount_minor == sum(
            getattr(x, name).amount_minor for x in lines)
    pay = order.pay_order
    assert pay.kind == tr.PAY_ORDER_KIND_FULL
    assert pay.point_amount.amount_minor == deducted(order, {POINTS})
    assert pay.stored_value_amount.amount_minor == deducted(order, {CARD})
    assert (pay.point_amount.amount_minor + pay.stored_value_amount.amount_minor
            + pay.discount_amount.amount_minor) == order.discount_amount.amount_minor
    assert pay.actual_amount.amount_minor == (
        order.total_amount.amount_minor - order.discount_amount.amount_minor
        + order.adjust_amount.amount_minor + order.freight_amount.amount_minor)
    assert pay.actual_amount.amount_minor == (order.actual_amount.amount_minor
                                              + pay.freight_amount.amount_minor
                                              - order.freight_reduction_amount.amount_minor)


@dataclasses.dataclass(frozen=True)
class BenefitsOrder:
    """An order of 2 units of a 100.00 SKU (stock 10) using a coupon (10.00
    off 50.00), 500 of the buyer's 1000 points (5.00) and 30.00 of a 50.00
    card: 155.00 left to pay."""

    order: tr.Order
    sku_id: str
    coupon_id: str
    card_id: str


async def order_with_benefits(p: Platform, buyer: str, request_id: str) -> BenefitsOrder:
    """A new shop's SKU ordered by ``buyer`` with every kind of benefit (WAIT_PAY)."""
    shop = await seed_shop(p.stubs, "A", [10_000], stock=10)
    sku_id = shop.sku_ids[0]
    coupon = await coupon_for(p.promotion, buyer, threshold=5_000, off=1_000)
    await p.promotion.EarnPoints(pr.EarnPointsRequest(request_id=f"earn-{request_id}",
                                                      buyer_id=buyer, points=1_000,
                                                      reason="welcome"))
    card = (await p.promotion.CreateStoredValueCard(pr.CreateStoredValueCardRequest(
        request_id=f"card-{request_id}", buyer_id=buyer, balance=cny(5_000)))).card
    req = order_request(buyer, [(sku_id, 2)], request_id=request_id)
    req.benefits.CopyFrom(tr.Benefits(coupon_ids=[coupon], points=500,
                                      stored_value_card_id=card.card_id,
                                      stored_value_amount=cny(3_000)))
    order = (await p.stubs.trade.CreateOrder(req)).order
    return BenefitsOrder(order, sku_id, coupon, card.card_id)
