"""The ledger and the order clearing aggregate: entries balance or cannot be
made; a hypothesis state machine drives random pay / claim / refund / end /
cancel steps over several orders (two merchants and the platform's own
seller, rules with and without platform delivery) and checks the invariants
after each."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from settlement.clearing import Deduction, LineKind, SellerPart, total
from settlement.ledger import (
    CHANNEL_DISCOUNT_RECEIVABLE,
    CHANNEL_RECEIVABLE,
    DELIVERY_REVENUE,
    PLATFORM_SALES,
    PLATFORM_SALES_PENDING,
    RIDER_PAYABLE,
    Entry,
    EntryKind,
    Posting,
    balances,
    merchant_available,
    merchant_pending,
)
from settlement.order import Mode, OrderClearing, Refund, State
from tests.settlement_support import T0, rules, takeout_parts
from tests.settlement_support import rule as rule_
from zhongtai.errors import ZhongtaiError

MERCHANTS = ("s1", "s2")
PLATFORM = "p0"  # the platform's own seller (platform_seller_ids)
SELLERS = (*MERCHANTS, PLATFORM)


def test_an_unbalanced_entry_cannot_be_made() -> None:
    with pytest.raises(ZhongtaiError) as e:
        Entry("e1", EntryKind.PAYMENT, "o1", (Posting("a", 100, "CNY"), Posting("b", -99, "CNY")))
    assert e.value.reason == "UNBALANCED_ENTRY"
    with pytest.raises(ZhongtaiError):  # balanced in total, not per currency
        Entry("e1", EntryKind.PAYMENT, "o1", (Posting("a", 100, "CNY"), Posting("b", -100, "USD")))


def test_entries_are_immutable() -> None:
    e = Entry("e1", EntryKind.PAYMENT, "o1", (Posting("a", 1, "CNY"), Posting("b", -1, "CNY")))
    with pytest.raises(dataclasses.FrozenInstanceError):
        e.postings = ()  # type: ignore[misc]


def test_a_held_order_is_not_cleared_until_its_claim_ends() -> None:
    part = SellerPart("s1", 1000, 0, (Deduction(9, "rp", 100, 0),))
    o, _ = OrderClearing.on_payment("o1", "b1", "default", Mode.ESCROW, "CNY", [part],
                                    {"s1": None}, T0, T0)
    o.claim_opened("a1")
    assert o.after_sales_ended(T0) == [] and o.state is State.HELD
    [entry] = o.claim_closed("a1", T0)
    assert entry.kind is EntryKind.CLEARING and o.state is State.CLEARED
    assert o.claim_closed("a1", T0) == [] and o.after_sales_ended(T0) == []


def paid_part() -> tuple[OrderClearing, list[Entry]]:
    """Goods 100.00, a platform coupon 10.00 and a shop promotion 5.00,
    freight 8.00 (paid 93.00), 10% commission, escrow."""
    part = SellerPart("s1", 10_000, 800, (Deduction(8, "c", 1_000, 0), Deduction(5, "p", 0, 500)))
    return OrderClearing.on_payment("o1", "b1", "default", Mode.ESCROW, "CNY", [part],
                                    {"s1": rule_(1_000)}, T0, T0)


def test_a_refund_before_clearing_reduces_what_will_be_cleared() -> None:
    o, entries = paid_part()
    o.claim_opened("a1")
    [refund] = o.refunded_by(Refund("a1", "s1", 4_250, 0, (Deduction(8, "c", 500, 0),
                                                             Deduction(5, "p", 0, 250))), T0)
    assert (refund.kind, refund.reverses, refund.reference) == (
        EntryKind.REFUND, o.payment_entry_id, "a1")
    [cleared] = o.after_sales_ended(T0)
    b = balances([*entries, refund, cleared])
    # Left: goods 50.00, coupon 5.00, promotion 2.50, freight 8.00: paid 50.50.
    assert b[(CHANNEL_RECEIVABLE, "CNY")] == 9_300 - 4_250 == o.outstanding
    assert b[(merchant_available("s1"), "CNY")] == -(5_000 - 250 + 800 - 500)
    assert b.get((merchant_pending("s1"), "CNY"), 0) == 0


def test_a_paid_order_cancelled_after_a_refund_reverses_the_rest() -> None:
    o, entries = paid_part()
    entries += o.refunded_by(Refund("a1", "s1", 1_000, 0), T0)
    entries += o.cancelled()
    assert o.state is State.REVERSED and (o.paid, o.refunded) == (9_300, 9_300)
    assert all(v == 0 for v in balances(entries).values())
    assert entries[-1].reference == "cancel"


class Ledger(RuleBasedStateMachine):
    """Random orders of two sellers under random rules and modes."""

    def __init__(self) -> None:
        super().__init__()
        self.orders: dict[str, OrderClearing] = {}
        self.entries: list[Entry] = []
        self.claims = 0

    def post(self, entries: list[Entry]) -> None:
        self.entries += entries

    @rule(ps=st.lists(st.sampled_from(SELLERS), min_size=1, max_size=3, unique=True)
          .flatmap(lambda ss: st.tuples(*[takeout_parts(s) for s in ss])),
          fee=st.none() | rules(), mode=st.sampled_from(list(Mode)),
          discount=st.integers(0, 10**6))
    def pay(self, ps: tuple[SellerPart, ...], fee: object, mode: Mode, discount: int) -> None:
        oid = f"o{len(self.orders)}"
        o, entries = OrderClearing.on_payment(oid, "b", "default", mode, "CNY", ps,
                                              {p.seller_id: fee for p in ps},  # type: ignore
                                              T0, T0, [PLATFORM],
                                              {"pay-0": discount} if discount else {})
        self.orders[oid] = o
        self.post(entries)

    def pick(self, data: st.DataObject) -> OrderClearing:
        return self.orders[data.draw(st.sampled_from(sorted(self.orders)))]

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), payment=st.sampled_from(["pay-0", "pay-1", "pay-2"]),
          amount=st.integers(1, 10**6))
    def channel_discount_learned(self, data: st.DataObject, payment: str, amount: int
                                 ) -> None:
        """payment's event after trade's (a payment id again: a redelivery)."""
        o = self.pick(data)
        known = dict(o.channel_discounts)
        entries = o.channel_discounted(payment, amount)
        self.post(entries)
        if payment in known:
            assert not entries and o.channel_discounts == known

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def open_claim(self, data: st.DataObject) -> None:
        self.claims += 1
        self.pick(data).claim_opened(f"a{self.claims}")

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def close_claim(self, data: st.DataObject) -> None:
        o = self.pick(data)
        if o.open_claims:
            self.post(o.claim_closed(data.draw(st.sampled_from(sorted(o.open_claims))), T0))

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), share=st.integers(0, 100))
    def refund(self, data: st.DataObject, share: int) -> None:
        o = self.pick(data)
        seller = data.draw(st.sampled_from(sorted(o.parts)))
        p = o.parts[seller]
        app = data.draw(st.sampled_from(sorted(o.open_claims))) if o.open_claims else "x"
        refunded = tuple(Deduction(d.kind, d.source_id, d.platform * share // 100,
                                   d.merchant * share // 100) for d in p.deductions)
        off = sum(d.amount for d in p.deductions if d.on_freight)
        cash = (p.goods - (p.discounts - off)) * share // 100
        self.post(o.refunded_by(Refund(f"{o.order_id}:{app}:{self.claims}", seller, cash,
                                       (p.freight - off) * share // 100, refunded), T0))

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def end_window(self, data: st.DataObject) -> None:
        self.post(self.pick(data).after_sales_ended(T0 + dt.timedelta(days=15)))

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        self.post(self.pick(data).cancelled())

    @invariant()
    def every_entry_balances_and_links_to_its_original(self) -> None:
        ids = {e.entry_id: e for e in self.entries}
        assert len(ids) == len(self.entries)
        for e in self.entries:
            assert sum(p.amount for p in e.postings) == 0
            if e.kind is EntryKind.REFUND:
                assert ids[e.reverses].kind is EntryKind.PAYMENT
            if e.kind is EntryKind.REVERSAL:
                assert ids[e.reverses].kind is EntryKind.CLEARING
            if e.kind is EntryKind.CHANNEL_DISCOUNT:
                assert ids[e.reverses].kind is EntryKind.PAYMENT

    @invariant()
    def balances_are_the_orders_money(self) -> None:
        b = balances(self.entries)

        def summed(s: str, cleared: bool, *kinds: LineKind) -> int:
            return sum(total([x for x in o.lines() if x.seller_id == s], *kinds)
                       for o in self.orders.values() if (o.state is State.CLEARED) == cleared)

        for s in MERCHANTS:
            pending = summed(s, False, LineKind.GOODS, LineKind.MERCHANT_DISCOUNT,
                             LineKind.FREIGHT)
            available = summed(s, True, LineKind.MERCHANT_RECEIVABLE)
            assert -b.get((merchant_pending(s), "CNY"), 0) == pending
            assert -b.get((merchant_available(s), "CNY"), 0) == available
            assert pending >= 0 and available >= 0
        # The platform's own sales never touch a merchant's account.
        assert not [a for a, _ in b if a.endswith(f":{PLATFORM}")]
        assert -b.get((PLATFORM_SALES_PENDING, "CNY"), 0) == summed(
            PLATFORM, False, LineKind.GOODS, LineKind.MERCHANT_DISCOUNT, LineKind.FREIGHT)
        assert -b.get((PLATFORM_SALES, "CNY"), 0) == summed(
            PLATFORM, True, LineKind.PLATFORM_SALES)
        for account, kind in ((DELIVERY_REVENUE, LineKind.DELIVERY_FEE),
                              (RIDER_PAYABLE, LineKind.RIDER_FEE)):
            assert -b.get((account, "CNY"), 0) == sum(summed(s, True, kind) for s in SELLERS)
        # What the channels owe: the buyers' money and their own discounts
        # (those go back only with the last of an order's money).
        funded = {o.order_id: sum(p.channel_discount for p in o.parts.values())
                  for o in self.orders.values()}
        for o in self.orders.values():
            assert funded[o.order_id] == min(o.channel_discount, o.outstanding)
        assert b.get((CHANNEL_RECEIVABLE, "CNY"), 0) == sum(
            o.paid - o.refunded - funded[o.order_id] for o in self.orders.values())
        assert b.get((CHANNEL_DISCOUNT_RECEIVABLE, "CNY"), 0) == sum(funded.values())

    @invariant()
    def paid_is_refunded_plus_cleared_plus_pending(self) -> None:
        for o in self.orders.values():
            cleared = o.outstanding if o.state is State.CLEARED else 0
            pending = o.outstanding if o.state in (State.PENDING, State.HELD) else 0
            assert o.paid == o.refunded + cleared + pending
            assert o.state is not State.CLEARED or (o.due and o.clearing_entry_id)
            assert o.state is not State.REVERSED or o.outstanding == 0

    @invariant()
    def a_reversed_order_leaves_every_account_at_0(self) -> None:
        for o in self.orders.values():
            if o.state is State.REVERSED:
                mine = [e for e in self.entries if e.order_id == o.order_id]
                assert not {k: v for k, v in balances(mine).items() if v}


Ledger.TestCase.settings = settings(max_examples=150, stateful_step_count=30, deadline=None)
TestLedger = Ledger.TestCase
