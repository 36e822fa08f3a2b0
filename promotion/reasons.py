"""promotion's reasons: its ErrorReason enum (promotion.proto), the one way
its code raises an error, and the refusal of a benefit that cannot be used.
Pure: the generated ``promotion_pb2`` is imported for the enum's values."""

from __future__ import annotations

from zhongtai.errors import PreconditionViolation, Reasons, ZhongtaiError
from zhongtai.promotion.v1 import promotion_pb2 as pb

# raise E(pb.ERROR_REASON_..., message, metadata=..., violations=...)
E = Reasons(pb.ErrorReason)


def not_usable(reason: int, what: str, subject_id: str, why: str, key: str) -> ZhongtaiError:
    """A benefit the request names cannot be used (COUPON_NOT_USABLE,
    RED_PACKET_NOT_USABLE, CARD_NOT_USABLE, INSUFFICIENT_CARD_BALANCE): the
    message says why; the violation's type is the reason without
    ``_NOT_USABLE``, its subject ``<what>s/<id>``; the metadata names the id
    by ``key``."""
    return E(reason, f"{what} {subject_id} cannot be used: {why}",
             violations=[PreconditionViolation(E[reason].name.removesuffix("_NOT_USABLE"),
                                               f"{what}s/{subject_id}", why)],
             metadata={key: subject_id})
