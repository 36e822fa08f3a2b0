import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from zhongtai.logistics.v1 import logistics_pb2 as _logistics_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FreightTemplateChanged(_message.Message):
    __slots__ = ("template", "occur_time")
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    template: _logistics_pb2.FreightTemplate
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, template: _Optional[_Union[_logistics_pb2.FreightTemplate, _Mapping]] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
