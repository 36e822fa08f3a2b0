import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from zhongtai.common.v1 import audit_pb2 as _audit_pb2
from zhongtai.common.v1 import common_pb2 as _common_pb2
from zhongtai.common.v1 import options_pb2 as _options_pb2
from zhongtai.settlement.v1 import split_pb2 as _split_pb2
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
    ERROR_REASON_ORDER_CLEARING_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_ACCOUNT_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_NOT_THE_ACCOUNT_OWNER: _ClassVar[ErrorReason]
    ERROR_REASON_FEE_RULE_VERSION_EXISTS: _ClassVar[ErrorReason]
    ERROR_REASON_FEE_RULE_IN_THE_PAST: _ClassVar[ErrorReason]
    ERROR_REASON_UNBALANCED_ENTRY: _ClassVar[ErrorReason]
    ERROR_REASON_ILLEGAL_CLEARING_TRANSITION: _ClassVar[ErrorReason]
    ERROR_REASON_CONCURRENT_CLEARING_CHANGE: _ClassVar[ErrorReason]
    ERROR_REASON_PAYOUT_EXCEEDS_AVAILABLE: _ClassVar[ErrorReason]
    ERROR_REASON_NEGATIVE_BALANCE: _ClassVar[ErrorReason]
    ERROR_REASON_ILLEGAL_PAYOUT_TRANSITION: _ClassVar[ErrorReason]
    ERROR_REASON_PAYOUT_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_BATCH_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_SPLIT_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_ILLEGAL_SPLIT_TRANSITION: _ClassVar[ErrorReason]

class CommissionKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMMISSION_KIND_UNSPECIFIED: _ClassVar[CommissionKind]
    COMMISSION_KIND_PERCENTAGE: _ClassVar[CommissionKind]
    COMMISSION_KIND_FIXED: _ClassVar[CommissionKind]
    COMMISSION_KIND_TIERED: _ClassVar[CommissionKind]

