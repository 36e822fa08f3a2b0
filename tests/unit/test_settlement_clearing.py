"""Clearing: the lines of a seller part always sum exactly to what the buyer
paid, with the right signs, under any fee rule; a worked example."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from settlement.clearing import (
    NEVER_POSITIVE,
    SOURCES,
    USES,
    Deduction,
    LineKind,
    SellerPart,
    clear,
    total,
)
from settlement.fees import FeeRule
from settlement.order import difference
from tests.settlement_support import parts, rule, rules

RED_PACKET, SHOP_PROMOTION = 9, 5


@settings(max_examples=500, deadline=None)
@given(parts(), st.none() | rules())
def test_lines_sum_exactly_to_what_the_buyer_paid(part: SellerPart,
                                                  fee: FeeRule | None) -> None:
    lines = clear(part, fee)
    assert total(lines, *SOURCES) == part.paid
    assert total(lines, *USES) == part.paid
    for x in lines:
        if x.kind in NEVER_POSITIVE:
            assert x.amount <= 0, x
        else:
            assert x.amount >= 0, x


@settings(max_examples=300, deadline=None)
@given(parts(), rules(), st.data())
def test_a_refund_removes_exactly_what_it_took(part: SellerPart, fee: FeeRule,
                                               data: st.DataObject) -> None:
    share = data.draw(st.integers(0, 100))
    refunded = tuple(Deduction(d.kind, d.source_id, d.platform * share // 100,
                               d.merchant * share // 100) for d in part.deductions)
    cash = (part.goods - part.discounts) * share // 100
    freight = data.draw(st.integers(0, part.freight))
    after = part.less(cash + sum(d.amount for d in refunded), freight, refunded)
    assert after.paid == part.paid - cash - freight
    removed = difference(clear(part, fee), clear(after, fee))
    assert total(removed, *SOURCES) == cash + freight
    assert total(removed, *USES) == cash + freight


@given(parts(), rules())
def test_a_full_refund_removes_every_line(part: SellerPart, fee: FeeRule) -> None:
    nothing = part.less(part.goods, part.freight, part.deductions)
    assert all(x.amount == 0 for x in clear(nothing, fee))


def test_worked_example_platform_red_packet_and_merchant_promotion() -> None:
    # Goods 40.00; red packet 7.00 (platform); full reduction 14.00
    # (merchant); 10% commission on the goods; 0.6% channel fee, platform's.
    part = SellerPart("s1", 4000, 0, (Deduction(RED_PACKET, "rp", 700, 0),
                                       Deduction(SHOP_PROMOTION, "p1", 0, 1400)))
    lines = {(x.kind, x.source_id): x.amount
             for x in clear(part, rule(1000, channel_fee_bps=60))}
    assert part.paid == 1900
    assert lines[(LineKind.MERCHANT_RECEIVABLE, "")] == 2200  # 40 - 14 - 4
    assert lines[(LineKind.PLATFORM_COMMISSION, "")] == 400
    assert lines[(LineKind.PLATFORM_DISCOUNT, "rp")] == -700
    assert lines[(LineKind.MERCHANT_DISCOUNT, "p1")] == -1400
    assert lines[(LineKind.CHANNEL_FEE, "")] == 11  # 0.6% of 19.00 = 11.4
    assert lines[(LineKind.PLATFORM_CHANNEL_FEE, "")] == -11


def test_the_merchant_bears_the_channel_fee_up_to_its_receivable() -> None:
    part = SellerPart("s1", 1000, 0, (Deduction(RED_PACKET, "rp", 900, 0),))
    lines = clear(part, rule(10000, channel_fee_bps=10000, channel_fee_by_merchant=True))
    # Commission takes all of the merchant's 10.00; the fee (1.00) is the
    # platform's since nothing is left to the merchant.
    assert total(lines, LineKind.MERCHANT_RECEIVABLE) == 0
    assert total(lines, LineKind.PLATFORM_CHANNEL_FEE) == -100
