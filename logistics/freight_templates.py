"""logistics' freight use cases: sellers' freight templates and freight quotes
(the rules and the values are in ``freight``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from logistics import freight, trail, views
from logistics import store as t
from logistics.freight import FreightPackage, FreightTemplate, PackageFreight
from logistics.reasons import E
from logistics.values import Address
from zhongtai import outbox, pagination
from zhongtai.auth import Identity, acting_seller
from zhongtai.errors import InvalidArgument
from zhongtai.ids import new_id
from zhongtai.logistics.v1 import logistics_pb2 as pb


def _value(r: Any) -> FreightTemplate:
    return FreightTemplate(
        template_id=r.template_id, seller_id=r.seller_id, name=r.name,
        delivery_method=r.delivery_method, charging_basis=r.charging_basis,
        default_rule=views.freight_rule_from_json(r.default_rule),
        region_rules=views.region_rules_from_json(r.region_rules),
        free_shipping_threshold=(freight.Amount(r.currency, r.free_shipping_threshold)
                                 if r.free_shipping_threshold is not None else None),
        unlisted_regions_deliverable=r.unlisted_regions_deliverable,
        is_default=r.is_default, created_at=r.created_at)


async def create_template(s: AsyncSession, caller: Identity, tpl: FreightTemplate,
                          now: dt.datetime) -> FreightTemplate:
    """Store a seller's freight template (checked by ``freight.validate_template``;
    a seller credential only for one of its own sellers, SUBJECT_MISMATCH)
    and publish it (``FreightTemplateChanged``); the template stored."""
    acting_seller(caller, tpl.seller_id, "template.seller_id")
    freight.validate_template(tpl)
    assert tpl.default_rule is not None
    template_id = new_id()
    await s.execute(t.freight_templates.insert().values(
        template_id=template_id, seller_id=tpl.seller_id, name=tpl.name.strip(),
        delivery_method=tpl.delivery_method, charging_basis=tpl.charging_basis,
        currency=tpl.default_rule.first_fee.currency,
        default_rule=views.freight_rule_json(tpl.default_rule),
        region_rules=views.region_rules_json(tpl.region_rules),
        free_shipping_threshold=tpl.free_shipping_threshold.amount
        if tpl.free_shipping_threshold is not None else None,
        unlisted_regions_deliverable=tpl.unlisted_regions_deliverable,
        is_default=tpl.is_default, created_at=now))
    stored = await get_template(s, template_id)
    await trail.record(s, trail.FREIGHT_TEMPLATE, template_id,
                       f"created for seller {tpl.seller_id}")
    await outbox.publish(s, t.plumbing, views.template_changed(stored, now), template_id)
    return stored


async def get_template(s: AsyncSession, template_id: str) -> FreightTemplate:
    """One freight template, or FREIGHT_TEMPLATE_NOT_FOUND."""
    c = t.freight_templates.c
    row = (await s.execute(select(t.freight_templates).where(c.template_id == template_id))
           ).first()
    if row is None:
        raise E(pb.ERROR_REASON_FREIGHT_TEMPLATE_NOT_FOUND,
                f"freight template {template_id!r} does not exist",
                metadata={"template_id": template_id})
    return _value(row)


async def list_templates(s: AsyncSession, *, seller_id: str, page_size: int, page_token: str
                         ) -> tuple[list[FreightTemplate], str]:
    """A seller's freight templates, newest first, by pages: the page and the
    next page's token ("" after the last)."""
    size = pagination.page_size(page_size)
    query_key = f"freight_templates:{seller_id}"
    before = pagination.decode_token(page_token, query_key)
    c = t.freight_templates.c
    q = (select(t.freight_templates).where(c.seller_id == seller_id)
         .order_by(c.template_id.desc()).limit(size + 1))
    if before:
        q = q.where(c.template_id < before)
    rows = (await s.execute(q)).all()
    token = (pagination.encode_token(rows[size - 1].template_id, query_key)
             if len(rows) > size else "")
    return [_value(r) for r in rows[:size]], token


async def _default_template(s: AsyncSession, seller_id: str, method: int
                            ) -> FreightTemplate | None:
    c = t.freight_templates.c
    q = (select(t.freight_templates).where(c.seller_id == seller_id, c.is_default.is_(True))
         .order_by(c.template_id.desc()).limit(1))
    if method != pb.DELIVERY_METHOD_UNSPECIFIED:
        q = q.where(c.delivery_method == method)
    row = (await s.execute(q)).first()
    return _value(row) if row is not None else None


async def quote_freight(s: AsyncSession, packages: Sequence[FreightPackage],
                        destination: Address | None) -> list[PackageFreight]:
    """Price each package to ``destination`` (None: not given) with its
    template (the one named, else the seller's default for the method; none:
    free) by ``freight.quote_package``, in order. No side effects."""
    freight.validate_quote(packages, destination)
    assert destination is not None
    quoted = []
    for i, package in enumerate(packages):
        if package.template_id:
            tpl: FreightTemplate | None = await get_template(s, package.template_id)
            assert tpl is not None
            if tpl.seller_id != package.seller_id:
                raise InvalidArgument.field(f"packages[{i}].template_id",
                                            "is not a template of this seller")
            if package.delivery_method not in (pb.DELIVERY_METHOD_UNSPECIFIED,
                                               tpl.delivery_method):
                raise InvalidArgument.field(f"packages[{i}].delivery_method",
                                            "is not the template's delivery method")
        else:
            tpl = await _default_template(s, package.seller_id, package.delivery_method)
        currency = next((item.amount.currency for item in package.items
                         if item.amount.currency), "CNY")
        quoted.append(freight.quote_package(tpl, package, destination, currency))
    return quoted
