import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from zhongtai.catalog.v1 import catalog_pb2 as _catalog_pb2
from zhongtai.common.v1 import audit_pb2 as _audit_pb2
from zhongtai.common.v1 import common_pb2 as _common_pb2
from zhongtai.common.v1 import options_pb2 as _options_pb2
from zhongtai.promotion.v1 import promotion_pb2 as _promotion_pb2
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
    ERROR_REASON_ORDER_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_ILLEGAL_ORDER_TRANSITION: _ClassVar[ErrorReason]
    ERROR_REASON_CONCURRENT_ORDER_CHANGE: _ClassVar[ErrorReason]
    ERROR_REASON_NOT_A_TOP_LEVEL_ORDER: _ClassVar[ErrorReason]
    ERROR_REASON_NOT_A_PARTY_TO_THE_ORDER: _ClassVar[ErrorReason]
    ERROR_REASON_ORDER_CREATION_TIMEOUT: _ClassVar[ErrorReason]
    ERROR_REASON_PRICE_CHANGED: _ClassVar[ErrorReason]
    ERROR_REASON_FREIGHT_CURRENCY_MISMATCH: _ClassVar[ErrorReason]
    ERROR_REASON_MULTI_SELLER_ORDER: _ClassVar[ErrorReason]
    ERROR_REASON_PRICE_NOT_ADJUSTABLE: _ClassVar[ErrorReason]
    ERROR_REASON_PRESALE_ORDER: _ClassVar[ErrorReason]
    ERROR_REASON_RECEIPT_NOT_EXTENDABLE: _ClassVar[ErrorReason]
    ERROR_REASON_RECEIPT_EXTENSION_LIMIT: _ClassVar[ErrorReason]
    ERROR_REASON_VOUCHER_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_VOUCHER_ALREADY_REDEEMED: _ClassVar[ErrorReason]
    ERROR_REASON_VOUCHER_NOT_REDEEMABLE: _ClassVar[ErrorReason]
    ERROR_REASON_VIP_CLAIM_NOT_TRUSTED: _ClassVar[ErrorReason]
    ERROR_REASON_ORDER_NOT_REFUNDABLE: _ClassVar[ErrorReason]
    ERROR_REASON_REFUND_AMOUNT_EXCEEDED: _ClassVar[ErrorReason]
    ERROR_REASON_REFUND_WINDOW_CLOSED: _ClassVar[ErrorReason]
    ERROR_REASON_LINE_REFUND_OPEN: _ClassVar[ErrorReason]
    ERROR_REASON_REFUND_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_ILLEGAL_REFUND_TRANSITION: _ClassVar[ErrorReason]

class OrderStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ORDER_STATUS_UNSPECIFIED: _ClassVar[OrderStatus]
    ORDER_STATUS_INIT: _ClassVar[OrderStatus]
    ORDER_STATUS_FAILED: _ClassVar[OrderStatus]
    ORDER_STATUS_WAIT_SELLER_CONFIRM: _ClassVar[OrderStatus]
    ORDER_STATUS_WAIT_PAY: _ClassVar[OrderStatus]
    ORDER_STATUS_WAIT_SHIP: _ClassVar[OrderStatus]
    ORDER_STATUS_WAIT_RECEIVE: _ClassVar[OrderStatus]
    ORDER_STATUS_COMPLETED: _ClassVar[OrderStatus]
    ORDER_STATUS_CANCELLED: _ClassVar[OrderStatus]
    ORDER_STATUS_WAIT_PAY_BALANCE: _ClassVar[OrderStatus]
    ORDER_STATUS_WAIT_USE: _ClassVar[OrderStatus]

class PayStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAY_STATUS_UNSPECIFIED: _ClassVar[PayStatus]
    PAY_STATUS_UNPAID: _ClassVar[PayStatus]
    PAY_STATUS_PAID: _ClassVar[PayStatus]
    PAY_STATUS_CLOSED: _ClassVar[PayStatus]
    PAY_STATUS_PARTIALLY_REFUNDED: _ClassVar[PayStatus]
    PAY_STATUS_REFUNDED: _ClassVar[PayStatus]
    PAY_STATUS_REFUNDING: _ClassVar[PayStatus]

class LogisticsStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LOGISTICS_STATUS_UNSPECIFIED: _ClassVar[LogisticsStatus]
    LOGISTICS_STATUS_NOT_REQUIRED: _ClassVar[LogisticsStatus]
    LOGISTICS_STATUS_UNSHIPPED: _ClassVar[LogisticsStatus]
    LOGISTICS_STATUS_SHIPPED: _ClassVar[LogisticsStatus]
    LOGISTICS_STATUS_RECEIVED: _ClassVar[LogisticsStatus]
    LOGISTICS_STATUS_CANCELLED: _ClassVar[LogisticsStatus]
    LOGISTICS_STATUS_PARTIALLY_SHIPPED: _ClassVar[LogisticsStatus]
    LOGISTICS_STATUS_DELIVERED: _ClassVar[LogisticsStatus]

class CloseReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CLOSE_REASON_UNSPECIFIED: _ClassVar[CloseReason]
    CLOSE_REASON_BUYER_CANCELLED: _ClassVar[CloseReason]
    CLOSE_REASON_SELLER_CANCELLED: _ClassVar[CloseReason]
    CLOSE_REASON_SYSTEM_CANCELLED: _ClassVar[CloseReason]
    CLOSE_REASON_PAY_TIMEOUT: _ClassVar[CloseReason]
    CLOSE_REASON_SELLER_CONFIRM_TIMEOUT: _ClassVar[CloseReason]
    CLOSE_REASON_CREATION_FAILED: _ClassVar[CloseReason]
    CLOSE_REASON_CREATION_TIMEOUT: _ClassVar[CloseReason]
    CLOSE_REASON_BALANCE_LAPSED: _ClassVar[CloseReason]
    CLOSE_REASON_SHIP_TIMEOUT: _ClassVar[CloseReason]
    CLOSE_REASON_REFUNDED: _ClassVar[CloseReason]

class PaymentRejectionReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYMENT_REJECTION_REASON_UNSPECIFIED: _ClassVar[PaymentRejectionReason]
    PAYMENT_REJECTION_REASON_PAY_ORDER_NOT_FOUND: _ClassVar[PaymentRejectionReason]
    PAYMENT_REJECTION_REASON_ORDER_MISMATCH: _ClassVar[PaymentRejectionReason]
    PAYMENT_REJECTION_REASON_BUYER_MISMATCH: _ClassVar[PaymentRejectionReason]
    PAYMENT_REJECTION_REASON_ALREADY_PAID: _ClassVar[PaymentRejectionReason]
    PAYMENT_REJECTION_REASON_ORDER_NOT_PAYABLE: _ClassVar[PaymentRejectionReason]
    PAYMENT_REJECTION_REASON_OUTSIDE_BALANCE_WINDOW: _ClassVar[PaymentRejectionReason]
    PAYMENT_REJECTION_REASON_AMOUNT_MISMATCH: _ClassVar[PaymentRejectionReason]

class VoucherStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VOUCHER_STATUS_UNSPECIFIED: _ClassVar[VoucherStatus]
    VOUCHER_STATUS_ISSUED: _ClassVar[VoucherStatus]
    VOUCHER_STATUS_REDEEMED: _ClassVar[VoucherStatus]
    VOUCHER_STATUS_CANCELLED: _ClassVar[VoucherStatus]

class PayOrderKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAY_ORDER_KIND_UNSPECIFIED: _ClassVar[PayOrderKind]
    PAY_ORDER_KIND_FULL: _ClassVar[PayOrderKind]
    PAY_ORDER_KIND_DEPOSIT: _ClassVar[PayOrderKind]
    PAY_ORDER_KIND_BALANCE: _ClassVar[PayOrderKind]

class LineRefundStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LINE_REFUND_STATUS_UNSPECIFIED: _ClassVar[LineRefundStatus]
    LINE_REFUND_STATUS_NONE: _ClassVar[LineRefundStatus]
    LINE_REFUND_STATUS_REFUNDING: _ClassVar[LineRefundStatus]
    LINE_REFUND_STATUS_REFUNDED: _ClassVar[LineRefundStatus]
    LINE_REFUND_STATUS_REFUND_CLOSED: _ClassVar[LineRefundStatus]

class RefundKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REFUND_KIND_UNSPECIFIED: _ClassVar[RefundKind]
    REFUND_KIND_REFUND_ONLY: _ClassVar[RefundKind]
    REFUND_KIND_RETURN_AND_REFUND: _ClassVar[RefundKind]

class RefundOutcomeKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REFUND_OUTCOME_KIND_UNSPECIFIED: _ClassVar[RefundOutcomeKind]
    REFUND_OUTCOME_KIND_REFUNDED: _ClassVar[RefundOutcomeKind]
    REFUND_OUTCOME_KIND_CLOSED: _ClassVar[RefundOutcomeKind]
