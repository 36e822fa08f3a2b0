"""logistics' values as protobuf, and back: a logistics order
(``values.LogisticsOrder``) -> ``LogisticsOrder``, a carrier's event ->
``TrackingEvent``, the events published to the outbox
(``LogisticsOrderChanged``, ``PackageChanged``), and the JSON the stored
addresses and plans are kept as (the contract's JSON mapping, so stored rows
read back exactly). No database here; the only module besides ``api`` that
builds or reads logistics' messages.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence

from google.protobuf import json_format

from logistics import freight as fr
from logistics import values as v
from logistics import warehousing as wh
from zhongtai.common.v1 import common_pb2 as common
from zhongtai.logistics.v1 import events_pb2 as ev
from zhongtai.logistics.v1 import logistics_pb2 as pb
from zhongtai.logistics.v1 import warehouse_pb2 as wpb
from zhongtai.wire import timestamp, to_datetime

_ADDRESS_FIELDS = tuple(f.name for f in common.Address.DESCRIPTOR.fields)

# --- addresses and plans -----------------------------------------------------


def address(a: v.Address) -> common.Address:
    """An address as the contract carries it."""
    return common.Address(**{name: getattr(a, name) for name in _ADDRESS_FIELDS})


def address_of(m: common.Address) -> v.Address:
    """The contract's address as a value."""
    return v.Address(**{name: getattr(m, name) for name in _ADDRESS_FIELDS})


def address_json(a: v.Address) -> str:
    """An address as stored (``logistics_orders.address``, ``return_from``)."""
    return json_format.MessageToJson(address(a), indent=None)


def address_from_json(stored: str) -> v.Address:
    """A stored address (``address_json``)."""
    return address_of(json_format.Parse(stored, common.Address()))


def shipment(x: v.Shipment) -> pb.PlannedShipment:
    """A share of a plan as the contract carries it."""
    m = pb.PlannedShipment(warehouse_id=x.warehouse_id, quantity=x.quantity,
                           transfer_from_warehouse_id=x.transfer_from_warehouse_id)
    if x.eta is not None:
        m.estimated_delivery_time.CopyFrom(timestamp(x.eta))
    return m


def shipment_of(m: pb.PlannedShipment) -> v.Shipment:
    """The contract's planned shipment as a value."""
    return v.Shipment(m.warehouse_id, m.quantity, m.transfer_from_warehouse_id,
                      to_datetime(m.estimated_delivery_time)
                      if m.HasField("estimated_delivery_time") else None)


def plan(stored: str | None) -> tuple[v.Shipment, ...]:
    """A ROLE_ORDER's stored plan (``logistics_orders.plan``; none: empty)."""
    return tuple(shipment_of(json_format.ParseDict(x, pb.PlannedShipment()))
                 for x in json.loads(stored or "[]"))


def plan_json(shipments: Iterable[v.Shipment]) -> str:
    """A ROLE_ORDER's plan as stored (``logistics_orders.plan``)."""
    return json.dumps([json_format.MessageToDict(shipment(x)) for x in shipments])


# --- logistics orders ----------------------------------------------------------


