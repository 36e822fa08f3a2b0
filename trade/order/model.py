"""What an order is made of: its lines (single or sub orders) with the item
snapshot, deductions and log order, its pay orders, vouchers, who closed it,
and the policy values its transitions use.

Plain dataclasses; amounts are integers of minor units in the order's one
currency. Pure: enum values only from the generated modules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from trade.order import refunds
from trade.order.refunds import Refunded, RefundPlan
from zhongtai.common.v1.common_pb2 import Operator
from zhongtai.trade.v1 import trade_pb2 as pb

POINTS, CARD = refunds.POINTS, refunds.CARD
FREIGHT_REDUCTION = refunds.FREIGHT_REDUCTION
# The business of an order that names none (CreateOrderRequest.business_type).
DEFAULT_BUSINESS_TYPE = "default"


@dataclass(frozen=True)
class TradePolicy:
    """The business's timing rules, built from ``TradeSettings`` by the wiring."""

    # The creation saga's rollback (seed 001: e.g. 3 minutes).
    rollback_after: dt.timedelta = dt.timedelta(seconds=180)
    # The unpaid timeout.
    pay_timeout: dt.timedelta = dt.timedelta(minutes=30)
    # A paid order nothing of which shipped this long is cancelled (zero: never).
    ship_timeout: dt.timedelta = dt.timedelta(days=3)
    # A shipped (or served) order is received automatically this long after.
    auto_confirm: dt.timedelta = dt.timedelta(days=10)
    # The buyer may push that back by this much, this many times.
    receipt_extension: dt.timedelta = dt.timedelta(days=3)
    max_receipt_extensions: int = 1
    # After receipt (or the end of the last refund claim, if later) the buyer
    # may apply for after-sales this long (seed 004: 15 days by default).
    after_sales_window: dt.timedelta = dt.timedelta(days=15)


@dataclass(frozen=True)
class Party:
    """Who acts on an order: a role (``Operator.Role`` values) and an id."""

    role: int
    id: str = ""

    @classmethod
    def buyer(cls, buyer_id: str) -> Party:
        """The buyer ``buyer_id``."""
        return cls(Operator.ROLE_BUYER, buyer_id)

    @classmethod
    def seller(cls, seller_id: str) -> Party:
        """The seller ``seller_id``."""
        return cls(Operator.ROLE_SELLER, seller_id)


SYSTEM = Party(Operator.ROLE_SYSTEM)


@dataclass(frozen=True)
class Close:
    """Why and by whom an order was cancelled or failed."""

    reason: int  # CloseReason
    note: str
    by: Party


@dataclass(frozen=True)
class Item:
    """The item as it was bought (交易快照): a reference to an immutable version."""

    item_id: str
    item_version: int
    sku_id: str
    title: str
    category_id: str
    item_type: int
    attributes: Mapping[str, str]
    unit_price: int
    weight_grams: int = 0
    volume_cm3: int = 0


@dataclass(frozen=True)
class Deduction:
    """One deduction on a line as promotion held it: by kind and source, with
    the shares the platform and the merchant bear (they add up to amount)."""

    kind: int
    source_id: str
    amount: int
    platform_amount: int
    merchant_amount: int


@dataclass
class LogOrder:
    """Trade's record of one physical line's logistics (mirrors logistics)."""

    log_order_id: str
    status: int
    # JSON of the delivery address (zhongtai.common.v1.Address), as given.
    address: str
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass
class Voucher:
    """One code of an e-voucher line, issued at payment, redeemed by its seller."""

    code: str
    line_order_id: str
    seller_id: str
    buyer_id: str
    sku_id: str
    status: int  # VoucherStatus
    issued_at: dt.datetime
    updated_at: dt.datetime
    redeemed_at: dt.datetime | None = None


