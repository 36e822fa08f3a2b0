import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from zhongtai.common.v1 import audit_pb2 as _audit_pb2
from zhongtai.common.v1 import common_pb2 as _common_pb2
from zhongtai.common.v1 import options_pb2 as _options_pb2
from zhongtai.trade.v1 import trade_pb2 as _trade_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ErrorReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_REASON_UNSPECIFIED: _ClassVar[ErrorReason]
    ERROR_REASON_APPLICATION_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_ILLEGAL_APPLICATION_TRANSITION: _ClassVar[ErrorReason]
    ERROR_REASON_NOT_A_PARTY_TO_THE_APPLICATION: _ClassVar[ErrorReason]
    ERROR_REASON_REAPPLICATION_LIMIT: _ClassVar[ErrorReason]
    ERROR_REASON_RETURN_NOT_APPLICABLE: _ClassVar[ErrorReason]
    ERROR_REASON_CONCURRENT_APPLICATION_CHANGE: _ClassVar[ErrorReason]
    ERROR_REASON_RECEIPT_EXCEEDS_RETURN: _ClassVar[ErrorReason]

class ApplicationKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    APPLICATION_KIND_UNSPECIFIED: _ClassVar[ApplicationKind]
    APPLICATION_KIND_REFUND_ONLY: _ClassVar[ApplicationKind]
    APPLICATION_KIND_RETURN_AND_REFUND: _ClassVar[ApplicationKind]

class ApplicationReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    APPLICATION_REASON_UNSPECIFIED: _ClassVar[ApplicationReason]
    APPLICATION_REASON_DAMAGED: _ClassVar[ApplicationReason]
    APPLICATION_REASON_WRONG_ITEM: _ClassVar[ApplicationReason]
    APPLICATION_REASON_NOT_AS_DESCRIBED: _ClassVar[ApplicationReason]
    APPLICATION_REASON_QUALITY_ISSUE: _ClassVar[ApplicationReason]
    APPLICATION_REASON_MISSING_PARTS: _ClassVar[ApplicationReason]
    APPLICATION_REASON_NOT_RECEIVED: _ClassVar[ApplicationReason]
    APPLICATION_REASON_CHANGED_MIND: _ClassVar[ApplicationReason]
    APPLICATION_REASON_OTHER: _ClassVar[ApplicationReason]

