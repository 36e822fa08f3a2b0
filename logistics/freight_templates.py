"""logistics' freight use cases: sellers' freight templates and freight quotes
(the rules are in ``freight``)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from google.protobuf import json_format
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from logistics import freight, trail
from logistics import store as t
from logistics.reasons import E
from zhongtai import outbox, pagination
from zhongtai.auth import Identity, acting_seller
from zhongtai.common.v1.common_pb2 import Money
from zhongtai.errors import InvalidArgument
from zhongtai.ids import new_id
from zhongtai.logistics.v1 import events_pb2 as ev
from zhongtai.logistics.v1 import logistics_pb2 as pb
from zhongtai.wire import timestamp


def _view(r: Any) -> pb.FreightTemplate:
    tpl = pb.FreightTemplate(
        template_id=r.template_id, seller_id=r.seller_id, name=r.name,
        delivery_method=r.delivery_method, charging_basis=r.charging_basis,
        default_rule=json_format.Parse(r.default_rule, pb.FreightRule()),
        region_rules=[json_format.ParseDict(x, pb.RegionRule())
                      for x in json.loads(r.region_rules)],
        unlisted_regions_deliverable=r.unlisted_regions_deliverable,
        is_default=r.is_default, create_time=timestamp(r.created_at))
    if r.free_shipping_threshold is not None:
        tpl.free_shipping_threshold.CopyFrom(
            Money(currency_code=r.currency, amount_minor=r.free_shipping_threshold))
    return tpl


async def create_template(s: AsyncSession, caller: Identity,
                          req: pb.CreateFreightTemplateRequest, now: dt.datetime
                          ) -> pb.CreateFreightTemplateResponse:
    """Store a seller's freight template (checked by ``freight.validate_template``;
    a seller credential only for one of its own sellers, SUBJECT_MISMATCH)
    and publish it (``FreightTemplateChanged``)."""
    tpl = req.template
    acting_seller(caller, tpl.seller_id, "template.seller_id")
    freight.validate_template(tpl)
    template_id = new_id()
    await s.execute(t.freight_templates.insert().values(
        template_id=template_id, seller_id=tpl.seller_id, name=tpl.name.strip(),
        delivery_method=tpl.delivery_method, charging_basis=tpl.charging_basis,
        currency=tpl.default_rule.first_fee.currency_code,
        default_rule=json_format.MessageToJson(tpl.default_rule, indent=None),
        region_rules=json.dumps([json_format.MessageToDict(r) for r in tpl.region_rules],
                                ensure_ascii=False),
        free_shipping_threshold=tpl.free_shipping_threshold.amount_minor
        if tpl.HasField("free_shipping_threshold") else None,
        unlisted_regions_deliverable=tpl.unlisted_regions_deliverable,
        is_default=tpl.is_default, created_at=now))
    view = await get_template(s, template_id)
    await trail.record(s, trail.FREIGHT_TEMPLATE, template_id,
                       f"created for seller {tpl.seller_id}")
    await outbox.publish(s, t.plumbing,
                         ev.FreightTemplateChanged(template=view, occur_time=timestamp(now)),
                         template_id)
    return pb.CreateFreightTemplateResponse(template=view)


async def get_template(s: AsyncSession, template_id: str) -> pb.FreightTemplate:
    """One freight template, or FREIGHT_TEMPLATE_NOT_FOUND."""
    c = t.freight_templates.c
    row = (await s.execute(select(t.freight_templates).where(c.template_id == template_id))
           ).first()
    if row is None:
        raise E(pb.ERROR_REASON_FREIGHT_TEMPLATE_NOT_FOUND,
                f"freight template {template_id!r} does not exist",
                metadata={"template_id": template_id})
    return _view(row)


async def list_templates(s: AsyncSession, req: pb.ListFreightTemplatesRequest
                         ) -> pb.ListFreightTemplatesResponse:
    """A seller's freight templates, newest first, by pages."""
    size = pagination.page_size(req.page_size)
    query_key = f"freight_templates:{req.seller_id}"
    before = pagination.decode_token(req.page_token, query_key)
    c = t.freight_templates.c
    q = (select(t.freight_templates).where(c.seller_id == req.seller_id)
         .order_by(c.template_id.desc()).limit(size + 1))
    if before:
        q = q.where(c.template_id < before)
    rows = (await s.execute(q)).all()
    resp = pb.ListFreightTemplatesResponse(templates=[_view(r) for r in rows[:size]])
    if len(rows) > size:
        resp.next_page_token = pagination.encode_token(rows[size - 1].template_id, query_key)
    return resp


async def _default_template(s: AsyncSession, seller_id: str, method: int
                            ) -> pb.FreightTemplate | None:
    c = t.freight_templates.c
    q = (select(t.freight_templates).where(c.seller_id == seller_id, c.is_default.is_(True))
         .order_by(c.template_id.desc()).limit(1))
    if method != pb.DELIVERY_METHOD_UNSPECIFIED:
        q = q.where(c.delivery_method == method)
    row = (await s.execute(q)).first()
    return _view(row) if row is not None else None


async def quote_freight(s: AsyncSession, req: pb.QuoteFreightRequest
                        ) -> pb.QuoteFreightResponse:
    """Price each package with its template (the one named, else the seller's
    default for the method; none: free) by ``freight.quote_package``. No side
    effects."""
    freight.validate_quote(req)
    resp = pb.QuoteFreightResponse()
    for i, package in enumerate(req.packages):
        if package.template_id:
            tpl: pb.FreightTemplate | None = await get_template(s, package.template_id)
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
        currency = next((item.amount.currency_code for item in package.items
                         if item.amount.currency_code), "CNY")
        resp.packages.append(freight.quote_package(tpl, package, req.destination, currency))
    return resp
