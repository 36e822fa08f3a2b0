"""promotion's gRPC servicer: request -> use case arguments (plain values,
``promotion.values``, checked by ``promotion.requests``) -> use case in a
transaction -> response (``promotion.views``). The only place, with the
views and the requests, where promotion reads or builds protobuf messages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeAlias, TypeVar

import grpc
from google.protobuf.message import Message
from sqlalchemy.ext.asyncio import AsyncSession

from promotion import (
    cards,
    coupons,
    holds,
    points,
    policy,
    promotions,
    quoting,
    red_packets,
    requests,
    trail,
    views,
)
from zhongtai.auth import (
    ANYONE,
    BUYER,
    OPERATOR,
    SELLER,
    SERVICE,
    STAFF,
    AccessPolicy,
    allow,
    current_identity,
)
from zhongtai.db import Database
from zhongtai.idempotency import Keys, idempotent_rpc, request_hash
from zhongtai.promotion.v1 import promotion_pb2 as pb
from zhongtai.promotion.v1 import promotion_pb2_grpc

Ctx: TypeAlias = grpc.aio.ServicerContext
R = TypeVar("R", bound=Message)

# Who may call each RPC (zhongtai.auth): the roles, and the ownership rule
# the use case applies on top (promotion.ownership; docs/security.md lists
# them all). Calls that create value (points, cards, red packets, the
# stacking policy) and the order saga's are staff's.
RULE = "a seller for its own shop, at its own cost; platform-wide or platform-funded: staff"
POLICY: AccessPolicy = {
    "CreatePromotion": allow(SELLER, *STAFF, ownership=RULE),
    "GetPromotion": allow(*ANYONE),
    "ListPromotions": allow(*ANYONE),
    "EndPromotion": allow(SELLER, *STAFF,
                          ownership="the promotion's seller; a platform-wide one: staff"),
    "CreateCouponTemplate": allow(SELLER, *STAFF, ownership=RULE),
    "GetCouponTemplate": allow(*ANYONE),
    "ClaimCoupon": allow(BUYER, *STAFF, ownership="a buyer for themself; staff name the buyer"),
    "ListCoupons": allow(BUYER, *STAFF, ownership="a buyer their own; staff name the buyer"),
    "GetPointsAccount": allow(BUYER, *STAFF,
                              ownership="a buyer their own; staff name the buyer"),
    "EarnPoints": allow(*STAFF, ownership="creates value: staff only"),
    "CreateRedPacketPool": allow(*STAFF, ownership="funds a budget: staff only"),
    "GetRedPacketPool": allow(*STAFF),
    "IssueRedPacket": allow(*STAFF, ownership="creates value: staff only"),
    "ListRedPackets": allow(BUYER, *STAFF, ownership="a buyer their own; staff name the buyer"),
    "CreateStoredValueCard": allow(*STAFF, ownership="creates value: staff only"),
    "GetStoredValueCard": allow(BUYER, *STAFF, ownership="the card's buyer"),
    "GetStackingPolicy": allow(*ANYONE),
    "UpdateStackingPolicy": allow(OPERATOR, ownership="the platform's operators only"),
    "Quote": allow(BUYER, *STAFF, ownership="a buyer for themself; staff name the buyer"),
    "BestCoupons": allow(BUYER, *STAFF, ownership="a buyer for themself; staff name the buyer"),
    "HoldBenefits": allow(SERVICE, ownership="a saga participant: trade's calls",
                            services=("trade",)),
    "ReleaseBenefits": allow(SERVICE, ownership="a saga participant: trade's calls",
                            services=("trade",)),
    "RedeemBenefits": allow(SERVICE, ownership="a saga participant: trade's calls",
                            services=("trade",)),
    "ReturnBenefits": allow(SERVICE, ownership="after-sales' calls only (an agreed refund's "
                            "benefits)", services=("aftersales",)),
    "ListAuditEntries": allow(OPERATOR, ownership="the platform's operators only"),
}


class PromotionServicer(promotion_pb2_grpc.PromotionServiceServicer):
    """Maps each RPC to its use case, passing the caller (the credential's
    identity) to those that check ownership."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.keys = Keys(db.plumbing, db.dialect)

    async def _once(self, request: Message, response_type: type[R],
                    action: Callable[[AsyncSession], Awaitable[R]]) -> R:
        """A mutating RPC in one transaction, once per its request id."""
        return await idempotent_rpc(self.db, self.keys, request, response_type, action)

    # --- promotions ---

    async def CreatePromotion(self, request: pb.CreatePromotionRequest, context: Ctx
                              ) -> pb.CreatePromotionResponse:
        caller = current_identity()

        async def run(s: AsyncSession) -> pb.CreatePromotionResponse:
            return pb.CreatePromotionResponse(promotion=views.promotion(
                await promotions.create_promotion(s, caller, requests.promotion(request))))

        return await self._once(request, pb.CreatePromotionResponse, run)

    async def GetPromotion(self, request: pb.GetPromotionRequest, context: Ctx
                           ) -> pb.GetPromotionResponse:
        async with self.db.transaction() as s:
            return pb.GetPromotionResponse(promotion=views.promotion(
                await promotions.get_promotion(s, request.promotion_id)))

    async def ListPromotions(self, request: pb.ListPromotionsRequest, context: Ctx
                             ) -> pb.ListPromotionsResponse:
        async with self.db.transaction() as s:
            listed, token = await promotions.list_promotions(
                s, request.seller_id, page_size=request.page_size,
                page_token=request.page_token)
        return pb.ListPromotionsResponse(promotions=[views.promotion(p) for p in listed],
                                         next_page_token=token)

    async def EndPromotion(self, request: pb.EndPromotionRequest, context: Ctx
                           ) -> pb.EndPromotionResponse:
        caller = current_identity()

        async def run(s: AsyncSession) -> pb.EndPromotionResponse:
            return pb.EndPromotionResponse(promotion=views.promotion(
                await promotions.end_promotion(s, caller, request.promotion_id)))

        return await self._once(request, pb.EndPromotionResponse, run)

    # --- coupons ---

    async def CreateCouponTemplate(self, request: pb.CreateCouponTemplateRequest, context: Ctx
                                   ) -> pb.CreateCouponTemplateResponse:
        caller = current_identity()

        async def run(s: AsyncSession) -> pb.CreateCouponTemplateResponse:
            return pb.CreateCouponTemplateResponse(template=views.coupon_template(
                await coupons.create_coupon_template(s, caller,
                                                     requests.coupon_template(request))))

        return await self._once(request, pb.CreateCouponTemplateResponse, run)

    async def GetCouponTemplate(self, request: pb.GetCouponTemplateRequest, context: Ctx
                                ) -> pb.GetCouponTemplateResponse:
        async with self.db.transaction() as s:
            return pb.GetCouponTemplateResponse(template=views.coupon_template(
                await coupons.get_coupon_template(s, request.template_id)))

    async def ClaimCoupon(self, request: pb.ClaimCouponRequest, context: Ctx
                          ) -> pb.ClaimCouponResponse:
        caller = current_identity()

        async def run(s: AsyncSession) -> pb.ClaimCouponResponse:
            return pb.ClaimCouponResponse(coupon=views.coupon(await coupons.claim_coupon(
                s, self.db.dialect, caller, request.template_id, request.buyer_id)))

        return await self._once(request, pb.ClaimCouponResponse, run)

    async def ListCoupons(self, request: pb.ListCouponsRequest, context: Ctx
                          ) -> pb.ListCouponsResponse:
        async with self.db.transaction() as s:
            listed, token = await coupons.list_coupons(
                s, current_identity(), request.buyer_id, list(request.statuses),
                page_size=request.page_size, page_token=request.page_token)
        return pb.ListCouponsResponse(coupons=[views.coupon(c) for c in listed],
                                      next_page_token=token)

    # --- points ---

    async def GetPointsAccount(self, request: pb.GetPointsAccountRequest, context: Ctx
                               ) -> pb.GetPointsAccountResponse:
        async with self.db.transaction() as s:
            return pb.GetPointsAccountResponse(account=views.points_account(
                await points.get_points_account(s, current_identity(), request.buyer_id)))

    async def EarnPoints(self, request: pb.EarnPointsRequest, context: Ctx
                         ) -> pb.EarnPointsResponse:
        async def run(s: AsyncSession) -> pb.EarnPointsResponse:
            return pb.EarnPointsResponse(account=views.points_account(await points.earn_points(
                s, self.db.dialect, request_id=request.request_id, buyer_id=request.buyer_id,
                points=request.points, reason=request.reason)))

        return await self._once(request, pb.EarnPointsResponse, run)

    # --- red packets ---

    async def CreateRedPacketPool(self, request: pb.CreateRedPacketPoolRequest, context: Ctx
                                  ) -> pb.CreateRedPacketPoolResponse:
        async def run(s: AsyncSession) -> pb.CreateRedPacketPoolResponse:
            return pb.CreateRedPacketPoolResponse(pool=views.red_packet_pool(
                await red_packets.create_red_packet_pool(s, requests.pool(request))))

        return await self._once(request, pb.CreateRedPacketPoolResponse, run)

    async def GetRedPacketPool(self, request: pb.GetRedPacketPoolRequest, context: Ctx
                               ) -> pb.GetRedPacketPoolResponse:
        async with self.db.transaction() as s:
            return pb.GetRedPacketPoolResponse(pool=views.red_packet_pool(
                await red_packets.get_red_packet_pool(s, request.pool_id)))

    async def IssueRedPacket(self, request: pb.IssueRedPacketRequest, context: Ctx
                             ) -> pb.IssueRedPacketResponse:
        async def run(s: AsyncSession) -> pb.IssueRedPacketResponse:
            return pb.IssueRedPacketResponse(red_packet=views.red_packet(
                await red_packets.issue_red_packet(s, requests.red_packet(request))))

        return await self._once(request, pb.IssueRedPacketResponse, run)

    async def ListRedPackets(self, request: pb.ListRedPacketsRequest, context: Ctx
                             ) -> pb.ListRedPacketsResponse:
        async with self.db.transaction() as s:
            listed, token = await red_packets.list_red_packets(
                s, current_identity(), request.buyer_id, page_size=request.page_size,
                page_token=request.page_token)
        return pb.ListRedPacketsResponse(red_packets=[views.red_packet(x) for x in listed],
                                         next_page_token=token)

    # --- stored-value cards ---

    async def CreateStoredValueCard(self, request: pb.CreateStoredValueCardRequest,
                                    context: Ctx) -> pb.CreateStoredValueCardResponse:
        async def run(s: AsyncSession) -> pb.CreateStoredValueCardResponse:
            return pb.CreateStoredValueCardResponse(card=views.stored_value_card(
                await cards.create_stored_value_card(s, requests.card(request))))

        return await self._once(request, pb.CreateStoredValueCardResponse, run)

    async def GetStoredValueCard(self, request: pb.GetStoredValueCardRequest, context: Ctx
                                 ) -> pb.GetStoredValueCardResponse:
        async with self.db.transaction() as s:
            return pb.GetStoredValueCardResponse(card=views.stored_value_card(
                await cards.get_stored_value_card(s, current_identity(), request.card_id)))

    # --- the stacking policy ---

    async def GetStackingPolicy(self, request: pb.GetStackingPolicyRequest, context: Ctx
                                ) -> pb.GetStackingPolicyResponse:
        async with self.db.transaction() as s:
            return pb.GetStackingPolicyResponse(
                policy=views.stacking_policy(await policy.load_policy(s)))

    async def UpdateStackingPolicy(self, request: pb.UpdateStackingPolicyRequest, context: Ctx
                                   ) -> pb.UpdateStackingPolicyResponse:
        async def run(s: AsyncSession) -> pb.UpdateStackingPolicyResponse:
            return pb.UpdateStackingPolicyResponse(policy=views.stacking_policy(
                await policy.update_stacking_policy(
                    s, self.db.dialect, requests.stacking_policy(request.policy))))

        return await self._once(request, pb.UpdateStackingPolicyResponse, run)

    # --- quotes and holds ---

    async def Quote(self, request: pb.QuoteRequest, context: Ctx) -> pb.QuoteResponse:
        async with self.db.transaction() as s:
            priced = await quoting.quote(s, current_identity(), requests.quote_ask(request))
        return views.quote_response(priced)

    async def BestCoupons(self, request: pb.BestCouponsRequest, context: Ctx
                          ) -> pb.BestCouponsResponse:
        async with self.db.transaction() as s:
            priced = await quoting.best_coupons(s, current_identity(),
                                                requests.quote_ask(request.quote, "quote."))
        return pb.BestCouponsResponse(quote=views.quote_response(priced))

    async def HoldBenefits(self, request: pb.HoldBenefitsRequest, context: Ctx
                           ) -> pb.HoldBenefitsResponse:
        cart = requests.quote_ask(request.quote, "quote.").valid()
        async with self.db.transaction() as s:
            held = await holds.hold_benefits(s, self.db.dialect, request.order_id, cart,
                                             request_hash(request))
        return pb.HoldBenefitsResponse(hold=views.benefit_hold(held.hold),
                                       quote=views.quote(held.quote))

    async def ReleaseBenefits(self, request: pb.ReleaseBenefitsRequest, context: Ctx
                              ) -> pb.ReleaseBenefitsResponse:
        async with self.db.transaction() as s:
            return pb.ReleaseBenefitsResponse(hold=views.benefit_hold(
                await holds.release_benefits(s, self.db.dialect, request.order_id)))

    async def RedeemBenefits(self, request: pb.RedeemBenefitsRequest, context: Ctx
                             ) -> pb.RedeemBenefitsResponse:
        async with self.db.transaction() as s:
            return pb.RedeemBenefitsResponse(hold=views.benefit_hold(
                await holds.redeem_benefits(s, request.order_id)))

    async def ReturnBenefits(self, request: pb.ReturnBenefitsRequest, context: Ctx
                             ) -> pb.ReturnBenefitsResponse:
        async def run(s: AsyncSession) -> pb.ReturnBenefitsResponse:
            return views.returned_share(await holds.return_shares(
                s, self.db.dialect, requests.return_ask(request)))

        return await self._once(request, pb.ReturnBenefitsResponse, run)

    # --- the audit trail ---

    async def ListAuditEntries(self, request: pb.ListAuditEntriesRequest, context: Ctx
                               ) -> pb.ListAuditEntriesResponse:
        async with self.db.transaction() as s:
            entries, token = await trail.list_audit_entries(
                s, resource_type=request.resource_type, resource_id=request.resource_id,
                page_size=request.page_size, page_token=request.page_token)
        return pb.ListAuditEntriesResponse(entries=entries, next_page_token=token)
