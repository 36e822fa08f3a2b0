"""promotion's gRPC servicer: request -> use case in a transaction -> response."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from promotion import (
    cards,
    coupons,
    holds,
    points,
    policy,
    promotions,
    quoting,
    red_packets,
    trail,
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
from zhongtai.idempotency import Keys, idempotent_rpc
from zhongtai.promotion.v1 import promotion_pb2 as pb
from zhongtai.promotion.v1 import promotion_pb2_grpc

Ctx: TypeAlias = grpc.aio.ServicerContext

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

    # --- promotions ---

    async def CreatePromotion(self, request: pb.CreatePromotionRequest, context: Ctx
                              ) -> pb.CreatePromotionResponse:
        caller = current_identity()
        return await idempotent_rpc(self.db, self.keys, request, pb.CreatePromotionResponse,
                                    lambda s: promotions.create_promotion(s, caller, request))

    async def GetPromotion(self, request: pb.GetPromotionRequest, context: Ctx
                           ) -> pb.GetPromotionResponse:
        async with self.db.transaction() as s:
            return pb.GetPromotionResponse(
                promotion=await promotions.get_promotion(s, request.promotion_id))

    async def ListPromotions(self, request: pb.ListPromotionsRequest, context: Ctx
                             ) -> pb.ListPromotionsResponse:
        async with self.db.transaction() as s:
            return await promotions.list_promotions(s, request)

    async def EndPromotion(self, request: pb.EndPromotionRequest, context: Ctx
                           ) -> pb.EndPromotionResponse:
        caller = current_identity()
        return await idempotent_rpc(self.db, self.keys, request, pb.EndPromotionResponse,
                                    lambda s: promotions.end_promotion(s, caller, request))

    # --- coupons ---

    async def CreateCouponTemplate(self, request: pb.CreateCouponTemplateRequest, context: Ctx
                                   ) -> pb.CreateCouponTemplateResponse:
        caller = current_identity()
        return await idempotent_rpc(self.db, self.keys, request, pb.CreateCouponTemplateResponse,
                                    lambda s: coupons.create_coupon_template(s, caller, request))

    async def GetCouponTemplate(self, request: pb.GetCouponTemplateRequest, context: Ctx
                                ) -> pb.GetCouponTemplateResponse:
        async with self.db.transaction() as s:
            return pb.GetCouponTemplateResponse(
                template=await coupons.get_coupon_template(s, request.template_id))

    async def ClaimCoupon(self, request: pb.ClaimCouponRequest, context: Ctx
                          ) -> pb.ClaimCouponResponse:
        caller = current_identity()
        return await idempotent_rpc(self.db, self.keys, request, pb.ClaimCouponResponse,
                                    lambda s: coupons.claim_coupon(s, self.db.dialect, caller,
                                                                   request))

    async def ListCoupons(self, request: pb.ListCouponsRequest, context: Ctx
                          ) -> pb.ListCouponsResponse:
        async with self.db.transaction() as s:
            return await coupons.list_coupons(s, current_identity(), request)

    # --- points ---

    async def GetPointsAccount(self, request: pb.GetPointsAccountRequest, context: Ctx
                               ) -> pb.GetPointsAccountResponse:
        async with self.db.transaction() as s:
            return pb.GetPointsAccountResponse(
                account=await points.get_points_account(s, current_identity(),
                                                        request.buyer_id))

    async def EarnPoints(self, request: pb.EarnPointsRequest, context: Ctx
                         ) -> pb.EarnPointsResponse:
        return await idempotent_rpc(self.db, self.keys, request, pb.EarnPointsResponse,
                                    lambda s: points.earn_points(s, self.db.dialect, request))

    # --- red packets ---

    async def CreateRedPacketPool(self, request: pb.CreateRedPacketPoolRequest, context: Ctx
                                  ) -> pb.CreateRedPacketPoolResponse:
        return await idempotent_rpc(self.db, self.keys, request, pb.CreateRedPacketPoolResponse,
                                    lambda s: red_packets.create_red_packet_pool(s, request))

    async def GetRedPacketPool(self, request: pb.GetRedPacketPoolRequest, context: Ctx
                               ) -> pb.GetRedPacketPoolResponse:
        async with self.db.transaction() as s:
            return pb.GetRedPacketPoolResponse(
                pool=await red_packets.get_red_packet_pool(s, request.pool_id))

    async def IssueRedPacket(self, request: pb.IssueRedPacketRequest, context: Ctx
                             ) -> pb.IssueRedPacketResponse:
        return await idempotent_rpc(self.db, self.keys, request, pb.IssueRedPacketResponse,
                                    lambda s: red_packets.issue_red_packet(s, request))

    async def ListRedPackets(self, request: pb.ListRedPacketsRequest, context: Ctx
                             ) -> pb.ListRedPacketsResponse:
        async with self.db.transaction() as s:
            return await red_packets.list_red_packets(s, current_identity(), request)

    # --- stored-value cards ---

    async def CreateStoredValueCard(self, request: pb.CreateStoredValueCardRequest,
                                    context: Ctx) -> pb.CreateStoredValueCardResponse:
        return await idempotent_rpc(self.db, self.keys, request, pb.CreateStoredValueCardResponse,
                                    lambda s: cards.create_stored_value_card(s, request))

    async def GetStoredValueCard(self, request: pb.GetStoredValueCardRequest, context: Ctx
                                 ) -> pb.GetStoredValueCardResponse:
        async with self.db.transaction() as s:
            return pb.GetStoredValueCardResponse(
                card=await cards.get_stored_value_card(s, current_identity(), request.card_id))

    # --- the stacking policy ---

    async def GetStackingPolicy(self, request: pb.GetStackingPolicyRequest, context: Ctx
                                ) -> pb.GetStackingPolicyResponse:
        async with self.db.transaction() as s:
            return pb.GetStackingPolicyResponse(policy=await policy.get_stacking_policy(s))

    async def UpdateStackingPolicy(self, request: pb.UpdateStackingPolicyRequest, context: Ctx
                                   ) -> pb.UpdateStackingPolicyResponse:
        return await idempotent_rpc(self.db, self.keys, request, pb.UpdateStackingPolicyResponse,
                                    lambda s: policy.update_stacking_policy(s, self.db.dialect,
                                                                       request))

    # --- quotes and holds ---

    async def Quote(self, request: pb.QuoteRequest, context: Ctx) -> pb.QuoteResponse:
        async with self.db.transaction() as s:
            return await quoting.quote(s, current_identity(), request)

    async def BestCoupons(self, request: pb.BestCouponsRequest, context: Ctx
                          ) -> pb.BestCouponsResponse:
        async with self.db.transaction() as s:
            return await quoting.best_coupons(s, current_identity(), request)

    async def HoldBenefits(self, request: pb.HoldBenefitsRequest, context: Ctx
                           ) -> pb.HoldBenefitsResponse:
        async with self.db.transaction() as s:
            return await holds.hold_benefits(s, self.db.dialect, request)

    async def ReleaseBenefits(self, request: pb.ReleaseBenefitsRequest, context: Ctx
                              ) -> pb.ReleaseBenefitsResponse:
        async with self.db.transaction() as s:
            return pb.ReleaseBenefitsResponse(
                hold=await holds.release_benefits(s, self.db.dialect, request.order_id))

    async def RedeemBenefits(self, request: pb.RedeemBenefitsRequest, context: Ctx
                             ) -> pb.RedeemBenefitsResponse:
        async with self.db.transaction() as s:
            return pb.RedeemBenefitsResponse(
                hold=await holds.redeem_benefits(s, request.order_id))

    async def ReturnBenefits(self, request: pb.ReturnBenefitsRequest, context: Ctx
                             ) -> pb.ReturnBenefitsResponse:
        return await idempotent_rpc(self.db, self.keys, request, pb.ReturnBenefitsResponse,
                                    lambda s: holds.return_shares(s, self.db.dialect, request))

    # --- the audit trail ---

    async def ListAuditEntries(self, request: pb.ListAuditEntriesRequest, context: Ctx
                               ) -> pb.ListAuditEntriesResponse:
        async with self.db.transaction() as s:
            return await trail.list_audit_entries(s, request)
