"""Channel instant discounts (随机立减) in clearing: a payment's discount is
shared among its orders as payment shares it for its refund caps and an
order's among its seller parts, exactly; both sums of the lines stay exact
(what the buyer paid out of pocket) and the receivable, commission and fees
do not move; learned before or after the PAYMENT entry, the ledger ends the
same; a full refund or a cancellation returns every account to 0."""

from __future__ import annotations

from dataclasses import replace

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
    order_channel_discounts,
    total,
    with_channel_discount,
)
from settlement.fees import FeeRule
from settlement.ledger import (
    CHANNEL_DISCOUNT_RECEIVABLE,
    CHANNEL_RECEIVABLE,
    PLATFORM_SUBSIDY,
    Entry,
    EntryKind,
    balances,
    merchant_available,
    merchant_pending,
)
from settlement.order import Mode, OrderClearing, Refund, State
from tests.settlement_support import T0, parts, rule, rules

RED_PACKET = 9


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 10**9), st.sampled_from("abc")), min_size=1,
                max_size=6), st.data())
def test_a_payments_discount_is_shared_among_its_orders_exactly(
        ps: list[tuple[int, str]], data: st.DataObject) -> None:
    parts_ = [(f"po{i}", f"order-{o}", a) for i, (a, o) in enumerate(ps)]
    discount = data.draw(st.integers(0, sum(a for _, _, a in parts_)))
    shares = order_channel_discounts(discount, parts_)
    assert sum(shares.values()) == discount
    for order_id, share in shares.items():
        assert 0 <= share <= sum(a for _, o, a in parts_ if o == order_id)


@settings(max_examples=300, deadline=None)
@given(st.lists(parts(), min_size=1, max_size=4), st.data())
def test_an_orders_discount_is_shared_among_its_parts_by_paid_exactly(
        ps: list[SellerPart], data: st.DataObject) -> None:
    ps = [replace(p, seller_id=f"s{i}") for i, p in enumerate(ps)]
    paid = sum(p.paid for p in ps)
    discount = data.draw(st.integers(0, paid + 1000))
    out = with_channel_discount(ps, discount)
    assert sum(p.channel_discount for p in out) == min(discount, paid)
    assert all(0 <= p.channel_discount <= p.paid for p in out)
    assert [replace(p, channel_discount=0) for p in out] == ps


def test_the_remainder_goes_to_the_last_part() -> None:
    a, b, c = (SellerPart(s, 1000) for s in "abc")
    assert [p.channel_discount for p in with_channel_discount([a, b, c], 100)] == [33, 33, 34]


@settings(max_examples=500, deadline=None)
@given(parts(), st.none() | rules(), st.data())
def test_both_sums_are_what_the_buyer_paid_and_the_merchant_is_unchanged(
        part: SellerPart, fee: FeeRule | None, data: st.DataObject) -> None:
    [discounted] = with_channel_discount([part], data.draw(st.integers(0, part.paid)))
    lines, without = clear(discounted, fee), clear(part, fee)
    assert total(lines, *SOURCES) == discounted.buyer_paid
    assert total(lines, *USES) == discounted.buyer_paid
    assert total(lines, LineKind.CHANNEL_DISCOUNT) == -discounted.channel_discount
    assert [x for x in lines if x.kind is not LineKind.CHANNEL_DISCOUNT] == list(without)
    assert all(x.amount <= 0 for x in lines if x.kind in NEVER_POSITIVE)


def order(discounts: dict[str, int] | None = None, mode: Mode = Mode.ESCROW
          ) -> tuple[OrderClearing, list[Entry]]:
    """A 50.00 order: 40.00 of s1 (with a 5.00 platform red packet) and
    15.00 of s2, 10% commission."""
    ps = [SellerPart("s1", 4000, 0, (Deduction(RED_PACKET, "rp", 500, 0),)),
          SellerPart("s2", 1500)]
    return OrderClearing.on_payment("o1", "b", "default", mode, "CNY", ps,
                                    {"s1": rule(), "s2": rule()}, T0, T0,
                                    channel_discounts=discounts)


