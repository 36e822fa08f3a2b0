"""Who may act on what in promotion: the one home of its ownership rules,
which the use cases apply to the caller the servicer passes them (the
credential's identity, never a request field). Pure: no database or gRPC;
the generated ``promotion_pb2`` is read for its reasons and the contract's
id length.

* **Rules** (promotions, coupon templates) are a shop's or the platform's: a
  seller credential creates and ends only its own shops' rules, at its own
  cost; a platform-wide rule (no seller in its scope) and any share of a
  rule's cost borne by the platform are for staff (operators, services)
  only — a seller cannot make other shops' goods cheaper or the platform pay
  for its discounts.
* **A buyer's benefits** (coupons, points, red packets, stored-value cards)
  are read and used by that buyer or by staff: a request naming a buyer goes
  through ``zhongtai.auth.acting_buyer`` (a buyer acts for themself, and an
  empty buyer_id means themself; staff name the buyer; a seller acts for
  none), a resource is checked against its buyer (``may_act_for``).
* **Creating value** (points, red packet pools and packets, stored-value
  cards, the stacking policy) and the order saga's calls (HoldBenefits,
  ReleaseBenefits, RedeemBenefits) are staff's by their RPCs' roles
  (``promotion.api.POLICY``): nothing a buyer or a seller calls creates value.
"""

from __future__ import annotations

from typing import Any

from promotion.reasons import E
from zhongtai.auth import Identity, acting_buyer, acting_seller, may_act_for
from zhongtai.common.v1 import options_pb2
from zhongtai.errors import InvalidArgument, ZhongtaiError
from zhongtai.promotion.v1 import promotion_pb2 as pb

_BUYER_ID: Any = pb.QuoteRequest.DESCRIPTOR.fields_by_name["buyer_id"].GetOptions()
# The longest id promotion keeps (its columns), as its contract declares.
MAX_ID = int(_BUYER_ID.Extensions[options_pb2.rules].max_len)


def rule_owner(caller: Identity, what: str, seller_id: str, platform_share_bps: int) -> None:
    """May the caller create a rule (``what``: "promotion" or "template")
    scoped to ``seller_id`` (empty: platform-wide) with the platform bearing
    ``platform_share_bps`` of its cost? Staff: any. A seller: its own shop's
    (SUBJECT_MISMATCH for another's), borne by itself; a platform-wide one or
    a platform share is PLATFORM_RULE_STAFF_ONLY."""
    if caller.is_staff:
        return
    if not seller_id:
        raise _staff_only(f"{what}.scope.seller_id",
                          f"a platform-wide {what} (no seller in its scope)")
    acting_seller(caller, seller_id, f"{what}.scope.seller_id")
    if platform_share_bps:
        raise _staff_only(f"{what}.cost_sharing.platform_share_bps",
                          f"a {what} whose cost the platform shares")


def _staff_only(field: str, what: str) -> ZhongtaiError:
    return E(pb.ERROR_REASON_PLATFORM_RULE_STAFF_ONLY,
             f"only the platform's staff may create {what}", metadata={"field": field})


def owner(caller: Identity, resource: str, *, buyer_id: str = "", seller_id: str = "") -> None:
    """The caller may act on ``resource`` ("promotions/<id>",
    "stored_value_cards/<id>") of this buyer or this seller (empty: the
    platform's): staff on any; a buyer on their own; a seller on its
    sellers'. NOT_THE_OWNER otherwise."""
    if not may_act_for(caller, buyer_id=buyer_id, seller_ids=[seller_id] if seller_id else []):
        raise E(pb.ERROR_REASON_NOT_THE_OWNER,
                f"{resource} is not the caller's to act on", metadata={"resource": resource})


def buyer_of(caller: Identity, requested: str, field: str = "buyer_id") -> str:
    """The buyer a request acts for: the caller if a buyer (``requested``
    empty or theirs; SUBJECT_MISMATCH for another), the buyer staff name (a
    seller: SUBJECT_MISMATCH) — see ``named_buyer``."""
    return named_buyer(acting_buyer(caller, requested, field), field)


def named_buyer(buyer_id: str, field: str = "buyer_id") -> str:
    """A buyer id a call acts for: required, and one promotion can keep (a
    credential's subject may be longer than promotion's ids)."""
    if not buyer_id:
        raise InvalidArgument.field(field, "is required")
    if len(buyer_id) > MAX_ID:
        raise InvalidArgument.field(field, f"must be at most {MAX_ID} characters")
    return buyer_id