def logistics_order(lo: v.LogisticsOrder) -> pb.LogisticsOrder:
    """A logistics order (any role) as the API shows it."""
    m = pb.LogisticsOrder(
        logistics_order_id=lo.logistics_order_id, role=lo.role,  # type: ignore[arg-type]
        status=lo.status,  # type: ignore[arg-type]
        log_order_id=lo.log_order_id, order_id=lo.order_id,
        top_order_id=lo.top_order_id, seller_id=lo.seller_id, buyer_id=lo.buyer_id,
        address=address(lo.address),
        delivery_method=lo.delivery_method,  # type: ignore[arg-type]
        lines=[pb.LogisticsLine(order_id=x.order_id, sku_id=x.sku_id, quantity=x.quantity)
               for x in lo.lines],
        split=lo.split, parent_id=lo.parent_id, merged_into=lo.merged_into,
        child_ids=lo.child_ids, is_package=lo.is_package,
        carrier=lo.carrier, tracking_no=lo.tracking_no,
        tracking=[tracking_event(e) for e in lo.tracking],
        exception=lo.exception,
        flags=[pb.LogisticsFlag(flag=f.flag, note=f.note,
                                operator=common.Operator(
                                    role=f.operator.role,  # type: ignore[arg-type]
                                    id=f.operator.id),
                                create_time=timestamp(f.created_at))
               for f in lo.flags],
        shipped_quantity=lo.shipped_quantity,
        create_time=timestamp(lo.created_at), update_time=timestamp(lo.updated_at),
        plan=[shipment(x) for x in lo.plan],
        plan_note=lo.plan_note,
        application_id=lo.application_id, warehouse_id=lo.warehouse_id)
    if lo.return_from is not None:
        m.return_from.CopyFrom(address(lo.return_from))
    if lo.eta is not None:
        m.estimated_delivery_time.CopyFrom(timestamp(lo.eta))
    if lo.ship_time is not None:
        m.ship_time.CopyFrom(timestamp(lo.ship_time))
    if lo.deliver_time is not None:
        m.deliver_time.CopyFrom(timestamp(lo.deliver_time))
    return m


def logistics_orders(los: Iterable[v.LogisticsOrder]) -> list[pb.LogisticsOrder]:
    """Several logistics orders, in the order given."""
    return [logistics_order(lo) for lo in los]


def tracking_event(e: v.Tracked) -> pb.TrackingEvent:
    """A carrier's event as the timeline shows it."""
    return pb.TrackingEvent(event_id=e.event_id, milestone=e.milestone,  # type: ignore[arg-type]
                            occur_time=timestamp(e.occurred_at), location=e.location,
                            description=e.description)


# --- events published ----------------------------------------------------------


def order_changed(lo: v.LogisticsOrder, previous: int, now: dt.datetime
                  ) -> ev.LogisticsOrderChanged:
    """``logistics.order.changed``: a ROLE_ORDER or ROLE_RETURN as it is now,
    moved from ``previous``."""
    return ev.LogisticsOrderChanged(logistics_order=logistics_order(lo),
                                    previous_status=previous,  # type: ignore[arg-type]
                                    occur_time=timestamp(now))


def package_changed(package: v.LogisticsOrder, now: dt.datetime, *,
                    event: v.Tracked | None = None,
                    shipped_from: Sequence[v.ShippedUnits] = ()) -> ev.PackageChanged:
    """``logistics.package.changed``: a package (or a flagged order) as it is
    now, with the carrier's event that moved it or the warehouses its units
    left."""
    m = ev.PackageChanged(package=logistics_order(package), occur_time=timestamp(now),
                          shipped_from=[ev.ShippedUnits(sku_id=x.sku_id,
                                                        warehouse_id=x.warehouse_id,
                                                        quantity=x.quantity)
                                        for x in shipped_from])
    if event is not None:
        m.event.CopyFrom(tracking_event(event))
    return m


# --- warehouses ------------------------------------------------------------------


def warehouse(w: wh.Warehouse) -> wpb.Warehouse:
    """A warehouse as WarehouseService shows it."""
    m = wpb.Warehouse(
        warehouse_id=w.warehouse_id, name=w.name, kind=w.kind,  # type: ignore[arg-type]
        parent_warehouse_id=w.parent_warehouse_id,
        coverage=[wpb.CoverageArea(province=a.province, city=a.city, district=a.district,
                                   region_code=a.region_code, delivery_hours=a.delivery_hours)
                  for a in w.coverage],
        production_hours=w.production_hours, default_delivery_hours=w.default_delivery_hours,
        transfer_hours=w.transfer_hours, cutoff_time=w.cutoff_time, time_zone=w.time_zone,
        method_rules=[wpb.DeliveryMethodRule(
            delivery_method=r.delivery_method,  # type: ignore[arg-type]
            window_start=r.window_start, window_end=r.window_end,
            delivery_hours=r.delivery_hours) for r in w.method_rules])
    if w.address is not None:
        m.address.CopyFrom(address(w.address))
    if w.created_at is not None:
        m.create_time.CopyFrom(timestamp(w.created_at))
    return m


