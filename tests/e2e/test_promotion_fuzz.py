"""Every promotion RPC with generated bad input, end to end through the
stubs: a good request of each method (naming real promotions, coupons,
packets, cards), then each field in turn empty, blank, oversized, with a
control character, out of range, an undefined enum value or an unknown id,
called by a role the method's policy admits. No answer is INTERNAL, UNKNOWN,
UNAVAILABLE or RESOURCE_EXHAUSTED, and a refused call writes nothing to
promotion's database — on the embedded platform (SQLite), and on a
promotion server of its own on PostgreSQL (which, unlike SQLite, enforces
column lengths)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any, cast

import grpc
import pytest
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from promotion.api import POLICY
from promotion.app import SERVICE as PROMOTION
from tests.builders import cny
from tests.conftest import OpenDb
from tests.e2e.builders import ts
from tests.e2e.platform import Platform
from tests.e2e.support import channel_to, credential
from tests.promotion_support import rows
from zhongtai.auth import (
    Authenticator,
    Identity,
    Role,
    TokenIssuer,
    TokenVerifier,
    new_signing_key,
    public_key_of,
)
from zhongtai.config import Settings
from zhongtai.db import Database
from zhongtai.grpcserver import GrpcServer
from zhongtai.promotion.v1 import promotion_pb2 as pb
from zhongtai.promotion.v1 import promotion_pb2_grpc as pb_grpc
from zhongtai.service import ServiceContext
from zhongtai.validation import Validator

pytestmark = pytest.mark.e2e

NEVER = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.UNAVAILABLE,
         grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.DEADLINE_EXCEEDED}
INT32 = {FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_SINT32, FieldDescriptor.TYPE_SFIXED32}
TIMESTAMP = "google.protobuf.Timestamp"
BUYER = "fuzz-buyer"
HOUR = dt.timedelta(hours=1)


def _bad_values(field: FieldDescriptor) -> tuple[Any, ...]:
    if field.is_repeated:
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            return (0, 1001)  # items
        if field.type == FieldDescriptor.TYPE_STRING:
            return (["nope", "nope"], ["x" * 200], ["id"] * 1001, [" "])
        return ([999], [0] * 1001)
    if field.type == FieldDescriptor.TYPE_STRING:
        return ("", " ", "nope", "x" * 20_000, "a\x00b", "XXX")
    if field.type == FieldDescriptor.TYPE_ENUM:
        return (0, 999)
    if field.type == FieldDescriptor.TYPE_BOOL:
        return (True,)
    if field.type == FieldDescriptor.TYPE_MESSAGE:  # a timestamp's seconds
        return (-(2**60), 2**60, 0)
    if field.type in INT32:
        return (-(2**31), -1, 0, 2**31 - 1)
    return (-(2**63), -1, 0, 2**62 + 1, 2**63 - 1)


def _leaves(descriptor: Any, path: tuple[str, ...] = (), depth: int = 0
            ) -> Iterator[tuple[str, ...]]:
    """Every field a request can carry, by path (the first item of a list)."""
    for field in descriptor.fields:
        here = (*path, field.name)
        kind = field.message_type
        if kind is None or kind.full_name == TIMESTAMP:
            yield here
        elif field.is_repeated:
            yield here  # the list's length
            if depth < 3:
                yield from _leaves(kind, (*path, f"{field.name}[0]"), depth + 1)
        elif depth < 3:
            yield from _leaves(kind, here, depth + 1)


def _resolve(message: Any, path: tuple[str, ...]) -> tuple[Any, FieldDescriptor]:
    for part in path[:-1]:
        name, _, index = part.partition("[")
        if index:
            items = getattr(message, name)
            message = items[0] if len(items) else items.add()
        else:
            message = getattr(message, name)
    return message, message.DESCRIPTOR.fields_by_name[path[-1]]


def variants(base: Message) -> Iterator[tuple[str, Message]]:
    """The empty request, then each field of ``base`` given each bad value
    of its type."""
    yield "(empty)", type(base)()
    for path in _leaves(base.DESCRIPTOR):
        field = _resolve(type(base)(), path)[1]
        for value in _bad_values(field):
            request = type(base)()
            request.CopyFrom(base)
            parent, field = _resolve(request, path)
            name = field.name
            if field.is_repeated:
                parent.ClearField(name)
                if field.type == FieldDescriptor.TYPE_MESSAGE:
                    for _ in range(value):
                        getattr(parent, name).add()
                else:
                    getattr(parent, name).extend(value)
            elif field.type == FieldDescriptor.TYPE_MESSAGE:
                getattr(parent, name).seconds = value
            else:
                setattr(parent, name, value)
            yield f"{'.'.join(path)}={str(value)[:20]!r}", request


@dataclass
class Target:
    """A promotion server to fuzz: how to call it, and its database."""

    issuer: TokenIssuer
    channel: grpc.aio.Channel
    db: Database


@pytest.fixture
async def on_postgres(migrated_pg: OpenDb) -> AsyncIterator[Target]:
    """promotion alone, on PostgreSQL, behind the server every service runs
    (credentials, policies, limits)."""
    db = await migrated_pg(PROMOTION)
    signing = new_signing_key()
    issuer = TokenIssuer(signing, "zhongtai", "zhongtai")
    authenticator = Authenticator(TokenVerifier([public_key_of(signing)], "zhongtai",
                                                "zhongtai"))
    for name, policy in PROMOTION.policies.items():
        authenticator.add_policy(name, policy)
    server = GrpcServer("127.0.0.1:0", authenticator, validator=Validator())
    built = PROMOTION.build(ServiceContext(Settings(), db, cast(Any, None), cast(Any, None)))
    server.add(built.registrar, PROMOTION.grpc_service_names)
    await server.start()
    channel = channel_to(f"127.0.0.1:{server.port}")
    try:
        yield Target(issuer, channel, db)
    finally:
        await channel.close()
        await server.stop(0)


async def good_requests(target: Target) -> dict[str, Message]:
    """A good request of every method, naming real resources (set up by an
    operator)."""
    stub = pb_grpc.PromotionServiceStub(target.channel)
    ops = credential(target.issuer, Identity(Role.OPERATOR, "fuzz-setup"))
    promotion = pb.Promotion(
        kind=pb.PROMOTION_KIND_ITEM_DIRECT_REDUCTION, title="1 off",
        scope=pb.Scope(seller_id="s1", sku_ids=["k"]), amount_off=cny(100),
        budget=cny(100_000), start_time=ts(-HOUR), end_time=ts(HOUR))
    promotion_id = (await stub.CreatePromotion(pb.CreatePromotionRequest(
        promotion=promotion), metadata=ops)).promotion.promotion_id
    template = pb.CouponTemplate(
        title="5 off 20", kind=pb.COUPON_KIND_FULL_REDUCTION, threshold=cny(2000),
        amount_off=cny(500), valid_days=7, total_quantity=1000, per_buyer_limit=100)
    template_id = (await stub.CreateCouponTemplate(pb.CreateCouponTemplateRequest(
        template=template), metadata=ops)).template.template_id
    coupon_id = (await stub.ClaimCoupon(pb.ClaimCouponRequest(
        template_id=template_id, buyer_id=BUYER), metadata=ops)).coupon.coupon_id
    pool = pb.RedPacketPool(budget=cny(1_000_000), valid_days=3)
    pool_id = (await stub.CreateRedPacketPool(pb.CreateRedPacketPoolRequest(pool=pool),
                                              metadata=ops)).pool.pool_id
    issue = pb.IssueRedPacketRequest(pool_id=pool_id, buyer_id=BUYER, amount=cny(100),
                                     max_amount=cny(200))
    red_packet_id = (await stub.IssueRedPacket(issue, metadata=ops)).red_packet.red_packet_id
    card = pb.CreateStoredValueCardRequest(buyer_id=BUYER, balance=cny(100_000))
    card_id = (await stub.CreateStoredValueCard(card, metadata=ops)).card.card_id
    earn = pb.EarnPointsRequest(request_id="fuzz-earn", buyer_id=BUYER, points=10_000,
                                reason="fuzz")
    await stub.EarnPoints(earn, metadata=ops)
    policy = (await stub.GetStackingPolicy(pb.GetStackingPolicyRequest(), metadata=ops)).policy
    quote = pb.QuoteRequest(
        buyer_id=BUYER, lines=[pb.QuoteLine(line_id="l", seller_id="s1", sku_id="k",
                                            category_id="c", unit_price=cny(5000),
                                            quantity=2)],
        coupon_ids=[coupon_id], points=100, red_packet_id=red_packet_id,
        stored_value_card_id=card_id, stored_value_amount=cny(100), at_time=ts(dt.timedelta()))
    return {
        "CreatePromotion": pb.CreatePromotionRequest(request_id="r", promotion=promotion),
        "GetPromotion": pb.GetPromotionRequest(promotion_id=promotion_id),
        "ListPromotions": pb.ListPromotionsRequest(seller_id="s1", page_size=10),
        "EndPromotion": pb.EndPromotionRequest(request_id="r", promotion_id=promotion_id),
        "CreateCouponTemplate": pb.CreateCouponTemplateRequest(request_id="r",
                                                               template=template),
        "GetCouponTemplate": pb.GetCouponTemplateRequest(template_id=template_id),
        "ClaimCoupon": pb.ClaimCouponRequest(template_id=template_id, buyer_id=BUYER),
        "ListCoupons": pb.ListCouponsRequest(buyer_id=BUYER, page_size=10,
                                             statuses=[pb.COUPON_STATUS_AVAILABLE]),
        "GetPointsAccount": pb.GetPointsAccountRequest(buyer_id=BUYER),
        "EarnPoints": earn,
        "CreateRedPacketPool": pb.CreateRedPacketPoolRequest(request_id="r", pool=pool),
        "GetRedPacketPool": pb.GetRedPacketPoolRequest(pool_id=pool_id),
        "IssueRedPacket": issue,
        "ListRedPackets": pb.ListRedPacketsRequest(buyer_id=BUYER, page_size=10),
        "CreateStoredValueCard": card,
        "GetStoredValueCard": pb.GetStoredValueCardRequest(card_id=card_id),
        "GetStackingPolicy": pb.GetStackingPolicyRequest(),
        "UpdateStackingPolicy": pb.UpdateStackingPolicyRequest(request_id="r", policy=policy),
        "Quote": quote,
        "BestCoupons": pb.BestCouponsRequest(quote=quote),
        "HoldBenefits": pb.HoldBenefitsRequest(order_id="fuzz-order", quote=quote),
        "ReleaseBenefits": pb.ReleaseBenefitsRequest(order_id="fuzz-order"),
        "RedeemBenefits": pb.RedeemBenefitsRequest(order_id="fuzz-order"),
        "ReturnBenefits": pb.ReturnBenefitsRequest(
            request_id="r", order_id="fuzz-order", points_amount=cny(10),
            stored_value_amount=cny(10), restore_coupons=True),
        "ListAuditEntries": pb.ListAuditEntriesRequest(resource_type="coupon",
                                                       resource_id=coupon_id, page_size=10),
    }


def caller(method: str) -> Identity:
    """An operator where the rule admits one, else the (first) service it names."""
    rule = POLICY[method]
    return Identity(Role.OPERATOR, "fuzz-ops") if Role.OPERATOR in rule.roles \
        else Identity.for_service(min(rule.services, default="trade"))


async def test_no_bad_input_breaks_a_promotion_rpc_or_writes_when_refused(
        platform: Platform) -> None:
    await fuzz(Target(platform.runtime.access.issuer, platform.stubs.channels[0],
                      platform.runtime.dbs["promotion"]))


@pytest.mark.postgres
async def test_no_bad_input_breaks_promotion_on_postgres(on_postgres: Target) -> None:
    await fuzz(on_postgres)


async def fuzz(target: Target) -> None:
    issuer, channel, db = target.issuer, target.channel, target.db
    service = pb.DESCRIPTOR.services_by_name["PromotionService"]
    bases = await good_requests(target)
    assert set(bases) == set(service.methods_by_name)
    broken, written, answered = [], [], set()
    calls = 0
    for method in service.methods:
        metadata = credential(issuer, caller(method.name))
        base = bases[method.name]
        stub = channel.unary_unary(
            f"/{service.full_name}/{method.name}",
            request_serializer=type(base).SerializeToString,
            response_deserializer=getattr(pb, method.output_type.name).FromString)
        before = await rows(db)
        for label, request in variants(base):
            calls += 1
            if method.name == "HoldBenefits" and not label.startswith("order_id"):
                request.order_id = f"fuzz-order-{calls}"  # each a new order
            try:
                await stub(request, metadata=metadata, timeout=10)
            except grpc.aio.AioRpcError as e:
                answered.add((method.name, e.code().name))
                if e.code() in NEVER:
                    broken.append((method.name, label, e.code().name, e.details()[:100]))
                after = await rows(db)
                if after != before:
                    written.append((method.name, label))
                before = after
            else:
                answered.add((method.name, "OK"))
                before = await rows(db)
    assert broken == []
    assert written == []
    assert calls > 800
    # The good requests get past the limits to the use cases: each method
    # answers something besides INVALID_ARGUMENT.
    assert {m for m, code in answered if code != "INVALID_ARGUMENT"} == set(bases)
