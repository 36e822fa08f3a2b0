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

# Warehouses (coverage, topology, allocation) keep their tables in their own
# module, on this metadata.
from logistics import warehouse_store  # noqa: E402,F401
