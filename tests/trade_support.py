"""Builders for trade's Order aggregate and its use cases in memory: lines,
orders in any state, a hand-moved clock (the services trade calls are in
tests/fakes.py: ``FakeShop``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from trade.fakes import InMemoryTradeUnitOfWork
from trade.order import Deduction, Item, Line, LogOrder, Order, PayOrder, Presale, TradePolicy
from trade.order.states import BALANCE, FULL, UNPAID
from zhongtai.auth import Identity, Role
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.common.v1.common_pb2 import Address
from zhongtai.promotion.v1 import promotion_pb2 as promo
from zhongtai.trade.v1 import trade_pb2 as pb

T0 = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
POLICY = TradePolicy()
PHYSICAL, VOUCHER, SERVICE = (cat.ITEM_TYPE_PHYSICAL, cat.ITEM_TYPE_E_VOUCHER,
                              cat.ITEM_TYPE_ONLINE_SERVICE)
POINTS, CARD = promo.DEDUCTION_KIND_POINTS, promo.DEDUCTION_KIND_STORED_VALUE_CARD
FREIGHT_REDUCTION = promo.DEDUCTION_KIND_FREIGHT_REDUCTION
ADDRESS = Address(province="浙江", city="杭州", district="西湖区", detail="1号",
                  recipient_name="李", recipient_phone="13800000000")


def line(order_id: str, *, seller: str = "s1", price: int = 1000, quantity: int = 1,
         item_type: int = PHYSICAL, deductions: Sequence[Deduction] = (), freight: int = 0,
         adjust: int = 0, now: dt.datetime = T0) -> Line:
    """One line of ``quantity`` units at ``price`` (a log order if physical)."""
    return Line(order_id=order_id, seller_id=seller,
                item=Item(item_id=f"i-{order_id}", item_version=1, sku_id=f"sku-{order_id}",
                          title=order_id, category_id="c1", item_type=item_type,
                          attributes={"color": "red"}, unit_price=price,
                          weight_grams=500 if item_type == PHYSICAL else 0),
                quantity=quantity, created_at=now, updated_at=now,
                deductions=list(deductions), freight=freight, adjust=adjust,
                log_order=LogOrder(f"lo-{order_id}", pb.LOGISTICS_STATUS_UNSHIPPED, "{}", now,
                                   now) if item_type == PHYSICAL else None)


def voucher_line(order_id: str = "v", quantity: int = 2) -> Line:
    """An e-voucher line of seller ``s``."""
    return line(order_id, seller="s", item_type=VOUCHER, quantity=quantity)


def deduction(kind: int, amount: int, source: str = "src") -> Deduction:
    return Deduction(kind, source, amount, amount, 0)


def placed(*lines: Line, order_id: str = "m", buyer: str = "b1",
           presale: Presale | None = None, now: dt.datetime = T0,
           policy: TradePolicy = POLICY) -> Order:
    """A new order (INIT) of these lines: one line is a single order (it takes
    ``order_id``), more a main order."""
    if len(lines) == 1:
        lines[0].order_id = order_id
    return Order.place(order_id=order_id, buyer_id=buyer, currency="CNY", lines=list(lines),
                       pay_order_id=f"po-{order_id}",
                       balance_pay_order_id=f"pb-{order_id}" if presale else "",
                       presale=presale, now=now, policy=policy)


def waiting(*lines: Line, **kw: object) -> Order:
    """An order waiting for payment (created, events and deadlines pulled)."""
    order = placed(*lines, **kw)  # type: ignore[arg-type]
    order.creation_succeeded(T0, POLICY)
    order.pull()
    return order


def paid(*lines: Line, **kw: object) -> Order:
    """An order paid in full by payment ``pay-1`` (events pulled); one that
    points and the card cover in full is paid when it is created."""
    order = waiting(*lines, **kw)
    due = order.due_pay_order
    if due.actual == 0:
        assert order.status != pb.ORDER_STATUS_WAIT_PAY
        return order
    assert order.accept_payment(
        payment_id="pay-1", pay_order_id=due.pay_order_id, order_id=order.order_id,
        buyer_id=order.buyer_id, currency="CNY", amount=due.actual, paid_at=T0, now=T0,
        policy=POLICY,
        voucher_codes=[f"{order.order_id}-CODE{i:04d}" for i in range(order.voucher_units())]
    ) is None
    order.pull()
    return order


def pay_order(kind: int = FULL, *, actual: int = 3000, payment_id: str = "",
              window: tuple[dt.datetime, dt.datetime] | None = None) -> PayOrder:
    start, end = window or (None, None)
    return PayOrder(pay_order_id="po1", kind=kind, total=actual, point=0, discount=0,
                    stored_value=0, freight=0, adjust=0, actual=actual, status=UNPAID,
                    created_at=T0, updated_at=T0, payment_id=payment_id,
                    balance_start=start if kind == BALANCE else None,
                    balance_end=end if kind == BALANCE else None)


def create_request(*lines: tuple[str, int], **kw: object) -> pb.CreateOrderRequest:
    return pb.CreateOrderRequest(
        buyer_id="b1", address=ADDRESS,
        lines=[pb.OrderLineInput(sku_id=s, quantity=q) for s, q in lines], **kw)  # type: ignore[arg-type]


@dataclass
class Clock:
    """A clock tests move by hand."""

    now: dt.datetime = T0

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


def memory() -> InMemoryTradeUnitOfWork:
    return InMemoryTradeUnitOfWork()


async def stored(uow: InMemoryTradeUnitOfWork, *orders: Order) -> None:
    """These orders committed in ``uow``'s store, with nothing published or armed."""
    async with uow:
        for order in orders:
            await uow.orders.add(order)
    uow.published.clear()
    uow.timers.clear()


def ship(order: Order, *line_ids: str, now: dt.datetime = T0) -> None:
    """Logistics reports these lines' log orders SHIPPED (events pulled)."""
    for x in order.lines:
        if x.order_id in line_ids and x.log_order is not None:
            order.mirror_logistics(x.log_order.log_order_id, pb.LOGISTICS_STATUS_SHIPPED, now,
                                   POLICY)
    order.pull()


def paid_presale(*, price: int = 10000, quantity: int = 2, deposit: int = 1000,
                 deductions: Sequence[Deduction] = (), freight: int = 0) -> Order:
    """A presale single order ``p`` whose deposit then balance were paid
    (payments ``pay-d`` and ``pay-b``; events pulled)."""
    order = waiting(line("p", price=price, quantity=quantity, deductions=deductions,
                         freight=freight),
                    order_id="p", presale=Presale(deposit, T0, T0 + dt.timedelta(days=1)))
    for payment in ("pay-d", "pay-b"):
        due = order.due_pay_order
        assert order.accept_payment(
            payment_id=payment, pay_order_id=due.pay_order_id, order_id="p", buyer_id="b1",
            currency="CNY", amount=due.actual, paid_at=T0, now=T0, policy=POLICY) is None
    order.pull()
    return order


# Callers, as their credentials say (zhongtai.auth).
OPS = Identity(Role.OPERATOR, "ops-1")
FRONT = Identity.for_service("web-front")


def buyer(buyer_id: str = "b1") -> Identity:
    """A buyer's own credential."""
    return Identity(Role.BUYER, buyer_id)


def seller(*seller_ids: str) -> Identity:
    """A seller account's credential acting for these sellers (default s1)."""
    ids = seller_ids or ("s1",)
    return Identity(Role.SELLER, f"account-{ids[0]}", frozenset(ids))
