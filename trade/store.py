"""trade's tables: biz_order, pay_order, log_order (seed 001 §三.6). Only
trade reads or writes them."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    false,
)

from zhongtai.db import UTCDateTime, new_metadata, plumbing_tables

metadata = new_metadata()
plumbing = plumbing_tables(metadata)

# A main order, a sub order (parent_id set) or a single order. Item columns
# are empty on a main order. status, pay_status and logistics_status change
# in the same transaction as pay_order / log_order.
biz_orders = Table(
    "biz_orders",
    metadata,
    Column("order_id", String(64), primary_key=True),
    Column("parent_id", String(64), ForeignKey("biz_orders.order_id"), index=True),
    Column("is_main", Boolean, nullable=False),
    Column("buyer_id", String(64), nullable=False),
    Column("seller_id", String(64), nullable=False),
    Column("status", Integer, nullable=False),
    Column("pay_status", Integer, nullable=False),
    Column("logistics_status", Integer, nullable=False),
    Column("item_id", String(64), nullable=False),
    Column("item_version", Integer, nullable=False),
    Column("sku_id", String(64), nullable=False),
    Column("item_title", String(500), nullable=False),
    Column("category_id", String(64), nullable=False),
    Column("item_type", Integer, nullable=False),
    Column("sku_attributes", Text, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("unit_price", BigInteger, nullable=False),
    # The unit's weight (grams) and volume (cm³) at purchase (ItemSnapshot).
    Column("weight_grams", BigInteger, nullable=False, server_default="0"),
    Column("volume_cm3", BigInteger, nullable=False, server_default="0"),
    Column("quantity", BigInteger, nullable=False),
    Column("total_amount", BigInteger, nullable=False),
    Column("actual_amount", BigInteger, nullable=False),
    # Sum of every deduction (points and the stored-value card included), so
    # total - discount + adjust = actual: what the buyer still pays for the
    # goods through payment.
    Column("discount_amount", BigInteger, nullable=False, server_default="0"),
    # Freight logistics quoted (QuoteFreight, one package per seller): the
    # sum on a top-level order; a seller's freight on its first line (sub or
    # single order). Not part of actual_amount (goods only); the pay order's
    # actual_amount includes it.
    Column("freight_amount", BigInteger, nullable=False, server_default="0"),
    # The seller's price adjustment (改价) on this line (sum of the lines on a
    # main order), included in actual_amount: total - discount + adjust.
    Column("adjust_amount", BigInteger, nullable=False, server_default="0"),
    Column("request_id", String(200), nullable=False),
    Column("out_type", String(64), nullable=False),
    Column("out_id", String(128), nullable=False),
    Column("buyer_memo", Text, nullable=False),
    # The business the order belongs to (CreateOrderRequest.business_type,
    # "default" when none), the same on a top-level order and its sub orders.
    Column("business_type", String(64), nullable=False, server_default="default"),
    Column("close_reason", Integer, nullable=False),
    Column("close_note", Text, nullable=False),
    Column("closed_by_role", Integer, nullable=False),
    Column("closed_by_id", String(64), nullable=False),
    # Top-level orders: when every line's logistics was shipped, when the
    # order is received automatically (auto-confirm timer) and how many times
    # the buyer pushed that back.
    Column("shipped_at", UTCDateTime),
    Column("receive_deadline", UTCDateTime),
    Column("receipt_extensions", Integer, nullable=False, server_default="0"),
    # After-sales. Lines: their LineRefundStatus and what they refunded
    # (cash through payment, units, the points' and the card's shares, and
    # per deduction — by its seq — the amount and the platform's share, as
    # JSON [[amount, platform], ...]); a main order: the sums. Top-level
    # orders: when the after-sales window ends (NULL: not started or paused
    # while a claim is open) and whether it ended.
    Column("refund_status", Integer, nullable=False, server_default="1"),
    Column("refunded_amount", BigInteger, nullable=False, server_default="0"),
    Column("refunded_quantity", BigInteger, nullable=False, server_default="0"),
    Column("refunded_points", BigInteger, nullable=False, server_default="0"),
    Column("refunded_stored_value", BigInteger, nullable=False, server_default="0"),
    Column("refunded_deductions", Text, nullable=False, server_default="[]"),
    Column("after_sales_end", UTCDateTime),
    Column("after_sales_ended", Boolean, nullable=False, server_default=false()),
    # Incremented by every change; transitions are compare-and-set on status.
    Column("version", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
Index("ix_biz_orders_buyer", biz_orders.c.buyer_id, biz_orders.c.order_id)
Index("ix_biz_orders_seller", biz_orders.c.seller_id, biz_orders.c.order_id)

pay_orders = Table(
    "pay_orders",
    metadata,
    Column("pay_order_id", String(64), primary_key=True),
    Column("order_id", String(64), ForeignKey("biz_orders.order_id"), nullable=False,
           index=True),
    Column("currency", String(3), nullable=False),
    Column("total_amount", BigInteger, nullable=False),
    Column("point_amount", BigInteger, nullable=False),
    Column("discount_amount", BigInteger, nullable=False),
    Column("adjust_amount", BigInteger, nullable=False),
    Column("stored_value_amount", BigInteger, nullable=False, server_default="0"),
    # The order's freight (on the FULL or BALANCE pay order; 0 on a deposit).
    Column("freight_amount", BigInteger, nullable=False, server_default="0"),
    # total - points - discount - stored_value + adjust + freight.
    Column("actual_amount", BigInteger, nullable=False),
    Column("status", Integer, nullable=False),
    Column("pay_deadline", UTCDateTime),
    # PayOrderKind: FULL, or DEPOSIT / BALANCE for a presale order.
    Column("kind", Integer, nullable=False, server_default="1"),
    # A BALANCE pay order's window: it can be paid only from start to end.
    Column("balance_start", UTCDateTime),
    Column("balance_end", UTCDateTime),
    # The payment (payment service's id) that paid it, and when.
    Column("payment_id", String(64), nullable=False, server_default=""),
    Column("paid_at", UTCDateTime),
    # The cash refunded of it through after-sales (goods and freight).
    Column("refunded_amount", BigInteger, nullable=False, server_default="0"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

log_orders = Table(
    "log_orders",
    metadata,
    Column("log_order_id", String(64), primary_key=True),
    Column("order_id", String(64), ForeignKey("biz_orders.order_id"), nullable=False,
           unique=True),
    Column("status", Integer, nullable=False),
    # JSON of the delivery address (zhongtai.common.v1.Address).
    Column("address", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Every deduction on a single or sub order, as promotion quoted and held it:
# by kind and source, with the share the platform and the merchant bear.
order_deductions = Table(
    "order_deductions",
    metadata,
    Column("order_id", String(64), ForeignKey("biz_orders.order_id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("kind", Integer, nullable=False),
    Column("source_id", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("platform_amount", BigInteger, nullable=False),
    Column("merchant_amount", BigInteger, nullable=False),
)

# One code per unit of an e-voucher line, issued when the order is paid and
# redeemed (核销) by the line's seller. Codes come from ``secrets``.
vouchers = Table(
    "vouchers",
    metadata,
    Column("code", String(64), primary_key=True),
    # The top-level order, and the single or sub order of the line.
    Column("order_id", String(64), ForeignKey("biz_orders.order_id"), nullable=False,
           index=True),
    Column("line_order_id", String(64), ForeignKey("biz_orders.order_id"), nullable=False,
           index=True),
    Column("seller_id", String(64), nullable=False),
    Column("buyer_id", String(64), nullable=False),
    Column("sku_id", String(64), nullable=False),
    # VoucherStatus.
    Column("status", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("redeemed_at", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Refund claims: after-sales' applications as trade holds them, part of the
# Order aggregate (written with the order, behind its version). One claim
# per line is open (OPEN or AGREED) at a time; ``plan`` is the RefundPlan
# (JSON) once agreed.
refund_claims = Table(
    "refund_claims",
    metadata,
    Column("application_id", String(64), primary_key=True),
    # The top-level order, and the single or sub order of the line.
    Column("order_id", String(64), ForeignKey("biz_orders.order_id"), nullable=False,
           index=True),
    Column("line_order_id", String(64), ForeignKey("biz_orders.order_id"), nullable=False,
           index=True),
    Column("buyer_id", String(64), nullable=False),
    # RefundKind.
    Column("kind", Integer, nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("amount", BigInteger, nullable=False),
    # OPEN, AGREED, REFUNDED or CLOSED.
    Column("status", String(16), nullable=False),
    Column("plan", Text),
    Column("return_shipping_amount", BigInteger, nullable=False, server_default="0"),
    Column("return_shipping_by_seller", Boolean, nullable=False, server_default=false()),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
