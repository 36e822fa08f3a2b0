"""Trade's word before money moves: ``TradeService.CheckPayable``.

Trade owns the pay orders, so trade decides what may be paid. CreatePayment
and SwitchChannel ask it before anything is written or any channel called; a
part it would not take is refused with its reason, re-raised as payment's
reason of the same name. Trade still decides when the payment succeeds: a
part it rejects then (a stale check) is refunded (``refunds.on_payment_rejected``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from payment.rules import E
from payment.values import Part
from zhongtai.errors import PreconditionViolation
from zhongtai.grpcclient import call
from zhongtai.payment.v1 import payment_pb2 as pb
from zhongtai.trade.v1 import trade_pb2 as trade_pb
from zhongtai.trade.v1 import trade_pb2_grpc as trade_grpc
from zhongtai.wire import money

# How long payment waits for trade (less when its caller's deadline is nearer).
TRADE_TIMEOUT = 5.0

# Trade's refusal -> payment's reason (same name, FAILED_PRECONDITION).
TRADE_REFUSALS: Mapping[int, int] = {
    trade_pb.PAYMENT_REJECTION_REASON_PAY_ORDER_NOT_FOUND: pb.ERROR_REASON_PAY_ORDER_NOT_FOUND,
    trade_pb.PAYMENT_REJECTION_REASON_ORDER_MISMATCH: pb.ERROR_REASON_ORDER_MISMATCH,
    trade_pb.PAYMENT_REJECTION_REASON_BUYER_MISMATCH: pb.ERROR_REASON_BUYER_MISMATCH,
    trade_pb.PAYMENT_REJECTION_REASON_ALREADY_PAID: pb.ERROR_REASON_ALREADY_PAID,
    trade_pb.PAYMENT_REJECTION_REASON_ORDER_NOT_PAYABLE: pb.ERROR_REASON_ORDER_NOT_PAYABLE,
    trade_pb.PAYMENT_REJECTION_REASON_OUTSIDE_BALANCE_WINDOW:
        pb.ERROR_REASON_OUTSIDE_BALANCE_WINDOW,
    trade_pb.PAYMENT_REJECTION_REASON_AMOUNT_MISMATCH: pb.ERROR_REASON_AMOUNT_MISMATCH,
}


def check_trade_takes(results: Sequence[trade_pb.PayableResult], payment_id: str = "") -> None:
    """Trade's answer to CheckPayable: FAILED_PRECONDITION if it would not
    take a part, with trade's reason (the first refused part's when several
    are) and one violation per refused pay order. A pay order that
    ``payment_id`` itself paid is not refused (the payment being switched
    succeeded meanwhile)."""
    refused = [r for r in results
               if r.reason != trade_pb.PAYMENT_REJECTION_REASON_UNSPECIFIED
               and not (payment_id and r.pay_order.payment_id == payment_id)]
    if not refused:
        return
    reasons = [TRADE_REFUSALS[r.reason] for r in refused]
    names = [E[reason].name for reason in reasons]
    raise E(reasons[0], "trade would not take the payment: "
            + "; ".join(f"{n}: {r.detail}" for n, r in zip(names, refused, strict=True)),
            violations=[PreconditionViolation(n, f"pay_orders/{r.pay_order_id}", r.detail)
                        for n, r in zip(names, refused, strict=True)],
            metadata={"pay_order_ids": ",".join(r.pay_order_id for r in refused)})


async def check_payable(trade: trade_grpc.TradeServiceStub, buyer_id: str, currency: str,
                        parts: Sequence[Part], time_remaining: float | None,
                        payment_id: str = "") -> None:
    """Ask trade whether it would take these parts now (``check_trade_takes``);
    UNAVAILABLE if it cannot be asked."""
    answer = await call(trade.CheckPayable, trade_pb.CheckPayableRequest(
        buyer_id=buyer_id, parts=[trade_pb.PayablePart(
            pay_order_id=p.pay_order_id, order_id=p.order_id, amount=money(currency, p.amount))
            for p in parts]), TRADE_TIMEOUT, time_remaining)
    check_trade_takes(answer.results, payment_id)
