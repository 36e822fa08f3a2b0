"""logistics' rules of logistics orders and packages (seed 001 §四.2). No
database, gRPC, broker, clock or protobuf message here (logistics.proto's
enum values are used); requests come as plain arguments, plans as
``values.Shipment``.

Statuses. A ROLE_ORDER is asked for two things, through the ``ORDER``
state machine: shipping some of its units (``pack``) and being cancelled
(trade cancelled the order: only while nothing is shipped). Everything else
about statuses is derived, never asked for: a package's status is the
furthest carrier milestone reached (``package_status_after``), a ROLE_ORDER's
is as far as its slowest package (``order_status``).

Split and merge (``pack``): all of an unsplit order alone travels as that
order; part of an order is a new split child; several parts in one package
are merged under a new merge master.

Warehouses: each ROLE_ORDER's share of its paid order's warehouse plan
(``shares_of_plan``) and the warehouses its shipped units leave
(``leaving_warehouses``, ``shipped_from``).

Lost pushes: when a shipped package's carrier is asked for its events
(``TrackingPolicy``).

Returns (after-sales): a ROLE_RETURN travels like a package of its own
(``RETURN``), to the warehouse ``return_warehouse`` names
(``check_return``: what a return may say of its line).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from logistics.reasons import E
from logistics.values import Address, Operator, Shipment
from zhongtai.auth import Identity, Role, may_act_for
from zhongtai.common.v1 import common_pb2
from zhongtai.errors import InvalidArgument, PreconditionViolation, Violations, ZhongtaiError
from zhongtai.logistics.v1 import logistics_pb2 as pb
from zhongtai.statemachine import StateMachine

ROLE_ORDER = pb.LOGISTICS_ORDER_ROLE_ORDER
ROLE_SPLIT_CHILD = pb.LOGISTICS_ORDER_ROLE_SPLIT_CHILD
ROLE_MERGE_MASTER = pb.LOGISTICS_ORDER_ROLE_MERGE_MASTER
ROLE_RETURN = pb.LOGISTICS_ORDER_ROLE_RETURN
# The logistics orders that stand for units of a trade line: what an order
# ships and what comes back. ListLogisticsOrders lists them, and they are
# followed and published as orders (logistics.order.changed); split children
# and merge masters are packages of ROLE_ORDERs.
LINE_ROLES = (ROLE_ORDER, ROLE_RETURN)

WAIT_SHIP = pb.LOGISTICS_ORDER_STATUS_WAIT_SHIP
PARTIALLY_SHIPPED = pb.LOGISTICS_ORDER_STATUS_PARTIALLY_SHIPPED
SHIPPED = pb.LOGISTICS_ORDER_STATUS_SHIPPED
IN_TRANSIT = pb.LOGISTICS_ORDER_STATUS_IN_TRANSIT
OUT_FOR_DELIVERY = pb.LOGISTICS_ORDER_STATUS_OUT_FOR_DELIVERY
DELIVERED = pb.LOGISTICS_ORDER_STATUS_DELIVERED
CANCELLED = pb.LOGISTICS_ORDER_STATUS_CANCELLED

# The durable timers of logistics orders and packages.
# Allocate a paid order's units to warehouses (key: the trade order).
ALLOCATE_TIMER = "logistics.allocate"
# Ask a package's carrier to push its events (key: the package).
SUBSCRIBE_TIMER = "logistics.subscribe_waybill"
# Query a package's carrier for events a lost push did not bring (key
# "<package id>/<n>": the n-th query).
TRACK_QUERY_TIMER = "logistics.track_query"

# What a ROLE_ORDER is asked for. Shipping all the units left leads to
# SHIPPED whatever its earlier packages reached: the package just handed to
# the carrier is its slowest. Cancelling is trade's fact, never refused: the
# consumer leaves an order it ``can`` not cancel as it is. Refusals of the
# table are NOTHING_TO_SHIP (``pack`` reports them with the units left).
SHIP_PART, SHIP_REST, CANCEL = "ship_part", "ship_rest", "cancel"
ORDER = StateMachine("logistics_order", {
    (WAIT_SHIP, SHIP_PART): PARTIALLY_SHIPPED,
    (WAIT_SHIP, SHIP_REST): SHIPPED,
    (PARTIALLY_SHIPPED, SHIP_PART): PARTIALLY_SHIPPED,
    (PARTIALLY_SHIPPED, SHIP_REST): SHIPPED,
    (WAIT_SHIP, CANCEL): CANCELLED,
}, pb.LogisticsOrderStatus.Name, E, pb.ERROR_REASON_NOTHING_TO_SHIP)

# What a ROLE_RETURN is asked for: the buyer hands all of it to a carrier,
# once; after that its status follows the carrier like any package's. A
# return shipped already is NOTHING_TO_SHIP (``ship_return`` answers the same
# waybill again as done).
SHIP_RETURN = "ship_return"
RETURN = StateMachine("return", {
    (WAIT_SHIP, SHIP_RETURN): SHIPPED,
}, pb.LogisticsOrderStatus.Name, E, pb.ERROR_REASON_NOTHING_TO_SHIP,
    subject_key="logistics_order_id")

# Where a package is after a carrier milestone (EXCEPTION moves nothing).
MILESTONE_STATUS: Mapping[int, int] = {
    pb.TRACKING_MILESTONE_ACCEPTED: SHIPPED,
    pb.TRACKING_MILESTONE_IN_TRANSIT: IN_TRANSIT,
    pb.TRACKING_MILESTONE_OUT_FOR_DELIVERY: OUT_FOR_DELIVERY,
    pb.TRACKING_MILESTONE_DELIVERED: DELIVERED,
}
# How far along a travelling status is (the package statuses are ordered).
TRAVELLING = (SHIPPED, IN_TRANSIT, OUT_FOR_DELIVERY, DELIVERED)


def package_status_after(current: int, milestone: int) -> int:
    """A package's status after a carrier milestone: the furthest reached.

    Guarantee: applied to any sequence of milestones, in any order and with
    repeats, a travelling package ends at the furthest status they name and
    never moves back on the way; EXCEPTION, and a package not travelling,
    do not move."""
    reached = MILESTONE_STATUS.get(milestone)
    if reached is None or current not in TRAVELLING:
        return current
    return max(current, reached)


def order_status(total: int, shipped: int, package_statuses: Sequence[int],
                 cancelled: bool = False) -> int:
    """A ROLE_ORDER's status: CANCELLED; nothing shipped; some shipped; else as
    far as its slowest package."""
    if cancelled:
        return CANCELLED
    if shipped <= 0:
        return WAIT_SHIP
    if shipped < total:
        return PARTIALLY_SHIPPED
    return min(package_statuses) if package_statuses else SHIPPED


@dataclass(frozen=True)
class Shippable:
    """A logistics order a shipment names, as stored (and locked)."""

    logistics_order_id: str
    role: int
    status: int
    seller_id: str
    # Its buyer and address: the orders of one package share them.
    destination: tuple[str, str]
    total: int
    shipped: int
    split: bool


@dataclass(frozen=True)
class Part:
    """The units of one ROLE_ORDER a package carries."""

    logistics_order_id: str
    quantity: int
    # The order travels as itself (all of an unsplit order); else a new split
    # child of it holds the units.
    whole: bool
    # The order's status once they are shipped (``ORDER``).
    status: int


@dataclass(frozen=True)
class Packing:
    """What one package is made of: its parts, in the request's order."""

    parts: tuple[Part, ...]

    @property
    def merged(self) -> bool:
        """Several parts: a new merge master is the package, the parts (the
        orders themselves or their new split children) its members."""
        return len(self.parts) > 1

    @property
    def quantity(self) -> int:
        return sum(p.quantity for p in self.parts)


