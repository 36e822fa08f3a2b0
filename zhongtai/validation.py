"""Request limits, declared in the contract and applied to every request.

The rules are ``(zhongtai.common.v1.rules)`` field options (options.proto's
``FieldRules``) and the defaults stated there, so a caller reads them in the
protos. ``Validator.check`` runs before any servicer: a request outside them
is INVALID_ARGUMENT with one BadRequest field violation per offending field
(path like ``lines[2].quantity``), and nothing is written. Descriptions never
echo the value, so an oversized input cannot inflate the error.

Defaults (no rule on the field):

* strings at most 128 characters; a field named ``*_id`` / ``*_ids`` is an
  id: no whitespace or control characters in it;
* repeated fields at most 1,000 items;
* integers within ±10^15 (int64, uint64) or their type (32-bit), so sums of
  amounts, quantities and deltas never overflow;
* enums: a value the contract defines;
* ``zhongtai.common.v1.Money``: amount within ±10^15 and, when set, an
  enabled ISO-4217 currency;
* ``google.protobuf.Timestamp``: a real instant (years 1 to 9999);
* a string with ``currency``: an enabled ISO-4217 code;
* messages recursively.

Each message type is compiled once into a list of checks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from zhongtai.common.v1 import options_pb2
from zhongtai.errors import FieldViolation, InvalidArgument

MAX_STRING = 128
MAX_ITEMS = 1000
MAX_INTEGER = 10**15
MAX_VIOLATIONS = 50
DEFAULT_CURRENCIES = ("CNY", "USD", "EUR", "HKD", "JPY", "GBP", "SGD")
MONEY = "zhongtai.common.v1.Money"
TIMESTAMP = "google.protobuf.Timestamp"
# 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
MIN_SECONDS, MAX_SECONDS = -62135596800, 253402300799
_ID_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f]")

Check = Callable[[Any, str, list[FieldViolation]], None]

_INT32 = {FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_SINT32,
          FieldDescriptor.TYPE_SFIXED32}
_UINT32 = {FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32}
_INT64 = {FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_SINT64,
          FieldDescriptor.TYPE_SFIXED64, FieldDescriptor.TYPE_UINT64,
          FieldDescriptor.TYPE_FIXED64}


def _rules(field: FieldDescriptor) -> Any:
    options: Any = field.GetOptions()
    return options.Extensions[options_pb2.rules] if options.HasExtension(
        options_pb2.rules) else None


class Validator:
    """Checks requests against their contract's limits (see the module)."""

    def __init__(self, currencies: Iterable[str] = DEFAULT_CURRENCIES) -> None:
        self.currencies = frozenset(currencies)
        self._plans: dict[str, list[Check]] = {}

    def check(self, message: Message) -> None:
        """Raise INVALID_ARGUMENT listing every field outside its limits."""
        found: list[FieldViolation] = []
        self._walk(message, "", found)
        if found:
            raise InvalidArgument(found[:MAX_VIOLATIONS])

    def _walk(self, message: Message, prefix: str, found: list[FieldViolation]) -> None:
        for check in self._plan(message.DESCRIPTOR):
            check(message, prefix, found)

    def _plan(self, descriptor: Any) -> list[Check]:
        plan = self._plans.get(descriptor.full_name)
        if plan is None:
            plan = self._plans[descriptor.full_name] = []  # recursive types see it
            plan.extend(self._field_check(f) for f in descriptor.fields)
        return plan

    def _field_check(self, field: FieldDescriptor) -> Check:
        rules = _rules(field)
        name = field.name
        entry: Any = field.message_type
        is_map = entry is not None and entry.GetOptions().map_entry
        one = self._value_check(entry.fields_by_name["value"] if is_map else field, rules)
        if field.is_repeated:
            most = (rules.max_items if rules is not None and rules.max_items else MAX_ITEMS)

            def repeated(message: Any, prefix: str, found: list[FieldViolation]) -> None:
                values = getattr(message, name)
                if len(values) > most:
                    found.append(FieldViolation(prefix + name, f"at most {most} items"))
                    return
                items = values.items() if is_map else enumerate(values)
                for key, value in items:
                    if is_map:
                        self._check_string(str(key), f"{prefix}{name}[key]", None, False, found)
                    one(value, f"{prefix}{name}[{key!s:.20}]", found)

            return repeated
        is_message = field.type == FieldDescriptor.TYPE_MESSAGE

        def single(message: Any, prefix: str, found: list[FieldViolation]) -> None:
            if is_message and not message.HasField(name):
                return
            one(getattr(message, name), prefix + name, found)

        return single

    def _value_check(self, field: FieldDescriptor, rules: Any
                     ) -> Callable[[Any, str, list[FieldViolation]], None]:
        t = field.type
        if t == FieldDescriptor.TYPE_STRING:
            is_id = field.name.endswith(("_id", "_ids"))
            if rules is not None and rules.currency:
                return lambda v, path, found: self._check_currency(v, path, rules, found)
            return lambda v, path, found: self._check_string(v, path, rules, is_id, found)
        if t == FieldDescriptor.TYPE_ENUM:
            enum_type: Any = field.enum_type
            defined = frozenset(enum_type.values_by_number)
            not_a_value = f"is not a value of {enum_type.name}"

            def enum(v: int, path: str, found: list[FieldViolation]) -> None:
                if v not in defined:
                    found.append(FieldViolation(path, not_a_value))
            return enum
        if t in _INT32 | _UINT32 | _INT64:
            low, high = ((-(2**31), 2**31 - 1) if t in _INT32 else (0, 2**32 - 1)
                         if t in _UINT32 else (-MAX_INTEGER, MAX_INTEGER))
            if rules is not None and rules.HasField("min"):
                low = rules.min
            if rules is not None and rules.HasField("max"):
                high = rules.max

            def integer(v: int, path: str, found: list[FieldViolation]) -> None:
                if not low <= v <= high:
                    found.append(FieldViolation(path, f"must be between {low} and {high}"))
            return integer
        if t == FieldDescriptor.TYPE_MESSAGE:
            message_type: Any = field.message_type
            kind = message_type.full_name
            if kind == MONEY:
                return lambda v, path, found: self._check_money(v, path, rules, found)
            if kind == TIMESTAMP:
                return _check_timestamp
            return lambda v, path, found: self._walk(v, path + ".", found)
        return _nothing

    def _check_string(self, value: str, path: str, rules: Any, is_id: bool,
                      found: list[FieldViolation]) -> None:
        most = rules.max_len if rules is not None and rules.max_len else MAX_STRING
        if len(value) > most:
            found.append(FieldViolation(path, f"must be at most {most} characters"))
        elif rules is not None and rules.required and not value.strip():
            found.append(FieldViolation(path, "is required"))
        elif is_id and value and _ID_FORBIDDEN.search(value):
            found.append(FieldViolation(path, "must not contain spaces or control characters"))

    def _check_currency(self, code: str, path: str, rules: Any,
                        found: list[FieldViolation]) -> None:
        if (code or rules.required) and code not in self.currencies:
            found.append(FieldViolation(path, self._currencies))

    @property
    def _currencies(self) -> str:
        return f"must be a currency the platform enables ({', '.join(sorted(self.currencies))})"

    def _check_money(self, money: Any, path: str, rules: Any,
                     found: list[FieldViolation]) -> None:
        low = rules.min if rules is not None and rules.HasField("min") else -MAX_INTEGER
        high = rules.max if rules is not None and rules.HasField("max") else MAX_INTEGER
        if not low <= money.amount_minor <= high:
            found.append(FieldViolation(f"{path}.amount_minor",
                                        f"must be between {low} and {high}"))
        if money.currency_code not in self.currencies:
            found.append(FieldViolation(f"{path}.currency_code", self._currencies))


def _check_timestamp(ts: Any, path: str, found: list[FieldViolation]) -> None:
    if not (MIN_SECONDS <= ts.seconds <= MAX_SECONDS and 0 <= ts.nanos < 10**9):
        found.append(FieldViolation(path, "must be a time between years 1 and 9999"))


def _nothing(_v: Any, _path: str, _found: list[FieldViolation]) -> None:
    return None
