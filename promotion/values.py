"""promotion's values: what its use cases take and return (promotions,
coupon templates and coupons, points accounts, red packet pools and packets,
stored-value cards, a cart to quote and its quote, an order's benefit hold
and what a return gave back), as plain frozen records. Amounts are integer
minor units of the record's ``currency``; times are datetimes in UTC; kinds
and statuses are the contract's enum values; carts and quotes are the
engine's (``promotion.cart``). No database, gRPC or protobuf messages here:
``promotion.requests`` makes these of requests, ``promotion.views`` makes
messages of them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Generic, TypeVar

from promotion.cart import Ladder, Line, Quote
from zhongtai.errors import FieldViolation, InvalidArgument

T = TypeVar("T")


@dataclass(frozen=True)
class Checked(Generic[T]):
    """A request turned into its use case's value, with what is wrong with
    it (``promotion.requests``' field violations), for a use case that
    checks the caller first: an unauthorized caller learns nothing about
    the request's validity (AIP-211)."""

    value: T
    violations: tuple[FieldViolation, ...] = ()

    def valid(self) -> T:
        """The value, or INVALID_ARGUMENT with every violation."""
        if self.violations:
            raise InvalidArgument(list(self.violations))
        return self.value


@dataclass(frozen=True)
class Amount:
    """An amount as a request gives it: its currency may be empty when the
    amount is zero (an unset field)."""

    amount: int
    currency: str


@dataclass(frozen=True)
class Scope:
    """What a rule covers: a seller's goods (empty: every seller's), these
    SKUs and categories (none: all), in the order they were given."""

    seller_id: str = ""
    sku_ids: tuple[str, ...] = ()
    category_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Promotion:
    """A promotion: its kind's rule (amounts in ``currency``, "" when it has
    none; ladders as the engine takes them), when it runs, its budget (None:
    none) and what orders took of it. As a request gives it,
    ``promotion_id`` may be empty (a new id is made), ``budget_used`` is 0
    and ``ended`` False."""

    promotion_id: str
    kind: int
    title: str
    scope: Scope
    start: dt.datetime
    end: dt.datetime
    currency: str
    amount_off: int
    rate_bps: int
    price: int
    per_buyer_limit: int
    ladders: tuple[Ladder, ...]
    platform_share_bps: int
    budget: int | None
    budget_used: int = 0
    ended: bool = False


@dataclass(frozen=True)
class CouponTemplate:
    """A coupon template. As a request gives it, ``template_id`` may be
    empty (a new id is made) and ``issued_quantity`` is 0; ``currency`` is
    "" when it has no amount."""

    template_id: str
    title: str
    kind: int
    scope: Scope
    currency: str
    threshold: int
    amount_off: int
    rate_bps: int
    max_off: int
    claim_start: dt.datetime | None
    claim_end: dt.datetime | None
    valid_start: dt.datetime | None
    valid_end: dt.datetime | None
    valid_days: int
    total_quantity: int
    per_buyer_limit: int
    platform_share_bps: int
    restore_on_cancel: bool
    issued_quantity: int = 0


@dataclass(frozen=True)
class Coupon:
    """A buyer's coupon and its template; ``status`` as it reads at the time
    it was read (AVAILABLE past its validity reads EXPIRED)."""

    coupon_id: str
    template_id: str
    buyer_id: str
    status: int
    valid_start: dt.datetime
    valid_end: dt.datetime
    order_id: str
    template: CouponTemplate


@dataclass(frozen=True)
class PointsAccount:
    """A buyer's points: ``available`` to spend and ``frozen`` by holds."""

    buyer_id: str
    available: int = 0
    frozen: int = 0

    @property
    def balance(self) -> int:
        """Every point the buyer has, the frozen ones included."""
        return self.available + self.frozen


@dataclass(frozen=True)
class RedPacketPool:
    """A red packet pool: its budget and what is left of it, the seller that
    funds it (empty: the platform), how long its packets stay valid. As a
    request gives it, ``pool_id`` may be empty and ``remaining`` is the
    budget."""

    pool_id: str
    funded_by_seller_id: str
    currency: str
    budget: int
    remaining: int
    valid_days: int


@dataclass(frozen=True)
class RedPacketAsk:
    """A packet to issue from a pool to a buyer: ``amount``, or a random
    amount from it up to ``max_amount`` (None: exactly ``amount``)."""

    pool_id: str
    buyer_id: str
    currency: str
    amount: int
    max_amount: int | None = None


@dataclass(frozen=True)
class RedPacket:
    """A buyer's red packet; ``status`` as it reads at the time it was read
    (AVAILABLE once expired reads EXPIRED)."""

    red_packet_id: str
    pool_id: str
    buyer_id: str
    funded_by_seller_id: str
    currency: str
    amount: int
    status: int
    expire_at: dt.datetime
    order_id: str


@dataclass(frozen=True)
class StoredValueCard:
    """A buyer's stored-value card: its ``balance`` and what holds keep of
    it (``held``). As a request gives it, ``card_id`` is empty and ``held``
    is 0."""

    card_id: str
    buyer_id: str
    currency: str
    balance: int
    held: int = 0

    @property
    def available(self) -> int:
        """What a quote may use of the card."""
        return self.balance - self.held


@dataclass(frozen=True)
class QuoteAsk:
    """A cart to price and what the buyer brings to it, as a quote request
    gives them: the buyer as named (the use case decides whom it acts for),
    the lines in the cart's one ``currency``, the coupons in the order
    given, the points, the red packet, the card and what to take from it,
    each seller's freight where given, the time to price at (None: now)."""

    buyer_id: str
    currency: str
    lines: tuple[Line, ...]
    vip: bool = False
    coupon_ids: tuple[str, ...] = ()
    red_packet_id: str = ""
    points: int = 0
    card_id: str = ""
    card_amount: int = 0
    freights: tuple[tuple[str, int], ...] = ()
    at: dt.datetime | None = None


@dataclass(frozen=True)
class Priced:
    """A cart priced: the engine's quote in ``currency``, the requested
    coupons that took nothing off, and the coupons BestCoupons chose (none
    for a quote)."""

    currency: str
    quote: Quote
    unused_coupon_ids: tuple[str, ...] = ()
    chosen_coupon_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class BenefitHold:
    """What an order holds of its buyer's benefits, and the hold's status
    (an order that held nothing: a RELEASED tombstone with nothing in it)."""

    order_id: str
    status: int
    buyer_id: str = ""
    coupon_ids: tuple[str, ...] = ()
    points: int = 0
    red_packet_id: str = ""
    card_id: str = ""
    currency: str = ""
    card_amount: int = 0


@dataclass(frozen=True)
class Held:
    """HoldBenefits' outcome: the hold, and the quote it holds as stored (a
    serialized QuoteResponse, made by ``promotion.views.quote_bytes``)."""

    hold: BenefitHold
    quote: bytes


@dataclass(frozen=True)
class ReturnAsk:
    """After-sales' return of an agreed refund's share of an order's
    benefits: the money of the points to give back, the amount back to the
    card, whether the coupons and the red packet go back; ``digest`` is the
    request's fingerprint under its id."""

    request_id: str
    order_id: str
    points_amount: Amount
    card_amount: Amount
    restore_coupons: bool
    digest: str


@dataclass(frozen=True)
class ReturnedShare:
    """What one return gave back: points, an amount to the order's card
    (None: the order used no card), the coupons and the red packet
    restored."""

    points: int
    card: Amount | None = None
    coupons_restored: tuple[str, ...] = ()
    red_packet_restored: str = ""
