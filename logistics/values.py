"""The values logistics' use cases take and return: an address, a planned
shipment, a logistics order as it is read (its lines, carrier events and
flags), and what a paid trade order brings. Plain frozen records: no
protobuf, SQL or clock here; ``logistics.views`` maps them to and from the
contract's messages (and the JSON they are stored as), field for field.
Statuses, roles, methods and milestones are logistics.proto's enum values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Address:
    """A five-level address (``zhongtai.common.v1.Address``, field for field)."""

    country_code: str = ""
    province: str = ""
    city: str = ""
    district: str = ""
    town: str = ""
    detail: str = ""
    postal_code: str = ""
    recipient_name: str = ""
    recipient_phone: str = ""
    region_code: str = ""


@dataclass(frozen=True)
class Shipment:
    """A share of a ROLE_ORDER's warehouse plan: ``quantity`` units from
    ``warehouse_id`` (transferred there from ``transfer_from_warehouse_id``
    when set), arriving by ``eta``."""

    warehouse_id: str
    quantity: int
    transfer_from_warehouse_id: str = ""
    eta: dt.datetime | None = None


@dataclass(frozen=True)
class Line:
    """Units of one trade line in a logistics order."""

    order_id: str
    sku_id: str
    quantity: int


@dataclass(frozen=True)
class Tracked:
    """A carrier's event on a package's timeline (``milestone``: a
    TrackingMilestone)."""

    event_id: str
    milestone: int
    occurred_at: dt.datetime
    location: str = ""
    description: str = ""


@dataclass(frozen=True)
class Operator:
    """Who acted (``role``: an ``Operator.Role`` of common.proto)."""

    role: int
    id: str


@dataclass(frozen=True)
class Flag:
    """A party's flag on a logistics order."""

    flag: str
    note: str
    operator: Operator
    created_at: dt.datetime


@dataclass(frozen=True)
class LogisticsOrder:
    """A logistics order of any role as it is now (the API's
    ``LogisticsOrder``)."""

    logistics_order_id: str
    role: int
    status: int
    log_order_id: str
    order_id: str
    top_order_id: str
    seller_id: str
    buyer_id: str
    address: Address
    delivery_method: int
    lines: tuple[Line, ...]
    split: bool
    parent_id: str
    merged_into: str
    # Split children of an order, members of a merge master.
    child_ids: tuple[str, ...]
    is_package: bool
    carrier: str
    tracking_no: str
    tracking: tuple[Tracked, ...]
    exception: bool
    flags: tuple[Flag, ...]
    shipped_quantity: int
    created_at: dt.datetime
    updated_at: dt.datetime
    plan: tuple[Shipment, ...]
    plan_note: str
    application_id: str
    warehouse_id: str
    return_from: Address | None = None
    eta: dt.datetime | None = None
    ship_time: dt.datetime | None = None
    deliver_time: dt.datetime | None = None


@dataclass(frozen=True)
class ShippedUnits:
    """Units of a package by the warehouse they left (``""``: unknown)."""

    sku_id: str
    warehouse_id: str
    quantity: int


@dataclass(frozen=True)
class PaidLine:
    """A line of a paid trade order that ships: its log order and where to."""

    log_order_id: str
    order_id: str
    seller_id: str
    sku_id: str
    quantity: int
    address: Address
