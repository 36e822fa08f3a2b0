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

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from google.protobuf.message import Message

from trade.order import Order
from trade.repository import Orders, Page, TradeUnitOfWork, concurrent_change
from zhongtai.common.v1 import errors_pb2
from zhongtai.errors import COMMON, ZhongtaiError, error_to_dict
from zhongtai.idempotency import Stored
from zhongtai.uow import InMemoryUnitOfWork


@dataclass
class MemoryStore:
    """What committed: orders by top-level id, request ids by (scope, key)."""

    orders: dict[str, Order] = field(default_factory=dict)
    requests: dict[tuple[str, str], Stored] = field(default_factory=dict)


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
        self._hand_over(order)

    async def save(self, order: Order) -> None:
        stored = self._all()[order.order_id]
        mine = _copy(order)
        mine.version = stored.version
        if mine != stored:
            if order.version != stored.version:
                raise concurrent_change(order.order_id)
            order.version += 1
            mine.version = order.version
            self.uow.staged[order.order_id] = mine
        self._hand_over(order)


class InMemoryRequests:
    """Idempotency records in memory (``zhongtai.idempotency.Keys`` semantics)."""

    def __init__(self, uow: InMemoryTradeUnitOfWork) -> None:
        self.uow = uow

    def _get(self, scope: str, key: str) -> Stored | None:
        if (scope, key) in self.uow.released:
            return None
        return self.uow.staged_requests.get((scope, key), self.uow.store.requests.get(
            (scope, key)))

    async def lookup(self, scope: str, key: str, digest: str) -> Stored | None:
        stored = self._get(scope, key)
        if stored is not None and stored.request_hash != digest:
            raise COMMON(errors_pb2.ERROR_REASON_IDEMPOTENCY_KEY_REUSED,
                         f"{scope} key {key!r} was already used for a different request",
                         metadata={"scope": scope, "key": key})
        return stored

    async def claim(self, scope: str, key: str, digest: str, resource_id: str) -> Stored | None:
        stored = await self.lookup(scope, key, digest)
        if stored is None:
            self.uow.released.discard((scope, key))
            self.uow.staged_requests[(scope, key)] = Stored(digest, None, None, resource_id)
        return stored

    async def complete(self, scope: str, key: str, response: Message | None = None,
                       error: ZhongtaiError | None = None) -> None:
        stored = self._get(scope, key)
        assert stored is not None
        self.uow.staged_requests[(scope, key)] = Stored(
            stored.request_hash,
            response.SerializeToString(deterministic=True) if response else None,
            json.dumps(error_to_dict(error)).encode() if error else None, stored.resource_id)

    async def release(self, scope: str, key: str) -> None:
        self.uow.staged_requests.pop((scope, key), None)
        self.uow.released.add((scope, key))


class InMemoryTradeUnitOfWork(InMemoryUnitOfWork, TradeUnitOfWork):
    """trade's unit of work over a ``MemoryStore`` (one per test, shared by
    the units of work a use case opens)."""

    def __init__(self, store: MemoryStore | None = None) -> None:
        super().__init__()
        self.store = store or MemoryStore()
        self.staged: dict[str, Order] = {}
        self.staged_requests: dict[tuple[str, str], Stored] = {}
        self.released: set[tuple[str, str]] = set()
        self.orders = InMemoryOrders(self)
        self.requests = InMemoryRequests(self)

    async def _begin(self) -> None:
        await super()._begin()
        self._clear()

    async def _commit(self) -> None:
        self.store.orders.update(self.staged)
        for key in self.released:
            self.store.requests.pop(key, None)
        self.store.requests.update(self.staged_requests)
        self._clear()
        await super()._commit()

    async def _rollback(self, exc: BaseException) -> None:
        self._clear()
        await super()._rollback(exc)

    def _clear(self) -> None:
        self.staged.clear()
        self.staged_requests.clear()
        self.released.clear()

    def order(self, order_id: str) -> Order:
        """The committed order (a copy), for assertions."""
        return _copy(self.store.orders[order_id])

