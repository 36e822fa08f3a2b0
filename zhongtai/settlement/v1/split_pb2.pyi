import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from zhongtai.common.v1 import common_pb2 as _common_pb2
from zhongtai.common.v1 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SplitState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SPLIT_STATE_UNSPECIFIED: _ClassVar[SplitState]
    SPLIT_STATE_PENDING: _ClassVar[SplitState]
    SPLIT_STATE_CONFIRMED: _ClassVar[SplitState]
    SPLIT_STATE_REFUSED: _ClassVar[SplitState]
    SPLIT_STATE_SKIPPED: _ClassVar[SplitState]
SPLIT_STATE_UNSPECIFIED: SplitState
SPLIT_STATE_PENDING: SplitState
SPLIT_STATE_CONFIRMED: SplitState
SPLIT_STATE_REFUSED: SplitState
SPLIT_STATE_SKIPPED: SplitState

class Split(_message.Message):
    __slots__ = ("split_id", "order_id", "seller_id", "amount", "state", "channel", "channel_trade_no", "channel_transaction_id", "reference", "reason", "entry_id", "attempts", "create_time", "resolve_time")
    SPLIT_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_TRADE_NO_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    RESOLVE_TIME_FIELD_NUMBER: _ClassVar[int]
    split_id: str
    order_id: str
    seller_id: str
    amount: _common_pb2.Money
    state: SplitState
    channel: str
    channel_trade_no: str
    channel_transaction_id: str
    reference: str
    reason: str
    entry_id: str
    attempts: int
    create_time: _timestamp_pb2.Timestamp
    resolve_time: _timestamp_pb2.Timestamp
    def __init__(self, split_id: _Optional[str] = ..., order_id: _Optional[str] = ..., seller_id: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., state: _Optional[_Union[SplitState, str]] = ..., channel: _Optional[str] = ..., channel_trade_no: _Optional[str] = ..., channel_transaction_id: _Optional[str] = ..., reference: _Optional[str] = ..., reason: _Optional[str] = ..., entry_id: _Optional[str] = ..., attempts: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., resolve_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetSplitRequest(_message.Message):
    __slots__ = ("split_id",)
    SPLIT_ID_FIELD_NUMBER: _ClassVar[int]
    split_id: str
    def __init__(self, split_id: _Optional[str] = ...) -> None: ...

class GetSplitResponse(_message.Message):
    __slots__ = ("split",)
    SPLIT_FIELD_NUMBER: _ClassVar[int]
    split: Split
    def __init__(self, split: _Optional[_Union[Split, _Mapping]] = ...) -> None: ...

class ListSplitsRequest(_message.Message):
    __slots__ = ("seller_id", "order_id", "page_size", "page_token")
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    seller_id: str
    order_id: str
    page_size: int
    page_token: str
    def __init__(self, seller_id: _Optional[str] = ..., order_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListSplitsResponse(_message.Message):
    __slots__ = ("splits", "next_page_token")
    SPLITS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    splits: _containers.RepeatedCompositeFieldContainer[Split]
    next_page_token: str
    def __init__(self, splits: _Optional[_Iterable[_Union[Split, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
