import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from zhongtai.aftersales.v1 import aftersales_pb2 as _aftersales_pb2
from zhongtai.common.v1 import common_pb2 as _common_pb2
from zhongtai.common.v1 import options_pb2 as _options_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ApplicationChanged(_message.Message):
    __slots__ = ("application", "previous_status", "action", "actor", "occur_time")
    APPLICATION_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_STATUS_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    application: _aftersales_pb2.Application
    previous_status: _aftersales_pb2.ApplicationStatus
    action: _aftersales_pb2.Action
    actor: _common_pb2.Operator
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, application: _Optional[_Union[_aftersales_pb2.Application, _Mapping]] = ..., previous_status: _Optional[_Union[_aftersales_pb2.ApplicationStatus, str]] = ..., action: _Optional[_Union[_aftersales_pb2.Action, str]] = ..., actor: _Optional[_Union[_common_pb2.Operator, _Mapping]] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
