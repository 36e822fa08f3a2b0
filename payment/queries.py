"""Reading payments and refunds."""

from __future__ import annotations

from payment.payment import Payment, Refund
from payment.repository import PaymentUnitOfWork
from payment.rules import E
from zhongtai import pagination
from zhongtai.payment.v1 import payment_pb2 as pb


async def get_payment(uow: PaymentUnitOfWork, payment_id: str) -> Payment:
    """A payment with its parts, attempts and refunds; PAYMENT_NOT_FOUND."""
    return await uow.payments.get(payment_id)


async def list_payments(uow: PaymentUnitOfWork, pay_order_id: str, page_size: int,
                        page_token: str) -> tuple[list[Payment], str]:
    """The payments of a pay order, newest first, a page at a time (AIP-158);
    the page and the token of the next one ("" after the last)."""
    size = pagination.page_size(page_size)
    query_key = f"payments:{pay_order_id}"
    ids = await uow.payments.payments_of(
        pay_order_id, pagination.decode_token(page_token, query_key), size + 1)
    page = sorted(await uow.payments.get_many(ids[:size]), key=lambda p: p.payment_id,
                  reverse=True)
    more = len(ids) > size
    return page, pagination.encode_token(ids[size - 1], query_key) if more else ""


async def get_refund(uow: PaymentUnitOfWork, refund_id: str) -> Refund:
    """One refund; REFUND_NOT_FOUND."""
    payment_id = await uow.payments.payment_of_refund(refund_id)
    if payment_id is None:
        raise E(pb.ERROR_REASON_REFUND_NOT_FOUND, f"refund {refund_id!r} does not exist",
                metadata={"refund_id": refund_id})
    return (await uow.payments.get(payment_id)).refund(refund_id)
