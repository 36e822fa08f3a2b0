"""Reading payments and refunds (a buyer their own, ``check_payer``; staff
any), and the audit trail of payment's resources (operators: the policy)."""

from __future__ import annotations

from payment.payment import Payment
from payment.repository import AUDITED_PAYMENT, PaymentUnitOfWork
from payment.rules import E, check_payer
from payment.values import Refund
from payment.wallet import AUDITED_BALANCE
from zhongtai import pagination
from zhongtai.auth import Identity
from zhongtai.common.v1.audit_pb2 import AuditEntry
from zhongtai.errors import InvalidArgument
from zhongtai.payment.v1 import payment_pb2 as pb

AUDITED = (AUDITED_PAYMENT, AUDITED_BALANCE)


async def get_payment(uow: PaymentUnitOfWork, payment_id: str, caller: Identity) -> Payment:
    """A payment with its parts, attempts and refunds; PAYMENT_NOT_FOUND,
    NOT_THE_PAYMENT_BUYER."""
    payment = await uow.payments.get(payment_id)
    check_payer(caller, payment_id, payment.buyer_id)
    return payment


async def list_payments(uow: PaymentUnitOfWork, pay_order_id: str, page_size: int,
                        page_token: str, caller: Identity) -> tuple[list[Payment], str]:
    """The payments of a pay order, newest first, a page at a time (AIP-158);
    the page and the token of the next one ("" after the last). A buyer
    listing a pay order with another buyer's payment is refused
    (NOT_THE_PAYMENT_BUYER), not given a filtered page."""
    size = pagination.page_size(page_size)
    query_key = f"payments:{pay_order_id}"
    ids = await uow.payments.payments_of(
        pay_order_id, pagination.decode_token(page_token, query_key), size + 1)
    page = sorted(await uow.payments.get_many(ids[:size]), key=lambda p: p.payment_id,
                  reverse=True)
    for payment in page:
        check_payer(caller, payment.payment_id, payment.buyer_id)
    more = len(ids) > size
    return page, pagination.encode_token(ids[size - 1], query_key) if more else ""


async def get_refund(uow: PaymentUnitOfWork, refund_id: str, caller: Identity) -> Refund:
    """One refund; REFUND_NOT_FOUND, NOT_THE_PAYMENT_BUYER."""
    payment_id = await uow.payments.payment_of_refund(refund_id)
    if payment_id is None:
        raise E(pb.ERROR_REASON_REFUND_NOT_FOUND, f"refund {refund_id!r} does not exist",
                metadata={"refund_id": refund_id})
    return (await get_payment(uow, payment_id, caller)).refund(refund_id)


async def audit_trail(uow: PaymentUnitOfWork, resource_type: str, resource_id: str,
                      page_size: int, page_token: str) -> tuple[list[AuditEntry], str]:
    """Who changed a payment or a balance, when, through what and how,
    oldest first, a page at a time; another resource type is INVALID_ARGUMENT."""
    if resource_type not in AUDITED:
        raise InvalidArgument.field("resource_type", f"must be one of {', '.join(AUDITED)}")
    return await uow.audit_trail(resource_type, resource_id, page_size, page_token)
