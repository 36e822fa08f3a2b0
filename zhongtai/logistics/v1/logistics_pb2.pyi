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

class ErrorReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_REASON_UNSPECIFIED: _ClassVar[ErrorReason]
    ERROR_REASON_NOT_DELIVERABLE: _ClassVar[ErrorReason]
    ERROR_REASON_WEIGHT_REQUIRED: _ClassVar[ErrorReason]
    ERROR_REASON_FREIGHT_TEMPLATE_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_LOGISTICS_ORDER_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_NOTHING_TO_SHIP: _ClassVar[ErrorReason]
    ERROR_REASON_PACKAGE_DESTINATIONS_DIFFER: _ClassVar[ErrorReason]
    ERROR_REASON_TRACKING_NO_IN_USE: _ClassVar[ErrorReason]
    ERROR_REASON_NOT_A_PARTY_TO_THE_ORDER: _ClassVar[ErrorReason]
    ERROR_REASON_WAREHOUSE_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_WAREHOUSE_EXISTS: _ClassVar[ErrorReason]
    ERROR_REASON_NOT_COVERED: _ClassVar[ErrorReason]
    ERROR_REASON_DELIVERY_METHOD_NOT_OFFERED: _ClassVar[ErrorReason]
    ERROR_REASON_OUTSIDE_DELIVERY_WINDOW: _ClassVar[ErrorReason]
    ERROR_REASON_INSUFFICIENT_STOCK: _ClassVar[ErrorReason]
    ERROR_REASON_SKU_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_NO_RETURN_WAREHOUSE: _ClassVar[ErrorReason]

class DeliveryMethod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DELIVERY_METHOD_UNSPECIFIED: _ClassVar[DeliveryMethod]
    DELIVERY_METHOD_EXPRESS: _ClassVar[DeliveryMethod]
    DELIVERY_METHOD_POST: _ClassVar[DeliveryMethod]
    DELIVERY_METHOD_EMS: _ClassVar[DeliveryMethod]
    DELIVERY_METHOD_SELF_PICKUP: _ClassVar[DeliveryMethod]
    DELIVERY_METHOD_SAME_DAY: _ClassVar[DeliveryMethod]

