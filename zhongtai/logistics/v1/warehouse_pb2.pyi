import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from zhongtai.common.v1 import common_pb2 as _common_pb2
from zhongtai.common.v1 import options_pb2 as _options_pb2
from zhongtai.logistics.v1 import logistics_pb2 as _logistics_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class WarehouseKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WAREHOUSE_KIND_UNSPECIFIED: _ClassVar[WarehouseKind]
    WAREHOUSE_KIND_REGIONAL: _ClassVar[WarehouseKind]
    WAREHOUSE_KIND_PARENT: _ClassVar[WarehouseKind]
    WAREHOUSE_KIND_CENTRAL: _ClassVar[WarehouseKind]

class FulfilmentSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FULFILMENT_SOURCE_UNSPECIFIED: _ClassVar[FulfilmentSource]
    FULFILMENT_SOURCE_LOCAL: _ClassVar[FulfilmentSource]
    FULFILMENT_SOURCE_PARENT_TRANSFER: _ClassVar[FulfilmentSource]
    FULFILMENT_SOURCE_MESH: _ClassVar[FulfilmentSource]
    FULFILMENT_SOURCE_CENTRAL: _ClassVar[FulfilmentSource]
WAREHOUSE_KIND_UNSPECIFIED: WarehouseKind
WAREHOUSE_KIND_REGIONAL: WarehouseKind
WAREHOUSE_KIND_PARENT: WarehouseKind
WAREHOUSE_KIND_CENTRAL: WarehouseKind
FULFILMENT_SOURCE_UNSPECIFIED: FulfilmentSource
FULFILMENT_SOURCE_LOCAL: FulfilmentSource
FULFILMENT_SOURCE_PARENT_TRANSFER: FulfilmentSource
FULFILMENT_SOURCE_MESH: FulfilmentSource
FULFILMENT_SOURCE_CENTRAL: FulfilmentSource

class CoverageArea(_message.Message):
    __slots__ = ("province", "city", "district", "region_code", "delivery_hours")
    PROVINCE_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    DISTRICT_FIELD_NUMBER: _ClassVar[int]
    REGION_CODE_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_HOURS_FIELD_NUMBER: _ClassVar[int]
    province: str
    city: str
    district: str
    region_code: str
    delivery_hours: int
    def __init__(self, province: _Optional[str] = ..., city: _Optional[str] = ..., district: _Optional[str] = ..., region_code: _Optional[str] = ..., delivery_hours: _Optional[int] = ...) -> None: ...

class DeliveryMethodRule(_message.Message):
    __slots__ = ("delivery_method", "window_start", "window_end", "delivery_hours")
    DELIVERY_METHOD_FIELD_NUMBER: _ClassVar[int]
    WINDOW_START_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_HOURS_FIELD_NUMBER: _ClassVar[int]
    delivery_method: _logistics_pb2.DeliveryMethod
    window_start: str
    window_end: str
    delivery_hours: int
    def __init__(self, delivery_method: _Optional[_Union[_logistics_pb2.DeliveryMethod, str]] = ..., window_start: _Optional[str] = ..., window_end: _Optional[str] = ..., delivery_hours: _Optional[int] = ...) -> None: ...

