"""Builders and hypothesis strategies of settlement's pure core (fee rules,
seller parts, refunds), shared by its tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from hypothesis import strategies as st

from settlement import booking, payouts, requests
from settlement.api import payout_once
from settlement.clearing import Deduction, SellerPart
from settlement.consumers import paid_order
from settlement.fees import CommissionBase, CommissionKind, FeeRule, Tier
from settlement.payout import Payout
from settlement.payout_adapter import PayoutAdapter
from settlement.repository import SqlSettlementUnitOfWork
from settlement.settings import SettlementSettings
from zhongtai.auth import Identity
from zhongtai.db import Database
from zhongtai.promotion.v1 import promotion_pb2 as promo
from zhongtai.settlement.v1 import settlement_pb2 as pb

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def rule(rate_bps: int = 1000, *, seller_id: str = "", business_type: str = "default",
         effective: dt.datetime = T0, rule_id: str = "r1", **kw: object) -> FeeRule:
    """A PERCENTAGE rule on the goods (10% by default), no channel fee."""
    return FeeRule(rule_id, business_type, seller_id, effective, "CNY", rate_bps=rate_bps,
                   **kw)  # type: ignore[arg-type]


@st.composite
def deductions(draw: st.DrawFn, goods: int) -> tuple[Deduction, ...]:
    """Deductions of a part worth ``goods``, together at most ``goods``."""
    left = goods
    out = []
    for i in range(draw(st.integers(0, 4))):
        amount = draw(st.integers(0, left))
        platform = draw(st.integers(0, amount))
        out.append(Deduction(draw(st.integers(1, 11)), f"src{i}", platform, amount - platform))
        left -= amount
    return tuple(out)


@st.composite
def parts(draw: st.DrawFn, seller_id: str = "s1") -> SellerPart:
    goods = draw(st.integers(0, 10**9))
    return SellerPart(seller_id, goods, draw(st.integers(0, 10**6)), draw(deductions(goods)))


FREIGHT_REDUCTION = promo.DEDUCTION_KIND_FREIGHT_REDUCTION


@st.composite
def takeout_parts(draw: st.DrawFn, seller_id: str = "s1") -> SellerPart:
    """A part as ``parts`` plus a freight reduction (减配送费) of up to its
    freight, borne by either: the merchant's deductions may then exceed
    its goods."""
    part = draw(parts(seller_id))
    off = draw(st.integers(0, part.freight))
    platform = draw(st.integers(0, off))
    return replace(part, deductions=(*part.deductions,
                                     Deduction(FREIGHT_REDUCTION, "fr", platform, off - platform)))


@st.composite
def rules(draw: st.DrawFn, delivery: bool | None = None) -> FeeRule:
    """Any valid rule; ``delivery``: whether the platform delivers (None:
    either), with a rider fee of any size when it does."""
    kind = draw(st.sampled_from(list(CommissionKind)))
    tiers: tuple[Tier, ...] = ()
    if kind is CommissionKind.TIERED:
        froms = sorted(set(draw(st.lists(st.integers(1, 10**9), max_size=4))))
        tiers = tuple(Tier(f, draw(st.integers(0, 10000))) for f in [0, *froms])
    delivered = draw(st.booleans()) if delivery is None else delivery
    return FeeRule("r", "default", "", T0, "CNY", kind,
                   draw(st.sampled_from(list(CommissionBase))),
                   rate_bps=draw(st.integers(0, 10000)),
                   fixed_amount=draw(st.integers(0, 10**7)), tiers=tiers,
                   channel_fee_bps=draw(st.integers(0, 10000)),
                   channel_fee_by_merchant=draw(st.booleans()),
                   delivery_by_platform=delivered,
                   rider_fee_amount=draw(st.integers(0, 2 * 10**6)) if delivered else 0)


def money_(amount: int) -> object:
    from zhongtai.wire import money
    return money("CNY", amount)


def trade_order(order_id: str, lines: list[tuple[str, int, int, list[tuple[int, str, int, int]]]],
                created: dt.datetime = T0, business_type: str = "") -> object:
    """A paid top-level trade Order of ``business_type`` (empty: an order
    from before the field): one sub order per ``(seller, goods, freight,
    [(deduction kind, source, platform, merchant)])``."""
    from zhongtai.trade.v1 import trade_pb2 as trade
    from zhongtai.wire import money, timestamp

    def sub(i: int, seller: str, goods: int, freight: int,
            ds: list[tuple[int, str, int, int]]) -> trade.Order:
        return trade.Order(
            order_id=f"{order_id}-{i}", parent_id=order_id, seller_id=seller,
            total_amount=money("CNY", goods), freight_amount=money("CNY", freight),
            deductions=[promo.Deduction(kind=k, source_id=s, amount=money("CNY", p + m),  # type: ignore[arg-type]
                                        platform_amount=money("CNY", p),
                                        merchant_amount=money("CNY", m)) for k, s, p, m in ds])

    subs = [sub(i, *x) for i, x in enumerate(lines)]
    return trade.Order(
        order_id=order_id, buyer_id="b1", is_main=True, sub_orders=subs,
        business_type=business_type,
        total_amount=money("CNY", sum(x[1] for x in lines)), create_time=timestamp(created),
        pay_orders=[trade.PayOrder(pay_order_id=f"{order_id}-p", status=trade.PAY_STATUS_PAID)])


def lines_by_kind(c: Any, seller_id: str) -> dict[int, int]:
    """One seller part's lines of a zhongtai.settlement.v1.OrderClearing,
    summed by LineKind."""
    out: dict[int, int] = {}
    for x in c.lines:
        if x.seller_id == seller_id:
            out[x.kind] = out.get(x.kind, 0) + x.amount.amount_minor
    return out


async def book(db: Database,
               act: Callable[[SqlSettlementUnitOfWork], Awaitable[object]]) -> None:
    """Run ``act(uow)`` in one settlement unit of work on ``db``."""
    async with SqlSettlementUnitOfWork(db) as uow:
        await act(uow)


SHOP_PROMOTION, RED_PACKET = 5, 9


async def cleared(db: Database, order_id: str, at: dt.datetime = T0,
                  seller: str = "s1") -> None:
    """A paid order of ``seller`` cleared at payment (collection mode):
    goods 4000, freight 500, a red packet 700 (platform), a shop promotion
    1400 (merchant); under a 10% commission on the goods the receivable is
    4000 - 1400 + 500 - 400 = 2700."""
    order = trade_order(order_id, [(seller, 4000, 500, [(RED_PACKET, "rp", 700, 0),
                                                        (SHOP_PROMOTION, "p", 0, 1400)])])
    await book(db, lambda u: booking.order_paid(
        u, paid_order(order),  # type: ignore[arg-type]
        SettlementSettings(collection_business_types="default"), at))


async def create_payout(uows: Callable[[], SqlSettlementUnitOfWork], adapter: PayoutAdapter,
                        req: pb.CreatePayoutRequest, caller: Identity,
                        clock: Callable[[], dt.datetime]) -> Payout:
    """CreatePayout as the servicer runs it: its values, its request id
    remembered (``settlement.api.payout_once``)."""
    return await payouts.create_payout(uows, adapter, requests.payout(req), caller, clock,
                                       payout_once(req))
