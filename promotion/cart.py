"""The quote engine's vocabulary: the cart it prices (lines, promotions,
coupons, benefits, the stacking policy) and the quote it returns (each line's
deductions by kind, source and bearer; totals per source; free shipping and
freight reductions per seller).

Plain frozen dataclasses and enums, no behaviour beyond a few derived
amounts; the arithmetic is ``promotion.engine``'s (the goods) and
``promotion.shipping``'s (the freight). Values of ``Kind`` and ``CouponRule``
match the protobuf enums.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum

BPS = 10_000


class Kind(IntEnum):
    """Deduction kinds (values match zhongtai.promotion.v1.DeductionKind)."""

    ITEM_DIRECT_REDUCTION = 1
    ITEM_DISCOUNT = 2
    FLASH_SALE = 3
    VIP_PRICE = 4
    SHOP_PROMOTION = 5
    PLATFORM_PROMOTION = 6
    SHOP_COUPON = 7
    PLATFORM_COUPON = 8
    RED_PACKET = 9
    POINTS = 10
    STORED_VALUE_CARD = 11
    # Off a seller's freight, not the goods: offered, not deducted, by the
    # quote (``Quote.freight_reductions``); no stage of the policy.
    FREIGHT_REDUCTION = 50


ITEM_KINDS = frozenset({Kind.ITEM_DIRECT_REDUCTION, Kind.ITEM_DISCOUNT, Kind.FLASH_SALE,
                        Kind.VIP_PRICE})
ORDER_KINDS = (Kind.SHOP_PROMOTION, Kind.PLATFORM_PROMOTION, Kind.SHOP_COUPON,
               Kind.PLATFORM_COUPON, Kind.RED_PACKET, Kind.POINTS, Kind.STORED_VALUE_CARD)
PROMOTION_STAGES = frozenset({Kind.SHOP_PROMOTION, Kind.PLATFORM_PROMOTION})


class CouponRule(IntEnum):
    """Coupon kinds (values match zhongtai.promotion.v1.CouponKind)."""

    FULL_REDUCTION = 1
    DISCOUNT = 2
    DIRECT_REDUCTION = 3
    NO_THRESHOLD = 4


@dataclass(frozen=True)
class Line:
    line_id: str
    seller_id: str
    sku_id: str
    category_id: str
    unit_price: int
    quantity: int
    non_discountable: bool = False

    @property
    def amount(self) -> int:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class Scope:
    seller_id: str = ""
    sku_ids: frozenset[str] = frozenset()
    category_ids: frozenset[str] = frozenset()

    def covers(self, line: Line) -> bool:
        return ((not self.seller_id or line.seller_id == self.seller_id)
                and (not self.sku_ids or line.sku_id in self.sku_ids)
                and (not self.category_ids or line.category_id in self.category_ids))


@dataclass(frozen=True)
class Ladder:
    threshold: int
    amount_off: int = 0
    rate_bps: int = 0  # share of the amount paid (8500 = pay 85%)


@dataclass(frozen=True)
class ItemPromotion:
    source_id: str
    kind: Kind  # one of ITEM_KINDS
    scope: Scope
    amount_off: int = 0  # ITEM_DIRECT_REDUCTION, per unit
    rate_bps: int = 0  # ITEM_DISCOUNT
    price: int = 0  # FLASH_SALE, VIP_PRICE
    units_left: int | None = None  # FLASH_SALE: what the buyer may still buy at the price
    platform_share_bps: int = 0
    budget_left: int | None = None  # the most it may still take off (None: no budget)


@dataclass(frozen=True)
class OrderPromotion:
    source_id: str
    kind: Kind  # SHOP_PROMOTION or PLATFORM_PROMOTION
    scope: Scope
    ladders: tuple[Ladder, ...]
    platform_share_bps: int = 0
    budget_left: int | None = None  # the most it may still take off (None: no budget)


@dataclass(frozen=True)
class Coupon:
    source_id: str  # the coupon id
    kind: Kind  # SHOP_COUPON (scope.seller_id set) or PLATFORM_COUPON
    rule: CouponRule
    scope: Scope
    threshold: int = 0
    amount_off: int = 0
    rate_bps: int = 0
    max_off: int = 0  # DISCOUNT: 0 = no maximum
    platform_share_bps: int = 0


@dataclass(frozen=True)
class Benefit:
    """A red packet or a stored-value card: an amount to deduct.

    A red packet funded by a seller has that seller as its scope, so it never
    pays for another seller's goods."""

    source_id: str
    amount: int
    platform_share_bps: int = 0
    scope: Scope = Scope()


