"""The parts of an application: the business's policy, actors, history
entries, the domain event, and the refund's progress. Pure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from zhongtai.aftersales.v1 import aftersales_pb2 as pb


@dataclass(frozen=True)
class AfterSalesPolicy:
    """The business's deadlines and limits (``aftersales.settings``)."""

    review: dt.timedelta = dt.timedelta(days=2)
    reapply: dt.timedelta = dt.timedelta(days=7)
    buyer_return: dt.timedelta = dt.timedelta(days=7)
    seller_receive: dt.timedelta = dt.timedelta(days=7)
    buyer_confirm: dt.timedelta = dt.timedelta(days=3)
    max_reapplications: int = 2
    claim_guard: dt.timedelta = dt.timedelta(minutes=10)
    retry_base: dt.timedelta = dt.timedelta(seconds=1)
    retry_cap: dt.timedelta = dt.timedelta(seconds=300)

    def deadline(self, status: int) -> dt.timedelta | None:
        deadlines: dict[int, dt.timedelta] = {
                pb.APPLICATION_STATUS_WAIT_SELLER_REVIEW: self.review,
                pb.APPLICATION_STATUS_REJECTED: self.reapply,
                pb.APPLICATION_STATUS_WAIT_BUYER_RETURN: self.buyer_return,
                pb.APPLICATION_STATUS_WAIT_SELLER_RECEIVE: self.seller_receive,
                pb.APPLICATION_STATUS_WAIT_BUYER_CONFIRM: self.buyer_confirm}
        return deadlines.get(status)

    def backoff(self, attempt: int) -> dt.timedelta:
        """The wait before retry ``attempt`` (1, 2, ...): doubling, capped."""
        seconds = self.retry_base.total_seconds() * 2 ** min(max(attempt - 1, 0), 30)
        return dt.timedelta(seconds=min(seconds, self.retry_cap.total_seconds()))


@dataclass(frozen=True)
class Actor:
    """Who acts: ``role`` is "buyer", "seller", "operator" or "system"."""

    role: str
    id: str = ""


SYSTEM = Actor("system")


@dataclass(frozen=True)
class HistoryEntry:
    action: int
    actor: Actor
    status: int
    note: str
    at: dt.datetime


@dataclass(frozen=True)
class StatusChanged:
    """Domain event: the application was created or changed status."""

    application_id: str
    previous_status: int
    action: int
    actor: Actor
    at: dt.datetime


@dataclass
class RefundPart:
    """One pay order's share of the refund's cash, and payment's refund of it."""

    pay_order_id: str
    payment_id: str
    amount: int
    refund_id: str = ""
    settled: bool = False


@dataclass
class Refund:
    """Trade's plan (opaque bytes, shown as it came) and what was done of it."""

    plan: bytes = b""
    parts: list[RefundPart] = field(default_factory=list)
    points_amount: int = 0
    stored_value_amount: int = 0
    restore_coupons: bool = False
    restock_quantity: int = 0
    benefits_returned: bool = False
    restocked: bool = False

    @property
    def agreed(self) -> bool:
        return bool(self.plan)

    @property
    def cash_parts(self) -> list[RefundPart]:
        return [p for p in self.parts if p.amount > 0]

    @property
    def requested(self) -> bool:
        return all(p.refund_id for p in self.cash_parts)

    @property
    def settled(self) -> bool:
        return all(p.settled for p in self.cash_parts)
