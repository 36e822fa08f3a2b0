"""logistics' warehouse tables (on ``logistics.store.metadata``).

A warehouse's definition (coverage, times, delivery-method rules) is kept as
the JSON of its protobuf message; the columns queries need are columns.
Stock per warehouse is catalog's (``warehouse_stock``), not here.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text

from logistics.store import metadata
from zhongtai.db import UTCDateTime

warehouses = Table(
    "warehouses",
    metadata,
    Column("warehouse_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    # zhongtai.logistics.v1.WarehouseKind.
    Column("kind", Integer, nullable=False),
    # A REGIONAL warehouse's PARENT; NULL: none.
    Column("parent_warehouse_id", String(64)),
    # JSON of zhongtai.logistics.v1.Warehouse (without create_time).
    Column("definition", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
Index("ix_warehouses_parent", warehouses.c.parent_warehouse_id)
