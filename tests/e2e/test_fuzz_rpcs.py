"""Every RPC of every service against generated bad input, on the embedded
platform through the stubs: empty requests, oversized strings, whitespace and
control characters in ids, integers at the edges of their type, undefined
enum values, unknown ids, huge lists. No answer is INTERNAL or UNKNOWN (nor
UNAVAILABLE: nothing here is down), and a request refused as bad input
(INVALID_ARGUMENT) wrote nothing in any service's database.

The inputs come from a seeded generator over the request descriptors, so a
failure is reproducible (a failure names the RPC and the case).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import zlib
from typing import Any

import grpc
import pytest
from google.protobuf import descriptor_pool, message_factory
from google.protobuf.descriptor import FieldDescriptor
from sqlalchemy import func, select

from tests.e2e.platform import Platform
from tests.e2e.support import channel_to
from zhongtai.auth import Identity, Role, Rule
from zhongtai.runtime import load_spec, service_names

pytestmark = pytest.mark.e2e

CASES_PER_RPC = 6
INTS = [0, -1, 1, 2**31 - 1, -(2**31), 2**63 - 1, -(2**63), 10**15 + 1, -(10**15) - 1]
STRINGS = ["", " ", "\t\n", "x" * 20_000, "ü" * 300, "id with space", "\x00nul",
           "nope-unknown-id", "CNY", "XXX"]
NEVER = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.UNAVAILABLE,
         grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.DEADLINE_EXCEEDED}


def _fill(message: Any, rng: random.Random, depth: int = 0) -> None:
    """Set some fields of ``message`` to edge values (recursively)."""
    for field in message.DESCRIPTOR.fields:
        if rng.random() < 0.35:
            continue
        _set(message, field, rng, depth)


def _value(field: FieldDescriptor, rng: random.Random) -> Any:
    t = field.type
    if t == FieldDescriptor.TYPE_STRING:
        return rng.choice(STRINGS)
    if t == FieldDescriptor.TYPE_BYTES:
        return rng.choice([b"", b"\x00" * 100])
    if t == FieldDescriptor.TYPE_BOOL:
        return rng.random() < 0.5
    if t in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return rng.choice([0.0, -1.0, 1e300])
    if t == FieldDescriptor.TYPE_ENUM:
        return rng.choice([0, 1, 99, -5])
    bits = 32 if t in (FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_SINT32,
                       FieldDescriptor.TYPE_SFIXED32, FieldDescriptor.TYPE_UINT32,
                       FieldDescriptor.TYPE_FIXED32) else 64
    unsigned = t in (FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32,
                     FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED64)
    low, high = (0, 2**bits - 1) if unsigned else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    return max(low, min(high, rng.choice(INTS)))


def _set(message: Any, field: FieldDescriptor, rng: random.Random, depth: int) -> None:
    name = field.name
    entry: Any = field.message_type
    if entry is not None and entry.GetOptions().map_entry:
        getattr(message, name)[rng.choice(STRINGS)[:300]] = rng.choice(STRINGS)[:300] \
            if entry.fields_by_name["value"].type == FieldDescriptor.TYPE_STRING else 0
        return
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        if depth > 3:
            return
        if field.is_repeated:
            target = getattr(message, name)
            for _ in range(rng.choice([1, 2, 1001]) if rng.random() < 0.2 else 1):
                _fill(target.add(), rng, depth + 1)
        else:
            _fill(getattr(message, name), rng, depth + 1)
            getattr(message, name).SetInParent()
        return
    if field.is_repeated:
        getattr(message, name).extend(_value(field, rng) for _ in range(rng.choice([1, 3])))
        return
    with contextlib.suppress(ValueError):  # an enum field may refuse an unknown value
        setattr(message, name, _value(field, rng))


# One bad field at a time (the others empty), so a value reaches the use case
# behind whatever the validator lets through.
EDGES = {"string": ["x" * 20_000, "id with space", "nope-unknown-id", " "],
         "int": [2**63 - 1, -(2**63), 10**15, -1], "enum": [99]}


def _single_field_requests(request_type: Any) -> list[Any]:
    out = []
    for field in request_type.DESCRIPTOR.fields:
        kind = ("string" if field.type == FieldDescriptor.TYPE_STRING else
                "enum" if field.type == FieldDescriptor.TYPE_ENUM else
                "int" if field.type in (FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_INT32,
                                        FieldDescriptor.TYPE_SINT64) else None)
        if kind is None or field.is_repeated:
            continue
        for value in EDGES[kind]:
            request = request_type()
            with contextlib.suppress(ValueError):
                setattr(request, field.name, value if kind != "int" or
                        field.type != FieldDescriptor.TYPE_INT32 else
                        max(-(2**31), min(2**31 - 1, value)))
                out.append(request)
    return out


def _rpcs() -> list[tuple[str, str, Rule]]:
    return [(service, method, rule)
            for name in service_names()
            for service, policy in load_spec(name).policies.items()
            for method, rule in policy.items()]


async def _rows(p: Platform) -> dict[str, int]:
    """Every business table's row count, one query per database."""
    counts: dict[str, int] = {}
    for name, db in p.runtime.dbs.items():
        tables = [t for t in db.metadata.sorted_tables if t.name not in
                  ("inbox", "outbox", "timers", "audit_log", "idempotency")]
        async with db.transaction() as s:
            row = (await s.execute(select(*(
                select(func.count()).select_from(t).scalar_subquery().label(t.name)
                for t in tables)))).one()
        counts.update({f"{name}.{t.name}": int(n) for t, n in zip(tables, row, strict=True)})
    return counts


