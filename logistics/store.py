"""logistics' tables. Only logistics reads or writes them.

A freight template's rules (default and per region) are kept as the JSON of
their protobuf messages; the columns queries need are columns.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, String, Table, Text

from zhongtai.db import UTCDateTime, new_metadata, plumbing_tables

metadata = new_metadata()
plumbing = plumbing_tables(metadata)

freight_templates = Table(
    "freight_templates",
    metadata,
    Column("template_id", String(64), primary_key=True),
    Column("seller_id", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("delivery_method", Integer, nullable=False),
    Column("charging_basis", Integer, nullable=False),
    Column("currency", String(3), nullable=False),
    # JSON of zhongtai.logistics.v1.FreightRule.
    Column("default_rule", Text, nullable=False),
    # JSON list of zhongtai.logistics.v1.RegionRule.
    Column("region_rules", Text, nullable=False),
    # Minor units; NULL: no threshold.
    Column("free_shipping_threshold", BigInteger),
    Column("unlisted_regions_deliverable", Boolean, nullable=False),
    # The seller's default (per delivery method) is the newest created as default.
    Column("is_default", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
Index("ix_freight_templates_seller", freight_templates.c.seller_id,
      freight_templates.c.template_id)

# Logistics orders (seed 001 §四.2): one ROLE_ORDER per trade log_order;
# split children and merge masters are logistics orders too, and so is
# after-sales' return of goods (ROLE_RETURN). A package is
# the one that travels (is_package): it has the carrier and tracking number.
logistics_orders = Table(
    "logistics_orders",
    metadata,
    Column("logistics_order_id", String(64), primary_key=True),
    Column("role", Integer, nullable=False),
    Column("status", Integer, nullable=False),
    # ROLE_ORDER only (NULL otherwise): trade's log_order it mirrors.
    Column("log_order_id", String(64), unique=True),
    Column("order_id", String(64), nullable=False, server_default=""),
    Column("top_order_id", String(64), nullable=False, server_default=""),
    Column("seller_id", String(64), nullable=False),
    Column("buyer_id", String(64), nullable=False),
    # JSON of zhongtai.common.v1.Address.
    Column("address", Text, nullable=False),
    Column("delivery_method", Integer, nullable=False),
    Column("split", Boolean, nullable=False),
    Column("parent_id", String(64), nullable=False, server_default=""),
    Column("merged_into", String(64), nullable=False, server_default=""),
    Column("is_package", Boolean, nullable=False),
    Column("carrier", String(32), nullable=False, server_default=""),
    Column("tracking_no", String(64), nullable=False, server_default=""),
    Column("exception", Boolean, nullable=False),
    # Units of all lines; ROLE_ORDER: units shipped so far.
    Column("total_quantity", BigInteger, nullable=False),
    Column("shipped_quantity", BigInteger, nullable=False),
    Column("ship_time", UTCDateTime),
    Column("deliver_time", UTCDateTime),
    # ROLE_ORDER: JSON list of zhongtai.logistics.v1.PlannedShipment, the
    # warehouse allocation of the paid order; NULL until planned.
    Column("plan", Text),
    Column("plan_note", String(500), nullable=False, server_default=""),
    Column("eta", UTCDateTime),
    # ROLE_RETURN only (NULL otherwise): the after-sales application it
    # carries the goods of (one return per application), the warehouse they
    # go to (``address`` is its address) and the buyer's address they come
    # from (JSON of zhongtai.common.v1.Address).
    Column("application_id", String(64), unique=True),
    Column("warehouse_id", String(64), nullable=False, server_default=""),
    Column("return_from", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
Index("ix_logistics_orders_seller", logistics_orders.c.seller_id,
      logistics_orders.c.logistics_order_id)
Index("ix_logistics_orders_top_order", logistics_orders.c.top_order_id)
Index("ix_logistics_orders_order", logistics_orders.c.order_id)
Index("ix_logistics_orders_parent", logistics_orders.c.parent_id)
Index("ix_logistics_orders_merged_into", logistics_orders.c.merged_into)

logistics_lines = Table(
    "logistics_lines",
    metadata,
    Column("logistics_order_id", String(64), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("order_id", String(64), nullable=False),
    Column("sku_id", String(64), nullable=False),
    Column("quantity", BigInteger, nullable=False),
)

# A tracking number belongs to one package of its carrier.
waybills = Table(
    "waybills",
    metadata,
    Column("carrier", String(32), primary_key=True),
    Column("tracking_no", String(64), primary_key=True),
    Column("logistics_order_id", String(64), nullable=False),
)

# Carriers' events, deduplicated by their id.
tracking_events = Table(
    "tracking_events",
    metadata,
    Column("carrier", String(32), primary_key=True),
    Column("event_id", String(128), primary_key=True),
    Column("logistics_order_id", String(64), nullable=False),
    Column("milestone", Integer, nullable=False),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("location", String(200), nullable=False),
    Column("description", String(500), nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
)
Index("ix_tracking_events_package", tracking_events.c.logistics_order_id,
      tracking_events.c.occurred_at)

logistics_flags = Table(
    "logistics_flags",
    metadata,
    Column("flag_id", String(64), primary_key=True),
    Column("logistics_order_id", String(64), nullable=False),
    Column("flag", String(64), nullable=False),
    Column("note", String(2000), nullable=False),
    Column("operator_role", Integer, nullable=False),
    Column("operator_id", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
Index("ix_logistics_flags_order", logistics_flags.c.logistics_order_id)

# Warehouses (coverage, topology, allocation) keep their tables in their own
# module, on this metadata.
from logistics import warehouse_store  # noqa: E402,F401
