"""settlement's tables. Only settlement reads or writes them.

``fee_rules`` holds every fee rule version (never updated). ``clearings``
holds one row per paid order (the aggregate's parts, rules and claims as
JSON, read and written with it). ``journal_entries`` and ``postings`` are
the ledger: append-only (no code path updates or deletes a row of them;
tests/integration/test_settlement_store.py proves it); a balance is the sum
of an account's postings (no cached balance is kept).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, Text

from settlement.clearing import Deduction, SellerPart
from settlement.fees import CommissionBase, CommissionKind, FeeRule, Tier
from settlement.order import Mode, OrderClearing, State
from zhongtai.db import UTCDateTime, new_metadata, plumbing_tables

metadata = new_metadata()
plumbing = plumbing_tables(metadata)

fee_rules = Table(
    "fee_rules",
    metadata,
    Column("fee_rule_id", String(64), primary_key=True),
    Column("business_type", String(64), nullable=False),
    Column("seller_id", String(64), nullable=False),
    Column("effective_at", UTCDateTime, nullable=False),
    Column("rule", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(160), nullable=False),
    Index("ux_fee_rules_version", "business_type", "seller_id", "effective_at", unique=True),
)

clearings = Table(
    "clearings",
    metadata,
    Column("order_id", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("buyer_id", String(64), nullable=False),
    # ClearingState.
    Column("state", Integer, nullable=False),
    Column("body", Text, nullable=False),
    Column("paid_at", UTCDateTime, nullable=False),
)

# Which sellers an order's clearing concerns (a merchant sees its own).
clearing_sellers = Table(
    "clearing_sellers",
    metadata,
    Column("order_id", String(64), primary_key=True),
    Column("seller_id", String(64), primary_key=True),
)

journal_entries = Table(
    "journal_entries",
    metadata,
    Column("entry_id", String(80), primary_key=True),
    # "<posted_at iso>|<entry_id>": the ledger's order (pages follow it).
    Column("entry_key", String(160), nullable=False, unique=True),
    Column("kind", Integer, nullable=False),
    Column("order_id", String(64), nullable=False, index=True),
    Column("reference", String(64), nullable=False),
    Column("reverses", String(80), nullable=False),
    Column("posted_at", UTCDateTime, nullable=False),
)

postings = Table(
    "postings",
    metadata,
    Column("entry_id", String(80), primary_key=True),
    Column("line", Integer, primary_key=True),
    Column("account_id", String(160), nullable=False),
    Column("currency", String(3), nullable=False),
    # Signed minor units: debit positive.
    Column("amount", BigInteger, nullable=False),
    Index("ix_postings_account", "account_id", "entry_id"),
)


def rule_json(r: FeeRule) -> str:
    return json.dumps({
        "id": r.fee_rule_id, "business_type": r.business_type, "seller_id": r.seller_id,
        "effective": r.effective_time.isoformat(), "currency": r.currency,
        "kind": int(r.commission_kind), "base": int(r.commission_base), "rate": r.rate_bps,
        "fixed": r.fixed_amount, "tiers": [[t.from_amount, t.rate_bps] for t in r.tiers],
        "channel": r.channel_fee_bps, "by_merchant": r.channel_fee_by_merchant,
        "delivery": r.delivery_by_platform, "rider": r.rider_fee_amount,
    }, sort_keys=True)


def rule_from(text: str) -> FeeRule:
    d = json.loads(text)
    return FeeRule(d["id"], d["business_type"], d["seller_id"],
                   dt.datetime.fromisoformat(d["effective"]), d["currency"],
                   CommissionKind(d["kind"]), CommissionBase(d["base"]), d["rate"],
                   d["fixed"], tuple(Tier(*t) for t in d["tiers"]), d["channel"],
                   d["by_merchant"], d.get("delivery", False), d.get("rider", 0))


def _time(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _from_time(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def clearing_row(o: OrderClearing) -> dict[str, Any]:
    """The clearing's row (without its version)."""
    body = {
        "business_type": o.business_type, "mode": int(o.mode), "currency": o.currency,
        "created": _time(o.order_create_time), "cleared": _time(o.cleared_time),
        "parts": [[p.seller_id, p.goods, p.freight,
                   [[d.kind, d.source_id, d.platform, d.merchant] for d in p.deductions],
                   p.channel_discount]
                  for p in o.parts.values()],
        "channel_discounts": o.channel_discounts,
        "rules": {s: rule_json(r) if r else None for s, r in o.rules.items()},
        "platform": sorted(o.platform_sellers),
        "paid": o.paid, "refunded": o.refunded, "open": sorted(o.open_claims),
        "done": sorted(o.refunded_claims), "due": o.due, "payment": o.payment_entry_id,
        "clearing": o.clearing_entry_id, "entries": o.entries,
    }
    return {"order_id": o.order_id, "buyer_id": o.buyer_id, "state": int(o.state),
            "body": json.dumps(body, sort_keys=True), "paid_at": o.paid_time}


