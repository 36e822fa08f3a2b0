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

class ItemType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ITEM_TYPE_UNSPECIFIED: _ClassVar[ItemType]
    ITEM_TYPE_PHYSICAL: _ClassVar[ItemType]
    ITEM_TYPE_E_VOUCHER: _ClassVar[ItemType]
    ITEM_TYPE_ONLINE_SERVICE: _ClassVar[ItemType]

class StockMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STOCK_MODE_UNSPECIFIED: _ClassVar[StockMode]
    STOCK_MODE_RESERVE_AT_ORDER: _ClassVar[StockMode]
    STOCK_MODE_DEDUCT_AT_PAYMENT: _ClassVar[StockMode]

class ReservationStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RESERVATION_STATUS_UNSPECIFIED: _ClassVar[ReservationStatus]
    RESERVATION_STATUS_RESERVED: _ClassVar[ReservationStatus]
    RESERVATION_STATUS_RELEASED: _ClassVar[ReservationStatus]
    RESERVATION_STATUS_DEDUCTED: _ClassVar[ReservationStatus]
    RESERVATION_STATUS_RESTOCKED: _ClassVar[ReservationStatus]

class ErrorReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_REASON_UNSPECIFIED: _ClassVar[ErrorReason]
    ERROR_REASON_SELLER_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_SELLER_EXISTS: _ClassVar[ErrorReason]
    ERROR_REASON_ITEM_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_ITEM_VERSION_MISMATCH: _ClassVar[ErrorReason]
    ERROR_REASON_SKU_EXISTS: _ClassVar[ErrorReason]
    ERROR_REASON_SKU_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_INSUFFICIENT_STOCK: _ClassVar[ErrorReason]
    ERROR_REASON_OUT_OF_STOCK: _ClassVar[ErrorReason]
    ERROR_REASON_RESERVATION_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_RESERVATION_RELEASED: _ClassVar[ErrorReason]
    ERROR_REASON_ILLEGAL_RESERVATION_TRANSITION: _ClassVar[ErrorReason]
    ERROR_REASON_CONCURRENT_MODIFICATION: _ClassVar[ErrorReason]
    ERROR_REASON_NOT_THE_SELLER: _ClassVar[ErrorReason]
    ERROR_REASON_WAREHOUSE_NOT_FOUND: _ClassVar[ErrorReason]
ITEM_TYPE_UNSPECIFIED: ItemType
ITEM_TYPE_PHYSICAL: ItemType
ITEM_TYPE_E_VOUCHER: ItemType
ITEM_TYPE_ONLINE_SERVICE: ItemType
STOCK_MODE_UNSPECIFIED: StockMode
STOCK_MODE_RESERVE_AT_ORDER: StockMode
STOCK_MODE_DEDUCT_AT_PAYMENT: StockMode
RESERVATION_STATUS_UNSPECIFIED: ReservationStatus
RESERVATION_STATUS_RESERVED: ReservationStatus
RESERVATION_STATUS_RELEASED: ReservationStatus
RESERVATION_STATUS_DEDUCTED: ReservationStatus
RESERVATION_STATUS_RESTOCKED: ReservationStatus
ERROR_REASON_UNSPECIFIED: ErrorReason
ERROR_REASON_SELLER_NOT_FOUND: ErrorReason
ERROR_REASON_SELLER_EXISTS: ErrorReason
ERROR_REASON_ITEM_NOT_FOUND: ErrorReason
ERROR_REASON_ITEM_VERSION_MISMATCH: ErrorReason
ERROR_REASON_SKU_EXISTS: ErrorReason
ERROR_REASON_SKU_NOT_FOUND: ErrorReason
ERROR_REASON_INSUFFICIENT_STOCK: ErrorReason
ERROR_REASON_OUT_OF_STOCK: ErrorReason
ERROR_REASON_RESERVATION_NOT_FOUND: ErrorReason
ERROR_REASON_RESERVATION_RELEASED: ErrorReason
ERROR_REASON_ILLEGAL_RESERVATION_TRANSITION: ErrorReason
ERROR_REASON_CONCURRENT_MODIFICATION: ErrorReason
ERROR_REASON_NOT_THE_SELLER: ErrorReason
ERROR_REASON_WAREHOUSE_NOT_FOUND: ErrorReason

