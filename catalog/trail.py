"""catalog's audit trail: the resources its changes are recorded under
(``zhongtai.audit``, in the transaction of each change) and reading one's
trail (ListAuditEntries, operators only)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from catalog import store as t
from zhongtai import audit
from zhongtai.common.v1.audit_pb2 import AuditEntry

# What is recorded, by resource id: a seller registered; an item's versions;
# a SKU's stock (adjusted, set per warehouse, shipped from a warehouse); an
# order's reservation (reserved, released, deducted, restocked).
SELLER, ITEM, STOCK, RESERVATION = "seller", "item", "stock", "reservation"
RESOURCE_TYPES = (SELLER, ITEM, STOCK, RESERVATION)


async def record(s: AsyncSession, resource_type: str, resource_id: str, detail: str) -> None:
    """Record a change by the current actor, in ``s``'s transaction."""
    await audit.record(s, t.plumbing, resource_type, resource_id, detail)


async def list_trail(s: AsyncSession, *, resource_type: str, resource_id: str, page_size: int,
                     page_token: str) -> tuple[list[AuditEntry], str]:
    """One resource's trail, oldest first, by pages (``zhongtai.audit``'s
    entries): the page and the next page's token ("" after the last); a type
    not among ``RESOURCE_TYPES`` is INVALID_ARGUMENT."""
    return await audit.list_entries(s, t.plumbing, resource_type, resource_id, page_size,
                                    page_token, resource_types=RESOURCE_TYPES)
