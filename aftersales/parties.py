"""Who may act on an application, from the credential (never from request
fields): its buyer, the seller of its line, and staff. Each refusal is
PERMISSION_DENIED ``NOT_A_PARTY_TO_THE_APPLICATION``."""

from __future__ import annotations

from aftersales.application import Actor, Application, E
from zhongtai.aftersales.v1 import aftersales_pb2 as pb
from zhongtai.auth import Identity, Role
from zhongtai.errors import ZhongtaiError


def not_a_party(app: Application) -> ZhongtaiError:
    return E(pb.ERROR_REASON_NOT_A_PARTY_TO_THE_APPLICATION,
             f"the caller is not a party to application {app.application_id}",
             metadata={"application_id": app.application_id})


def actor_of(caller: Identity, app: Application) -> Actor:
    """The history's actor for a caller acting on ``app``."""
    if caller.role is Role.BUYER:
        return Actor("buyer", caller.subject)
    if caller.role is Role.SELLER:
        return Actor("seller", app.seller_id)
    if caller.role is Role.OPERATOR:
        return Actor("operator", caller.subject)
    return Actor("system", caller.subject)


def check_buyer(app: Application, caller: Identity) -> Actor:
    """The application's own buyer only."""
    if not caller.is_buyer(app.buyer_id):
        raise not_a_party(app)
    return actor_of(caller, app)


def check_seller(app: Application, caller: Identity) -> Actor:
    """The line's seller (a credential acting for it) or an operator."""
    if not (caller.acts_for_seller(app.seller_id) or caller.role is Role.OPERATOR):
        raise not_a_party(app)
    return actor_of(caller, app)


def check_visible(app: Application, caller: Identity) -> None:
    """Its buyer, its seller and staff see an application."""
    if not (caller.is_staff or caller.is_buyer(app.buyer_id)
            or caller.acts_for_seller(app.seller_id)):
        raise not_a_party(app)
