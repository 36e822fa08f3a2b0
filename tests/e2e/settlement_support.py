"""Helpers of settlement's end-to-end tests: fee rules, clearings and
balances through SettlementService on the embedded platform, and an online
service order with a shop promotion and a platform coupon."""

from __future__ import annotations

from tests.builders import cny
from tests.conftest import eventually
from tests.e2e.builders import DAY, coupon_for, order_of, pay_by_balance, ts
from tests.e2e.platform import Platform
from tests.e2e.support import order_request, seed_shop, status_is
from zhongtai.auth import Identity, Role
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.ids import new_id
from zhongtai.promotion.v1 import promotion_pb2 as pr
from zhongtai.settlement.v1 import settlement_pb2 as st
from zhongtai.settlement.v1 import settlement_pb2_grpc as st_grpc
from zhongtai.settlement.v1 import split_pb2 as sp
from zhongtai.trade.v1 import trade_pb2 as tr

OPERATOR = Identity(Role.OPERATOR, "finance-1")

Metadata = tuple[tuple[str, str], ...]


def settlement(p: Platform) -> st_grpc.SettlementServiceStub:
    return st_grpc.SettlementServiceStub(p.stubs.channels[0])


async def fee_rule(p: Platform, seller_id: str, rate_bps: int, channel_fee_bps: int = 0
                   ) -> st.FeeRule:
    """A percentage-of-the-goods rule for one seller, effective now."""
    return (await settlement(p).CreateFeeRule(st.CreateFeeRuleRequest(
        request_id=new_id(), fee_rule=st.FeeRule(
            business_type="default", seller_id=seller_id,
            commission_kind=st.COMMISSION_KIND_PERCENTAGE,
            commission_base=st.COMMISSION_BASE_GOODS, commission_rate_bps=rate_bps,
            channel_fee_bps=channel_fee_bps)), metadata=p.as_(OPERATOR))).fee_rule


async def clearing_of(p: Platform, order_id: str) -> st.OrderClearing:
    return (await settlement(p).GetOrderClearing(st.GetOrderClearingRequest(
        order_id=order_id), metadata=p.as_(OPERATOR))).clearing


async def reaches(p: Platform, order_id: str, state: int) -> st.OrderClearing:
    """The order's clearing once it is in ``state``."""
    async def there() -> bool:
        try:
            return (await clearing_of(p, order_id)).state == state
        except Exception:
            return False

    await eventually(there)
    return await clearing_of(p, order_id)


async def balance_of(p: Platform, account_id: str) -> int:
    return (await settlement(p).GetAccountBalance(st.GetAccountBalanceRequest(
        account_id=account_id), metadata=p.as_(OPERATOR))).account.balance.amount_minor


def line(c: st.OrderClearing, kind: int) -> int:
    return sum(x.amount.amount_minor for x in c.lines if x.kind == kind)


async def shop_with_promotion(p: Platform, name: str, price: int = 12_000) -> tuple[str, str]:
    """A seller of one online service at ``price`` with a shop promotion
    (10.00 off 50.00, the merchant's): its seller and SKU ids."""
    shop = await seed_shop(p.stubs, name, [price], stock=20,
                           item_type=cat.ITEM_TYPE_ONLINE_SERVICE)
    await p.promotion.CreatePromotion(pr.CreatePromotionRequest(promotion=pr.Promotion(
        kind=pr.PROMOTION_KIND_SHOP_FULL_REDUCTION, title="满50减10",
        scope=pr.Scope(seller_id=shop.seller_id),
        ladders=[pr.Ladder(threshold=cny(5_000), amount_off=cny(1_000))],
        start_time=ts(-DAY), end_time=ts(DAY))))
    return shop.seller_id, shop.sku_ids[0]


async def paid_with_coupon(p: Platform, buyer: str, sku_id: str) -> tr.Order:
    """One unit of ``sku_id`` with a platform coupon (20.00 off 100.00, the
    platform's), paid by balance (WAIT_RECEIVE: an online service)."""
    coupon = await coupon_for(p.promotion, buyer, threshold=10_000, off=2_000,
                              platform_share=10_000)
    req = order_request(buyer, [(sku_id, 1)], request_id=new_id())
    req.benefits.CopyFrom(tr.Benefits(coupon_ids=[coupon]))
    order = (await p.stubs.trade.CreateOrder(req)).order
    await pay_by_balance(p, buyer, order)
    await eventually(lambda: status_is(p.stubs, order.order_id, tr.ORDER_STATUS_WAIT_RECEIVE))
    return await order_of(p, order.order_id)


