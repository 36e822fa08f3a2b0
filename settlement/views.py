"""Protobuf views of settlement's domain (fee rules, clearings, accounts,
entries) and its events. Nothing here decides anything."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from settlement.clearing import Line
from settlement.cycles import Batch
from settlement.fees import FeeRule
from settlement.ledger import Entry, EntryKind, PostedEntry
from settlement.order import OrderClearing
from settlement.payout import Payout, PayoutState
from settlement.schedule import ScheduleState
from settlement.split import Split, SplitState
from settlement.statement import Figures, StatementLine, totals_by_currency
from zhongtai.settlement.v1 import events_pb2 as ev
from zhongtai.settlement.v1 import settlement_pb2 as pb
from zhongtai.settlement.v1 import split_pb2 as spb
from zhongtai.wire import money, timestamp

KIND_OF_ACCOUNT = {
    "channel_receivable": pb.ACCOUNT_KIND_CHANNEL_RECEIVABLE,
    "channel_discount_receivable": pb.ACCOUNT_KIND_CHANNEL_DISCOUNT_RECEIVABLE,
    "merchant_pending": pb.ACCOUNT_KIND_MERCHANT_PENDING,
    "merchant_available": pb.ACCOUNT_KIND_MERCHANT_AVAILABLE,
    "platform_revenue": pb.ACCOUNT_KIND_PLATFORM_REVENUE,
    "platform_subsidy": pb.ACCOUNT_KIND_PLATFORM_SUBSIDY,
    "channel_fee_expense": pb.ACCOUNT_KIND_CHANNEL_FEE_EXPENSE,
    "channel_fee_payable": pb.ACCOUNT_KIND_CHANNEL_FEE_PAYABLE,
    "merchant_payout_pending": pb.ACCOUNT_KIND_MERCHANT_PAYOUT_PENDING,
    "payout_clearing": pb.ACCOUNT_KIND_PAYOUT_CLEARING,
    "platform_delivery_revenue": pb.ACCOUNT_KIND_PLATFORM_DELIVERY_REVENUE,
    "rider_payable": pb.ACCOUNT_KIND_RIDER_PAYABLE,
    "platform_sales_pending": pb.ACCOUNT_KIND_PLATFORM_SALES_PENDING,
    "platform_sales": pb.ACCOUNT_KIND_PLATFORM_SALES,
}
# Accounts whose normal balance is a credit (liabilities, income): shown
# with the sign flipped so that what is owed reads positive.
CREDIT_NORMAL = frozenset({pb.ACCOUNT_KIND_MERCHANT_PENDING, pb.ACCOUNT_KIND_MERCHANT_AVAILABLE,
                           pb.ACCOUNT_KIND_PLATFORM_REVENUE,
                           pb.ACCOUNT_KIND_CHANNEL_FEE_PAYABLE,
                           pb.ACCOUNT_KIND_MERCHANT_PAYOUT_PENDING,
                           pb.ACCOUNT_KIND_PLATFORM_DELIVERY_REVENUE,
                           pb.ACCOUNT_KIND_RIDER_PAYABLE,
                           pb.ACCOUNT_KIND_PLATFORM_SALES_PENDING,
                           pb.ACCOUNT_KIND_PLATFORM_SALES})


def _ts(value: dt.datetime | None) -> Any:
    return timestamp(value) if value else None


def fee_rule_message(r: FeeRule, created: dt.datetime | None = None,
                     created_by: Any = None) -> pb.FeeRule:
    return pb.FeeRule(
        fee_rule_id=r.fee_rule_id, business_type=r.business_type, seller_id=r.seller_id,
        effective_time=timestamp(r.effective_time),
        commission_kind=r.commission_kind,  # type: ignore[arg-type]
        commission_base=r.commission_base,  # type: ignore[arg-type]
        commission_rate_bps=r.rate_bps,
        commission_fixed_amount=money(r.currency, r.fixed_amount),
        commission_tiers=[pb.CommissionTier(from_amount=money(r.currency, x.from_amount),
                                            rate_bps=x.rate_bps) for x in r.tiers],
        channel_fee_bps=r.channel_fee_bps, channel_fee_by_merchant=r.channel_fee_by_merchant,
        delivery_by_platform=r.delivery_by_platform,
        rider_fee_amount=money(r.currency, r.rider_fee_amount),
        create_time=_ts(created), created_by=created_by)


def lines_message(lines: Iterable[Line], currency: str) -> list[pb.ClearingLine]:
    return [pb.ClearingLine(kind=x.kind, seller_id=x.seller_id,  # type: ignore[arg-type]
                            deduction_kind=x.deduction_kind, source_id=x.source_id,
                            amount=money(currency, x.amount)) for x in lines]


def clearing_message(o: OrderClearing, sellers: Sequence[str] | None = None
                     ) -> pb.OrderClearing:
    """The clearing; only these sellers' lines when ``sellers`` is given."""
    lines = [x for x in o.lines() if sellers is None or x.seller_id in sellers]
    rule_ids = sorted({r.fee_rule_id for s, r in o.rules.items()
                       if r and (sellers is None or s in sellers)})
    return pb.OrderClearing(
        order_id=o.order_id, buyer_id=o.buyer_id, business_type=o.business_type,
        trade_mode=o.mode, state=o.state,  # type: ignore[arg-type]
        fee_rule_ids=rule_ids,
        paid_amount=money(o.currency, o.paid), refunded_amount=money(o.currency, o.refunded),
        buyer_paid_amount=money(o.currency, o.buyer_paid),
        channel_discount_amount=money(o.currency, o.channel_discount),
        lines=lines_message(lines, o.currency), open_claims=sorted(o.open_claims),
        order_create_time=_ts(o.order_create_time), paid_time=_ts(o.paid_time),
        cleared_time=_ts(o.cleared_time))


