"""The one exception hierarchy of the platform.

Domain and handler code raise these; the gRPC error interceptor turns them
into statuses with ``google.rpc`` details (ErrorInfo always; BadRequest field
violations for bad input; PreconditionFailure for state conflicts). Code here
knows nothing of gRPC.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
                Aborted, Unavailable)
}


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