def pack(seller_id: str, items: Sequence[tuple[str, int]],
         orders: Mapping[str, Shippable]) -> Packing:
    """How ``seller_id`` ships ``items`` — (logistics order id, units; 0: all
    the units left), validated by ``validate_ship`` — in one package.

    All of an unsplit order ships as that order; anything else of an order
    (part of it, or the rest of a split one) is a new split child; more than
    one part is merged under a new master (``Packing.merged``).

    Refusals, in the items' order, then for the whole package (nothing is
    decided): an id that is not a ROLE_ORDER (INVALID_ARGUMENT on the item),
    another seller's order (PERMISSION_DENIED NOT_A_PARTY_TO_THE_ORDER), a
    cancelled or shipped order or more units than are left
    (NOTHING_TO_SHIP), orders going to different buyers or addresses
    (PACKAGE_DESTINATIONS_DIFFER).

    Guarantee: every part ships between 1 and the units left of its order,
    and an order's new status is what ``ORDER`` says of shipping part of it
    (SHIP_PART) or all that is left (SHIP_REST)."""
    parts: list[Part] = []
    for i, (lo_id, asked) in enumerate(items):
        order = orders.get(lo_id)
        if order is None or order.role != ROLE_ORDER:
            raise InvalidArgument.field(f"items[{i}].logistics_order_id",
                                        "is not a logistics order of an order")
        if order.seller_id != seller_id:
            raise E(pb.ERROR_REASON_NOT_A_PARTY_TO_THE_ORDER,
                    f"seller {seller_id} cannot ship logistics order {lo_id}: it is "
                    f"another seller's", metadata={"logistics_order_id": lo_id})
        left = order.total - order.shipped
        quantity = asked or left
        action = SHIP_REST if quantity == left else SHIP_PART
        if quantity > left or left <= 0 or not ORDER.can(order.status, action):
            raise _nothing_to_ship(order, left, quantity)
        parts.append(Part(lo_id, quantity, quantity == order.total and not order.split,
                          ORDER.next(order.status, action, lo_id)))
    first = orders[parts[0].logistics_order_id].destination
    if any(orders[p.logistics_order_id].destination != first for p in parts):
        raise E(pb.ERROR_REASON_PACKAGE_DESTINATIONS_DIFFER,
                "orders merged into one package must go to the same buyer and address",
                violations=[PreconditionViolation("ADDRESS", "items", "destinations differ")])
    return Packing(tuple(parts))


