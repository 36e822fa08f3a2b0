import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from zhongtai.common.v1 import audit_pb2 as _audit_pb2
from zhongtai.common.v1 import common_pb2 as _common_pb2
from zhongtai.common.v1 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DeductionKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DEDUCTION_KIND_UNSPECIFIED: _ClassVar[DeductionKind]
    DEDUCTION_KIND_ITEM_DIRECT_REDUCTION: _ClassVar[DeductionKind]
    DEDUCTION_KIND_ITEM_DISCOUNT: _ClassVar[DeductionKind]
    DEDUCTION_KIND_FLASH_SALE: _ClassVar[DeductionKind]
    DEDUCTION_KIND_VIP_PRICE: _ClassVar[DeductionKind]
    DEDUCTION_KIND_SHOP_PROMOTION: _ClassVar[DeductionKind]
    DEDUCTION_KIND_PLATFORM_PROMOTION: _ClassVar[DeductionKind]
    DEDUCTION_KIND_SHOP_COUPON: _ClassVar[DeductionKind]
    DEDUCTION_KIND_PLATFORM_COUPON: _ClassVar[DeductionKind]
    DEDUCTION_KIND_RED_PACKET: _ClassVar[DeductionKind]
    DEDUCTION_KIND_POINTS: _ClassVar[DeductionKind]
    DEDUCTION_KIND_STORED_VALUE_CARD: _ClassVar[DeductionKind]
    DEDUCTION_KIND_FREIGHT_REDUCTION: _ClassVar[DeductionKind]

class PromotionKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROMOTION_KIND_UNSPECIFIED: _ClassVar[PromotionKind]
    PROMOTION_KIND_ITEM_DIRECT_REDUCTION: _ClassVar[PromotionKind]
    PROMOTION_KIND_ITEM_DISCOUNT: _ClassVar[PromotionKind]
    PROMOTION_KIND_FLASH_SALE: _ClassVar[PromotionKind]
    PROMOTION_KIND_VIP_PRICE: _ClassVar[PromotionKind]
    PROMOTION_KIND_SHOP_FULL_REDUCTION: _ClassVar[PromotionKind]
    PROMOTION_KIND_SHOP_FULL_DISCOUNT: _ClassVar[PromotionKind]
    PROMOTION_KIND_PLATFORM_FULL_REDUCTION: _ClassVar[PromotionKind]
    PROMOTION_KIND_FREE_SHIPPING: _ClassVar[PromotionKind]
    PROMOTION_KIND_FREIGHT_REDUCTION: _ClassVar[PromotionKind]

class CouponKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COUPON_KIND_UNSPECIFIED: _ClassVar[CouponKind]
    COUPON_KIND_FULL_REDUCTION: _ClassVar[CouponKind]
    COUPON_KIND_DISCOUNT: _ClassVar[CouponKind]
    COUPON_KIND_DIRECT_REDUCTION: _ClassVar[CouponKind]
    COUPON_KIND_NO_THRESHOLD: _ClassVar[CouponKind]

class CouponStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COUPON_STATUS_UNSPECIFIED: _ClassVar[CouponStatus]
    COUPON_STATUS_AVAILABLE: _ClassVar[CouponStatus]
    COUPON_STATUS_LOCKED: _ClassVar[CouponStatus]
    COUPON_STATUS_USED: _ClassVar[CouponStatus]
    COUPON_STATUS_EXPIRED: _ClassVar[CouponStatus]

class RedPacketStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RED_PACKET_STATUS_UNSPECIFIED: _ClassVar[RedPacketStatus]
    RED_PACKET_STATUS_AVAILABLE: _ClassVar[RedPacketStatus]
    RED_PACKET_STATUS_LOCKED: _ClassVar[RedPacketStatus]
    RED_PACKET_STATUS_USED: _ClassVar[RedPacketStatus]
    RED_PACKET_STATUS_EXPIRED: _ClassVar[RedPacketStatus]

class OverDiscountPolicy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OVER_DISCOUNT_POLICY_UNSPECIFIED: _ClassVar[OverDiscountPolicy]
    OVER_DISCOUNT_POLICY_CAP: _ClassVar[OverDiscountPolicy]
    OVER_DISCOUNT_POLICY_REFUSE: _ClassVar[OverDiscountPolicy]

class HoldStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HOLD_STATUS_UNSPECIFIED: _ClassVar[HoldStatus]
    HOLD_STATUS_HELD: _ClassVar[HoldStatus]
    HOLD_STATUS_RELEASED: _ClassVar[HoldStatus]
    HOLD_STATUS_REDEEMED: _ClassVar[HoldStatus]
    HOLD_STATUS_RETURNED: _ClassVar[HoldStatus]

class ErrorReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_REASON_UNSPECIFIED: _ClassVar[ErrorReason]
    ERROR_REASON_PROMOTION_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_PROMOTION_EXISTS: _ClassVar[ErrorReason]
    ERROR_REASON_COUPON_TEMPLATE_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_COUPON_TEMPLATE_EXISTS: _ClassVar[ErrorReason]
    ERROR_REASON_CLAIM_WINDOW_CLOSED: _ClassVar[ErrorReason]
    ERROR_REASON_COUPON_TEMPLATE_EXPIRED: _ClassVar[ErrorReason]
    ERROR_REASON_PER_BUYER_LIMIT_REACHED: _ClassVar[ErrorReason]
    ERROR_REASON_COUPONS_EXHAUSTED: _ClassVar[ErrorReason]
    ERROR_REASON_COUPON_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_COUPON_NOT_USABLE: _ClassVar[ErrorReason]
    ERROR_REASON_INSUFFICIENT_POINTS: _ClassVar[ErrorReason]
    ERROR_REASON_POINTS_OVER_LIMIT: _ClassVar[ErrorReason]
    ERROR_REASON_RED_PACKET_POOL_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_RED_PACKET_POOL_EXISTS: _ClassVar[ErrorReason]
    ERROR_REASON_POOL_EXHAUSTED: _ClassVar[ErrorReason]
    ERROR_REASON_RED_PACKET_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_RED_PACKET_NOT_USABLE: _ClassVar[ErrorReason]
    ERROR_REASON_STORED_VALUE_CARD_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_CARD_NOT_USABLE: _ClassVar[ErrorReason]
    ERROR_REASON_INSUFFICIENT_CARD_BALANCE: _ClassVar[ErrorReason]
    ERROR_REASON_OVER_DISCOUNT: _ClassVar[ErrorReason]
    ERROR_REASON_PROMOTION_BUDGET_EXHAUSTED: _ClassVar[ErrorReason]
    ERROR_REASON_FLASH_SALE_LIMIT_EXCEEDED: _ClassVar[ErrorReason]
    ERROR_REASON_HOLD_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_HOLD_RELEASED: _ClassVar[ErrorReason]
    ERROR_REASON_ILLEGAL_HOLD_TRANSITION: _ClassVar[ErrorReason]
    ERROR_REASON_CONCURRENT_HOLD_CHANGE: _ClassVar[ErrorReason]
    ERROR_REASON_NOT_THE_OWNER: _ClassVar[ErrorReason]
    ERROR_REASON_PLATFORM_RULE_STAFF_ONLY: _ClassVar[ErrorReason]
DEDUCTION_KIND_UNSPECIFIED: DeductionKind
DEDUCTION_KIND_ITEM_DIRECT_REDUCTION: DeductionKind
DEDUCTION_KIND_ITEM_DISCOUNT: DeductionKind
DEDUCTION_KIND_FLASH_SALE: DeductionKind
DEDUCTION_KIND_VIP_PRICE: DeductionKind
DEDUCTION_KIND_SHOP_PROMOTION: DeductionKind
DEDUCTION_KIND_PLATFORM_PROMOTION: DeductionKind
DEDUCTION_KIND_SHOP_COUPON: DeductionKind
DEDUCTION_KIND_PLATFORM_COUPON: DeductionKind
DEDUCTION_KIND_RED_PACKET: DeductionKind
DEDUCTION_KIND_POINTS: DeductionKind
DEDUCTION_KIND_STORED_VALUE_CARD: DeductionKind
DEDUCTION_KIND_FREIGHT_REDUCTION: DeductionKind
PROMOTION_KIND_UNSPECIFIED: PromotionKind
PROMOTION_KIND_ITEM_DIRECT_REDUCTION: PromotionKind
PROMOTION_KIND_ITEM_DISCOUNT: PromotionKind
PROMOTION_KIND_FLASH_SALE: PromotionKind
PROMOTION_KIND_VIP_PRICE: PromotionKind
PROMOTION_KIND_SHOP_FULL_REDUCTION: PromotionKind
PROMOTION_KIND_SHOP_FULL_DISCOUNT: PromotionKind
PROMOTION_KIND_PLATFORM_FULL_REDUCTION: PromotionKind
PROMOTION_KIND_FREE_SHIPPING: PromotionKind
PROMOTION_KIND_FREIGHT_REDUCTION: PromotionKind
COUPON_KIND_UNSPECIFIED: CouponKind
COUPON_KIND_FULL_REDUCTION: CouponKind
COUPON_KIND_DISCOUNT: CouponKind
COUPON_KIND_DIRECT_REDUCTION: CouponKind
COUPON_KIND_NO_THRESHOLD: CouponKind
COUPON_STATUS_UNSPECIFIED: CouponStatus
COUPON_STATUS_AVAILABLE: CouponStatus
COUPON_STATUS_LOCKED: CouponStatus
COUPON_STATUS_USED: CouponStatus
COUPON_STATUS_EXPIRED: CouponStatus
RED_PACKET_STATUS_UNSPECIFIED: RedPacketStatus
RED_PACKET_STATUS_AVAILABLE: RedPacketStatus
RED_PACKET_STATUS_LOCKED: RedPacketStatus
RED_PACKET_STATUS_USED: RedPacketStatus
RED_PACKET_STATUS_EXPIRED: RedPacketStatus
OVER_DISCOUNT_POLICY_UNSPECIFIED: OverDiscountPolicy
OVER_DISCOUNT_POLICY_CAP: OverDiscountPolicy
OVER_DISCOUNT_POLICY_REFUSE: OverDiscountPolicy
HOLD_STATUS_UNSPECIFIED: HoldStatus
HOLD_STATUS_HELD: HoldStatus
HOLD_STATUS_RELEASED: HoldStatus
HOLD_STATUS_REDEEMED: HoldStatus
HOLD_STATUS_RETURNED: HoldStatus
ERROR_REASON_UNSPECIFIED: ErrorReason
ERROR_REASON_PROMOTION_NOT_FOUND: ErrorReason
ERROR_REASON_PROMOTION_EXISTS: ErrorReason
ERROR_REASON_COUPON_TEMPLATE_NOT_FOUND: ErrorReason
ERROR_REASON_COUPON_TEMPLATE_EXISTS: ErrorReason
ERROR_REASON_CLAIM_WINDOW_CLOSED: ErrorReason
ERROR_REASON_COUPON_TEMPLATE_EXPIRED: ErrorReason
ERROR_REASON_PER_BUYER_LIMIT_REACHED: ErrorReason
ERROR_REASON_COUPONS_EXHAUSTED: ErrorReason
ERROR_REASON_COUPON_NOT_FOUND: ErrorReason
ERROR_REASON_COUPON_NOT_USABLE: ErrorReason
ERROR_REASON_INSUFFICIENT_POINTS: ErrorReason
ERROR_REASON_POINTS_OVER_LIMIT: ErrorReason
ERROR_REASON_RED_PACKET_POOL_NOT_FOUND: ErrorReason
ERROR_REASON_RED_PACKET_POOL_EXISTS: ErrorReason
ERROR_REASON_POOL_EXHAUSTED: ErrorReason
ERROR_REASON_RED_PACKET_NOT_FOUND: ErrorReason
ERROR_REASON_RED_PACKET_NOT_USABLE: ErrorReason
ERROR_REASON_STORED_VALUE_CARD_NOT_FOUND: ErrorReason
ERROR_REASON_CARD_NOT_USABLE: ErrorReason
ERROR_REASON_INSUFFICIENT_CARD_BALANCE: ErrorReason
ERROR_REASON_OVER_DISCOUNT: ErrorReason
ERROR_REASON_PROMOTION_BUDGET_EXHAUSTED: ErrorReason
ERROR_REASON_FLASH_SALE_LIMIT_EXCEEDED: ErrorReason
ERROR_REASON_HOLD_NOT_FOUND: ErrorReason
ERROR_REASON_HOLD_RELEASED: ErrorReason
ERROR_REASON_ILLEGAL_HOLD_TRANSITION: ErrorReason
ERROR_REASON_CONCURRENT_HOLD_CHANGE: ErrorReason
ERROR_REASON_NOT_THE_OWNER: ErrorReason
ERROR_REASON_PLATFORM_RULE_STAFF_ONLY: ErrorReason

