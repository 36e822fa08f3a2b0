"""promotion's security end to end, through the stubs on the embedded
platform: the contract's limits refuse out-of-range input with
INVALID_ARGUMENT and field violations (never INTERNAL, UNAVAILABLE or an
oversized error), and nothing is written."""

from __future__ import annotations

import datetime as dt

import grpc
import pytest

from tests.builders import cny
from tests.e2e.builders import ts
from tests.e2e.platform import Platform
from tests.e2e.support import refusal
from tests.promotion_support import rows
from zhongtai.common.v1.common_pb2 import Money
from zhongtai.promotion.v1 import promotion_pb2 as pb

pytestmark = pytest.mark.e2e

INVALID = grpc.StatusCode.INVALID_ARGUMENT
HUGE = 2**62 + 1


HOUR = dt.timedelta(hours=1)


async def test_out_of_range_input_is_invalid_argument_and_writes_nothing(
        platform: Platform) -> None:
    stub = platform.promotion
    db = platform.runtime.dbs["promotion"]
    before = await rows(db)
    line = pb.QuoteLine(line_id="l", seller_id="s", sku_id="k", unit_price=cny(HUGE),
                        quantity=2**62)
    cases = {
        # An oversized id is refused as such, not echoed (RESOURCE_EXHAUSTED).
        "promotion_id": stub.GetPromotion(pb.GetPromotionRequest(promotion_id="p" * 20_000)),
        "card_id": stub.GetStoredValueCard(pb.GetStoredValueCardRequest(card_id="c" * 20_000)),
        # A 999-off promotion of 2^62+1 off, a price beyond any SKU's.
        "promotion.amount_off.amount_minor": stub.CreatePromotion(pb.CreatePromotionRequest(
            promotion=pb.Promotion(kind=pb.PROMOTION_KIND_ITEM_DIRECT_REDUCTION, title="t",
                                   amount_off=cny(HUGE), start_time=ts(-HOUR),
                                   end_time=ts(HOUR)))),
        "lines[0].unit_price.amount_minor": stub.Quote(pb.QuoteRequest(
            buyer_id="b", lines=[line])),
        "points": stub.EarnPoints(pb.EarnPointsRequest(request_id="e", buyer_id="b",
                                                       points=2**62)),
        "balance.currency_code": stub.CreateStoredValueCard(pb.CreateStoredValueCardRequest(
            buyer_id="b", balance=Money(currency_code="XXX", amount_minor=100))),
        "buyer_id": stub.CreateStoredValueCard(pb.CreateStoredValueCardRequest(
            buyer_id="   ", balance=cny(100))),
        "pool.budget.amount_minor": stub.CreateRedPacketPool(pb.CreateRedPacketPoolRequest(
            pool=pb.RedPacketPool(budget=cny(-1), valid_days=1))),
        "order_id": stub.ReleaseBenefits(pb.ReleaseBenefitsRequest(order_id="o\x00")),
    }
    for field, call in cases.items():
        error = await refusal(call, INVALID)
        assert field in error["fields"], (field, error)  # type: ignore[operator]
        assert all(len(v) <= 256 for v in error["metadata"].values())  # type: ignore[attr-defined]
    assert await rows(db) == before