def _nothing_to_ship(order: Shippable, left: int, quantity: int) -> ZhongtaiError:
    lo_id, name = order.logistics_order_id, pb.LogisticsOrderStatus.Name(order.status)
    return E(pb.ERROR_REASON_NOTHING_TO_SHIP,
             f"logistics order {lo_id} is {name} with {left} unit(s) left to ship; "
             f"{quantity} asked",
             violations=[PreconditionViolation("LOGISTICS_ORDER_STATUS",
                                               f"logistics_orders/{lo_id}",
                                               f"status is {name}, {left} left")],
             metadata={"logistics_order_id": lo_id, "status": name, "left": str(left)})


@dataclass(frozen=True)
class TrackingPolicy:
    """When a shipped package's carrier is queried for the events a lost
    push did not bring: the first query ``first_query_after_seconds`` after
    the shipment, each next one twice as long after the previous (at most a
    day), at most ``max_queries`` of them, until the package is delivered."""

    first_query_after_seconds: float = 6 * 3600.0
    max_queries: int = 30

    def query_delay(self, n: int) -> dt.timedelta:
        """How long after the shipment (n = 1) or the (n-1)-th query the n-th
        query comes."""
        return dt.timedelta(seconds=min(self.first_query_after_seconds * 2 ** (n - 1),
                                        86400.0))

    def queries_again(self, n: int, status: int) -> bool:
        """Whether a package that is ``status`` after its n-th query is
        queried once more."""
        return status != DELIVERED and n < self.max_queries


def validate_ship(items: Sequence[tuple[str, int]]) -> None:
    """INVALID_ARGUMENT listing every bad field of a shipment's ``items``
    ((logistics order id, units)) beyond the contract's limits (nothing is
    read): at least one item, each order listed once."""
    v = Violations()
    v.check(len(items) > 0, "items", "must list at least one logistics order")
    seen: set[str] = set()
    for i, (lo_id, _) in enumerate(items):
        v.check(lo_id not in seen, f"items[{i}].logistics_order_id", "is listed twice")
        seen.add(lo_id)
    v.raise_if_any()