class CostSharing(_message.Message):
    __slots__ = ("platform_share_bps",)
    PLATFORM_SHARE_BPS_FIELD_NUMBER: _ClassVar[int]
    platform_share_bps: int
    def __init__(self, platform_share_bps: _Optional[int] = ...) -> None: ...

class Scope(_message.Message):
    __slots__ = ("seller_id", "sku_ids", "category_ids")
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_IDS_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_IDS_FIELD_NUMBER: _ClassVar[int]
    seller_id: str
    sku_ids: _containers.RepeatedScalarFieldContainer[str]
    category_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, seller_id: _Optional[str] = ..., sku_ids: _Optional[_Iterable[str]] = ..., category_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class Ladder(_message.Message):
    __slots__ = ("threshold", "amount_off", "rate_bps")
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_OFF_FIELD_NUMBER: _ClassVar[int]
    RATE_BPS_FIELD_NUMBER: _ClassVar[int]
    threshold: _common_pb2.Money
    amount_off: _common_pb2.Money
    rate_bps: int
    def __init__(self, threshold: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., amount_off: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., rate_bps: _Optional[int] = ...) -> None: ...

class Promotion(_message.Message):
    __slots__ = ("promotion_id", "kind", "title", "scope", "start_time", "end_time", "amount_off", "rate_bps", "price", "per_buyer_limit", "ladders", "cost_sharing", "ended", "budget", "budget_used")
    PROMOTION_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_OFF_FIELD_NUMBER: _ClassVar[int]
    RATE_BPS_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    PER_BUYER_LIMIT_FIELD_NUMBER: _ClassVar[int]
    LADDERS_FIELD_NUMBER: _ClassVar[int]
    COST_SHARING_FIELD_NUMBER: _ClassVar[int]
    ENDED_FIELD_NUMBER: _ClassVar[int]
    BUDGET_FIELD_NUMBER: _ClassVar[int]
    BUDGET_USED_FIELD_NUMBER: _ClassVar[int]
    promotion_id: str
    kind: PromotionKind
    title: str
    scope: Scope
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    amount_off: _common_pb2.Money
    rate_bps: int
    price: _common_pb2.Money
    per_buyer_limit: int
    ladders: _containers.RepeatedCompositeFieldContainer[Ladder]
    cost_sharing: CostSharing
    ended: bool
    budget: _common_pb2.Money
    budget_used: _common_pb2.Money
    def __init__(self, promotion_id: _Optional[str] = ..., kind: _Optional[_Union[PromotionKind, str]] = ..., title: _Optional[str] = ..., scope: _Optional[_Union[Scope, _Mapping]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., amount_off: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., rate_bps: _Optional[int] = ..., price: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., per_buyer_limit: _Optional[int] = ..., ladders: _Optional[_Iterable[_Union[Ladder, _Mapping]]] = ..., cost_sharing: _Optional[_Union[CostSharing, _Mapping]] = ..., ended: _Optional[bool] = ..., budget: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., budget_used: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class CreatePromotionRequest(_message.Message):
    __slots__ = ("request_id", "promotion")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    PROMOTION_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    promotion: Promotion
    def __init__(self, request_id: _Optional[str] = ..., promotion: _Optional[_Union[Promotion, _Mapping]] = ...) -> None: ...

class CreatePromotionResponse(_message.Message):
    __slots__ = ("promotion",)
    PROMOTION_FIELD_NUMBER: _ClassVar[int]
    promotion: Promotion
    def __init__(self, promotion: _Optional[_Union[Promotion, _Mapping]] = ...) -> None: ...

class GetPromotionRequest(_message.Message):
    __slots__ = ("promotion_id",)
    PROMOTION_ID_FIELD_NUMBER: _ClassVar[int]
    promotion_id: str
    def __init__(self, promotion_id: _Optional[str] = ...) -> None: ...

class GetPromotionResponse(_message.Message):
    __slots__ = ("promotion",)
    PROMOTION_FIELD_NUMBER: _ClassVar[int]
    promotion: Promotion
    def __init__(self, promotion: _Optional[_Union[Promotion, _Mapping]] = ...) -> None: ...

class ListPromotionsRequest(_message.Message):
    __slots__ = ("seller_id", "page_size", "page_token")
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    seller_id: str
    page_size: int
    page_token: str
    def __init__(self, seller_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListPromotionsResponse(_message.Message):
    __slots__ = ("promotions", "next_page_token")
    PROMOTIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    promotions: _containers.RepeatedCompositeFieldContainer[Promotion]
    next_page_token: str
    def __init__(self, promotions: _Optional[_Iterable[_Union[Promotion, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class EndPromotionRequest(_message.Message):
    __slots__ = ("request_id", "promotion_id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    PROMOTION_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    promotion_id: str
    def __init__(self, request_id: _Optional[str] = ..., promotion_id: _Optional[str] = ...) -> None: ...

class EndPromotionResponse(_message.Message):
    __slots__ = ("promotion",)
    PROMOTION_FIELD_NUMBER: _ClassVar[int]
    promotion: Promotion
    def __init__(self, promotion: _Optional[_Union[Promotion, _Mapping]] = ...) -> None: ...

class CouponTemplate(_message.Message):
    __slots__ = ("template_id", "title", "kind", "scope", "threshold", "amount_off", "rate_bps", "max_off", "claim_start_time", "claim_end_time", "valid_start_time", "valid_end_time", "valid_days", "total_quantity", "per_buyer_limit", "cost_sharing", "restore_on_cancel", "issued_quantity")
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_OFF_FIELD_NUMBER: _ClassVar[int]
    RATE_BPS_FIELD_NUMBER: _ClassVar[int]
    MAX_OFF_FIELD_NUMBER: _ClassVar[int]
    CLAIM_START_TIME_FIELD_NUMBER: _ClassVar[int]
    CLAIM_END_TIME_FIELD_NUMBER: _ClassVar[int]
    VALID_START_TIME_FIELD_NUMBER: _ClassVar[int]
    VALID_END_TIME_FIELD_NUMBER: _ClassVar[int]
    VALID_DAYS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    PER_BUYER_LIMIT_FIELD_NUMBER: _ClassVar[int]
    COST_SHARING_FIELD_NUMBER: _ClassVar[int]
    RESTORE_ON_CANCEL_FIELD_NUMBER: _ClassVar[int]
    ISSUED_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    template_id: str
    title: str
    kind: CouponKind
    scope: Scope
    threshold: _common_pb2.Money
    amount_off: _common_pb2.Money
    rate_bps: int
    max_off: _common_pb2.Money
    claim_start_time: _timestamp_pb2.Timestamp
    claim_end_time: _timestamp_pb2.Timestamp
    valid_start_time: _timestamp_pb2.Timestamp
    valid_end_time: _timestamp_pb2.Timestamp
    valid_days: int
    total_quantity: int
    per_buyer_limit: int
    cost_sharing: CostSharing
    restore_on_cancel: bool
    issued_quantity: int
    def __init__(self, template_id: _Optional[str] = ..., title: _Optional[str] = ..., kind: _Optional[_Union[CouponKind, str]] = ..., scope: _Optional[_Union[Scope, _Mapping]] = ..., threshold: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., amount_off: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., rate_bps: _Optional[int] = ..., max_off: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., claim_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., claim_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., valid_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., valid_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., valid_days: _Optional[int] = ..., total_quantity: _Optional[int] = ..., per_buyer_limit: _Optional[int] = ..., cost_sharing: _Optional[_Union[CostSharing, _Mapping]] = ..., restore_on_cancel: _Optional[bool] = ..., issued_quantity: _Optional[int] = ...) -> None: ...

class CreateCouponTemplateRequest(_message.Message):
    __slots__ = ("request_id", "template")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    template: CouponTemplate
    def __init__(self, request_id: _Optional[str] = ..., template: _Optional[_Union[CouponTemplate, _Mapping]] = ...) -> None: ...

class CreateCouponTemplateResponse(_message.Message):
    __slots__ = ("template",)
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    template: CouponTemplate
    def __init__(self, template: _Optional[_Union[CouponTemplate, _Mapping]] = ...) -> None: ...

class GetCouponTemplateRequest(_message.Message):
    __slots__ = ("template_id",)
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    template_id: str
    def __init__(self, template_id: _Optional[str] = ...) -> None: ...

class GetCouponTemplateResponse(_message.Message):
    __slots__ = ("template",)
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    template: CouponTemplate
    def __init__(self, template: _Optional[_Union[CouponTemplate, _Mapping]] = ...) -> None: ...

class Coupon(_message.Message):
    __slots__ = ("coupon_id", "template_id", "buyer_id", "status", "valid_start_time", "valid_end_time", "order_id", "template")
    COUPON_ID_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    VALID_START_TIME_FIELD_NUMBER: _ClassVar[int]
    VALID_END_TIME_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    coupon_id: str
    template_id: str
    buyer_id: str
    status: CouponStatus
    valid_start_time: _timestamp_pb2.Timestamp
    valid_end_time: _timestamp_pb2.Timestamp
    order_id: str
    template: CouponTemplate
    def __init__(self, coupon_id: _Optional[str] = ..., template_id: _Optional[str] = ..., buyer_id: _Optional[str] = ..., status: _Optional[_Union[CouponStatus, str]] = ..., valid_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., valid_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., order_id: _Optional[str] = ..., template: _Optional[_Union[CouponTemplate, _Mapping]] = ...) -> None: ...

class ClaimCouponRequest(_message.Message):
    __slots__ = ("request_id", "template_id", "buyer_id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    template_id: str
    buyer_id: str
    def __init__(self, request_id: _Optional[str] = ..., template_id: _Optional[str] = ..., buyer_id: _Optional[str] = ...) -> None: ...

class ClaimCouponResponse(_message.Message):
    __slots__ = ("coupon",)
    COUPON_FIELD_NUMBER: _ClassVar[int]
    coupon: Coupon
    def __init__(self, coupon: _Optional[_Union[Coupon, _Mapping]] = ...) -> None: ...

class ListCouponsRequest(_message.Message):
    __slots__ = ("buyer_id", "statuses", "page_size", "page_token")
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    buyer_id: str
    statuses: _containers.RepeatedScalarFieldContainer[CouponStatus]
    page_size: int
    page_token: str
    def __init__(self, buyer_id: _Optional[str] = ..., statuses: _Optional[_Iterable[_Union[CouponStatus, str]]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListCouponsResponse(_message.Message):
    __slots__ = ("coupons", "next_page_token")
    COUPONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    coupons: _containers.RepeatedCompositeFieldContainer[Coupon]
    next_page_token: str
    def __init__(self, coupons: _Optional[_Iterable[_Union[Coupon, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class PointsAccount(_message.Message):
    __slots__ = ("buyer_id", "balance", "frozen", "available")
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    BALANCE_FIELD_NUMBER: _ClassVar[int]
    FROZEN_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    buyer_id: str
    balance: int
    frozen: int
    available: int
    def __init__(self, buyer_id: _Optional[str] = ..., balance: _Optional[int] = ..., frozen: _Optional[int] = ..., available: _Optional[int] = ...) -> None: ...

class GetPointsAccountRequest(_message.Message):
    __slots__ = ("buyer_id",)
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    buyer_id: str
    def __init__(self, buyer_id: _Optional[str] = ...) -> None: ...

class GetPointsAccountResponse(_message.Message):
    __slots__ = ("account",)
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    account: PointsAccount
    def __init__(self, account: _Optional[_Union[PointsAccount, _Mapping]] = ...) -> None: ...

class EarnPointsRequest(_message.Message):
    __slots__ = ("request_id", "buyer_id", "points", "reason")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    buyer_id: str
    points: int
    reason: str
    def __init__(self, request_id: _Optional[str] = ..., buyer_id: _Optional[str] = ..., points: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class EarnPointsResponse(_message.Message):
    __slots__ = ("account",)
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    account: PointsAccount
    def __init__(self, account: _Optional[_Union[PointsAccount, _Mapping]] = ...) -> None: ...

class RedPacketPool(_message.Message):
    __slots__ = ("pool_id", "funded_by_seller_id", "budget", "remaining", "valid_days")
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    FUNDED_BY_SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    BUDGET_FIELD_NUMBER: _ClassVar[int]
    REMAINING_FIELD_NUMBER: _ClassVar[int]
    VALID_DAYS_FIELD_NUMBER: _ClassVar[int]
    pool_id: str
    funded_by_seller_id: str
    budget: _common_pb2.Money
    remaining: _common_pb2.Money
    valid_days: int
    def __init__(self, pool_id: _Optional[str] = ..., funded_by_seller_id: _Optional[str] = ..., budget: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., remaining: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., valid_days: _Optional[int] = ...) -> None: ...

class CreateRedPacketPoolRequest(_message.Message):
    __slots__ = ("request_id", "pool")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    POOL_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    pool: RedPacketPool
    def __init__(self, request_id: _Optional[str] = ..., pool: _Optional[_Union[RedPacketPool, _Mapping]] = ...) -> None: ...

class CreateRedPacketPoolResponse(_message.Message):
    __slots__ = ("pool",)
    POOL_FIELD_NUMBER: _ClassVar[int]
    pool: RedPacketPool
    def __init__(self, pool: _Optional[_Union[RedPacketPool, _Mapping]] = ...) -> None: ...

class GetRedPacketPoolRequest(_message.Message):
    __slots__ = ("pool_id",)
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    pool_id: str
    def __init__(self, pool_id: _Optional[str] = ...) -> None: ...

class GetRedPacketPoolResponse(_message.Message):
    __slots__ = ("pool",)
    POOL_FIELD_NUMBER: _ClassVar[int]
    pool: RedPacketPool
    def __init__(self, pool: _Optional[_Union[RedPacketPool, _Mapping]] = ...) -> None: ...

class IssueRedPacketRequest(_message.Message):
    __slots__ = ("request_id", "pool_id", "buyer_id", "amount", "max_amount")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    MAX_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    pool_id: str
    buyer_id: str
    amount: _common_pb2.Money
    max_amount: _common_pb2.Money
    def __init__(self, request_id: _Optional[str] = ..., pool_id: _Optional[str] = ..., buyer_id: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., max_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class RedPacket(_message.Message):
    __slots__ = ("red_packet_id", "pool_id", "buyer_id", "amount", "status", "expire_time", "order_id", "funded_by_seller_id")
    RED_PACKET_ID_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    FUNDED_BY_SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    red_packet_id: str
    pool_id: str
    buyer_id: str
    amount: _common_pb2.Money
    status: RedPacketStatus
    expire_time: _timestamp_pb2.Timestamp
    order_id: str
    funded_by_seller_id: str
    def __init__(self, red_packet_id: _Optional[str] = ..., pool_id: _Optional[str] = ..., buyer_id: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., status: _Optional[_Union[RedPacketStatus, str]] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., order_id: _Optional[str] = ..., funded_by_seller_id: _Optional[str] = ...) -> None: ...

class IssueRedPacketResponse(_message.Message):
    __slots__ = ("red_packet",)
    RED_PACKET_FIELD_NUMBER: _ClassVar[int]
    red_packet: RedPacket
    def __init__(self, red_packet: _Optional[_Union[RedPacket, _Mapping]] = ...) -> None: ...

class ListRedPacketsRequest(_message.Message):
    __slots__ = ("buyer_id", "page_size", "page_token")
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    buyer_id: str
    page_size: int
    page_token: str
    def __init__(self, buyer_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListRedPacketsResponse(_message.Message):
    __slots__ = ("red_packets", "next_page_token")
    RED_PACKETS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    red_packets: _containers.RepeatedCompositeFieldContainer[RedPacket]
    next_page_token: str
    def __init__(self, red_packets: _Optional[_Iterable[_Union[RedPacket, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class StoredValueCard(_message.Message):
    __slots__ = ("card_id", "buyer_id", "balance", "held", "available")
    CARD_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    BALANCE_FIELD_NUMBER: _ClassVar[int]
    HELD_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    card_id: str
    buyer_id: str
    balance: _common_pb2.Money
    held: _common_pb2.Money
    available: _common_pb2.Money
    def __init__(self, card_id: _Optional[str] = ..., buyer_id: _Optional[str] = ..., balance: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., held: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., available: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class CreateStoredValueCardRequest(_message.Message):
    __slots__ = ("request_id", "buyer_id", "balance")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    BALANCE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    buyer_id: str
    balance: _common_pb2.Money
    def __init__(self, request_id: _Optional[str] = ..., buyer_id: _Optional[str] = ..., balance: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class CreateStoredValueCardResponse(_message.Message):
    __slots__ = ("card",)
    CARD_FIELD_NUMBER: _ClassVar[int]
    card: StoredValueCard
    def __init__(self, card: _Optional[_Union[StoredValueCard, _Mapping]] = ...) -> None: ...

class GetStoredValueCardRequest(_message.Message):
    __slots__ = ("card_id",)
    CARD_ID_FIELD_NUMBER: _ClassVar[int]
    card_id: str
    def __init__(self, card_id: _Optional[str] = ...) -> None: ...

class GetStoredValueCardResponse(_message.Message):
    __slots__ = ("card",)
    CARD_FIELD_NUMBER: _ClassVar[int]
    card: StoredValueCard
    def __init__(self, card: _Optional[_Union[StoredValueCard, _Mapping]] = ...) -> None: ...

class Exclusion(_message.Message):
    __slots__ = ("first", "second")
    FIRST_FIELD_NUMBER: _ClassVar[int]
    SECOND_FIELD_NUMBER: _ClassVar[int]
    first: DeductionKind
    second: DeductionKind
    def __init__(self, first: _Optional[_Union[DeductionKind, str]] = ..., second: _Optional[_Union[DeductionKind, str]] = ...) -> None: ...

class StackingPolicy(_message.Message):
    __slots__ = ("order", "exclusions", "over_discount", "floor_minor", "points_per_unit", "points_max_share_bps", "points_cost_sharing")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    EXCLUSIONS_FIELD_NUMBER: _ClassVar[int]
    OVER_DISCOUNT_FIELD_NUMBER: _ClassVar[int]
    FLOOR_MINOR_FIELD_NUMBER: _ClassVar[int]
    POINTS_PER_UNIT_FIELD_NUMBER: _ClassVar[int]
    POINTS_MAX_SHARE_BPS_FIELD_NUMBER: _ClassVar[int]
    POINTS_COST_SHARING_FIELD_NUMBER: _ClassVar[int]
    order: _containers.RepeatedScalarFieldContainer[DeductionKind]
    exclusions: _containers.RepeatedCompositeFieldContainer[Exclusion]
    over_discount: OverDiscountPolicy
    floor_minor: int
    points_per_unit: int
    points_max_share_bps: int
    points_cost_sharing: CostSharing
    def __init__(self, order: _Optional[_Iterable[_Union[DeductionKind, str]]] = ..., exclusions: _Optional[_Iterable[_Union[Exclusion, _Mapping]]] = ..., over_discount: _Optional[_Union[OverDiscountPolicy, str]] = ..., floor_minor: _Optional[int] = ..., points_per_unit: _Optional[int] = ..., points_max_share_bps: _Optional[int] = ..., points_cost_sharing: _Optional[_Union[CostSharing, _Mapping]] = ...) -> None: ...

class GetStackingPolicyRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetStackingPolicyResponse(_message.Message):
    __slots__ = ("policy",)
    POLICY_FIELD_NUMBER: _ClassVar[int]
    policy: StackingPolicy
    def __init__(self, policy: _Optional[_Union[StackingPolicy, _Mapping]] = ...) -> None: ...

class UpdateStackingPolicyRequest(_message.Message):
    __slots__ = ("request_id", "policy")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    policy: StackingPolicy
    def __init__(self, request_id: _Optional[str] = ..., policy: _Optional[_Union[StackingPolicy, _Mapping]] = ...) -> None: ...

class UpdateStackingPolicyResponse(_message.Message):
    __slots__ = ("policy",)
    POLICY_FIELD_NUMBER: _ClassVar[int]
    policy: StackingPolicy
    def __init__(self, policy: _Optional[_Union[StackingPolicy, _Mapping]] = ...) -> None: ...

class QuoteLine(_message.Message):
    __slots__ = ("line_id", "seller_id", "sku_id", "category_id", "unit_price", "quantity", "non_discountable")
    LINE_ID_FIELD_NUMBER: _ClassVar[int]
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    NON_DISCOUNTABLE_FIELD_NUMBER: _ClassVar[int]
    line_id: str
    seller_id: str
    sku_id: str
    category_id: str
    unit_price: _common_pb2.Money
    quantity: int
    non_discountable: bool
    def __init__(self, line_id: _Optional[str] = ..., seller_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., category_id: _Optional[str] = ..., unit_price: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., quantity: _Optional[int] = ..., non_discountable: _Optional[bool] = ...) -> None: ...

class QuoteRequest(_message.Message):
    __slots__ = ("buyer_id", "buyer_is_vip", "lines", "coupon_ids", "points", "red_packet_id", "stored_value_card_id", "stored_value_amount", "at_time", "seller_freights")
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_IS_VIP_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    COUPON_IDS_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    RED_PACKET_ID_FIELD_NUMBER: _ClassVar[int]
    STORED_VALUE_CARD_ID_FIELD_NUMBER: _ClassVar[int]
    STORED_VALUE_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    AT_TIME_FIELD_NUMBER: _ClassVar[int]
    SELLER_FREIGHTS_FIELD_NUMBER: _ClassVar[int]
    buyer_id: str
    buyer_is_vip: bool
    lines: _containers.RepeatedCompositeFieldContainer[QuoteLine]
    coupon_ids: _containers.RepeatedScalarFieldContainer[str]
    points: int
    red_packet_id: str
    stored_value_card_id: str
    stored_value_amount: _common_pb2.Money
    at_time: _timestamp_pb2.Timestamp
    seller_freights: _containers.RepeatedCompositeFieldContainer[SellerFreight]
    def __init__(self, buyer_id: _Optional[str] = ..., buyer_is_vip: _Optional[bool] = ..., lines: _Optional[_Iterable[_Union[QuoteLine, _Mapping]]] = ..., coupon_ids: _Optional[_Iterable[str]] = ..., points: _Optional[int] = ..., red_packet_id: _Optional[str] = ..., stored_value_card_id: _Optional[str] = ..., stored_value_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., at_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., seller_freights: _Optional[_Iterable[_Union[SellerFreight, _Mapping]]] = ...) -> None: ...

class Deduction(_message.Message):
    __slots__ = ("kind", "source_id", "amount", "platform_amount", "merchant_amount")
    KIND_FIELD_NUMBER: _ClassVar[int]
    SOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    kind: DeductionKind
    source_id: str
    amount: _common_pb2.Money
    platform_amount: _common_pb2.Money
    merchant_amount: _common_pb2.Money
    def __init__(self, kind: _Optional[_Union[DeductionKind, str]] = ..., source_id: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., platform_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., merchant_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class LineQuote(_message.Message):
    __slots__ = ("line_id", "seller_id", "original_amount", "deductions", "actual_amount")
    LINE_ID_FIELD_NUMBER: _ClassVar[int]
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    DEDUCTIONS_FIELD_NUMBER: _ClassVar[int]
    ACTUAL_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    line_id: str
    seller_id: str
    original_amount: _common_pb2.Money
    deductions: _containers.RepeatedCompositeFieldContainer[Deduction]
    actual_amount: _common_pb2.Money
    def __init__(self, line_id: _Optional[str] = ..., seller_id: _Optional[str] = ..., original_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., deductions: _Optional[_Iterable[_Union[Deduction, _Mapping]]] = ..., actual_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class SellerQuote(_message.Message):
    __slots__ = ("seller_id", "original_amount", "deducted_amount", "actual_amount", "merchant_borne_amount", "platform_borne_amount", "free_shipping", "free_shipping_promotion_id", "freight_reduction")
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    DEDUCTED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    ACTUAL_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_BORNE_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_BORNE_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    FREE_SHIPPING_FIELD_NUMBER: _ClassVar[int]
    FREE_SHIPPING_PROMOTION_ID_FIELD_NUMBER: _ClassVar[int]
    FREIGHT_REDUCTION_FIELD_NUMBER: _ClassVar[int]
    seller_id: str
    original_amount: _common_pb2.Money
    deducted_amount: _common_pb2.Money
    actual_amount: _common_pb2.Money
    merchant_borne_amount: _common_pb2.Money
    platform_borne_amount: _common_pb2.Money
    free_shipping: bool
    free_shipping_promotion_id: str
    freight_reduction: Deduction
    def __init__(self, seller_id: _Optional[str] = ..., original_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., deducted_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., actual_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., merchant_borne_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., platform_borne_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., free_shipping: _Optional[bool] = ..., free_shipping_promotion_id: _Optional[str] = ..., freight_reduction: _Optional[_Union[Deduction, _Mapping]] = ...) -> None: ...

class DeductionTotal(_message.Message):
    __slots__ = ("kind", "source_id", "amount", "offered_amount")
    KIND_FIELD_NUMBER: _ClassVar[int]
    SOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    OFFERED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    kind: DeductionKind
    source_id: str
    amount: _common_pb2.Money
    offered_amount: _common_pb2.Money
    def __init__(self, kind: _Optional[_Union[DeductionKind, str]] = ..., source_id: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., offered_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class QuoteResponse(_message.Message):
    __slots__ = ("lines", "sellers", "deductions", "original_amount", "deducted_amount", "payable_amount", "points_used", "unused_coupon_ids", "coupon_ids", "points_max")
    LINES_FIELD_NUMBER: _ClassVar[int]
    SELLERS_FIELD_NUMBER: _ClassVar[int]
    DEDUCTIONS_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    DEDUCTED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    PAYABLE_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    POINTS_USED_FIELD_NUMBER: _ClassVar[int]
    UNUSED_COUPON_IDS_FIELD_NUMBER: _ClassVar[int]
    COUPON_IDS_FIELD_NUMBER: _ClassVar[int]
    POINTS_MAX_FIELD_NUMBER: _ClassVar[int]
    lines: _containers.RepeatedCompositeFieldContainer[LineQuote]
    sellers: _containers.RepeatedCompositeFieldContainer[SellerQuote]
    deductions: _containers.RepeatedCompositeFieldContainer[DeductionTotal]
    original_amount: _common_pb2.Money
    deducted_amount: _common_pb2.Money
    payable_amount: _common_pb2.Money
    points_used: int
    unused_coupon_ids: _containers.RepeatedScalarFieldContainer[str]
    coupon_ids: _containers.RepeatedScalarFieldContainer[str]
    points_max: int
    def __init__(self, lines: _Optional[_Iterable[_Union[LineQuote, _Mapping]]] = ..., sellers: _Optional[_Iterable[_Union[SellerQuote, _Mapping]]] = ..., deductions: _Optional[_Iterable[_Union[DeductionTotal, _Mapping]]] = ..., original_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., deducted_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., payable_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., points_used: _Optional[int] = ..., unused_coupon_ids: _Optional[_Iterable[str]] = ..., coupon_ids: _Optional[_Iterable[str]] = ..., points_max: _Optional[int] = ...) -> None: ...

class BestCouponsRequest(_message.Message):
    __slots__ = ("quote",)
    QUOTE_FIELD_NUMBER: _ClassVar[int]
    quote: QuoteRequest
    def __init__(self, quote: _Optional[_Union[QuoteRequest, _Mapping]] = ...) -> None: ...

class BestCouponsResponse(_message.Message):
    __slots__ = ("quote",)
    QUOTE_FIELD_NUMBER: _ClassVar[int]
    quote: QuoteResponse
    def __init__(self, quote: _Optional[_Union[QuoteResponse, _Mapping]] = ...) -> None: ...

class HoldBenefitsRequest(_message.Message):
    __slots__ = ("order_id", "quote")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    QUOTE_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    quote: QuoteRequest
    def __init__(self, order_id: _Optional[str] = ..., quote: _Optional[_Union[QuoteRequest, _Mapping]] = ...) -> None: ...

class BenefitHold(_message.Message):
    __slots__ = ("order_id", "buyer_id", "status", "coupon_ids", "points", "red_packet_id", "stored_value_card_id", "stored_value_amount")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    BUYER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    COUPON_IDS_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    RED_PACKET_ID_FIELD_NUMBER: _ClassVar[int]
    STORED_VALUE_CARD_ID_FIELD_NUMBER: _ClassVar[int]
    STORED_VALUE_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    buyer_id: str
    status: HoldStatus
    coupon_ids: _containers.RepeatedScalarFieldContainer[str]
    points: int
    red_packet_id: str
    stored_value_card_id: str
    stored_value_amount: _common_pb2.Money
    def __init__(self, order_id: _Optional[str] = ..., buyer_id: _Optional[str] = ..., status: _Optional[_Union[HoldStatus, str]] = ..., coupon_ids: _Optional[_Iterable[str]] = ..., points: _Optional[int] = ..., red_packet_id: _Optional[str] = ..., stored_value_card_id: _Optional[str] = ..., stored_value_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class HoldBenefitsResponse(_message.Message):
    __slots__ = ("hold", "quote")
    HOLD_FIELD_NUMBER: _ClassVar[int]
    QUOTE_FIELD_NUMBER: _ClassVar[int]
    hold: BenefitHold
    quote: QuoteResponse
    def __init__(self, hold: _Optional[_Union[BenefitHold, _Mapping]] = ..., quote: _Optional[_Union[QuoteResponse, _Mapping]] = ...) -> None: ...

class ReleaseBenefitsRequest(_message.Message):
    __slots__ = ("order_id",)
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    def __init__(self, order_id: _Optional[str] = ...) -> None: ...

class ReleaseBenefitsResponse(_message.Message):
    __slots__ = ("hold",)
    HOLD_FIELD_NUMBER: _ClassVar[int]
    hold: BenefitHold
    def __init__(self, hold: _Optional[_Union[BenefitHold, _Mapping]] = ...) -> None: ...

class RedeemBenefitsRequest(_message.Message):
    __slots__ = ("order_id",)
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    def __init__(self, order_id: _Optional[str] = ...) -> None: ...

class RedeemBenefitsResponse(_message.Message):
    __slots__ = ("hold",)
    HOLD_FIELD_NUMBER: _ClassVar[int]
    hold: BenefitHold
    def __init__(self, hold: _Optional[_Union[BenefitHold, _Mapping]] = ...) -> None: ...

class ReturnBenefitsRequest(_message.Message):
    __slots__ = ("request_id", "order_id", "points_amount", "stored_value_amount", "restore_coupons")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    POINTS_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    STORED_VALUE_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    RESTORE_COUPONS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    order_id: str
    points_amount: _common_pb2.Money
    stored_value_amount: _common_pb2.Money
    restore_coupons: bool
    def __init__(self, request_id: _Optional[str] = ..., order_id: _Optional[str] = ..., points_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., stored_value_amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., restore_coupons: _Optional[bool] = ...) -> None: ...

class ReturnBenefitsResponse(_message.Message):
    __slots__ = ("points_returned", "stored_value_returned", "coupons_restored", "red_packet_restored")
    POINTS_RETURNED_FIELD_NUMBER: _ClassVar[int]
    STORED_VALUE_RETURNED_FIELD_NUMBER: _ClassVar[int]
    COUPONS_RESTORED_FIELD_NUMBER: _ClassVar[int]
    RED_PACKET_RESTORED_FIELD_NUMBER: _ClassVar[int]
    points_returned: int
    stored_value_returned: _common_pb2.Money
    coupons_restored: _containers.RepeatedScalarFieldContainer[str]
    red_packet_restored: str
    def __init__(self, points_returned: _Optional[int] = ..., stored_value_returned: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., coupons_restored: _Optional[_Iterable[str]] = ..., red_packet_restored: _Optional[str] = ...) -> None: ...

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

class SellerFreight(_message.Message):
    __slots__ = ("seller_id", "freight")
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    FREIGHT_FIELD_NUMBER: _ClassVar[int]
    seller_id: str
    freight: _common_pb2.Money
    def __init__(self, seller_id: _Optional[str] = ..., freight: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...
