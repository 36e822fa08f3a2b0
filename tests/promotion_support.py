"""Builders for promotion's tests: coupon templates and claims, and a
buyer's wallet and what is in it, through the use cases on a database of
promotion's own (unit tests on SQLite, integration tests on PostgreSQL); and
what promotion's database holds, to see that a refused request wrote nothing
(end to end too)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from promotion import cards, holds, points, promotions, quoting, red_packets, requests, views
from promotion import coupons as coupons_
from promotion import store as t
from promotion.app import BENEFIT_REDEEM
from promotion.app import SERVICE as PROMOTION
from tests.builders import cny
from tests.paid_cancel_support import consumers, paid
from zhongtai.auth import Identity, Role
from zhongtai.db import Database
from zhongtai.errors import FailedPrecondition
from zhongtai.idempotency import request_hash
from zhongtai.promotion.v1 import promotion_pb2 as pb

# The caller of the use cases the tests set up with: staff (an operator),
# who may act for any buyer or seller.
STAFF = Identity(Role.OPERATOR, "test-operator")


async def make_template(db: Database, *, total: int = 100, per_buyer: int = 0,
                        restore: bool = True, amount_off: int = 1000,
                        threshold: int = 5000) -> str:
    """A coupon template (10.00 off 50.00 unless told), valid 7 days after
    the claim, borne by the platform."""
    async with db.transaction() as s:
        template = await coupons_.create_coupon_template(s, STAFF, requests.coupon_template(
            pb.CreateCouponTemplateRequest(template=pb.CouponTemplate(
                title="10 off 50", kind=pb.COUPON_KIND_FULL_REDUCTION,
                threshold=cny(threshold), amount_off=cny(amount_off), valid_days=7,
                total_quantity=total, per_buyer_limit=per_buyer, restore_on_cancel=restore,
                cost_sharing=pb.CostSharing(platform_share_bps=10_000)))))
    return template.template_id


async def claim(db: Database, template_id: str, buyer: str) -> str:
    """The coupon id, or the refusal's reason."""
    try:
        async with db.transaction() as s:
            coupon = await coupons_.claim_coupon(s, db.dialect, STAFF, template_id, buyer)
        return coupon.coupon_id
    except FailedPrecondition as e:
        return e.reason


async def wallet_of_buyer_1(db: Database) -> dict[str, str]:
    """buyer-1 with a coupon (10 off 50), 1000 points, a 3.00 red packet and a
    200.00 card; a second coupon of a template that does not restore. The
    ids by name: coupon, coupon_no_restore, red_packet, card."""
    restore = await make_template(db, restore=True)
    no_restore = await make_template(db, restore=False)
    async with db.transaction() as s:
        await points.earn_points(s, db.dialect, request_id="earn-1", buyer_id="buyer-1",
                                 points=1000, reason="welcome")
        pool = await red_packets.create_red_packet_pool(s, requests.pool(
            pb.CreateRedPacketPoolRequest(pool=pb.RedPacketPool(budget=cny(10_000),
                                                                valid_days=3))))
        packet = await red_packets.issue_red_packet(s, requests.red_packet(
            pb.IssueRedPacketRequest(pool_id=pool.pool_id, buyer_id="buyer-1",
                                     amount=cny(300))))
        card = await cards.create_stored_value_card(s, requests.card(
            pb.CreateStoredValueCardRequest(buyer_id="buyer-1", balance=cny(20_000))))
    return {"coupon": await claim(db, restore, "buyer-1"),
            "coupon_no_restore": await claim(db, no_restore, "buyer-1"),
            "red_packet": packet.red_packet_id, "card": card.card_id}