def shares_of_plan(
    orders: Sequence[tuple[str, str, int]],
    packages: Sequence[tuple[str, str, dt.datetime, Sequence[tuple[str, int]],
                             Mapping[str, int]]],
) -> dict[str, list[Shipment]]:
    """Each order's share of a warehouse plan.

    ``orders``: (logistics order id, SKU, units), in order; ``packages``:
    (warehouse, transfer-from warehouse, ETA, [(SKU, units)], {SKU: units
    transferred}). A package's own units of a SKU, then its units transferred
    from the parent, go to that SKU's orders in turn. A share is all own
    units (no transfer-from) or all transferred ones, so every order gets
    exactly its units (when the plan covers them) and the shares add up, per
    warehouse and transfer-from, to exactly the plan's lines and transfer
    lines."""
    left = {lo_id: units for lo_id, _, units in orders}
    shares: dict[str, list[Shipment]] = {}
    for warehouse_id, transfer_from, eta, lines, transferred in packages:
        for sku_id, units in lines:
            moved = transferred.get(sku_id, 0)
            for source, portion in (("", units - moved), (transfer_from, moved)):
                rest = portion
                for lo_id, sku, _ in orders:
                    if sku != sku_id or rest <= 0 or left[lo_id] <= 0:
                        continue
                    take = min(rest, left[lo_id])
                    left[lo_id] -= take
                    rest -= take
                    shares.setdefault(lo_id, []).append(
                        Shipment(warehouse_id, take, source, eta))
    return shares


def leaving_warehouses(plan: Sequence[Shipment], shipped_before: int,
                       quantity: int) -> list[tuple[str, int]]:
    """Which warehouses the next ``quantity`` units of an order leave from,
    as (warehouse id, units), when ``shipped_before`` units already left.

    The order's plan is consumed share by share, in its order (packages in
    the plan's order, each one's own units before its transferred ones); a
    transferred share's units leave its transfer-from warehouse (the parent:
    the transfer is not booked separately), any other share's its warehouse.
    Units beyond the plan (none, or one that does not cover them) leave from
    an unknown warehouse, ``""``."""
    out: dict[str, int] = {}
    skip, want = shipped_before, quantity
    for share in plan:
        units = share.quantity
        skipped = min(skip, units)
        skip -= skipped
        take = min(units - skipped, want)
        if take > 0:
            source = share.transfer_from_warehouse_id or share.warehouse_id
            out[source] = out.get(source, 0) + take
            want -= take
    if want > 0:
        out[""] = out.get("", 0) + want
    return list(out.items())


def shipped_from(orders: Sequence[tuple[str, Sequence[Shipment], int, int]]
                 ) -> list[tuple[str, str, int]]:
    """A package's units as (SKU, warehouse they leave, units), by SKU then
    warehouse: for each of its orders (SKU, plan, units shipped before,
    units in the package), the warehouses ``leaving_warehouses`` names."""
    leaving: dict[tuple[str, str], int] = {}
    for sku_id, plan, shipped_before, quantity in orders:
        for warehouse_id, units in leaving_warehouses(plan, shipped_before, quantity):
            leaving[(sku_id, warehouse_id)] = leaving.get((sku_id, warehouse_id), 0) + units
    return [(sku_id, warehouse_id, units)
            for (sku_id, warehouse_id), units in sorted(leaving.items())]


def require_party(caller: Identity, buyer_id: str, seller_id: str, lo_id: str) -> None:
    """Who may read or flag a logistics order (any role: a split child or
    merge master has its orders' buyer and seller): its buyer, a seller
    credential for its seller, or staff (operators, services); anyone else
    is PERMISSION_DENIED NOT_A_PARTY_TO_THE_ORDER."""
    if not may_act_for(caller, buyer_id=buyer_id, seller_ids=[seller_id]):
        raise E(pb.ERROR_REASON_NOT_A_PARTY_TO_THE_ORDER,
                f"this credential is neither the buyer nor the seller of logistics order "
                f"{lo_id}", metadata={"logistics_order_id": lo_id})