def warehouse_of(m: wpb.Warehouse) -> wh.Warehouse:
    """The contract's warehouse as a value (its create_time ignored)."""
    return wh.Warehouse(
        warehouse_id=m.warehouse_id, name=m.name, kind=m.kind,
        parent_warehouse_id=m.parent_warehouse_id,
        address=address_of(m.address) if m.HasField("address") else None,
        coverage=tuple(wh.CoverageArea(a.province, a.city, a.district, a.region_code,
                                       a.delivery_hours) for a in m.coverage),
        production_hours=m.production_hours, default_delivery_hours=m.default_delivery_hours,
        transfer_hours=m.transfer_hours, cutoff_time=m.cutoff_time, time_zone=m.time_zone,
        method_rules=tuple(wh.DeliveryMethodRule(r.delivery_method, r.window_start,
                                                 r.window_end, r.delivery_hours)
                           for r in m.method_rules))


def warehouse_json(w: wh.Warehouse) -> str:
    """A warehouse's definition as stored (``warehouses.definition``)."""
    return json_format.MessageToJson(warehouse(w), indent=None, sort_keys=True)


def warehouse_from_json(stored: str) -> wh.Warehouse:
    """A stored definition (``warehouse_json``)."""
    return warehouse_of(json_format.Parse(stored, wpb.Warehouse()))


def fulfilment_plan(plan: wh.Plan, paid: dt.datetime) -> wpb.PlanFulfilmentResponse:
    """PlanFulfilment's answer: the plan's packages, ETA and method, and the
    payment time it counted from."""
    return wpb.PlanFulfilmentResponse(
        packages=[planned_package(p) for p in plan.packages],
        estimated_delivery_time=timestamp(plan.eta),
        delivery_method=plan.method,  # type: ignore[arg-type]
        paid_time=timestamp(paid))


def planned_package(p: wh.Package) -> wpb.PlannedPackage:
    """One package of a plan."""
    return wpb.PlannedPackage(
        warehouse_id=p.warehouse_id, source=p.source,  # type: ignore[arg-type]
        transfer_from_warehouse_id=p.transfer_from,
        lines=[wpb.FulfilmentLine(sku_id=k, quantity=q) for k, q in p.lines],
        transfer_lines=[wpb.FulfilmentLine(sku_id=k, quantity=q) for k, q in p.transfer_lines],
        production_start_time=timestamp(p.production_start.astimezone(dt.UTC)),
        transfer_hours=p.transfer_hours, production_hours=p.production_hours,
        delivery_hours=p.delivery_hours, estimated_delivery_time=timestamp(p.eta))


# --- freight ---------------------------------------------------------------------


def amount(a: fr.Amount) -> common.Money:
    """An amount as the contract carries it."""
    return common.Money(currency_code=a.currency, amount_minor=a.amount)


def amount_of(m: common.Money) -> fr.Amount:
    """The contract's money as an amount (unchecked)."""
    return fr.Amount(m.currency_code, m.amount_minor)


def freight_rule(r: fr.FreightRule) -> pb.FreightRule:
    """A freight rule as the contract carries it."""
    return pb.FreightRule(first_units=r.first_units, first_fee=amount(r.first_fee),
                          additional_units=r.additional_units,
                          additional_fee=amount(r.additional_fee))


def freight_rule_of(m: pb.FreightRule) -> fr.FreightRule:
    """The contract's freight rule as a value."""
    return fr.FreightRule(m.first_units, amount_of(m.first_fee), m.additional_units,
                          amount_of(m.additional_fee))


def region_rule(r: fr.RegionRule) -> pb.RegionRule:
    """A region rule as the contract carries it."""
    m = pb.RegionRule(provinces=r.provinces, cities=r.cities, region_codes=r.region_codes)
    if r.rule is not None:
        m.rule.CopyFrom(freight_rule(r.rule))
    return m