def clearing_from(row: Any) -> OrderClearing:
    r = row._mapping
    d = json.loads(r["body"])
    parts = [SellerPart(s, g, f, tuple(Deduction(*x) for x in ds), *cd)
             for s, g, f, ds, *cd in d["parts"]]
    return OrderClearing(
        version=r["version"], order_id=r["order_id"], buyer_id=r["buyer_id"],
        business_type=d["business_type"], mode=Mode(d["mode"]), currency=d["currency"],
        order_create_time=_from_time(d["created"]), paid_time=r["paid_at"],
        cleared_time=_from_time(d["cleared"]), state=State(r["state"]),
        parts={p.seller_id: p for p in parts},
        rules={s: rule_from(x) if x else None for s, x in d["rules"].items()},
        platform_sellers=frozenset(d.get("platform", ())),
        paid=d["paid"], refunded=d["refunded"], open_claims=set(d["open"]),
        refunded_claims=set(d["done"]), channel_discounts=d.get("channel_discounts", {}),
        due=d["due"], payment_entry_id=d["payment"],
        clearing_entry_id=d["clearing"], entries=d["entries"])


# Settlement cycles, statements and payouts (issue 12 item 5).

# What each CLEARING / REVERSAL entry moved for a seller, by line kind (a
# reversal's amounts negative): the statement's figures. Append-only.
statement_lines = Table(
    "statement_lines",
    metadata,
    Column("entry_id", String(80), primary_key=True),
    Column("seller_id", String(64), primary_key=True),
    # LineKind.
    Column("kind", Integer, primary_key=True),
    Column("amount", BigInteger, nullable=False),
)

# One row per (merchant, period, currency): the id says which.
batches = Table(
    "settlement_batches",
    metadata,
    Column("batch_id", String(160), primary_key=True),
    Column("seller_id", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("period_start", UTCDateTime, nullable=False),
    Column("period_end", UTCDateTime, nullable=False),
    Column("cleared", BigInteger, nullable=False),
    Column("reversed", BigInteger, nullable=False),
    Column("closed_at", UTCDateTime, nullable=False),
    Index("ix_settlement_batches_seller", "seller_id", "period_start"),
)

# Each movement of a merchant's available account is in one batch at most.
batch_entries = Table(
    "settlement_batch_entries",
    metadata,
    Column("entry_id", String(80), primary_key=True),
    Column("seller_id", String(64), primary_key=True),
    Column("batch_id", String(160), nullable=False, index=True),
)

payouts = Table(
    "payouts",
    metadata,
    Column("payout_id", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("request_id", String(64), nullable=False),
    Column("seller_id", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount", BigInteger, nullable=False),
    # PayoutState.
    Column("state", Integer, nullable=False),
    Column("requested_by", String(160), nullable=False),
    Column("reason", String(500), nullable=False),
    Column("reference", String(160), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("resolved_at", UTCDateTime, nullable=True),
    Index("ix_payouts_seller", "seller_id", "created_at"),
)

# The per-merchant row every payout request updates first: payouts of one
# merchant are serialized (a row lock on PostgreSQL, the write lock on
# SQLite) while the available balance is read and the PAYOUT entry written.
payout_locks = Table(
    "payout_locks",
    metadata,
    Column("seller_id", String(64), primary_key=True),
    Column("requests", BigInteger, nullable=False),
)


# Split settlement (分账, issue 12 item A).

# Each payment of an order, from payment's events (payment.payment.succeeded,
# through the inbox): the channel it went through and its trade there.
# Written once.
order_payments = Table(
    "order_payments",
    metadata,
    Column("order_id", String(64), primary_key=True),
    Column("payment_id", String(64), primary_key=True),
    # "sandbox", "balance", "cash_on_delivery".
    Column("channel", String(32), nullable=False),
    # The winning attempt id (out_trade_no at the channel) and its
    # transaction id; empty off a channel.
    Column("trade_no", String(64), nullable=False),
    Column("transaction_id", String(128), nullable=False),
    # This order's share of the payment's channel instant discount (随机立减;
    # settlement.clearing ``order_channel_discounts``), minor units.
    Column("channel_discount", BigInteger, nullable=False, server_default="0"),
)

# The per-order row that the clearing's split instructions and payment's
# report of the order both update first: whichever comes last sees the other
# (settlement.splits).
split_locks = Table(
    "split_locks",
    metadata,
    Column("order_id", String(64), primary_key=True),
    Column("requests", BigInteger, nullable=False),
)

# One split instruction per (order, seller): split_id "<order>:<seller>".
splits = Table(
    "splits",
    metadata,
    Column("split_id", String(160), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("order_id", String(64), nullable=False, index=True),
    Column("seller_id", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount", BigInteger, nullable=False),
    # SplitState.
    Column("state", Integer, nullable=False),
    Column("channel", String(32), nullable=False),
    Column("trade_no", String(64), nullable=False),
    Column("transaction_id", String(128), nullable=False),
    Column("reference", String(160), nullable=False),
    Column("reason", String(500), nullable=False),
    Column("entry_id", String(80), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("resolved_at", UTCDateTime, nullable=True),
    Index("ix_splits_seller", "seller_id", "state"),
)
