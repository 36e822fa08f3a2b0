from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Money(_message.Message):
    __slots__ = ("currency_code", "amount_minor")
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    currency_code: str
    amount_minor: int
    def __init__(self, currency_code: _Optional[str] = ..., amount_minor: _Optional[int] = ...) -> None: ...

class Address(_message.Message):
    __slots__ = ("country_code", "province", "city", "district", "town", "detail", "postal_code", "recipient_name", "recipient_phone", "region_code")
    COUNTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    PROVINCE_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    DISTRICT_FIELD_NUMBER: _ClassVar[int]
    TOWN_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    POSTAL_CODE_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_NAME_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_PHONE_FIELD_NUMBER: _ClassVar[int]
    REGION_CODE_FIELD_NUMBER: _ClassVar[int]
    country_code: str
    province: str
    city: str
    district: str
    town: str
    detail: str
    postal_code: str
    recipient_name: str
    recipient_phone: str
    region_code: str
    def __init__(self, country_code: _Optional[str] = ..., province: _Optional[str] = ..., city: _Optional[str] = ..., district: _Optional[str] = ..., town: _Optional[str] = ..., detail: _Optional[str] = ..., postal_code: _Optional[str] = ..., recipient_name: _Optional[str] = ..., recipient_phone: _Optional[str] = ..., region_code: _Optional[str] = ...) -> None: ...

class Operator(_message.Message):
    __slots__ = ("role", "id")
    class Role(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        ROLE_UNSPECIFIED: _ClassVar[Operator.Role]
        ROLE_BUYER: _ClassVar[Operator.Role]
        ROLE_SELLER: _ClassVar[Operator.Role]
        ROLE_SYSTEM: _ClassVar[Operator.Role]
        ROLE_OPERATOR: _ClassVar[Operator.Role]
    ROLE_UNSPECIFIED: Operator.Role
    ROLE_BUYER: Operator.Role
    ROLE_SELLER: Operator.Role
    ROLE_SYSTEM: Operator.Role
    ROLE_OPERATOR: Operator.Role
    ROLE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    role: Operator.Role
    id: str
    def __init__(self, role: _Optional[_Union[Operator.Role, str]] = ..., id: _Optional[str] = ...) -> None: ...
