"""Reading settlement: an order's clearing, accounts and their balances,
journal entries, fee rules, audit trails. Read-only; who may see what is
decided here (staff any; a merchant its own accounts and its own lines).

A balance is always the sum of the account's postings (``Journal.balances``),
computed when asked: there is no cached balance to drift from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Table, select

from settlement import fees, views
from settlement import store as t
from settlement.ledger import PostedEntry, Posting
from settlement.order import OrderClearing
from settlement.reasons import E
from settlement.reconciliation.reconcile import AUDIT_RECONCILIATION
from settlement.repository import (
    AUDIT_BATCH,
    AUDIT_CLEARING,
    AUDIT_FEE_RULE,
    AUDIT_PAYOUT,
    AUDIT_SPLIT,
    SqlSettlementUnitOfWork,
)
from zhongtai import audit, pagination
from zhongtai.auth import Identity, acting_seller
from zhongtai.common.v1.audit_pb2 import AuditEntry
from zhongtai.errors import InvalidArgument, ZhongtaiError
from zhongtai.settlement.v1 import settlement_pb2 as pb

# An account's balance: (account id, currency, sum of its postings).
Balance = tuple[str, str, int]


def posted_entry(row: Any, postings: Sequence[Any]) -> PostedEntry:
    """An entry's stored row and posting rows as a ``PostedEntry``."""
    r = row._mapping
    return PostedEntry(r["entry_id"], r["kind"], r["order_id"], r["reference"], r["reverses"],
                       r["posted_at"], tuple(Posting(p._mapping["account_id"],
                                                     p._mapping["amount"],
                                                     p._mapping["currency"]) for p in postings))


class SellerPageRequest(Protocol):
    """A page of one merchant's records (``requests.SellerPage``)."""

    seller_id: str
    page_size: int
    page_token: str


async def merchant_page(uow: SqlSettlementUnitOfWork, table: Table, key: Any,
                        req: SellerPageRequest, caller: Identity, name: str,
                        *where: ColumnElement[bool]) -> tuple[Sequence[Any], str]:
    """A page of ``table``'s rows (with ``where``), newest ``key`` first, of
    one merchant: a merchant its own (``req.seller_id`` one of its sellers);
    staff the one asked, or every merchant's."""
    seller = acting_seller(caller, req.seller_id)
    query = select(table).where(*where)
    if seller:
        query = query.where(table.c.seller_id == seller)
    return await pagination.page(uow.session, query, key, req, f"{name}:{seller}",
                                 descending=True)


def not_owner(what: str) -> ZhongtaiError:
    return E(pb.ERROR_REASON_NOT_THE_ACCOUNT_OWNER, f"{what} is not the caller's")


def owner_of(account_id: str) -> str:
    """The owner of an account id (``<kind>:<owner>``); NOT_FOUND
    ``ACCOUNT_NOT_FOUND`` for an id that names no kind of account."""
    kind, sep, owner = account_id.partition(":")
    if not sep or kind not in views.KIND_OF_ACCOUNT:
        raise E(pb.ERROR_REASON_ACCOUNT_NOT_FOUND, f"no account {account_id!r}",
                metadata={"account_id": account_id})
    return owner


def check_account(caller: Identity, account_id: str) -> None:
    """Staff any account; a merchant its own (else NOT_THE_ACCOUNT_OWNER)."""
    owner = owner_of(account_id)
    if not caller.is_staff and not (owner and caller.acts_for_seller(owner)):
        raise not_owner(f"account {account_id}")


def visible_sellers(o: OrderClearing, caller: Identity) -> list[str] | None:
    """The sellers whose lines the caller sees (None: all, for staff)."""
    if caller.is_staff:
        return None
    mine = [s for s in o.parts if caller.acts_for_seller(s)]
    if not mine:
        raise not_owner(f"order {o.order_id}")
    return mine


async def order_clearing(uow: SqlSettlementUnitOfWork, order_id: str, caller: Identity
                         ) -> tuple[OrderClearing, list[str] | None]:
    """The order's clearing and the sellers whose lines the caller sees
    (None: all, for staff; NOT_THE_ACCOUNT_OWNER for a merchant with none)."""
    o = await uow.clearings.get(order_id)
    return o, visible_sellers(o, caller)