def region_rule_of(m: pb.RegionRule) -> fr.RegionRule:
    """The contract's region rule as a value."""
    return fr.RegionRule(tuple(m.provinces), tuple(m.cities), tuple(m.region_codes),
                         freight_rule_of(m.rule) if m.HasField("rule") else None)


def freight_template(t: fr.FreightTemplate) -> pb.FreightTemplate:
    """A freight template as the API shows it."""
    m = pb.FreightTemplate(
        template_id=t.template_id, seller_id=t.seller_id, name=t.name,
        delivery_method=t.delivery_method,  # type: ignore[arg-type]
        charging_basis=t.charging_basis,  # type: ignore[arg-type]
        region_rules=[region_rule(r) for r in t.region_rules],
        unlisted_regions_deliverable=t.unlisted_regions_deliverable, is_default=t.is_default)
    if t.default_rule is not None:
        m.default_rule.CopyFrom(freight_rule(t.default_rule))
    if t.free_shipping_threshold is not None:
        m.free_shipping_threshold.CopyFrom(amount(t.free_shipping_threshold))
    if t.created_at is not None:
        m.create_time.CopyFrom(timestamp(t.created_at))
    return m


def freight_template_of(m: pb.FreightTemplate) -> fr.FreightTemplate:
    """The contract's freight template as a value (its create_time ignored)."""
    return fr.FreightTemplate(
        template_id=m.template_id, seller_id=m.seller_id, name=m.name,
        delivery_method=m.delivery_method, charging_basis=m.charging_basis,
        default_rule=freight_rule_of(m.default_rule) if m.HasField("default_rule") else None,
        region_rules=tuple(region_rule_of(r) for r in m.region_rules),
        free_shipping_threshold=(amount_of(m.free_shipping_threshold)
                                 if m.HasField("free_shipping_threshold") else None),
        unlisted_regions_deliverable=m.unlisted_regions_deliverable, is_default=m.is_default)


def freight_rule_json(r: fr.FreightRule) -> str:
    """A template's default rule as stored (``freight_templates.default_rule``)."""
    return json_format.MessageToJson(freight_rule(r), indent=None)


def freight_rule_from_json(stored: str) -> fr.FreightRule:
    """A stored default rule (``freight_rule_json``)."""
    return freight_rule_of(json_format.Parse(stored, pb.FreightRule()))


def region_rules_json(rules: Iterable[fr.RegionRule]) -> str:
    """A template's region rules as stored (``freight_templates.region_rules``)."""
    return json.dumps([json_format.MessageToDict(region_rule(r)) for r in rules],
                      ensure_ascii=False)


def region_rules_from_json(stored: str) -> tuple[fr.RegionRule, ...]:
    """Stored region rules (``region_rules_json``)."""
    return tuple(region_rule_of(json_format.ParseDict(x, pb.RegionRule()))
                 for x in json.loads(stored))


def freight_package_of(m: pb.FreightPackage) -> fr.FreightPackage:
    """A package of a quote request as a value."""
    return fr.FreightPackage(
        m.package_id, m.seller_id, m.template_id, m.delivery_method,
        tuple(fr.FreightItem(i.sku_id, i.quantity, i.weight_grams, amount_of(i.amount))
              for i in m.items), m.free_shipping)


def package_freight(x: fr.PackageFreight) -> pb.PackageFreight:
    """A package's freight as QuoteFreight answers it."""
    m = pb.PackageFreight(package_id=x.package_id, seller_id=x.seller_id,
                          template_id=x.template_id, freight=amount(x.freight),
                          source=x.source,  # type: ignore[arg-type]
                          units=x.units,
                          delivery_method=x.delivery_method)  # type: ignore[arg-type]
    if x.rule is not None:
        m.rule.CopyFrom(freight_rule(x.rule))
    return m


def template_changed(t: fr.FreightTemplate, now: dt.datetime) -> ev.FreightTemplateChanged:
    """``logistics.freight_template.changed``: a template as stored."""
    return ev.FreightTemplateChanged(template=freight_template(t), occur_time=timestamp(now))