async def wallet_state(db: Database, wallet: dict[str, str], *, detail: bool = False
                       ) -> dict[str, Any]:
    """buyer-1's wallet (``wallet_of_buyer_1``) as it reads now: each
    coupon's (status, order), the red packet's status, points (balance,
    frozen), the card (balance, held) and the points ledger (kind, points),
    oldest first. ``detail`` adds the red packet's order and each ledger
    entry's order and balance after it."""
    ledger = t.points_ledger.c
    columns = [ledger.kind, ledger.points]
    if detail:
        columns += [ledger.order_id, ledger.balance_after]
    async with db.transaction() as s:
        coupons = {c.coupon_id: (c.status, c.order_id)
                   for c in (await coupons_.list_coupons(s, STAFF, "buyer-1"))[0]}
        packets = {p.red_packet_id: (p.status, p.order_id) if detail else p.status
                   for p in (await red_packets.list_red_packets(s, STAFF, "buyer-1"))[0]}
        account = await points.get_points_account(s, STAFF, "buyer-1")
        card = await cards.get_stored_value_card(s, STAFF, wallet["card"])
        entries = [tuple(r) for r in (await s.execute(
            select(*columns).order_by(ledger.entry_id))).all()]
    return {"coupon": coupons[wallet["coupon"]],
            "coupon_no_restore": coupons[wallet["coupon_no_restore"]],
            "red_packet": packets[wallet["red_packet"]],
            "points": (account.balance, account.frozen),
            "card": (card.balance, card.held), "ledger": entries}


async def rows(db: Database) -> dict[str, int]:
    """How many rows each of promotion's tables holds (its outbox, idempotency
    records and audit trail included): unchanged by a refused request."""
    async with db.transaction() as s:
        return {table.name: (await s.execute(select(func.count()).select_from(table))).scalar_one()
                for table in t.metadata.sorted_tables}


# --- a paid order's hold ------------------------------------------------------


def cart(wallet: dict[str, str], coupon: str = "coupon") -> pb.QuoteRequest:
    """100.00 less the coupon (10.00), the red packet (3.00), 500 points
    (5.00) and 20.00 from the card."""
    return pb.QuoteRequest(
        buyer_id="buyer-1",
        lines=[pb.QuoteLine(line_id="l1", seller_id="s1", sku_id="sku-1", category_id="c1",
                            unit_price=cny(10_000), quantity=1)],
        coupon_ids=[wallet[coupon]], points=500, red_packet_id=wallet["red_packet"],
        stored_value_card_id=wallet["card"], stored_value_amount=cny(2000))


async def hold_benefits(s: Any, dialect: str, req: pb.HoldBenefitsRequest
                        ) -> pb.HoldBenefitsResponse:
    """HoldBenefits' use case on a request, as the servicer maps it."""
    held = await holds.hold_benefits(s, dialect, req.order_id,
                                     requests.quote_ask(req.quote, "quote.").valid(),
                                     request_hash(req))
    return pb.HoldBenefitsResponse(hold=views.benefit_hold(held.hold),
                                   quote=views.quote(held.quote))


async def create_promotion(s: Any, caller: Identity, req: pb.CreatePromotionRequest
                           ) -> pb.Promotion:
    """CreatePromotion's use case on a request, as the servicer maps it."""
    return views.promotion(await promotions.create_promotion(s, caller,
                                                             requests.promotion(req)))


async def quote(s: Any, caller: Identity, req: pb.QuoteRequest) -> pb.QuoteResponse:
    """Quote's use case on a request, as the servicer maps it."""
    return views.quote_response(await quoting.quote(s, caller, requests.quote_ask(req)))


async def best_coupons(s: Any, caller: Identity, req: pb.BestCouponsRequest
                       ) -> pb.QuoteResponse:
    """BestCoupons' use case on a request: its quote, as the servicer maps it."""
    return views.quote_response(await quoting.best_coupons(
        s, caller, requests.quote_ask(req.quote, "quote.")))


async def return_shares(s: Any, dialect: str, req: pb.ReturnBenefitsRequest
                        ) -> pb.ReturnBenefitsResponse:
    """ReturnBenefits' use case on a request, as the servicer maps it."""
    return views.returned_share(await holds.return_shares(s, dialect,
                                                          requests.return_ask(req)))


async def paid_order(db: Database, order_id: str, req: pb.QuoteRequest) -> pb.QuoteResponse:
    """Held at creation, redeemed by the OrderPaid consumer."""
    async with db.transaction() as s:
        held = await hold_benefits(s, db.dialect, pb.HoldBenefitsRequest(
            order_id=order_id, quote=req))
    await consumers(PROMOTION, db)[BENEFIT_REDEEM.queue](paid(order_id))
    assert await hold_status(db, order_id) == pb.HOLD_STATUS_REDEEMED
    return held.quote


async def hold_status(db: Database, order_id: str) -> int:
    async with db.transaction() as s:
        return int((await s.execute(select(t.benefit_holds.c.status).where(
            t.benefit_holds.c.order_id == order_id))).scalar_one())
