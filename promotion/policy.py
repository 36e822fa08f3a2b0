"""promotion's stacking policy: the one stored row (none: the engine's
default ``Policy()``) that orders the order-level stages, excludes pairs of
kinds, refuses or caps over-discounts and prices points, as the engine's
``Policy``. A request's policy is checked by ``promotion.requests`` and shown
by ``promotion.views``. Each use case runs in the caller's transaction
(session)."""

from __future__ import annotations

import json

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from promotion import domain, engine, trail
from promotion import store as t
from zhongtai.db import changed, insert_ignore, utcnow

POLICY_ID = 1


async def load_policy(s: AsyncSession) -> engine.Policy:
    """The policy in force, as the engine takes it."""
    row = (await s.execute(select(t.stacking_policy)
                           .where(t.stacking_policy.c.policy_id == POLICY_ID))).first()
    if row is None:
        return domain.DEFAULT_POLICY
    return engine.Policy(
        order=tuple(engine.Kind(k) for k in json.loads(row.stage_order)),
        exclusions=frozenset(frozenset({engine.Kind(a), engine.Kind(b)})
                             for a, b in json.loads(row.exclusions)),
        refuse_over_discount=row.refuse_over_discount,
        floor=row.floor_minor,
        points_per_unit=row.points_per_unit,
        points_max_share_bps=row.points_max_share_bps,
        points_platform_share_bps=row.points_platform_share_bps,
    )


async def update_stacking_policy(s: AsyncSession, dialect: str, policy: engine.Policy
                                 ) -> engine.Policy:
    """Store the policy (checked: ``promotion.requests.stacking_policy``;
    the first update inserts the row); quotes from the next transaction on
    use it. Returns the policy in force."""
    values = {
        "stage_order": json.dumps([int(k) for k in policy.order]),
        "exclusions": json.dumps(domain.sorted_exclusions(policy)),
        "refuse_over_discount": policy.refuse_over_discount,
        "floor_minor": policy.floor,
        "points_per_unit": policy.points_per_unit,
        "points_max_share_bps": policy.points_max_share_bps,
        "points_platform_share_bps": policy.points_platform_share_bps,
        "updated_at": utcnow(),
    }
    if not await changed(s, insert_ignore(dialect, t.stacking_policy)
                         .values(policy_id=POLICY_ID, **values)):
        await s.execute(update(t.stacking_policy)
                        .where(t.stacking_policy.c.policy_id == POLICY_ID).values(**values))
    values.pop("updated_at")
    await trail.record(s, trail.POLICY, trail.PLATFORM_POLICY,
                       f"replaced: {json.dumps(values, sort_keys=True)}")
    return await load_policy(s)
