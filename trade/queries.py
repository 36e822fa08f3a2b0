"""Reading orders: one by id, a buyer's or a seller's list, an order's audit
trail. Read-only.

An id may name a sub order: the answer is then the order it belongs to and
which of its lines was named (``trade.views.line_message`` shows it alone).
"""

from __future__ import annotations

from collections.abc import Sequence

from trade.order import Order
from trade.repository import AUDIT_ORDER, Page, SqlTradeUnitOfWork, TradeUnitOfWork
from zhongtai import audit, pagination
from zhongtai.auth import Identity, Role, acting_buyer, acting_seller
from zhongtai.common.v1.audit_pb2 import AuditEntry
from zhongtai.errors import InvalidArgument
from zhongtai.trade.v1 import trade_pb2 as pb

Listed = tuple[Order, str]


async def get_order(uow: TradeUnitOfWork, order_id: str, caller: Identity) -> Listed:
    """The order ``order_id`` names, and that id (a top-level or sub order),
    for who may see it (``Order.check_visible_to``)."""
    order = await uow.orders.get(order_id)
    order.check_visible_to(caller, order_id)
    return order, order_id


def listed_party(caller: Identity, buyer_id: str, seller_id: str) -> tuple[str, str]:
    """Whose orders a listing shows, from the credential: a buyer's own (it
    may leave ``buyer_id`` empty), a seller's own (``seller_id`` one of its
    sellers; empty when it acts for one), or, for staff, whom the request
    names. Naming someone else: PERMISSION_DENIED ``SUBJECT_MISMATCH``
    (refused, not filtered); exactly one of the two in the end."""
    if seller_id and not buyer_id:
        seller_id = acting_seller(caller, seller_id)
    elif buyer_id or caller.role is Role.BUYER:
        buyer_id = acting_buyer(caller, buyer_id)
    else:
        seller_id = acting_seller(caller, seller_id)
    if bool(buyer_id) == bool(seller_id):
        raise InvalidArgument.field("buyer_id", "give exactly one of buyer_id and seller_id")
    return buyer_id, seller_id


async def list_orders(uow: TradeUnitOfWork, *, caller: Identity, buyer_id: str, seller_id: str,
                      statuses: Sequence[int], page_size: int, page_token: str
                      ) -> tuple[list[Listed], str]:
    """A buyer's top-level orders (with their sub orders) or a seller's own
    single and sub orders (``listed_party``), newest first, in ``statuses``
    if any: a page and the next page's token (empty at the end)."""
    buyer_id, seller_id = listed_party(caller, buyer_id, seller_id)
    if pb.ORDER_STATUS_UNSPECIFIED in statuses:
        i = list(statuses).index(pb.ORDER_STATUS_UNSPECIFIED)
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


async def audit_trail(uow: SqlTradeUnitOfWork, *, resource_type: str, resource_id: str,
                      page_size: int, page_token: str) -> tuple[list[AuditEntry], str]:
    """A resource's audit trail, oldest first, a page at a time; an order's
    is its top-level order's (a sub order's id names its main order)."""
    if resource_type == AUDIT_ORDER and (order := await uow.orders.find(resource_id)):
        resource_id = order.order_id
    return await audit.list_entries(uow.session, uow.db.plumbing, resource_type, resource_id,
                                    page_size, page_token)
