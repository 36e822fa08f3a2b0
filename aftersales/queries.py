"""Reading applications: one with its history, a listing, an audit trail.
Read-only."""

from __future__ import annotations

from aftersales.application import Application
from aftersales.parties import check_visible
from aftersales.repository import (
    AUDIT_APPLICATION,
    AfterSalesUnitOfWork,
    Filter,
    SqlAfterSalesUnitOfWork,
)
from aftersales.requests import Listing
from zhongtai import audit, pagination
from zhongtai.auth import Identity, Role, acting_buyer, acting_seller
from zhongtai.common.v1.audit_pb2 import AuditEntry
from zhongtai.errors import InvalidArgument


async def get_application(uow: AfterSalesUnitOfWork, application_id: str, caller: Identity
                          ) -> Application:
    """The application, to its buyer, its seller and staff (else
    NOT_A_PARTY_TO_THE_APPLICATION)."""
    app = await uow.applications.get(application_id)
    check_visible(app, caller)
    return app


def listed_parties(caller: Identity, buyer_id: str, seller_id: str) -> tuple[str, str]:
    """Whose applications a listing shows, from the credential: a buyer
    their own, a seller one of its sellers', staff whom they name (or
    everyone). Naming someone else is SUBJECT_MISMATCH (refused, not filtered)."""
    if buyer_id and seller_id:
        raise InvalidArgument.field("seller_id", "give at most one of buyer_id and seller_id")
    if caller.role is Role.BUYER:
        if seller_id:
            acting_seller(caller, seller_id)
        return acting_buyer(caller, buyer_id), ""
    if caller.role is Role.SELLER:
        if buyer_id:
            acting_buyer(caller, buyer_id)
        return "", acting_seller(caller, seller_id)
    return buyer_id, seller_id


async def list_applications(uow: AfterSalesUnitOfWork, caller: Identity, asked: Listing
                            ) -> tuple[list[Application], str]:
    """A page of the caller's (or, for staff, anyone's) applications, newest
    first, filtered by order and status, and the next page's token."""
    buyer_id, seller_id = listed_parties(caller, asked.buyer_id, asked.seller_id)
    statuses = asked.statuses
    size = pagination.page_size(asked.page_size)
    query_key = f"applications:{buyer_id}:{seller_id}:{asked.order_id}:{sorted(statuses)}"
    before = pagination.decode_token(asked.page_token, query_key)
    listed = await uow.applications.page(Filter(
        buyer_id=buyer_id, seller_id=seller_id, order_id=asked.order_id,
        statuses=statuses, before=before, limit=size + 1))
    token = pagination.encode_token(listed[size - 1].application_id, query_key) \
        if len(listed) > size else ""
    return listed[:size], token


async def audit_trail(uow: SqlAfterSalesUnitOfWork, resource_type: str, resource_id: str,
                      page_size: int, page_token: str) -> tuple[list[AuditEntry], str]:
    """An application's audit trail, oldest first, a page at a time."""
    return await audit.list_entries(uow.session, uow.db.plumbing, resource_type,
                                    resource_id, page_size, page_token,
                                    resource_types=(AUDIT_APPLICATION,))