def test_worked_example_a_3_yuan_instant_discount() -> None:
    o, entries = order({"pay-1": 300})
    assert (o.paid, o.buyer_paid, o.channel_discount) == (5000, 4700, 300)
    # 35.00 and 15.00 paid: 3.00 shared 2.10 / 0.90.
    assert total(o.lines(), LineKind.CHANNEL_DISCOUNT) == -300
    by = {s: -total([x for x in o.lines() if x.seller_id == s], LineKind.CHANNEL_DISCOUNT)
          for s in ("s1", "s2")}
    assert by == {"s1": 210, "s2": 90}
    assert total(o.lines(), LineKind.MERCHANT_RECEIVABLE) == 3600 + 1350
    b = balances(entries)
    assert (b[(CHANNEL_RECEIVABLE, "CNY")], b[(CHANNEL_DISCOUNT_RECEIVABLE, "CNY")],
            b[(PLATFORM_SUBSIDY, "CNY")]) == (4700, 300, 500)
    assert (b[(merchant_pending("s1"), "CNY")], b[(merchant_pending("s2"), "CNY")]) == (
        -4000, -1500)


def test_learned_after_payment_it_is_its_own_entry_once_and_ends_the_same() -> None:
    known, at_payment = order({"pay-1": 300})
    late, entries = order()
    assert balances(entries)[(CHANNEL_RECEIVABLE, "CNY")] == 5000
    [e] = late.channel_discounted("pay-1", 300)
    assert (e.kind, e.reverses, e.reference) == (EntryKind.CHANNEL_DISCOUNT,
                                                late.payment_entry_id, "pay-1")
    assert {(p.account, p.amount) for p in e.postings} == {
        (CHANNEL_DISCOUNT_RECEIVABLE, 300), (CHANNEL_RECEIVABLE, -300)}
    assert late.channel_discounted("pay-1", 300) == []  # a redelivery
    assert balances([*entries, e]) == balances(at_payment)
    assert late.lines() == known.lines()


def test_learned_after_clearing_it_moves_no_merchant_money() -> None:
    o, entries = order(mode=Mode.COLLECTION)
    assert o.state is State.CLEARED
    before = balances(entries)
    [e] = o.channel_discounted("pay-1", 300)
    after = balances([*entries, e])
    assert {a for (a, _), v in after.items() if v != before.get((a, "CNY"))} == {
        CHANNEL_RECEIVABLE, CHANNEL_DISCOUNT_RECEIVABLE}
    assert after[(merchant_available("s1"), "CNY")] == before[(merchant_available("s1"), "CNY")]


def test_refunds_take_the_buyers_money_first_and_a_full_refund_zeroes_every_account(
        ) -> None:
    o, entries = order({"pay-1": 300})
    # s1's goods back in full (trade's plan: 35.00 cash and the red packet).
    entries += o.refunded_by(Refund("a1", "s1", 3500, 0,
                                    (Deduction(RED_PACKET, "rp", 500, 0),)), T0)
    b = balances(entries)
    # The buyer got 35.00 back through the channel; the channel's 3.00 now
    # all funds s2's 15.00.
    assert (b[(CHANNEL_RECEIVABLE, "CNY")], b[(CHANNEL_DISCOUNT_RECEIVABLE, "CNY")]) == (
        1200, 300)
    assert o.parts["s2"].channel_discount == 300
    entries += o.refunded_by(Refund("a2", "s2", 1500, 0), T0)
    assert o.state is State.REVERSED
    assert {k: v for k, v in balances(entries).items() if v} == {}


def test_a_cancellation_after_clearing_zeroes_every_account() -> None:
    o, entries = order(mode=Mode.COLLECTION)
    entries += o.channel_discounted("pay-1", 300)
    entries += o.cancelled()
    assert {k: v for k, v in balances(entries).items() if v} == {}


def test_a_discount_learned_after_the_order_went_back_moves_nothing() -> None:
    o, entries = order()
    entries += o.cancelled()
    assert o.channel_discounted("pay-1", 300) == []
    assert o.channel_discount == 300 and o.buyer_paid == 4700
    assert {k: v for k, v in balances(entries).items() if v} == {}
