import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from zhongtai.common.v1 import options_pb2 as _options_pb2
from zhongtai.settlement.v1 import settlement_pb2 as _settlement_pb2
from zhongtai.settlement.v1 import split_pb2 as _split_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OrderCleared(_message.Message):
    __slots__ = ("clearing", "entry_id", "occur_time")
    CLEARING_FIELD_NUMBER: _ClassVar[int]
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    clearing: _settlement_pb2.OrderClearing
    entry_id: str
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, clearing: _Optional[_Union[_settlement_pb2.OrderClearing, _Mapping]] = ..., entry_id: _Optional[str] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OrderReversed(_message.Message):
    __slots__ = ("clearing", "entry_id", "reverses_entry_id", "reference", "occur_time")
    CLEARING_FIELD_NUMBER: _ClassVar[int]
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    REVERSES_ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    clearing: _settlement_pb2.OrderClearing
    entry_id: str
    reverses_entry_id: str
    reference: str
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, clearing: _Optional[_Union[_settlement_pb2.OrderClearing, _Mapping]] = ..., entry_id: _Optional[str] = ..., reverses_entry_id: _Optional[str] = ..., reference: _Optional[str] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class BatchClosed(_message.Message):
    __slots__ = ("batch", "occur_time")
    BATCH_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    batch: _settlement_pb2.SettlementBatch
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, batch: _Optional[_Union[_settlement_pb2.SettlementBatch, _Mapping]] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PayoutPosted(_message.Message):
    __slots__ = ("payout", "occur_time")
    PAYOUT_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    payout: _settlement_pb2.Payout
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, payout: _Optional[_Union[_settlement_pb2.Payout, _Mapping]] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PayoutVoided(_message.Message):
    __slots__ = ("payout", "occur_time")
    PAYOUT_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    payout: _settlement_pb2.Payout
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, payout: _Optional[_Union[_settlement_pb2.Payout, _Mapping]] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SplitConfirmed(_message.Message):
    __slots__ = ("split", "occur_time")
    SPLIT_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    split: _split_pb2.Split
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, split: _Optional[_Union[_split_pb2.Split, _Mapping]] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SplitRefused(_message.Message):
    __slots__ = ("split", "occur_time")
    SPLIT_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    split: _split_pb2.Split
    occur_time: _timestamp_pb2.Timestamp
    def __init__(self, split: _Optional[_Union[_split_pb2.Split, _Mapping]] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
