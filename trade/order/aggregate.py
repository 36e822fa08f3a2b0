"""The Order aggregate: a top-level order (a single order, or a main order
with one sub order per SKU), its pay orders, log orders and vouchers.

Its methods are the transitions. Each checks what it must (parties, the
state machine ``states.ORDER``, amounts) before it changes anything, so a
refused one changes nothing; then it moves the main and sub orders together
with their pay and logistics statuses (``OrderState._move``), records the
domain events others must hear of (``trade.order.events``, each with a
snapshot of the order) and arms or disarms the durable timers its rules
need:

* creation: the rollback timer (``rollback_after``) until the saga ends; the
  unpaid timeout (``pay_timeout``) once it waits for payment — an order with
  nothing to pay through payment is paid at once;
* presale: paying the deposit arms the balance lapse at the window's end;
* paying physical goods arms the ship timeout (``ship_timeout``; zero:
  never); online services wait for receipt at once;
* shipping (every log order shipped) and paying online services arm the
  automatic receipt (``auto_confirm``), which the buyer may push back.

Pure: no SQL, gRPC, protobuf message or clock; the time (``now``) and the
policy (``TradePolicy``) are arguments. Enum values only from the generated
modules.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from trade.order import amounts
from trade.order.after_sales import AfterSales
from trade.order.base import (
    AFTER_SALES_TIMER,
    AUTO_CONFIRM_TIMER,
    BALANCE_LAPSE_TIMER,
    PAY_TIMEOUT_TIMER,
    ROLLBACK_TIMER,
    SHIP_TIMEOUT_TIMER,
)
from trade.order.events import (
    OrderCancelled,
    OrderCompleted,
    OrderCreated,
    OrderCreationFailed,
    OrderPaid,
    OrderPriceAdjusted,
    OrderReceiptExtended,
    PaymentRejected,
    VoucherRedeemed,
    VouchersIssued,
)
from trade.order.model import (
    DEFAULT_BUSINESS_TYPE,
    SYSTEM,
    Close,
    Line,
    Party,
    PayOrder,
    Presale,
    TradePolicy,
    Voucher,
)
from trade.order.payability import Rejection, payability
from trade.order.states import (
    BALANCE,
    CANCEL,
    CANCELLED,
    CREATE_FAILED,
    CREATE_SUCCEEDED,
    CREATE_SUCCEEDED_NEEDS_CONFIRM,
    DEPOSIT,
    FAILED,
    INIT,
    NOT_REQUIRED,
    PAID,
    PAY,
    PAY_DEPOSIT,
    PAY_TO_RECEIVE,
    RECEIVE,
    REFUNDED,
    REFUNDING,
    SELLER_CONFIRM,
    SHIP_TIMEOUT,
    UNSHIPPED,
    USE,
    WAIT_PAY,
    WAIT_PAY_BALANCE,
    WAIT_RECEIVE,
    WAIT_SELLER_CONFIRM,
    WAIT_SHIP,
    WAIT_USE,
    E,
    S,
    anything_shipped,
    combined_logistics_status,
    is_voucher,
    mirrored_status,
    pay_action,
)
from zhongtai.common.v1.common_pb2 import Operator
from zhongtai.errors import PreconditionViolation
from zhongtai.trade.v1 import trade_pb2 as pb

__all__ = ["AFTER_SALES_TIMER", "AUTO_CONFIRM_TIMER", "BALANCE_LAPSE_TIMER", "PAY_TIMEOUT_TIMER",
           "ROLLBACK_TIMER", "SHIP_TIMEOUT_TIMER", "Mirror", "Order"]

# The statuses in which the seller may still change what the buyer pays.
PRICE_ADJUSTABLE = frozenset({WAIT_SELLER_CONFIRM, WAIT_PAY})
# A voucher code can be redeemed while its order is paid and not over.
REDEEMABLE = frozenset({WAIT_SHIP, WAIT_RECEIVE, WAIT_USE})
MAX_CLOSE_NOTE = 2000


class Mirror(enum.Enum):
    """What mirroring a logistics status did."""

    IGNORED = "ignored"  # not forward (a duplicate, a step back): nothing
    LOG_ORDER_ONLY = "log_order_only"  # the order is closed: its log order only
    MIRRORED = "mirrored"  # the log order and its line (maybe shipping the order)


@dataclass(kw_only=True)
class Order(AfterSales):
    """A top-level order and its transitions (see the module docstring)."""

    # --- creation ----------------------------------------------------------------

    @classmethod
    def place(cls, *, order_id: str, buyer_id: str, currency: str, lines: list[Line],
              pay_order_id: str, balance_pay_order_id: str = "", presale: Presale | None = None,
              request_id: str = "", out_type: str = "", out_id: str = "", buyer_memo: str = "",
              business_type: str = DEFAULT_BUSINESS_TYPE, now: dt.datetime,
              policy: TradePolicy) -> Order:
        """A new order in INIT from priced lines (deductions and freight on
        them): its pay orders computed (``amounts.pay_orders``), its physical
        lines UNSHIPPED, the rollback timer armed."""
        for line in lines:
            line.logistics_status = UNSHIPPED if line.log_order is not None else NOT_REQUIRED
        order = cls(order_id=order_id, buyer_id=buyer_id, currency=currency, lines=lines,
                    pay_orders=amounts.pay_orders(lines, pay_order_id, balance_pay_order_id,
                                                  presale, now),
                    created_at=now, updated_at=now, request_id=request_id, out_type=out_type,
                    out_id=out_id, buyer_memo=buyer_memo,
                    business_type=business_type or DEFAULT_BUSINESS_TYPE,
                    main_logistics_status=UNSHIPPED if lines[0].order_id != order_id
                    and any(x.log_order for x in lines) else NOT_REQUIRED)
        order.arm(ROLLBACK_TIMER, order_id, now + policy.rollback_after)
        return order

    def creation_succeeded(self, now: dt.datetime, policy: TradePolicy,
                           voucher_codes: Sequence[str] = (), *,
                           needs_seller_confirm: bool = False) -> None:
        """Stock reserved and benefits held: WAIT_PAY (or WAIT_SELLER_CONFIRM),
        the rollback timer disarmed, the unpaid timeout armed, ``OrderCreated``.
        Nothing to pay through payment (points and the card cover it all): paid
        at once, as by a payment without id (``OrderPaid`` follows)."""
        self._move(CREATE_SUCCEEDED_NEEDS_CONFIRM if needs_seller_confirm else CREATE_SUCCEEDED,
                   now)
        self.disarm(ROLLBACK_TIMER, self.order_id)
        due = self.due_pay_order
        nothing_to_pay = due.actual == 0 and self.status == WAIT_PAY
        if not nothing_to_pay:
            self._expire_unpaid(due, now, policy)
        self.record(OrderCreated(self.snapshot(), now))
        if nothing_to_pay:
            self._pay(due, "", now, now, policy, voucher_codes)

    def creation_failed(self, reason: int, note: str, now: dt.datetime) -> bool:
        """A saga step failed or the rollback timer fired: INIT → FAILED as the
        system, ``OrderCreationFailed``; False (nothing) if no longer INIT."""
        if self.status != INIT:
            return False
        self._move(CREATE_FAILED, now, Close(reason, note[:MAX_CLOSE_NOTE], SYSTEM))
        self.disarm(ROLLBACK_TIMER, self.order_id)
        self.record(OrderCreationFailed(self.snapshot(), now))
        return True

    def seller_confirm(self, seller_id: str, now: dt.datetime, policy: TradePolicy) -> None:
        """The seller accepts the order: WAIT_SELLER_CONFIRM → WAIT_PAY; the
        buyer gets the whole unpaid timeout from now."""
        self._check_acting(Party.seller(seller_id), "confirm", seller=self.seller_id)
        self._move(SELLER_CONFIRM, now)
        self._expire_unpaid(self.due_pay_order, now, policy)

    def _expire_unpaid(self, due: PayOrder, now: dt.datetime, policy: TradePolicy) -> None:
        due.expire_at = now + policy.pay_timeout
        self.arm(PAY_TIMEOUT_TIMER, self.order_id, due.expire_at)

    # --- cancellation ----------------------------------------------------------

    def cancel(self, by: Party, note: str, now: dt.datetime) -> None:
        """A party (or the system) cancels an unpaid order: the buyer or the
        seller only their own (PERMISSION_DENIED), staff any; the close reason
        says who."""
        self._check_acting(by, "cancel", buyer=True, seller=self.seller_id)
        reasons: dict[int, int] = {Operator.ROLE_BUYER: pb.CLOSE_REASON_BUYER_CANCELLED,
                                   Operator.ROLE_SELLER: pb.CLOSE_REASON_SELLER_CANCELLED}
        self._cancel(CANCEL, by, reasons.get(by.role, pb.CLOSE_REASON_SYSTEM_CANCELLED), note,
                     now)

    def close_unpaid(self, now: dt.datetime) -> bool:
        """The unpaid timeout: an order still waiting for payment (or for the
        seller) is cancelled as the system; False (nothing) otherwise."""
        if self.status not in (WAIT_PAY, WAIT_SELLER_CONFIRM):
            return False
        reason = (pb.CLOSE_REASON_PAY_TIMEOUT if self.status == WAIT_PAY
                  else pb.CLOSE_REASON_SELLER_CONFIRM_TIMEOUT)
        self._cancel(CANCEL, SYSTEM, reason, "closed by timeout", now)
        return True

    def lapse_balance(self, now: dt.datetime) -> bool:
        """A presale order's balance window ended unpaid: cancelled as the
        system; the deposit is kept (its pay order stays PAID). False
        (nothing) if the order is not waiting for its balance."""
        if self.status != WAIT_PAY_BALANCE:
            return False
        self._cancel(CANCEL, SYSTEM, pb.CLOSE_REASON_BALANCE_LAPSED,
                     "the balance was not paid in its window; the deposit is kept", now)
        return True

    def ship_timeout(self, now: dt.datetime) -> bool:
        """A paid order nothing of which shipped in time: cancelled as the
        system (CLOSE_REASON_SHIP_TIMEOUT) and refunded — its pay orders paid
        through payment REFUNDING (payment refunds what after-sales has not
        refunded of them; catalog and promotion give back what is left), one
        paid by points and the card alone REFUNDED at once. False (nothing)
        if the order is not WAIT_SHIP or some of it shipped; also while a
        refund claim is open (its money may be on its way: never refunded
        twice) — the claim's end arms the timeout again
        (``rearm_ship_timeout``)."""
        if self.status != WAIT_SHIP or anything_shipped(self._log_statuses()) or any(
                c.is_open for c in self.claims):
            return False
        self._cancel(SHIP_TIMEOUT, SYSTEM, pb.CLOSE_REASON_SHIP_TIMEOUT,
                     "nothing was shipped in time; the payment is refunded", now)
        return True

    def _cancel(self, action: str, by: Party, reason: int, note: str, now: dt.datetime) -> None:
        paid = self.pay_status in (PAID, pb.PAY_STATUS_PARTIALLY_REFUNDED)
        self._move(action, now, Close(reason, note[:MAX_CLOSE_NOTE], by))
        for p in self.pay_orders:
            if p.status == REFUNDING and not p.payment_id:
                p.status = REFUNDED  # nothing went through payment: nothing to refund
        self._settle_refunds(now)
        for kind in (PAY_TIMEOUT_TIMER, BALANCE_LAPSE_TIMER, SHIP_TIMEOUT_TIMER):
            self.disarm(kind, self.order_id)
        for v in self.vouchers:
            if v.status == pb.VOUCHER_STATUS_ISSUED:
                v.status, v.updated_at = pb.VOUCHER_STATUS_CANCELLED, now
        self.record(OrderCancelled(self.snapshot(), now, by, paid))

    # --- payment -------------------------------------------------------------

    def accept_payment(self, *, payment_id: str, pay_order_id: str, order_id: str,
                       buyer_id: str, currency: str, amount: int, paid_at: dt.datetime,
                       now: dt.datetime, policy: TradePolicy,
                       voucher_codes: Sequence[str] = ()) -> Rejection | None:
        """Take a payment part paid at ``paid_at`` (the payability rule at that
        time): None if taken (now, or before by this same payment), else the
        rejection, recorded as ``PaymentRejected`` (payment refunds it).

        A DEPOSIT: WAIT_PAY → WAIT_PAY_BALANCE, the balance lapse armed, no
        event. Otherwise the order is paid (``OrderPaid``): its lines decide
        where it goes (``pay_action``), e-voucher lines get one code per unit
        from ``voucher_codes`` (``VouchersIssued``)."""
        po = self.pay_order(pay_order_id)
        if po is not None and po.payment_id == payment_id:
            return None
        rejection = payability(self, pay_order_id, order_id=order_id, buyer_id=buyer_id,
                               currency=currency, amount=amount, at=paid_at)
        if rejection is not None or po is None:
            assert rejection is not None
            self.record(PaymentRejected(order_id, pay_order_id, payment_id, currency, amount,
                                        rejection, now))
            return rejection
        if po.kind == DEPOSIT:
            self._move(PAY_DEPOSIT, now)
            self._paid_by(po, payment_id, paid_at, now)
            self.disarm(PAY_TIMEOUT_TIMER, self.order_id)
            balance = next(p for p in self.pay_orders if p.kind == BALANCE)
            assert balance.balance_end is not None
            self.arm(BALANCE_LAPSE_TIMER, self.order_id, max(balance.balance_end, now))
        else:
            self._pay(po, payment_id, paid_at, now, policy, voucher_codes)
        return None

    def _pay(self, po: PayOrder, payment_id: str, paid_at: dt.datetime, now: dt.datetime,
             policy: TradePolicy, voucher_codes: Sequence[str]) -> None:
        action = pay_action(line.item.item_type for line in self.lines)
        self._move(action, now)
        self._paid_by(po, payment_id, paid_at, now)
        self.disarm(PAY_TIMEOUT_TIMER, self.order_id)
        self.disarm(BALANCE_LAPSE_TIMER, self.order_id)
        if action == PAY and policy.ship_timeout > dt.timedelta(0):
            self.arm(SHIP_TIMEOUT_TIMER, self.order_id, now + policy.ship_timeout)
        elif action == PAY_TO_RECEIVE:
            self._start_receipt(now, policy)
        issued = self._issue_vouchers(voucher_codes, now)
        snapshot = self.snapshot()
        self.record(OrderPaid(snapshot, now, payment_id))
        if issued:
            self.record(VouchersIssued(snapshot, now, tuple(issued)))

    @staticmethod
    def _paid_by(po: PayOrder, payment_id: str, paid_at: dt.datetime, now: dt.datetime) -> None:
        po.payment_id, po.paid_at, po.updated_at = payment_id, paid_at, now

    def refund_succeeded(self, pay_order_id: str, now: dt.datetime) -> bool:
        """Payment refunded a pay order trade marked REFUNDING: it is
        REFUNDED, and the order once none is REFUNDING; False (nothing) for
        any other pay order or status."""
        po = self.pay_order(pay_order_id)
        if po is None or po.status != REFUNDING:
            return False
        po.status, po.updated_at = REFUNDED, now
        self._settle_refunds(now)
        return True

    def _settle_refunds(self, now: dt.datetime) -> None:
        if self.pay_status == REFUNDING and all(p.status != REFUNDING for p in self.pay_orders):
            self.pay_status = REFUNDED
            self._touch(now, *self.lines)

    # --- vouchers --------------------------------------------------------------

    def voucher_units(self) -> int:
        """How many codes paying this order issues: one per e-voucher unit."""
        return sum(x.quantity for x in self.lines if is_voucher(x.item.item_type))

    def _issue_vouchers(self, codes: Sequence[str], now: dt.datetime) -> list[Voucher]:
        """One code per unit of each e-voucher line (``codes``: unused, unique)."""
        wanted = [x for x in self.lines if is_voucher(x.item.item_type)]
        pool = sorted(set(codes))
        if len(pool) < self.voucher_units():
            raise ValueError(f"{self.voucher_units()} voucher codes needed, {len(pool)} given")
        issued = []
        for line in wanted:
            for _ in range(line.quantity):
                v = Voucher(code=pool.pop(), line_order_id=line.order_id,
                            seller_id=line.seller_id, buyer_id=self.buyer_id,
                            sku_id=line.item.sku_id, status=pb.VOUCHER_STATUS_ISSUED,
                            issued_at=now, updated_at=now)
                line.vouchers.append(v)
                issued.append(dataclasses.replace(v))
            line.vouchers.sort(key=lambda v: v.code)
        return issued

    def redeem_voucher(self, code: str, by: Party, now: dt.datetime) -> Voucher:
        """The line's seller (or an operator) redeems a code (核销),
        ``VoucherRedeemed``; the last code of an order waiting for use
        completes it (``OrderCompleted``)."""
        v = next(x for x in self.vouchers if x.code == code)
        self._check_acting(by, "redeem a voucher of", seller=v.seller_id)
        if v.status == pb.VOUCHER_STATUS_REDEEMED:
            raise E(pb.ERROR_REASON_VOUCHER_ALREADY_REDEEMED, "this voucher was already redeemed",
                    violations=[PreconditionViolation("VOUCHER_STATUS", f"vouchers/{code}",
                                                      "redeemed")],
                    metadata={"order_id": self.order_id})
        if v.status != pb.VOUCHER_STATUS_ISSUED or self.status not in REDEEMABLE:
            name = S.Name(self.status)
            raise E(pb.ERROR_REASON_VOUCHER_NOT_REDEEMABLE,
                    f"the voucher's order {self.order_id} is {name}; it cannot be redeemed",
                    violations=[PreconditionViolation("ORDER_STATUS", f"orders/{self.order_id}",
                                                      f"status is {name}")],
                    metadata={"order_id": self.order_id, "status": name})
        v.status, v.redeemed_at, v.updated_at = pb.VOUCHER_STATUS_REDEEMED, now, now
        self.record(VoucherRedeemed(self.snapshot(), now, dataclasses.replace(v)))
        if self.status == WAIT_USE and all(
                x.status != pb.VOUCHER_STATUS_ISSUED for x in self.vouchers):
            self._complete(USE, by, now)
        return v

    # --- fulfilment -------------------------------------------------------------

    def mirror_logistics(self, log_order_id: str, incoming: int, now: dt.datetime,
                         policy: TradePolicy) -> Mirror:
        """Logistics reports a log order's status (trade's enum): recorded
        forward only (``mirrored_status``) on the log order and its line (a
        main order gets its lines' combined status); when every log order of a
        WAIT_SHIP order is shipped the order ships: WAIT_RECEIVE,
        ``OrderShipped``, ship timeout disarmed, automatic receipt armed. On a
        cancelled or failed order only the log order records it."""
        line = next(x for x in self.lines
                    if x.log_order is not None and x.log_order.log_order_id == log_order_id)
        lo = line.log_order
        assert lo is not None
        new = mirrored_status(lo.status, incoming)
        if new is None:
            return Mirror.IGNORED
        lo.status, lo.updated_at = new, now
        if self.status in (CANCELLED, FAILED):
            return Mirror.LOG_ORDER_ONLY
        line.logistics_status = new
        self._touch(now, line)
        if self.is_main:
            self.main_logistics_status = combined_logistics_status(self._log_statuses())
            self.updated_at = now
        self._ship_if_all_shipped(now, policy)
        return Mirror.MIRRORED

    def confirm_receipt(self, by: Party, now: dt.datetime) -> None:
        """The buyer (or staff) confirms receipt: WAIT_RECEIVE → COMPLETED,
        ``OrderCompleted``."""
        self._check_acting(by, "confirm receipt of", buyer=True)
        self._complete(RECEIVE, by, now)

    def auto_receive(self, now: dt.datetime) -> bool:
        """The automatic receipt fired: an order still WAIT_RECEIVE is
        completed as the system (``automatic``); one whose deadline was pushed
        back re-arms the timer. False when it did not complete."""
        if self.status != WAIT_RECEIVE:
            return False
        if self.auto_receive_time is not None and self.auto_receive_time > now:
            self.arm(AUTO_CONFIRM_TIMER, self.order_id, self.auto_receive_time)
            return False
        self._complete(RECEIVE, SYSTEM, now, automatic=True)
        return True

    def extend_receipt(self, by: Party, now: dt.datetime, policy: TradePolicy) -> None:
        """The buyer (or staff) pushes the automatic receipt back by
        ``receipt_extension``, at most ``max_receipt_extensions`` times,
        ``OrderReceiptExtended``."""
        self._check_acting(by, "extend the receipt of", buyer=True)
        oid = self.order_id
        if self.status != WAIT_RECEIVE:
            raise self._refusal(pb.ERROR_REASON_RECEIPT_NOT_EXTENDABLE,
                                "only an order waiting for receipt can be extended",
                                "extend_receipt")
        limit = policy.max_receipt_extensions
        if self.receipt_extensions >= limit:
            raise E(pb.ERROR_REASON_RECEIPT_EXTENSION_LIMIT,
                    f"order {oid}'s receipt was already extended {self.receipt_extensions} "
                    f"time(s); at most {limit} allowed",
                    violations=[PreconditionViolation("RECEIPT_EXTENSIONS", f"orders/{oid}",
                                                      f"at most {limit}")],
                    metadata={"order_id": oid, "extensions": str(self.receipt_extensions)})
        base = self.auto_receive_time or now + policy.auto_confirm
        self.auto_receive_time = base + policy.receipt_extension
        self.receipt_extensions += 1
        self._touch(now)
        self.arm(AUTO_CONFIRM_TIMER, oid, self.auto_receive_time)
        self.record(OrderReceiptExtended(self.snapshot(), now))

    def _complete(self, action: str, by: Party, now: dt.datetime, *,
                  automatic: bool = False) -> None:
        self._move(action, now)
        self.disarm(AUTO_CONFIRM_TIMER, self.order_id)
        self.record(OrderCompleted(self.snapshot(), now, automatic, by))

    # --- price adjustment (改价) ----------------------------------------------

    def adjust_price(self, by: Party, adjust: int, reason: str, now: dt.datetime) -> None:
        """The order's one seller (or an operator) sets its adjustment
        (replacing any earlier one) while it is unpaid, spread exactly over
        the lines (``amounts.plan_adjustment``), ``OrderPriceAdjusted``.
        Refused for a main order of several sellers, another seller, a paid
        order and a presale order."""
        oid = self.order_id
        if not self.seller_id:
            raise E(pb.ERROR_REASON_MULTI_SELLER_ORDER,
                    f"order {oid} spans several sellers; no one seller can adjust its price",
                    violations=[PreconditionViolation("ORDER_SELLER", f"orders/{oid}",
                                                      "several sellers")],
                    metadata={"order_id": oid})
        self._check_acting(by, "adjust the price of", seller=self.seller_id)
        if self.status not in PRICE_ADJUSTABLE:
            raise self._refusal(pb.ERROR_REASON_PRICE_NOT_ADJUSTABLE,
                                "its price can only be adjusted before payment", "adjust_price")
        if len(self.pay_orders) > 1:
            raise E(pb.ERROR_REASON_PRESALE_ORDER,
                    f"order {oid} is a presale order (deposit + balance); its price cannot be "
                    "adjusted",
                    violations=[PreconditionViolation("ORDER_KIND", f"orders/{oid}",
                                                      "presale order")],
                    metadata={"order_id": oid})
        [po] = self.pay_orders
        plan = amounts.plan_adjustment(self.lines, po, adjust)
        for line, share in zip(self.lines, plan.shares, strict=True):
            line.adjust = share
        po.adjust, po.actual, po.updated_at = adjust, plan.pay_actual, now
        self._touch(now, *self.lines)
        self.record(OrderPriceAdjusted(self.snapshot(), now, plan.previous, reason))