class ChargingBasis(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHARGING_BASIS_UNSPECIFIED: _ClassVar[ChargingBasis]
    CHARGING_BASIS_BY_COUNT: _ClassVar[ChargingBasis]
    CHARGING_BASIS_BY_WEIGHT: _ClassVar[ChargingBasis]
    CHARGING_BASIS_BY_AMOUNT: _ClassVar[ChargingBasis]

class FreightSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FREIGHT_SOURCE_UNSPECIFIED: _ClassVar[FreightSource]
    FREIGHT_SOURCE_DEFAULT_RULE: _ClassVar[FreightSource]
    FREIGHT_SOURCE_REGION_RULE: _ClassVar[FreightSource]
    FREIGHT_SOURCE_FREE_SHIPPING_PROMOTION: _ClassVar[FreightSource]
    FREIGHT_SOURCE_FREE_SHIPPING_THRESHOLD: _ClassVar[FreightSource]
    FREIGHT_SOURCE_NO_TEMPLATE: _ClassVar[FreightSource]

class LogisticsOrderRole(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LOGISTICS_ORDER_ROLE_UNSPECIFIED: _ClassVar[LogisticsOrderRole]
    LOGISTICS_ORDER_ROLE_ORDER: _ClassVar[LogisticsOrderRole]
    LOGISTICS_ORDER_ROLE_SPLIT_CHILD: _ClassVar[LogisticsOrderRole]
    LOGISTICS_ORDER_ROLE_MERGE_MASTER: _ClassVar[LogisticsOrderRole]
    LOGISTICS_ORDER_ROLE_RETURN: _ClassVar[LogisticsOrderRole]

class LogisticsOrderStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LOGISTICS_ORDER_STATUS_UNSPECIFIED: _ClassVar[LogisticsOrderStatus]
    LOGISTICS_ORDER_STATUS_WAIT_SHIP: _ClassVar[LogisticsOrderStatus]
    LOGISTICS_ORDER_STATUS_PARTIALLY_SHIPPED: _ClassVar[LogisticsOrderStatus]
    LOGISTICS_ORDER_STATUS_SHIPPED: _ClassVar[LogisticsOrderStatus]
    LOGISTICS_ORDER_STATUS_IN_TRANSIT: _ClassVar[LogisticsOrderStatus]
    LOGISTICS_ORDER_STATUS_OUT_FOR_DELIVERY: _ClassVar[LogisticsOrderStatus]
    LOGISTICS_ORDER_STATUS_DELIVERED: _ClassVar[LogisticsOrderStatus]
    LOGISTICS_ORDER_STATUS_CANCELLED: _ClassVar[LogisticsOrderStatus]

class TrackingMilestone(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRACKING_MILESTONE_UNSPECIFIED: _ClassVar[TrackingMilestone]
    TRACKING_MILESTONE_EXCEPTION: _ClassVar[TrackingMilestone]
    TRACKING_MILESTONE_ACCEPTED: _ClassVar[TrackingMilestone]
    TRACKING_MILESTONE_IN_TRANSIT: _ClassVar[TrackingMilestone]
    TRACKING_MILESTONE_OUT_FOR_DELIVERY: _ClassVar[TrackingMilestone]
    TRACKING_MILESTONE_DELIVERED: _ClassVar[TrackingMilestone]
ERROR_REASON_UNSPECIFIED: ErrorReason
ERROR_REASON_NOT_DELIVERABLE: ErrorReason
ERROR_REASON_WEIGHT_REQUIRED: ErrorReason
ERROR_REASON_FREIGHT_TEMPLATE_NOT_FOUND: ErrorReason
ERROR_REASON_LOGISTICS_ORDER_NOT_FOUND: ErrorReason
ERROR_REASON_NOTHING_TO_SHIP: ErrorReason
ERROR_REASON_PACKAGE_DESTINATIONS_DIFFER: ErrorReason
ERROR_REASON_TRACKING_NO_IN_USE: ErrorReason
ERROR_REASON_NOT_A_PARTY_TO_THE_ORDER: ErrorReason
ERROR_REASON_WAREHOUSE_NOT_FOUND: ErrorReason
ERROR_REASON_WAREHOUSE_EXISTS: ErrorReason
ERROR_REASON_NOT_COVERED: ErrorReason
ERROR_REASON_DELIVERY_METHOD_NOT_OFFERED: ErrorReason
ERROR_REASON_OUTSIDE_DELIVERY_WINDOW: ErrorReason
ERROR_REASON_INSUFFICIENT_STOCK: ErrorReason
ERROR_REASON_SKU_NOT_FOUND: ErrorReason
ERROR_REASON_NO_RETURN_WAREHOUSE: ErrorReason
DELIVERY_METHOD_UNSPECIFIED: DeliveryMethod
DELIVERY_METHOD_EXPRESS: DeliveryMethod
DELIVERY_METHOD_POST: DeliveryMethod
DELIVERY_METHOD_EMS: DeliveryMethod
DELIVERY_METHOD_SELF_PICKUP: DeliveryMethod
DELIVERY_METHOD_SAME_DAY: DeliveryMethod
CHARGING_BASIS_UNSPECIFIED: ChargingBasis
CHARGING_BASIS_BY_COUNT: ChargingBasis
CHARGING_BASIS_BY_WEIGHT: ChargingBasis
CHARGING_BASIS_BY_AMOUNT: ChargingBasis
FREIGHT_SOURCE_UNSPECIFIED: FreightSource
FREIGHT_SOURCE_DEFAULT_RULE: FreightSource
FREIGHT_SOURCE_REGION_RULE: FreightSource
FREIGHT_SOURCE_FREE_SHIPPING_PROMOTION: FreightSource
FREIGHT_SOURCE_FREE_SHIPPING_THRESHOLD: FreightSource
FREIGHT_SOURCE_NO_TEMPLATE: FreightSource
LOGISTICS_ORDER_ROLE_UNSPECIFIED: LogisticsOrderRole
LOGISTICS_ORDER_ROLE_ORDER: LogisticsOrderRole
LOGISTICS_ORDER_ROLE_SPLIT_CHILD: LogisticsOrderRole
LOGISTICS_ORDER_ROLE_MERGE_MASTER: LogisticsOrderRole
LOGISTICS_ORDER_ROLE_RETURN: LogisticsOrderRole
LOGISTICS_ORDER_STATUS_UNSPECIFIED: LogisticsOrderStatus
LOGISTICS_ORDER_STATUS_WAIT_SHIP: LogisticsOrderStatus
LOGISTICS_ORDER_STATUS_PARTIALLY_SHIPPED: LogisticsOrderStatus
LOGISTICS_ORDER_STATUS_SHIPPED: LogisticsOrderStatus
LOGISTICS_ORDER_STATUS_IN_TRANSIT: LogisticsOrderStatus
LOGISTICS_ORDER_STATUS_OUT_FOR_DELIVERY: LogisticsOrderStatus
LOGISTICS_ORDER_STATUS_DELIVERED: LogisticsOrderStatus
LOGISTICS_ORDER_STATUS_CANCELLED: LogisticsOrderStatus
TRACKING_MILESTONE_UNSPECIFIED: TrackingMilestone
TRACKING_MILESTONE_EXCEPTION: TrackingMilestone
TRACKING_MILESTONE_ACCEPTED: TrackingMilestone
TRACKING_MILESTONE_IN_TRANSIT: TrackingMilestone
TRACKING_MILESTONE_OUT_FOR_DELIVERY: TrackingMilestone
TRACKING_MILESTONE_DELIVERED: TrackingMilestone

class FreightRule(_message.Message):
    __slots__ = ("first_units", "first_fee", "additional_units", "additional_fee")
    FIRST_UNITS_FIELD_NUMBER: _ClassVar[int]
    FIRST_FEE_FIELD_NUMBER: _ClassVar[int]
    ADDITIONAL_UNITS_FIELD_NUMBER: _ClassVar[int]
    ADDITIONAL_FEE_FIELD_NUMBER: _ClassVar[int]
    first_units: int
    first_fee: _common_pb2.Money
    additional_units: int
    additional_fee: _common_pb2.Money
    def __init__(self, first_units: _Optional[int] = ..., first_fee: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., additional_units: _Optional[int] = ..., additional_fee: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class RegionRule(_message.Message):
    __slots__ = ("provinces", "cities", "region_codes", "rule")
    PROVINCES_FIELD_NUMBER: _ClassVar[int]
    CITIES_FIELD_NUMBER: _ClassVar[int]
    REGION_CODES_FIELD_NUMBER: _ClassVar[int]
    RULE_FIELD_NUMBER: _ClassVar[int]
    provinces: _containers.RepeatedScalarFieldContainer[str]
    cities: _containers.RepeatedScalarFieldContainer[str]
    region_codes: _containers.RepeatedScalarFieldContainer[str]
    rule: FreightRule
    def __init__(self, provinces: _Optional[_Iterable[str]] = ..., cities: _Optional[_Iterable[str]] = ..., region_codes: _Optional[_Iterable[str]] = ..., rule: _Optional[_Union[FreightRule, _Mapping]] = ...) -> None: ...

class FreightTemplate(_message.Message):
    __slots__ = ("template_id", "seller_id", "name", "delivery_method", "charging_basis", "default_rule", "region_rules", "free_shipping_threshold", "unlisted_regions_deliverable", "is_default", "create_time")
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_METHOD_FIELD_NUMBER: _ClassVar[int]
    CHARGING_BASIS_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_RULE_FIELD_NUMBER: _ClassVar[int]
    REGION_RULES_FIELD_NUMBER: _ClassVar[int]
    FREE_SHIPPING_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    UNLISTED_REGIONS_DELIVERABLE_FIELD_NUMBER: _ClassVar[int]
    IS_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    template_id: str
    seller_id: str
    name: str
    delivery_method: DeliveryMethod
    charging_basis: ChargingBasis
    default_rule: FreightRule
    region_rules: _containers.RepeatedCompositeFieldContainer[RegionRule]
    free_shipping_threshold: _common_pb2.Money
    unlisted_regions_deliverable: bool
    is_default: bool
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, template_id: _Optional[str] = ..., seller_id: _Optional[str] = ..., name: _Optional[str] = ..., delivery_method: _Optional[_Union[DeliveryMethod, str]] = ..., charging_basis: _Optional[_Union[ChargingBasis, str]] = ..., default_rule: _Optional[_Union[FreightRule, _Mapping]] = ..., region_rules: _Optional[_Iterable[_Union[RegionRule, _Mapping]]] = ..., free_shipping_threshold: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., unlisted_regions_deliverable: _Optional[bool] = ..., is_default: _Optional[bool] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateFreightTemplateRequest(_message.Message):
    __slots__ = ("request_id", "template")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    template: FreightTemplate
    def __init__(self, request_id: _Optional[str] = ..., template: _Optional[_Union[FreightTemplate, _Mapping]] = ...) -> None: ...

class CreateFreightTemplateResponse(_message.Message):
    __slots__ = ("template",)
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    template: FreightTemplate
    def __init__(self, template: _Optional[_Union[FreightTemplate, _Mapping]] = ...) -> None: ...

class GetFreightTemplateRequest(_message.Message):
    __slots__ = ("template_id",)
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    template_id: str
    def __init__(self, template_id: _Optional[str] = ...) -> None: ...

class GetFreightTemplateResponse(_message.Message):
    __slots__ = ("template",)
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    template: FreightTemplate
    def __init__(self, template: _Optional[_Union[FreightTemplate, _Mapping]] = ...) -> None: ...

class ListFreightTemplatesRequest(_message.Message):
    __slots__ = ("seller_id", "page_size", "page_token")
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    seller_id: str
    page_size: int
    page_token: str
    def __init__(self, seller_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListFreightTemplatesResponse(_message.Message):
    __slots__ = ("templates", "next_page_token")
    TEMPLATES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    templates: _containers.RepeatedCompositeFieldContainer[FreightTemplate]
    next_page_token: str
    def __init__(self, templates: _Optional[_Iterable[_Union[FreightTemplate, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class FreightItem(_message.Message):
    __slots__ = ("sku_id", "quantity", "weight_grams", "amount")
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_GRAMS_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    sku_id: str
    quantity: int
    weight_grams: int
    amount: _common_pb2.Money
    def __init__(self, sku_id: _Optional[str] = ..., quantity: _Optional[int] = ..., weight_grams: _Optional[int] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class FreightPackage(_message.Message):
    __slots__ = ("package_id", "seller_id", "template_id", "delivery_method", "items", "free_shipping")
    PACKAGE_ID_FIELD_NUMBER: _ClassVar[int]
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_METHOD_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    FREE_SHIPPING_FIELD_NUMBER: _ClassVar[int]
    package_id: str
    seller_id: str
    template_id: str
    delivery_method: DeliveryMethod
    items: _containers.RepeatedCompositeFieldContainer[FreightItem]
    free_shipping: bool
    def __init__(self, package_id: _Optional[str] = ..., seller_id: _Optional[str] = ..., template_id: _Optional[str] = ..., delivery_method: _Optional[_Union[DeliveryMethod, str]] = ..., items: _Optional[_Iterable[_Union[FreightItem, _Mapping]]] = ..., free_shipping: _Optional[bool] = ...) -> None: ...

class QuoteFreightRequest(_message.Message):
    __slots__ = ("packages", "destination")
    PACKAGES_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_FIELD_NUMBER: _ClassVar[int]
    packages: _containers.RepeatedCompositeFieldContainer[FreightPackage]
    destination: _common_pb2.Address
    def __init__(self, packages: _Optional[_Iterable[_Union[FreightPackage, _Mapping]]] = ..., destination: _Optional[_Union[_common_pb2.Address, _Mapping]] = ...) -> None: ...

class PackageFreight(_message.Message):
    __slots__ = ("package_id", "seller_id", "template_id", "freight", "source", "rule", "units", "delivery_method")
    PACKAGE_ID_FIELD_NUMBER: _ClassVar[int]
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    FREIGHT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    RULE_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_METHOD_FIELD_NUMBER: _ClassVar[int]
    package_id: str
    seller_id: str
    template_id: str
    freight: _common_pb2.Money
    source: FreightSource
    rule: FreightRule
    units: int
    delivery_method: DeliveryMethod
    def __init__(self, package_id: _Optional[str] = ..., seller_id: _Optional[str] = ..., template_id: _Optional[str] = ..., freight: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., source: _Optional[_Union[FreightSource, str]] = ..., rule: _Optional[_Union[FreightRule, _Mapping]] = ..., units: _Optional[int] = ..., delivery_method: _Optional[_Union[DeliveryMethod, str]] = ...) -> None: ...

class QuoteFreightResponse(_message.Message):
    __slots__ = ("packages",)
    PACKAGES_FIELD_NUMBER: _ClassVar[int]
    packages: _containers.RepeatedCompositeFieldContainer[PackageFreight]
    def __init__(self, packages: _Optional[_Iterable[_Union[PackageFreight, _Mapping]]] = ...) -> None: ...

class LogisticsLine(_message.Message):
    __slots__ = ("order_id", "sku_id", "quantity")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    sku_id: str
    quantity: int
    def __init__(self, order_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...

class TrackingEvent(_message.Message):
    __slots__ = ("event_id", "milestone", "occur_time", "location", "description")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    MILESTONE_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    milestone: TrackingMilestone
    occur_time: _timestamp_pb2.Timestamp
    location: str
    description: str
    def __init__(self, event_id: _Optional[str] = ..., milestone: _Optional[_Union[TrackingMilestone, str]] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., location: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class LogisticsFlag(_message.Message):
    __slots__ = ("flag", "note", "operator", "create_time")
    FLAG_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    flag: str
    note: str
    operator: _common_pb2.Operator
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, flag: _Optional[str] = ..., note: _Optional[str] = ..., operator: _Optional[_Union[_common_pb2.Operator, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class LogisticsOrder(_message.Message):
    __slots__ = ("logistics_order_id", "role", "status", "log_order_id", "order_id", "top_order_id", "seller_id", "buyer_id", "address", "delivery_method", "lines", "split", "parent_id", "merged_into", "child_ids", "is_package", "carrier", "tracking_no", "tracking", "exception", "flags", "shipped_quantity", "ship_time", "deliver_time", "create_time", "update_time", "plan", "plan_note", "estimated_delivery_time", "application_id", "warehouse_id", "return_from")
    LOGISTICS_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LOG_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    TOP_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_METHOD_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    SPLIT_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    MERGED_INTO_FIELD_NUMBER: _ClassVar[int]
    CHILD_IDS_FIELD_NUMBER: _ClassVar[int]
    IS_PACKAGE_FIELD_NUMBER: _ClassVar[int]
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    TRACKING_NO_FIELD_NUMBER: _ClassVar[int]
    TRACKING_FIELD_NUMBER: _ClassVar[int]
    EXCEPTION_FIELD_NUMBER: _ClassVar[int]
    FLAGS_FIELD_NUMBER: _ClassVar[int]
    SHIPPED_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    SHIP_TIME_FIELD_NUMBER: _ClassVar[int]
    DELIVER_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    PLAN_NOTE_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_DELIVERY_TIME_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    WAREHOUSE_ID_FIELD_NUMBER: _ClassVar[int]
    RETURN_FROM_FIELD_NUMBER: _ClassVar[int]
    logistics_order_id: str
    role: LogisticsOrderRole
    status: LogisticsOrderStatus
    log_order_id: str
    order_id: str
    top_order_id: str
    seller_id: str
    buyer_id: str
    address: _common_pb2.Address
    delivery_method: DeliveryMethod
    lines: _containers.RepeatedCompositeFieldContainer[LogisticsLine]
    split: bool
    parent_id: str
    merged_into: str
    child_ids: _containers.RepeatedScalarFieldContainer[str]
    is_package: bool
    carrier: str
    tracking_no: str
    tracking: _containers.RepeatedCompositeFieldContainer[TrackingEvent]
    exception: bool
    flags: _containers.RepeatedCompositeFieldContainer[LogisticsFlag]
    shipped_quantity: int
    ship_time: _timestamp_pb2.Timestamp
    deliver_time: _timestamp_pb2.Timestamp
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    plan: _containers.RepeatedCompositeFieldContainer[PlannedShipment]
    plan_note: str
    estimated_delivery_time: _timestamp_pb2.Timestamp
    application_id: str
    warehouse_id: str
    return_from: _common_pb2.Address
    def __init__(self, logistics_order_id: _Optional[str] = ..., role: _Optional[_Union[LogisticsOrderRole, str]] = ..., status: _Optional[_Union[LogisticsOrderStatus, str]] = ..., log_order_id: _Optional[str] = ..., order_id: _Optional[str] = ..., top_order_id: _Optional[str] = ..., seller_id: _Optional[str] = ..., buyer_id: _Optional[str] = ..., address: _Optional[_Union[_common_pb2.Address, _Mapping]] = ..., delivery_method: _Optional[_Union[DeliveryMethod, str]] = ..., lines: _Optional[_Iterable[_Union[LogisticsLine, _Mapping]]] = ..., split: _Optional[bool] = ..., parent_id: _Optional[str] = ..., merged_into: _Optional[str] = ..., child_ids: _Optional[_Iterable[str]] = ..., is_package: _Optional[bool] = ..., carrier: _Optional[str] = ..., tracking_no: _Optional[str] = ..., tracking: _Optional[_Iterable[_Union[TrackingEvent, _Mapping]]] = ..., exception: _Optional[bool] = ..., flags: _Optional[_Iterable[_Union[LogisticsFlag, _Mapping]]] = ..., shipped_quantity: _Optional[int] = ..., ship_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., deliver_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., plan: _Optional[_Iterable[_Union[PlannedShipment, _Mapping]]] = ..., plan_note: _Optional[str] = ..., estimated_delivery_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., application_id: _Optional[str] = ..., warehouse_id: _Optional[str] = ..., return_from: _Optional[_Union[_common_pb2.Address, _Mapping]] = ...) -> None: ...

class PlannedShipment(_message.Message):
    __slots__ = ("warehouse_id", "quantity", "transfer_from_warehouse_id", "estimated_delivery_time")
    WAREHOUSE_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_FROM_WAREHOUSE_ID_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_DELIVERY_TIME_FIELD_NUMBER: _ClassVar[int]
    warehouse_id: str
    quantity: int
    transfer_from_warehouse_id: str
    estimated_delivery_time: _timestamp_pb2.Timestamp
    def __init__(self, warehouse_id: _Optional[str] = ..., quantity: _Optional[int] = ..., transfer_from_warehouse_id: _Optional[str] = ..., estimated_delivery_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetLogisticsOrderRequest(_message.Message):
    __slots__ = ("logistics_order_id",)
    LOGISTICS_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    logistics_order_id: str
    def __init__(self, logistics_order_id: _Optional[str] = ...) -> None: ...

class GetLogisticsOrderResponse(_message.Message):
    __slots__ = ("logistics_order",)
    LOGISTICS_ORDER_FIELD_NUMBER: _ClassVar[int]
    logistics_order: LogisticsOrder
    def __init__(self, logistics_order: _Optional[_Union[LogisticsOrder, _Mapping]] = ...) -> None: ...

class ListLogisticsOrdersRequest(_message.Message):
    __slots__ = ("order_id", "seller_id", "status", "page_size", "page_token")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    seller_id: str
    status: LogisticsOrderStatus
    page_size: int
    page_token: str
    def __init__(self, order_id: _Optional[str] = ..., seller_id: _Optional[str] = ..., status: _Optional[_Union[LogisticsOrderStatus, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListLogisticsOrdersResponse(_message.Message):
    __slots__ = ("logistics_orders", "next_page_token")
    LOGISTICS_ORDERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    logistics_orders: _containers.RepeatedCompositeFieldContainer[LogisticsOrder]
    next_page_token: str
    def __init__(self, logistics_orders: _Optional[_Iterable[_Union[LogisticsOrder, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class PackageItem(_message.Message):
    __slots__ = ("logistics_order_id", "quantity")
    LOGISTICS_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    logistics_order_id: str
    quantity: int
    def __init__(self, logistics_order_id: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...

class ShipPackageRequest(_message.Message):
    __slots__ = ("request_id", "seller_id", "items", "carrier", "tracking_no")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    TRACKING_NO_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    seller_id: str
    items: _containers.RepeatedCompositeFieldContainer[PackageItem]
    carrier: str
    tracking_no: str
    def __init__(self, request_id: _Optional[str] = ..., seller_id: _Optional[str] = ..., items: _Optional[_Iterable[_Union[PackageItem, _Mapping]]] = ..., carrier: _Optional[str] = ..., tracking_no: _Optional[str] = ...) -> None: ...

class CreateReturnRequest(_message.Message):
    __slots__ = ("request_id", "order_id", "top_order_id", "seller_id", "buyer_id", "sku_id", "quantity", "from_address")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    TOP_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    FROM_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    order_id: str
    top_order_id: str
    seller_id: str
    buyer_id: str
    sku_id: str
    quantity: int
    from_address: _common_pb2.Address
    def __init__(self, request_id: _Optional[str] = ..., order_id: _Optional[str] = ..., top_order_id: _Optional[str] = ..., seller_id: _Optional[str] = ..., buyer_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., quantity: _Optional[int] = ..., from_address: _Optional[_Union[_common_pb2.Address, _Mapping]] = ...) -> None: ...

class CreateReturnResponse(_message.Message):
    __slots__ = ("return_order",)
    RETURN_ORDER_FIELD_NUMBER: _ClassVar[int]
    return_order: LogisticsOrder
    def __init__(self, return_order: _Optional[_Union[LogisticsOrder, _Mapping]] = ...) -> None: ...

class ShipReturnRequest(_message.Message):
    __slots__ = ("request_id", "logistics_order_id", "carrier", "tracking_no")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    LOGISTICS_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    TRACKING_NO_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    logistics_order_id: str
    carrier: str
    tracking_no: str
    def __init__(self, request_id: _Optional[str] = ..., logistics_order_id: _Optional[str] = ..., carrier: _Optional[str] = ..., tracking_no: _Optional[str] = ...) -> None: ...

class ShipReturnResponse(_message.Message):
    __slots__ = ("return_order",)
    RETURN_ORDER_FIELD_NUMBER: _ClassVar[int]
    return_order: LogisticsOrder
    def __init__(self, return_order: _Optional[_Union[LogisticsOrder, _Mapping]] = ...) -> None: ...

class ShipPackageResponse(_message.Message):
    __slots__ = ("package", "orders")
    PACKAGE_FIELD_NUMBER: _ClassVar[int]
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    package: LogisticsOrder
    orders: _containers.RepeatedCompositeFieldContainer[LogisticsOrder]
    def __init__(self, package: _Optional[_Union[LogisticsOrder, _Mapping]] = ..., orders: _Optional[_Iterable[_Union[LogisticsOrder, _Mapping]]] = ...) -> None: ...

class FlagLogisticsOrderRequest(_message.Message):
    __slots__ = ("request_id", "logistics_order_id", "flag", "note", "operator")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    LOGISTICS_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    FLAG_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    logistics_order_id: str
    flag: str
    note: str
    operator: _common_pb2.Operator
    def __init__(self, request_id: _Optional[str] = ..., logistics_order_id: _Optional[str] = ..., flag: _Optional[str] = ..., note: _Optional[str] = ..., operator: _Optional[_Union[_common_pb2.Operator, _Mapping]] = ...) -> None: ...

class FlagLogisticsOrderResponse(_message.Message):
    __slots__ = ("logistics_order",)
    LOGISTICS_ORDER_FIELD_NUMBER: _ClassVar[int]
    logistics_order: LogisticsOrder
    def __init__(self, logistics_order: _Optional[_Union[LogisticsOrder, _Mapping]] = ...) -> None: ...

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
