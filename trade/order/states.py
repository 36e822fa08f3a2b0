"""The order's state machine and the statuses that move with it, as data.

Pure: no I/O, no clock. Imports trade's generated ``trade_pb2`` (and
catalog's) for ENUM VALUES only — statuses, kinds, item types, reasons.

* ``TRANSITIONS`` is the order state machine ``(status, action) -> status``;
  ``ORDER`` consults it and refuses anything else (FAILED_PRECONDITION
  ``ILLEGAL_ORDER_TRANSITION``, nothing changes).
* ``PAY_STATUS_EFFECTS`` / ``LOGISTICS_STATUS_EFFECTS`` say what an action
  does to the pay and logistics statuses (from -> to; others stay).
* Paying leads by the lines' item types (``pay_action``).
* A log_order mirrors logistics forward only (``mirrored_status``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.errors import Reasons
from zhongtai.statemachine import StateMachine
from zhongtai.trade.v1 import trade_pb2 as pb

# Every reason trade raises (trade.proto's ErrorReason, with its status code).
E = Reasons(pb.ErrorReason)

S = pb.OrderStatus
INIT = pb.ORDER_STATUS_INIT
FAILED = pb.ORDER_STATUS_FAILED
WAIT_SELLER_CONFIRM = pb.ORDER_STATUS_WAIT_SELLER_CONFIRM
WAIT_PAY = pb.ORDER_STATUS_WAIT_PAY
WAIT_SHIP = pb.ORDER_STATUS_WAIT_SHIP
WAIT_RECEIVE = pb.ORDER_STATUS_WAIT_RECEIVE
COMPLETED = pb.ORDER_STATUS_COMPLETED
CANCELLED = pb.ORDER_STATUS_CANCELLED
WAIT_PAY_BALANCE = pb.ORDER_STATUS_WAIT_PAY_BALANCE
WAIT_USE = pb.ORDER_STATUS_WAIT_USE

FULL = pb.PAY_ORDER_KIND_FULL
DEPOSIT = pb.PAY_ORDER_KIND_DEPOSIT
BALANCE = pb.PAY_ORDER_KIND_BALANCE

UNPAID, PAID, CLOSED = pb.PAY_STATUS_UNPAID, pb.PAY_STATUS_PAID, pb.PAY_STATUS_CLOSED
PARTIALLY_REFUNDED = pb.PAY_STATUS_PARTIALLY_REFUNDED
REFUNDING, REFUNDED = pb.PAY_STATUS_REFUNDING, pb.PAY_STATUS_REFUNDED

NOT_REQUIRED = pb.LOGISTICS_STATUS_NOT_REQUIRED
UNSHIPPED = pb.LOGISTICS_STATUS_UNSHIPPED
PARTIALLY_SHIPPED = pb.LOGISTICS_STATUS_PARTIALLY_SHIPPED
SHIPPED = pb.LOGISTICS_STATUS_SHIPPED
DELIVERED = pb.LOGISTICS_STATUS_DELIVERED
RECEIVED = pb.LOGISTICS_STATUS_RECEIVED
LOGISTICS_CANCELLED = pb.LOGISTICS_STATUS_CANCELLED

# Actions on an order.
CREATE_SUCCEEDED = "create_succeeded"
CREATE_SUCCEEDED_NEEDS_CONFIRM = "create_succeeded_needs_confirm"
CREATE_FAILED = "create_failed"
SELLER_CONFIRM = "seller_confirm"
CANCEL = "cancel"
PAY = "pay"
PAY_DEPOSIT = "pay_deposit"
SHIP = "ship"
RECEIVE = "receive"
# Paying an order without logistics: e-vouchers only wait for use (codes
# issued), online services are being delivered (wait for receipt).
PAY_TO_USE = "pay_to_use"
PAY_TO_RECEIVE = "pay_to_receive"
# Every voucher code of an order waiting for use was redeemed.
USE = "use"
# A paid order of which nothing shipped in time is cancelled and refunded.
SHIP_TIMEOUT = "ship_timeout"
# Every line of a paid order was refunded through after-sales before
# anything shipped: the order is closed (its refunds were made per line).
REFUND_ALL = "refund_all"

# The order state machine: (status, action) -> status. Anything not listed is
# an illegal transition (FAILED_PRECONDITION, nothing changes).
TRANSITIONS: Mapping[tuple[int, str], int] = {
    (INIT, CREATE_SUCCEEDED): WAIT_PAY,
    (INIT, CREATE_SUCCEEDED_NEEDS_CONFIRM): WAIT_SELLER_CONFIRM,
    (INIT, CREATE_FAILED): FAILED,
    (WAIT_SELLER_CONFIRM, SELLER_CONFIRM): WAIT_PAY,
    (WAIT_SELLER_CONFIRM, CANCEL): CANCELLED,
    (WAIT_PAY, CANCEL): CANCELLED,
    (WAIT_PAY, PAY): WAIT_SHIP,
    # Presale (定金+尾款): the deposit, then the balance inside its window; an
    # order whose window ends unpaid is cancelled (the deposit is kept).
    (WAIT_PAY, PAY_DEPOSIT): WAIT_PAY_BALANCE,
    (WAIT_PAY_BALANCE, PAY): WAIT_SHIP,
    (WAIT_PAY_BALANCE, CANCEL): CANCELLED,
    (WAIT_SHIP, SHIP): WAIT_RECEIVE,
    (WAIT_RECEIVE, RECEIVE): COMPLETED,
    (WAIT_SHIP, SHIP_TIMEOUT): CANCELLED,
    # Orders without logistics (e-vouchers, online services).
    (WAIT_PAY, PAY_TO_USE): WAIT_USE,
    (WAIT_PAY_BALANCE, PAY_TO_USE): WAIT_USE,
    (WAIT_PAY, PAY_TO_RECEIVE): WAIT_RECEIVE,
    (WAIT_PAY_BALANCE, PAY_TO_RECEIVE): WAIT_RECEIVE,
    (WAIT_USE, USE): COMPLETED,
    (WAIT_SHIP, REFUND_ALL): CANCELLED,
    (WAIT_RECEIVE, REFUND_ALL): CANCELLED,
}

ORDER = StateMachine("order", TRANSITIONS, S.Name, E, pb.ERROR_REASON_ILLEGAL_ORDER_TRANSITION)

# The actions that pay an order (the balance of a presale one), by flow.
PAY_ACTIONS = frozenset({PAY, PAY_TO_USE, PAY_TO_RECEIVE})

# What the pay and logistics statuses become with an action (from -> to);
# statuses not listed stay as they are.
PAY_STATUS_EFFECTS: Mapping[str, Mapping[int, int]] = {
    CREATE_FAILED: {UNPAID: CLOSED},
    CANCEL: {UNPAID: CLOSED},
    PAY: {UNPAID: PAID},
    PAY_TO_USE: {UNPAID: PAID},
    PAY_TO_RECEIVE: {UNPAID: PAID},
    # Trade cancelled a paid order: what was paid through payment and not
    # yet refunded by after-sales is refunded (REFUNDING until payment says
    # it is done).
    SHIP_TIMEOUT: {PAID: REFUNDING, PARTIALLY_REFUNDED: REFUNDING},
}
LOGISTICS_STATUS_EFFECTS: Mapping[str, Mapping[int, int]] = {
    CREATE_FAILED: {UNSHIPPED: LOGISTICS_CANCELLED},
    CANCEL: {UNSHIPPED: LOGISTICS_CANCELLED},
    SHIP_TIMEOUT: {UNSHIPPED: LOGISTICS_CANCELLED},
    REFUND_ALL: {UNSHIPPED: LOGISTICS_CANCELLED},
    SHIP: {UNSHIPPED: SHIPPED, PARTIALLY_SHIPPED: SHIPPED},
    RECEIVE: {SHIPPED: RECEIVED, DELIVERED: RECEIVED},
}


def pay_status_after(action: str, current: int) -> int:
    """An order's pay status after an action (``PAY_STATUS_EFFECTS``)."""
    return PAY_STATUS_EFFECTS.get(action, {}).get(current, current)


