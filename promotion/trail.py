"""promotion's audit trail: every change records, in its own transaction,
one entry per resource it changes (``zhongtai.audit``: who — the credential,
or promotion itself for an event it consumed — through what, and what
changed), and operators read a resource's entries (ListAuditEntries).

The resources, by ``resource_type`` and what their ``resource_id`` is:

* ``promotion`` (promotion id): created, ended; an order's hold counting its
  budget and flash-sale units, and giving them back;
* ``coupon_template`` (template id): created; each coupon claimed;
* ``coupon`` (coupon id): claimed; locked, used, given back by orders;
* ``points_account`` (buyer id): earned; frozen, unfrozen, deducted,
  returned by orders;
* ``red_packet_pool`` (pool id): created; each packet it paid;
* ``red_packet`` (red packet id): issued; locked, used, given back by orders;
* ``stored_value_card`` (card id): issued; held, released, captured,
  refunded by orders;
* ``stacking_policy`` (``platform``, the one policy): replaced;
* ``benefit_hold`` (order id): held, released, redeemed, returned.

Amounts in the details are in minor units.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from promotion import store as t
from zhongtai import audit
from zhongtai.common.v1.audit_pb2 import AuditEntry

PROMOTION, TEMPLATE, COUPON, POINTS = "promotion", "coupon_template", "coupon", "points_account"
POOL, RED_PACKET, CARD = "red_packet_pool", "red_packet", "stored_value_card"
POLICY, HOLD = "stacking_policy", "benefit_hold"
# The stacking policy's resource id: there is one, the platform's.
PLATFORM_POLICY = "platform"
RESOURCE_TYPES = (PROMOTION, TEMPLATE, COUPON, POINTS, POOL, RED_PACKET, CARD, POLICY, HOLD)


async def record(s: AsyncSession, resource_type: str, resource_id: str, detail: str) -> None:
    """Record a change of a resource by the current actor, in ``s``'s transaction."""
    await audit.record(s, t.plumbing, resource_type, resource_id, detail)


def funder(seller_id: str) -> str:
    """Whose a rule or a pool is, for a detail."""
    return f"seller {seller_id}" if seller_id else "the platform"


async def list_audit_entries(s: AsyncSession, *, resource_type: str, resource_id: str,
                             page_size: int, page_token: str) -> tuple[list[AuditEntry], str]:
    """A resource's entries, oldest first, a page at a time (an operator's
    read; a resource_type promotion does not record is INVALID_ARGUMENT):
    ``zhongtai.audit``'s entries and the next page's token ("" after the
    last)."""
    return await audit.list_entries(s, t.plumbing, resource_type, resource_id, page_size,
                                    page_token, resource_types=RESOURCE_TYPES)