ERROR_REASON_UNSPECIFIED: ErrorReason
ERROR_REASON_ORDER_NOT_FOUND: ErrorReason
ERROR_REASON_ILLEGAL_ORDER_TRANSITION: ErrorReason
ERROR_REASON_CONCURRENT_ORDER_CHANGE: ErrorReason
ERROR_REASON_NOT_A_TOP_LEVEL_ORDER: ErrorReason
ERROR_REASON_NOT_A_PARTY_TO_THE_ORDER: ErrorReason
ERROR_REASON_ORDER_CREATION_TIMEOUT: ErrorReason
ERROR_REASON_PRICE_CHANGED: ErrorReason
ERROR_REASON_FREIGHT_CURRENCY_MISMATCH: ErrorReason
ERROR_REASON_MULTI_SELLER_ORDER: ErrorReason
ERROR_REASON_PRICE_NOT_ADJUSTABLE: ErrorReason
ERROR_REASON_PRESALE_ORDER: ErrorReason
ERROR_REASON_RECEIPT_NOT_EXTENDABLE: ErrorReason
ERROR_REASON_RECEIPT_EXTENSION_LIMIT: ErrorReason
ERROR_REASON_VOUCHER_NOT_FOUND: ErrorReason
ERROR_REASON_VOUCHER_ALREADY_REDEEMED: ErrorReason
ERROR_REASON_VOUCHER_NOT_REDEEMABLE: ErrorReason
ERROR_REASON_VIP_CLAIM_NOT_TRUSTED: ErrorReason
ERROR_REASON_ORDER_NOT_REFUNDABLE: ErrorReason
ERROR_REASON_REFUND_AMOUNT_EXCEEDED: ErrorReason
ERROR_REASON_REFUND_WINDOW_CLOSED: ErrorReason
ERROR_REASON_LINE_REFUND_OPEN: ErrorReason
ERROR_REASON_REFUND_NOT_FOUND: ErrorReason
ERROR_REASON_ILLEGAL_REFUND_TRANSITION: ErrorReason
ORDER_STATUS_UNSPECIFIED: OrderStatus
ORDER_STATUS_INIT: OrderStatus
ORDER_STATUS_FAILED: OrderStatus
ORDER_STATUS_WAIT_SELLER_CONFIRM: OrderStatus
ORDER_STATUS_WAIT_PAY: OrderStatus
ORDER_STATUS_WAIT_SHIP: OrderStatus
ORDER_STATUS_WAIT_RECEIVE: OrderStatus
ORDER_STATUS_COMPLETED: OrderStatus
ORDER_STATUS_CANCELLED: OrderStatus
ORDER_STATUS_WAIT_PAY_BALANCE: OrderStatus
ORDER_STATUS_WAIT_USE: OrderStatus
PAY_STATUS_UNSPECIFIED: PayStatus
PAY_STATUS_UNPAID: PayStatus
PAY_STATUS_PAID: PayStatus
PAY_STATUS_CLOSED: PayStatus
PAY_STATUS_PARTIALLY_REFUNDED: PayStatus
PAY_STATUS_REFUNDED: PayStatus
PAY_STATUS_REFUNDING: PayStatus
LOGISTICS_STATUS_UNSPECIFIED: LogisticsStatus
LOGISTICS_STATUS_NOT_REQUIRED: LogisticsStatus
LOGISTICS_STATUS_UNSHIPPED: LogisticsStatus
LOGISTICS_STATUS_SHIPPED: LogisticsStatus
LOGISTICS_STATUS_RECEIVED: LogisticsStatus
LOGISTICS_STATUS_CANCELLED: LogisticsStatus
LOGISTICS_STATUS_PARTIALLY_SHIPPED: LogisticsStatus
LOGISTICS_STATUS_DELIVERED: LogisticsStatus
CLOSE_REASON_UNSPECIFIED: CloseReason
CLOSE_REASON_BUYER_CANCELLED: CloseReason
CLOSE_REASON_SELLER_CANCELLED: CloseReason
CLOSE_REASON_SYSTEM_CANCELLED: CloseReason
CLOSE_REASON_PAY_TIMEOUT: CloseReason
CLOSE_REASON_SELLER_CONFIRM_TIMEOUT: CloseReason
CLOSE_REASON_CREATION_FAILED: CloseReason
CLOSE_REASON_CREATION_TIMEOUT: CloseReason
CLOSE_REASON_BALANCE_LAPSED: CloseReason
CLOSE_REASON_SHIP_TIMEOUT: CloseReason
CLOSE_REASON_REFUNDED: CloseReason
PAYMENT_REJECTION_REASON_UNSPECIFIED: PaymentRejectionReason
PAYMENT_REJECTION_REASON_PAY_ORDER_NOT_FOUND: PaymentRejectionReason
PAYMENT_REJECTION_REASON_ORDER_MISMATCH: PaymentRejectionReason
PAYMENT_REJECTION_REASON_BUYER_MISMATCH: PaymentRejectionReason
PAYMENT_REJECTION_REASON_ALREADY_PAID: PaymentRejectionReason
PAYMENT_REJECTION_REASON_ORDER_NOT_PAYABLE: PaymentRejectionReason
PAYMENT_REJECTION_REASON_OUTSIDE_BALANCE_WINDOW: PaymentRejectionReason
PAYMENT_REJECTION_REASON_AMOUNT_MISMATCH: PaymentRejectionReason
VOUCHER_STATUS_UNSPECIFIED: VoucherStatus
VOUCHER_STATUS_ISSUED: VoucherStatus
VOUCHER_STATUS_REDEEMED: VoucherStatus
VOUCHER_STATUS_CANCELLED: VoucherStatus
PAY_ORDER_KIND_UNSPECIFIED: PayOrderKind
PAY_ORDER_KIND_FULL: PayOrderKind
PAY_ORDER_KIND_DEPOSIT: PayOrderKind
PAY_ORDER_KIND_BALANCE: PayOrderKind
LINE_REFUND_STATUS_UNSPECIFIED: LineRefundStatus
LINE_REFUND_STATUS_NONE: LineRefundStatus
LINE_REFUND_STATUS_REFUNDING: LineRefundStatus
LINE_REFUND_STATUS_REFUNDED: LineRefundStatus
LINE_REFUND_STATUS_REFUND_CLOSED: LineRefundStatus
REFUND_KIND_UNSPECIFIED: RefundKind
REFUND_KIND_REFUND_ONLY: RefundKind
REFUND_KIND_RETURN_AND_REFUND: RefundKind
REFUND_OUTCOME_KIND_UNSPECIFIED: RefundOutcomeKind
REFUND_OUTCOME_KIND_REFUNDED: RefundOutcomeKind
REFUND_OUTCOME_KIND_CLOSED: RefundOutcomeKind

