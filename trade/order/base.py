"""The state of an order and the one way its statuses move (``_move``);
``aggregate.Order`` adds the transitions.

Pure: no SQL, gRPC, protobuf message or clock. Enum values only from the
generated modules.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Self, cast

from trade.order.events import OrderShipped
from trade.order.model import (
    DEFAULT_BUSINESS_TYPE,
    Close,
    Line,
    Party,
    PayOrder,
    RefundClaim,
    TradePolicy,
    Voucher,
)
from trade.order.states import (
    INIT,
    LOGISTICS_CANCELLED,
    NOT_REQUIRED,
    ORDER,
    PAID,
    SHIP,
    UNPAID,
    UNSHIPPED,
    WAIT_SHIP,
    E,
    S,
    all_shipped,
    logistics_status_after,
    pay_order_status_after,
    pay_status_after,
)
from zhongtai.auth import Identity, Role
from zhongtai.common.v1.common_pb2 import Operator
from zhongtai.errors import PreconditionViolation, ZhongtaiError
from zhongtai.trade.v1 import trade_pb2 as pb
from zhongtai.uow import Aggregate

if TYPE_CHECKING:
    from trade.order.aggregate import Order

# The durable timers an order arms (kind; the key is the top-level order id).
ROLLBACK_TIMER = "order.creation_rollback"
PAY_TIMEOUT_TIMER = "order.pay_timeout"
BALANCE_LAPSE_TIMER = "order.balance_lapse"
SHIP_TIMEOUT_TIMER = "order.ship_timeout"
AUTO_CONFIRM_TIMER = "order.auto_confirm"
AFTER_SALES_TIMER = "order.after_sales_end"
# Who acts on any order: an operator, or the system (a service, a timer).
STAFF_ROLES = frozenset({Operator.ROLE_OPERATOR, Operator.ROLE_SYSTEM})
MAX_PARTY_ID = 64


@dataclass(kw_only=True)
class OrderState(Aggregate):
    """A top-level order. ``lines`` are its sub orders, or the single order
    itself (then ``lines[0].order_id == order_id``); status and pay status
    are the same on the main and every sub order (they move together)."""

    order_id: str
    buyer_id: str
    currency: str
    lines: list[Line]
    pay_orders: list[PayOrder]
    created_at: dt.datetime
    updated_at: dt.datetime
    status: int = INIT
    pay_status: int = UNPAID
    # A main order's own logistics status (its lines' combined); a single
    # order's is its line's.
    main_logistics_status: int = NOT_REQUIRED
    request_id: str = ""
    out_type: str = ""
    out_id: str = ""
    buyer_memo: str = ""
    # The business it belongs to (CreateOrderRequest.business_type).
    business_type: str = DEFAULT_BUSINESS_TYPE
    close: Close | None = None
    ship_time: dt.datetime | None = None
    auto_receive_time: dt.datetime | None = None
    receipt_extensions: int = 0
    # After-sales: every refund claim of the order's lines, when its window
    # ends (None: not started, or paused while a claim is open) and whether
    # it ended (trade.order.after_sales_ended published).
    claims: list[RefundClaim] = field(default_factory=list)
    after_sales_end: dt.datetime | None = None
    after_sales_ended: bool = False

    # --- reading -----------------------------------------------------------------

    @property
    def is_main(self) -> bool:
        """Whether it is a main order (its lines are sub orders)."""
        return self.lines[0].order_id != self.order_id

    @property
    def seller_id(self) -> str:
        """The order's one seller; empty for a main order of several."""
        sellers = {line.seller_id for line in self.lines}
        return sellers.pop() if len(sellers) == 1 else ""

    @property
    def logistics_status(self) -> int:
        """A main order's combined status, a single order's own."""
        return self.main_logistics_status if self.is_main else self.lines[0].logistics_status

    @property
    def total(self) -> int:
        """The goods at their prices: the lines' totals."""
        return sum(line.total for line in self.lines)

    @property
    def discount(self) -> int:
        """Every deduction on the lines (points and the card included)."""
        return sum(line.discount for line in self.lines)

    @property
    def adjust(self) -> int:
        """The seller's price adjustment: the lines' shares."""
        return sum(line.adjust for line in self.lines)

    @property
    def freight(self) -> int:
        """The sellers' freight (on their first physical lines)."""
        return sum(line.freight for line in self.lines)

    @property
    def freight_reduction(self) -> int:
        """What was taken off the sellers' freight (in ``discount``, not ``actual``)."""
        return sum(line.freight_reduction for line in self.lines)

    @property
    def freight_due(self) -> int:
        """The freight the buyer pays: freight − freight reduction."""
        return self.freight - self.freight_reduction

    @property
    def actual(self) -> int:
        """What the buyer pays for the goods through payment (no freight)."""
        return sum(line.actual for line in self.lines)

    @property
    def vouchers(self) -> list[Voucher]:
        """Every voucher code of the order, line by line."""
        return [v for line in self.lines for v in line.vouchers]

    def pay_order(self, pay_order_id: str) -> PayOrder | None:
        """The pay order with this id, if it is one of the order's."""
        return next((p for p in self.pay_orders if p.pay_order_id == pay_order_id), None)

    @property
    def due_pay_order(self) -> PayOrder:
        """The pay order due now: the first not paid (DEPOSIT before
        BALANCE), else the last one."""
        ordered = sorted(self.pay_orders, key=lambda p: p.kind)
        return next((p for p in ordered if p.status != PAID), ordered[-1])

    def check_top_level(self, order_id: str, verb: str) -> None:
        """``order_id`` (what the caller named) must be this top-level order,
        not one of its sub orders (FAILED_PRECONDITION NOT_A_TOP_LEVEL_ORDER)."""
        if order_id != self.order_id:
            raise E(pb.ERROR_REASON_NOT_A_TOP_LEVEL_ORDER,
                    f"{order_id} is a sub order; {verb} its main order {self.order_id}",
                    metadata={"order_id": order_id, "parent_id": self.order_id})

    def snapshot(self) -> Self:
        """A deep copy of the order as it is now, without what it recorded."""
        events, deadlines = self._events, self._deadlines
        self._events, self._deadlines = [], []
        try:
            return copy.deepcopy(self)
        finally:
            self._events, self._deadlines = events, deadlines

    def _now_as_event(self) -> Order:
        """The snapshot an event carries (every state is an ``Order``)."""
        return cast("Order", self.snapshot())

    # --- the one way statuses move ---------------------------------------------

    def _move(self, action: str, now: dt.datetime, close: Close | None = None) -> None:
        """Move the order, its sub orders, pay orders and log orders together
        (``states.ORDER``; refused before anything changes)."""
        self.status = ORDER.next(self.status, action, self.order_id)
        self.pay_status = pay_status_after(action, self.pay_status)
        if self.is_main:
            self.main_logistics_status = logistics_status_after(action,
                                                                self.main_logistics_status)
        for line in self.lines:
            line.logistics_status = logistics_status_after(action, line.logistics_status)
            if line.log_order is not None:
                lo = line.log_order
                lo.status, lo.updated_at = logistics_status_after(action, lo.status), now
        for p in self.pay_orders:
            p.status, p.updated_at = pay_order_status_after(action, p.kind, p.status), now
        if close is not None:
            self.close = close
        self._touch(now, *self.lines)

    def _touch(self, now: dt.datetime, *lines: Line) -> None:
        """The order's row (and these lines' rows) changed at ``now``."""
        self.updated_at = now
        for line in lines:
            line.updated_at = now
        if not self.is_main:
            self.lines[0].updated_at = now

    def _refusal(self, reason: int, why: str, action: str) -> ZhongtaiError:
        """FAILED_PRECONDITION ``reason``: the order's status does not allow ``action``."""
        name = S.Name(self.status)
        return E(reason, f"order {self.order_id} is {name}; {why}",
                 violations=[PreconditionViolation("ORDER_STATUS", f"orders/{self.order_id}",
                                                   f"status is {name}")],
                 metadata={"order_id": self.order_id, "status": name, "action": action})

    def _log_statuses(self) -> list[int]:
        """The log orders that still ship: not those of lines refunded in
        full before they shipped (their log orders are cancelled)."""
        return [x.log_order.status for x in self.lines
                if x.log_order is not None and not self.cancelled_by_refund(x)]

    @staticmethod
    def cancelled_by_refund(line: Line) -> bool:
        """The line was refunded in full (all its units) before any of it shipped."""
        return line.refunded_in_full and line.logistics_status in (UNSHIPPED, LOGISTICS_CANCELLED)

    def _ship_if_all_shipped(self, now: dt.datetime, policy: TradePolicy) -> None:
        """A WAIT_SHIP order whose every log order still shipping is shipped
        ships: WAIT_RECEIVE, ``OrderShipped``, the ship timeout disarmed,
        the automatic receipt armed."""
        if self.status == WAIT_SHIP and all_shipped(self._log_statuses()):
            self._move(SHIP, now)
            self.disarm(SHIP_TIMEOUT_TIMER, self.order_id)
            self._start_receipt(now, policy, shipped=True)
            self.record(OrderShipped(self._now_as_event(), now))

    def _start_receipt(self, now: dt.datetime, policy: TradePolicy, *,
                       shipped: bool = False) -> None:
        """The order waits for receipt from ``now``: received automatically
        ``auto_confirm`` later (a durable timer)."""
        self.auto_receive_time = now + policy.auto_confirm
        if shipped:
            self.ship_time = now
        self._touch(now)
        self.arm(AUTO_CONFIRM_TIMER, self.order_id, self.auto_receive_time)

    # --- who acts on it ------------------------------------------------------------

    def party_of(self, caller: Identity, *, buyer_id: str = "", seller_id: str = "") -> Party:
        """Who ``caller`` acts as on this order, from the credential alone: a
        buyer credential is the buyer it names (``subject``); a seller
        credential the seller the request named (``seller_id``) or else the
        order's one seller, if it acts for it (else no seller); an operator
        acts as itself (ROLE_OPERATOR), a service as the system (ROLE_SYSTEM),
        both with their subject (its first 64 characters: what ``closed_by``
        shows; the audit trail keeps it whole). Staff may name the buyer or seller they act
        for (``buyer_id``, ``seller_id``): it must be this order's
        (PERMISSION_DENIED NOT_A_PARTY_TO_THE_ORDER). Whether the party may do
        what it asks is each transition's rule (``_check_acting``)."""
        if caller.role is Role.BUYER:
            return Party.buyer(caller.subject)
        if caller.role is Role.SELLER:  # none of its own: a party to nothing
            own = seller_id or self.seller_id
            return Party.seller(own if caller.acts_for_seller(own) else "")
        sellers = {line.seller_id for line in self.lines}
        if (buyer_id and buyer_id != self.buyer_id) or (seller_id and seller_id not in sellers):
            raise self._not_a_party("the buyer or seller named", "act on")
        role = Operator.ROLE_OPERATOR if caller.role is Role.OPERATOR else Operator.ROLE_SYSTEM
        return Party(role, caller.subject[:MAX_PARTY_ID])

    def check_visible_to(self, caller: Identity, order_id: str) -> None:
        """Who may read this order, or the line ``order_id`` names: staff, its
        buyer, and a seller credential for the seller of every line shown
        (the line named; all lines of the top-level order). Anyone else:
        PERMISSION_DENIED NOT_A_PARTY_TO_THE_ORDER (refused, not filtered)."""
        if caller.is_staff or caller.is_buyer(self.buyer_id):
            return
        shown = [x for x in self.lines if order_id in (self.order_id, x.order_id)]
        if caller.role is Role.SELLER and shown and all(
                caller.acts_for_seller(x.seller_id) for x in shown):
            return
        raise self._not_a_party(f"{caller.role.value} {caller.subject}", "see")

    def _check_acting(self, by: Party, verb: str, *, buyer: bool = False,
                      seller: str | None = None) -> None:
        """``by`` may do this: staff (an operator, the system) always; the
        order's buyer when ``buyer``; the seller ``seller`` (the order's or a
        line's) when given. Anyone else: PERMISSION_DENIED
        NOT_A_PARTY_TO_THE_ORDER, nothing changed."""
        if by.role in STAFF_ROLES:
            return
        if buyer and by.role == Operator.ROLE_BUYER and by.id == self.buyer_id:
            return
        if seller and by.role == Operator.ROLE_SELLER and by.id == seller:
            return
        who = "buyer" if by.role == Operator.ROLE_BUYER else "seller"
        raise self._not_a_party(f"{who} {by.id or 'of another shop'}", verb)

    def _not_a_party(self, who: str, verb: str) -> ZhongtaiError:
        return E(pb.ERROR_REASON_NOT_A_PARTY_TO_THE_ORDER,
                 f"{who[:140]} cannot {verb} order {self.order_id}",
                 metadata={"order_id": self.order_id})
