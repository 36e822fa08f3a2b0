"""catalog's tables. Only catalog reads or writes them."""

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
)

from zhongtai.db import UTCDateTime, new_metadata, plumbing_tables

metadata = new_metadata()
plumbing = plumbing_tables(metadata)

sellers = Table(
    "sellers",
    metadata,
    Column("seller_id", String(64), primary_key=True),
    Column("display_name", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

items = Table(
    "items",
    metadata,
    Column("item_id", String(64), primary_key=True),
    Column("seller_id", String(64), ForeignKey("sellers.seller_id"), nullable=False, index=True),
    Column("current_version", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Immutable: a row is written once per version and never updated.
item_versions = Table(
    "item_versions",
    metadata,
    Column("item_id", String(64), ForeignKey("items.item_id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("title", String(500), nullable=False),
    Column("description", Text, nullable=False),
    Column("category_id", String(64), nullable=False),
    Column("item_type", Integer, nullable=False),
    Column("stock_mode", Integer, nullable=False),
    Column("currency", String(3), nullable=False),
    # JSON list of {sku_id, attributes, price, weight_grams, volume_cm3}: the
    # SKUs as of this version (versions written before SKUs had a weight and
    # volume lack those keys: read as 0, no schema change).
    Column("skus", Text, nullable=False),
    # JSON of the version's PresaleTerms (deposit per unit in minor units,
    # balance window), or NULL for an ordinary item.
    Column("presale", Text),
    Column("created_at", UTCDateTime, nullable=False),
)

skus = Table(
    "skus",
    metadata,
    Column("sku_id", String(64), primary_key=True),
    Column("item_id", String(64), ForeignKey("items.item_id"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
)

# The books of a SKU. For a SKU whose units are all placed in warehouses
# (created with no initial stock, never adjusted outside them) the shelves
# hold what is on sale, what orders reserved and what was sold but has not
# left yet:  sum(warehouse_stock.quantity) == available + reserved + sold - shipped.
stock = Table(
    "stock",
    metadata,
    Column("sku_id", String(64), ForeignKey("skus.sku_id"), primary_key=True),
    Column("available", BigInteger, nullable=False),
    Column("reserved", BigInteger, nullable=False),
    # Cumulative: units deducted at payment (less those restocked).
    Column("sold", BigInteger, nullable=False),
    # Cumulative: units of sold that left a known warehouse in a package
    # (taken off warehouse_stock at the shipment, see warehouse_shipments).
    Column("shipped", BigInteger, nullable=False, server_default="0"),
    CheckConstraint("available >= 0", name="available_non_negative"),
    CheckConstraint("reserved >= 0", name="reserved_non_negative"),
)

# One per order id: RESERVED -> RELEASED | DEDUCTED; DEDUCTED -> RESTOCKED
# (a paid order cancelled before anything shipped: its sold units go back to
# available; warehouse_stock is not touched, the units never left). A RELEASED
# row with no lines is a tombstone: the order was released before it reserved
# anything, and a late reservation for it is refused.
reservations = Table(
    "reservations",
    metadata,
    Column("order_id", String(64), primary_key=True),
    Column("status", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

reservation_lines = Table(
    "reservation_lines",
    metadata,
    Column("order_id", String(64), ForeignKey("reservations.order_id"), primary_key=True),
    Column("sku_id", String(64), ForeignKey("skus.sku_id"), primary_key=True),
    Column("quantity", BigInteger, nullable=False),
    # Units of the line put back on sale after the sale (after-sales'
    # RestockUnits, then the restock of the paid order cancelled, which
    # takes only the rest): never more than quantity, whatever the requests.
    Column("restocked", BigInteger, nullable=False, server_default="0"),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    CheckConstraint("restocked >= 0 AND restocked <= quantity", name="restocked_within_sold"),
)

# One per after-sales RestockUnits request id (the application id), written
# with the restock it made: the same request again restocks nothing, another
# payload under the id is refused, for good (idempotency records expire).
unit_restocks = Table(
    "unit_restocks",
    metadata,
    Column("request_id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False),
    Column("sku_id", String(64), nullable=False),
    Column("quantity", BigInteger, nullable=False),
    # "" when the units returned to the SKU's total only.
    Column("warehouse_id", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# Stock per warehouse (分仓库存): the units of a SKU on the shelves of each
# logistics warehouse, units sold but not shipped included. Setting it moves
# stock.available by the same delta (never below zero), so stock stays the
# sellable total orders reserve against; a shipment takes its units off the
# warehouse it left (and adds them to stock.shipped). The rows tell logistics
# where the units are. warehouse_id is logistics' id (not checked here: the
# two services do not share a database).
warehouse_stock = Table(
    "warehouse_stock",
    metadata,
    Column("sku_id", String(64), ForeignKey("skus.sku_id"), primary_key=True),
    Column("warehouse_id", String(64), primary_key=True),
    Column("quantity", BigInteger, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("quantity >= 0", name="quantity_non_negative"),
)
Index("ix_warehouse_stock_warehouse", warehouse_stock.c.warehouse_id)

# Units that left a warehouse in a package (logistics.package.changed of a
# shipment), one row per (package, SKU, warehouse), written before the books
# move: a redelivered or re-sent event finds it and moves nothing again.
# applied is false when the books could not take the units (logged).
warehouse_shipments = Table(
    "warehouse_shipments",
    metadata,
    Column("package_id", String(64), primary_key=True),
    Column("sku_id", String(64), primary_key=True),
    Column("warehouse_id", String(64), primary_key=True),
    Column("quantity", BigInteger, nullable=False),
    Column("applied", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
