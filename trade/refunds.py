"""After-sales refunds on trade's side: what a line may still refund
(GetRefundable) and the refund claims after-sales opens, agrees and
finishes (OpenRefund, AgreeRefund, FinishRefund), and the end of the
after-sales window (its durable timer).

The rules are the Order aggregate's (``Order.open_refund``,
``agree_refund``, ``finish_refund``, ``end_after_sales``; the arithmetic in
``trade.order.refunds``); here each runs under the order's lock in one unit
of work, so two claims racing for a line are decided one after the other
(one wins, the other sees it open: LINE_REFUND_OPEN). Each call is
idempotent by the application id: a repeat answers as the first did and
records nothing.
"""

from __future__ import annotations

from trade.order import Line, Order, RefundClaim, RefundPlan, TradePolicy
from trade.order.states import E
from trade.repository import Clock, TradeUnitOfWork
from zhongtai.auth import Identity, Role
from zhongtai.errors import InvalidArgument
from zhongtai.trade.v1 import trade_pb2 as pb

KINDS = frozenset({pb.REFUND_KIND_REFUND_ONLY, pb.REFUND_KIND_RETURN_AND_REFUND})
OUTCOMES = frozenset({pb.REFUND_OUTCOME_KIND_REFUNDED, pb.REFUND_OUTCOME_KIND_CLOSED})


async def get_refundable(uow: TradeUnitOfWork, *, order_id: str, caller: Identity
                         ) -> tuple[Order, list[Line]]:
    """The top-level order ``order_id`` names (a single, sub or main order)
    and the lines the caller may see: every line for its buyer and staff
    (after-sales among them), a seller's own lines for a seller credential
    (none of its own: PERMISSION_DENIED NOT_A_PARTY_TO_THE_ORDER)."""
    order = await uow.orders.get(order_id)
    if caller.role is Role.SELLER:
        lines = [x for x in order.lines if caller.acts_for_seller(x.seller_id)]
        if not lines:
            order.check_visible_to(caller, order_id)  # refuses: not a party
        return order, lines
    order.check_visible_to(caller, order_id)
    return order, list(order.lines)


def _currency(order: Order, currency: str, field: str) -> None:
    if currency and currency != order.currency:
        raise InvalidArgument.field(field, f"must be the order's currency {order.currency}")


async def open_refund(uow: TradeUnitOfWork, *, application_id: str, line_order_id: str,
                      buyer_id: str, kind: int, quantity: int, amount: int, currency: str,
                      clock: Clock) -> tuple[Order, RefundClaim]:
    """Open (or change while open) after-sales' claim ``application_id`` on
    a line (``Order.open_refund``) under the order's lock; the order and the
    claim after it. An unknown line: NOT_FOUND ORDER_NOT_FOUND; a main
    order's id, no kind or another currency: INVALID_ARGUMENT."""
    if kind not in KINDS:
        raise InvalidArgument.field("kind", "REFUND_ONLY or RETURN_AND_REFUND")
    order = await uow.orders.get_for_update(line_order_id)
    if order.is_main and line_order_id == order.order_id:
        raise InvalidArgument.field("line_order_id", "names a main order; name one of its "
                                    "sub orders")
    _currency(order, currency, "amount.currency_code")
    claim = order.open_refund(application_id=application_id, line_order_id=line_order_id,
                              buyer_id=buyer_id, kind=kind, quantity=quantity, amount=amount,
                              now=clock())
    await uow.orders.save(order)
    return order, claim


async def _claimed(uow: TradeUnitOfWork, application_id: str) -> Order:
    order = await uow.orders.by_application(application_id, lock=True)
    if order is None:
        raise E(pb.ERROR_REASON_REFUND_NOT_FOUND,
                f"no refund claim for application {application_id!r}",
                metadata={"application_id": application_id})
    return order


async def agree_refund(uow: TradeUnitOfWork, *, application_id: str, amount: int | None,
                       currency: str, quantity: int | None, clock: Clock, returned: int = 0
                       ) -> tuple[Order, RefundPlan]:
    """After-sales agrees its claim (``Order.agree_refund``): frozen and
    allotted exactly; the same plan on a repeat. NOT_FOUND REFUND_NOT_FOUND
    for an unknown application."""
    order = await _claimed(uow, application_id)
    _currency(order, currency, "amount.currency_code")
    plan = order.agree_refund(application_id, amount=amount, quantity=quantity,
                              returned=returned, now=clock())
    await uow.orders.save(order)
    return order, plan


async def finish_refund(uow: TradeUnitOfWork, *, application_id: str, outcome: int,
                        return_shipping: int, by_seller: bool, clock: Clock,
                        policy: TradePolicy) -> Order:
    """After-sales ends its claim, REFUNDED or CLOSED
    (``Order.finish_refund``); the order after it. A repeat changes nothing."""
    if outcome not in OUTCOMES:
        raise InvalidArgument.field("outcome", "REFUNDED or CLOSED")
    order = await _claimed(uow, application_id)
    order.finish_refund(application_id, refunded=outcome == pb.REFUND_OUTCOME_KIND_REFUNDED,
                        return_shipping=return_shipping, by_seller=by_seller, now=clock(),
                        policy=policy)
    await uow.orders.save(order)
    return order


async def on_after_sales_end(uow: TradeUnitOfWork, order_id: str, clock: Clock) -> None:
    """The after-sales window's timer fired (``Order.end_after_sales``):
    ``OrderAfterSalesEnded`` once, when no claim is open."""
    order = await uow.orders.get_for_update(order_id)
    order.end_after_sales(clock())
    await uow.orders.save(order)