class CommissionBase(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMMISSION_BASE_UNSPECIFIED: _ClassVar[CommissionBase]
    COMMISSION_BASE_GOODS: _ClassVar[CommissionBase]
    COMMISSION_BASE_GOODS_AFTER_MERCHANT_DISCOUNTS: _ClassVar[CommissionBase]

class TradeMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRADE_MODE_UNSPECIFIED: _ClassVar[TradeMode]
    TRADE_MODE_ESCROW: _ClassVar[TradeMode]
    TRADE_MODE_COLLECTION: _ClassVar[TradeMode]
    TRADE_MODE_JOINT_OPERATION: _ClassVar[TradeMode]

class LineKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LINE_KIND_UNSPECIFIED: _ClassVar[LineKind]
    LINE_KIND_MERCHANT_RECEIVABLE: _ClassVar[LineKind]
    LINE_KIND_PLATFORM_COMMISSION: _ClassVar[LineKind]
    LINE_KIND_PLATFORM_DISCOUNT: _ClassVar[LineKind]
    LINE_KIND_MERCHANT_DISCOUNT: _ClassVar[LineKind]
    LINE_KIND_FREIGHT: _ClassVar[LineKind]
    LINE_KIND_CHANNEL_FEE: _ClassVar[LineKind]
    LINE_KIND_GOODS: _ClassVar[LineKind]
    LINE_KIND_PLATFORM_CHANNEL_FEE: _ClassVar[LineKind]
    LINE_KIND_DELIVERY_FEE: _ClassVar[LineKind]
    LINE_KIND_RIDER_FEE: _ClassVar[LineKind]
    LINE_KIND_PLATFORM_SALES: _ClassVar[LineKind]
    LINE_KIND_CHANNEL_DISCOUNT: _ClassVar[LineKind]

class ClearingState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CLEARING_STATE_UNSPECIFIED: _ClassVar[ClearingState]
    CLEARING_STATE_PENDING: _ClassVar[ClearingState]
    CLEARING_STATE_HELD: _ClassVar[ClearingState]
    CLEARING_STATE_CLEARED: _ClassVar[ClearingState]
    CLEARING_STATE_REVERSED: _ClassVar[ClearingState]

class AccountKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACCOUNT_KIND_UNSPECIFIED: _ClassVar[AccountKind]
    ACCOUNT_KIND_CHANNEL_RECEIVABLE: _ClassVar[AccountKind]
    ACCOUNT_KIND_MERCHANT_PENDING: _ClassVar[AccountKind]
    ACCOUNT_KIND_MERCHANT_AVAILABLE: _ClassVar[AccountKind]
    ACCOUNT_KIND_PLATFORM_REVENUE: _ClassVar[AccountKind]
    ACCOUNT_KIND_PLATFORM_SUBSIDY: _ClassVar[AccountKind]
    ACCOUNT_KIND_CHANNEL_FEE_EXPENSE: _ClassVar[AccountKind]
    ACCOUNT_KIND_CHANNEL_FEE_PAYABLE: _ClassVar[AccountKind]
    ACCOUNT_KIND_MERCHANT_PAYOUT_PENDING: _ClassVar[AccountKind]
    ACCOUNT_KIND_PAYOUT_CLEARING: _ClassVar[AccountKind]
    ACCOUNT_KIND_PLATFORM_DELIVERY_REVENUE: _ClassVar[AccountKind]
    ACCOUNT_KIND_RIDER_PAYABLE: _ClassVar[AccountKind]
    ACCOUNT_KIND_PLATFORM_SALES_PENDING: _ClassVar[AccountKind]
    ACCOUNT_KIND_PLATFORM_SALES: _ClassVar[AccountKind]
    ACCOUNT_KIND_CHANNEL_DISCOUNT_RECEIVABLE: _ClassVar[AccountKind]

class EntryKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ENTRY_KIND_UNSPECIFIED: _ClassVar[EntryKind]
    ENTRY_KIND_PAYMENT: _ClassVar[EntryKind]
    ENTRY_KIND_CLEARING: _ClassVar[EntryKind]
    ENTRY_KIND_REFUND: _ClassVar[EntryKind]
    ENTRY_KIND_REVERSAL: _ClassVar[EntryKind]
    ENTRY_KIND_PAYOUT: _ClassVar[EntryKind]
    ENTRY_KIND_PAYOUT_POSTED: _ClassVar[EntryKind]
    ENTRY_KIND_PAYOUT_VOIDED: _ClassVar[EntryKind]
    ENTRY_KIND_SPLIT: _ClassVar[EntryKind]
    ENTRY_KIND_CHANNEL_DISCOUNT: _ClassVar[EntryKind]

class PayoutState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYOUT_STATE_UNSPECIFIED: _ClassVar[PayoutState]
    PAYOUT_STATE_PENDING: _ClassVar[PayoutState]
    PAYOUT_STATE_POSTED: _ClassVar[PayoutState]
    PAYOUT_STATE_VOIDED: _ClassVar[PayoutState]
ERROR_REASON_UNSPECIFIED: ErrorReason
ERROR_REASON_ORDER_CLEARING_NOT_FOUND: ErrorReason
ERROR_REASON_ACCOUNT_NOT_FOUND: ErrorReason
ERROR_REASON_NOT_THE_ACCOUNT_OWNER: ErrorReason
ERROR_REASON_FEE_RULE_VERSION_EXISTS: ErrorReason
ERROR_REASON_FEE_RULE_IN_THE_PAST: ErrorReason
ERROR_REASON_UNBALANCED_ENTRY: ErrorReason
ERROR_REASON_ILLEGAL_CLEARING_TRANSITION: ErrorReason
ERROR_REASON_CONCURRENT_CLEARING_CHANGE: ErrorReason
ERROR_REASON_PAYOUT_EXCEEDS_AVAILABLE: ErrorReason
ERROR_REASON_NEGATIVE_BALANCE: ErrorReason
ERROR_REASON_ILLEGAL_PAYOUT_TRANSITION: ErrorReason
ERROR_REASON_PAYOUT_NOT_FOUND: ErrorReason
ERROR_REASON_BATCH_NOT_FOUND: ErrorReason
ERROR_REASON_SPLIT_NOT_FOUND: ErrorReason
ERROR_REASON_ILLEGAL_SPLIT_TRANSITION: ErrorReason
COMMISSION_KIND_UNSPECIFIED: CommissionKind
COMMISSION_KIND_PERCENTAGE: CommissionKind
COMMISSION_KIND_FIXED: CommissionKind
COMMISSION_KIND_TIERED: CommissionKind
COMMISSION_BASE_UNSPECIFIED: CommissionBase
COMMISSION_BASE_GOODS: CommissionBase
COMMISSION_BASE_GOODS_AFTER_MERCHANT_DISCOUNTS: CommissionBase
TRADE_MODE_UNSPECIFIED: TradeMode
TRADE_MODE_ESCROW: TradeMode
TRADE_MODE_COLLECTION: TradeMode
TRADE_MODE_JOINT_OPERATION: TradeMode
LINE_KIND_UNSPECIFIED: LineKind
LINE_KIND_MERCHANT_RECEIVABLE: LineKind
LINE_KIND_PLATFORM_COMMISSION: LineKind
LINE_KIND_PLATFORM_DISCOUNT: LineKind
LINE_KIND_MERCHANT_DISCOUNT: LineKind
LINE_KIND_FREIGHT: LineKind
LINE_KIND_CHANNEL_FEE: LineKind
LINE_KIND_GOODS: LineKind
LINE_KIND_PLATFORM_CHANNEL_FEE: LineKind
LINE_KIND_DELIVERY_FEE: LineKind
LINE_KIND_RIDER_FEE: LineKind
LINE_KIND_PLATFORM_SALES: LineKind
LINE_KIND_CHANNEL_DISCOUNT: LineKind
CLEARING_STATE_UNSPECIFIED: ClearingState
CLEARING_STATE_PENDING: ClearingState
CLEARING_STATE_HELD: ClearingState
CLEARING_STATE_CLEARED: ClearingState
CLEARING_STATE_REVERSED: ClearingState
ACCOUNT_KIND_UNSPECIFIED: AccountKind
ACCOUNT_KIND_CHANNEL_RECEIVABLE: AccountKind
ACCOUNT_KIND_MERCHANT_PENDING: AccountKind
ACCOUNT_KIND_MERCHANT_AVAILABLE: AccountKind
ACCOUNT_KIND_PLATFORM_REVENUE: AccountKind
ACCOUNT_KIND_PLATFORM_SUBSIDY: AccountKind
ACCOUNT_KIND_CHANNEL_FEE_EXPENSE: AccountKind
ACCOUNT_KIND_CHANNEL_FEE_PAYABLE: AccountKind
ACCOUNT_KIND_MERCHANT_PAYOUT_PENDING: AccountKind
ACCOUNT_KIND_PAYOUT_CLEARING: AccountKind
ACCOUNT_KIND_PLATFORM_DELIVERY_REVENUE: AccountKind
ACCOUNT_KIND_RIDER_PAYABLE: AccountKind
ACCOUNT_KIND_PLATFORM_SALES_PENDING: AccountKind
ACCOUNT_KIND_PLATFORM_SALES: AccountKind
ACCOUNT_KIND_CHANNEL_DISCOUNT_RECEIVABLE: AccountKind
ENTRY_KIND_UNSPECIFIED: EntryKind
ENTRY_KIND_PAYMENT: EntryKind
ENTRY_KIND_CLEARING: EntryKind
ENTRY_KIND_REFUND: EntryKind
ENTRY_KIND_REVERSAL: EntryKind
ENTRY_KIND_PAYOUT: EntryKind
ENTRY_KIND_PAYOUT_POSTED: EntryKind
ENTRY_KIND_PAYOUT_VOIDED: EntryKind
ENTRY_KIND_SPLIT: EntryKind
ENTRY_KIND_CHANNEL_DISCOUNT: EntryKind
PAYOUT_STATE_UNSPECIFIED: PayoutState
PAYOUT_STATE_PENDING: PayoutState
PAYOUT_STATE_POSTED: PayoutState
PAYOUT_STATE_VOIDED: PayoutState

class CommissionTier(_message.Message):
    __slots__ = ("from_amount", "rate_bps")
    FROM_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    RATE_BPS_FIELD_NUMBER: _ClassVar[int]
    from_amount: _common_pb2.Money
    rate_bps: int
    def __init__(self, from_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., rate_bps: _Optional[int] = ...) -> None: ...

class FeeRule(_message.Message):
    __slots__ = ("fee_rule_id", "business_type", "seller_id", "effective_time", "commission_kind", "commission_base", "commission_rate_bps", "commission_fixed_amount", "commission_tiers", "channel_fee_bps", "channel_fee_by_merchant", "create_time", "created_by", "delivery_by_platform", "rider_fee_amount")
    FEE_RULE_ID_FIELD_NUMBER: _ClassVar[int]
    BUSINESS_TYPE_FIELD_NUMBER: _ClassVar[int]
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_TIME_FIELD_NUMBER: _ClassVar[int]
    COMMISSION_KIND_FIELD_NUMBER: _ClassVar[int]
    COMMISSION_BASE_FIELD_NUMBER: _ClassVar[int]
    COMMISSION_RATE_BPS_FIELD_NUMBER: _ClassVar[int]
    COMMISSION_FIXED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    COMMISSION_TIERS_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FEE_BPS_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FEE_BY_MERCHANT_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_BY_PLATFORM_FIELD_NUMBER: _ClassVar[int]
    RIDER_FEE_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    fee_rule_id: str
    business_type: str
    seller_id: str
    effective_time: _timestamp_pb2.Timestamp
    commission_kind: CommissionKind
    commission_base: CommissionBase
    commission_rate_bps: int
    commission_fixed_amount: _common_pb2.Money
    commission_tiers: _containers.RepeatedCompositeFieldContainer[CommissionTier]
    channel_fee_bps: int
    channel_fee_by_merchant: bool
    create_time: _timestamp_pb2.Timestamp
    created_by: _common_pb2.Operator
    delivery_by_platform: bool
    rider_fee_amount: _common_pb2.Money
    def __init__(self, fee_rule_id: _Optional[str] = ..., business_type: _Optional[str] = ..., seller_id: _Optional[str] = ..., effective_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., commission_kind: _Optional[_Union[CommissionKind, str]] = ..., commission_base: _Optional[_Union[CommissionBase, str]] = ..., commission_rate_bps: _Optional[int] = ..., commission_fixed_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., commission_tiers: _Optional[_Iterable[_Union[CommissionTier, _Mapping]]] = ..., channel_fee_bps: _Optional[int] = ..., channel_fee_by_merchant: _Optional[bool] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[_Union[_common_pb2.Operator, _Mapping]] = ..., delivery_by_platform: _Optional[bool] = ..., rider_fee_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class ClearingLine(_message.Message):
    __slots__ = ("kind", "seller_id", "deduction_kind", "source_id", "amount")
    KIND_FIELD_NUMBER: _ClassVar[int]
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    DEDUCTION_KIND_FIELD_NUMBER: _ClassVar[int]
    SOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    kind: LineKind
    seller_id: str
    deduction_kind: int
    source_id: str
    amount: _common_pb2.Money
    def __init__(self, kind: _Optional[_Union[LineKind, str]] = ..., seller_id: _Optional[str] = ..., deduction_kind: _Optional[int] = ..., source_id: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class OrderClearing(_message.Message):
    __slots__ = ("order_id", "buyer_id", "business_type", "trade_mode", "state", "fee_rule_ids", "paid_amount", "refunded_amount", "lines", "open_claims", "order_create_time", "paid_time", "cleared_time", "buyer_paid_amount", "channel_discount_amount")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    BUSINESS_TYPE_FIELD_NUMBER: _ClassVar[int]
    TRADE_MODE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    FEE_RULE_IDS_FIELD_NUMBER: _ClassVar[int]
    PAID_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    OPEN_CLAIMS_FIELD_NUMBER: _ClassVar[int]
    ORDER_CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    PAID_TIME_FIELD_NUMBER: _ClassVar[int]
    CLEARED_TIME_FIELD_NUMBER: _ClassVar[int]
    BUYER_PAID_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_DISCOUNT_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    buyer_id: str
    business_type: str
    trade_mode: TradeMode
    state: ClearingState
    fee_rule_ids: _containers.RepeatedScalarFieldContainer[str]
    paid_amount: _common_pb2.Money
    refunded_amount: _common_pb2.Money
    lines: _containers.RepeatedCompositeFieldContainer[ClearingLine]
    open_claims: _containers.RepeatedScalarFieldContainer[str]
    order_create_time: _timestamp_pb2.Timestamp
    paid_time: _timestamp_pb2.Timestamp
    cleared_time: _timestamp_pb2.Timestamp
    buyer_paid_amount: _common_pb2.Money
    channel_discount_amount: _common_pb2.Money
    def __init__(self, order_id: _Optional[str] = ..., buyer_id: _Optional[str] = ..., business_type: _Optional[str] = ..., trade_mode: _Optional[_Union[TradeMode, str]] = ..., state: _Optional[_Union[ClearingState, str]] = ..., fee_rule_ids: _Optional[_Iterable[str]] = ..., paid_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., refunded_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., lines: _Optional[_Iterable[_Union[ClearingLine, _Mapping]]] = ..., open_claims: _Optional[_Iterable[str]] = ..., order_create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., paid_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., cleared_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., buyer_paid_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., channel_discount_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class Account(_message.Message):
    __slots__ = ("account_id", "kind", "owner_id", "balance")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    BALANCE_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    kind: AccountKind
    owner_id: str
    balance: _common_pb2.Money
    def __init__(self, account_id: _Optional[str] = ..., kind: _Optional[_Union[AccountKind, str]] = ..., owner_id: _Optional[str] = ..., balance: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class Posting(_message.Message):
    __slots__ = ("account_id", "amount")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    amount: _common_pb2.Money
    def __init__(self, account_id: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class JournalEntry(_message.Message):
    __slots__ = ("entry_id", "kind", "order_id", "reference", "reverses_entry_id", "postings", "create_time")
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    REVERSES_ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    POSTINGS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    entry_id: str
    kind: EntryKind
    order_id: str
    reference: str
    reverses_entry_id: str
    postings: _containers.RepeatedCompositeFieldContainer[Posting]
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, entry_id: _Optional[str] = ..., kind: _Optional[_Union[EntryKind, str]] = ..., order_id: _Optional[str] = ..., reference: _Optional[str] = ..., reverses_entry_id: _Optional[str] = ..., postings: _Optional[_Iterable[_Union[Posting, _Mapping]]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateFeeRuleRequest(_message.Message):
    __slots__ = ("request_id", "fee_rule")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    FEE_RULE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    fee_rule: FeeRule
    def __init__(self, request_id: _Optional[str] = ..., fee_rule: _Optional[_Union[FeeRule, _Mapping]] = ...) -> None: ...

class CreateFeeRuleResponse(_message.Message):
    __slots__ = ("fee_rule",)
    FEE_RULE_FIELD_NUMBER: _ClassVar[int]
    fee_rule: FeeRule
    def __init__(self, fee_rule: _Optional[_Union[FeeRule, _Mapping]] = ...) -> None: ...

class ListFeeRulesRequest(_message.Message):
    __slots__ = ("business_type", "seller_id", "page_size", "page_token")
    BUSINESS_TYPE_FIELD_NUMBER: _ClassVar[int]
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    business_type: str
    seller_id: str
    page_size: int
    page_token: str
    def __init__(self, business_type: _Optional[str] = ..., seller_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListFeeRulesResponse(_message.Message):
    __slots__ = ("fee_rules", "next_page_token")
    FEE_RULES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    fee_rules: _containers.RepeatedCompositeFieldContainer[FeeRule]
    next_page_token: str
    def __init__(self, fee_rules: _Optional[_Iterable[_Union[FeeRule, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetOrderClearingRequest(_message.Message):
    __slots__ = ("order_id",)
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    def __init__(self, order_id: _Optional[str] = ...) -> None: ...

class GetOrderClearingResponse(_message.Message):
    __slots__ = ("clearing",)
    CLEARING_FIELD_NUMBER: _ClassVar[int]
    clearing: OrderClearing
    def __init__(self, clearing: _Optional[_Union[OrderClearing, _Mapping]] = ...) -> None: ...

class GetAccountBalanceRequest(_message.Message):
    __slots__ = ("account_id",)
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    def __init__(self, account_id: _Optional[str] = ...) -> None: ...

class GetAccountBalanceResponse(_message.Message):
    __slots__ = ("account",)
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    account: Account
    def __init__(self, account: _Optional[_Union[Account, _Mapping]] = ...) -> None: ...

class ListAccountsRequest(_message.Message):
    __slots__ = ("owner_id", "kinds", "page_size", "page_token")
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    KINDS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    owner_id: str
    kinds: _containers.RepeatedScalarFieldContainer[AccountKind]
    page_size: int
    page_token: str
    def __init__(self, owner_id: _Optional[str] = ..., kinds: _Optional[_Iterable[_Union[AccountKind, str]]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAccountsResponse(_message.Message):
    __slots__ = ("accounts", "next_page_token")
    ACCOUNTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    accounts: _containers.RepeatedCompositeFieldContainer[Account]
    next_page_token: str
    def __init__(self, accounts: _Optional[_Iterable[_Union[Account, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListJournalEntriesRequest(_message.Message):
    __slots__ = ("account_id", "order_id", "page_size", "page_token")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    order_id: str
    page_size: int
    page_token: str
    def __init__(self, account_id: _Optional[str] = ..., order_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListJournalEntriesResponse(_message.Message):
    __slots__ = ("entries", "next_page_token")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[JournalEntry]
    next_page_token: str
    def __init__(self, entries: _Optional[_Iterable[_Union[JournalEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

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

class SettlementBatch(_message.Message):
    __slots__ = ("batch_id", "seller_id", "period_start_time", "period_end_time", "cleared_amount", "reversed_amount", "net_amount", "entry_ids", "close_time")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    PERIOD_START_TIME_FIELD_NUMBER: _ClassVar[int]
    PERIOD_END_TIME_FIELD_NUMBER: _ClassVar[int]
    CLEARED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REVERSED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    NET_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    ENTRY_IDS_FIELD_NUMBER: _ClassVar[int]
    CLOSE_TIME_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    seller_id: str
    period_start_time: _timestamp_pb2.Timestamp
    period_end_time: _timestamp_pb2.Timestamp
    cleared_amount: _common_pb2.Money
    reversed_amount: _common_pb2.Money
    net_amount: _common_pb2.Money
    entry_ids: _containers.RepeatedScalarFieldContainer[str]
    close_time: _timestamp_pb2.Timestamp
    def __init__(self, batch_id: _Optional[str] = ..., seller_id: _Optional[str] = ..., period_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., period_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., cleared_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., reversed_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., net_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., entry_ids: _Optional[_Iterable[str]] = ..., close_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RunSettlementCycleRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RunSettlementCycleResponse(_message.Message):
    __slots__ = ("batches",)
    BATCHES_FIELD_NUMBER: _ClassVar[int]
    batches: _containers.RepeatedCompositeFieldContainer[SettlementBatch]
    def __init__(self, batches: _Optional[_Iterable[_Union[SettlementBatch, _Mapping]]] = ...) -> None: ...

class ListSettlementBatchesRequest(_message.Message):
    __slots__ = ("seller_id", "page_size", "page_token")
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    seller_id: str
    page_size: int
    page_token: str
    def __init__(self, seller_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListSettlementBatchesResponse(_message.Message):
    __slots__ = ("batches", "next_page_token")
    BATCHES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    batches: _containers.RepeatedCompositeFieldContainer[SettlementBatch]
    next_page_token: str
    def __init__(self, batches: _Optional[_Iterable[_Union[SettlementBatch, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetMerchantStatementRequest(_message.Message):
    __slots__ = ("seller_id", "batch_id", "start_time", "end_time")
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    seller_id: str
    batch_id: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, seller_id: _Optional[str] = ..., batch_id: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class StatementLine(_message.Message):
    __slots__ = ("order_id", "entry_id", "kind", "goods_amount", "merchant_discount_amount", "freight_amount", "commission_amount", "channel_fee_amount", "receivable_amount", "post_time")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    GOODS_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_DISCOUNT_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    FREIGHT_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    COMMISSION_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FEE_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    RECEIVABLE_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    POST_TIME_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    entry_id: str
    kind: EntryKind
    goods_amount: _common_pb2.Money
    merchant_discount_amount: _common_pb2.Money
    freight_amount: _common_pb2.Money
    commission_amount: _common_pb2.Money
    channel_fee_amount: _common_pb2.Money
    receivable_amount: _common_pb2.Money
    post_time: _timestamp_pb2.Timestamp
    def __init__(self, order_id: _Optional[str] = ..., entry_id: _Optional[str] = ..., kind: _Optional[_Union[EntryKind, str]] = ..., goods_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., merchant_discount_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., freight_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., commission_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., channel_fee_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., receivable_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., post_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class MerchantStatement(_message.Message):
    __slots__ = ("seller_id", "batch", "lines", "totals")
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    TOTALS_FIELD_NUMBER: _ClassVar[int]
    seller_id: str
    batch: SettlementBatch
    lines: _containers.RepeatedCompositeFieldContainer[StatementLine]
    totals: StatementLine
    def __init__(self, seller_id: _Optional[str] = ..., batch: _Optional[_Union[SettlementBatch, _Mapping]] = ..., lines: _Optional[_Iterable[_Union[StatementLine, _Mapping]]] = ..., totals: _Optional[_Union[StatementLine, _Mapping]] = ...) -> None: ...

class GetMerchantStatementResponse(_message.Message):
    __slots__ = ("statement",)
    STATEMENT_FIELD_NUMBER: _ClassVar[int]
    statement: MerchantStatement
    def __init__(self, statement: _Optional[_Union[MerchantStatement, _Mapping]] = ...) -> None: ...

class ExportMerchantStatementRequest(_message.Message):
    __slots__ = ("statement",)
    STATEMENT_FIELD_NUMBER: _ClassVar[int]
    statement: GetMerchantStatementRequest
    def __init__(self, statement: _Optional[_Union[GetMerchantStatementRequest, _Mapping]] = ...) -> None: ...

class ExportMerchantStatementResponse(_message.Message):
    __slots__ = ("content_type", "csv")
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    CSV_FIELD_NUMBER: _ClassVar[int]
    content_type: str
    csv: str
    def __init__(self, content_type: _Optional[str] = ..., csv: _Optional[str] = ...) -> None: ...

class Payout(_message.Message):
    __slots__ = ("payout_id", "seller_id", "amount", "state", "reason", "reference", "requested_by", "create_time", "resolve_time")
    PAYOUT_ID_FIELD_NUMBER: _ClassVar[int]
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    RESOLVE_TIME_FIELD_NUMBER: _ClassVar[int]
    payout_id: str
    seller_id: str
    amount: _common_pb2.Money
    state: PayoutState
    reason: str
    reference: str
    requested_by: str
    create_time: _timestamp_pb2.Timestamp
    resolve_time: _timestamp_pb2.Timestamp
    def __init__(self, payout_id: _Optional[str] = ..., seller_id: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., state: _Optional[_Union[PayoutState, str]] = ..., reason: _Optional[str] = ..., reference: _Optional[str] = ..., requested_by: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., resolve_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreatePayoutRequest(_message.Message):
    __slots__ = ("request_id", "seller_id", "amount")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    seller_id: str
    amount: _common_pb2.Money
    def __init__(self, request_id: _Optional[str] = ..., seller_id: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class CreatePayoutResponse(_message.Message):
    __slots__ = ("payout",)
    PAYOUT_FIELD_NUMBER: _ClassVar[int]
    payout: Payout
    def __init__(self, payout: _Optional[_Union[Payout, _Mapping]] = ...) -> None: ...

class GetPayoutRequest(_message.Message):
    __slots__ = ("payout_id",)
    PAYOUT_ID_FIELD_NUMBER: _ClassVar[int]
    payout_id: str
    def __init__(self, payout_id: _Optional[str] = ...) -> None: ...

class GetPayoutResponse(_message.Message):
    __slots__ = ("payout",)
    PAYOUT_FIELD_NUMBER: _ClassVar[int]
    payout: Payout
    def __init__(self, payout: _Optional[_Union[Payout, _Mapping]] = ...) -> None: ...

class ListPayoutsRequest(_message.Message):
    __slots__ = ("seller_id", "page_size", "page_token")
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    seller_id: str
    page_size: int
    page_token: str
    def __init__(self, seller_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListPayoutsResponse(_message.Message):
    __slots__ = ("payouts", "next_page_token")
    PAYOUTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    payouts: _containers.RepeatedCompositeFieldContainer[Payout]
    next_page_token: str
    def __init__(self, payouts: _Optional[_Iterable[_Union[Payout, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class Schedule(_message.Message):
    __slots__ = ("name", "run_time", "next_run_date", "next_run_time", "attempts", "last_error", "last_run_date", "last_run_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    RUN_TIME_FIELD_NUMBER: _ClassVar[int]
    NEXT_RUN_DATE_FIELD_NUMBER: _ClassVar[int]
    NEXT_RUN_TIME_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    LAST_RUN_DATE_FIELD_NUMBER: _ClassVar[int]
    LAST_RUN_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    run_time: str
    next_run_date: str
    next_run_time: _timestamp_pb2.Timestamp
    attempts: int
    last_error: str
    last_run_date: str
    last_run_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., run_time: _Optional[str] = ..., next_run_date: _Optional[str] = ..., next_run_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., attempts: _Optional[int] = ..., last_error: _Optional[str] = ..., last_run_date: _Optional[str] = ..., last_run_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListSchedulesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListSchedulesResponse(_message.Message):
    __slots__ = ("schedules",)
    SCHEDULES_FIELD_NUMBER: _ClassVar[int]
    schedules: _containers.RepeatedCompositeFieldContainer[Schedule]
    def __init__(self, schedules: _Optional[_Iterable[_Union[Schedule, _Mapping]]] = ...) -> None: ...