_OP = common_pb2.Operator  # its Role enum's values
_OPERATOR_ROLES = {Role.BUYER: _OP.ROLE_BUYER, Role.SELLER: _OP.ROLE_SELLER,
                   Role.OPERATOR: _OP.ROLE_OPERATOR, Role.SERVICE: _OP.ROLE_SYSTEM}


def operator_of(caller: Identity, seller_id: str) -> Operator:
    """Who acted on an order of ``seller_id``, as a flag shows it: the
    credential's role and subject (a seller's: that seller), never what a
    request claims."""
    role = _OPERATOR_ROLES[caller.role]
    return Operator(role=role, id=seller_id if caller.role is Role.SELLER else caller.subject)


@dataclass(frozen=True)
class ReturnedLine:
    """The line's ROLE_ORDER as logistics keeps it, for a return of it."""

    top_order_id: str
    seller_id: str
    buyer_id: str
    sku_id: str
    total: int
    shipped: int
    plan: Sequence[Shipment]


@dataclass(frozen=True)
class AskedReturn:
    """What after-sales asks to take back (CreateReturn): ``quantity`` units
    of line ``order_id`` for application ``application_id``, from
    ``from_address`` (None: the line's address)."""

    application_id: str
    order_id: str
    top_order_id: str
    seller_id: str
    buyer_id: str
    sku_id: str
    quantity: int
    from_address: Address | None = None


def check_return(asked: AskedReturn, line: ReturnedLine | None) -> None:
    """INVALID_ARGUMENT listing every way a return contradicts its line's
    logistics order (nothing is written): another top order, seller, buyer
    or SKU, or more units than the line has. A line logistics knows nothing
    of (no ROLE_ORDER: never paid as physical goods here) is not checked."""
    if line is None:
        return
    v = Violations()
    for name, mine in (("top_order_id", line.top_order_id), ("seller_id", line.seller_id),
                       ("buyer_id", line.buyer_id), ("sku_id", line.sku_id)):
        v.check(getattr(asked, name) == mine, name,
                f"is not the {name.removesuffix('_id')} of line {asked.order_id}")
    v.check(asked.quantity <= line.total, "quantity",
            f"line {asked.order_id} has {line.total} unit(s)")
    v.raise_if_any()


def return_warehouse(line: ReturnedLine | None,
                     seller_plans: Sequence[Sequence[Shipment]]) -> str:
    """The warehouse a return of ``line`` goes to; ``""``: none is known.

    The warehouse most of the line's shipped units left (``leaving_warehouses``
    over its plan; nothing shipped yet: its whole plan), the earliest in the
    plan on a tie; else the seller's first warehouse: the one the first
    units of the first of ``seller_plans`` (the seller's planned logistics
    orders, oldest first) leave. Units that left an unknown warehouse name
    none."""
    if line is not None:
        units = line.shipped or line.total
        leaving = [(w, n) for w, n in leaving_warehouses(line.plan, 0, units) if w]
        if leaving:
            return max(leaving, key=lambda x: x[1])[0]
    for plan in seller_plans:
        for warehouse_id, _ in leaving_warehouses(plan, 0, sum(x.quantity for x in plan)):
            if warehouse_id:
                return warehouse_id
    return ""


def no_return_warehouse(asked: AskedReturn) -> ZhongtaiError:
    """NO_RETURN_WAREHOUSE: ``return_warehouse`` knows none for ``asked``."""
    return E(pb.ERROR_REASON_NO_RETURN_WAREHOUSE,
             f"no warehouse can take back line {asked.order_id} of seller {asked.seller_id}: "
             f"none shipped it and the seller never shipped from one",
             violations=[PreconditionViolation("RETURN_WAREHOUSE", f"sellers/{asked.seller_id}",
                                               "no warehouse known")],
             metadata={"order_id": asked.order_id, "seller_id": asked.seller_id})


def validate_ship_return(carrier: str) -> None:
    """INVALID_ARGUMENT beyond the contract's limits: a carrier code of at
    most 32 characters, as ShipPackage's (nothing is read)."""
    v = Violations()
    v.check(len(carrier.strip()) <= 32, "carrier", "at most 32 characters")
    v.raise_if_any()
