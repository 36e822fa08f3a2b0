"""trade's unit of work and repository in memory, for unit tests of the use
cases: the same contract as ``trade.repository`` without a database.

A ``MemoryStore`` holds what committed units of work wrote (orders, request
ids); a unit of work sees it, stages its own writes and applies them only
when it commits (a rolled-back one leaves nothing). Orders are copied in
and out, so a change not saved is lost, as with the database; ``save``
checks the version and refuses an order saved meanwhile (ABORTED
``CONCURRENT_ORDER_CHANGE``). Locks are not needed: tests run one unit of
work at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from trade.order import Order
from trade.repository import Orders, Page, TradeUnitOfWork, concurrent_change
from zhongtai.idempotency import InMemoryKeyStore
from zhongtai.uow import InMemoryUnitOfWork


@dataclass
class MemoryStore:
    """What committed: orders by top-level id, and the request ids."""

    orders: dict[str, Order] = field(default_factory=dict)
    keys: InMemoryKeyStore = field(default_factory=InMemoryKeyStore)


def _copy(order: Order) -> Order:
    return order.snapshot()


class InMemoryOrders(Orders):
    uow: InMemoryTradeUnitOfWork

    def _all(self) -> dict[str, Order]:
        return {**self.uow.store.orders, **self.uow.staged}

    async def find(self, order_id: str, *, lock: bool = False) -> Order | None:
        for order in self._all().values():
            if order.order_id == order_id or any(x.order_id == order_id for x in order.lines):
                return _copy(order)
        return None

    async def by_pay_orders(self, pay_order_ids: Sequence[str], *, lock: bool = False
                            ) -> dict[str, Order]:
        return {p.pay_order_id: _copy(order) for order in self._all().values()
                for p in order.pay_orders if p.pay_order_id in pay_order_ids}

    async def by_log_order(self, log_order_id: str, *, lock: bool = False) -> Order | None:
        return next((_copy(order) for order in self._all().values() for x in order.lines
                     if x.log_order is not None and x.log_order.log_order_id == log_order_id),
                    None)

    async def by_voucher(self, code: str, *, lock: bool = False) -> Order | None:
        return next((_copy(order) for order in self._all().values()
                     if any(v.code == code for v in order.vouchers)), None)

    async def by_application(self, application_id: str, *, lock: bool = False
                             ) -> Order | None:
        return next((_copy(order) for order in self._all().values()
                     if any(c.application_id == application_id for c in order.claims)), None)

    async def page(self, page: Page) -> list[tuple[Order, str]]:
        listed: list[tuple[Order, str]] = []
        for order in self._all().values():
            if page.buyer_id and order.buyer_id == page.buyer_id:
                listed.append((order, order.order_id))
            elif page.seller_id:
                listed += [(order, x.order_id) for x in order.lines
                           if x.seller_id == page.seller_id]
        listed = [(o, x) for o, x in listed
                  if (not page.statuses or o.status in page.statuses)
                  and (page.before is None or x < page.before)]
        listed.sort(key=lambda item: item[1], reverse=True)
        return [(_copy(o), x) for o, x in listed[:page.limit]]

    async def taken_codes(self, codes: Iterable[str]) -> set[str]:
        taken = {v.code for order in self._all().values() for v in order.vouchers}
        return taken & set(codes)

    async def add(self, order: Order) -> None:
        order.version = 1
        self.uow.staged[order.order_id] = _copy(order)
        self._hand_over(order, True, None)

    async def save(self, order: Order) -> None:
        stored = self._all()[order.order_id]
        mine = _copy(order)
        mine.version = stored.version
        changed = mine != stored
        if changed:
            if order.version != stored.version:
                raise concurrent_change(order.order_id)
            order.version += 1
            mine.version = order.version
            self.uow.staged[order.order_id] = mine
        self._hand_over(order, changed, stored.status)


class InMemoryTradeUnitOfWork(InMemoryUnitOfWork, TradeUnitOfWork):
    """trade's unit of work over a ``MemoryStore`` (one per test, shared by
    the units of work a use case opens)."""

    def __init__(self, store: MemoryStore | None = None) -> None:
        super().__init__()
        self.store = store or MemoryStore()
        self.staged: dict[str, Order] = {}
        self.orders = InMemoryOrders(self)
        self.keys = self.store.keys

    async def _begin(self) -> None:
        await super()._begin()
        self.staged.clear()
        self.store.keys.begin()

    async def _commit(self) -> None:
        self.store.orders.update(self.staged)
        self.staged.clear()
        self.store.keys.commit()
        await super()._commit()

    async def _rollback(self, exc: BaseException) -> None:
        self.staged.clear()
        self.store.keys.rollback()
        await super()._rollback(exc)

    def order(self, order_id: str) -> Order:
        """The committed order (a copy), for assertions."""
        return _copy(self.store.orders[order_id])

