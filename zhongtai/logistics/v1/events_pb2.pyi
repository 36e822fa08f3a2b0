import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from zhongtai.logistics.v1 import logistics_pb2 as _logistics_pb2
from zhongtai.common.v1 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FreightTemplateChanged(_message.Message):
    __slots__ = ("template", "occur_time")
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    template: _logistics_pb2.FreightTemplate
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, template: _Optional[_Union[_logistics_pb2.FreightTemplate, _Mapping]] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class LogisticsOrderChanged(_message.Message):
    __slots__ = ("logistics_order", "previous_status", "occur_time")
    LOGISTICS_ORDER_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_STATUS_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    logistics_order: _logistics_pb2.LogisticsOrder
    previous_status: _logistics_pb2.LogisticsOrderStatus
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, logistics_order: _Optional[_Union[_logistics_pb2.LogisticsOrder, _Mapping]] = ..., previous_status: _Optional[_Union[_logistics_pb2.LogisticsOrderStatus, str]] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PackageChanged(_message.Message):
    __slots__ = ("package", "event", "occur_time", "shipped_from")
    PACKAGE_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    SHIPPED_FROM_FIELD_NUMBER: _ClassVar[int]
    package: _logistics_pb2.LogisticsOrder
    event: _logistics_pb2.TrackingEvent
    occur_time: _timestamp_pb2.Timestamp
    shipped_from: _containers.RepeatedCompositeFieldContainer[ShippedUnits]
    def __init__(self, package: _Optional[_Union[_logistics_pb2.LogisticsOrder, _Mapping]] = ..., event: _Optional[_Union[_logistics_pb2.TrackingEvent, _Mapping]] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., shipped_from: _Optional[_Iterable[_Union[ShippedUnits, _Mapping]]] = ...) -> None: ...

class ShippedUnits(_message.Message):
    __slots__ = ("sku_id", "warehouse_id", "quantity")
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    WAREHOUSE_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    sku_id: str
    warehouse_id: str
    quantity: int
    def __init__(self, sku_id: _Optional[str] = ..., warehouse_id: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...