def account_kind(account_id: str) -> int:
    """The kind of an account id (``<kind>:<owner>``)."""
    return KIND_OF_ACCOUNT.get(account_id.partition(":")[0], pb.ACCOUNT_KIND_UNSPECIFIED)


def account_message(account_id: str, currency: str, balance: int) -> pb.Account:
    owner = account_id.partition(":")[2]
    kind = account_kind(account_id)
    shown = -balance if kind in CREDIT_NORMAL else balance
    return pb.Account(account_id=account_id, kind=kind,  # type: ignore[arg-type]
                      owner_id=owner, balance=money(currency, shown))


def entry_message(e: PostedEntry) -> pb.JournalEntry:
    return pb.JournalEntry(
        entry_id=e.entry_id, kind=e.kind,  # type: ignore[arg-type]
        order_id=e.order_id, reference=e.reference, reverses_entry_id=e.reverses,
        postings=[pb.Posting(account_id=p.account, amount=money(p.currency, p.amount))
                  for p in e.postings],
        create_time=timestamp(e.posted_at))


def events_of(o: OrderClearing, entries: Iterable[Entry], now: dt.datetime) -> list[Any]:
    """settlement.order.cleared / reversed for the entries one change posted."""
    out: list[Any] = []
    for e in entries:
        if e.kind is EntryKind.CLEARING:
            out.append(ev.OrderCleared(clearing=clearing_message(o), entry_id=e.entry_id,
                                       occur_time=timestamp(now)))
        elif e.kind in (EntryKind.REFUND, EntryKind.REVERSAL):
            out.append(ev.OrderReversed(clearing=clearing_message(o), entry_id=e.entry_id,
                                        reverses_entry_id=e.reverses, reference=e.reference,
                                        occur_time=timestamp(now)))
    return out


def audit_detail(o: OrderClearing, what: str) -> str:
    return f"{what}: state={o.state.name} paid={o.paid} refunded={o.refunded}"


def batch_message(b: Batch) -> pb.SettlementBatch:
    return pb.SettlementBatch(
        batch_id=b.batch_id, seller_id=b.seller_id,
        period_start_time=timestamp(b.period.start), period_end_time=timestamp(b.period.end),
        cleared_amount=money(b.currency, b.cleared),
        reversed_amount=money(b.currency, b.reversed), net_amount=money(b.currency, b.net),
        entry_ids=list(b.entry_ids), close_time=timestamp(b.closed_at))


def _figures(f: Figures, currency: str, **kw: Any) -> pb.StatementLine:
    return pb.StatementLine(
        goods_amount=money(currency, f.goods),
        merchant_discount_amount=money(currency, f.merchant_discount),
        freight_amount=money(currency, f.freight),
        commission_amount=money(currency, f.commission),
        channel_fee_amount=money(currency, f.channel_fee),
        receivable_amount=money(currency, f.receivable), **kw)


def statement_message(seller_id: str, batch: Batch | None,
                      lines: Sequence[StatementLine]) -> pb.MerchantStatement:
    """The statement; totals in the batch's currency (the first line's, or
    CNY), the lines of that currency only summed."""
    currency = batch.currency if batch else (lines[0].currency if lines else "CNY")
    total = totals_by_currency(lines).get(currency, Figures())
    return pb.MerchantStatement(
        seller_id=seller_id, batch=batch_message(batch) if batch else None,
        lines=[_figures(x.figures, x.currency, order_id=x.order_id, entry_id=x.entry_id,
                        kind=x.kind, post_time=timestamp(x.posted_at))
               for x in lines],
        totals=_figures(total, currency))


def payout_message(p: Payout) -> pb.Payout:
    return pb.Payout(
        payout_id=p.payout_id, seller_id=p.seller_id, amount=money(p.currency, p.amount),
        state=p.state, reason=p.reason, reference=p.reference,  # type: ignore[arg-type]
        requested_by=p.requested_by, create_time=_ts(p.created_time),
        resolve_time=_ts(p.resolved_time))


def payout_event(p: Payout, now: dt.datetime) -> Any:
    """settlement.payout.posted / voided."""
    kind = ev.PayoutPosted if p.state is PayoutState.POSTED else ev.PayoutVoided
    return kind(payout=payout_message(p), occur_time=timestamp(now))


def split_message(s: Split) -> spb.Split:
    return spb.Split(
        split_id=s.split_id, order_id=s.order_id, seller_id=s.seller_id,
        amount=money(s.currency, s.amount), state=s.state,  # type: ignore[arg-type]
        channel=s.channel, channel_trade_no=s.trade_no,
        channel_transaction_id=s.transaction_id, reference=s.reference, reason=s.reason,
        entry_id=s.entry_id, attempts=s.attempts, create_time=_ts(s.created_time),
        resolve_time=_ts(s.resolved_time))


def split_event(s: Split, now: dt.datetime) -> Any:
    """settlement.split.confirmed / refused (None when skipped: the channel
    was never asked)."""
    kind = {SplitState.CONFIRMED: ev.SplitConfirmed,
            SplitState.REFUSED: ev.SplitRefused}.get(s.state)
    return kind(split=split_message(s), occur_time=timestamp(now)) if kind else None
def schedule_message(s: ScheduleState) -> pb.Schedule:
    return pb.Schedule(
        name=s.name, run_time=s.run_time.strftime("%H:%M") if s.run_time else "",
        next_run_date=s.next_day.isoformat() if s.next_day else "",
        next_run_time=_ts(s.next_due), attempts=s.attempts, last_error=s.last_error,
        last_run_date=s.last_day.isoformat() if s.last_day else "",
        last_run_time=_ts(s.last_run))
