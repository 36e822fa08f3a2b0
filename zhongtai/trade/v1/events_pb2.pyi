import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from zhongtai.common.v1 import common_pb2 as _common_pb2
from zhongtai.trade.v1 import trade_pb2 as _trade_pb2
from zhongtai.common.v1 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OrderCreated(_message.Message):
    __slots__ = ("order", "occur_time")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    order: _trade_pb2.Order
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, order: _Optional[_Union[_trade_pb2.Order, _Mapping]] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OrderCreationFailed(_message.Message):
    __slots__ = ("order", "occur_time")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    order: _trade_pb2.Order
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, order: _Optional[_Union[_trade_pb2.Order, _Mapping]] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OrderCancelled(_message.Message):
    __slots__ = ("order", "operator", "occur_time", "paid")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    PAID_FIELD_NUMBER: _ClassVar[int]
    order: _trade_pb2.Order
    operator: _common_pb2.Operator
    occur_time: _timestamp_pb2.Timestamp
    paid: bool
    def __init__(self, order: _Optional[_Union[_trade_pb2.Order, _Mapping]] = ..., operator: _Optional[_Union[_common_pb2.Operator, _Mapping]] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., paid: _Optional[bool] = ...) -> None: ...

class OrderPaid(_message.Message):
    __slots__ = ("order", "payment_id", "occur_time")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    order: _trade_pb2.Order
    payment_id: str
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, order: _Optional[_Union[_trade_pb2.Order, _Mapping]] = ..., payment_id: _Optional[str] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PaymentRejected(_message.Message):
    __slots__ = ("order_id", "pay_order_id", "payment_id", "amount", "reason", "occur_time", "reason_code")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    PAY_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    pay_order_id: str
    payment_id: str
    amount: _common_pb2.Money
    reason: str
    occur_time: _timestamp_pb2.Timestamp
    reason_code: _trade_pb2.PaymentRejectionReason
    def __init__(self, order_id: _Optional[str] = ..., pay_order_id: _Optional[str] = ..., payment_id: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., reason: _Optional[str] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason_code: _Optional[_Union[_trade_pb2.PaymentRejectionReason, str]] = ...) -> None: ...

class OrderPriceAdjusted(_message.Message):
    __slots__ = ("order", "previous_adjust_amount", "reason", "occur_time")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_ADJUST_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    order: _trade_pb2.Order
    previous_adjust_amount: _common_pb2.Money
    reason: str
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, order: _Optional[_Union[_trade_pb2.Order, _Mapping]] = ..., previous_adjust_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., reason: _Optional[str] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OrderShipped(_message.Message):
    __slots__ = ("order", "occur_time")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    order: _trade_pb2.Order
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, order: _Optional[_Union[_trade_pb2.Order, _Mapping]] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OrderCompleted(_message.Message):
    __slots__ = ("order", "automatic", "operator", "occur_time")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    AUTOMATIC_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    order: _trade_pb2.Order
    automatic: bool
    operator: _common_pb2.Operator
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, order: _Optional[_Union[_trade_pb2.Order, _Mapping]] = ..., automatic: _Optional[bool] = ..., operator: _Optional[_Union[_common_pb2.Operator, _Mapping]] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OrderReceiptExtended(_message.Message):
    __slots__ = ("order", "occur_time")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    order: _trade_pb2.Order
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, order: _Optional[_Union[_trade_pb2.Order, _Mapping]] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class VouchersIssued(_message.Message):
    __slots__ = ("order", "vouchers", "occur_time")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    VOUCHERS_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    order: _trade_pb2.Order
    vouchers: _containers.RepeatedCompositeFieldContainer[_trade_pb2.Voucher]
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, order: _Optional[_Union[_trade_pb2.Order, _Mapping]] = ..., vouchers: _Optional[_Iterable[_Union[_trade_pb2.Voucher, _Mapping]]] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class VoucherRedeemed(_message.Message):
    __slots__ = ("voucher", "order", "occur_time")
    VOUCHER_FIELD_NUMBER: _ClassVar[int]
    ORDER_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    voucher: _trade_pb2.Voucher
    order: _trade_pb2.Order
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, voucher: _Optional[_Union[_trade_pb2.Voucher, _Mapping]] = ..., order: _Optional[_Union[_trade_pb2.Order, _Mapping]] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OrderRefundOpened(_message.Message):
    __slots__ = ("order", "application_id", "line_order_id", "kind", "quantity", "amount", "occur_time")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    LINE_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    order: _trade_pb2.Order
    application_id: str
    line_order_id: str
    kind: _trade_pb2.RefundKind
    quantity: int
    amount: _common_pb2.Money
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, order: _Optional[_Union[_trade_pb2.Order, _Mapping]] = ..., application_id: _Optional[str] = ..., line_order_id: _Optional[str] = ..., kind: _Optional[_Union[_trade_pb2.RefundKind, str]] = ..., quantity: _Optional[int] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OrderRefundClosed(_message.Message):
    __slots__ = ("order", "application_id", "line_order_id", "occur_time")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    LINE_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    order: _trade_pb2.Order
    application_id: str
    line_order_id: str
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, order: _Optional[_Union[_trade_pb2.Order, _Mapping]] = ..., application_id: _Optional[str] = ..., line_order_id: _Optional[str] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OrderRefunded(_message.Message):
    __slots__ = ("order", "plan", "return_shipping_amount", "return_shipping_by_seller", "line_cancelled", "occur_time")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    RETURN_SHIPPING_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    RETURN_SHIPPING_BY_SELLER_FIELD_NUMBER: _ClassVar[int]
    LINE_CANCELLED_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    order: _trade_pb2.Order
    plan: _trade_pb2.RefundPlan
    return_shipping_amount: _common_pb2.Money
    return_shipping_by_seller: bool
    line_cancelled: bool
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, order: _Optional[_Union[_trade_pb2.Order, _Mapping]] = ..., plan: _Optional[_Union[_trade_pb2.RefundPlan, _Mapping]] = ..., return_shipping_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., return_shipping_by_seller: _Optional[bool] = ..., line_cancelled: _Optional[bool] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OrderAfterSalesEnded(_message.Message):
    __slots__ = ("order", "occur_time")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    order: _trade_pb2.Order
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, order: _Optional[_Union[_trade_pb2.Order, _Mapping]] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
