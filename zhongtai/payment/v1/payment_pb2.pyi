import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from zhongtai.common.v1 import audit_pb2 as _audit_pb2
from zhongtai.common.v1 import common_pb2 as _common_pb2
from zhongtai.common.v1 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Method(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    METHOD_UNSPECIFIED: _ClassVar[Method]
    METHOD_BALANCE: _ClassVar[Method]
    METHOD_SANDBOX: _ClassVar[Method]
    METHOD_CASH_ON_DELIVERY: _ClassVar[Method]

class PaymentStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYMENT_STATUS_UNSPECIFIED: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_PENDING: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_SUCCEEDED: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_CLOSED: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_REFUNDED: _ClassVar[PaymentStatus]

class RefundKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REFUND_KIND_UNSPECIFIED: _ClassVar[RefundKind]
    REFUND_KIND_REQUESTED: _ClassVar[RefundKind]
    REFUND_KIND_EXCEPTION: _ClassVar[RefundKind]

class RefundStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REFUND_STATUS_UNSPECIFIED: _ClassVar[RefundStatus]
    REFUND_STATUS_PENDING: _ClassVar[RefundStatus]
    REFUND_STATUS_SUCCEEDED: _ClassVar[RefundStatus]
    REFUND_STATUS_FAILED: _ClassVar[RefundStatus]

class ErrorReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_REASON_UNSPECIFIED: _ClassVar[ErrorReason]
    ERROR_REASON_PAYMENT_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_REFUND_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_ILLEGAL_PAYMENT_TRANSITION: _ClassVar[ErrorReason]
    ERROR_REASON_ILLEGAL_ATTEMPT_TRANSITION: _ClassVar[ErrorReason]
    ERROR_REASON_ILLEGAL_REFUND_TRANSITION: _ClassVar[ErrorReason]
    ERROR_REASON_PAYMENT_NOT_PENDING: _ClassVar[ErrorReason]
    ERROR_REASON_PAYMENT_NOT_REFUNDABLE: _ClassVar[ErrorReason]
    ERROR_REASON_REFUND_EXCEEDS_CAPTURED: _ClassVar[ErrorReason]
    ERROR_REASON_METHOD_NOT_SUPPORTED: _ClassVar[ErrorReason]
    ERROR_REASON_PAY_ORDER_CLOSED: _ClassVar[ErrorReason]
    ERROR_REASON_PAY_ORDER_ALREADY_PAID: _ClassVar[ErrorReason]
    ERROR_REASON_PAYMENT_IN_PROGRESS: _ClassVar[ErrorReason]
    ERROR_REASON_INSUFFICIENT_BALANCE: _ClassVar[ErrorReason]
    ERROR_REASON_CHANNEL_REFUSED: _ClassVar[ErrorReason]
    ERROR_REASON_CHANNEL_NOT_CONFIGURED: _ClassVar[ErrorReason]
    ERROR_REASON_CHANNEL_UNAVAILABLE: _ClassVar[ErrorReason]
    ERROR_REASON_CONCURRENT_PAYMENT_CHANGE: _ClassVar[ErrorReason]
    ERROR_REASON_CONCURRENT_ATTEMPT_CHANGE: _ClassVar[ErrorReason]
    ERROR_REASON_CONCURRENT_REFUND: _ClassVar[ErrorReason]
    ERROR_REASON_BALANCE_ENTRY_EXISTS: _ClassVar[ErrorReason]
    ERROR_REASON_PAY_ORDER_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_ORDER_MISMATCH: _ClassVar[ErrorReason]
    ERROR_REASON_BUYER_MISMATCH: _ClassVar[ErrorReason]
    ERROR_REASON_ALREADY_PAID: _ClassVar[ErrorReason]
    ERROR_REASON_ORDER_NOT_PAYABLE: _ClassVar[ErrorReason]
    ERROR_REASON_OUTSIDE_BALANCE_WINDOW: _ClassVar[ErrorReason]
    ERROR_REASON_AMOUNT_MISMATCH: _ClassVar[ErrorReason]
    ERROR_REASON_NOT_THE_PAYMENT_BUYER: _ClassVar[ErrorReason]
METHOD_UNSPECIFIED: Method
METHOD_BALANCE: Method
METHOD_SANDBOX: Method
METHOD_CASH_ON_DELIVERY: Method
PAYMENT_STATUS_UNSPECIFIED: PaymentStatus
PAYMENT_STATUS_PENDING: PaymentStatus
PAYMENT_STATUS_SUCCEEDED: PaymentStatus
PAYMENT_STATUS_CLOSED: PaymentStatus
PAYMENT_STATUS_REFUNDED: PaymentStatus
REFUND_KIND_UNSPECIFIED: RefundKind
REFUND_KIND_REQUESTED: RefundKind
REFUND_KIND_EXCEPTION: RefundKind
REFUND_STATUS_UNSPECIFIED: RefundStatus
REFUND_STATUS_PENDING: RefundStatus
REFUND_STATUS_SUCCEEDED: RefundStatus
REFUND_STATUS_FAILED: RefundStatus
ERROR_REASON_UNSPECIFIED: ErrorReason
ERROR_REASON_PAYMENT_NOT_FOUND: ErrorReason
ERROR_REASON_REFUND_NOT_FOUND: ErrorReason
ERROR_REASON_ILLEGAL_PAYMENT_TRANSITION: ErrorReason
ERROR_REASON_ILLEGAL_ATTEMPT_TRANSITION: ErrorReason
ERROR_REASON_ILLEGAL_REFUND_TRANSITION: ErrorReason
ERROR_REASON_PAYMENT_NOT_PENDING: ErrorReason
ERROR_REASON_PAYMENT_NOT_REFUNDABLE: ErrorReason
ERROR_REASON_REFUND_EXCEEDS_CAPTURED: ErrorReason
ERROR_REASON_METHOD_NOT_SUPPORTED: ErrorReason
ERROR_REASON_PAY_ORDER_CLOSED: ErrorReason
ERROR_REASON_PAY_ORDER_ALREADY_PAID: ErrorReason
ERROR_REASON_PAYMENT_IN_PROGRESS: ErrorReason
ERROR_REASON_INSUFFICIENT_BALANCE: ErrorReason
ERROR_REASON_CHANNEL_REFUSED: ErrorReason
ERROR_REASON_CHANNEL_NOT_CONFIGURED: ErrorReason
ERROR_REASON_CHANNEL_UNAVAILABLE: ErrorReason
ERROR_REASON_CONCURRENT_PAYMENT_CHANGE: ErrorReason
ERROR_REASON_CONCURRENT_ATTEMPT_CHANGE: ErrorReason
ERROR_REASON_CONCURRENT_REFUND: ErrorReason
ERROR_REASON_BALANCE_ENTRY_EXISTS: ErrorReason
ERROR_REASON_PAY_ORDER_NOT_FOUND: ErrorReason
ERROR_REASON_ORDER_MISMATCH: ErrorReason
ERROR_REASON_BUYER_MISMATCH: ErrorReason
ERROR_REASON_ALREADY_PAID: ErrorReason
ERROR_REASON_ORDER_NOT_PAYABLE: ErrorReason
ERROR_REASON_OUTSIDE_BALANCE_WINDOW: ErrorReason
ERROR_REASON_AMOUNT_MISMATCH: ErrorReason
ERROR_REASON_NOT_THE_PAYMENT_BUYER: ErrorReason

class PaymentMethod(_message.Message):
    __slots__ = ("method", "display_name", "available", "unavailable_reason")
    METHOD_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    UNAVAILABLE_REASON_FIELD_NUMBER: _ClassVar[int]
    method: Method
    display_name: str
    available: bool
    unavailable_reason: str
    def __init__(self, method: _Optional[_Union[Method, str]] = ..., display_name: _Optional[str] = ..., available: _Optional[bool] = ..., unavailable_reason: _Optional[str] = ...) -> None: ...

class ListPaymentMethodsRequest(_message.Message):
    __slots__ = ("buyer_id", "amount", "address")
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    buyer_id: str
    amount: _common_pb2.Money
    address: _common_pb2.Address
    def __init__(self, buyer_id: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., address: _Optional[_Union[_common_pb2.Address, _Mapping]] = ...) -> None: ...

class ListPaymentMethodsResponse(_message.Message):
    __slots__ = ("methods",)
    METHODS_FIELD_NUMBER: _ClassVar[int]
    methods: _containers.RepeatedCompositeFieldContainer[PaymentMethod]
    def __init__(self, methods: _Optional[_Iterable[_Union[PaymentMethod, _Mapping]]] = ...) -> None: ...

class PaymentAttempt(_message.Message):
    __slots__ = ("attempt_id", "method", "status", "channel_transaction_id", "pay_url", "create_time", "paid_time", "buyer_paid_amount", "channel_discount_amount")
    ATTEMPT_ID_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    PAY_URL_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    PAID_TIME_FIELD_NUMBER: _ClassVar[int]
    BUYER_PAID_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_DISCOUNT_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    attempt_id: str
    method: Method
    status: PaymentStatus
    channel_transaction_id: str
    pay_url: str
    create_time: _timestamp_pb2.Timestamp
    paid_time: _timestamp_pb2.Timestamp
    buyer_paid_amount: _common_pb2.Money
    channel_discount_amount: _common_pb2.Money
    def __init__(self, attempt_id: _Optional[str] = ..., method: _Optional[_Union[Method, str]] = ..., status: _Optional[_Union[PaymentStatus, str]] = ..., channel_transaction_id: _Optional[str] = ..., pay_url: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., paid_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., buyer_paid_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., channel_discount_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class PaymentPart(_message.Message):
    __slots__ = ("pay_order_id", "order_id", "amount")
    PAY_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    pay_order_id: str
    order_id: str
    amount: _common_pb2.Money
    def __init__(self, pay_order_id: _Optional[str] = ..., order_id: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class Refund(_message.Message):
    __slots__ = ("refund_id", "payment_id", "attempt_id", "kind", "amount", "status", "reason", "create_time", "pay_order_id", "payer_amount", "channel_discount_amount")
    REFUND_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    PAY_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    PAYER_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_DISCOUNT_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    refund_id: str
    payment_id: str
    attempt_id: str
    kind: RefundKind
    amount: _common_pb2.Money
    status: RefundStatus
    reason: str
    create_time: _timestamp_pb2.Timestamp
    pay_order_id: str
    payer_amount: _common_pb2.Money
    channel_discount_amount: _common_pb2.Money
    def __init__(self, refund_id: _Optional[str] = ..., payment_id: _Optional[str] = ..., attempt_id: _Optional[str] = ..., kind: _Optional[_Union[RefundKind, str]] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., status: _Optional[_Union[RefundStatus, str]] = ..., reason: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., pay_order_id: _Optional[str] = ..., payer_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., channel_discount_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class Payment(_message.Message):
    __slots__ = ("payment_id", "buyer_id", "parts", "amount", "status", "method", "attempts", "winning_attempt_id", "refunded_amount", "refunds", "create_time", "update_time")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    PARTS_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    WINNING_ATTEMPT_ID_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REFUNDS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    buyer_id: str
    parts: _containers.RepeatedCompositeFieldContainer[PaymentPart]
    amount: _common_pb2.Money
    status: PaymentStatus
    method: Method
    attempts: _containers.RepeatedCompositeFieldContainer[PaymentAttempt]
    winning_attempt_id: str
    refunded_amount: _common_pb2.Money
    refunds: _containers.RepeatedCompositeFieldContainer[Refund]
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, payment_id: _Optional[str] = ..., buyer_id: _Optional[str] = ..., parts: _Optional[_Iterable[_Union[PaymentPart, _Mapping]]] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., status: _Optional[_Union[PaymentStatus, str]] = ..., method: _Optional[_Union[Method, str]] = ..., attempts: _Optional[_Iterable[_Union[PaymentAttempt, _Mapping]]] = ..., winning_attempt_id: _Optional[str] = ..., refunded_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., refunds: _Optional[_Iterable[_Union[Refund, _Mapping]]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreatePaymentRequest(_message.Message):
    __slots__ = ("request_id", "buyer_id", "parts", "method")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    PARTS_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    buyer_id: str
    parts: _containers.RepeatedCompositeFieldContainer[PaymentPart]
    method: Method
    def __init__(self, request_id: _Optional[str] = ..., buyer_id: _Optional[str] = ..., parts: _Optional[_Iterable[_Union[PaymentPart, _Mapping]]] = ..., method: _Optional[_Union[Method, str]] = ...) -> None: ...

class CreatePaymentResponse(_message.Message):
    __slots__ = ("payment",)
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    payment: Payment
    def __init__(self, payment: _Optional[_Union[Payment, _Mapping]] = ...) -> None: ...

class SwitchChannelRequest(_message.Message):
    __slots__ = ("request_id", "payment_id", "method")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    payment_id: str
    method: Method
    def __init__(self, request_id: _Optional[str] = ..., payment_id: _Optional[str] = ..., method: _Optional[_Union[Method, str]] = ...) -> None: ...

class SwitchChannelResponse(_message.Message):
    __slots__ = ("payment",)
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    payment: Payment
    def __init__(self, payment: _Optional[_Union[Payment, _Mapping]] = ...) -> None: ...

class GetPaymentRequest(_message.Message):
    __slots__ = ("payment_id",)
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    def __init__(self, payment_id: _Optional[str] = ...) -> None: ...

class GetPaymentResponse(_message.Message):
    __slots__ = ("payment",)
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    payment: Payment
    def __init__(self, payment: _Optional[_Union[Payment, _Mapping]] = ...) -> None: ...

class ListPaymentsRequest(_message.Message):
    __slots__ = ("pay_order_id", "page_size", "page_token")
    PAY_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    pay_order_id: str
    page_size: int
    page_token: str
    def __init__(self, pay_order_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListPaymentsResponse(_message.Message):
    __slots__ = ("payments", "next_page_token")
    PAYMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    payments: _containers.RepeatedCompositeFieldContainer[Payment]
    next_page_token: str
    def __init__(self, payments: _Optional[_Iterable[_Union[Payment, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ClosePaymentRequest(_message.Message):
    __slots__ = ("request_id", "payment_id", "reason")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    payment_id: str
    reason: str
    def __init__(self, request_id: _Optional[str] = ..., payment_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ClosePaymentResponse(_message.Message):
    __slots__ = ("payment",)
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    payment: Payment
    def __init__(self, payment: _Optional[_Union[Payment, _Mapping]] = ...) -> None: ...

class CreateRefundRequest(_message.Message):
    __slots__ = ("request_id", "payment_id", "amount", "reason", "pay_order_id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    PAY_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    payment_id: str
    amount: _common_pb2.Money
    reason: str
    pay_order_id: str
    def __init__(self, request_id: _Optional[str] = ..., payment_id: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., reason: _Optional[str] = ..., pay_order_id: _Optional[str] = ...) -> None: ...

class CreateRefundResponse(_message.Message):
    __slots__ = ("refund",)
    REFUND_FIELD_NUMBER: _ClassVar[int]
    refund: Refund
    def __init__(self, refund: _Optional[_Union[Refund, _Mapping]] = ...) -> None: ...

class GetRefundRequest(_message.Message):
    __slots__ = ("refund_id",)
    REFUND_ID_FIELD_NUMBER: _ClassVar[int]
    refund_id: str
    def __init__(self, refund_id: _Optional[str] = ...) -> None: ...

class GetRefundResponse(_message.Message):
    __slots__ = ("refund",)
    REFUND_FIELD_NUMBER: _ClassVar[int]
    refund: Refund
    def __init__(self, refund: _Optional[_Union[Refund, _Mapping]] = ...) -> None: ...

class BalanceAccount(_message.Message):
    __slots__ = ("buyer_id", "balance")
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    BALANCE_FIELD_NUMBER: _ClassVar[int]
    buyer_id: str
    balance: _common_pb2.Money
    def __init__(self, buyer_id: _Optional[str] = ..., balance: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class TopUpBalanceRequest(_message.Message):
    __slots__ = ("request_id", "buyer_id", "amount")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    buyer_id: str
    amount: _common_pb2.Money
    def __init__(self, request_id: _Optional[str] = ..., buyer_id: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class TopUpBalanceResponse(_message.Message):
    __slots__ = ("account",)
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    account: BalanceAccount
    def __init__(self, account: _Optional[_Union[BalanceAccount, _Mapping]] = ...) -> None: ...

class GetBalanceRequest(_message.Message):
    __slots__ = ("buyer_id", "currency_code")
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    buyer_id: str
    currency_code: str
    def __init__(self, buyer_id: _Optional[str] = ..., currency_code: _Optional[str] = ...) -> None: ...

class GetBalanceResponse(_message.Message):
    __slots__ = ("account",)
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    account: BalanceAccount
    def __init__(self, account: _Optional[_Union[BalanceAccount, _Mapping]] = ...) -> None: ...

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
