import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from zhongtai.payment.v1 import payment_pb2 as _payment_pb2
from zhongtai.common.v1 import options_pb2 as _options_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PaymentSucceeded(_message.Message):
    __slots__ = ("payment", "occur_time")
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    payment: _payment_pb2.Payment
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, payment: _Optional[_Union[_payment_pb2.Payment, _Mapping]] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PaymentClosed(_message.Message):
    __slots__ = ("payment", "occur_time")
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    payment: _payment_pb2.Payment
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, payment: _Optional[_Union[_payment_pb2.Payment, _Mapping]] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RefundSucceeded(_message.Message):
    __slots__ = ("refund", "payment", "occur_time")
    REFUND_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    refund: _payment_pb2.Refund
    payment: _payment_pb2.Payment
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, refund: _Optional[_Union[_payment_pb2.Refund, _Mapping]] = ..., payment: _Optional[_Union[_payment_pb2.Payment, _Mapping]] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