async def test_no_rpc_fails_inside_or_writes_on_bad_input(platform: Platform) -> None:
    issuer = platform.runtime.access.issuer
    tokens = {role: issuer.issue(identity, dt.timedelta(minutes=30)) for role, identity in {
        Role.SERVICE: Identity.for_service("fuzzer"),
        Role.OPERATOR: Identity(Role.OPERATOR, "fuzz-ops"),
        Role.SELLER: Identity(Role.SELLER, "fuzz-acct", frozenset({"fuzz-seller"})),
        Role.BUYER: Identity(Role.BUYER, "fuzz-buyer")}.items()}
    failures = []
    async with channel_to(f"127.0.0.1:{platform.runtime.port}") as channel:
        for service, method, rule in _rpcs():
            descriptor = descriptor_pool.Default().FindServiceByName(service)
            m = descriptor.methods_by_name[method]
            request_type = message_factory.GetMessageClass(m.input_type)
            response_type = message_factory.GetMessageClass(m.output_type)
            stub = channel.unary_unary(f"/{service}/{method}",
                                       request_serializer=request_type.SerializeToString,
                                       response_deserializer=response_type.FromString)
            role = next(r for r in (Role.SERVICE, Role.OPERATOR, Role.SELLER, Role.BUYER)
                        if r in rule.roles)
            token = tokens[role] if not (role is Role.SERVICE and rule.services) else \
                issuer.issue(Identity.for_service(sorted(rule.services)[0]),
                             dt.timedelta(minutes=30))
            requests = _single_field_requests(request_type)
            for case in range(CASES_PER_RPC):
                request = request_type()
                if case:
                    _fill(request, random.Random(zlib.crc32(f"{method}/{case}".encode())))
                requests.append(request)
            before = await _rows(platform)
            for case, request in enumerate(requests):
                try:
                    await stub(request, timeout=15,
                               metadata=(("authorization", f"Bearer {token}"),))
                    before = await _rows(platform)  # a valid call may write
                    continue
                except grpc.aio.AioRpcError as e:
                    code = e.code()
                    if code in NEVER:
                        failures.append((method, case, code.name, e.details()[:200]))
                    elif code == grpc.StatusCode.INVALID_ARGUMENT:
                        if await _rows(platform) != before:
                            failures.append((method, case, "WROTE ON BAD INPUT", ""))
                    else:
                        before = await _rows(platform)
    assert failures == []
