"""The double-entry ledger: accounts, balanced journal entries, and the
entries that payment, clearing, refunds and reversals post.

Pure: no database, clock or protobuf messages. Amounts are integers in minor
units; a posting is signed (debit positive, credit negative). An entry is
refused at construction (``UNBALANCED_ENTRY``) unless its postings sum to 0
in each currency, so an unbalanced entry can never exist, let alone be
written. Entries are immutable; a correction is a new entry whose
``reverses`` names the one it corrects. A balance is the sum of the
account's postings, nothing else (``balances``).

Chart of accounts (``<kind>:<owner>``; the platform's have no owner):

======================= ========= ===========================================
account                 type      what it holds
======================= ========= ===========================================
channel_receivable      asset     buyers' payments the channel holds for us
                                  (what they paid out of pocket)
channel_discount_       asset     what the channel funded itself of buyers'
receivable                        payments (instant discounts, 随机立减) and
                                  still owes us with them
merchant_pending:S      liability S's money not cleared yet
merchant_available:S    liability S's money cleared (paid out, or split)
platform_revenue        income    commission
platform_subsidy        expense   platform-borne discounts (coupons, red
                                  packets, its share of points and the card)
channel_fee_expense     expense   the channel fees the platform bears
channel_fee_payable     liability the channel fees owed to the channel
merchant_payout_        liability S's money on its way out (a payout in
pending:S                         flight: settlement.payout)
payout_clearing         asset     the bank/channel account payouts are paid
                                  from (credited by what was paid out)
platform_delivery_      income    the platform's share of the freight when it
revenue                           delivers (DELIVERY_FEE)
rider_payable           liability what the platform owes riders (RIDER_FEE)
platform_sales_pending  liability the platform's own sales paid, not cleared
                                  yet (seller parts of platform_seller_ids)
platform_sales          income    the platform's own sales, cleared
======================= ========= ===========================================

Entries, per seller part (lines from settlement.clearing); a seller part of
the platform's own sale (``platform``) uses platform_sales_pending where a
merchant's uses merchant_pending:S, and platform_sales where it uses
merchant_available:S:

* PAYMENT: Dr channel_receivable ``buyer paid`` (out of pocket), Dr
  channel_discount_receivable ``channel discount``, Dr platform_subsidy
  ``platform discounts``, Cr merchant_pending ``gross`` (paid + subsidy:
  the channel's discount does not change it).
* CLEARING: Dr merchant_pending ``gross``; Cr merchant_available
  ``receivable``, Cr platform_revenue ``commission``, Cr channel_fee_payable
  ``fee``, Dr channel_fee_expense ``platform's part of the fee``, Cr
  platform_delivery_revenue ``delivery fee``, Cr rider_payable ``rider
  fee``.
* CHANNEL_DISCOUNT (a channel's discount learned after the PAYMENT entry,
  which it corrects: ``reverses`` names it, ``reference`` is payment's
  payment id): the PAYMENT postings of the lines' difference, i.e. Dr
  channel_discount_receivable, Cr channel_receivable (of what the channel
  owes us, that much is its own funding, not the buyer's money); the
  balances end as if the discount had been known at payment.
* REFUND (before clearing, reverses the PAYMENT entry): the PAYMENT postings
  of the lines' difference, negated (when the channel's discount went back
  with the last of the money: Cr channel_discount_receivable too).
* REVERSAL (after clearing, reverses the CLEARING entry): the PAYMENT and
  CLEARING postings of the lines' difference, negated (the merchant's
  available balance, the commission, the fee, the delivery and rider fees,
  the platform's sales and the subsidy go back; the channel receivable is
  credited by what went back to the buyer).

Payouts (settlement.payout) and splits (settlement.split) post their own:
SPLIT, Dr merchant_available:S, Cr channel_receivable (the channel paid the
merchant directly).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum

from settlement.clearing import SOURCES, Line, LineKind, total
from settlement.reasons import E
from zhongtai.settlement.v1 import settlement_pb2 as pb

CHANNEL_RECEIVABLE = "channel_receivable:"
CHANNEL_DISCOUNT_RECEIVABLE = "channel_discount_receivable:"
PLATFORM_REVENUE = "platform_revenue:"
PLATFORM_SUBSIDY = "platform_subsidy:"
CHANNEL_FEE_EXPENSE = "channel_fee_expense:"
CHANNEL_FEE_PAYABLE = "channel_fee_payable:"
PAYOUT_CLEARING = "payout_clearing:"
DELIVERY_REVENUE = "platform_delivery_revenue:"
RIDER_PAYABLE = "rider_payable:"
PLATFORM_SALES_PENDING = "platform_sales_pending:"
PLATFORM_SALES = "platform_sales:"


def merchant_pending(seller_id: str) -> str:
    return f"merchant_pending:{seller_id}"


def pending_of(seller_id: str, platform: Collection[str]) -> str:
    """Where a seller part's money waits for clearing: the platform's own
    sales' account for a seller of ``platform``, else the merchant's."""
    return PLATFORM_SALES_PENDING if seller_id in platform else merchant_pending(seller_id)


def merchant_available(seller_id: str) -> str:
    return f"merchant_available:{seller_id}"


def merchant_payout_pending(seller_id: str) -> str:
    return f"merchant_payout_pending:{seller_id}"


class EntryKind(IntEnum):
    """Values match zhongtai.settlement.v1.EntryKind."""

    PAYMENT = 1
    CLEARING = 2
    REFUND = 3
    REVERSAL = 4
    PAYOUT = 40
    PAYOUT_POSTED = 41
    PAYOUT_VOIDED = 42
    SPLIT = 60
    CHANNEL_DISCOUNT = 80


@dataclass(frozen=True)
class Posting:
    account: str
    amount: int
    currency: str


@dataclass(frozen=True)
class PostedEntry:
    """A journal entry as read back (settlement.queries): the postings the
    caller may see (a merchant's own only, so not necessarily balanced)."""

    entry_id: str
    kind: int
    order_id: str
    reference: str
    reverses: str
    posted_at: dt.datetime
    postings: tuple[Posting, ...]


@dataclass(frozen=True)
class Entry:
    """A journal entry: balanced per currency, or it cannot be made."""

    entry_id: str
    kind: EntryKind
    order_id: str
    postings: tuple[Posting, ...]
    reference: str = ""
    reverses: str = ""

    def __post_init__(self) -> None:
        sums: dict[str, int] = defaultdict(int)
        for p in self.postings:
            sums[p.currency] += p.amount
        off = {c: s for c, s in sums.items() if s}
        if off:
            raise E(pb.ERROR_REASON_UNBALANCED_ENTRY,
                    f"entry {self.entry_id} does not balance: {off}",
                    metadata={"entry_id": self.entry_id})


def balances(entries: Iterable[Entry]) -> dict[tuple[str, str], int]:
    """Every account's balance per currency: the sum of its postings (debit
    positive). The one definition of a balance."""
    out: dict[tuple[str, str], int] = defaultdict(int)
    for e in entries:
        for p in e.postings:
            out[(p.account, p.currency)] += p.amount
    return dict(out)


def _postings(amounts: Mapping[str, int], currency: str, sign: int) -> list[Posting]:
    return [Posting(a, sign * v, currency) for a, v in amounts.items() if v]


def payment_amounts(lines: Iterable[Line], platform: Collection[str] = ()) -> dict[str, int]:
    """The PAYMENT postings (debit positive) of some seller parts' lines
    (``platform``: the sellers whose parts are the platform's own sales)."""
    out: dict[str, int] = defaultdict(int)
    for seller, ls in _by_seller(lines).items():
        subsidy = -total(ls, LineKind.PLATFORM_DISCOUNT)
        funded = -total(ls, LineKind.CHANNEL_DISCOUNT)
        buyer_paid = total(ls, *SOURCES)
        out[CHANNEL_RECEIVABLE] += buyer_paid
        out[CHANNEL_DISCOUNT_RECEIVABLE] += funded
        out[PLATFORM_SUBSIDY] += subsidy
        out[pending_of(seller, platform)] -= buyer_paid + funded + subsidy
    return dict(out)


def clearing_amounts(lines: Iterable[Line], platform: Collection[str] = ()) -> dict[str, int]:
    """The CLEARING postings (debit positive) of some seller parts' lines."""
    out: dict[str, int] = defaultdict(int)
    for seller, ls in _by_seller(lines).items():
        receivable = total(ls, LineKind.MERCHANT_RECEIVABLE)
        sales = total(ls, LineKind.PLATFORM_SALES)
        commission = total(ls, LineKind.PLATFORM_COMMISSION)
        fee = total(ls, LineKind.CHANNEL_FEE)
        platform_fee = -total(ls, LineKind.PLATFORM_CHANNEL_FEE)
        delivery = total(ls, LineKind.DELIVERY_FEE)
        rider = total(ls, LineKind.RIDER_FEE)
        out[pending_of(seller, platform)] += (receivable + sales + commission + fee
                                              - platform_fee + delivery + rider)
        out[merchant_available(seller)] -= receivable
        out[PLATFORM_SALES] -= sales
        out[PLATFORM_REVENUE] -= commission
        out[CHANNEL_FEE_PAYABLE] -= fee
        out[CHANNEL_FEE_EXPENSE] += platform_fee
        out[DELIVERY_REVENUE] -= delivery
        out[RIDER_PAYABLE] -= rider
    return dict(out)


def _by_seller(lines: Iterable[Line]) -> dict[str, list[Line]]:
    out: dict[str, list[Line]] = defaultdict(list)
    for x in lines:
        out[x.seller_id].append(x)
    return out


def _sum(*maps: Mapping[str, int]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for m in maps:
        for k, v in m.items():
            out[k] += v
    return dict(out)


def payment_entry(entry_id: str, order_id: str, lines: Iterable[Line],
                  currency: str, platform: Collection[str] = ()) -> Entry:
    """The PAYMENT entry of an order's lines."""
    return Entry(entry_id, EntryKind.PAYMENT, order_id,
                 tuple(_postings(payment_amounts(lines, platform), currency, 1)))


def clearing_entry(entry_id: str, order_id: str, lines: Iterable[Line],
                   currency: str, platform: Collection[str] = ()) -> Entry:
    """The CLEARING entry: the merchants' pending money moved to available,
    less commission, channel, delivery and rider fees; the platform's own
    sales to its sales revenue."""
    return Entry(entry_id, EntryKind.CLEARING, order_id,
                 tuple(_postings(clearing_amounts(lines, platform), currency, 1)))


def reversal_entry(entry_id: str, order_id: str, removed: Iterable[Line], currency: str, *,
                   cleared: bool, reverses: str, reference: str,
                   platform: Collection[str] = ()) -> Entry | None:
    """The entry taking ``removed`` lines (what a refund or a cancellation
    took off the order) back: REFUND of the PAYMENT postings before clearing,
    REVERSAL of the PAYMENT and CLEARING postings after it; linked to the
    entry it ``reverses``. None when nothing moves."""
    kind = EntryKind.REVERSAL if cleared else EntryKind.REFUND
    return _undo(entry_id, kind, order_id, removed, currency, cleared, reverses, reference,
                 platform)


def channel_discount_entry(entry_id: str, order_id: str, removed: Iterable[Line],
                           currency: str, *, cleared: bool, reverses: str, reference: str,
                           platform: Collection[str] = ()) -> Entry | None:
    """The CHANNEL_DISCOUNT entry correcting the PAYMENT entry (``reverses``)
    for a channel's discount learned after it (``reference``: payment's
    payment id): the lines' change (``removed``: before less after) taken
    back, as ``reversal_entry`` does; None when nothing moves."""
    return _undo(entry_id, EntryKind.CHANNEL_DISCOUNT, order_id, removed, currency,
                 cleared, reverses, reference, platform)


def _undo(entry_id: str, kind: EntryKind, order_id: str, removed: Iterable[Line],
          currency: str, cleared: bool, reverses: str, reference: str,
          platform: Collection[str]) -> Entry | None:
    removed = list(removed)
    amounts = payment_amounts(removed, platform)
    if cleared:
        amounts = _sum(amounts, clearing_amounts(removed, platform))
    postings = tuple(_postings(amounts, currency, -1))
    if not postings:
        return None
    return Entry(entry_id, kind, order_id, postings, reference, reverses)