class Warehouse(_message.Message):
    __slots__ = ("warehouse_id", "name", "kind", "parent_warehouse_id", "address", "coverage", "production_hours", "default_delivery_hours", "transfer_hours", "cutoff_time", "time_zone", "method_rules", "create_time")
    WAREHOUSE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PARENT_WAREHOUSE_ID_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    COVERAGE_FIELD_NUMBER: _ClassVar[int]
    PRODUCTION_HOURS_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_DELIVERY_HOURS_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_HOURS_FIELD_NUMBER: _ClassVar[int]
    CUTOFF_TIME_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    METHOD_RULES_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    warehouse_id: str
    name: str
    kind: WarehouseKind
    parent_warehouse_id: str
    address: _common_pb2.Address
    coverage: _containers.RepeatedCompositeFieldContainer[CoverageArea]
    production_hours: int
    default_delivery_hours: int
    transfer_hours: int
    cutoff_time: str
    time_zone: str
    method_rules: _containers.RepeatedCompositeFieldContainer[DeliveryMethodRule]
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, warehouse_id: _Optional[str] = ..., name: _Optional[str] = ..., kind: _Optional[_Union[WarehouseKind, str]] = ..., parent_warehouse_id: _Optional[str] = ..., address: _Optional[_Union[_common_pb2.Address, _Mapping]] = ..., coverage: _Optional[_Iterable[_Union[CoverageArea, _Mapping]]] = ..., production_hours: _Optional[int] = ..., default_delivery_hours: _Optional[int] = ..., transfer_hours: _Optional[int] = ..., cutoff_time: _Optional[str] = ..., time_zone: _Optional[str] = ..., method_rules: _Optional[_Iterable[_Union[DeliveryMethodRule, _Mapping]]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateWarehouseRequest(_message.Message):
    __slots__ = ("request_id", "warehouse")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    WAREHOUSE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    warehouse: Warehouse
    def __init__(self, request_id: _Optional[str] = ..., warehouse: _Optional[_Union[Warehouse, _Mapping]] = ...) -> None: ...

class CreateWarehouseResponse(_message.Message):
    __slots__ = ("warehouse",)
    WAREHOUSE_FIELD_NUMBER: _ClassVar[int]
    warehouse: Warehouse
    def __init__(self, warehouse: _Optional[_Union[Warehouse, _Mapping]] = ...) -> None: ...

class GetWarehouseRequest(_message.Message):
    __slots__ = ("warehouse_id",)
    WAREHOUSE_ID_FIELD_NUMBER: _ClassVar[int]
    warehouse_id: str
    def __init__(self, warehouse_id: _Optional[str] = ...) -> None: ...

class GetWarehouseResponse(_message.Message):
    __slots__ = ("warehouse",)
    WAREHOUSE_FIELD_NUMBER: _ClassVar[int]
    warehouse: Warehouse
    def __init__(self, warehouse: _Optional[_Union[Warehouse, _Mapping]] = ...) -> None: ...

class ListWarehousesRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListWarehousesResponse(_message.Message):
    __slots__ = ("warehouses", "next_page_token")
    WAREHOUSES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    warehouses: _containers.RepeatedCompositeFieldContainer[Warehouse]
    next_page_token: str
    def __init__(self, warehouses: _Optional[_Iterable[_Union[Warehouse, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class FulfilmentLine(_message.Message):
    __slots__ = ("sku_id", "quantity")
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    sku_id: str
    quantity: int
    def __init__(self, sku_id: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...

class PlanFulfilmentRequest(_message.Message):
    __slots__ = ("destination", "lines", "delivery_method", "paid_time")
    DESTINATION_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_METHOD_FIELD_NUMBER: _ClassVar[int]
    PAID_TIME_FIELD_NUMBER: _ClassVar[int]
    destination: _common_pb2.Address
    lines: _containers.RepeatedCompositeFieldContainer[FulfilmentLine]
    delivery_method: _logistics_pb2.DeliveryMethod
    paid_time: _timestamp_pb2.Timestamp
    def __init__(self, destination: _Optional[_Union[_common_pb2.Address, _Mapping]] = ..., lines: _Optional[_Iterable[_Union[FulfilmentLine, _Mapping]]] = ..., delivery_method: _Optional[_Union[_logistics_pb2.DeliveryMethod, str]] = ..., paid_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PlannedPackage(_message.Message):
    __slots__ = ("warehouse_id", "source", "transfer_from_warehouse_id", "lines", "transfer_lines", "production_start_time", "transfer_hours", "production_hours", "delivery_hours", "estimated_delivery_time")
    WAREHOUSE_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_FROM_WAREHOUSE_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_LINES_FIELD_NUMBER: _ClassVar[int]
    PRODUCTION_START_TIME_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_HOURS_FIELD_NUMBER: _ClassVar[int]
    PRODUCTION_HOURS_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_HOURS_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_DELIVERY_TIME_FIELD_NUMBER: _ClassVar[int]
    warehouse_id: str
    source: FulfilmentSource
    transfer_from_warehouse_id: str
    lines: _containers.RepeatedCompositeFieldContainer[FulfilmentLine]
    transfer_lines: _containers.RepeatedCompositeFieldContainer[FulfilmentLine]
    production_start_time: _timestamp_pb2.Timestamp
    transfer_hours: int
    production_hours: int
    delivery_hours: int
    estimated_delivery_time: _timestamp_pb2.Timestamp
    def __init__(self, warehouse_id: _Optional[str] = ..., source: _Optional[_Union[FulfilmentSource, str]] = ..., transfer_from_warehouse_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[FulfilmentLine, _Mapping]]] = ..., transfer_lines: _Optional[_Iterable[_Union[FulfilmentLine, _Mapping]]] = ..., production_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., transfer_hours: _Optional[int] = ..., production_hours: _Optional[int] = ..., delivery_hours: _Optional[int] = ..., estimated_delivery_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PlanFulfilmentResponse(_message.Message):
    __slots__ = ("packages", "estimated_delivery_time", "delivery_method", "paid_time")
    PACKAGES_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_DELIVERY_TIME_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_METHOD_FIELD_NUMBER: _ClassVar[int]
    PAID_TIME_FIELD_NUMBER: _ClassVar[int]
    packages: _containers.RepeatedCompositeFieldContainer[PlannedPackage]
    estimated_delivery_time: _timestamp_pb2.Timestamp
    delivery_method: _logistics_pb2.DeliveryMethod
    paid_time: _timestamp_pb2.Timestamp
    def __init__(self, packages: _Optional[_Iterable[_Union[PlannedPackage, _Mapping]]] = ..., estimated_delivery_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., delivery_method: _Optional[_Union[_logistics_pb2.DeliveryMethod, str]] = ..., paid_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