def pay_order_status_after(action: str, kind: int, current: int) -> int:
    """A pay order's status after an action: paying the deposit pays only the
    DEPOSIT pay order; any other action applies to every pay order (a paid
    deposit stays PAID when its order is cancelled)."""
    if action == PAY_DEPOSIT:
        return PAID if kind == DEPOSIT and current == UNPAID else current
    return pay_status_after(action, current)


def logistics_status_after(action: str, current: int) -> int:
    """A line's or log order's logistics status after an action."""
    return LOGISTICS_STATUS_EFFECTS.get(action, {}).get(current, current)


def needs_logistics(item_type: int) -> bool:
    """Physical goods ship (a log order per line)."""
    return item_type == cat.ITEM_TYPE_PHYSICAL


def is_voucher(item_type: int) -> bool:
    """E-vouchers get one code per unit when paid."""
    return item_type == cat.ITEM_TYPE_E_VOUCHER


def pay_action(item_types: Iterable[int]) -> str:
    """How paying an order moves it, by its lines' item types (seed 001
    §十: the item type decides the flow).

    Any physical line: the physical flow (WAIT_SHIP; its voucher codes, if
    any, are issued all the same). Only e-vouchers: WAIT_USE until every code
    is redeemed. Otherwise (online services, with or without e-vouchers):
    WAIT_RECEIVE at once, the service being delivered, completed by the
    buyer's confirmation or the automatic receipt.
    """
    types = list(item_types)
    if any(needs_logistics(x) for x in types):
        return PAY
    if types and all(is_voucher(x) for x in types):
        return PAY_TO_USE
    return PAY_TO_RECEIVE