class Voucher(_message.Message):
    __slots__ = ("code", "order_id", "line_order_id", "seller_id", "buyer_id", "sku_id", "status", "issue_time", "redeem_time")
    CODE_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    LINE_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ISSUE_TIME_FIELD_NUMBER: _ClassVar[int]
    REDEEM_TIME_FIELD_NUMBER: _ClassVar[int]
    code: str
    order_id: str
    line_order_id: str
    seller_id: str
    buyer_id: str
    sku_id: str
    status: VoucherStatus
    issue_time: _timestamp_pb2.Timestamp
    redeem_time: _timestamp_pb2.Timestamp
    def __init__(self, code: _Optional[str] = ..., order_id: _Optional[str] = ..., line_order_id: _Optional[str] = ..., seller_id: _Optional[str] = ..., buyer_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., status: _Optional[_Union[VoucherStatus, str]] = ..., issue_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., redeem_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ItemSnapshot(_message.Message):
    __slots__ = ("item_id", "item_version", "sku_id", "title", "category_id", "item_type", "attributes", "unit_price", "weight_grams", "volume_cm3")
    class AttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    ITEM_VERSION_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_ID_FIELD_NUMBER: _ClassVar[int]
    ITEM_TYPE_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_GRAMS_FIELD_NUMBER: _ClassVar[int]
    VOLUME_CM3_FIELD_NUMBER: _ClassVar[int]
    item_id: str
    item_version: int
    sku_id: str
    title: str
    category_id: str
    item_type: _catalog_pb2.ItemType
    attributes: _containers.ScalarMap[str, str]
    unit_price: _common_pb2.Money
    weight_grams: int
    volume_cm3: int
    def __init__(self, item_id: _Optional[str] = ..., item_version: _Optional[int] = ..., sku_id: _Optional[str] = ..., title: _Optional[str] = ..., category_id: _Optional[str] = ..., item_type: _Optional[_Union[_catalog_pb2.ItemType, str]] = ..., attributes: _Optional[_Mapping[str, str]] = ..., unit_price: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., weight_grams: _Optional[int] = ..., volume_cm3: _Optional[int] = ...) -> None: ...

class PayOrder(_message.Message):
    __slots__ = ("pay_order_id", "order_id", "total_amount", "point_amount", "discount_amount", "adjust_amount", "actual_amount", "status", "pay_expire_time", "stored_value_amount", "kind", "balance_start_time", "balance_end_time", "freight_amount", "payment_id")
    PAY_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    TOTAL_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    POINT_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    ADJUST_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    ACTUAL_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAY_EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    STORED_VALUE_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    BALANCE_START_TIME_FIELD_NUMBER: _ClassVar[int]
    BALANCE_END_TIME_FIELD_NUMBER: _ClassVar[int]
    FREIGHT_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    pay_order_id: str
    order_id: str
    total_amount: _common_pb2.Money
    point_amount: _common_pb2.Money
    discount_amount: _common_pb2.Money
    adjust_amount: _common_pb2.Money
    actual_amount: _common_pb2.Money
    status: PayStatus
    pay_expire_time: _timestamp_pb2.Timestamp
    stored_value_amount: _common_pb2.Money
    kind: PayOrderKind
    balance_start_time: _timestamp_pb2.Timestamp
    balance_end_time: _timestamp_pb2.Timestamp
    freight_amount: _common_pb2.Money
    payment_id: str
    def __init__(self, pay_order_id: _Optional[str] = ..., order_id: _Optional[str] = ..., total_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., point_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., discount_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., adjust_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., actual_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., status: _Optional[_Union[PayStatus, str]] = ..., pay_expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., stored_value_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., kind: _Optional[_Union[PayOrderKind, str]] = ..., balance_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., balance_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., freight_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., payment_id: _Optional[str] = ...) -> None: ...

class LogOrder(_message.Message):
    __slots__ = ("log_order_id", "order_id", "status", "address")
    LOG_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    log_order_id: str
    order_id: str
    status: LogisticsStatus
    address: _common_pb2.Address
    def __init__(self, log_order_id: _Optional[str] = ..., order_id: _Optional[str] = ..., status: _Optional[_Union[LogisticsStatus, str]] = ..., address: _Optional[_Union[_common_pb2.Address, _Mapping]] = ...) -> None: ...

class Order(_message.Message):
    __slots__ = ("order_id", "parent_id", "is_main", "buyer_id", "seller_id", "status", "pay_status", "logistics_status", "item", "quantity", "total_amount", "actual_amount", "sub_orders", "pay_order", "log_order", "out_type", "out_id", "close_reason", "close_note", "closed_by", "buyer_memo", "create_time", "update_time", "deductions", "discount_amount", "freight_amount", "adjust_amount", "pay_orders", "auto_receive_time", "receipt_extensions", "vouchers", "ship_time", "refund_status", "refunded_amount", "refunded_quantity", "after_sales_end_time", "business_type", "freight_reduction_amount")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    IS_MAIN_FIELD_NUMBER: _ClassVar[int]
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAY_STATUS_FIELD_NUMBER: _ClassVar[int]
    LOGISTICS_STATUS_FIELD_NUMBER: _ClassVar[int]
    ITEM_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    TOTAL_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    ACTUAL_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    SUB_ORDERS_FIELD_NUMBER: _ClassVar[int]
    PAY_ORDER_FIELD_NUMBER: _ClassVar[int]
    LOG_ORDER_FIELD_NUMBER: _ClassVar[int]
    OUT_TYPE_FIELD_NUMBER: _ClassVar[int]
    OUT_ID_FIELD_NUMBER: _ClassVar[int]
    CLOSE_REASON_FIELD_NUMBER: _ClassVar[int]
    CLOSE_NOTE_FIELD_NUMBER: _ClassVar[int]
    CLOSED_BY_FIELD_NUMBER: _ClassVar[int]
    BUYER_MEMO_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    DEDUCTIONS_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    FREIGHT_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    ADJUST_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    PAY_ORDERS_FIELD_NUMBER: _ClassVar[int]
    AUTO_RECEIVE_TIME_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_EXTENSIONS_FIELD_NUMBER: _ClassVar[int]
    VOUCHERS_FIELD_NUMBER: _ClassVar[int]
    SHIP_TIME_FIELD_NUMBER: _ClassVar[int]
    REFUND_STATUS_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    AFTER_SALES_END_TIME_FIELD_NUMBER: _ClassVar[int]
    BUSINESS_TYPE_FIELD_NUMBER: _ClassVar[int]
    FREIGHT_REDUCTION_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    parent_id: str
    is_main: bool
    buyer_id: str
    seller_id: str
    status: OrderStatus
    pay_status: PayStatus
    logistics_status: LogisticsStatus
    item: ItemSnapshot
    quantity: int
    total_amount: _common_pb2.Money
    actual_amount: _common_pb2.Money
    sub_orders: _containers.RepeatedCompositeFieldContainer[Order]
    pay_order: PayOrder
    log_order: LogOrder
    out_type: str
    out_id: str
    close_reason: CloseReason
    close_note: str
    closed_by: _common_pb2.Operator
    buyer_memo: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    deductions: _containers.RepeatedCompositeFieldContainer[_promotion_pb2.Deduction]
    discount_amount: _common_pb2.Money
    freight_amount: _common_pb2.Money
    adjust_amount: _common_pb2.Money
    pay_orders: _containers.RepeatedCompositeFieldContainer[PayOrder]
    auto_receive_time: _timestamp_pb2.Timestamp
    receipt_extensions: int
    vouchers: _containers.RepeatedCompositeFieldContainer[Voucher]
    ship_time: _timestamp_pb2.Timestamp
    refund_status: LineRefundStatus
    refunded_amount: _common_pb2.Money
    refunded_quantity: int
    after_sales_end_time: _timestamp_pb2.Timestamp
    business_type: str
    freight_reduction_amount: _common_pb2.Money
    def __init__(self, order_id: _Optional[str] = ..., parent_id: _Optional[str] = ..., is_main: _Optional[bool] = ..., buyer_id: _Optional[str] = ..., seller_id: _Optional[str] = ..., status: _Optional[_Union[OrderStatus, str]] = ..., pay_status: _Optional[_Union[PayStatus, str]] = ..., logistics_status: _Optional[_Union[LogisticsStatus, str]] = ..., item: _Optional[_Union[ItemSnapshot, _Mapping]] = ..., quantity: _Optional[int] = ..., total_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., actual_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., sub_orders: _Optional[_Iterable[_Union[Order, _Mapping]]] = ..., pay_order: _Optional[_Union[PayOrder, _Mapping]] = ..., log_order: _Optional[_Union[LogOrder, _Mapping]] = ..., out_type: _Optional[str] = ..., out_id: _Optional[str] = ..., close_reason: _Optional[_Union[CloseReason, str]] = ..., close_note: _Optional[str] = ..., closed_by: _Optional[_Union[_common_pb2.Operator, _Mapping]] = ..., buyer_memo: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., deductions: _Optional[_Iterable[_Union[_promotion_pb2.Deduction, _Mapping]]] = ..., discount_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., freight_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., adjust_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., pay_orders: _Optional[_Iterable[_Union[PayOrder, _Mapping]]] = ..., auto_receive_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., receipt_extensions: _Optional[int] = ..., vouchers: _Optional[_Iterable[_Union[Voucher, _Mapping]]] = ..., ship_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., refund_status: _Optional[_Union[LineRefundStatus, str]] = ..., refunded_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., refunded_quantity: _Optional[int] = ..., after_sales_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., business_type: _Optional[str] = ..., freight_reduction_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class LineRefundable(_message.Message):
    __slots__ = ("line_order_id", "seller_id", "sku_id", "quantity", "refund_status", "paid_amount", "refunded_amount", "max_refundable", "refundable_quantity", "open_application_id", "shipped", "physical")
    LINE_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    REFUND_STATUS_FIELD_NUMBER: _ClassVar[int]
    PAID_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    MAX_REFUNDABLE_FIELD_NUMBER: _ClassVar[int]
    REFUNDABLE_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    OPEN_APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    SHIPPED_FIELD_NUMBER: _ClassVar[int]
    PHYSICAL_FIELD_NUMBER: _ClassVar[int]
    line_order_id: str
    seller_id: str
    sku_id: str
    quantity: int
    refund_status: LineRefundStatus
    paid_amount: _common_pb2.Money
    refunded_amount: _common_pb2.Money
    max_refundable: _common_pb2.Money
    refundable_quantity: int
    open_application_id: str
    shipped: bool
    physical: bool
    def __init__(self, line_order_id: _Optional[str] = ..., seller_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., quantity: _Optional[int] = ..., refund_status: _Optional[_Union[LineRefundStatus, str]] = ..., paid_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., refunded_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., max_refundable: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., refundable_quantity: _Optional[int] = ..., open_application_id: _Optional[str] = ..., shipped: _Optional[bool] = ..., physical: _Optional[bool] = ...) -> None: ...

class GetRefundableRequest(_message.Message):
    __slots__ = ("order_id",)
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    def __init__(self, order_id: _Optional[str] = ...) -> None: ...

class GetRefundableResponse(_message.Message):
    __slots__ = ("order_id", "buyer_id", "status", "lines", "refundable", "after_sales_end_time", "freight_amount", "address")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    REFUNDABLE_FIELD_NUMBER: _ClassVar[int]
    AFTER_SALES_END_TIME_FIELD_NUMBER: _ClassVar[int]
    FREIGHT_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    buyer_id: str
    status: OrderStatus
    lines: _containers.RepeatedCompositeFieldContainer[LineRefundable]
    refundable: bool
    after_sales_end_time: _timestamp_pb2.Timestamp
    freight_amount: _common_pb2.Money
    address: _common_pb2.Address
    def __init__(self, order_id: _Optional[str] = ..., buyer_id: _Optional[str] = ..., status: _Optional[_Union[OrderStatus, str]] = ..., lines: _Optional[_Iterable[_Union[LineRefundable, _Mapping]]] = ..., refundable: _Optional[bool] = ..., after_sales_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., freight_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., address: _Optional[_Union[_common_pb2.Address, _Mapping]] = ...) -> None: ...

class OpenRefundRequest(_message.Message):
    __slots__ = ("application_id", "line_order_id", "buyer_id", "kind", "quantity", "amount")
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    LINE_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    application_id: str
    line_order_id: str
    buyer_id: str
    kind: RefundKind
    quantity: int
    amount: _common_pb2.Money
    def __init__(self, application_id: _Optional[str] = ..., line_order_id: _Optional[str] = ..., buyer_id: _Optional[str] = ..., kind: _Optional[_Union[RefundKind, str]] = ..., quantity: _Optional[int] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class OpenRefundResponse(_message.Message):
    __slots__ = ("line",)
    LINE_FIELD_NUMBER: _ClassVar[int]
    line: LineRefundable
    def __init__(self, line: _Optional[_Union[LineRefundable, _Mapping]] = ...) -> None: ...

class RefundPayment(_message.Message):
    __slots__ = ("pay_order_id", "payment_id", "amount")
    PAY_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    pay_order_id: str
    payment_id: str
    amount: _common_pb2.Money
    def __init__(self, pay_order_id: _Optional[str] = ..., payment_id: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class RefundPlan(_message.Message):
    __slots__ = ("application_id", "order_id", "line_order_id", "seller_id", "buyer_id", "sku_id", "kind", "quantity", "cash_amount", "freight_amount", "payments", "points_amount", "stored_value_amount", "deductions", "restore_coupons", "restock_quantity", "shipped")
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    LINE_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    CASH_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    FREIGHT_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    PAYMENTS_FIELD_NUMBER: _ClassVar[int]
    POINTS_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    STORED_VALUE_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    DEDUCTIONS_FIELD_NUMBER: _ClassVar[int]
    RESTORE_COUPONS_FIELD_NUMBER: _ClassVar[int]
    RESTOCK_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    SHIPPED_FIELD_NUMBER: _ClassVar[int]
    application_id: str
    order_id: str
    line_order_id: str
    seller_id: str
    buyer_id: str
    sku_id: str
    kind: RefundKind
    quantity: int
    cash_amount: _common_pb2.Money
    freight_amount: _common_pb2.Money
    payments: _containers.RepeatedCompositeFieldContainer[RefundPayment]
    points_amount: _common_pb2.Money
    stored_value_amount: _common_pb2.Money
    deductions: _containers.RepeatedCompositeFieldContainer[_promotion_pb2.Deduction]
    restore_coupons: bool
    restock_quantity: int
    shipped: bool
    def __init__(self, application_id: _Optional[str] = ..., order_id: _Optional[str] = ..., line_order_id: _Optional[str] = ..., seller_id: _Optional[str] = ..., buyer_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., kind: _Optional[_Union[RefundKind, str]] = ..., quantity: _Optional[int] = ..., cash_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., freight_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., payments: _Optional[_Iterable[_Union[RefundPayment, _Mapping]]] = ..., points_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., stored_value_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., deductions: _Optional[_Iterable[_Union[_promotion_pb2.Deduction, _Mapping]]] = ..., restore_coupons: _Optional[bool] = ..., restock_quantity: _Optional[int] = ..., shipped: _Optional[bool] = ...) -> None: ...

class AgreeRefundRequest(_message.Message):
    __slots__ = ("application_id", "amount", "quantity", "returned_quantity")
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    RETURNED_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    application_id: str
    amount: _common_pb2.Money
    quantity: int
    returned_quantity: int
    def __init__(self, application_id: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., quantity: _Optional[int] = ..., returned_quantity: _Optional[int] = ...) -> None: ...

class AgreeRefundResponse(_message.Message):
    __slots__ = ("plan",)
    PLAN_FIELD_NUMBER: _ClassVar[int]
    plan: RefundPlan
    def __init__(self, plan: _Optional[_Union[RefundPlan, _Mapping]] = ...) -> None: ...

class FinishRefundRequest(_message.Message):
    __slots__ = ("application_id", "outcome", "return_shipping_amount", "return_shipping_by_seller")
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    RETURN_SHIPPING_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    RETURN_SHIPPING_BY_SELLER_FIELD_NUMBER: _ClassVar[int]
    application_id: str
    outcome: RefundOutcomeKind
    return_shipping_amount: _common_pb2.Money
    return_shipping_by_seller: bool
    def __init__(self, application_id: _Optional[str] = ..., outcome: _Optional[_Union[RefundOutcomeKind, str]] = ..., return_shipping_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., return_shipping_by_seller: _Optional[bool] = ...) -> None: ...

class FinishRefundResponse(_message.Message):
    __slots__ = ("order",)
    ORDER_FIELD_NUMBER: _ClassVar[int]
    order: Order
    def __init__(self, order: _Optional[_Union[Order, _Mapping]] = ...) -> None: ...

class OrderLineInput(_message.Message):
    __slots__ = ("sku_id", "quantity", "seller_id")
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    sku_id: str
    quantity: int
    seller_id: str
    def __init__(self, sku_id: _Optional[str] = ..., quantity: _Optional[int] = ..., seller_id: _Optional[str] = ...) -> None: ...

class Benefits(_message.Message):
    __slots__ = ("coupon_ids", "points", "red_packet_id", "stored_value_card_id", "stored_value_amount")
    COUPON_IDS_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    RED_PACKET_ID_FIELD_NUMBER: _ClassVar[int]
    STORED_VALUE_CARD_ID_FIELD_NUMBER: _ClassVar[int]
    STORED_VALUE_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    coupon_ids: _containers.RepeatedScalarFieldContainer[str]
    points: int
    red_packet_id: str
    stored_value_card_id: str
    stored_value_amount: _common_pb2.Money
    def __init__(self, coupon_ids: _Optional[_Iterable[str]] = ..., points: _Optional[int] = ..., red_packet_id: _Optional[str] = ..., stored_value_card_id: _Optional[str] = ..., stored_value_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class QuoteOrderRequest(_message.Message):
    __slots__ = ("buyer_id", "lines", "address", "benefits", "buyer_is_vip", "business_type")
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    BENEFITS_FIELD_NUMBER: _ClassVar[int]
    BUYER_IS_VIP_FIELD_NUMBER: _ClassVar[int]
    BUSINESS_TYPE_FIELD_NUMBER: _ClassVar[int]
    buyer_id: str
    lines: _containers.RepeatedCompositeFieldContainer[OrderLineInput]
    address: _common_pb2.Address
    benefits: Benefits
    buyer_is_vip: bool
    business_type: str
    def __init__(self, buyer_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[OrderLineInput, _Mapping]]] = ..., address: _Optional[_Union[_common_pb2.Address, _Mapping]] = ..., benefits: _Optional[_Union[Benefits, _Mapping]] = ..., buyer_is_vip: _Optional[bool] = ..., business_type: _Optional[str] = ...) -> None: ...

class QuoteOrderResponse(_message.Message):
    __slots__ = ("order", "quote")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    QUOTE_FIELD_NUMBER: _ClassVar[int]
    order: Order
    quote: _promotion_pb2.QuoteResponse
    def __init__(self, order: _Optional[_Union[Order, _Mapping]] = ..., quote: _Optional[_Union[_promotion_pb2.QuoteResponse, _Mapping]] = ...) -> None: ...

class CreateOrderRequest(_message.Message):
    __slots__ = ("request_id", "buyer_id", "lines", "address", "out_type", "out_id", "buyer_memo", "benefits", "buyer_is_vip", "business_type")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    OUT_TYPE_FIELD_NUMBER: _ClassVar[int]
    OUT_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_MEMO_FIELD_NUMBER: _ClassVar[int]
    BENEFITS_FIELD_NUMBER: _ClassVar[int]
    BUYER_IS_VIP_FIELD_NUMBER: _ClassVar[int]
    BUSINESS_TYPE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    buyer_id: str
    lines: _containers.RepeatedCompositeFieldContainer[OrderLineInput]
    address: _common_pb2.Address
    out_type: str
    out_id: str
    buyer_memo: str
    benefits: Benefits
    buyer_is_vip: bool
    business_type: str
    def __init__(self, request_id: _Optional[str] = ..., buyer_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[OrderLineInput, _Mapping]]] = ..., address: _Optional[_Union[_common_pb2.Address, _Mapping]] = ..., out_type: _Optional[str] = ..., out_id: _Optional[str] = ..., buyer_memo: _Optional[str] = ..., benefits: _Optional[_Union[Benefits, _Mapping]] = ..., buyer_is_vip: _Optional[bool] = ..., business_type: _Optional[str] = ...) -> None: ...

class CreateOrderResponse(_message.Message):
    __slots__ = ("order",)
    ORDER_FIELD_NUMBER: _ClassVar[int]
    order: Order
    def __init__(self, order: _Optional[_Union[Order, _Mapping]] = ...) -> None: ...

class GetOrderRequest(_message.Message):
    __slots__ = ("order_id",)
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    def __init__(self, order_id: _Optional[str] = ...) -> None: ...

class GetOrderResponse(_message.Message):
    __slots__ = ("order",)
    ORDER_FIELD_NUMBER: _ClassVar[int]
    order: Order
    def __init__(self, order: _Optional[_Union[Order, _Mapping]] = ...) -> None: ...

class ListOrdersRequest(_message.Message):
    __slots__ = ("buyer_id", "seller_id", "statuses", "page_size", "page_token")
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    buyer_id: str
    seller_id: str
    statuses: _containers.RepeatedScalarFieldContainer[OrderStatus]
    page_size: int
    page_token: str
    def __init__(self, buyer_id: _Optional[str] = ..., seller_id: _Optional[str] = ..., statuses: _Optional[_Iterable[_Union[OrderStatus, str]]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListOrdersResponse(_message.Message):
    __slots__ = ("orders", "next_page_token")
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    orders: _containers.RepeatedCompositeFieldContainer[Order]
    next_page_token: str
    def __init__(self, orders: _Optional[_Iterable[_Union[Order, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CancelOrderRequest(_message.Message):
    __slots__ = ("request_id", "order_id", "operator", "reason")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    order_id: str
    operator: _common_pb2.Operator
    reason: str
    def __init__(self, request_id: _Optional[str] = ..., order_id: _Optional[str] = ..., operator: _Optional[_Union[_common_pb2.Operator, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class CancelOrderResponse(_message.Message):
    __slots__ = ("order",)
    ORDER_FIELD_NUMBER: _ClassVar[int]
    order: Order
    def __init__(self, order: _Optional[_Union[Order, _Mapping]] = ...) -> None: ...

class AdjustPriceRequest(_message.Message):
    __slots__ = ("request_id", "order_id", "seller_id", "adjust_amount", "reason")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    ADJUST_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    order_id: str
    seller_id: str
    adjust_amount: _common_pb2.Money
    reason: str
    def __init__(self, request_id: _Optional[str] = ..., order_id: _Optional[str] = ..., seller_id: _Optional[str] = ..., adjust_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class AdjustPriceResponse(_message.Message):
    __slots__ = ("order",)
    ORDER_FIELD_NUMBER: _ClassVar[int]
    order: Order
    def __init__(self, order: _Optional[_Union[Order, _Mapping]] = ...) -> None: ...

class ConfirmReceiptRequest(_message.Message):
    __slots__ = ("request_id", "order_id", "buyer_id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    order_id: str
    buyer_id: str
    def __init__(self, request_id: _Optional[str] = ..., order_id: _Optional[str] = ..., buyer_id: _Optional[str] = ...) -> None: ...

class ConfirmReceiptResponse(_message.Message):
    __slots__ = ("order",)
    ORDER_FIELD_NUMBER: _ClassVar[int]
    order: Order
    def __init__(self, order: _Optional[_Union[Order, _Mapping]] = ...) -> None: ...

class ExtendReceiptRequest(_message.Message):
    __slots__ = ("request_id", "order_id", "buyer_id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    order_id: str
    buyer_id: str
    def __init__(self, request_id: _Optional[str] = ..., order_id: _Optional[str] = ..., buyer_id: _Optional[str] = ...) -> None: ...

class ExtendReceiptResponse(_message.Message):
    __slots__ = ("order",)
    ORDER_FIELD_NUMBER: _ClassVar[int]
    order: Order
    def __init__(self, order: _Optional[_Union[Order, _Mapping]] = ...) -> None: ...

class RedeemVoucherRequest(_message.Message):
    __slots__ = ("request_id", "code", "seller_id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    code: str
    seller_id: str
    def __init__(self, request_id: _Optional[str] = ..., code: _Optional[str] = ..., seller_id: _Optional[str] = ...) -> None: ...

class RedeemVoucherResponse(_message.Message):
    __slots__ = ("voucher", "order")
    VOUCHER_FIELD_NUMBER: _ClassVar[int]
    ORDER_FIELD_NUMBER: _ClassVar[int]
    voucher: Voucher
    order: Order
    def __init__(self, voucher: _Optional[_Union[Voucher, _Mapping]] = ..., order: _Optional[_Union[Order, _Mapping]] = ...) -> None: ...

class ListVouchersRequest(_message.Message):
    __slots__ = ("order_id", "page_size", "page_token")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    page_size: int
    page_token: str
    def __init__(self, order_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListVouchersResponse(_message.Message):
    __slots__ = ("vouchers", "next_page_token")
    VOUCHERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    vouchers: _containers.RepeatedCompositeFieldContainer[Voucher]
    next_page_token: str
    def __init__(self, vouchers: _Optional[_Iterable[_Union[Voucher, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CheckPayableRequest(_message.Message):
    __slots__ = ("buyer_id", "parts")
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    PARTS_FIELD_NUMBER: _ClassVar[int]
    buyer_id: str
    parts: _containers.RepeatedCompositeFieldContainer[PayablePart]
    def __init__(self, buyer_id: _Optional[str] = ..., parts: _Optional[_Iterable[_Union[PayablePart, _Mapping]]] = ...) -> None: ...

class PayablePart(_message.Message):
    __slots__ = ("pay_order_id", "order_id", "amount")
    PAY_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    pay_order_id: str
    order_id: str
    amount: _common_pb2.Money
    def __init__(self, pay_order_id: _Optional[str] = ..., order_id: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class CheckPayableResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[PayableResult]
    def __init__(self, results: _Optional[_Iterable[_Union[PayableResult, _Mapping]]] = ...) -> None: ...

class PayableResult(_message.Message):
    __slots__ = ("pay_order_id", "reason", "detail", "pay_order")
    PAY_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    PAY_ORDER_FIELD_NUMBER: _ClassVar[int]
    pay_order_id: str
    reason: PaymentRejectionReason
    detail: str
    pay_order: PayOrder
    def __init__(self, pay_order_id: _Optional[str] = ..., reason: _Optional[_Union[PaymentRejectionReason, str]] = ..., detail: _Optional[str] = ..., pay_order: _Optional[_Union[PayOrder, _Mapping]] = ...) -> None: ...

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
