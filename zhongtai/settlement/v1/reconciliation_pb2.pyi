import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from zhongtai.common.v1 import common_pb2 as _common_pb2
from zhongtai.common.v1 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ReconciliationErrorReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RECONCILIATION_ERROR_REASON_UNSPECIFIED: _ClassVar[ReconciliationErrorReason]
    RECONCILIATION_ERROR_REASON_REPORT_NOT_FOUND: _ClassVar[ReconciliationErrorReason]
    RECONCILIATION_ERROR_REASON_STATEMENT_UNAVAILABLE: _ClassVar[ReconciliationErrorReason]

class TransactionType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRANSACTION_TYPE_UNSPECIFIED: _ClassVar[TransactionType]
    TRANSACTION_TYPE_PAY: _ClassVar[TransactionType]
    TRANSACTION_TYPE_REFUND: _ClassVar[TransactionType]

class DifferenceKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DIFFERENCE_KIND_UNSPECIFIED: _ClassVar[DifferenceKind]
    DIFFERENCE_KIND_MISSING_HERE: _ClassVar[DifferenceKind]
    DIFFERENCE_KIND_MISSING_AT_CHANNEL: _ClassVar[DifferenceKind]
    DIFFERENCE_KIND_AMOUNT_MISMATCH: _ClassVar[DifferenceKind]
    DIFFERENCE_KIND_STATUS_MISMATCH: _ClassVar[DifferenceKind]
    DIFFERENCE_KIND_TIMING: _ClassVar[DifferenceKind]
RECONCILIATION_ERROR_REASON_UNSPECIFIED: ReconciliationErrorReason
RECONCILIATION_ERROR_REASON_REPORT_NOT_FOUND: ReconciliationErrorReason
RECONCILIATION_ERROR_REASON_STATEMENT_UNAVAILABLE: ReconciliationErrorReason
TRANSACTION_TYPE_UNSPECIFIED: TransactionType
TRANSACTION_TYPE_PAY: TransactionType
TRANSACTION_TYPE_REFUND: TransactionType
DIFFERENCE_KIND_UNSPECIFIED: DifferenceKind
DIFFERENCE_KIND_MISSING_HERE: DifferenceKind
DIFFERENCE_KIND_MISSING_AT_CHANNEL: DifferenceKind
DIFFERENCE_KIND_AMOUNT_MISMATCH: DifferenceKind
DIFFERENCE_KIND_STATUS_MISMATCH: DifferenceKind
DIFFERENCE_KIND_TIMING: DifferenceKind

class ReconciledTransaction(_message.Message):
    __slots__ = ("type", "reference", "channel_transaction_id", "amount", "status", "time")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    type: TransactionType
    reference: str
    channel_transaction_id: str
    amount: _common_pb2.Money
    status: str
    time: _timestamp_pb2.Timestamp
    def __init__(self, type: _Optional[_Union[TransactionType, str]] = ..., reference: _Optional[str] = ..., channel_transaction_id: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., status: _Optional[str] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ReconciliationDifference(_message.Message):
    __slots__ = ("kind", "reference", "channel", "ours")
    KIND_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    OURS_FIELD_NUMBER: _ClassVar[int]
    kind: DifferenceKind
    reference: str
    channel: ReconciledTransaction
    ours: ReconciledTransaction
    def __init__(self, kind: _Optional[_Union[DifferenceKind, str]] = ..., reference: _Optional[str] = ..., channel: _Optional[_Union[ReconciledTransaction, _Mapping]] = ..., ours: _Optional[_Union[ReconciledTransaction, _Mapping]] = ...) -> None: ...

class DifferenceCount(_message.Message):
    __slots__ = ("kind", "count")
    KIND_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    kind: DifferenceKind
    count: int
    def __init__(self, kind: _Optional[_Union[DifferenceKind, str]] = ..., count: _Optional[int] = ...) -> None: ...

class ReconciliationReport(_message.Message):
    __slots__ = ("channel", "date", "channel_rows", "our_rows", "matched", "matched_carried", "unmatched", "differences", "create_time", "provisional")
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_ROWS_FIELD_NUMBER: _ClassVar[int]
    OUR_ROWS_FIELD_NUMBER: _ClassVar[int]
    MATCHED_FIELD_NUMBER: _ClassVar[int]
    MATCHED_CARRIED_FIELD_NUMBER: _ClassVar[int]
    UNMATCHED_FIELD_NUMBER: _ClassVar[int]
    DIFFERENCES_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    PROVISIONAL_FIELD_NUMBER: _ClassVar[int]
    channel: str
    date: str
    channel_rows: int
    our_rows: int
    matched: int
    matched_carried: int
    unmatched: _containers.RepeatedCompositeFieldContainer[DifferenceCount]
    differences: _containers.RepeatedCompositeFieldContainer[ReconciliationDifference]
    create_time: _timestamp_pb2.Timestamp
    provisional: bool
    def __init__(self, channel: _Optional[str] = ..., date: _Optional[str] = ..., channel_rows: _Optional[int] = ..., our_rows: _Optional[int] = ..., matched: _Optional[int] = ..., matched_carried: _Optional[int] = ..., unmatched: _Optional[_Iterable[_Union[DifferenceCount, _Mapping]]] = ..., differences: _Optional[_Iterable[_Union[ReconciliationDifference, _Mapping]]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., provisional: _Optional[bool] = ...) -> None: ...

class ReconcileDayRequest(_message.Message):
    __slots__ = ("request_id", "channel", "date")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    channel: str
    date: str
    def __init__(self, request_id: _Optional[str] = ..., channel: _Optional[str] = ..., date: _Optional[str] = ...) -> None: ...

class ReconcileDayResponse(_message.Message):
    __slots__ = ("report",)
    REPORT_FIELD_NUMBER: _ClassVar[int]
    report: ReconciliationReport
    def __init__(self, report: _Optional[_Union[ReconciliationReport, _Mapping]] = ...) -> None: ...

class GetReconciliationReportRequest(_message.Message):
    __slots__ = ("channel", "date")
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    channel: str
    date: str
    def __init__(self, channel: _Optional[str] = ..., date: _Optional[str] = ...) -> None: ...

class GetReconciliationReportResponse(_message.Message):
    __slots__ = ("report",)
    REPORT_FIELD_NUMBER: _ClassVar[int]
    report: ReconciliationReport
    def __init__(self, report: _Optional[_Union[ReconciliationReport, _Mapping]] = ...) -> None: ...

class ExportReconciliationReportRequest(_message.Message):
    __slots__ = ("channel", "date")
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    channel: str
    date: str
    def __init__(self, channel: _Optional[str] = ..., date: _Optional[str] = ...) -> None: ...

class ExportReconciliationReportResponse(_message.Message):
    __slots__ = ("csv",)
    CSV_FIELD_NUMBER: _ClassVar[int]
    csv: str
    def __init__(self, csv: _Optional[str] = ...) -> None: ...