async def account(uow: SqlSettlementUnitOfWork, account_id: str, caller: Identity
                  ) -> Balance:
    """The account's balance (its first currency; 0 in CNY with no postings)."""
    check_account(caller, account_id)
    found = await uow.journal.balances([account_id])
    return found[0] if found else (account_id, "CNY", 0)


async def accounts(uow: SqlSettlementUnitOfWork, owner_id: str, kinds: set[int],
                   req: pagination.PageRequest, caller: Identity
                   ) -> tuple[list[Balance], str]:
    """A page of accounts by id (and currency) with their balances, of one
    owner (a merchant its own) and of ``kinds`` (empty: every kind)."""
    owner = acting_seller(caller, owner_id, "owner_id") if not caller.is_staff \
        else owner_id
    listed = list(await uow.journal.balances(
        owner=owner if owner or not caller.is_staff else None))
    listed = [b for b in listed if not kinds or views.account_kind(b[0]) in kinds]
    size = pagination.page_size(req.page_size)
    query_key = f"accounts:{owner}:{sorted(kinds)}"
    after = pagination.decode_token(req.page_token, query_key) or ""
    listed = [b for b in listed if f"{b[0]}|{b[1]}" > after]
    token = pagination.encode_token(
        f"{listed[size - 1][0]}|{listed[size - 1][1]}",
        query_key) if len(listed) > size else ""
    return listed[:size], token


async def journal_entries(uow: SqlSettlementUnitOfWork, account_id: str, order_id: str,
                          req: pagination.PageRequest, caller: Identity
                          ) -> tuple[list[PostedEntry], str]:
    """A page of entries, oldest first, of one account or one order; a
    merchant sees the postings of its own accounts only."""
    if bool(account_id) == bool(order_id):
        raise InvalidArgument.field("account_id", "give exactly one of account_id and order_id")
    j, p = t.journal_entries.c, t.postings.c
    mine: list[str] | None = None
    if account_id:
        check_account(caller, account_id)
        query = select(t.journal_entries).where(j.entry_id.in_(
            select(p.entry_id).where(p.account_id == account_id)))
    else:
        sellers = visible_sellers(await uow.clearings.get(order_id), caller)
        mine = None if sellers is None else [f"merchant_{k}:{s}" for s in sellers
                                             for k in ("pending", "available")]
        query = select(t.journal_entries).where(j.order_id == order_id)
    rows, token = await pagination.page(uow.session, query, j.entry_key, req,
                                        f"entries:{account_id}:{order_id}")
    postings = await uow.journal.postings_of([r._mapping["entry_id"] for r in rows])
    return [posted_entry(r, [x for x in postings
                             if x._mapping["entry_id"] == r._mapping["entry_id"]
                             and (mine is None or x._mapping["account_id"] in mine)])
            for r in rows], token


async def fee_rules(uow: SqlSettlementUnitOfWork, business_type: str, seller_id: str,
                    req: pagination.PageRequest, caller: Identity
                    ) -> tuple[list[tuple[fees.FeeRule, dt.datetime]], str]:
    """Versions, newest effective first; a merchant the ones that apply to it."""
    r = t.fee_rules.c
    query = select(t.fee_rules)
    if business_type:
        query = query.where(r.business_type == business_type)
    if not caller.is_staff:
        query = query.where(r.seller_id.in_(["", acting_seller(caller, seller_id)]))
    elif seller_id:
        query = query.where(r.seller_id == seller_id)
    rows, token = await pagination.page(
        uow.session, query, r.fee_rule_id, req,
        f"fee_rules:{business_type}:{seller_id}", descending=True)
    return [(t.rule_from(x._mapping["rule"]), x._mapping["created_at"]) for x in rows], token


async def audit_trail(uow: SqlSettlementUnitOfWork, resource_type: str, resource_id: str,
                      req: pagination.PageRequest) -> tuple[list[AuditEntry], str]:
    """A page of one fee rule's, clearing's, batch's, payout's, report's or
    split's audit trail (operators)."""
    return await audit.list_entries(uow.session, uow.db.plumbing, resource_type,
                                    resource_id, req.page_size, req.page_token,
                                    resource_types=(AUDIT_FEE_RULE, AUDIT_CLEARING, AUDIT_BATCH,
                                                    AUDIT_PAYOUT, AUDIT_RECONCILIATION,
                                                      AUDIT_SPLIT))