@dataclass
class Line:
    """A single order, or one sub order of a main order: one SKU of one seller.

    Amounts: ``total`` = unit price × quantity; ``discount`` = every
    deduction (points, the card and the freight reduction included);
    ``adjust`` = its share of the seller's price adjustment; ``actual`` =
    total − (discount − freight_reduction) + adjust, what the buyer still
    pays for the goods through payment (freight excluded). ``freight`` is
    the seller's freight, on its first physical line only, with its
    ``freight_reduction`` (deductions of kind FREIGHT_REDUCTION): the buyer
    pays ``freight_due`` = freight − freight_reduction for it.
    """

    order_id: str
    seller_id: str
    item: Item
    quantity: int
    created_at: dt.datetime
    updated_at: dt.datetime
    deductions: list[Deduction] = field(default_factory=list)
    freight: int = 0
    adjust: int = 0
    logistics_status: int = 0
    log_order: LogOrder | None = None
    vouchers: list[Voucher] = field(default_factory=list)
    # After-sales: the line's refund status (LineRefundStatus) and what it
    # refunded so far (``refunds.Refunded``).
    refund_status: int = pb.LINE_REFUND_STATUS_NONE
    refunded: Refunded = field(default_factory=Refunded)

    @property
    def refunded_in_full(self) -> bool:
        """Every unit and all the cash of the line were refunded."""
        return self.refunded.complete(self.actual, self.quantity)

    @property
    def total(self) -> int:
        """Unit price × quantity."""
        return self.item.unit_price * self.quantity

    def deducted(self, *, kinds: set[int] | None = None, without: set[int] | None = None) -> int:
        """The deductions of these kinds (all if None), less those ``without``."""
        return sum(d.amount for d in self.deductions
                   if (kinds is None or d.kind in kinds)
                   and (without is None or d.kind not in without))

    @property
    def discount(self) -> int:
        """Every deduction on the line (the freight reduction's too)."""
        return self.deducted()

    @property
    def freight_reduction(self) -> int:
        """What was taken off the line's freight (never off the goods)."""
        return self.deducted(kinds={FREIGHT_REDUCTION})

    @property
    def freight_due(self) -> int:
        """The freight the buyer pays: freight − freight reduction."""
        return self.freight - self.freight_reduction

    @property
    def actual(self) -> int:
        """Total − the goods' deductions + adjust: what the buyer pays for
        the goods through payment (the freight and its reduction apart)."""
        return self.total - self.deducted(without={FREIGHT_REDUCTION}) + self.adjust


@dataclass
class PayOrder:
    """Trade's record of the money of an order: the FULL one, or a presale
    order's DEPOSIT and BALANCE.

    ``actual`` = total − point − discount − stored_value + adjust + freight:
    what payment is asked for (0: paid at creation by points and the card);
    ``discount`` holds the freight reductions, so that is the goods' actual
    amounts + freight − freight reduction.
    """

    pay_order_id: str
    kind: int
    total: int
    point: int
    discount: int
    stored_value: int
    freight: int
    adjust: int
    actual: int
    status: int
    created_at: dt.datetime
    updated_at: dt.datetime
    expire_at: dt.datetime | None = None
    balance_start: dt.datetime | None = None
    balance_end: dt.datetime | None = None
    # The payment (payment service's id) that paid it, and when; empty when
    # nothing was paid through payment.
    payment_id: str = ""
    paid_at: dt.datetime | None = None
    # The cash refunded of it through after-sales (goods and freight).
    refunded: int = 0


@dataclass(frozen=True)
class Presale:
    """A presale item's terms: the deposit per unit and the balance window."""

    deposit: int
    balance_start: dt.datetime
    balance_end: dt.datetime


# A refund claim's states (an after-sales application as trade holds it):
# OPEN (changeable) -> AGREED (frozen, allotted) -> REFUNDED; OPEN -> CLOSED.
CLAIM_OPEN, CLAIM_AGREED, CLAIM_REFUNDED, CLAIM_CLOSED = "OPEN", "AGREED", "REFUNDED", "CLOSED"


@dataclass
class RefundClaim:
    """One after-sales application on one line: what it asks (``amount``:
    the goods' cash, ``quantity``: units) and, once agreed, its plan."""

    application_id: str
    line_order_id: str
    buyer_id: str
    kind: int  # RefundKind
    quantity: int
    amount: int
    status: str
    created_at: dt.datetime
    updated_at: dt.datetime
    plan: RefundPlan | None = None
    return_shipping_amount: int = 0
    return_shipping_by_seller: bool = False

    @property
    def is_open(self) -> bool:
        """Not finished: open or agreed (the line is held)."""
        return self.status in (CLAIM_OPEN, CLAIM_AGREED)
