"""logistics' audit trail: the resources its changes are recorded under
(``zhongtai.audit``, in the transaction of each change) and reading one's
trail (ListAuditEntries, operators only)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from logistics import store as t
from zhongtai import audit
from zhongtai.common.v1.audit_pb2 import AuditEntry

# What is recorded, by resource id: a logistics order of any role (created
# from a paid order, planned, shipped, moved by its carrier, flagged,
# cancelled); a freight template created; a warehouse created.
LOGISTICS_ORDER, FREIGHT_TEMPLATE, WAREHOUSE = "logistics_order", "freight_template", "warehouse"
RESOURCE_TYPES = (LOGISTICS_ORDER, FREIGHT_TEMPLATE, WAREHOUSE)


async def record(s: AsyncSession, resource_type: str, resource_id: str, detail: str) -> None:
    """Record a change by the current actor, in ``s``'s transaction."""
    await audit.record(s, t.plumbing, resource_type, resource_id, detail)


async def list_trail(s: AsyncSession, *, resource_type: str, resource_id: str,
                     page_size: int, page_token: str) -> tuple[list[AuditEntry], str]:
    """One resource's trail, oldest first, by pages (``zhongtai.audit``'s
    entries; the next page's token, "" after the last)."""
    return await audit.list_entries(s, t.plumbing, resource_type, resource_id, page_size,
                                    page_token, resource_types=RESOURCE_TYPES)
