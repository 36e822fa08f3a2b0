"""The adapter interface every external payment channel implements.

A channel knows trades by our attempt id (its "out trade no") and refunds by
our refund id, so every call is idempotent on the channel's side too. Money is
integer minor units with a currency. A trade's amount is order money, a
channel's instant discount (随机立减) included; so is a refund's (like WeChat
Pay's ``amount.refund``): the channel pays the payer back their part of it
and returns the rest to its own discount, the buyer's money first
(``zhongtai.money.refund_split``; reported as ``channel_discount_amount``).
Notifications arrive over HTTP, signed;
``verify_notification`` checks the signature and the timestamp (stale and
future ones are rejected) before anything trusts them.
"""

from __future__ import annotations

import abc
import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass


class TradeState(enum.Enum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    CLOSED = "CLOSED"
    # The channel does not know the trade (never created, or expired).
    NOT_FOUND = "NOT_FOUND"


class RefundState(enum.Enum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    NOT_FOUND = "NOT_FOUND"


@dataclass(frozen=True)
class ChannelTrade:
    """What payment asks a channel to collect."""

    attempt_id: str
    amount: int
    currency: str
    subject: str
    # Where the channel posts its notifications.
    notify_url: str


@dataclass(frozen=True)
class PayParams:
    """Where the buyer pays: a URL (also the content of a QR code)."""

    pay_url: str


@dataclass(frozen=True)
class TradeStatus:
    attempt_id: str
    state: TradeState
    amount: int = 0
    currency: str = ""
    channel_transaction_id: str = ""
    paid_at: dt.datetime | None = None
    # Of ``amount``, what the channel funded itself (a random instant
    # discount); the buyer paid ``amount - channel_discount_amount``.
    channel_discount_amount: int = 0


@dataclass(frozen=True)
class RefundStatus:
    refund_id: str
    attempt_id: str
    state: RefundState
    amount: int = 0
    currency: str = ""
    # Of ``amount`` (order money), the channel's instant discount it
    # returned; the payer got ``amount - channel_discount_amount`` back.
    channel_discount_amount: int = 0


@dataclass(frozen=True)
class Notification:
    """A verified notification: a trade paid or closed, or a refund settled."""

    kind: str  # "payment" or "refund"
    attempt_id: str
    state: str  # a TradeState or RefundState value
    amount: int
    currency: str
    channel_transaction_id: str = ""
    refund_id: str = ""
    occurred_at: dt.datetime | None = None
    # Of ``amount``, what the channel funded itself (a payment, see
    # TradeStatus) or returned of that (a refund, see RefundStatus).
    channel_discount_amount: int = 0


@dataclass(frozen=True)
class StatementLine:
    """One line of a channel's daily statement (for reconciliation)."""

    kind: str  # "payment" or "refund"
    attempt_id: str
    refund_id: str
    channel_transaction_id: str
    amount: int
    currency: str
    at: dt.datetime
    # Of ``amount`` (order money), the channel's instant discount: what it
    # funded of a payment, what a refund returned of it.
    channel_discount_amount: int = 0


class NotificationRejected(Exception):
    """A notification that must not be trusted (HTTP 401 to the channel)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason  # BAD_SIGNATURE, STALE, FUTURE, MALFORMED


class ChannelError(Exception):
    """The channel refused or could not be reached; ``retryable`` says which."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class Channel(abc.ABC):
    """One external payment channel."""

    name: str

    @abc.abstractmethod
    async def create(self, trade: ChannelTrade) -> PayParams:
        """Open a trade (idempotent by attempt id)."""

    @abc.abstractmethod
    async def query(self, attempt_id: str) -> TradeStatus: ...

    @abc.abstractmethod
    async def close(self, attempt_id: str) -> TradeStatus:
        """Close an unpaid trade; returns the final state (it may have been paid)."""

    @abc.abstractmethod
    async def refund(self, attempt_id: str, refund_id: str, amount: int,
                     currency: str) -> RefundStatus:
        """Refund part of a paid trade (idempotent by refund id): ``amount`` is
        order money, at most what is left of the trade's amount; the channel
        splits it between the payer and its discount."""

    @abc.abstractmethod
    async def query_refund(self, refund_id: str) -> RefundStatus: ...

    @abc.abstractmethod
    def verify_notification(self, headers: Mapping[str, str], body: bytes,
                            now: dt.datetime) -> Notification:
        """Check signature and timestamp; raise NotificationRejected if wrong."""

    @abc.abstractmethod
    async def fetch_statement(self, day: dt.date) -> list[StatementLine]: ...

    async def aclose(self) -> None:
        """Release connections."""
        return None
