"""What settlement's servicers check of a request beyond its contract, and
the plain arguments of its use case.

The limits its fields declare are checked by the server before the
servicer runs (``zhongtai.validation``). Here each request is turned into
the values its use case takes (no protobuf message goes further): a fee
rule checked whole (``fees.validate``: INVALID_ARGUMENT, nothing written),
a payout's amount, a statement's batch or period, a page of one merchant's
(or one order's) records. Who may ask for what is the use case's rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from settlement import fees
from zhongtai import pagination
from zhongtai.errors import InvalidArgument
from zhongtai.ids import new_id
from zhongtai.money import parse_currency
from zhongtai.settlement.v1 import settlement_pb2 as pb
from zhongtai.settlement.v1 import split_pb2 as spb
from zhongtai.wire import to_datetime


@dataclass
class SellerPage:
    """A page of one merchant's records (``seller_id`` "" : every merchant's,
    for staff), as ``queries.merchant_page`` takes it."""

    seller_id: str
    page_size: int
    page_token: str
    order_id: str = ""


@dataclass(frozen=True)
class PayoutOrder:
    """A CreatePayout request: the merchant asked for, the amount and its
    currency code as given ("" : CNY), the request id."""

    seller_id: str
    amount: int
    currency_code: str
    request_id: str


@dataclass(frozen=True)
class StatementAsk:
    """A merchant statement asked for: of a batch, or of a period (either
    end None when not given)."""

    seller_id: str
    batch_id: str
    start_time: dt.datetime | None
    end_time: dt.datetime | None


def fee_rule(msg: pb.FeeRule, now: dt.datetime) -> fees.FeeRule:
    """The domain rule of a request's FeeRule (checked by ``fees.validate``),
    under a new id; effective now when unset; amounts in the rule's one
    currency."""
    amounts = [msg.commission_fixed_amount, msg.rider_fee_amount,
               *(x.from_amount for x in msg.commission_tiers)]
    codes = {m.currency_code for m in amounts if m.currency_code}
    if len(codes) > 1:
        raise InvalidArgument.field("fee_rule", "amounts in more than one currency")
    currency = parse_currency(codes.pop(), "fee_rule") if codes else "CNY"
    rule = fees.FeeRule(
        new_id(), msg.business_type.strip(), msg.seller_id,
        to_datetime(msg.effective_time) if msg.HasField("effective_time") else now,
        currency, fees.CommissionKind(msg.commission_kind or fees.CommissionKind.PERCENTAGE),
        fees.CommissionBase(msg.commission_base or fees.CommissionBase.GOODS),
        msg.commission_rate_bps, msg.commission_fixed_amount.amount_minor,
        tuple(fees.Tier(x.from_amount.amount_minor, x.rate_bps)
              for x in msg.commission_tiers),
        msg.channel_fee_bps, msg.channel_fee_by_merchant, msg.delivery_by_platform,
        msg.rider_fee_amount.amount_minor)
    fees.validate(rule)
    return rule


def payout(req: pb.CreatePayoutRequest) -> PayoutOrder:
    """A CreatePayout request's values."""
    return PayoutOrder(req.seller_id, req.amount.amount_minor, req.amount.currency_code,
                       req.request_id)


def statement(req: pb.GetMerchantStatementRequest) -> StatementAsk:
    """A GetMerchantStatement request's (or an export's) batch or period."""
    return StatementAsk(
        req.seller_id, req.batch_id,
        to_datetime(req.start_time) if req.HasField("start_time") else None,
        to_datetime(req.end_time) if req.HasField("end_time") else None)


def page(req: pagination.PageRequest) -> pagination.Page:
    """A List request's page size and token, as plain values."""
    return pagination.Page(req.page_size, req.page_token)


def seller_page(req: pb.ListPayoutsRequest | pb.ListSettlementBatchesRequest
                | spb.ListSplitsRequest) -> SellerPage:
    """A List request of one merchant's records (splits: of one order too)."""
    return SellerPage(req.seller_id, req.page_size, req.page_token,
                      getattr(req, "order_id", ""))
