"""promotion's values: what its use cases take and return (coupon templates
and coupons, points accounts, red packet pools and packets, stored-value
cards, an order's benefit hold and what a return gave back), as plain frozen
records. Amounts are integer minor units of the record's ``currency``;
times are datetimes in UTC; kinds and statuses are the contract's enum
values. No database, gRPC or protobuf messages here: ``promotion.requests``
makes these of requests, ``promotion.views`` makes messages of them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


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
    serialized QuoteResponse, made by ``promotion.quoting``)."""

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
