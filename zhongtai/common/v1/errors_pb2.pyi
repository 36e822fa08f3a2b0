from zhongtai.common.v1 import options_pb2 as _options_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor

class ErrorReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_REASON_UNSPECIFIED: _ClassVar[ErrorReason]
    ERROR_REASON_INVALID_ARGUMENT: _ClassVar[ErrorReason]
    ERROR_REASON_IDEMPOTENCY_KEY_REUSED: _ClassVar[ErrorReason]
    ERROR_REASON_REQUEST_IN_PROGRESS: _ClassVar[ErrorReason]
    ERROR_REASON_DEPENDENCY_FAILED: _ClassVar[ErrorReason]
    ERROR_REASON_INTERNAL: _ClassVar[ErrorReason]
    ERROR_REASON_CREDENTIAL_MISSING: _ClassVar[ErrorReason]
    ERROR_REASON_CREDENTIAL_INVALID: _ClassVar[ErrorReason]
    ERROR_REASON_CREDENTIAL_EXPIRED: _ClassVar[ErrorReason]
    ERROR_REASON_ROLE_NOT_ALLOWED: _ClassVar[ErrorReason]
    ERROR_REASON_NO_POLICY: _ClassVar[ErrorReason]
    ERROR_REASON_SUBJECT_MISMATCH: _ClassVar[ErrorReason]
ERROR_REASON_UNSPECIFIED: ErrorReason
ERROR_REASON_INVALID_ARGUMENT: ErrorReason
ERROR_REASON_IDEMPOTENCY_KEY_REUSED: ErrorReason
ERROR_REASON_REQUEST_IN_PROGRESS: ErrorReason
ERROR_REASON_DEPENDENCY_FAILED: ErrorReason
ERROR_REASON_INTERNAL: ErrorReason
ERROR_REASON_CREDENTIAL_MISSING: ErrorReason
ERROR_REASON_CREDENTIAL_INVALID: ErrorReason
ERROR_REASON_CREDENTIAL_EXPIRED: ErrorReason
ERROR_REASON_ROLE_NOT_ALLOWED: ErrorReason
ERROR_REASON_NO_POLICY: ErrorReason
ERROR_REASON_SUBJECT_MISMATCH: ErrorReason
