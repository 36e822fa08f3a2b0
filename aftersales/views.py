"""Protobuf views of applications: the API's messages (an application, the
answer of a change to one, refund figures), the ``ApplicationChanged``
event and the audit trail's detail. Read-only."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from google.protobuf.message import Message

from aftersales.application import Actor, Application, HistoryEntry, StatusChanged
from zhongtai.aftersales.v1 import aftersales_pb2 as pb
from zhongtai.aftersales.v1 import events_pb2 as events
from zhongtai.common.v1.common_pb2 import Address, Operator
from zhongtai.trade.v1 import trade_pb2 as trade
from zhongtai.wire import money, timestamp

if TYPE_CHECKING:  # stats reads the store, which writes through these views
    from aftersales.stats import RefundStat

R = TypeVar("R", bound=Message)

ROLES = {"buyer": Operator.ROLE_BUYER, "seller": Operator.ROLE_SELLER,
         "operator": Operator.ROLE_OPERATOR, "system": Operator.ROLE_SYSTEM}


def operator(actor: Actor) -> Operator:
    return Operator(role=ROLES[actor.role], id=actor.id)


def history_message(entry: HistoryEntry) -> pb.HistoryEntry:
    return pb.HistoryEntry(action=entry.action, actor=operator(entry.actor),  # type: ignore[arg-type]
                           status=entry.status, note=entry.note,  # type: ignore[arg-type]
                           occur_time=timestamp(entry.at))


def application_message(app: Application) -> pb.Application:
    """The application as the API shows it (its history apart: ``history_message``)."""
    m = pb.Application(
        application_id=app.application_id, order_id=app.order_id,
        line_order_id=app.line_order_id, buyer_id=app.buyer_id, seller_id=app.seller_id,
        sku_id=app.sku_id, kind=app.kind, status=app.status,  # type: ignore[arg-type]
        reason=app.reason, note=app.note,  # type: ignore[arg-type]
        evidence_urls=list(app.evidence_urls), quantity=app.quantity,
        amount=money(app.currency, app.amount), seller_note=app.seller_note,
        reapplications=app.reapplications,
        return_shipping_bearer=app.bearer,  # type: ignore[arg-type]
        return_logistics_order_id=app.return_logistics_order_id,
        return_carrier=app.return_carrier, return_tracking_no=app.return_tracking_no,
        received_quantity=app.received_quantity,
        close_reason=app.close_reason,  # type: ignore[arg-type]
        create_time=timestamp(app.created_at),
        update_time=timestamp(app.updated_at or app.created_at))
    if app.agreed_amount is not None:
        m.agreed_amount.CopyFrom(money(app.currency, app.agreed_amount))
    if app.return_address:
        m.return_address.CopyFrom(Address.FromString(app.return_address))
    if app.return_carrier:
        m.return_shipping_fee.CopyFrom(money(app.currency, app.return_shipping_fee))
    for name, value in (("deadline_time", app.deadline_at), ("agree_time", app.agreed_at),
                        ("finish_time", app.finished_at)):
        if value is not None:
            getattr(m, name).CopyFrom(timestamp(value))
    if app.refund.agreed:
        m.refund.plan.CopyFrom(trade.RefundPlan.FromString(app.refund.plan))
        m.refund.refund_ids.extend(p.refund_id for p in app.refund.parts if p.refund_id)
        if app.status == pb.APPLICATION_STATUS_REFUNDED and app.finished_at is not None:
            m.refund.refund_time.CopyFrom(timestamp(app.finished_at))
    return m


def answer(response_type: type[R], app: Application) -> R:
    """A change's answer (``CreateApplicationResponse``, ``...Response``):
    the application as it is now."""
    return response_type(application=application_message(app))


def refund_stat(x: RefundStat) -> pb.RefundStat:
    """One seller's, reason's and currency's refund figures."""
    return pb.RefundStat(seller_id=x.seller_id, reason=x.reason,  # type: ignore[arg-type]
                         applications=x.applications, refunded=x.refunded,
                         refunded_amount=money(x.currency, x.refunded_amount),
                         closed=x.closed)


def application_changed(app: Application, event: StatusChanged) -> events.ApplicationChanged:
    """The integration event of a status change (``aftersales.application.changed``)."""
    return events.ApplicationChanged(
        application=application_message(app),
        previous_status=event.previous_status,  # type: ignore[arg-type]
        action=event.action,  # type: ignore[arg-type]
        actor=operator(event.actor), occur_time=timestamp(event.at))


def audit_detail(app: Application, last: HistoryEntry | None) -> str:
    """What a saved change did, for the audit trail: the status and the last step."""
    status = pb.ApplicationStatus.Name(app.status).removeprefix("APPLICATION_STATUS_")
    if last is None:
        return status
    action = pb.Action.Name(last.action).removeprefix("ACTION_")
    return f"{status}; {action} by {last.actor.role} {last.actor.id}".rstrip()
