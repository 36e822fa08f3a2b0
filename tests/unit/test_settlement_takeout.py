"""Take-out clearing (issue 12 item 2; seed 003): the platform's delivery
(delivery and rider fees), the platform's own sales (a membership sold in
the same checkout), the business type of the order; the seed-003 receipt to
the minor unit, and the two sums for any part under any delivery rule."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from settlement import statement, store
from settlement.clearing import (
    EITHER_SIGN,
    NEVER_POSITIVE,
    SOURCES,
    USES,
    Deduction,
    LineKind,
    SellerPart,
    clear,
    total,
)
from settlement.fees import FeeRule, validate
from settlement.ledger import (
    CHANNEL_RECEIVABLE,
    DELIVERY_REVENUE,
    PLATFORM_REVENUE,
    PLATFORM_SALES,
    PLATFORM_SALES_PENDING,
    PLATFORM_SUBSIDY,
    RIDER_PAYABLE,
    Entry,
    EntryKind,
    balances,
    merchant_available,
    merchant_pending,
)
from settlement.order import Mode, OrderClearing, Refund, State, difference
from settlement.settings import SettlementSettings
from tests.settlement_support import FREIGHT_REDUCTION, T0, rule, rules, takeout_parts
from zhongtai.errors import InvalidArgument

RED_PACKET, SHOP_PROMOTION = 9, 5
# Seed 003: the red packet (7.00) allotted across the lines: 40/55 of it on
# m1's goods, the rest (remainder to the last line) on the membership.
RP_M1, RP_MEMBERSHIP = 509, 191


def takeout_rule(rider: int = 0) -> FeeRule:
    """Business type "takeout", every merchant: 10% of the goods, the
    platform delivers, channel fee 0."""
    return rule(1000, business_type="takeout", delivery_by_platform=True,
                rider_fee_amount=rider)


def seed_003() -> tuple[SellerPart, SellerPart]:
    """m1: rice 39 + box fee 1, delivery 7 less a freight reduction of 5
    (m1's), the shop full reduction 14 (m1's), its share of the red packet;
    the platform: the membership 15 and the rest of the red packet."""
    m1 = SellerPart("m1", 4000, 700, (Deduction(RED_PACKET, "rp", RP_M1, 0),
                                      Deduction(SHOP_PROMOTION, "full", 0, 1400),
                                      Deduction(FREIGHT_REDUCTION, "fr", 0, 500)))
    membership = SellerPart("platform", 1500, 0, (Deduction(RED_PACKET, "rp", RP_MEMBERSHIP, 0),))
    return m1, membership


def by_kind(lines: object) -> dict[LineKind, int]:
    out: dict[LineKind, int] = {}
    for x in lines:  # type: ignore[attr-defined]
        out[x.kind] = out.get(x.kind, 0) + x.amount
    return out


def test_seed_003_clears_to_the_merchant_receipt_and_the_platform_side() -> None:
    m1, membership = seed_003()
    assert m1.paid + membership.paid == 3600  # 40 + 7 + 15 - 5 - 7 - 14
    merchant = by_kind(clear(m1, takeout_rule()))
    assert merchant == {
        LineKind.GOODS: 4000, LineKind.PLATFORM_DISCOUNT: -RP_M1,
        LineKind.MERCHANT_DISCOUNT: -1900, LineKind.FREIGHT: 700,
        LineKind.MERCHANT_RECEIVABLE: 1700,  # 40 - 19 - 4
        LineKind.PLATFORM_COMMISSION: 400, LineKind.CHANNEL_FEE: 0,
        LineKind.PLATFORM_CHANNEL_FEE: 0, LineKind.DELIVERY_FEE: 700, LineKind.RIDER_FEE: 0}
    f = statement.figures(merchant)
    assert f == statement.Figures(goods=4000, merchant_discount=1900, freight=0,
                                  commission=400, channel_fee=0, receivable=1700)
    platform = by_kind(clear(membership, takeout_rule(), platform=True))
    assert platform[LineKind.PLATFORM_SALES] == 1500
    assert platform[LineKind.PLATFORM_COMMISSION] == 0
    assert LineKind.MERCHANT_RECEIVABLE not in platform
    assert platform[LineKind.DELIVERY_FEE] == platform[LineKind.RIDER_FEE] == 0


def test_a_rider_fee_takes_its_part_of_the_freight_at_most_all_of_it() -> None:
    m1, _ = seed_003()
    lines = by_kind(clear(m1, takeout_rule(rider=500)))
    assert (lines[LineKind.DELIVERY_FEE], lines[LineKind.RIDER_FEE]) == (200, 500)
    assert lines[LineKind.MERCHANT_RECEIVABLE] == 1700  # the merchant's is unchanged
    lines = by_kind(clear(m1, takeout_rule(rider=900)))
    assert (lines[LineKind.DELIVERY_FEE], lines[LineKind.RIDER_FEE]) == (0, 700)


def test_without_platform_delivery_the_freight_is_the_merchants() -> None:
    m1, _ = seed_003()
    lines = by_kind(clear(m1, rule(1000)))
    assert lines[LineKind.MERCHANT_RECEIVABLE] == 1700 + 700
    assert LineKind.DELIVERY_FEE not in lines and LineKind.RIDER_FEE not in lines


def seed_003_booked(mode: Mode = Mode.ESCROW) -> tuple[OrderClearing, list[Entry]]:
    rules_ = {"m1": takeout_rule(), "platform": takeout_rule()}
    return OrderClearing.on_payment("o3", "chen", "takeout", mode, "CNY", seed_003(), rules_,
                                    T0, T0, platform_sellers=["platform", "elsewhere"])


def test_seed_003_books_a_balanced_ledger_per_party() -> None:
    o, entries = seed_003_booked()
    assert o.platform_sellers == frozenset({"platform"})
    entries += o.after_sales_ended(T0)
    assert [e.kind for e in entries] == [EntryKind.PAYMENT, EntryKind.CLEARING]
    for e in entries:
        assert sum(p.amount for p in e.postings) == 0
    b = {a: v for (a, _), v in balances(entries).items() if v}
    assert b == {
        CHANNEL_RECEIVABLE: 3600, PLATFORM_SUBSIDY: 700,   # the red packet
        merchant_available("m1"): -1700, PLATFORM_REVENUE: -400,
        DELIVERY_REVENUE: -700, PLATFORM_SALES: -1500}
    assert not [a for a in b if a.endswith(":platform")]
    assert [x.seller_id for x in o.merchant_lines()] == ["m1"] * len(o.merchant_lines())


def test_a_full_refund_after_clearing_takes_every_account_back() -> None:
    o, entries = seed_003_booked(Mode.COLLECTION)
    assert o.state is State.CLEARED
    # Trade's plan: the goods' cash, the freight's cash (7 - 5), the goods'
    # deductions and the freight reduction as 0.
    entries += o.refunded_by(Refund("a1", "m1", 4000 - 1400 - RP_M1, 200,
                                    (Deduction(RED_PACKET, "rp", RP_M1, 0),
                                     Deduction(SHOP_PROMOTION, "full", 0, 1400),
                                     Deduction(FREIGHT_REDUCTION, "fr", 0, 0))), T0)
    assert by_kind(o.lines())[LineKind.MERCHANT_RECEIVABLE] == 0
    assert by_kind(o.lines())[LineKind.DELIVERY_FEE] == 0
    entries += o.refunded_by(Refund("a2", "platform", 1500 - RP_MEMBERSHIP, 0,
                                    (Deduction(RED_PACKET, "rp", RP_MEMBERSHIP, 0),)), T0)
    assert [e.kind for e in entries[2:]] == [EntryKind.REVERSAL, EntryKind.REVERSAL]
    assert o.refunded == o.paid == 3600
    assert all(v == 0 for v in balances(entries).values())


def test_the_orders_freight_refunded_with_another_sellers_line_leaves_m1() -> None:
    """Trade refunds the order's freight cash with its last line, here the
    membership's: m1's freight (and its reduction) go back all the same."""
    o, entries = seed_003_booked()
    entries += o.refunded_by(Refund("a1", "m1", 4000 - 1400 - RP_M1, 0,
                                    (Deduction(RED_PACKET, "rp", RP_M1, 0),
                                     Deduction(SHOP_PROMOTION, "full", 0, 1400)),
                                    shipped=False), T0)
    assert (o.parts["m1"].freight, o.parts["m1"].paid) == (700, 200)
    entries += o.refunded_by(Refund("a2", "platform", 1500 - RP_MEMBERSHIP, 200,
                                    (Deduction(RED_PACKET, "rp", RP_MEMBERSHIP, 0),),
                                    shipped=False), T0)
    assert o.state is State.REVERSED and o.refunded == 3600
    assert all(x.amount == 0 for x in o.lines())
    assert all(v == 0 for v in balances(entries).values())


def test_goods_refunded_with_the_freight_kept_leave_the_platform_the_shortfall() -> None:
    """The merchant's freight reduction (5.00) outlives its goods: the
    merchant's receivable stays 0 and the platform's delivery fee absorbs it."""
    m1, _ = seed_003()
    left = m1.refunded(4000 - 1400 - RP_M1, 0, (Deduction(RED_PACKET, "rp", RP_M1, 0),
                                                Deduction(SHOP_PROMOTION, "full", 0, 1400)))
    assert (left.goods, left.freight, left.paid) == (0, 700, 200)
    lines = by_kind(clear(left, takeout_rule(rider=300)))
    assert lines[LineKind.MERCHANT_RECEIVABLE] == 0
    assert (lines[LineKind.DELIVERY_FEE], lines[LineKind.RIDER_FEE]) == (700 - 300 - 500, 300)
    assert statement.figures(lines).freight == 500  # the receipt's identity holds
    assert total(clear(left, takeout_rule(rider=300)), *USES) == 200


def test_a_freight_reduced_to_nothing_goes_back_with_the_goods_if_unshipped() -> None:
    part = SellerPart("m1", 1000, 500, (Deduction(FREIGHT_REDUCTION, "fr", 100, 400),))
    for shipped, freight_left in ((True, 500), (False, 0)):
        left = part.refunded(1000, 0, (), shipped=shipped)
        assert (left.goods, left.freight, left.paid) == (0, freight_left, 0)
    half = part.refunded(500, 0, (), shipped=False)  # goods are left: the freight stays
    assert half.freight == 500 and half.discounts == 500


@settings(max_examples=500, deadline=None)
@given(takeout_parts(), rules(delivery=True), st.booleans())
def test_two_sums_hold_with_platform_delivery_and_rider_fees(
        part: SellerPart, fee: FeeRule, platform: bool) -> None:
    lines = clear(part, fee, platform=platform)
    assert total(lines, *SOURCES) == part.paid
    assert total(lines, *USES) == part.paid
    for x in lines:
        if x.kind in NEVER_POSITIVE:
            assert x.amount <= 0, x
        elif x.kind not in EITHER_SIGN:
            assert x.amount >= 0, x
    k = by_kind(lines)
    assert k[LineKind.RIDER_FEE] == min(fee.rider_fee_amount, part.freight)
    assert k[LineKind.DELIVERY_FEE] + k[LineKind.RIDER_FEE] <= part.freight
    if platform:
        assert LineKind.MERCHANT_RECEIVABLE not in k and k[LineKind.PLATFORM_COMMISSION] == 0
    else:
        f = statement.figures(k)
        assert f.receivable == (f.goods - f.merchant_discount + f.freight - f.commission
                                - f.channel_fee)


@settings(max_examples=200, deadline=None)
@given(takeout_parts("m1"), takeout_parts("platform"), rules(delivery=True),
       st.sampled_from(list(Mode)))
def test_every_entry_balances_and_pending_is_emptied_at_clearing(
        m1: SellerPart, own: SellerPart, fee: FeeRule, mode: Mode) -> None:
    o, entries = OrderClearing.on_payment("o", "b", "takeout", mode, "CNY", [m1, own],
                                          {"m1": fee, "platform": fee}, T0, T0, ["platform"])
    entries += o.after_sales_ended(T0)
    b = balances(entries)
    assert b.get((merchant_pending("m1"), "CNY"), 0) == 0
    assert b.get((PLATFORM_SALES_PENDING, "CNY"), 0) == 0
    assert b.get((CHANNEL_RECEIVABLE, "CNY"), 0) == m1.paid + own.paid
    assert -b.get((RIDER_PAYABLE, "CNY"), 0) == total(o.lines(), LineKind.RIDER_FEE)
    assert sum(b.values()) == 0


@settings(max_examples=200, deadline=None)
@given(takeout_parts("m1"), rules(delivery=True), st.integers(0, 100), st.integers(0, 100),
       st.booleans())
def test_a_refund_takes_back_exactly_its_goods_and_freight(
        part: SellerPart, fee: FeeRule, share: int, freight_share: int, cleared: bool) -> None:
    """The freight reductions go back with the freight's cash, the other
    deductions with the goods: what the buyer got back is what the lines
    lost, on both sides."""
    o, entries = OrderClearing.on_payment(
        "o", "b", "takeout", Mode.COLLECTION if cleared else Mode.ESCROW, "CNY", [part],
        {"m1": fee}, T0, T0)
    # As trade's plans: the goods' deductions in proportion, a freight
    # reduction as 0 (settlement takes it back with the freight's cash).
    refunded = tuple(Deduction(d.kind, d.source_id, 0, 0) if d.on_freight else
                     Deduction(d.kind, d.source_id, d.platform * share // 100,
                               d.merchant * share // 100) for d in part.deductions)
    off = sum(d.amount for d in part.deductions if d.on_freight)
    cash = (part.goods - (part.discounts - off)) * share // 100
    freight = (part.freight - off) * freight_share // 100
    before = o.lines()
    entries += o.refunded_by(Refund("a1", "m1", cash, freight, refunded), T0)
    assert o.refunded == cash + freight == part.paid - o.outstanding
    removed = difference(before, o.lines())
    assert total(removed, *SOURCES) == total(removed, *USES) == cash + freight
    assert -balances(entries).get((CHANNEL_RECEIVABLE, "CNY"), 0) == -o.outstanding


def test_a_rider_fee_needs_platform_delivery_and_is_never_negative() -> None:
    for bad in (rule(1000, rider_fee_amount=300),
                rule(1000, delivery_by_platform=True, rider_fee_amount=-1)):
        with pytest.raises(InvalidArgument) as e:
            validate(bad)
        assert [v.field for v in e.value.violations] == ["fee_rule.rider_fee_amount"]
    validate(takeout_rule(rider=300))


def test_the_business_type_is_the_orders_else_the_default() -> None:
    s = SettlementSettings(business_type="default", platform_seller_ids=" platform, vip ,")
    assert s.business_type_of("takeout") == "takeout"
    assert s.business_type_of("") == "default"
    assert s.platform_sellers() == frozenset({"platform", "vip"})


def test_stored_rules_and_clearings_keep_delivery_and_the_platform_sellers() -> None:
    r = takeout_rule(rider=300)
    assert store.rule_from(store.rule_json(r)) == r
    old = store.rule_json(rule(1000)).replace(', "delivery": false', "").replace(
        ', "rider": 0', "")
    assert "delivery" not in old and store.rule_from(old) == rule(1000)
    o, _ = seed_003_booked()
    row = SimpleNamespace(_mapping={**store.clearing_row(o), "version": 1})
    back = store.clearing_from(row)
    assert back.platform_sellers == o.platform_sellers and back.lines() == o.lines()