class Seller(_message.Message):
    __slots__ = ("seller_id", "display_name", "create_time")
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    seller_id: str
    display_name: str
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, seller_id: _Optional[str] = ..., display_name: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Sku(_message.Message):
    __slots__ = ("sku_id", "attributes", "price", "weight_grams", "volume_cm3")
    class AttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_GRAMS_FIELD_NUMBER: _ClassVar[int]
    VOLUME_CM3_FIELD_NUMBER: _ClassVar[int]
    sku_id: str
    attributes: _containers.ScalarMap[str, str]
    price: _common_pb2.Money
    weight_grams: int
    volume_cm3: int
    def __init__(self, sku_id: _Optional[str] = ..., attributes: _Optional[_Mapping[str, str]] = ..., price: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., weight_grams: _Optional[int] = ..., volume_cm3: _Optional[int] = ...) -> None: ...

class Item(_message.Message):
    __slots__ = ("item_id", "seller_id", "version", "title", "description", "category_id", "item_type", "stock_mode", "skus", "create_time", "presale")
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_ID_FIELD_NUMBER: _ClassVar[int]
    ITEM_TYPE_FIELD_NUMBER: _ClassVar[int]
    STOCK_MODE_FIELD_NUMBER: _ClassVar[int]
    SKUS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    PRESALE_FIELD_NUMBER: _ClassVar[int]
    item_id: str
    seller_id: str
    version: int
    title: str
    description: str
    category_id: str
    item_type: ItemType
    stock_mode: StockMode
    skus: _containers.RepeatedCompositeFieldContainer[Sku]
    create_time: _timestamp_pb2.Timestamp
    presale: PresaleTerms
    def __init__(self, item_id: _Optional[str] = ..., seller_id: _Optional[str] = ..., version: _Optional[int] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., category_id: _Optional[str] = ..., item_type: _Optional[_Union[ItemType, str]] = ..., stock_mode: _Optional[_Union[StockMode, str]] = ..., skus: _Optional[_Iterable[_Union[Sku, _Mapping]]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., presale: _Optional[_Union[PresaleTerms, _Mapping]] = ...) -> None: ...

class PresaleTerms(_message.Message):
    __slots__ = ("deposit", "balance_start_time", "balance_end_time")
    DEPOSIT_FIELD_NUMBER: _ClassVar[int]
    BALANCE_START_TIME_FIELD_NUMBER: _ClassVar[int]
    BALANCE_END_TIME_FIELD_NUMBER: _ClassVar[int]
    deposit: _common_pb2.Money
    balance_start_time: _timestamp_pb2.Timestamp
    balance_end_time: _timestamp_pb2.Timestamp
    def __init__(self, deposit: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., balance_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., balance_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SkuView(_message.Message):
    __slots__ = ("sku_id", "item_id", "seller_id", "item_version", "title", "category_id", "item_type", "stock_mode", "attributes", "price", "presale", "weight_grams", "volume_cm3")
    class AttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    ITEM_VERSION_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_ID_FIELD_NUMBER: _ClassVar[int]
    ITEM_TYPE_FIELD_NUMBER: _ClassVar[int]
    STOCK_MODE_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    PRESALE_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_GRAMS_FIELD_NUMBER: _ClassVar[int]
    VOLUME_CM3_FIELD_NUMBER: _ClassVar[int]
    sku_id: str
    item_id: str
    seller_id: str
    item_version: int
    title: str
    category_id: str
    item_type: ItemType
    stock_mode: StockMode
    attributes: _containers.ScalarMap[str, str]
    price: _common_pb2.Money
    presale: PresaleTerms
    weight_grams: int
    volume_cm3: int
    def __init__(self, sku_id: _Optional[str] = ..., item_id: _Optional[str] = ..., seller_id: _Optional[str] = ..., item_version: _Optional[int] = ..., title: _Optional[str] = ..., category_id: _Optional[str] = ..., item_type: _Optional[_Union[ItemType, str]] = ..., stock_mode: _Optional[_Union[StockMode, str]] = ..., attributes: _Optional[_Mapping[str, str]] = ..., price: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., presale: _Optional[_Union[PresaleTerms, _Mapping]] = ..., weight_grams: _Optional[int] = ..., volume_cm3: _Optional[int] = ...) -> None: ...

class Stock(_message.Message):
    __slots__ = ("sku_id", "available", "reserved", "sold", "shipped")
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    RESERVED_FIELD_NUMBER: _ClassVar[int]
    SOLD_FIELD_NUMBER: _ClassVar[int]
    SHIPPED_FIELD_NUMBER: _ClassVar[int]
    sku_id: str
    available: int
    reserved: int
    sold: int
    shipped: int
    def __init__(self, sku_id: _Optional[str] = ..., available: _Optional[int] = ..., reserved: _Optional[int] = ..., sold: _Optional[int] = ..., shipped: _Optional[int] = ...) -> None: ...

class CreateSellerRequest(_message.Message):
    __slots__ = ("request_id", "display_name", "seller_id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    display_name: str
    seller_id: str
    def __init__(self, request_id: _Optional[str] = ..., display_name: _Optional[str] = ..., seller_id: _Optional[str] = ...) -> None: ...

class CreateSellerResponse(_message.Message):
    __slots__ = ("seller",)
    SELLER_FIELD_NUMBER: _ClassVar[int]
    seller: Seller
    def __init__(self, seller: _Optional[_Union[Seller, _Mapping]] = ...) -> None: ...

class GetSellerRequest(_message.Message):
    __slots__ = ("seller_id",)
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    seller_id: str
    def __init__(self, seller_id: _Optional[str] = ...) -> None: ...

class GetSellerResponse(_message.Message):
    __slots__ = ("seller",)
    SELLER_FIELD_NUMBER: _ClassVar[int]
    seller: Seller
    def __init__(self, seller: _Optional[_Union[Seller, _Mapping]] = ...) -> None: ...

class ListSellersRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListSellersResponse(_message.Message):
    __slots__ = ("sellers", "next_page_token")
    SELLERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    sellers: _containers.RepeatedCompositeFieldContainer[Seller]
    next_page_token: str
    def __init__(self, sellers: _Optional[_Iterable[_Union[Seller, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class SkuInput(_message.Message):
    __slots__ = ("sku_id", "attributes", "price", "initial_stock", "weight_grams", "volume_cm3")
    class AttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    INITIAL_STOCK_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_GRAMS_FIELD_NUMBER: _ClassVar[int]
    VOLUME_CM3_FIELD_NUMBER: _ClassVar[int]
    sku_id: str
    attributes: _containers.ScalarMap[str, str]
    price: _common_pb2.Money
    initial_stock: int
    weight_grams: int
    volume_cm3: int
    def __init__(self, sku_id: _Optional[str] = ..., attributes: _Optional[_Mapping[str, str]] = ..., price: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., initial_stock: _Optional[int] = ..., weight_grams: _Optional[int] = ..., volume_cm3: _Optional[int] = ...) -> None: ...

class CreateItemRequest(_message.Message):
    __slots__ = ("request_id", "seller_id", "title", "description", "category_id", "item_type", "stock_mode", "skus", "presale")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_ID_FIELD_NUMBER: _ClassVar[int]
    ITEM_TYPE_FIELD_NUMBER: _ClassVar[int]
    STOCK_MODE_FIELD_NUMBER: _ClassVar[int]
    SKUS_FIELD_NUMBER: _ClassVar[int]
    PRESALE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    seller_id: str
    title: str
    description: str
    category_id: str
    item_type: ItemType
    stock_mode: StockMode
    skus: _containers.RepeatedCompositeFieldContainer[SkuInput]
    presale: PresaleTerms
    def __init__(self, request_id: _Optional[str] = ..., seller_id: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., category_id: _Optional[str] = ..., item_type: _Optional[_Union[ItemType, str]] = ..., stock_mode: _Optional[_Union[StockMode, str]] = ..., skus: _Optional[_Iterable[_Union[SkuInput, _Mapping]]] = ..., presale: _Optional[_Union[PresaleTerms, _Mapping]] = ...) -> None: ...

class CreateItemResponse(_message.Message):
    __slots__ = ("item",)
    ITEM_FIELD_NUMBER: _ClassVar[int]
    item: Item
    def __init__(self, item: _Optional[_Union[Item, _Mapping]] = ...) -> None: ...

class UpdateItemRequest(_message.Message):
    __slots__ = ("request_id", "item_id", "expected_version", "title", "description", "category_id", "skus")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_ID_FIELD_NUMBER: _ClassVar[int]
    SKUS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    item_id: str
    expected_version: int
    title: str
    description: str
    category_id: str
    skus: _containers.RepeatedCompositeFieldContainer[SkuInput]
    def __init__(self, request_id: _Optional[str] = ..., item_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., category_id: _Optional[str] = ..., skus: _Optional[_Iterable[_Union[SkuInput, _Mapping]]] = ...) -> None: ...

class UpdateItemResponse(_message.Message):
    __slots__ = ("item",)
    ITEM_FIELD_NUMBER: _ClassVar[int]
    item: Item
    def __init__(self, item: _Optional[_Union[Item, _Mapping]] = ...) -> None: ...

class GetItemRequest(_message.Message):
    __slots__ = ("item_id",)
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    item_id: str
    def __init__(self, item_id: _Optional[str] = ...) -> None: ...

class GetItemResponse(_message.Message):
    __slots__ = ("item",)
    ITEM_FIELD_NUMBER: _ClassVar[int]
    item: Item
    def __init__(self, item: _Optional[_Union[Item, _Mapping]] = ...) -> None: ...

class GetItemVersionRequest(_message.Message):
    __slots__ = ("item_id", "version")
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    item_id: str
    version: int
    def __init__(self, item_id: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class GetItemVersionResponse(_message.Message):
    __slots__ = ("item",)
    ITEM_FIELD_NUMBER: _ClassVar[int]
    item: Item
    def __init__(self, item: _Optional[_Union[Item, _Mapping]] = ...) -> None: ...

class ListItemsRequest(_message.Message):
    __slots__ = ("seller_id", "page_size", "page_token")
    SELLER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    seller_id: str
    page_size: int
    page_token: str
    def __init__(self, seller_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListItemsResponse(_message.Message):
    __slots__ = ("items", "next_page_token")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[Item]
    next_page_token: str
    def __init__(self, items: _Optional[_Iterable[_Union[Item, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class BatchGetSkusRequest(_message.Message):
    __slots__ = ("sku_ids",)
    SKU_IDS_FIELD_NUMBER: _ClassVar[int]
    sku_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, sku_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class BatchGetSkusResponse(_message.Message):
    __slots__ = ("skus", "missing_sku_ids")
    SKUS_FIELD_NUMBER: _ClassVar[int]
    MISSING_SKU_IDS_FIELD_NUMBER: _ClassVar[int]
    skus: _containers.RepeatedCompositeFieldContainer[SkuView]
    missing_sku_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, skus: _Optional[_Iterable[_Union[SkuView, _Mapping]]] = ..., missing_sku_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class AdjustStockRequest(_message.Message):
    __slots__ = ("request_id", "sku_id", "delta")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    sku_id: str
    delta: int
    def __init__(self, request_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., delta: _Optional[int] = ...) -> None: ...

class AdjustStockResponse(_message.Message):
    __slots__ = ("stock",)
    STOCK_FIELD_NUMBER: _ClassVar[int]
    stock: Stock
    def __init__(self, stock: _Optional[_Union[Stock, _Mapping]] = ...) -> None: ...

class GetStockRequest(_message.Message):
    __slots__ = ("sku_id",)
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    sku_id: str
    def __init__(self, sku_id: _Optional[str] = ...) -> None: ...

class GetStockResponse(_message.Message):
    __slots__ = ("stock",)
    STOCK_FIELD_NUMBER: _ClassVar[int]
    stock: Stock
    def __init__(self, stock: _Optional[_Union[Stock, _Mapping]] = ...) -> None: ...

class StockLine(_message.Message):
    __slots__ = ("sku_id", "quantity")
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    sku_id: str
    quantity: int
    def __init__(self, sku_id: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...

class Reservation(_message.Message):
    __slots__ = ("order_id", "status", "lines")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    status: ReservationStatus
    lines: _containers.RepeatedCompositeFieldContainer[StockLine]
    def __init__(self, order_id: _Optional[str] = ..., status: _Optional[_Union[ReservationStatus, str]] = ..., lines: _Optional[_Iterable[_Union[StockLine, _Mapping]]] = ...) -> None: ...

class ReserveStockRequest(_message.Message):
    __slots__ = ("order_id", "lines")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    lines: _containers.RepeatedCompositeFieldContainer[StockLine]
    def __init__(self, order_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[StockLine, _Mapping]]] = ...) -> None: ...

class ReserveStockResponse(_message.Message):
    __slots__ = ("reservation",)
    RESERVATION_FIELD_NUMBER: _ClassVar[int]
    reservation: Reservation
    def __init__(self, reservation: _Optional[_Union[Reservation, _Mapping]] = ...) -> None: ...

class ReleaseStockRequest(_message.Message):
    __slots__ = ("order_id", "reason")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    reason: str
    def __init__(self, order_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ReleaseStockResponse(_message.Message):
    __slots__ = ("reservation",)
    RESERVATION_FIELD_NUMBER: _ClassVar[int]
    reservation: Reservation
    def __init__(self, reservation: _Optional[_Union[Reservation, _Mapping]] = ...) -> None: ...

class DeductStockRequest(_message.Message):
    __slots__ = ("order_id",)
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    def __init__(self, order_id: _Optional[str] = ...) -> None: ...

class DeductStockResponse(_message.Message):
    __slots__ = ("reservation",)
    RESERVATION_FIELD_NUMBER: _ClassVar[int]
    reservation: Reservation
    def __init__(self, reservation: _Optional[_Union[Reservation, _Mapping]] = ...) -> None: ...

class RestockUnitsRequest(_message.Message):
    __slots__ = ("request_id", "order_id", "sku_id", "quantity", "warehouse_id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    WAREHOUSE_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    order_id: str
    sku_id: str
    quantity: int
    warehouse_id: str
    def __init__(self, request_id: _Optional[str] = ..., order_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., quantity: _Optional[int] = ..., warehouse_id: _Optional[str] = ...) -> None: ...

class RestockUnitsResponse(_message.Message):
    __slots__ = ("stock",)
    STOCK_FIELD_NUMBER: _ClassVar[int]
    stock: Stock
    def __init__(self, stock: _Optional[_Union[Stock, _Mapping]] = ...) -> None: ...

class GetReservationRequest(_message.Message):
    __slots__ = ("order_id",)
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    def __init__(self, order_id: _Optional[str] = ...) -> None: ...

class GetReservationResponse(_message.Message):
    __slots__ = ("reservation",)
    RESERVATION_FIELD_NUMBER: _ClassVar[int]
    reservation: Reservation
    def __init__(self, reservation: _Optional[_Union[Reservation, _Mapping]] = ...) -> None: ...

class WarehouseStock(_message.Message):
    __slots__ = ("sku_id", "warehouse_id", "quantity", "update_time")
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    WAREHOUSE_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    sku_id: str
    warehouse_id: str
    quantity: int
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, sku_id: _Optional[str] = ..., warehouse_id: _Optional[str] = ..., quantity: _Optional[int] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SetWarehouseStockRequest(_message.Message):
    __slots__ = ("request_id", "sku_id", "warehouse_id", "quantity")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    WAREHOUSE_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    sku_id: str
    warehouse_id: str
    quantity: int
    def __init__(self, request_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., warehouse_id: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...

class SetWarehouseStockResponse(_message.Message):
    __slots__ = ("warehouse_stock", "stock")
    WAREHOUSE_STOCK_FIELD_NUMBER: _ClassVar[int]
    STOCK_FIELD_NUMBER: _ClassVar[int]
    warehouse_stock: WarehouseStock
    stock: Stock
    def __init__(self, warehouse_stock: _Optional[_Union[WarehouseStock, _Mapping]] = ..., stock: _Optional[_Union[Stock, _Mapping]] = ...) -> None: ...

class BatchGetWarehouseStockRequest(_message.Message):
    __slots__ = ("sku_ids",)
    SKU_IDS_FIELD_NUMBER: _ClassVar[int]
    sku_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, sku_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class BatchGetWarehouseStockResponse(_message.Message):
    __slots__ = ("warehouse_stock", "missing_sku_ids")
    WAREHOUSE_STOCK_FIELD_NUMBER: _ClassVar[int]
    MISSING_SKU_IDS_FIELD_NUMBER: _ClassVar[int]
    warehouse_stock: _containers.RepeatedCompositeFieldContainer[WarehouseStock]
    missing_sku_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, warehouse_stock: _Optional[_Iterable[_Union[WarehouseStock, _Mapping]]] = ..., missing_sku_ids: _Optional[_Iterable[str]] = ...) -> None: ...

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
