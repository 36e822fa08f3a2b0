import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from zhongtai.promotion.v1 import promotion_pb2 as _promotion_pb2
from zhongtai.common.v1 import options_pb2 as _options_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CouponClaimed(_message.Message):
    __slots__ = ("coupon", "occur_time")
    COUPON_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    coupon: _promotion_pb2.Coupon
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, coupon: _Optional[_Union[_promotion_pb2.Coupon, _Mapping]] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RedPacketIssued(_message.Message):
    __slots__ = ("red_packet", "occur_time")
    RED_PACKET_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    red_packet: _promotion_pb2.RedPacket
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, red_packet: _Optional[_Union[_promotion_pb2.RedPacket, _Mapping]] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class BenefitHoldChanged(_message.Message):
    __slots__ = ("hold", "occur_time")
    HOLD_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    hold: _promotion_pb2.BenefitHold
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, hold: _Optional[_Union[_promotion_pb2.BenefitHold, _Mapping]] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
