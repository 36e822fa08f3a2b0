"""Generated bad input for any request message: from a template request, one
field at a time made empty, oversized, blank, out of range, an undefined
enum value, an unknown id, a disabled currency (a Money's fields are
mutated like any other) or a list too long.

``mutants(template)`` walks the template's descriptor (the fields it sets,
recursively, and every top-level field) and yields ``(path, request)``
pairs; a fuzz test sends each and checks the server's answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

# Empty, blank, oversized, control characters, an unknown id, a currency
# nobody enables.
_STRINGS = ("", " \t ", "x" * 20_000, "\x00\x07", "no-such-id-" + "9" * 20, "XXX")
_INT64 = (-(2**63), 2**63 - 1, -1, 0)
_INT32 = (-(2**31), 2**31 - 1, -1, 0)
_UINT = (0, 2**32 - 1)
_INT64_TYPES = {FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_SINT64,
                FieldDescriptor.TYPE_SFIXED64}
_INT32_TYPES = {FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_SINT32,
                FieldDescriptor.TYPE_SFIXED32}
_UINT_TYPES = {FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32,
               FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED64}


def _values(field: FieldDescriptor) -> tuple[Any, ...]:
    t = field.type
    if t == FieldDescriptor.TYPE_STRING:
        return _STRINGS
    if t in _INT64_TYPES:
        return _INT64
    if t in _INT32_TYPES:
        return _INT32
    if t in _UINT_TYPES:
        return _UINT
    if t == FieldDescriptor.TYPE_ENUM:
        return (99, -1)
    return ()


def _mutate(message: Message, path: list[tuple[str, int | None]], value: Any) -> None:
    """Set the field at ``path`` (name, index in a repeated field) to ``value``
    (a list: the whole repeated field)."""
    (name, index), rest = path[0], path[1:]
    target = getattr(message, name)
    if rest:
        _mutate(target[index] if index is not None else target, rest, value)
    elif isinstance(value, list):
        del target[:]
        target.extend(value)
    elif index is not None:
        target[index] = value
    else:
        setattr(message, name, value)


def _fields(message: Message, prefix: list[tuple[str, int | None]]
            ) -> Iterator[tuple[list[tuple[str, int | None]], FieldDescriptor]]:
    """Every scalar field worth mutating: those set (recursively) and every
    field of the top-level message."""
    for field in message.DESCRIPTOR.fields:
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            continue
        if field.is_repeated:
            values = getattr(message, field.name)
            yield [*prefix, (field.name, None)], field  # the whole list
            for i, v in enumerate(values[:1]):
                if isinstance(v, Message):
                    yield from _fields(v, [*prefix, (field.name, i)])
                else:
                    yield [*prefix, (field.name, i)], field
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            if message.HasField(field.name):
                yield from _fields(getattr(message, field.name), [*prefix, (field.name, None)])
        else:
            yield [*prefix, (field.name, None)], field


def _name(path: list[tuple[str, int | None]]) -> str:
    return ".".join(f"{n}[{i}]" if i is not None else n for n, i in path)


def mutants(template: Message) -> Iterator[tuple[str, Message]]:
    """One-field variations of ``template`` with bad values (see the module)."""
    yield "(empty)", type(template)()
    for path, field in _fields(template, []):
        name, index = path[-1]
        if field.is_repeated and index is None:
            current = getattr(_walk(template, path[:-1]), name)
            if len(current):
                yield f"{_name(path)}*1001", _copy_with(template, path, [current[0]] * 1001)
            continue
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            continue
        for value in _values(field):
            yield f"{_name(path)}={str(value)[:20]!r}", _copy_with(template, path, value)


def _walk(message: Message, path: list[tuple[str, int | None]]) -> Message:
    for name, index in path:
        message = getattr(message, name)
        if index is not None:
            message = message[index]  # type: ignore[index]
    return message


def _copy_with(template: Message, path: list[tuple[str, int | None]], value: Any) -> Message:
    out = type(template)()
    out.CopyFrom(template)
    _mutate(out, path, value)
    return out
