import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from zhongtai.catalog.v1 import catalog_pb2 as _catalog_pb2
from zhongtai.common.v1 import options_pb2 as _options_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ItemVersionPublished(_message.Message):
    __slots__ = ("item", "occur_time")
    ITEM_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    item: _catalog_pb2.Item
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, item: _Optional[_Union[_catalog_pb2.Item, _Mapping]] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ReservationChanged(_message.Message):
    __slots__ = ("reservation", "occur_time")
    RESERVATION_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    reservation: _catalog_pb2.Reservation
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, reservation: _Optional[_Union[_catalog_pb2.Reservation, _Mapping]] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
