"""Creating fee rule versions (operators); the servicer runs it once per
request id (``zhongtai.idempotency.once``, scope "CreateFeeRule")."""

from __future__ import annotations

import datetime as dt

from settlement import fees
from settlement.reasons import E
from settlement.repository import AUDIT_FEE_RULE, SqlSettlementUnitOfWork
from zhongtai.auth import Identity
from zhongtai.settlement.v1 import settlement_pb2 as pb


def check_not_past(rule: fees.FeeRule, now: dt.datetime) -> None:
    """FEE_RULE_IN_THE_PAST for a version taking effect before ``now``
    (orders already placed would change)."""
    if rule.effective_time < now:
        raise E(pb.ERROR_REASON_FEE_RULE_IN_THE_PAST,
                "a fee rule takes effect now or later, never before",
                metadata={"effective_time": rule.effective_time.isoformat()})


async def create_fee_rule(uow: SqlSettlementUnitOfWork, rule: fees.FeeRule,
                          caller: Identity, now: dt.datetime) -> fees.FeeRule:
    """Add a version (checked by ``check_not_past`` first), never replacing
    one (FEE_RULE_VERSION_EXISTS); audited. In the open unit of work."""
    await uow.fee_rules.add(rule, now, caller.subject)
    uow.audit(AUDIT_FEE_RULE, rule.fee_rule_id,
              f"{rule.business_type}/{rule.seller_id or '*'} from "
              f"{rule.effective_time.isoformat()}")
    return rule
