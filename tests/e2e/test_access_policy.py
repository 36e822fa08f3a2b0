"""The access policy of every RPC, on the embedded platform through the
stubs: for every RPC of every service, a call with each role's credential is
refused before the servicer runs exactly when the policy says so; without a
credential every call is UNAUTHENTICATED; docs/security.md shows the
policies as they are."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import grpc
import pytest
from google.protobuf import descriptor_pool, message_factory

from scripts.policy_table import table
from tests.e2e.platform import Platform
from tests.e2e.support import channel_to, rich_error
from zhongtai.auth import Identity, Role, Rule
from zhongtai.runtime import load_spec, service_names

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
IDENTITIES = {Role.BUYER: Identity(Role.BUYER, "policy-buyer"),
              Role.SELLER: Identity(Role.SELLER, "policy-seller", frozenset({"policy-s1"})),
              Role.OPERATOR: Identity(Role.OPERATOR, "policy-ops"),
              Role.SERVICE: Identity.for_service("policy-front")}


def rpcs() -> list[tuple[str, str, Rule]]:
    return [(service, method, rule)
            for name in service_names()
            for service, policy in load_spec(name).policies.items()
            for method, rule in policy.items()]


def test_the_security_doc_shows_every_policy_as_it_is() -> None:
    assert table() in (ROOT / "docs" / "security.md").read_text(encoding="utf-8")


async def _call(channel: grpc.aio.Channel, service: str, method: str,
                token: str | None) -> grpc.StatusCode:
    descriptor = descriptor_pool.Default().FindServiceByName(service)
    m = descriptor.methods_by_name[method]
    request = message_factory.GetMessageClass(m.input_type)()
    response = message_factory.GetMessageClass(m.output_type)
    stub = channel.unary_unary(f"/{service}/{method}",
                               request_serializer=type(request).SerializeToString,
                               response_deserializer=response.FromString)
    metadata = (("authorization", f"Bearer {token}"),) if token else None
    try:
        await stub(request, timeout=10, metadata=metadata)
    except grpc.aio.AioRpcError as e:
        if e.code() == grpc.StatusCode.PERMISSION_DENIED and \
                rich_error(e)["reason"] == "ROLE_NOT_ALLOWED":
            return e.code()
        if e.code() == grpc.StatusCode.UNAUTHENTICATED:
            return e.code()
        return grpc.StatusCode.OK  # past the policy: the use case answered
    return grpc.StatusCode.OK


async def test_every_rpc_admits_exactly_the_roles_its_policy_names(platform: Platform) -> None:
    """An empty request: allowed roles get past the policy (the use case
    refuses the empty request, or answers); the others are ROLE_NOT_ALLOWED;
    nobody gets in without a credential."""
    issuer = platform.runtime.access.issuer
    tokens = {role: issuer.issue(identity, dt.timedelta(minutes=10))
              for role, identity in IDENTITIES.items()}
    found = []
    async with channel_to(f"127.0.0.1:{platform.runtime.port}") as channel:
        for service, method, rule in rpcs():
            assert await _call(channel, service, method, None) == \
                grpc.StatusCode.UNAUTHENTICATED, f"{method} without a credential"
            for role, token in tokens.items():
                code = await _call(channel, service, method, token)
                expected = grpc.StatusCode.OK if rule.admits(IDENTITIES[role]) else \
                    grpc.StatusCode.PERMISSION_DENIED
                found.append((f"{service}/{method}", role.value, code == expected))
            for name in rule.services:  # a service the rule names is admitted
                token = issuer.issue(Identity.for_service(name), dt.timedelta(minutes=10))
                found.append((f"{service}/{method}", name,
                              await _call(channel, service, method, token)
                              == grpc.StatusCode.OK))
    assert [f for f in found if not f[2]] == []
    assert len({m for m, _, _ in found}) == len(rpcs()) >= 70
