"""The split of a refund of a discounted trade (zhongtai.money.refund_split,
channel instant discounts, 随机立减): a refund is order money; the buyer's
money goes back first and the channel's discount only with the last of it —
the rule settlement books an order's refunds by (``discount_kept``, used by
settlement.clearing ``with_channel_discount``)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from settlement.clearing import SellerPart, with_channel_discount
from zhongtai.money import RefundSplit, discount_kept, refund_split


def test_the_worked_example_20_then_30_of_50_with_a_3_discount() -> None:
    assert refund_split(2000, 4700, 0) == RefundSplit(2000, 0)
    assert refund_split(3000, 4700, 2000) == RefundSplit(2700, 300)
    assert refund_split(5000, 4700, 0) == RefundSplit(4700, 300)


def test_no_discount_is_all_the_buyers_and_a_non_positive_refund_is_refused() -> None:
    assert refund_split(1234, 5000, 1000) == RefundSplit(1234, 0)
    with pytest.raises(ValueError):
        refund_split(0, 4700, 0)


@st.composite
def trades(draw: st.DrawFn) -> tuple[int, int, list[int]]:
    """(paid, discount, refunds): refunds of order money within ``paid``."""
    paid = draw(st.integers(1, 100_000))
    discount = draw(st.integers(0, paid))
    refunds: list[int] = []
    while (left := paid - sum(refunds)) > 0 and draw(st.booleans()):
        refunds.append(draw(st.integers(1, left)))
    if draw(st.booleans()) and paid - sum(refunds) > 0:
        refunds.append(paid - sum(refunds))  # refunded in full
    return paid, discount, refunds


@settings(max_examples=500, deadline=None)
@given(trades())
def test_any_sequence_agrees_with_what_settlement_keeps(trade: tuple[int, int, list[int]]
                                                        ) -> None:
    paid, discount, refunds = trade
    payer = returned = refunded = 0
    for amount in refunds:
        split = refund_split(amount, paid - discount, payer)
        assert split.payer + split.channel_discount == amount
        assert split.payer >= 0 and split.channel_discount >= 0
        payer, returned, refunded = (payer + split.payer, returned + split.channel_discount,
                                     refunded + amount)
        # The buyer's money first: all of it back before any discount.
        assert payer == min(refunded, paid - discount)
        # What settlement keeps of the discount is what the channel has not had back.
        assert discount - returned == discount_kept(discount, paid - refunded)
        part = with_channel_discount([SellerPart("s", paid - refunded)], discount)[0]
        assert part.channel_discount == discount - returned
    if refunded == paid:
        assert (payer, returned) == (paid - discount, discount)


@settings(max_examples=300, deadline=None)
@given(trades(), st.data())
def test_a_refund_failing_in_between_never_returns_more_than_was_funded(
        trade: tuple[int, int, list[int]], data: st.DataObject) -> None:
    paid, discount, refunds = trade
    live: list[RefundSplit] = []
    for amount in refunds:
        live.append(refund_split(amount, paid - discount, sum(x.payer for x in live)))
        if live and data.draw(st.booleans()):  # one refund fails: its room comes back
            live.pop(data.draw(st.integers(0, len(live) - 1)))
    assert sum(x.payer for x in live) <= paid - discount
    assert sum(x.channel_discount for x in live) <= discount
