"""payment's tables. Only payment reads or writes them.

Money is integer minor units with a currency column. Statuses, methods and
kinds are the protobuf enum values. The invariants that must hold under any
concurrency are CHECK constraints and keys, and every change to them is a
compare-and-set:

* at most one open (PENDING) or SUCCEEDED payment per pay order:
  ``pay_order_locks`` (one row per pay order, held by one payment; released
  when that payment closes);
* never more refunded than captured: ``payments.refunded_amount <=
  captured_amount`` and, per channel trade, ``payment_attempts.refunded_amount
  <= paid_amount`` (refunds are order money; of each, the buyer gets
  ``amount - refunds.channel_discount_amount``, never more over all than
  they paid: the aggregate's split, saved by compare-and-set);
* a balance never below zero: ``balance_accounts.balance >= 0``, every change
  a ``balance_ledger`` row (unique per kind and reference, so a payment is
  debited and a refund credited at most once);
* one exception refund per reason: ``refunds.dedupe_key`` is unique;
* a channel notification takes effect once: ``processed_notifications``.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from zhongtai.db import UTCDateTime, new_metadata, plumbing_tables

metadata = new_metadata()
plumbing = plumbing_tables(metadata)

# A payment order: pays one or several of trade's pay orders (its parts).
# PENDING -> SUCCEEDED | CLOSED; SUCCEEDED -> REFUNDED (see domain.py).
# captured_amount is what the winning attempt collected (0 until SUCCEEDED);
# refunded_amount is what refunds to that route have taken (pending or done,
# not failed); settled_refund_amount what came back for sure.
payments = Table(
    "payments",
    metadata,
    Column("payment_id", String(64), primary_key=True),
    Column("buyer_id", String(64), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("status", Integer, nullable=False),
    # The current method and attempt (the last one opened).
    Column("method", Integer, nullable=False),
    Column("current_attempt_id", String(64), nullable=False),
    Column("winning_attempt_id", String(64), nullable=False),
    Column("captured_amount", BigInteger, nullable=False),
    Column("refunded_amount", BigInteger, nullable=False),
    Column("settled_refund_amount", BigInteger, nullable=False),
    Column("close_reason", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("succeeded_at", UTCDateTime),
    Column("closed_at", UTCDateTime),
    # Bumped by every save of the payment aggregate (its parts, attempts,
    # refunds and pay-order locks included): the optimistic version check.
    Column("version", Integer, nullable=False, server_default="0"),
    CheckConstraint("amount > 0", name="amount_positive"),
    CheckConstraint("captured_amount >= 0", name="captured_non_negative"),
    CheckConstraint("refunded_amount >= 0", name="refunded_non_negative"),
    CheckConstraint("refunded_amount <= captured_amount", name="refunded_within_captured"),
    CheckConstraint("settled_refund_amount >= 0 AND settled_refund_amount <= refunded_amount",
                    name="settled_within_refunded"),
)

payment_parts = Table(
    "payment_parts",
    metadata,
    Column("payment_id", String(64), ForeignKey("payments.payment_id"), primary_key=True),
    Column("pay_order_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False),
    Column("amount", BigInteger, nullable=False),
    CheckConstraint("amount > 0", name="amount_positive"),
)
Index("ix_payment_parts_pay_order", payment_parts.c.pay_order_id, payment_parts.c.payment_id)

# The payment that holds a pay order: inserted with the payment (a second
# CreatePayment for the pay order finds it taken), deleted when that payment
# closes, kept when it succeeds.
pay_order_locks = Table(
    "pay_order_locks",
    metadata,
    Column("pay_order_id", String(64), primary_key=True),
    # No foreign key: the lock is taken before the payment row is written.
    Column("payment_id", String(64), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
)

# Pay orders whose order trade cancelled or closed (trade.order.cancelled):
# no new payment is opened for them.
closed_pay_orders = Table(
    "closed_pay_orders",
    metadata,
    Column("pay_order_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False),
    Column("closed_at", UTCDateTime, nullable=False),
)

# One channel trade of a payment; attempt_id is our out_trade_no at the
# channel. PENDING -> SUCCEEDED | CLOSED, CLOSED -> SUCCEEDED (paid although
# closed: refunded). next_check_at drives the sweep that closes attempts at
# the channel (close_requested) or queries stale ones.
payment_attempts = Table(
    "payment_attempts",
    metadata,
    Column("attempt_id", String(64), primary_key=True),
    Column("payment_id", String(64), ForeignKey("payments.payment_id"), nullable=False,
           index=True),
    Column("method", Integer, nullable=False),
    Column("status", Integer, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount", BigInteger, nullable=False),
    # What the channel reports it collected (0 until paid): what the buyer
    # paid plus channel_discount_amount.
    Column("paid_amount", BigInteger, nullable=False),
    # Of paid_amount, what the channel funded itself (a random instant
    # discount); refunds return it to the channel with the last of the money.
    Column("channel_discount_amount", BigInteger, nullable=False, server_default="0"),
    # Refunds of this trade (requested and exception), pending or done.
    Column("refunded_amount", BigInteger, nullable=False),
    Column("channel_transaction_id", String(128), nullable=False),
    Column("pay_url", Text, nullable=False),
    Column("close_requested", Boolean, nullable=False),
    Column("next_check_at", UTCDateTime),
    Column("check_count", Integer, nullable=False),
    Column("last_error", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("paid_at", UTCDateTime),
    Column("closed_at", UTCDateTime),
    CheckConstraint("amount > 0", name="amount_positive"),
    CheckConstraint("paid_amount >= 0", name="paid_non_negative"),
    CheckConstraint("refunded_amount >= 0 AND refunded_amount <= paid_amount",
                    name="refunded_within_paid"),
)
Index("ix_payment_attempts_check", payment_attempts.c.status, payment_attempts.c.next_check_at)

# REQUESTED refunds (CreateRefund) and EXCEPTION refunds (a second payment, a
# payment of a closed payment order, a payment trade rejected) to the route
# of one attempt. PENDING -> SUCCEEDED | FAILED. The sweep submits PENDING
# ones to the channel (and queries accepted ones) at next_attempt_at.
refunds = Table(
    "refunds",
    metadata,
    Column("refund_id", String(64), primary_key=True),
    Column("payment_id", String(64), ForeignKey("payments.payment_id"), nullable=False,
           index=True),
    Column("attempt_id", String(64), ForeignKey("payment_attempts.attempt_id"),
           nullable=False),
    Column("kind", Integer, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("status", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    # What makes this refund unique: its own id for requested refunds,
    # "attempt:<id>" or "rejected:<payment>:<pay order>" for exception ones.
    Column("dedupe_key", String(200), nullable=False, unique=True),
    Column("request_id", String(200), nullable=False),
    # The pay order the refund is for, when it is for one (a cancelled
    # order's refund, a part trade rejected); "" otherwise.
    Column("pay_order_id", String(64), nullable=False, server_default=""),
    # When the channel accepted it (then it is queried, not submitted again).
    Column("submitted_at", UTCDateTime),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime),
    Column("last_error", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("settled_at", UTCDateTime),
    # Of amount (order money), the channel's instant discount it returns;
    # the buyer gets the rest (payment.values Refund.payer_amount).
    Column("channel_discount_amount", BigInteger, nullable=False, server_default="0"),
    CheckConstraint("amount > 0", name="amount_positive"),
)
Index("ix_refunds_due", refunds.c.status, refunds.c.next_attempt_at)

balance_accounts = Table(
    "balance_accounts",
    metadata,
    Column("buyer_id", String(64), primary_key=True),
    Column("currency", String(3), primary_key=True),
    Column("balance", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("balance >= 0", name="balance_non_negative"),
)

# Every balance change. reference_id is the top-up's request id, the paying
# attempt or the refund: one entry per kind and reference.
balance_ledger = Table(
    "balance_ledger",
    metadata,
    Column("entry_id", String(26), primary_key=True),
    Column("buyer_id", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("kind", String(16), nullable=False),
    # Signed: positive credits, negative debits.
    Column("amount", BigInteger, nullable=False),
    Column("reference_id", String(200), nullable=False),
    Column("payment_id", String(64), nullable=False),
    Column("balance_after", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("kind", "reference_id"),
    CheckConstraint("amount <> 0", name="amount_non_zero"),
)
Index("ix_balance_ledger_buyer", balance_ledger.c.buyer_id, balance_ledger.c.entry_id)

# Channel notifications already applied, by what they say (the same fact
# notified twice has one key).
processed_notifications = Table(
    "processed_notifications",
    metadata,
    Column("channel", String(32), primary_key=True),
    Column("notification_key", String(200), primary_key=True),
    Column("attempt_id", String(64), nullable=False),
    Column("refund_id", String(64), nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
)
