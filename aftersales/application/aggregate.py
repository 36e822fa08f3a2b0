"""The ``Application`` aggregate: one after-sales application of one order
line, its lifecycle (``LIFECYCLE``, the proto's drawing as a table), its
history, its deadlines and the progress of its refund.

Pure: no SQL, gRPC, protobuf message or clock. Statuses, kinds, reasons and
actions are the proto enums' numbers; the refund plan trade allots is kept
as the opaque bytes trade sent (``Refund.plan``) beside the figures the
orchestration needs.

Every transition records a history entry (who, what, the status after it,
a note, when), moves the deadline timers (one durable timer per status that
has a deadline: ``DEADLINE_TIMERS``) and records ``StatusChanged`` for the
outbox. Entering REFUNDING or CLOSED arms the effects timer
(``EFFECTS_TIMER``, ``aftersales.refunds``) that carries the application's
calls to the other services out of the transaction. Once REFUNDING the
application is frozen: the table allows nothing but REFUNDED, and only the
refund's progress changes it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from aftersales.application.model import (
    SYSTEM,
    Actor,
    AfterSalesPolicy,
    HistoryEntry,
    Refund,
    RefundPart,
    StatusChanged,
)
from aftersales.application.states import (
    ACCEPT_REDUCED,
    APPROVE_REFUND,
    APPROVE_RETURN,
    ARBITRATE_REFUND,
    ARBITRATE_REJECT,
    ARBITRATE_RETURN,
    CLAIM_GUARD_TIMER,
    DEADLINE_TIMERS,
    EFFECTS_TIMER,
    ESCALATE,
    EXPIRE,
    FINISH_REFUND,
    LIFECYCLE,
    MACHINE,
    REAPPLY,
    REAPPLY_TIMER,
    RECEIVE_ALL,
    RECEIVE_PART,
    RECEIVE_TIMER,
    REJECT,
    RETURN_TIMER,
    REVIEW_TIMER,
    SHIP_RETURN,
    WITHDRAW,
    E,
    return_shipping_bearer,
)
from zhongtai.aftersales.v1 import aftersales_pb2 as pb
from zhongtai.uow import Aggregate


@dataclass(kw_only=True)
class Application(Aggregate):
    application_id: str
    order_id: str
    line_order_id: str
    buyer_id: str
    seller_id: str
    sku_id: str
    kind: int
    reason: int
    note: str
    evidence_urls: tuple[str, ...]
    quantity: int
    currency: str
    amount: int
    created_at: dt.datetime
    status: int = pb.APPLICATION_STATUS_WAIT_SELLER_REVIEW
    agreed_amount: int | None = None
    seller_note: str = ""
    reapplications: int = 0
    # The status an escalation came from (REJECTED or WAIT_BUYER_CONFIRM).
    escalated_from: int = 0
    return_logistics_order_id: str = ""
    return_warehouse_id: str = ""
    return_address: bytes = b""  # the Address logistics gave, opaque
    return_carrier: str = ""
    return_tracking_no: str = ""
    return_shipping_fee: int = 0
    delivered_at: dt.datetime | None = None
    received_quantity: int = 0
    deadline_at: dt.datetime | None = None
    close_reason: int = pb.CLOSE_REASON_UNSPECIFIED
    updated_at: dt.datetime | None = None
    agreed_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    refund: Refund = field(default_factory=Refund)
    # Trade's claim was finished (CLOSED applications: FinishRefund(CLOSED)).
    trade_finished: bool = False
    # The effects timer's round (its key "<id>/<round>") and failures in a row.
    effects_round: int = 0
    effects_failures: int = 0
    history: list[HistoryEntry] = field(default_factory=list)

    # --- creation and the buyer's changes ---------------------------------------

    @classmethod
    def apply(cls, *, application_id: str, order_id: str, line_order_id: str, buyer_id: str,
              seller_id: str, sku_id: str, kind: int, reason: int, note: str,
              evidence_urls: tuple[str, ...], quantity: int, currency: str, amount: int,
              now: dt.datetime, policy: AfterSalesPolicy) -> Application:
        """A new application waiting for the seller's review (its review
        timer armed); trade has opened the line's claim for it (its claim
        guard is disarmed)."""
        app = cls(application_id=application_id, order_id=order_id, line_order_id=line_order_id,
                  buyer_id=buyer_id, seller_id=seller_id, sku_id=sku_id, kind=kind,
                  reason=reason, note=note, evidence_urls=evidence_urls, quantity=quantity,
                  currency=currency, amount=amount, created_at=now, updated_at=now,
                  status=pb.APPLICATION_STATUS_UNSPECIFIED)
        app.disarm(CLAIM_GUARD_TIMER, application_id)
        app._enter(pb.APPLICATION_STATUS_WAIT_SELLER_REVIEW, pb.ACTION_APPLIED,
                   Actor("buyer", buyer_id), note, now, policy)
        return app

    def reapply(self, *, kind: int, reason: int, note: str, evidence_urls: tuple[str, ...],
                quantity: int, amount: int, now: dt.datetime, policy: AfterSalesPolicy) -> None:
        """REJECTED → WAIT_SELLER_REVIEW with the buyer's changes and a new
        review deadline, at most ``max_reapplications`` times
        (REAPPLICATION_LIMIT); trade has changed the claim already."""
        target = self.check_reapplicable(policy)
        self.kind, self.reason, self.note = kind, reason, note
        self.evidence_urls, self.quantity, self.amount = evidence_urls, quantity, amount
        self.reapplications += 1
        self.seller_note = ""
        self._enter(target, pb.ACTION_REAPPLIED, Actor("buyer", self.buyer_id), note, now, policy)

    def check_reapplicable(self, policy: AfterSalesPolicy) -> int:
        """What ``reapply`` refuses, refused now (before trade is asked): a
        status that does not allow it, or REAPPLICATION_LIMIT. The status
        re-applying leads to."""
        target = self._check(REAPPLY)
        if self.reapplications >= policy.max_reapplications:
            raise E(pb.ERROR_REASON_REAPPLICATION_LIMIT,
                    f"application {self.application_id} was re-applied "
                    f"{self.reapplications} times, the most allowed",
                    metadata={"application_id": self.application_id,
                              "max_reapplications": str(policy.max_reapplications)})
        return target

    def withdraw(self, now: dt.datetime, policy: AfterSalesPolicy) -> None:
        """The buyer withdraws before agreement (and before the goods were
        sent back): CLOSED, WITHDRAWN; trade's claim is closed by the effects."""
        self._close(WITHDRAW, pb.CLOSE_REASON_WITHDRAWN, pb.ACTION_WITHDRAWN,
                    Actor("buyer", self.buyer_id), "", now, policy)

    def escalate(self, note: str, now: dt.datetime, policy: AfterSalesPolicy) -> None:
        """The buyer asks the platform (after a rejection, or instead of a
        reduced refund): ARBITRATING, no deadline."""
        before = self.status
        target = self._check(ESCALATE)
        self.escalated_from = before
        self._enter(target, pb.ACTION_ESCALATED, Actor("buyer", self.buyer_id), note, now, policy)

    # --- review ------------------------------------------------------------------

    def approve(self, actor: Actor, note: str, now: dt.datetime, policy: AfterSalesPolicy,
                *, by_timeout: bool = False) -> None:
        """The seller (or an operator, or the review deadline) agrees:
        refund-only is agreed at once (REFUNDING, frozen); a return waits
        for the goods (WAIT_BUYER_RETURN)."""
        action = APPROVE_RETURN if self.is_return else APPROVE_REFUND
        target = self._check(action)
        history = pb.ACTION_APPROVED_BY_TIMEOUT if by_timeout else pb.ACTION_APPROVED
        self._agree_or_return(target, self.amount, history, actor, note, now, policy)

    def reject(self, actor: Actor, note: str, now: dt.datetime, policy: AfterSalesPolicy) -> None:
        """The seller refuses with a reason the buyer sees: REJECTED (re-apply
        or escalate before the reapply deadline)."""
        target = self._check(REJECT)
        self.seller_note = note
        self._enter(target, pb.ACTION_REJECTED, actor, note, now, policy)

    def arbitrate(self, actor: Actor, approve: bool, amount: int | None, note: str,
                  now: dt.datetime, policy: AfterSalesPolicy) -> None:
        """The platform decides: reject (CLOSED, final) or approve — as the
        seller would have (refund-only: REFUNDING; a return not yet received:
        WAIT_BUYER_RETURN) or, after a partial receipt, granting ``amount``
        (at most the application's amount: RECEIPT_EXCEEDS_RETURN)."""
        if not approve:
            self._check(ARBITRATE_REJECT)
            self.seller_note = note
            self._close(ARBITRATE_REJECT, pb.CLOSE_REASON_ARBITRATION_REJECTED,
                        pb.ACTION_ARBITRATED_REJECTED, actor, note, now, policy)
            return
        received = self.escalated_from == pb.APPLICATION_STATUS_WAIT_BUYER_CONFIRM
        action = ARBITRATE_RETURN if self.is_return and not received else ARBITRATE_REFUND
        target = self._check(action)
        granted = amount or self.amount
        self._check_within_amount(granted)
        self.seller_note = note
        self._agree_or_return(target, granted, pb.ACTION_ARBITRATED_APPROVED, actor, note, now,
                              policy)

    # --- the return ----------------------------------------------------------------

    def return_created(self, logistics_order_id: str, warehouse_id: str, address: bytes) -> None:
        """Logistics opened the return's logistics order (where to send it);
        the effects owed for it (if any) are done."""
        if self.return_logistics_order_id:
            return
        if self.status == pb.APPLICATION_STATUS_WAIT_BUYER_RETURN:
            self.disarm(EFFECTS_TIMER, self.effects_key)
        self.return_logistics_order_id = logistics_order_id
        self.return_warehouse_id = warehouse_id
        self.return_address = address

    def ship_return(self, carrier: str, tracking_no: str, fee: int, now: dt.datetime,
                    policy: AfterSalesPolicy) -> None:
        """The buyer sent the goods: WAIT_SELLER_RECEIVE, the receive deadline
        running from now until logistics reports the parcel delivered."""
        target = self._check(SHIP_RETURN)
        self.return_carrier, self.return_tracking_no = carrier, tracking_no
        self.return_shipping_fee = fee
        self._enter(target, pb.ACTION_RETURN_SHIPPED, Actor("buyer", self.buyer_id),
                    f"{carrier} {tracking_no}", now, policy)

    def return_delivered(self, now: dt.datetime, policy: AfterSalesPolicy) -> bool:
        """Logistics reports the return delivered: history only, and the
        receive deadline runs from now. False (nothing changes) unless the
        application waits for the seller's receipt and was not told before."""
        if self.status != pb.APPLICATION_STATUS_WAIT_SELLER_RECEIVE or self.delivered_at:
            return False
        self.delivered_at = now
        self._note(pb.ACTION_RETURN_DELIVERED, SYSTEM, "", now)
        self._arm_deadline(now, policy)
        return True

    def confirm_receipt(self, actor: Actor, received_quantity: int, amount: int | None,
                        note: str, now: dt.datetime, policy: AfterSalesPolicy) -> None:
        """The seller inspected the return: ``amount`` unset or the full
        amount agrees to it (REFUNDING); less waits for the buyer
        (WAIT_BUYER_CONFIRM). More units than were returned or more money
        than asked: RECEIPT_EXCEEDS_RETURN."""
        self._check(RECEIVE_ALL)
        if received_quantity > self.quantity:
            raise E(pb.ERROR_REASON_RECEIPT_EXCEEDS_RETURN,
                    f"{received_quantity} units accepted of {self.quantity} returned",
                    metadata={"application_id": self.application_id,
                              "quantity": str(self.quantity)})
        granted = self.amount if amount is None else amount
        self._check_within_amount(granted)
        self.received_quantity = received_quantity
        if granted == self.amount:
            self._agree_or_return(LIFECYCLE[(self.status, RECEIVE_ALL)], granted,
                                  pb.ACTION_RETURN_RECEIVED, actor, note, now, policy)
            return
        self.agreed_amount, self.seller_note = granted, note
        self._enter(LIFECYCLE[(self.status, RECEIVE_PART)], pb.ACTION_RETURN_PARTLY_RECEIVED,
                    actor, note, now, policy)

    def accept_reduced(self, actor: Actor, now: dt.datetime, policy: AfterSalesPolicy, *,
                       by_timeout: bool = False) -> None:
        """The buyer (or the confirm deadline) accepts the reduced refund: REFUNDING."""
        target = self._check(ACCEPT_REDUCED)
        granted = self.amount if self.agreed_amount is None else self.agreed_amount
        self._agree_or_return(target, granted, pb.ACTION_REDUCED_REFUND_ACCEPTED, actor,
                              "by timeout" if by_timeout else "", now, policy)

    # --- deadlines ----------------------------------------------------------------

    def deadline_passed(self, timer: str, now: dt.datetime, policy: AfterSalesPolicy) -> bool:
        """What the status's deadline does, if ``timer`` is the current
        status's and its time came: review → approved, reapply → CLOSED,
        return → CLOSED, receive → received in full, confirm → accepted.
        False (nothing changes) for a stale timer."""
        if DEADLINE_TIMERS.get(self.status) != timer or self.deadline_at is None \
                or self.deadline_at > now:
            return False
        if timer == REVIEW_TIMER:
            self.approve(SYSTEM, "", now, policy, by_timeout=True)
        elif timer == REAPPLY_TIMER:
            self._close(EXPIRE, pb.CLOSE_REASON_REAPPLY_EXPIRED, pb.ACTION_CLOSED_BY_TIMEOUT,
                        SYSTEM, "", now, policy)
        elif timer == RETURN_TIMER:
            self._close(EXPIRE, pb.CLOSE_REASON_RETURN_NOT_SHIPPED, pb.ACTION_CLOSED_BY_TIMEOUT,
                        SYSTEM, "", now, policy)
        elif timer == RECEIVE_TIMER:
            self.received_quantity = self.quantity
            self._agree_or_return(LIFECYCLE[(self.status, RECEIVE_ALL)], self.amount,
                                  pb.ACTION_RECEIVED_BY_TIMEOUT, SYSTEM, "", now, policy)
        else:
            self.accept_reduced(SYSTEM, now, policy, by_timeout=True)
        return True

    # --- the refund (REFUNDING only) ------------------------------------------------

    def refund_agreed(self, plan: bytes, parts: list[RefundPart], *, points_amount: int,
                      stored_value_amount: int, restore_coupons: bool, restock_quantity: int,
                      now: dt.datetime) -> None:
        """Trade allotted the refund (its plan, kept once: a repeat keeps the first)."""
        self._check_refunding()
        if self.refund.agreed:
            return
        self.refund = Refund(plan=plan, parts=parts, points_amount=points_amount,
                             stored_value_amount=stored_value_amount,
                             restore_coupons=restore_coupons, restock_quantity=restock_quantity)
        cash = sum(p.amount for p in parts)
        self._note(pb.ACTION_REFUND_STARTED, SYSTEM, f"{cash} {self.currency}", now)

    def refund_requested(self, pay_order_id: str, refund_id: str) -> None:
        """Payment accepted the refund of one pay order's share."""
        self._check_refunding()
        for part in self.refund.parts:
            if part.pay_order_id == pay_order_id and not part.refund_id:
                part.refund_id = refund_id

    def benefits_returned(self) -> None:
        self._check_refunding()
        self.refund.benefits_returned = True

    def restocked(self) -> None:
        self._check_refunding()
        self.refund.restocked = True

    def refund_settled(self, refund_id: str, now: dt.datetime) -> bool:
        """Payment's refund ``refund_id`` succeeded (an event or a poll). True
        when this was news; once every part is settled the effects timer is
        due now so the refund is finished at once (a repeat changes nothing)."""
        part = next((p for p in self.refund.parts if p.refund_id == refund_id), None)
        if part is None or part.settled or self.status != pb.APPLICATION_STATUS_REFUNDING:
            return False
        part.settled = True
        if self.refund.settled:
            self.schedule_effects(now)
        return True

    @property
    def refund_done(self) -> bool:
        """Every step but trade's FinishRefund was done."""
        r = self.refund
        return (r.agreed and r.requested and r.settled
                and (r.benefits_returned or not self.owes_benefits)
                and (r.restocked or r.restock_quantity <= 0))

    @property
    def owes_benefits(self) -> bool:
        r = self.refund
        return r.points_amount > 0 or r.stored_value_amount > 0 or r.restore_coupons

    def refunded(self, now: dt.datetime, policy: AfterSalesPolicy) -> None:
        """Every refund of the plan succeeded and trade booked it: REFUNDED."""
        target = self._check(FINISH_REFUND)
        self.finished_at = now
        self.disarm(EFFECTS_TIMER, self.effects_key)
        self._enter(target, pb.ACTION_REFUNDED, SYSTEM, "", now, policy)

    def trade_closed(self) -> None:
        """Trade closed the line's claim of a CLOSED application: nothing is owed."""
        self.trade_finished = True
        self.disarm(EFFECTS_TIMER, self.effects_key)

    # --- the effects timer ----------------------------------------------------------

    @property
    def effects_key(self) -> str:
        return f"{self.application_id}/{self.effects_round}"

    @property
    def owes_effects(self) -> bool:
        """Whether calls to other services are still owed: the refund, trade's
        claim of a CLOSED application closed, or the return logistics order
        of a return approved by its deadline."""
        if self.status == pb.APPLICATION_STATUS_REFUNDING:
            return True
        if self.status == pb.APPLICATION_STATUS_WAIT_BUYER_RETURN:
            return not self.return_logistics_order_id
        return self.status == pb.APPLICATION_STATUS_CLOSED and not self.trade_finished

    def schedule_effects(self, due: dt.datetime) -> None:
        """Run the owed calls at ``due``: the current round's timer is
        replaced by the next round's (so a round that is firing ends, and
        the next is armed, in the same transaction)."""
        self.disarm(EFFECTS_TIMER, self.effects_key)
        self.effects_round += 1
        self.arm(EFFECTS_TIMER, self.effects_key, due)

    def effects_failed(self, now: dt.datetime, policy: AfterSalesPolicy) -> None:
        """A step failed (or payment's refund is still pending): retry later, with backoff."""
        self.effects_failures += 1
        self.schedule_effects(now + policy.backoff(self.effects_failures))

    def effects_progressed(self) -> None:
        self.effects_failures = 0

    # --- checks for the use cases ----------------------------------------------------

    @property
    def is_return(self) -> bool:
        return self.kind == pb.APPLICATION_KIND_RETURN_AND_REFUND

    @property
    def bearer(self) -> int:
        return return_shipping_bearer(self.reason)

    def check_status(self, action: str) -> None:
        """Refuse now (ILLEGAL_APPLICATION_TRANSITION) an action the status does not allow."""
        self._check(action)

    def approval_action(self) -> str:
        return APPROVE_RETURN if self.is_return else APPROVE_REFUND

    def snapshot(self) -> Application:
        """A deep copy without the recorded events and deadlines."""
        copy = replace(self, refund=replace(self.refund, parts=[replace(p) for p in
                                                                 self.refund.parts]),
                       history=list(self.history))
        return copy

    # --- internals --------------------------------------------------------------------

    def _check(self, action: str) -> int:
        return MACHINE.next(self.status, action, self.application_id)

    def _check_refunding(self) -> None:
        if self.status != pb.APPLICATION_STATUS_REFUNDING:
            MACHINE.next(self.status, FINISH_REFUND, self.application_id)

    def _check_within_amount(self, granted: int) -> None:
        if granted < 0 or granted > self.amount:
            raise E(pb.ERROR_REASON_RECEIPT_EXCEEDS_RETURN,
                    f"a refund of {granted} is more than the {self.amount} asked",
                    metadata={"application_id": self.application_id,
                              "amount": str(self.amount)})

    def _agree_or_return(self, target: int, granted: int, action: int, actor: Actor, note: str,
                         now: dt.datetime, policy: AfterSalesPolicy) -> None:
        self.agreed_amount = granted
        if target == pb.APPLICATION_STATUS_REFUNDING:
            self.agreed_at = now
        self._enter(target, action, actor, note, now, policy)

    def _close(self, action: str, reason: int, history: int, actor: Actor, note: str,
               now: dt.datetime, policy: AfterSalesPolicy) -> None:
        target = self._check(action)
        self.close_reason = reason
        self.finished_at = now
        self._enter(target, history, actor, note, now, policy)

    def _enter(self, target: int, action: int, actor: Actor, note: str, now: dt.datetime,
               policy: AfterSalesPolicy) -> None:
        previous = self.status
        if (timer := DEADLINE_TIMERS.get(previous)) is not None:
            self.disarm(timer, self.application_id)
        self.status = target
        self.updated_at = now
        self._arm_deadline(now, policy)
        if self.owes_effects:
            self.schedule_effects(now)
        self._note(action, actor, note, now)
        self.record(StatusChanged(self.application_id, previous, action, actor, now))

    def _arm_deadline(self, now: dt.datetime, policy: AfterSalesPolicy) -> None:
        timer, after = DEADLINE_TIMERS.get(self.status), policy.deadline(self.status)
        if timer is None or after is None:
            self.deadline_at = None
            return
        self.deadline_at = now + after
        self.arm(timer, self.application_id, self.deadline_at)

    def _note(self, action: int, actor: Actor, note: str, now: dt.datetime) -> None:
        self.history.append(HistoryEntry(action, actor, self.status, note, now))
        self.updated_at = now