@dataclass(frozen=True)
class Policy:
    order: tuple[Kind, ...] = ORDER_KINDS
    exclusions: frozenset[frozenset[Kind]] = frozenset({
        frozenset({Kind.FLASH_SALE, Kind.SHOP_PROMOTION}),
        frozenset({Kind.FLASH_SALE, Kind.PLATFORM_PROMOTION}),
        frozenset({Kind.FLASH_SALE, Kind.SHOP_COUPON}),
        frozenset({Kind.FLASH_SALE, Kind.PLATFORM_COUPON}),
    })
    refuse_over_discount: bool = False
    floor: int = 1
    points_per_unit: int = 100  # points worth 1.00 (100 minor units)
    points_max_share_bps: int = 5_000
    points_platform_share_bps: int = BPS

    def excluded(self, applied: Iterable[Kind], kind: Kind) -> bool:
        return any(frozenset({a, kind}) in self.exclusions for a in applied if a != kind)


@dataclass(frozen=True)
class FreeShipping:
    """Free shipping from a threshold. A shop rule (scope.seller_id set) looks
    at that seller's eligible lines, a platform rule at the whole cart's."""

    source_id: str
    scope: Scope
    threshold: int


@dataclass(frozen=True)
class FreightReduction:
    """A seller's fixed reduction of its freight from a threshold of its
    eligible lines (``scope.seller_id`` is the seller)."""

    source_id: str
    scope: Scope
    amount: int
    threshold: int = 0
    platform_share_bps: int = 0
    budget_left: int | None = None  # the most it may still take off (None: no budget)


@dataclass(frozen=True)
class Cart:
    lines: tuple[Line, ...]
    buyer_is_vip: bool = False
    item_promotions: tuple[ItemPromotion, ...] = ()
    order_promotions: tuple[OrderPromotion, ...] = ()
    coupons: tuple[Coupon, ...] = ()
    red_packet: Benefit | None = None
    points: int = 0
    card: Benefit | None = None
    free_shipping: tuple[FreeShipping, ...] = ()
    freight_reductions: tuple[FreightReduction, ...] = ()
    # Seller id -> its freight, where known (caps its freight reduction).
    freights: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Deduction:
    kind: Kind
    source_id: str
    amount: int
    platform_amount: int

    @property
    def merchant_amount(self) -> int:
        """What the merchant bears: the rest of the amount, for every kind."""
        return self.amount - self.platform_amount


@dataclass
class LineQuote:
    line: Line
    deductions: list[Deduction] = field(default_factory=list)

    @property
    def deducted(self) -> int:
        return sum(d.amount for d in self.deductions)

    @property
    def actual(self) -> int:
        return self.line.amount - self.deducted

    @property
    def kinds(self) -> set[Kind]:
        return {d.kind for d in self.deductions}


@dataclass(frozen=True)
class SourceTotal:
    kind: Kind
    source_id: str
    amount: int
    offered: int


@dataclass
class Quote:
    lines: list[LineQuote]
    totals: list[SourceTotal]
    points_used: int
    unused_coupons: list[str]
    # seller id -> the free-shipping rule that covers its shipping.
    free_shipping: dict[str, str] = field(default_factory=dict)
    # The most points this cart may use with its other benefits (see above).
    points_max: int = 0
    # seller id -> the freight reduction offered for its freight (a
    # FREIGHT_REDUCTION deduction, on no line: trade puts it on the freight).
    freight_reductions: dict[str, Deduction] = field(default_factory=dict)

    @property
    def original(self) -> int:
        return sum(q.line.amount for q in self.lines)

    @property
    def deducted(self) -> int:
        return sum(q.deducted for q in self.lines)

    @property
    def payable(self) -> int:
        return sum(q.actual for q in self.lines)
