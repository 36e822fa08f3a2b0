"""The one exception hierarchy of the platform.

Domain and handler code raise these; the gRPC error interceptor turns them
into statuses with ``google.rpc`` details (ErrorInfo always; BadRequest field
violations for bad input; PreconditionFailure for state conflicts). Code here
knows nothing of gRPC.

Every reason is a value of an ``ErrorReason`` enum in the protos (the
service's own, or ``zhongtai.common.v1.ErrorReason``) that declares the one
status code it is reported with; ``Reasons`` turns such a value into the
error to raise, so no reason is a string literal in code and no reason is
reported with two codes::

    E = Reasons(trade_pb2.ErrorReason)
    raise E(trade_pb2.ERROR_REASON_ORDER_NOT_FOUND, f"order {oid} does not exist",
            metadata={"order_id": oid})
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from zhongtai.common.v1 import errors_pb2, options_pb2

ERROR_DOMAIN = "zhongtai.dev"


@dataclass(frozen=True)
class FieldViolation:
    field: str
    description: str
    reason: str = ""


@dataclass(frozen=True)
class PreconditionViolation:
    type: str
    subject: str
    description: str


class ZhongtaiError(Exception):
    """Base of every error the platform reports to callers."""

    code = "INTERNAL"  # the grpc.StatusCode name

    def __init__(
        self,
        reason: str,
        message: str,
        metadata: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.metadata = dict(metadata or {})


class InvalidArgument(ZhongtaiError):
    """Bad input; nothing was changed."""

    code = "INVALID_ARGUMENT"

    def __init__(
        self,
        violations: list[FieldViolation],
        reason: str = "INVALID_ARGUMENT",
        message: str | None = None,
    ) -> None:
        msg = message or "; ".join(f"{v.field}: {v.description}" for v in violations)
        super().__init__(reason, msg)
        self.violations = violations

    @classmethod
    def field(cls, name: str, description: str) -> InvalidArgument:
        return cls([FieldViolation(name, description)])


class NotFound(ZhongtaiError):
    code = "NOT_FOUND"


class AlreadyExists(ZhongtaiError):
    code = "ALREADY_EXISTS"


class FailedPrecondition(ZhongtaiError):
    """The system is not in a state that allows the operation."""

    code = "FAILED_PRECONDITION"

    def __init__(
        self,
        reason: str,
        message: str,
        violations: list[PreconditionViolation] | None = None,
        metadata: dict[str, str] | None = None,
    ) -> None:
        super().__init__(reason, message, metadata)
        self.violations = violations or []


class Aborted(ZhongtaiError):
    """A concurrency conflict; the caller may retry."""

    code = "ABORTED"


class Unavailable(ZhongtaiError):
    """A dependency could not be reached; the caller may retry."""

    code = "UNAVAILABLE"


class PermissionDenied(ZhongtaiError):
    """The caller is known but may not do this; nothing was changed."""

    code = "PERMISSION_DENIED"


class Unauthenticated(ZhongtaiError):
    """The caller presented no valid credential."""

    code = "UNAUTHENTICATED"


class ResourceExhausted(ZhongtaiError):
    code = "RESOURCE_EXHAUSTED"


class OutOfRange(ZhongtaiError):
    code = "OUT_OF_RANGE"


@dataclass
class Violations:
    """Collects field violations, raising them together."""

    items: list[FieldViolation] = field(default_factory=list)

    def add(self, name: str, description: str) -> None:
        self.items.append(FieldViolation(name, description))

    def check(self, ok: bool, name: str, description: str) -> None:
        if not ok:
            self.add(name, description)

    def raise_if_any(self) -> None:
        if self.items:
            raise InvalidArgument(self.items)


_BY_CODE: dict[str, type[ZhongtaiError]] = {
    cls.code: cls
    for cls in (ZhongtaiError, InvalidArgument, NotFound, AlreadyExists, FailedPrecondition,
                Aborted, Unavailable, PermissionDenied, Unauthenticated, ResourceExhausted,
                OutOfRange)
}

REASON_PREFIX = "ERROR_REASON_"


@dataclass(frozen=True)
class Reason:
    """One declared reason: its ErrorInfo name and its status code name."""

    name: str
    code: str


class Reasons:
    """A proto ``ErrorReason`` enum: what each value is called and reported as.

    Every value but the zero one must declare ``(zhongtai.common.v1.status_code)``;
    a missing one fails at import, not when the error is first raised.
    Calling the set with a value makes the error of that value's code.
    """

    def __init__(self, enum: Any) -> None:
        self.descriptor = enum.DESCRIPTOR
        self.reasons: dict[int, Reason] = {}
        for value in self.descriptor.values:
            if value.number == 0:
                continue
            code = value.GetOptions().Extensions[options_pb2.status_code]
            if not code:
                raise TypeError(f"{value.full_name} declares no (zhongtai.common.v1.status_code)")
            self.reasons[value.number] = Reason(
                value.name.removeprefix(REASON_PREFIX),
                options_pb2.StatusCode.Name(code).removeprefix("STATUS_CODE_"))

    def __getitem__(self, reason: int) -> Reason:
        try:
            return self.reasons[reason]
        except KeyError:
            raise ValueError(f"{reason} is not a value of {self.descriptor.full_name}") from None

    def __call__(
        self,
        reason: int,
        message: str,
        *,
        metadata: dict[str, str] | None = None,
        violations: Sequence[PreconditionViolation] = (),
        fields: Sequence[FieldViolation] = (),
    ) -> ZhongtaiError:
        """The error to raise for ``reason`` (a value of this enum)."""
        r = self[reason]
        cls = _BY_CODE[r.code]
        if cls is InvalidArgument:
            return InvalidArgument(list(fields), r.name, message)
        if cls is FailedPrecondition:
            return FailedPrecondition(r.name, message, list(violations), metadata)
        return cls(r.name, message, metadata)


# The reasons every service may report (zhongtai.common.v1.ErrorReason).
COMMON = Reasons(errors_pb2.ErrorReason)


def error_to_dict(error: ZhongtaiError) -> dict[str, object]:
    """A JSON-able form of an error, to replay it to a repeated request."""
    data: dict[str, object] = {
        "code": error.code,
        "reason": error.reason,
        "message": error.message,
        "metadata": error.metadata,
    }
    if isinstance(error, InvalidArgument):
        data["field_violations"] = [[v.field, v.description, v.reason] for v in error.violations]
    if isinstance(error, FailedPrecondition):
        data["precondition_violations"] = [
            [v.type, v.subject, v.description] for v in error.violations
        ]
    return data


def error_from_dict(data: dict[str, object]) -> ZhongtaiError:
    code = str(data["code"])
    reason, message = str(data["reason"]), str(data["message"])
    metadata = data.get("metadata") or {}
    assert isinstance(metadata, dict)
    if code == InvalidArgument.code:
        fvs = data.get("field_violations") or []
        assert isinstance(fvs, list)
        return InvalidArgument([FieldViolation(*v) for v in fvs], reason, message)
    if code == FailedPrecondition.code:
        pvs = data.get("precondition_violations") or []
        assert isinstance(pvs, list)
        return FailedPrecondition(
            reason, message, [PreconditionViolation(*v) for v in pvs], metadata
        )
    return _BY_CODE.get(code, ZhongtaiError)(reason, message, metadata)
