"""E-voucher codes (电子凭证): issuing fresh codes, redemption (核销), listing.

Paying an order issues one code per unit of each e-voucher line
(``Order.accept_payment``, with codes from ``fresh_codes``); the line's
seller redeems them one by one (``redeem_voucher``); the last code of an
order waiting for use completes it.
"""

from __future__ import annotations

import secrets

from trade.order import E, Order, TradePolicy, Voucher
from trade.repository import Clock, TradeUnitOfWork
from zhongtai import pagination
from zhongtai.auth import Identity, acting_seller
from zhongtai.trade.v1 import trade_pb2 as pb

# Voucher codes: 20 characters of a 32-letter alphabet without look-alikes
# (100 bits from ``secrets``): unguessable, and readable at a counter.
VOUCHER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
VOUCHER_CODE_LENGTH = 20


def new_voucher_code() -> str:
    """A random code (not yet checked against the stored ones)."""
    return "".join(secrets.choice(VOUCHER_ALPHABET) for _ in range(VOUCHER_CODE_LENGTH))


async def fresh_codes(uow: TradeUnitOfWork, n: int) -> list[str]:
    """``n`` new codes no voucher has (checked against the stored ones)."""
    codes: set[str] = set()
    while len(codes) < n:
        fresh = {new_voucher_code() for _ in range(n - len(codes))} - codes
        codes |= fresh - await uow.orders.taken_codes(fresh)
    return sorted(codes)


async def redeem_voucher(uow: TradeUnitOfWork, *, code: str, caller: Identity,
                         seller_id: str, clock: Clock, policy: TradePolicy
                         ) -> tuple[Voucher, Order]:
    """The line's seller (a seller credential for it; ``seller_id``, if
    named, one of its own) or an operator redeems a code
    (``Order.redeem_voucher``), under the order's lock (the last code
    completes the order and starts its after-sales window); the voucher and
    its order after it."""
    seller_id = acting_seller(caller, seller_id)
    order = await uow.orders.by_voucher(code, lock=True)
    if order is None:
        raise E(pb.ERROR_REASON_VOUCHER_NOT_FOUND, "no such voucher code")
    now = clock()
    voucher = order.redeem_voucher(code, order.party_of(caller, seller_id=seller_id), now)
    order.start_after_sales(now, policy)
    await uow.orders.save(order)
    return voucher, order


async def list_vouchers(uow: TradeUnitOfWork, *, order_id: str, caller: Identity,
                        page_size: int, page_token: str) -> tuple[Order, list[Voucher], str]:
    """The codes of an order by code (a main order: all its lines'; a single
    or sub order: its own), a page at a time, for who may see that order
    (``Order.check_visible_to``): the order, the page and the next page's
    token (empty at the end)."""
    order = await uow.orders.get(order_id)
    order.check_visible_to(caller, order_id)
    size = pagination.page_size(page_size)
    query_key = f"vouchers:{order_id}"
    after = pagination.decode_token(page_token, query_key)
    codes = sorted((v for v in order.vouchers
                    if order_id in (order.order_id, v.line_order_id)),
                   key=lambda v: v.code)
    codes = [v for v in codes if after is None or v.code > after]
    next_token = pagination.encode_token(codes[size - 1].code, query_key) \
        if len(codes) > size else ""
    return order, codes[:size], next_token