# --- take-out (seed 003) --------------------------------------------------------

# Accounts whose normal balance is a credit: the RPCs show them with the sign
# flipped (docs/settlement.md), so a test can compare them with their postings.
CREDIT_NORMAL = frozenset({
    st.ACCOUNT_KIND_MERCHANT_PENDING, st.ACCOUNT_KIND_MERCHANT_AVAILABLE,
    st.ACCOUNT_KIND_PLATFORM_REVENUE, st.ACCOUNT_KIND_CHANNEL_FEE_PAYABLE,
    st.ACCOUNT_KIND_MERCHANT_PAYOUT_PENDING, st.ACCOUNT_KIND_PLATFORM_DELIVERY_REVENUE,
    st.ACCOUNT_KIND_RIDER_PAYABLE, st.ACCOUNT_KIND_PLATFORM_SALES_PENDING,
    st.ACCOUNT_KIND_PLATFORM_SALES})


async def delivery_rule(p: Platform, business_type: str, rate_bps: int,
                        rider_fee: int = 0) -> st.FeeRule:
    """A business type's rule for every merchant, effective now: a
    percentage of the goods, the platform delivers, no channel fee."""
    return (await settlement(p).CreateFeeRule(st.CreateFeeRuleRequest(
        request_id=new_id(), fee_rule=st.FeeRule(
            business_type=business_type,
            commission_kind=st.COMMISSION_KIND_PERCENTAGE,
            commission_base=st.COMMISSION_BASE_GOODS, commission_rate_bps=rate_bps,
            delivery_by_platform=True, rider_fee_amount=cny(rider_fee))),
        metadata=p.as_(OPERATOR))).fee_rule


async def journal_of(stub: st_grpc.SettlementServiceStub, operator: Metadata,
                     request: st.ListJournalEntriesRequest) -> list[st.JournalEntry]:
    """The journal entries of an order or an account (``request``, one page
    of up to 500) through any settlement server (the embedded platform's or
    a process's) called with ``operator``'s credential, checking that each
    entry balances."""
    request.page_size = 500
    entries = list((await stub.ListJournalEntries(request, metadata=operator)).entries)
    for e in entries:
        assert sum(x.amount.amount_minor for x in e.postings) == 0, e
    return entries


async def ledger_of(p: Platform, order_ids: list[str]) -> dict[str, int]:
    """Every posting of these orders' journal entries summed per account
    (debit positive), checking on the way that each entry balances."""
    sums: dict[str, int] = {}
    for order_id in order_ids:
        for e in await journal_of(settlement(p), p.as_(OPERATOR),
                                  st.ListJournalEntriesRequest(order_id=order_id)):
            for x in e.postings:
                sums[x.account_id] = sums.get(x.account_id, 0) + x.amount.amount_minor
    return sums


async def accounts_shown(p: Platform) -> dict[str, int]:
    """Every account as ListAccounts shows it, turned back to debit positive."""
    listed = (await settlement(p).ListAccounts(st.ListAccountsRequest(page_size=500),
                                               metadata=p.as_(OPERATOR))).accounts
    return {a.account_id: -a.balance.amount_minor if a.kind in CREDIT_NORMAL
            else a.balance.amount_minor for a in listed}


async def splits_of(p: Platform, order_id: str, who: Identity = OPERATOR) -> list[sp.Split]:
    return list((await settlement(p).ListSplits(sp.ListSplitsRequest(order_id=order_id),
                                                metadata=p.as_(who))).splits)


async def split_reaches(p: Platform, order_id: str, state: int) -> sp.Split:
    """The order's one split instruction once it is in ``state``."""
    found: list[sp.Split] = []

    async def there() -> bool:
        nonlocal found
        found = await splits_of(p, order_id)
        return len(found) == 1 and found[0].state == state

    await eventually(there, within=20.0)
    return found[0]