class Bearer(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BEARER_UNSPECIFIED: _ClassVar[Bearer]
    BEARER_BUYER: _ClassVar[Bearer]
    BEARER_SELLER: _ClassVar[Bearer]

class ApplicationStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    APPLICATION_STATUS_UNSPECIFIED: _ClassVar[ApplicationStatus]
    APPLICATION_STATUS_WAIT_SELLER_REVIEW: _ClassVar[ApplicationStatus]
    APPLICATION_STATUS_REJECTED: _ClassVar[ApplicationStatus]
    APPLICATION_STATUS_ARBITRATING: _ClassVar[ApplicationStatus]
    APPLICATION_STATUS_WAIT_BUYER_RETURN: _ClassVar[ApplicationStatus]
    APPLICATION_STATUS_WAIT_SELLER_RECEIVE: _ClassVar[ApplicationStatus]
    APPLICATION_STATUS_WAIT_BUYER_CONFIRM: _ClassVar[ApplicationStatus]
    APPLICATION_STATUS_REFUNDING: _ClassVar[ApplicationStatus]
    APPLICATION_STATUS_REFUNDED: _ClassVar[ApplicationStatus]
    APPLICATION_STATUS_CLOSED: _ClassVar[ApplicationStatus]

class CloseReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CLOSE_REASON_UNSPECIFIED: _ClassVar[CloseReason]
    CLOSE_REASON_WITHDRAWN: _ClassVar[CloseReason]
    CLOSE_REASON_ARBITRATION_REJECTED: _ClassVar[CloseReason]
    CLOSE_REASON_REAPPLY_EXPIRED: _ClassVar[CloseReason]
    CLOSE_REASON_RETURN_NOT_SHIPPED: _ClassVar[CloseReason]

class Action(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACTION_UNSPECIFIED: _ClassVar[Action]
    ACTION_APPLIED: _ClassVar[Action]
    ACTION_REAPPLIED: _ClassVar[Action]
    ACTION_WITHDRAWN: _ClassVar[Action]
    ACTION_APPROVED: _ClassVar[Action]
    ACTION_APPROVED_BY_TIMEOUT: _ClassVar[Action]
    ACTION_REJECTED: _ClassVar[Action]
    ACTION_ESCALATED: _ClassVar[Action]
    ACTION_ARBITRATED_APPROVED: _ClassVar[Action]
    ACTION_ARBITRATED_REJECTED: _ClassVar[Action]
    ACTION_RETURN_SHIPPED: _ClassVar[Action]
    ACTION_RETURN_DELIVERED: _ClassVar[Action]
    ACTION_RETURN_RECEIVED: _ClassVar[Action]
    ACTION_RETURN_PARTLY_RECEIVED: _ClassVar[Action]
    ACTION_RECEIVED_BY_TIMEOUT: _ClassVar[Action]
    ACTION_REDUCED_REFUND_ACCEPTED: _ClassVar[Action]
    ACTION_REFUND_STARTED: _ClassVar[Action]
    ACTION_REFUNDED: _ClassVar[Action]
    ACTION_CLOSED_BY_TIMEOUT: _ClassVar[Action]

class Decision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DECISION_UNSPECIFIED: _ClassVar[Decision]
    DECISION_APPROVE: _ClassVar[Decision]
    DECISION_REJECT: _ClassVar[Decision]
ERROR_REASON_UNSPECIFIED: ErrorReason
ERROR_REASON_APPLICATION_NOT_FOUND: ErrorReason
ERROR_REASON_ILLEGAL_APPLICATION_TRANSITION: ErrorReason
ERROR_REASON_NOT_A_PARTY_TO_THE_APPLICATION: ErrorReason
ERROR_REASON_REAPPLICATION_LIMIT: ErrorReason
ERROR_REASON_RETURN_NOT_APPLICABLE: ErrorReason
ERROR_REASON_CONCURRENT_APPLICATION_CHANGE: ErrorReason
ERROR_REASON_RECEIPT_EXCEEDS_RETURN: ErrorReason
APPLICATION_KIND_UNSPECIFIED: ApplicationKind
APPLICATION_KIND_REFUND_ONLY: ApplicationKind
APPLICATION_KIND_RETURN_AND_REFUND: ApplicationKind
APPLICATION_REASON_UNSPECIFIED: ApplicationReason
APPLICATION_REASON_DAMAGED: ApplicationReason
APPLICATION_REASON_WRONG_ITEM: ApplicationReason
APPLICATION_REASON_NOT_AS_DESCRIBED: ApplicationReason
APPLICATION_REASON_QUALITY_ISSUE: ApplicationReason
APPLICATION_REASON_MISSING_PARTS: ApplicationReason
APPLICATION_REASON_NOT_RECEIVED: ApplicationReason
APPLICATION_REASON_CHANGED_MIND: ApplicationReason
APPLICATION_REASON_OTHER: ApplicationReason
BEARER_UNSPECIFIED: Bearer
BEARER_BUYER: Bearer
BEARER_SELLER: Bearer
APPLICATION_STATUS_UNSPECIFIED: ApplicationStatus
APPLICATION_STATUS_WAIT_SELLER_REVIEW: ApplicationStatus
APPLICATION_STATUS_REJECTED: ApplicationStatus
APPLICATION_STATUS_ARBITRATING: ApplicationStatus
APPLICATION_STATUS_WAIT_BUYER_RETURN: ApplicationStatus
APPLICATION_STATUS_WAIT_SELLER_RECEIVE: ApplicationStatus
APPLICATION_STATUS_WAIT_BUYER_CONFIRM: ApplicationStatus
APPLICATION_STATUS_REFUNDING: ApplicationStatus
APPLICATION_STATUS_REFUNDED: ApplicationStatus
APPLICATION_STATUS_CLOSED: ApplicationStatus
CLOSE_REASON_UNSPECIFIED: CloseReason
CLOSE_REASON_WITHDRAWN: CloseReason
CLOSE_REASON_ARBITRATION_REJECTED: CloseReason
CLOSE_REASON_REAPPLY_EXPIRED: CloseReason
CLOSE_REASON_RETURN_NOT_SHIPPED: CloseReason
ACTION_UNSPECIFIED: Action
ACTION_APPLIED: Action
ACTION_REAPPLIED: Action
ACTION_WITHDRAWN: Action
ACTION_APPROVED: Action
ACTION_APPROVED_BY_TIMEOUT: Action
ACTION_REJECTED: Action
ACTION_ESCALATED: Action
ACTION_ARBITRATED_APPROVED: Action
ACTION_ARBITRATED_REJECTED: Action
ACTION_RETURN_SHIPPED: Action
ACTION_RETURN_DELIVERED: Action
ACTION_RETURN_RECEIVED: Action
ACTION_RETURN_PARTLY_RECEIVED: Action
ACTION_RECEIVED_BY_TIMEOUT: Action
ACTION_REDUCED_REFUND_ACCEPTED: Action
ACTION_REFUND_STARTED: Action
ACTION_REFUNDED: Action
ACTION_CLOSED_BY_TIMEOUT: Action
DECISION_UNSPECIFIED: Decision
DECISION_APPROVE: Decision
DECISION_REJECT: Decision

class HistoryEntry(_message.Message):
    __slots__ = ("action", "actor", "status", "note", "occur_time")
    ACTION_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    action: Action
    actor: _common_pb2.Operator
    status: ApplicationStatus
    note: str
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, action: _Optional[_Union[Action, str]] = ..., actor: _Optional[_Union[_common_pb2.Operator, _Mapping]] = ..., status: _Optional[_Union[ApplicationStatus, str]] = ..., note: _Optional[str] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RefundOutcome(_message.Message):
    __slots__ = ("plan", "refund_ids", "refund_time")
    PLAN_FIELD_NUMBER: _ClassVar[int]
    REFUND_IDS_FIELD_NUMBER: _ClassVar[int]
    REFUND_TIME_FIELD_NUMBER: _ClassVar[int]
    plan: _trade_pb2.RefundPlan
    refund_ids: _containers.RepeatedScalarFieldContainer[str]
    refund_time: _timestamp_pb2.Timestamp
    def __init__(self, plan: _Optional[_Union[_trade_pb2.RefundPlan, _Mapping]] = ..., refund_ids: _Optional[_Iterable[str]] = ..., refund_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Application(_message.Message):
    __slots__ = ("application_id", "order_id", "line_order_id", "buyer_id", "seller_id", "sku_id", "kind", "status", "reason", "note", "evidence_urls", "quantity", "amount", "agreed_amount", "seller_note", "reapplications", "return_shipping_bearer", "return_logistics_order_id", "return_carrier", "return_tracking_no", "return_address", "received_quantity", "deadline_time", "refund", "close_reason", "create_time", "update_time", "agree_time", "finish_time", "return_shipping_fee")
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    LINE_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_URLS_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    AGREED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    SELLER_NOTE_FIELD_NUMBER: _ClassVar[int]
    REAPPLICATIONS_FIELD_NUMBER: _ClassVar[int]
    RETURN_SHIPPING_BEARER_FIELD_NUMBER: _ClassVar[int]
    RETURN_LOGISTICS_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    RETURN_CARRIER_FIELD_NUMBER: _ClassVar[int]
    RETURN_TRACKING_NO_FIELD_NUMBER: _ClassVar[int]
    RETURN_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_TIME_FIELD_NUMBER: _ClassVar[int]
    REFUND_FIELD_NUMBER: _ClassVar[int]
    CLOSE_REASON_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    AGREE_TIME_FIELD_NUMBER: _ClassVar[int]
    FINISH_TIME_FIELD_NUMBER: _ClassVar[int]
    RETURN_SHIPPING_FEE_FIELD_NUMBER: _ClassVar[int]
    application_id: str
    order_id: str
    line_order_id: str
    buyer_id: str
    seller_id: str
    sku_id: str
    kind: ApplicationKind
    status: ApplicationStatus
    reason: ApplicationReason
    note: str
    evidence_urls: _containers.RepeatedScalarFieldContainer[str]
    quantity: int
    amount: _common_pb2.Money
    agreed_amount: _common_pb2.Money
    seller_note: str
    reapplications: int
    return_shipping_bearer: Bearer
    return_logistics_order_id: str
    return_carrier: str
    return_tracking_no: str
    return_address: _common_pb2.Address
    received_quantity: int
    deadline_time: _timestamp_pb2.Timestamp
    refund: RefundOutcome
    close_reason: CloseReason
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    agree_time: _timestamp_pb2.Timestamp
    finish_time: _timestamp_pb2.Timestamp
    return_shipping_fee: _common_pb2.Money
    def __init__(self, application_id: _Optional[str] = ..., order_id: _Optional[str] = ..., line_order_id: _Optional[str] = ..., buyer_id: _Optional[str] = ..., seller_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., kind: _Optional[_Union[ApplicationKind, str]] = ..., status: _Optional[_Union[ApplicationStatus, str]] = ..., reason: _Optional[_Union[ApplicationReason, str]] = ..., note: _Optional[str] = ..., evidence_urls: _Optional[_Iterable[str]] = ..., quantity: _Optional[int] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., agreed_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., seller_note: _Optional[str] = ..., reapplications: _Optional[int] = ..., return_shipping_bearer: _Optional[_Union[Bearer, str]] = ..., return_logistics_order_id: _Optional[str] = ..., return_carrier: _Optional[str] = ..., return_tracking_no: _Optional[str] = ..., return_address: _Optional[_Union[_common_pb2.Address, _Mapping]] = ..., received_quantity: _Optional[int] = ..., deadline_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., refund: _Optional[_Union[RefundOutcome, _Mapping]] = ..., close_reason: _Optional[_Union[CloseReason, str]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., agree_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finish_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., return_shipping_fee: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class CreateApplicationRequest(_message.Message):
    __slots__ = ("request_id", "line_order_id", "kind", "reason", "note", "evidence_urls", "quantity", "amount")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    LINE_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_URLS_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    line_order_id: str
    kind: ApplicationKind
    reason: ApplicationReason
    note: str
    evidence_urls: _containers.RepeatedScalarFieldContainer[str]
    quantity: int
    amount: _common_pb2.Money
    def __init__(self, request_id: _Optional[str] = ..., line_order_id: _Optional[str] = ..., kind: _Optional[_Union[ApplicationKind, str]] = ..., reason: _Optional[_Union[ApplicationReason, str]] = ..., note: _Optional[str] = ..., evidence_urls: _Optional[_Iterable[str]] = ..., quantity: _Optional[int] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class CreateApplicationResponse(_message.Message):
    __slots__ = ("application",)
    APPLICATION_FIELD_NUMBER: _ClassVar[int]
    application: Application
    def __init__(self, application: _Optional[_Union[Application, _Mapping]] = ...) -> None: ...

class GetApplicationRequest(_message.Message):
    __slots__ = ("application_id",)
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    application_id: str
    def __init__(self, application_id: _Optional[str] = ...) -> None: ...

class GetApplicationResponse(_message.Message):
    __slots__ = ("application", "history")
    APPLICATION_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    application: Application
    history: _containers.RepeatedCompositeFieldContainer[HistoryEntry]
    def __init__(self, application: _Optional[_Union[Application, _Mapping]] = ..., history: _Optional[_Iterable[_Union[HistoryEntry, _Mapping]]] = ...) -> None: ...

class ListApplicationsRequest(_message.Message):
    __slots__ = ("buyer_id", "seller_id", "statuses", "order_id", "page_size", "page_token")
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    buyer_id: str
    seller_id: str
    statuses: _containers.RepeatedScalarFieldContainer[ApplicationStatus]
    order_id: str
    page_size: int
    page_token: str
    def __init__(self, buyer_id: _Optional[str] = ..., seller_id: _Optional[str] = ..., statuses: _Optional[_Iterable[_Union[ApplicationStatus, str]]] = ..., order_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListApplicationsResponse(_message.Message):
    __slots__ = ("applications", "next_page_token")
    APPLICATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    applications: _containers.RepeatedCompositeFieldContainer[Application]
    next_page_token: str
    def __init__(self, applications: _Optional[_Iterable[_Union[Application, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateApplicationRequest(_message.Message):
    __slots__ = ("request_id", "application_id", "kind", "reason", "note", "evidence_urls", "quantity", "amount")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_URLS_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    application_id: str
    kind: ApplicationKind
    reason: ApplicationReason
    note: str
    evidence_urls: _containers.RepeatedScalarFieldContainer[str]
    quantity: int
    amount: _common_pb2.Money
    def __init__(self, request_id: _Optional[str] = ..., application_id: _Optional[str] = ..., kind: _Optional[_Union[ApplicationKind, str]] = ..., reason: _Optional[_Union[ApplicationReason, str]] = ..., note: _Optional[str] = ..., evidence_urls: _Optional[_Iterable[str]] = ..., quantity: _Optional[int] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class UpdateApplicationResponse(_message.Message):
    __slots__ = ("application",)
    APPLICATION_FIELD_NUMBER: _ClassVar[int]
    application: Application
    def __init__(self, application: _Optional[_Union[Application, _Mapping]] = ...) -> None: ...

class WithdrawApplicationRequest(_message.Message):
    __slots__ = ("request_id", "application_id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    application_id: str
    def __init__(self, request_id: _Optional[str] = ..., application_id: _Optional[str] = ...) -> None: ...

class WithdrawApplicationResponse(_message.Message):
    __slots__ = ("application",)
    APPLICATION_FIELD_NUMBER: _ClassVar[int]
    application: Application
    def __init__(self, application: _Optional[_Union[Application, _Mapping]] = ...) -> None: ...

class ApproveApplicationRequest(_message.Message):
    __slots__ = ("request_id", "application_id", "note")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    application_id: str
    note: str
    def __init__(self, request_id: _Optional[str] = ..., application_id: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class ApproveApplicationResponse(_message.Message):
    __slots__ = ("application",)
    APPLICATION_FIELD_NUMBER: _ClassVar[int]
    application: Application
    def __init__(self, application: _Optional[_Union[Application, _Mapping]] = ...) -> None: ...

class RejectApplicationRequest(_message.Message):
    __slots__ = ("request_id", "application_id", "note")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    application_id: str
    note: str
    def __init__(self, request_id: _Optional[str] = ..., application_id: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class RejectApplicationResponse(_message.Message):
    __slots__ = ("application",)
    APPLICATION_FIELD_NUMBER: _ClassVar[int]
    application: Application
    def __init__(self, application: _Optional[_Union[Application, _Mapping]] = ...) -> None: ...

class EscalateApplicationRequest(_message.Message):
    __slots__ = ("request_id", "application_id", "note")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    application_id: str
    note: str
    def __init__(self, request_id: _Optional[str] = ..., application_id: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class EscalateApplicationResponse(_message.Message):
    __slots__ = ("application",)
    APPLICATION_FIELD_NUMBER: _ClassVar[int]
    application: Application
    def __init__(self, application: _Optional[_Union[Application, _Mapping]] = ...) -> None: ...

class ArbitrateApplicationRequest(_message.Message):
    __slots__ = ("request_id", "application_id", "decision", "amount", "note")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    application_id: str
    decision: Decision
    amount: _common_pb2.Money
    note: str
    def __init__(self, request_id: _Optional[str] = ..., application_id: _Optional[str] = ..., decision: _Optional[_Union[Decision, str]] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., note: _Optional[str] = ...) -> None: ...

class ArbitrateApplicationResponse(_message.Message):
    __slots__ = ("application",)
    APPLICATION_FIELD_NUMBER: _ClassVar[int]
    application: Application
    def __init__(self, application: _Optional[_Union[Application, _Mapping]] = ...) -> None: ...

class ShipReturnRequest(_message.Message):
    __slots__ = ("request_id", "application_id", "carrier", "tracking_no", "shipping_fee")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    TRACKING_NO_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_FEE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    application_id: str
    carrier: str
    tracking_no: str
    shipping_fee: _common_pb2.Money
    def __init__(self, request_id: _Optional[str] = ..., application_id: _Optional[str] = ..., carrier: _Optional[str] = ..., tracking_no: _Optional[str] = ..., shipping_fee: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class ShipReturnResponse(_message.Message):
    __slots__ = ("application",)
    APPLICATION_FIELD_NUMBER: _ClassVar[int]
    application: Application
    def __init__(self, application: _Optional[_Union[Application, _Mapping]] = ...) -> None: ...

class ConfirmReturnReceiptRequest(_message.Message):
    __slots__ = ("request_id", "application_id", "received_quantity", "amount", "note")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    application_id: str
    received_quantity: int
    amount: _common_pb2.Money
    note: str
    def __init__(self, request_id: _Optional[str] = ..., application_id: _Optional[str] = ..., received_quantity: _Optional[int] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., note: _Optional[str] = ...) -> None: ...

class ConfirmReturnReceiptResponse(_message.Message):
    __slots__ = ("application",)
    APPLICATION_FIELD_NUMBER: _ClassVar[int]
    application: Application
    def __init__(self, application: _Optional[_Union[Application, _Mapping]] = ...) -> None: ...

class AcceptReducedRefundRequest(_message.Message):
    __slots__ = ("request_id", "application_id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    application_id: str
    def __init__(self, request_id: _Optional[str] = ..., application_id: _Optional[str] = ...) -> None: ...

class AcceptReducedRefundResponse(_message.Message):
    __slots__ = ("application",)
    APPLICATION_FIELD_NUMBER: _ClassVar[int]
    application: Application
    def __init__(self, application: _Optional[_Union[Application, _Mapping]] = ...) -> None: ...

class GetRefundStatsRequest(_message.Message):
    __slots__ = ("seller_id", "start_time", "end_time")
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    seller_id: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, seller_id: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RefundStat(_message.Message):
    __slots__ = ("seller_id", "reason", "applications", "refunded", "refunded_amount", "closed")
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    APPLICATIONS_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CLOSED_FIELD_NUMBER: _ClassVar[int]
    seller_id: str
    reason: ApplicationReason
    applications: int
    refunded: int
    refunded_amount: _common_pb2.Money
    closed: int
    def __init__(self, seller_id: _Optional[str] = ..., reason: _Optional[_Union[ApplicationReason, str]] = ..., applications: _Optional[int] = ..., refunded: _Optional[int] = ..., refunded_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., closed: _Optional[int] = ...) -> None: ...

class GetRefundStatsResponse(_message.Message):
    __slots__ = ("stats",)
    STATS_FIELD_NUMBER: _ClassVar[int]
    stats: _containers.RepeatedCompositeFieldContainer[RefundStat]
    def __init__(self, stats: _Optional[_Iterable[_Union[RefundStat, _Mapping]]] = ...) -> None: ...

class ListAuditEntriesRequest(_message.Message):
    __slots__ = ("resource_type", "resource_id", "page_size", "page_token")
    RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    resource_type: str
    resource_id: str
    page_size: int
    page_token: str
    def __init__(self, resource_type: _Optional[str] = ..., resource_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAuditEntriesResponse(_message.Message):
    __slots__ = ("entries", "next_page_token")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[_audit_pb2.AuditEntry]
    next_page_token: str
    def __init__(self, entries: _Optional[_Iterable[_Union[_audit_pb2.AuditEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
