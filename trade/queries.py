"""Reading orders: one by id, a buyer's or a seller's list. Read-only.

An id may name a sub order: the answer is then the order it belongs to and
which of its lines was named (``trade.views.line_message`` shows it alone).
"""

from __future__ import annotations

from collections.abc import Sequence

from trade.order import Order
from trade.repository import Page, TradeUnitOfWork
from zhongtai import pagination
from zhongtai.errors import InvalidArgument
from zhongtai.trade.v1 import trade_pb2 as pb

Listed = tuple[Order, str]


async def get_order(uow: TradeUnitOfWork, order_id: str) -> Listed:
    """The order ``order_id`` names, and that id (a top-level or sub order)."""
    if not order_id:
        raise InvalidArgument.field("order_id", "is required")
    return await uow.orders.get(order_id), order_id


async def list_orders(uow: TradeUnitOfWork, *, buyer_id: str, seller_id: str,
                      statuses: Sequence[int], page_size: int, page_token: str
                      ) -> tuple[list[Listed], str]:
    """A buyer's top-level orders (with their sub orders) or a seller's own
    single and sub orders, newest first, in ``statuses`` if any: a page and
    the next page's token (empty at the end)."""
    if bool(buyer_id) == bool(seller_id):
        raise InvalidArgument.field("buyer_id", "give exactly one of buyer_id and seller_id")
    for i, status in enumerate(statuses):
        if status not in pb.OrderStatus.values() or status == pb.ORDER_STATUS_UNSPECIFIED:
            raise InvalidArgument.field(f"statuses[{i}]", "is not an order status")
    size = pagination.page_size(page_size)
    query_key = f"orders:{buyer_id}:{seller_id}:{sorted(statuses)}"
    before = pagination.decode_token(page_token, query_key)
    listed = await uow.orders.page(Page(buyer_id=buyer_id, seller_id=seller_id,
                                        statuses=tuple(statuses), before=before,
                                        limit=size + 1))
    next_token = pagination.encode_token(listed[size - 1][1], query_key) \
        if len(listed) > size else ""
    return listed[:size], next_token