# --- mirroring logistics --------------------------------------------------------

# Where each status sits on the way to the buyer; a mirrored status only
# moves forward (events may be redelivered or arrive out of order).
_LOGISTICS_RANK: Mapping[int, int] = {
    UNSHIPPED: 0, PARTIALLY_SHIPPED: 1, SHIPPED: 2, DELIVERED: 3, RECEIVED: 4,
}
SHIPPED_STATUSES = frozenset({SHIPPED, DELIVERED, RECEIVED})


def mirrored_status(current: int, incoming: int) -> int | None:
    """A log_order's status after logistics reports ``incoming`` (trade's
    enum); None when it does not move (a duplicate, or a step back).

    Statuses move forward only: UNSHIPPED < PARTIALLY_SHIPPED < SHIPPED <
    DELIVERED < RECEIVED. CANCELLED replaces UNSHIPPED only (logistics
    cancels only what was not shipped); a shipment reported for a log_order
    trade cancelled is recorded (the goods did move).
    """
    if incoming == current:
        return None
    if incoming == LOGISTICS_CANCELLED:
        return incoming if current == UNSHIPPED else None
    if incoming not in _LOGISTICS_RANK or incoming == RECEIVED:
        return None  # receipt is the buyer's, never logistics'
    if current == LOGISTICS_CANCELLED:
        return incoming if incoming != UNSHIPPED else None
    if current not in _LOGISTICS_RANK:
        return None
    return incoming if _LOGISTICS_RANK[incoming] > _LOGISTICS_RANK[current] else None


def anything_shipped(statuses: Iterable[int]) -> bool:
    """Whether any unit of these log_orders left the warehouse."""
    return any(_LOGISTICS_RANK.get(x, 0) >= 1 for x in statuses)


def all_shipped(statuses: Sequence[int]) -> bool:
    """Whether every log_order was shipped in full (SHIPPED or further)."""
    return bool(statuses) and all(x in SHIPPED_STATUSES for x in statuses)


def combined_logistics_status(statuses: Sequence[int]) -> int:
    """A main order's logistics status from its lines' log_orders: the
    least advanced one, PARTIALLY_SHIPPED when some shipped and some not."""
    ranked = [x for x in statuses if x in _LOGISTICS_RANK]
    if not ranked:
        return statuses[0] if statuses else NOT_REQUIRED
    least = min(ranked, key=lambda x: _LOGISTICS_RANK[x])
    if least == UNSHIPPED and anything_shipped(ranked):
        return PARTIALLY_SHIPPED
    return least
