"""trade's rules: input validation, assembling a cart into main and sub
orders, and the order state machine. No database, gRPC or broker here."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.common.v1.common_pb2 import Address, Money
from zhongtai.errors import (
    FailedPrecondition,
    InvalidArgument,
    PermissionDenied,
    PreconditionViolation,
    Violations,
)
from zhongtai.logistics.v1 import logistics_pb2 as lg
from zhongtai.money import allocate
from zhongtai.promotion.v1 import promotion_pb2 as promo
from zhongtai.trade.v1 import trade_pb2 as pb

MAX_LINES = 100
MAX_QUANTITY = 10_000

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
}

# The actions that pay an order (the balance of a presale one), by flow.
PAY_ACTIONS = frozenset({PAY, PAY_TO_USE, PAY_TO_RECEIVE})

# What the pay and logistics statuses become with an action (from -> to);
# statuses not listed stay as they are.
PAY_STATUS_EFFECTS: Mapping[str, Mapping[int, int]] = {
    CREATE_FAILED: {pb.PAY_STATUS_UNPAID: pb.PAY_STATUS_CLOSED},
    CANCEL: {pb.PAY_STATUS_UNPAID: pb.PAY_STATUS_CLOSED},
    PAY: {pb.PAY_STATUS_UNPAID: pb.PAY_STATUS_PAID},
    PAY_TO_USE: {pb.PAY_STATUS_UNPAID: pb.PAY_STATUS_PAID},
    PAY_TO_RECEIVE: {pb.PAY_STATUS_UNPAID: pb.PAY_STATUS_PAID},
    # Trade cancelled a paid order: payment refunds every pay order REFUNDING
    # (in full, to its route) when it sees the OrderCancelled.
    SHIP_TIMEOUT: {pb.PAY_STATUS_PAID: pb.PAY_STATUS_REFUNDING},
}
LOGISTICS_STATUS_EFFECTS: Mapping[str, Mapping[int, int]] = {
    CREATE_FAILED: {pb.LOGISTICS_STATUS_UNSHIPPED: pb.LOGISTICS_STATUS_CANCELLED},
    CANCEL: {pb.LOGISTICS_STATUS_UNSHIPPED: pb.LOGISTICS_STATUS_CANCELLED},
    SHIP_TIMEOUT: {pb.LOGISTICS_STATUS_UNSHIPPED: pb.LOGISTICS_STATUS_CANCELLED},
    SHIP: {pb.LOGISTICS_STATUS_UNSHIPPED: pb.LOGISTICS_STATUS_SHIPPED,
           pb.LOGISTICS_STATUS_PARTIALLY_SHIPPED: pb.LOGISTICS_STATUS_SHIPPED},
    RECEIVE: {pb.LOGISTICS_STATUS_SHIPPED: pb.LOGISTICS_STATUS_RECEIVED,
              pb.LOGISTICS_STATUS_DELIVERED: pb.LOGISTICS_STATUS_RECEIVED},
}


def next_status(order_id: str, current: int, action: str) -> int:
    try:
        return TRANSITIONS[(current, action)]
    except KeyError:
        name = S.Name(current)
        raise FailedPrecondition(
            "ILLEGAL_ORDER_TRANSITION",
            f"order {order_id} is {name}; cannot {action.replace('_', ' ')}",
            [PreconditionViolation("ORDER_STATUS", f"orders/{order_id}",
                                   f"status is {name}")],
            {"order_id": order_id, "status": name, "action": action},
        ) from None


def pay_status_after(action: str, current: int) -> int:
    return PAY_STATUS_EFFECTS.get(action, {}).get(current, current)


def pay_order_status_after(action: str, kind: int, current: int) -> int:
    """A pay order's status after an action: paying the deposit pays only the
    DEPOSIT pay order; any other action applies to every pay order (a paid
    deposit stays PAID when its order is cancelled)."""
    if action == PAY_DEPOSIT:
        return pb.PAY_STATUS_PAID if kind == DEPOSIT and current == pb.PAY_STATUS_UNPAID \
            else current
    return pay_status_after(action, current)


def due_pay_order(pay_orders: Sequence[pb.PayOrder]) -> pb.PayOrder | None:
    """The pay order due now: the first not paid (DEPOSIT before BALANCE),
    else the last one."""
    ordered = sorted(pay_orders, key=lambda p: p.kind)
    for p in ordered:
        if p.status != pb.PAY_STATUS_PAID:
            return p
    return ordered[-1] if ordered else None


PAY_ORDER_NOT_FOUND = pb.PAYMENT_REJECTION_REASON_PAY_ORDER_NOT_FOUND
ORDER_MISMATCH = pb.PAYMENT_REJECTION_REASON_ORDER_MISMATCH
BUYER_MISMATCH = pb.PAYMENT_REJECTION_REASON_BUYER_MISMATCH
ALREADY_PAID = pb.PAYMENT_REJECTION_REASON_ALREADY_PAID
ORDER_NOT_PAYABLE = pb.PAYMENT_REJECTION_REASON_ORDER_NOT_PAYABLE
OUTSIDE_BALANCE_WINDOW = pb.PAYMENT_REJECTION_REASON_OUTSIDE_BALANCE_WINDOW
AMOUNT_MISMATCH = pb.PAYMENT_REJECTION_REASON_AMOUNT_MISMATCH
# The asker is not this pay order's payer: CheckPayable tells nothing about it.
NOT_THE_PAYERS = frozenset({ORDER_MISMATCH, BUYER_MISMATCH})


@dataclass(frozen=True)
class Rejection:
    """Why trade cannot take a payment part: a PaymentRejectionReason and,
    for humans, the amounts, statuses or window concerned."""

    reason: pb.PaymentRejectionReason
    detail: str

    @property
    def name(self) -> str:
        """The reason without its enum prefix, e.g. ``AMOUNT_MISMATCH``."""
        return pb.PaymentRejectionReason.Name(self.reason).removeprefix("PAYMENT_REJECTION_REASON_")

    def __str__(self) -> str:
        return f"{self.name}: {self.detail}"


def pay_order_of(order: pb.Order | None, pay_order_id: str) -> pb.PayOrder | None:
    return next((p for p in order.pay_orders if p.pay_order_id == pay_order_id), None) \
        if order is not None else None


def payable_status(kind: int) -> int:
    """The order status in which a pay order of this kind is paid: the
    balance of a presale order once its deposit is paid, any other before."""
    return WAIT_PAY_BALANCE if kind == BALANCE else WAIT_PAY


def payability(order: pb.Order | None, pay_order_id: str, *, order_id: str, buyer_id: str,
               amount: Money, at: dt.datetime) -> Rejection | None:
    """Whether trade takes ``amount`` from ``buyer_id`` for a pay order of
    ``order`` (its top-level order; None if the pay order does not exist) at
    ``at``: None if it does, else the first reason it does not, in this order:

    1. PAY_ORDER_NOT_FOUND: no such pay order;
    2. ORDER_MISMATCH: the pay order belongs to another order than ``order_id``;
    3. BUYER_MISMATCH: the order is not ``buyer_id``'s (checked before anything
       else about the order, so a stranger learns nothing more);
    4. ALREADY_PAID: a payment paid the pay order;
    5. ORDER_NOT_PAYABLE: the order is not in the status its kind is paid in
       (``payable_status``): cancelled, closed, unconfirmed by the seller, a
       balance whose deposit is unpaid;
    6. OUTSIDE_BALANCE_WINDOW: a BALANCE pay order outside its window (from
       start to end, both included);
    7. AMOUNT_MISMATCH: ``amount`` is not the pay order's actual amount (the
       same minor units in the same currency).

    The one rule for CheckPayable (payment's pre-check, ``at`` = now) and for
    taking a succeeded payment (``at`` = when it was paid).
    """
    po = pay_order_of(order, pay_order_id)
    if order is None or po is None:
        return Rejection(PAY_ORDER_NOT_FOUND, f"no pay order {pay_order_id}")
    oid = order.order_id
    if order_id != oid:
        return Rejection(ORDER_MISMATCH,
                         f"pay order {pay_order_id} is not a pay order of order {order_id}")
    if buyer_id != order.buyer_id:
        return Rejection(BUYER_MISMATCH, f"order {oid} is not the payer's")
    if po.payment_id:
        return Rejection(ALREADY_PAID, f"pay order {pay_order_id} of order {oid} was paid "
                                       f"by payment {po.payment_id}")
    if order.status != payable_status(po.kind):
        return Rejection(ORDER_NOT_PAYABLE,
                         f"order {oid} is {S.Name(order.status)}; its "
                         f"{pb.PayOrderKind.Name(po.kind)} pay order is paid in "
                         f"{S.Name(payable_status(po.kind))}")
    if po.kind == BALANCE:
        start = po.balance_start_time.ToDatetime(tzinfo=dt.UTC)
        end = po.balance_end_time.ToDatetime(tzinfo=dt.UTC)
        if not start <= at <= end:
            return Rejection(OUTSIDE_BALANCE_WINDOW,
                             f"the balance of order {oid} is payable from "
                             f"{start.isoformat()} to {end.isoformat()}, not at "
                             f"{at.isoformat()}")
    due = po.actual_amount
    if (amount.currency_code, amount.amount_minor) != (due.currency_code, due.amount_minor):
        return Rejection(AMOUNT_MISMATCH,
                         f"order {oid} costs {due.amount_minor} {due.currency_code}, "
                         f"{amount.amount_minor} {amount.currency_code} was asked")
    return None


def validate_check_payable(req: pb.CheckPayableRequest) -> None:
    v = Violations()
    v.check(bool(req.buyer_id), "buyer_id", "is required")
    v.check(0 < len(req.parts) <= MAX_LINES, "parts", f"between 1 and {MAX_LINES} parts")
    for i, part in enumerate(req.parts):
        v.check(bool(part.pay_order_id), f"parts[{i}].pay_order_id", "is required")
        v.check(bool(part.order_id), f"parts[{i}].order_id", "is required")
    v.raise_if_any()


def logistics_status_after(action: str, current: int) -> int:
    return LOGISTICS_STATUS_EFFECTS.get(action, {}).get(current, current)


def needs_logistics(item_type: int) -> bool:
    return item_type == cat.ITEM_TYPE_PHYSICAL


def is_voucher(item_type: int) -> bool:
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


# --- fulfilment: mirroring logistics, receipt, vouchers ------------------------

# Where each status sits on the way to the buyer; a mirrored status only
# moves forward (events may be redelivered or arrive out of order).
_LOGISTICS_RANK: Mapping[int, int] = {
    pb.LOGISTICS_STATUS_UNSHIPPED: 0,
    pb.LOGISTICS_STATUS_PARTIALLY_SHIPPED: 1,
    pb.LOGISTICS_STATUS_SHIPPED: 2,
    pb.LOGISTICS_STATUS_DELIVERED: 3,
    pb.LOGISTICS_STATUS_RECEIVED: 4,
}
SHIPPED_STATUSES = frozenset({pb.LOGISTICS_STATUS_SHIPPED, pb.LOGISTICS_STATUS_DELIVERED,
                              pb.LOGISTICS_STATUS_RECEIVED})

# logistics' LogisticsOrderStatus -> trade's LogisticsStatus.
FROM_LOGISTICS: Mapping[int, int] = {
    lg.LOGISTICS_ORDER_STATUS_WAIT_SHIP: pb.LOGISTICS_STATUS_UNSHIPPED,
    lg.LOGISTICS_ORDER_STATUS_PARTIALLY_SHIPPED: pb.LOGISTICS_STATUS_PARTIALLY_SHIPPED,
    lg.LOGISTICS_ORDER_STATUS_SHIPPED: pb.LOGISTICS_STATUS_SHIPPED,
    lg.LOGISTICS_ORDER_STATUS_IN_TRANSIT: pb.LOGISTICS_STATUS_SHIPPED,
    lg.LOGISTICS_ORDER_STATUS_OUT_FOR_DELIVERY: pb.LOGISTICS_STATUS_SHIPPED,
    lg.LOGISTICS_ORDER_STATUS_DELIVERED: pb.LOGISTICS_STATUS_DELIVERED,
    lg.LOGISTICS_ORDER_STATUS_CANCELLED: pb.LOGISTICS_STATUS_CANCELLED,
}


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
    if incoming == pb.LOGISTICS_STATUS_CANCELLED:
        return incoming if current == pb.LOGISTICS_STATUS_UNSHIPPED else None
    if incoming not in _LOGISTICS_RANK or incoming == pb.LOGISTICS_STATUS_RECEIVED:
        return None  # receipt is the buyer's, never logistics'
    if current == pb.LOGISTICS_STATUS_CANCELLED:
        return incoming if incoming != pb.LOGISTICS_STATUS_UNSHIPPED else None
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
        return statuses[0] if statuses else pb.LOGISTICS_STATUS_NOT_REQUIRED
    least = min(ranked, key=lambda x: _LOGISTICS_RANK[x])
    if least == pb.LOGISTICS_STATUS_UNSHIPPED and anything_shipped(ranked):
        return pb.LOGISTICS_STATUS_PARTIALLY_SHIPPED
    return least


def check_party(order: pb.Order, *, buyer_id: str = "", seller_id: str = "",
                action: str) -> None:
    """The order must be top-level and the caller its buyer (or seller)."""
    oid = order.order_id
    if order.parent_id:
        raise FailedPrecondition(
            "NOT_A_TOP_LEVEL_ORDER",
            f"{oid} is a sub order; {action} its main order {order.parent_id}",
            metadata={"order_id": oid, "parent_id": order.parent_id})
    if (buyer_id and buyer_id != order.buyer_id) or (seller_id and seller_id != order.seller_id):
        who = f"buyer {buyer_id}" if buyer_id else f"seller {seller_id}"
        raise PermissionDenied(
            "NOT_A_PARTY_TO_THE_ORDER", f"{who} cannot {action} order {oid}",
            metadata={"order_id": oid})


def validate_buyer_request(req: pb.ConfirmReceiptRequest | pb.ExtendReceiptRequest) -> None:
    v = Violations()
    v.check(bool(req.order_id), "order_id", "is required")
    v.check(bool(req.buyer_id), "buyer_id", "is required")
    v.raise_if_any()


def check_extension(order: pb.Order, max_extensions: int) -> None:
    """The buyer may push the automatic receipt back while the order waits
    for receipt, at most ``max_extensions`` times."""
    oid = order.order_id
    if order.status != WAIT_RECEIVE:
        name = S.Name(order.status)
        raise FailedPrecondition(
            "RECEIPT_NOT_EXTENDABLE",
            f"order {oid} is {name}; only an order waiting for receipt can be extended",
            [PreconditionViolation("ORDER_STATUS", f"orders/{oid}", f"status is {name}")],
            {"order_id": oid, "status": name, "action": "extend_receipt"})
    if order.receipt_extensions >= max_extensions:
        raise FailedPrecondition(
            "RECEIPT_EXTENSION_LIMIT",
            f"order {oid}'s receipt was already extended {order.receipt_extensions} "
            f"time(s); at most {max_extensions} allowed",
            [PreconditionViolation("RECEIPT_EXTENSIONS", f"orders/{oid}",
                                   f"at most {max_extensions}")],
            {"order_id": oid, "extensions": str(order.receipt_extensions)})


# Voucher codes: 20 characters of a 32-letter alphabet without look-alikes
# (100 bits from ``secrets``): unguessable, and readable at a counter.
VOUCHER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
VOUCHER_CODE_LENGTH = 20
MAX_VOUCHER_CODE = 64


def new_voucher_code() -> str:
    return "".join(secrets.choice(VOUCHER_ALPHABET) for _ in range(VOUCHER_CODE_LENGTH))


def validate_redeem(req: pb.RedeemVoucherRequest) -> None:
    v = Violations()
    v.check(bool(req.code), "code", "is required")
    v.check(len(req.code) <= MAX_VOUCHER_CODE, "code",
            f"must be at most {MAX_VOUCHER_CODE} characters")
    v.check(bool(req.seller_id), "seller_id", "is required")
    v.raise_if_any()


# A code can be redeemed while its order is paid and not over.
REDEEMABLE = frozenset({WAIT_SHIP, WAIT_RECEIVE, WAIT_USE})


def check_redeem(voucher: pb.Voucher, order_status: int, seller_id: str) -> None:
    code = voucher.code
    if seller_id != voucher.seller_id:
        raise PermissionDenied(
            "NOT_A_PARTY_TO_THE_ORDER",
            f"seller {seller_id} cannot redeem a voucher of order {voucher.order_id}",
            metadata={"order_id": voucher.order_id})
    if voucher.status == pb.VOUCHER_STATUS_REDEEMED:
        raise FailedPrecondition(
            "VOUCHER_ALREADY_REDEEMED", "this voucher was already redeemed",
            [PreconditionViolation("VOUCHER_STATUS", f"vouchers/{code}", "redeemed")],
            {"order_id": voucher.order_id})
    if voucher.status != pb.VOUCHER_STATUS_ISSUED or order_status not in REDEEMABLE:
        name = S.Name(order_status)
        raise FailedPrecondition(
            "VOUCHER_NOT_REDEEMABLE",
            f"the voucher's order {voucher.order_id} is {name}; it cannot be redeemed",
            [PreconditionViolation("ORDER_STATUS", f"orders/{voucher.order_id}",
                                   f"status is {name}")],
            {"order_id": voucher.order_id, "status": name})


def validate_create(req: pb.CreateOrderRequest | pb.QuoteOrderRequest) -> None:
    """Common checks on the request alone (no data lookups)."""
    v = Violations()
    b = req.benefits
    v.check(b.points >= 0, "benefits.points", "must not be negative")
    v.check(len(set(b.coupon_ids)) == len(b.coupon_ids), "benefits.coupon_ids",
            "are repeated")
    v.check(not b.HasField("stored_value_amount") or bool(b.stored_value_card_id),
            "benefits.stored_value_amount", "needs stored_value_card_id")
    v.check(b.stored_value_amount.amount_minor >= 0, "benefits.stored_value_amount",
            "must not be negative")
    v.check(bool(req.buyer_id), "buyer_id", "is required")
    v.check(len(req.buyer_id) <= 64, "buyer_id", "must be at most 64 characters")
    v.check(0 < len(req.lines) <= MAX_LINES, "lines", f"between 1 and {MAX_LINES} lines")
    seen: set[str] = set()
    for i, line in enumerate(req.lines):
        v.check(bool(line.sku_id), f"lines[{i}].sku_id", "is required")
        v.check(line.sku_id not in seen, f"lines[{i}].sku_id",
                "is repeated; put the whole quantity on one line")
        seen.add(line.sku_id)
        v.check(0 < line.quantity <= MAX_QUANTITY, f"lines[{i}].quantity",
                f"must be between 1 and {MAX_QUANTITY}")
    if isinstance(req, pb.CreateOrderRequest):
        v.check(bool(req.out_type) == bool(req.out_id), "out_id",
                "out_type and out_id go together")
        v.check(len(req.out_type) <= 64 and len(req.out_id) <= 128, "out_id", "is too long")
        v.check(len(req.buyer_memo) <= 500, "buyer_memo", "must be at most 500 characters")
    v.raise_if_any()


def validate_address(v: Violations, address: Address | None) -> None:
    if address is None:
        v.add("address", "is required for physical goods")
        return
    for name in ("province", "city", "district", "detail", "recipient_name", "recipient_phone"):
        v.check(bool(getattr(address, name).strip()), f"address.{name}",
                "is required for physical goods")


CARD = promo.DEDUCTION_KIND_STORED_VALUE_CARD
POINTS = promo.DEDUCTION_KIND_POINTS


@dataclass
class Line:
    """One single or sub order: one SKU of one seller."""

    order_id: str
    seller_id: str
    sku: cat.SkuView
    quantity: int
    log_order_id: str | None
    deductions: list[promo.Deduction] = field(default_factory=list)
    # The seller's freight, on its first physical line (0 on the others).
    freight: int = 0

    @property
    def total(self) -> int:
        return self.sku.price.amount_minor * self.quantity

    def deducted(self, *, kinds: set[int] | None = None, without: set[int] | None = None) -> int:
        return sum(d.amount.amount_minor for d in self.deductions
                   if (kinds is None or d.kind in kinds)
                   and (without is None or d.kind not in without))

    @property
    def actual(self) -> int:
        """What the buyer still pays for the line through payment: its total
        less every deduction (points and the card included), before any
        price adjustment and without freight."""
        return self.total - self.deducted()


@dataclass
class Assembly:
    """A cart turned into orders: one top-level order, maybe with sub orders."""

    top_id: str
    currency: str
    lines: list[Line]
    pay_order_id: str
    # A presale order's second pay order (the balance); empty otherwise.
    balance_pay_order_id: str = ""
    is_main: bool = field(init=False)

    def __post_init__(self) -> None:
        self.is_main = len(self.lines) > 1

    @property
    def presale(self) -> cat.PresaleTerms | None:
        """The presale terms of a presale order (always a single order)."""
        if len(self.lines) == 1 and self.lines[0].sku.HasField("presale"):
            return self.lines[0].sku.presale
        return None

    @property
    def deposit(self) -> int:
        """What the deposit pay order asks: deposit per unit × quantity."""
        terms = self.presale
        return terms.deposit.amount_minor * self.lines[0].quantity if terms else 0

    def check_presale(self) -> None:
        """After pricing: a presale order must leave a balance to pay, beyond
        its deposit, once every deduction (the card's too) is taken off."""
        if self.presale is None:
            return
        card = self.deducted(kinds={CARD})
        if self.actual - self.deposit < 1:
            raise InvalidArgument.field(
                "benefits", "a presale order must leave a balance above its deposit to pay"
                + (" (a stored-value card is used)" if card else ""))

    @property
    def total(self) -> int:
        return sum(line.total for line in self.lines)

    @property
    def seller_id(self) -> str:
        sellers = {line.seller_id for line in self.lines}
        return sellers.pop() if len(sellers) == 1 else ""

    @property
    def needs_logistics(self) -> bool:
        return any(line.log_order_id for line in self.lines)

    def deducted(self, *, kinds: set[int] | None = None, without: set[int] | None = None) -> int:
        return sum(line.deducted(kinds=kinds, without=without) for line in self.lines)

    @property
    def actual(self) -> int:
        """What the buyer still pays for the goods through payment: the sum
        of the lines' (freight excluded)."""
        return sum(line.actual for line in self.lines)

    @property
    def freight(self) -> int:
        return sum(line.freight for line in self.lines)

    def packages(self) -> dict[str, list[Line]]:
        """The physical lines by seller (sellers in order): one package each."""
        out: dict[str, list[Line]] = {}
        for line in self.lines:
            if line.log_order_id:
                out.setdefault(line.seller_id, []).append(line)
        return out

    def freight_request(self, address: Address, quote: promo.QuoteResponse
                        ) -> lg.QuoteFreightRequest | None:
        """What logistics prices: one package per seller with physical lines,
        free when promotion's quote says the seller ships free; None when
        nothing ships. Each item's amount (for BY_AMOUNT templates and
        free-shipping thresholds) is the quote line's actual amount: the line
        after every deduction, points and the card included."""
        packages = self.packages()
        if not packages:
            return None
        free = {q.seller_id for q in quote.sellers if q.free_shipping}
        actual = {q.line_id: q.actual_amount for q in quote.lines}
        return lg.QuoteFreightRequest(destination=address, packages=[
            lg.FreightPackage(
                package_id=seller_id, seller_id=seller_id, free_shipping=seller_id in free,
                items=[lg.FreightItem(sku_id=line.sku.sku_id, quantity=line.quantity,
                                      weight_grams=line.sku.weight_grams,
                                      amount=actual.get(line.order_id,
                                                        self.money(line.total)))
                       for line in lines])
            for seller_id, lines in packages.items()])

    def apply_freight(self, quoted: lg.QuoteFreightResponse) -> None:
        """Put each seller's freight on its first physical line.

        The freight is not spread over the seller's lines: it is one charge
        for one package, and the first line (the sub order listed first) is
        where it is recorded; the top-level order carries the sum.
        """
        packages = self.packages()
        for p in quoted.packages:
            if p.freight.amount_minor and p.freight.currency_code != self.currency:
                raise FailedPrecondition(
                    "FREIGHT_CURRENCY_MISMATCH",
                    f"seller {p.seller_id}'s freight is in {p.freight.currency_code}, "
                    f"the order in {self.currency}",
                    metadata={"seller_id": p.seller_id})
            lines = packages.get(p.package_id)
            if lines:
                lines[0].freight = p.freight.amount_minor

    def quote_request(self, buyer_id: str, vip: bool, benefits: pb.Benefits
                      ) -> promo.QuoteRequest:
        """What promotion prices: one quote line per order line (keyed by its id)."""
        return promo.QuoteRequest(
            buyer_id=buyer_id, buyer_is_vip=vip,
            lines=[promo.QuoteLine(line_id=line.order_id, seller_id=line.seller_id,
                                   sku_id=line.sku.sku_id, category_id=line.sku.category_id,
                                   unit_price=line.sku.price, quantity=line.quantity)
                   for line in self.lines],
            coupon_ids=benefits.coupon_ids, points=benefits.points,
            red_packet_id=benefits.red_packet_id,
            stored_value_card_id=benefits.stored_value_card_id,
            stored_value_amount=benefits.stored_value_amount
            if benefits.HasField("stored_value_amount") else None)

    def apply_quote(self, quote: promo.QuoteResponse) -> None:
        """Record the quote's deductions on the lines; they must add up."""
        by_line = {q.line_id: q for q in quote.lines}
        for line in self.lines:
            q = by_line[line.order_id]
            line.deductions = list(q.deductions)
            if q.actual_amount.amount_minor != line.total - line.deducted():
                raise ValueError(f"quote for line {line.order_id} does not add up")

    def money(self, amount: int) -> Money:
        return Money(currency_code=self.currency, amount_minor=amount)


def assemble(
    req: pb.CreateOrderRequest | pb.QuoteOrderRequest,
    skus: Mapping[str, cat.SkuView],
    missing: Sequence[str],
    new_id: Callable[[], str],
) -> Assembly:
    """Check the request against catalog data and build the orders.

    Lines are grouped by seller (sellers in order of first appearance, lines
    in request order within a seller); a cart of one line is a single order,
    otherwise a main order with one sub order per SKU (seed 001 §三.4.4).
    """
    v = Violations()
    missing_set = set(missing)
    for i, line in enumerate(req.lines):
        if line.sku_id in missing_set:
            v.add(f"lines[{i}].sku_id", f"SKU {line.sku_id} does not exist")
            continue
        sku = skus[line.sku_id]
        if line.seller_id and line.seller_id != sku.seller_id:
            v.add(f"lines[{i}].seller_id", f"SKU {line.sku_id} does not belong to this seller")
        if sku.HasField("presale") and len(req.lines) > 1:
            v.add(f"lines[{i}].sku_id",
                  f"SKU {line.sku_id} is a presale item; it must be alone in its order")
    v.raise_if_any()
    currencies = {skus[line.sku_id].price.currency_code for line in req.lines}
    if len(currencies) > 1:
        v.add("lines", f"all lines must be priced in one currency, got {sorted(currencies)}")
    if any(needs_logistics(skus[line.sku_id].item_type) for line in req.lines):
        validate_address(v, req.address if req.HasField("address") else None)
    v.raise_if_any()

    by_seller: dict[str, list[pb.OrderLineInput]] = {}
    for line in req.lines:
        by_seller.setdefault(skus[line.sku_id].seller_id, []).append(line)
    top_id = new_id()
    single = len(req.lines) == 1
    lines = []
    for seller_id, group in by_seller.items():
        for line in group:
            sku = skus[line.sku_id]
            lines.append(Line(
                order_id=top_id if single else new_id(),
                seller_id=seller_id,
                sku=sku,
                quantity=line.quantity,
                log_order_id=new_id() if needs_logistics(sku.item_type) else None,
            ))
    presale = single and skus[req.lines[0].sku_id].HasField("presale")
    return Assembly(top_id=top_id, currency=currencies.pop(), lines=lines,
                    pay_order_id=new_id(), balance_pay_order_id=new_id() if presale else "")


# --- seller price adjustment (改价, seed 001 pay_order.adjust_amount) ----------

# The statuses in which the seller may still change what the buyer pays.
PRICE_ADJUSTABLE = frozenset({WAIT_SELLER_CONFIRM, WAIT_PAY})
MAX_ADJUST_REASON = 500


@dataclass(frozen=True)
class PriceAdjustment:
    """What an adjustment writes: per line, and for the pay order.

    ``lines`` maps each line's order id (the order itself for a single
    order, else each sub order) to its (adjust_amount, actual_amount).
    """

    previous: int
    adjust: int
    pay_actual: int
    lines: dict[str, tuple[int, int]]
    top_actual: int


def split_adjustment(adjust: int, weights: Sequence[int]) -> list[int]:
    """Spread an order's adjustment over its lines, exactly.

    Weights are the lines' actual amounts before any adjustment. A raise is
    split in proportion (the remainder on the last line); a cut is split on
    its absolute value with the capped allocation, so no line goes below zero
    (``-adjust <= sum(weights)`` is required).
    """
    if not weights:
        raise ValueError("an order has at least one line")
    if sum(weights) == 0:
        weights = [1] * len(weights)  # nothing left on any line: spread evenly
    if adjust >= 0:
        return allocate(adjust, weights)
    return [-share for share in allocate(-adjust, weights, capped=True)]


def plan_price_adjustment(order: pb.Order, req: pb.AdjustPriceRequest) -> PriceAdjustment:
    """Check an adjustment of ``order`` and compute every amount it changes."""
    v = Violations()
    v.check(bool(req.order_id), "order_id", "is required")
    v.check(bool(req.seller_id), "seller_id", "is required")
    v.check(req.HasField("adjust_amount"), "adjust_amount", "is required")
    v.check(len(req.reason) <= MAX_ADJUST_REASON, "reason",
            f"must be at most {MAX_ADJUST_REASON} characters")
    currency = order.total_amount.currency_code
    v.check(not req.HasField("adjust_amount")
            or req.adjust_amount.currency_code == currency,
            "adjust_amount", f"must be in the order's currency {currency}")
    v.raise_if_any()
    oid = order.order_id
    if order.parent_id:
        raise FailedPrecondition(
            "NOT_A_TOP_LEVEL_ORDER",
            f"{oid} is a sub order; adjust its main order {order.parent_id}",
            metadata={"order_id": oid, "parent_id": order.parent_id})
    if not order.seller_id:
        raise FailedPrecondition(
            "MULTI_SELLER_ORDER",
            f"order {oid} spans several sellers; no one seller can adjust its price",
            [PreconditionViolation("ORDER_SELLER", f"orders/{oid}", "several sellers")],
            {"order_id": oid})
    if req.seller_id != order.seller_id:
        raise PermissionDenied(
            "NOT_A_PARTY_TO_THE_ORDER",
            f"seller {req.seller_id} cannot adjust the price of order {oid}",
            metadata={"order_id": oid})
    if order.status not in PRICE_ADJUSTABLE:
        name = S.Name(order.status)
        raise FailedPrecondition(
            "PRICE_NOT_ADJUSTABLE",
            f"order {oid} is {name}; its price can only be adjusted before payment",
            [PreconditionViolation("ORDER_STATUS", f"orders/{oid}", f"status is {name}")],
            {"order_id": oid, "status": name, "action": "adjust_price"})
    if len(order.pay_orders) > 1:
        raise FailedPrecondition(
            "PRESALE_ORDER",
            f"order {oid} is a presale order (deposit + balance); its price cannot be adjusted",
            [PreconditionViolation("ORDER_KIND", f"orders/{oid}", "presale order")],
            {"order_id": oid})
    adjust = req.adjust_amount.amount_minor
    pay = order.pay_order
    previous = pay.adjust_amount.amount_minor
    pay_actual = pay.actual_amount.amount_minor - previous + adjust
    if pay_actual < 1:
        raise InvalidArgument.field(
            "adjust_amount",
            f"would leave {pay_actual} to pay; at least 1 minor unit must remain")
    # Spread over what the buyer pays for each line through payment: a cut
    # never reaches the freight nor what points and the card paid, so no
    # line's actual amount goes below zero.
    lines = list(order.sub_orders) if order.is_main else [order]
    bases = [line.actual_amount.amount_minor - line.adjust_amount.amount_minor
             for line in lines]
    if -adjust > sum(bases):
        raise InvalidArgument.field(
            "adjust_amount",
            f"would cut {-adjust} from goods of which {sum(bases)} is paid through payment "
            "(freight and what points and the card pay cannot be cut)")
    shares = split_adjustment(adjust, bases)
    top_base = order.actual_amount.amount_minor - order.adjust_amount.amount_minor
    return PriceAdjustment(
        previous=previous, adjust=adjust, pay_actual=pay_actual,
        lines={line.order_id: (share, base + share)
               for line, base, share in zip(lines, bases, shares, strict=True)},
        top_actual=top_base + adjust)
