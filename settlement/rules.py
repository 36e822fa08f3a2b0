"""Creating fee rule versions (operators), once per request id."""

from __future__ import annotations

import datetime as dt

from settlement import fees, views
from settlement.reasons import E
from settlement.repository import AUDIT_FEE_RULE, SqlSettlementUnitOfWork
from zhongtai.auth import Identity
from zhongtai.common.v1.common_pb2 import Operator
from zhongtai.errors import InvalidArgument
from zhongtai.idempotency import once
from zhongtai.ids import new_id
from zhongtai.money import parse_currency
from zhongtai.settlement.v1 import settlement_pb2 as pb
from zhongtai.wire import to_datetime


def rule_of(msg: pb.FeeRule, fee_rule_id: str, now: dt.datetime) -> fees.FeeRule:
    """The domain rule of a request's FeeRule (checked by ``fees.validate``);
    effective now when unset; amounts in the rule's one currency."""
    amounts = [msg.commission_fixed_amount, msg.rider_fee_amount,
               *(x.from_amount for x in msg.commission_tiers)]
    codes = {m.currency_code for m in amounts if m.currency_code}
    if len(codes) > 1:
        raise InvalidArgument.field("fee_rule", "amounts in more than one currency")
    currency = parse_currency(codes.pop(), "fee_rule") if codes else "CNY"
    rule = fees.FeeRule(
        fee_rule_id, msg.business_type.strip(), msg.seller_id,
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


async def create_fee_rule(uow: SqlSettlementUnitOfWork, req: pb.CreateFeeRuleRequest,
                          caller: Identity, now: dt.datetime) -> pb.CreateFeeRuleResponse:
    """Add a version, never in the past (FEE_RULE_IN_THE_PAST: orders
    already placed would change), never replacing one
    (FEE_RULE_VERSION_EXISTS); audited."""
    rule = rule_of(req.fee_rule, new_id(), now)
    if rule.effective_time < now:
        raise E(pb.ERROR_REASON_FEE_RULE_IN_THE_PAST,
                "a fee rule takes effect now or later, never before",
                metadata={"effective_time": rule.effective_time.isoformat()})

    async def create() -> pb.CreateFeeRuleResponse:
        await uow.fee_rules.add(rule, now, caller.subject)
        uow.audit(AUDIT_FEE_RULE, rule.fee_rule_id,
                  f"{rule.business_type}/{rule.seller_id or '*'} from "
                  f"{rule.effective_time.isoformat()}")
        return pb.CreateFeeRuleResponse(fee_rule=views.fee_rule_message(
            rule, now, Operator(role=Operator.ROLE_OPERATOR, id=caller.subject)))

    async with uow:
        return await once(uow.keys, req, pb.CreateFeeRuleResponse, create)
