"""The Order aggregate's after-sales transitions: refund claims on its lines
and the after-sales window (``aggregate.Order`` inherits them).

A claim (an after-sales application, keyed by its id) is OPEN, then AGREED
(frozen and allotted: ``refunds.RefundPlan``), then REFUNDED; or CLOSED from
OPEN. One claim per line is open (OPEN or AGREED) at a time. While any
claim is open the after-sales window does not run; once none is, a received
order's window runs ``TradePolicy.after_sales_window`` from then, and its
end (a durable timer) publishes ``OrderAfterSalesEnded`` once.

Refusals (nothing changes): the applicant is not the order's buyer
(PERMISSION_DENIED NOT_A_PARTY_TO_THE_ORDER); the order is not paid and
running (WAIT_SHIP, WAIT_RECEIVE or COMPLETED), the line is an e-voucher
line, or a return is asked of a line that did not ship
(ORDER_NOT_REFUNDABLE); the window ended (REFUND_WINDOW_CLOSED); another
claim is open on the line (LINE_REFUND_OPEN); above the caps
(REFUND_AMOUNT_EXCEEDED); a claim whose state does not allow the call
(ILLEGAL_REFUND_TRANSITION); an unknown application (REFUND_NOT_FOUND).

Pure: no SQL, gRPC, protobuf message or clock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from trade.order import refunds
from trade.order.base import AFTER_SALES_TIMER, AUTO_CONFIRM_TIMER, SHIP_TIMEOUT_TIMER, OrderState
from trade.order.events import (
    OrderAfterSalesEnded,
    OrderRefundClosed,
    OrderRefunded,
    OrderRefundOpened,
)
from trade.order.model import (
    CLAIM_AGREED,
    CLAIM_CLOSED,
    CLAIM_OPEN,
    CLAIM_REFUNDED,
    SYSTEM,
    Close,
    Line,
    RefundClaim,
    TradePolicy,
)
from trade.order.refunds import PayOrderRoom, RefundPlan
from trade.order.states import (
    COMPLETED,
    LOGISTICS_CANCELLED,
    PARTIALLY_REFUNDED,
    REFUND_ALL,
    REFUNDED,
    WAIT_RECEIVE,
    WAIT_SHIP,
    E,
    anything_shipped,
    combined_logistics_status,
    is_voucher,
    needs_logistics,
)
from zhongtai.errors import PreconditionViolation, ZhongtaiError
from zhongtai.trade.v1 import trade_pb2 as pb

# The order statuses in which a line may be refunded (paid, not over).
REFUNDABLE = frozenset({WAIT_SHIP, WAIT_RECEIVE, COMPLETED})
RETURN_AND_REFUND = pb.REFUND_KIND_RETURN_AND_REFUND


class AfterSales(OrderState):
    """Refund claims and the after-sales window (see the module docstring)."""

    # --- reading -------------------------------------------------------------

    def claim(self, application_id: str) -> RefundClaim:
        """The claim of this application (NOT_FOUND REFUND_NOT_FOUND)."""
        found = next((c for c in self.claims if c.application_id == application_id), None)
        if found is None:
            raise E(pb.ERROR_REASON_REFUND_NOT_FOUND,
                    f"no refund claim for application {application_id!r}",
                    metadata={"application_id": application_id})
        return found

    def open_claim(self, line_order_id: str) -> RefundClaim | None:
        """The claim open (OPEN or AGREED) on this line, if any."""
        return next((c for c in self.claims
                     if c.line_order_id == line_order_id and c.is_open), None)

    def line(self, line_order_id: str) -> Line:
        """The single or sub order ``line_order_id`` of this order."""
        found = next((x for x in self.lines if x.order_id == line_order_id), None)
        if found is None:
            raise E(pb.ERROR_REASON_ORDER_NOT_FOUND,
                    f"order {line_order_id!r} is not a line of {self.order_id}",
                    metadata={"order_id": line_order_id})
        return found

    @staticmethod
    def line_shipped(line: Line) -> bool:
        """Whether any unit of the line left the warehouse."""
        return line.log_order is not None and anything_shipped([line.log_order.status])

    def max_refundable(self, line: Line, *, besides: str = "") -> tuple[int, int]:
        """What ``line`` may still refund: the cash it paid and has not
        refunded, and its units not refunded, less any other open claim's
        (not ``besides``)."""
        other = self.open_claim(line.order_id)
        held = (other.amount, other.quantity) if other and other.application_id != besides \
            else (0, 0)
        return (line.actual - line.refunded.cash - held[0],
                max(0, line.quantity - line.refunded.quantity - held[1]))

    def max_claim_units(self, line: Line, *, besides: str = "") -> int:
        """The most units a claim may name: those not refunded (nor held);
        once every unit was refunded with cash left, any of them (a claim
        for the rest of the cash)."""
        cash, units = self.max_refundable(line, besides=besides)
        if units == 0 and cash > 0 and line.refunded.quantity == line.quantity:
            return line.quantity
        return units

    def caps_shown(self, line: Line) -> tuple[int, int]:
        """``max_refundable`` while the order may be refunded (paid, not over:
        its window aside); nothing otherwise."""
        return self.max_refundable(line) if self.status in REFUNDABLE else (0, 0)

    def window_closed(self, now: dt.datetime) -> bool:
        """The after-sales window ended (or its end is due)."""
        return self.after_sales_ended or (
            self.after_sales_end is not None and now >= self.after_sales_end)

    def refundable_now(self, now: dt.datetime) -> bool:
        """Whether an application may be made now: paid, running, window open."""
        return self.status in REFUNDABLE and not self.window_closed(now)

    # --- opening -------------------------------------------------------------

    def open_refund(self, *, application_id: str, line_order_id: str, buyer_id: str,
                    kind: int, quantity: int, amount: int, now: dt.datetime) -> RefundClaim:
        """Open a claim on a line (or change it while OPEN): checked against
        the buyer, the order's status and window, the line's caps and the
        one-open-claim rule; the line REFUNDING, the window paused,
        ``OrderRefundOpened``. The same application again unchanged: the
        same claim, nothing recorded; changed once agreed or finished:
        ILLEGAL_REFUND_TRANSITION."""
        existing = next((c for c in self.claims if c.application_id == application_id), None)
        asked = (line_order_id, buyer_id, kind, quantity, amount)
        if existing is not None:
            same = (existing.line_order_id, existing.buyer_id, existing.kind,
                    existing.quantity, existing.amount) == asked
            if same:
                return existing
            if existing.status != CLAIM_OPEN or existing.line_order_id != line_order_id:
                raise self._illegal(existing, "changed")
        if buyer_id != self.buyer_id:
            raise self._not_a_party(f"buyer {buyer_id[:64]}", "apply for a refund of")
        line = self.line(line_order_id)
        self._check_refundable(line, kind, now)
        other = self.open_claim(line_order_id)
        if other is not None and other.application_id != application_id:
            raise E(pb.ERROR_REASON_LINE_REFUND_OPEN,
                    f"application {other.application_id} is open on {line_order_id}",
                    violations=[PreconditionViolation("LINE_REFUND", f"orders/{line_order_id}",
                                                      "a claim is open")],
                    metadata={"application_id": other.application_id,
                              "line_order_id": line_order_id})
        self._check_caps(line, amount, quantity, besides=application_id)
        if existing is None:
            existing = RefundClaim(application_id=application_id, line_order_id=line_order_id,
                                   buyer_id=buyer_id, kind=kind, quantity=quantity,
                                   amount=amount, status=CLAIM_OPEN, created_at=now,
                                   updated_at=now)
            self.claims.append(existing)
        else:
            existing.kind, existing.quantity, existing.amount = kind, quantity, amount
            existing.updated_at = now
        line.refund_status = pb.LINE_REFUND_STATUS_REFUNDING
        self._touch(now, line)
        self.after_sales_end = None
        self.disarm(AFTER_SALES_TIMER, self.order_id)
        self.record(OrderRefundOpened(self._now_as_event(), now, dataclasses.replace(existing)))
        return existing

    def _check_refundable(self, line: Line, kind: int, now: dt.datetime) -> None:
        if self.status not in REFUNDABLE:
            raise self._refusal(pb.ERROR_REASON_ORDER_NOT_REFUNDABLE,
                                "only a paid order not cancelled can be refunded", "refund")
        if self.window_closed(now):
            end = self.after_sales_end.isoformat() if self.after_sales_end else "ended"
            raise E(pb.ERROR_REASON_REFUND_WINDOW_CLOSED,
                    f"order {self.order_id}'s after-sales window ended ({end})",
                    violations=[PreconditionViolation("AFTER_SALES_WINDOW",
                                                      f"orders/{self.order_id}", "ended")],
                    metadata={"order_id": self.order_id})
        why = ""
        if is_voucher(line.item.item_type):
            why = "e-voucher lines are not refunded through after-sales"
        elif kind == RETURN_AND_REFUND and not (
                needs_logistics(line.item.item_type) and self.line_shipped(line)):
            why = "a return needs physical goods that shipped"
        if why:
            raise E(pb.ERROR_REASON_ORDER_NOT_REFUNDABLE, f"{line.order_id}: {why}",
                    violations=[PreconditionViolation("LINE_KIND", f"orders/{line.order_id}",
                                                      why)],
                    metadata={"order_id": self.order_id, "line_order_id": line.order_id})

    def _check_caps(self, line: Line, amount: int, quantity: int, *, besides: str) -> None:
        cash, units = self.max_refundable(line, besides=besides)
        if amount > cash or quantity > self.max_claim_units(line, besides=besides):
            raise E(pb.ERROR_REASON_REFUND_AMOUNT_EXCEEDED,
                    f"{line.order_id} may refund at most {cash} {self.currency} and "
                    f"{units} unit(s); asked {amount} and {quantity}",
                    violations=[PreconditionViolation("REFUND_CAP", f"orders/{line.order_id}",
                                                      "above what the line may refund")],
                    metadata={"line_order_id": line.order_id, "max_refundable": str(cash),
                              "refundable_quantity": str(units)})

    def _illegal(self, claim: RefundClaim, verb: str) -> ZhongtaiError:
        return E(pb.ERROR_REASON_ILLEGAL_REFUND_TRANSITION,
                 f"application {claim.application_id} is {claim.status}; it cannot be {verb}",
                 violations=[PreconditionViolation("REFUND_STATUS",
                                                   f"refunds/{claim.application_id}",
                                                   f"status is {claim.status}")],
                 metadata={"application_id": claim.application_id, "status": claim.status})

    # --- agreeing ------------------------------------------------------------

    def agree_refund(self, application_id: str, *, amount: int | None, quantity: int | None,
                     now: dt.datetime, returned: int = 0) -> RefundPlan:
        """Freeze an OPEN claim at ``amount`` / ``quantity`` (at most what it
        asked; None: as asked) and allot it exactly (``refunds``): AGREED with
        its plan; of a return, ``returned`` units (those accepted back) go
        back to stock. The same call again: the same plan; another amount or
        quantity once agreed, or a closed claim: ILLEGAL_REFUND_TRANSITION."""
        claim = self.claim(application_id)
        cash = claim.amount if amount is None else amount
        units = quantity or claim.quantity
        if claim.status in (CLAIM_AGREED, CLAIM_REFUNDED):
            if (cash, units) == (claim.amount, claim.quantity) and claim.plan is not None:
                return claim.plan
            raise self._illegal(claim, "agreed again with other figures")
        if claim.status != CLAIM_OPEN:
            raise self._illegal(claim, "agreed")
        if cash > claim.amount or units > claim.quantity:
            raise E(pb.ERROR_REASON_REFUND_AMOUNT_EXCEEDED,
                    f"application {application_id} asked {claim.amount} and {claim.quantity} "
                    f"unit(s); {cash} and {units} cannot be agreed",
                    metadata={"application_id": application_id,
                              "max_refundable": str(claim.amount),
                              "refundable_quantity": str(claim.quantity)})
        claim.amount, claim.quantity = cash, units
        claim.plan = self._plan(claim, returned)
        claim.status, claim.updated_at = CLAIM_AGREED, now
        self._touch(now)
        return claim.plan

    def _committed(self, line: Line, besides: str) -> refunds.Refunded:
        """The line's refunded figures with any agreed claim's plan (not ``besides``)."""
        done = line.refunded
        for c in self.claims:
            if c.status == CLAIM_AGREED and c.plan and c.line_order_id == line.order_id \
                    and c.application_id != besides:
                done = done.plus(c.plan.cash, c.plan.units, c.plan.deductions)
        return done

    def _plan(self, claim: RefundClaim, returned: int) -> RefundPlan:
        line = self.line(claim.line_order_id)
        allotted = refunds.allot_line(line.actual, line.quantity, line.deductions,
                                      line.refunded, claim.amount, claim.quantity)
        whole = all((allotted.after if x is line else self._committed(x, claim.application_id)
                     ).complete(x.actual, x.quantity) for x in self.lines)
        nothing_shipped = not anything_shipped(
            [x.log_order.status for x in self.lines if x.log_order is not None])
        freight = self.freight_due if whole and nothing_shipped else 0
        pending: dict[str, int] = {}
        for c in self.claims:
            if c.status == CLAIM_AGREED and c.plan and c.application_id != claim.application_id:
                for p in c.plan.payments:
                    pending[p.pay_order_id] = pending.get(p.pay_order_id, 0) + p.amount
        rooms = [PayOrderRoom(p.pay_order_id, p.payment_id, p.kind,
                              p.actual - p.refunded - pending.get(p.pay_order_id, 0))
                 for p in self.pay_orders]
        shipped = self.line_shipped(line)
        units = allotted.after.quantity - line.refunded.quantity
        return RefundPlan(
            application_id=claim.application_id, line_order_id=line.order_id, kind=claim.kind,
            quantity=claim.quantity, cash=claim.amount, freight=freight, units=units,
            payments=refunds.split_cash(claim.amount + freight, rooms),
            deductions=allotted.deductions,
            restore_coupons=whole and self.status != COMPLETED,
            restock_quantity=(min(returned, units) if claim.kind == RETURN_AND_REFUND
                              else 0 if shipped else units),
            shipped=shipped)

    # --- finishing -----------------------------------------------------------

    def finish_refund(self, application_id: str, *, refunded: bool, return_shipping: int,
                      by_seller: bool, now: dt.datetime, policy: TradePolicy) -> RefundClaim:
        """End a claim. ``refunded`` (only from AGREED): its plan is added to
        the line's and the pay orders' refunded figures, the line REFUNDED,
        ``OrderRefunded``; a line refunded in full before it shipped has its
        log order cancelled; every line so refunded closes the order
        (CANCELLED, CLOSE_REASON_REFUNDED, no ``OrderCancelled``); the lines
        still shipping all shipped ships it. Else (only from OPEN): CLOSED,
        the line REFUND_CLOSED (REFUNDED if it refunded before),
        ``OrderRefundClosed``. A repeat changes nothing; the other outcome:
        ILLEGAL_REFUND_TRANSITION. With no claim open any more, a received
        order's window starts again."""
        claim = self.claim(application_id)
        if claim.status == (CLAIM_REFUNDED if refunded else CLAIM_CLOSED):
            return claim
        if claim.status != (CLAIM_AGREED if refunded else CLAIM_OPEN):
            raise self._illegal(claim, "refunded" if refunded else "closed")
        line = self.line(claim.line_order_id)
        claim.updated_at = now
        if refunded:
            claim.status = CLAIM_REFUNDED
            claim.return_shipping_amount, claim.return_shipping_by_seller = \
                return_shipping, by_seller
            self._refund(claim, line, now, policy)
        else:
            claim.status = CLAIM_CLOSED
            line.refund_status = pb.LINE_REFUND_STATUS_REFUNDED \
                if line.refunded.cash or line.refunded.quantity \
                else pb.LINE_REFUND_STATUS_REFUND_CLOSED
            self._touch(now, line)
            self.record(OrderRefundClosed(self._now_as_event(), now, dataclasses.replace(claim)))
        if not any(c.is_open for c in self.claims) and self.status == COMPLETED:
            self._run_window(now, policy)
        self.rearm_ship_timeout(now, policy)
        return claim

    def rearm_ship_timeout(self, now: dt.datetime, policy: TradePolicy) -> None:
        """No claim is open any more on a paid order nothing of which
        shipped: its ship timeout runs again, due when it was (or now, if
        that passed while a claim held it)."""
        paid_at = [p.paid_at for p in self.pay_orders if p.paid_at is not None]
        if self.status != WAIT_SHIP or anything_shipped(self._log_statuses()) or not paid_at \
                or policy.ship_timeout <= dt.timedelta(0) or any(c.is_open for c in self.claims):
            return
        self.arm(SHIP_TIMEOUT_TIMER, self.order_id, max(now, max(paid_at) + policy.ship_timeout))

    def _refund(self, claim: RefundClaim, line: Line, now: dt.datetime,
                policy: TradePolicy) -> None:
        plan = claim.plan
        assert plan is not None
        line.refunded = line.refunded.plus(plan.cash, plan.units, plan.deductions)
        line.refund_status = pb.LINE_REFUND_STATUS_REFUNDED
        for share in plan.payments:
            po = self.pay_order(share.pay_order_id)
            assert po is not None
            po.refunded += share.amount
            po.status = REFUNDED if po.refunded >= po.actual else PARTIALLY_REFUNDED
            po.updated_at = now
        self._touch(now, line)
        line_cancelled = line.log_order is not None and self.cancelled_by_refund(line)
        if line_cancelled:
            assert line.log_order is not None
            line.log_order.status = line.logistics_status = LOGISTICS_CANCELLED
            line.log_order.updated_at = now
        if all(x.refunded_in_full for x in self.lines) and self.status != COMPLETED and \
                not anything_shipped([x.log_order.status for x in self.lines if x.log_order]):
            self._move(REFUND_ALL, now, Close(pb.CLOSE_REASON_REFUNDED,
                                              "every line was refunded before shipment",
                                              SYSTEM))
            for kind in (SHIP_TIMEOUT_TIMER, AUTO_CONFIRM_TIMER):
                self.disarm(kind, self.order_id)
        elif self.is_main and line_cancelled:
            self.main_logistics_status = combined_logistics_status(self._log_statuses())
        whole = all(x.refunded_in_full for x in self.lines)
        self.pay_status = REFUNDED if whole else PARTIALLY_REFUNDED
        self.record(OrderRefunded(self._now_as_event(), now, plan, dataclasses.replace(claim),
                                  line_cancelled))
        self._ship_if_all_shipped(now, policy)

    # --- the window ----------------------------------------------------------

    def start_after_sales(self, now: dt.datetime, policy: TradePolicy) -> None:
        """A completed order with no claim open whose window has not started
        starts it: it ends ``after_sales_window`` from ``now`` (a durable
        timer). Called after any transition that may complete the order;
        otherwise nothing."""
        if self.status == COMPLETED and self.after_sales_end is None and \
                not self.after_sales_ended and not any(c.is_open for c in self.claims):
            self._run_window(now, policy)

    def _run_window(self, now: dt.datetime, policy: TradePolicy) -> None:
        if self.after_sales_ended:
            return
        self.after_sales_end = now + policy.after_sales_window
        self._touch(now)
        self.arm(AFTER_SALES_TIMER, self.order_id, self.after_sales_end)

    def end_after_sales(self, now: dt.datetime) -> bool:
        """The window's timer fired: once its end is reached with no claim
        open, the window is over (``OrderAfterSalesEnded``, never twice);
        a timer that fires early re-arms. False when nothing ended."""
        if self.after_sales_ended or self.after_sales_end is None or \
                any(c.is_open for c in self.claims):
            return False
        if now < self.after_sales_end:
            self.arm(AFTER_SALES_TIMER, self.order_id, self.after_sales_end)
            return False
        self.after_sales_ended = True
        self._touch(now)
        self.record(OrderAfterSalesEnded(self._now_as_event(), now))
        return True
