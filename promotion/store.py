"""promotion's tables. Only promotion reads or writes them.

Money is integer minor units with a currency column, never a float. Scopes,
ladders and the stacking policy's lists are JSON text (read whole, never
queried inside).
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
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from zhongtai.db import UTCDateTime, new_metadata, plumbing_tables

metadata = new_metadata()
plumbing = plumbing_tables(metadata)

# A promotion's rule. seller_id is empty for platform-level rules; currency is
# empty for rules with no amount (ITEM_DISCOUNT without a budget). Ended by
# EndPromotion (ended_at set): a quote never applies it again.
promotions = Table(
    "promotions",
    metadata,
    Column("promotion_id", String(64), primary_key=True),
    Column("kind", Integer, nullable=False),
    Column("title", String(200), nullable=False),
    Column("seller_id", String(64), nullable=False),
    # JSON lists of ids.
    Column("scope_sku_ids", Text, nullable=False),
    Column("scope_category_ids", Text, nullable=False),
    Column("start_at", UTCDateTime, nullable=False),
    Column("end_at", UTCDateTime, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_off", BigInteger, nullable=False),
    Column("rate_bps", Integer, nullable=False),
    Column("price", BigInteger, nullable=False),
    Column("per_buyer_limit", BigInteger, nullable=False),
    # JSON list of {threshold, amount_off, rate_bps} in minor units.
    Column("ladders", Text, nullable=False),
    Column("platform_share_bps", Integer, nullable=False),
    Column("ended_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    # The most the promotion may take off orders (NULL: no budget, nothing
    # counted). budget_used is what held and redeemed orders took, changed
    # only by compare-and-set: budget_used + amount <= budget.
    Column("budget", BigInteger),
    Column("budget_used", BigInteger, nullable=False, server_default="0"),
    CheckConstraint("rate_bps >= 0 AND rate_bps <= 10000", name="rate_bps_range"),
    CheckConstraint("platform_share_bps >= 0 AND platform_share_bps <= 10000",
                    name="platform_share_bps_range"),
    CheckConstraint("budget_used >= 0 AND (budget IS NULL OR budget_used <= budget)",
                    name="budget_used_within_budget"),
)
Index("ix_promotions_seller_end", promotions.c.seller_id, promotions.c.end_at)

# What a held order took off from a promotion with a budget, one row per order
# and promotion: a release gives exactly this back (and deletes the row), a
# redeem keeps it.
promotion_budget_usage = Table(
    "promotion_budget_usage",
    metadata,
    Column("promotion_id", String(64), ForeignKey("promotions.promotion_id"),
           primary_key=True),
    Column("order_id", String(64), primary_key=True),
    Column("amount", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint("amount > 0", name="amount_positive"),
)
Index("ix_promotion_budget_usage_order", promotion_budget_usage.c.order_id)

coupon_templates = Table(
    "coupon_templates",
    metadata,
    Column("template_id", String(64), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("kind", Integer, nullable=False),
    # Empty: a platform coupon.
    Column("seller_id", String(64), nullable=False),
    Column("scope_sku_ids", Text, nullable=False),
    Column("scope_category_ids", Text, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("threshold", BigInteger, nullable=False),
    Column("amount_off", BigInteger, nullable=False),
    Column("rate_bps", Integer, nullable=False),
    Column("max_off", BigInteger, nullable=False),
    # Claim window; NULL = open on that side.
    Column("claim_start_at", UTCDateTime),
    Column("claim_end_at", UTCDateTime),
    # Validity: a fixed window, or valid_days after the claim (when > 0).
    Column("valid_start_at", UTCDateTime),
    Column("valid_end_at", UTCDateTime),
    Column("valid_days", Integer, nullable=False),
    Column("total_quantity", BigInteger, nullable=False),
    # Compare-and-set: issued_quantity < total_quantity.
    Column("issued_quantity", BigInteger, nullable=False),
    # 0 = no per-buyer limit.
    Column("per_buyer_limit", Integer, nullable=False),
    Column("platform_share_bps", Integer, nullable=False),
    Column("restore_on_cancel", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint("issued_quantity >= 0 AND issued_quantity <= total_quantity",
                    name="issued_within_total"),
    CheckConstraint("platform_share_bps >= 0 AND platform_share_bps <= 10000",
                    name="platform_share_bps_range"),
)

# How many coupons of a template a buyer claimed (compare-and-set against
# the template's per_buyer_limit).
coupon_claims = Table(
    "coupon_claims",
    metadata,
    Column("template_id", String(64), ForeignKey("coupon_templates.template_id"),
           primary_key=True),
    Column("buyer_id", String(64), primary_key=True),
    Column("claimed", Integer, nullable=False),
    CheckConstraint("claimed >= 0", name="claimed_non_negative"),
)

# AVAILABLE -> LOCKED (order_id) -> USED, or back to AVAILABLE on release
# when the template restores on cancel; USED -> AVAILABLE when a paid order
# is cancelled before shipping (the hold RETURNED), the template restoring on
# cancel and the coupon still valid.
coupons = Table(
    "coupons",
    metadata,
    Column("coupon_id", String(64), primary_key=True),
    Column("template_id", String(64), ForeignKey("coupon_templates.template_id"),
           nullable=False, index=True),
    Column("buyer_id", String(64), nullable=False),
    Column("status", Integer, nullable=False),
    Column("valid_start_at", UTCDateTime, nullable=False),
    Column("valid_end_at", UTCDateTime, nullable=False),
    Column("order_id", String(64), index=True),
    Column("claimed_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
Index("ix_coupons_buyer", coupons.c.buyer_id, coupons.c.coupon_id)

# balance = points the buyer can spend (available); frozen = held for orders.
# PointsAccount.balance is their sum (owned, held included), as for cards.
points_accounts = Table(
    "points_accounts",
    metadata,
    Column("buyer_id", String(64), primary_key=True),
    Column("balance", BigInteger, nullable=False),
    Column("frozen", BigInteger, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("balance >= 0", name="balance_non_negative"),
    CheckConstraint("frozen >= 0", name="frozen_non_negative"),
)

# Every change of an account: EARN (request_id), FREEZE, UNFREEZE, DEDUCT,
# RETURN (order_id; deducted points credited back to a paid order cancelled
# before shipping). At most one entry per (buyer, kind, order, request): a repeat
# finds it and changes nothing.
points_ledger = Table(
    "points_ledger",
    metadata,
    Column("entry_id", String(26), primary_key=True),
    Column("buyer_id", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("points", BigInteger, nullable=False),
    Column("order_id", String(64), nullable=False),
    Column("request_id", String(200), nullable=False),
    Column("reason", String(200), nullable=False),
    Column("balance_after", BigInteger, nullable=False),
    Column("frozen_after", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("buyer_id", "kind", "order_id", "request_id"),
    CheckConstraint("points > 0", name="points_positive"),
)

red_packet_pools = Table(
    "red_packet_pools",
    metadata,
    Column("pool_id", String(64), primary_key=True),
    # Empty: funded by the platform.
    Column("funded_by_seller_id", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("budget", BigInteger, nullable=False),
    # Compare-and-set: remaining - amount >= 0.
    Column("remaining", BigInteger, nullable=False),
    Column("valid_days", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint("remaining >= 0", name="remaining_non_negative"),
    CheckConstraint("remaining <= budget", name="remaining_within_budget"),
)

# AVAILABLE -> LOCKED (order_id) -> USED, or back to AVAILABLE on release;
# USED -> AVAILABLE when the hold is RETURNED and the packet has not expired.
red_packets = Table(
    "red_packets",
    metadata,
    Column("red_packet_id", String(64), primary_key=True),
    Column("pool_id", String(64), ForeignKey("red_packet_pools.pool_id"), nullable=False),
    Column("buyer_id", String(64), nullable=False),
    Column("funded_by_seller_id", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("status", Integer, nullable=False),
    Column("expire_at", UTCDateTime, nullable=False),
    Column("order_id", String(64), index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("amount > 0", name="amount_positive"),
)
Index("ix_red_packets_buyer", red_packets.c.buyer_id, red_packets.c.red_packet_id)

# available = balance - held; held is what orders hold until redeemed/released.
stored_value_cards = Table(
    "stored_value_cards",
    metadata,
    Column("card_id", String(64), primary_key=True),
    Column("buyer_id", String(64), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("balance", BigInteger, nullable=False),
    Column("held", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("held >= 0", name="held_non_negative"),
    CheckConstraint("held <= balance", name="held_within_balance"),
)

# Flash-sale units bought by a buyer, one row per order and promotion.
flash_sale_usage = Table(
    "flash_sale_usage",
    metadata,
    Column("promotion_id", String(64), ForeignKey("promotions.promotion_id"),
           primary_key=True),
    Column("buyer_id", String(64), primary_key=True),
    Column("order_id", String(64), primary_key=True),
    Column("units", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint("units > 0", name="units_positive"),
)
Index("ix_flash_sale_usage_order", flash_sale_usage.c.order_id)

# The sum of a buyer's flash_sale_usage per promotion, as one row so that a
# compare-and-set (units + n <= per_buyer_limit) serializes concurrent holds.
flash_sale_counters = Table(
    "flash_sale_counters",
    metadata,
    Column("promotion_id", String(64), ForeignKey("promotions.promotion_id"),
           primary_key=True),
    Column("buyer_id", String(64), primary_key=True),
    Column("units", BigInteger, nullable=False),
    CheckConstraint("units >= 0", name="units_non_negative"),
)

# One per order id: HELD -> RELEASED | REDEEMED; REDEEMED -> RETURNED (a
# paid order cancelled before anything shipped). A RELEASED row that holds
# nothing (no quote) is a tombstone: the order was released before it held
# anything, and a late hold for it is refused.
benefit_holds = Table(
    "benefit_holds",
    metadata,
    Column("order_id", String(64), primary_key=True),
    Column("buyer_id", String(64), nullable=False),
    Column("status", Integer, nullable=False),
    # sha256 of the HoldBenefitsRequest: a repeat must be the same request.
    Column("request_hash", String(64), nullable=False),
    # JSON list of the coupon ids held.
    Column("coupon_ids", Text, nullable=False),
    Column("points", BigInteger, nullable=False),
    Column("red_packet_id", String(64), nullable=False),
    Column("card_id", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("card_amount", BigInteger, nullable=False),
    # The serialized QuoteResponse the hold was made for (NULL on a tombstone).
    Column("quote", LargeBinary),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("points >= 0", name="points_non_negative"),
    CheckConstraint("card_amount >= 0", name="card_amount_non_negative"),
)

# What an order got back of the benefits it consumed, cumulatively (one row
# per order, written by after-sales' ReturnBenefits and by the whole-order
# return of a paid order cancelled): points_amount is the points' money
# returned, points the points credited back for it, card_amount what went
# back to the card; each never above what the order spent or took.
benefit_returns = Table(
    "benefit_returns",
    metadata,
    Column("order_id", String(64), primary_key=True),
    Column("points_amount", BigInteger, nullable=False),
    Column("points", BigInteger, nullable=False),
    Column("card_amount", BigInteger, nullable=False),
    # The coupons and red packet were given back (at most once).
    Column("coupons_restored", Boolean, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("points_amount >= 0 AND points >= 0 AND card_amount >= 0",
                    name="returned_non_negative"),
)

# One per ReturnBenefits request id (the after-sales application id), with
# the answer it got: the same request again gets it and changes nothing,
# another payload under the id is refused, for good (idempotency records
# expire).
benefit_return_requests = Table(
    "benefit_return_requests",
    metadata,
    Column("request_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False),
    Column("request_hash", String(64), nullable=False),
    # The serialized ReturnBenefitsResponse.
    Column("response", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# At most one row (policy_id = 1); none = the engine's default Policy().
stacking_policy = Table(
    "stacking_policy",
    metadata,
    Column("policy_id", Integer, primary_key=True, autoincrement=False),
    # JSON list of DeductionKind values, and of [kind, kind] pairs.
    Column("stage_order", Text, nullable=False),
    Column("exclusions", Text, nullable=False),
    Column("refuse_over_discount", Boolean, nullable=False),
    Column("floor_minor", BigInteger, nullable=False),
    Column("points_per_unit", BigInteger, nullable=False),
    Column("points_max_share_bps", Integer, nullable=False),
    Column("points_platform_share_bps", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("policy_id = 1", name="single_row"),
)
