"""Test harness: calls carry the credential a front would send.

``NaturalIdentity`` is a client interceptor for the tests' channels: each
call carries a token for the identity its request names — the `operator`
it claims, else its `buyer_id`, else its `seller_id` — when the method's
policy lets that role call; otherwise a service's, else an operator's
token. So the functional tests run with credentials checked and ownership
enforced, as a front calling for that user would; the security tests send
explicit tokens (a call that already has `authorization` is left as is).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import grpc

from zhongtai.auth import AccessPolicy, Identity, Role, TokenIssuer
from zhongtai.common.v1.common_pb2 import Operator

_FROM_OPERATOR = {Operator.ROLE_BUYER: Role.BUYER, Operator.ROLE_SELLER: Role.SELLER,
                  Operator.ROLE_SYSTEM: Role.SERVICE, Operator.ROLE_OPERATOR: Role.OPERATOR}


def _field(request: Any, name: str) -> str:
    descriptor = request.DESCRIPTOR.fields_by_name.get(name)
    return str(getattr(request, name)) if descriptor is not None else ""


def named_identities(request: Any) -> list[Identity]:
    """The identities a request names, most specific first."""
    out = []
    operator = request.operator if "operator" in request.DESCRIPTOR.fields_by_name else None
    if operator is not None and operator.role in _FROM_OPERATOR:
        role = _FROM_OPERATOR[operator.role]
        subject = operator.id or "test-system"
        out.append(Identity(role, subject, frozenset({subject}) if role is Role.SELLER
                            else frozenset()))
    if buyer := _field(request, "buyer_id"):
        out.append(Identity(Role.BUYER, buyer))
    if seller := _field(request, "seller_id"):
        out.append(Identity(Role.SELLER, f"seller-account-{seller}", frozenset({seller})))
    return out


class NaturalIdentity(grpc.aio.UnaryUnaryClientInterceptor):  # type: ignore[misc]
    def __init__(self, issuer: TokenIssuer, policies: Mapping[str, AccessPolicy]) -> None:
        self.issuer = issuer
        self.policies = policies
        self._tokens: dict[Identity, str] = {}

    def identity_for(self, method: str, request: Any) -> Identity:
        service, _, name = method.strip("/").partition("/")
        rule = self.policies.get(service, {}).get(name)
        allowed = rule.roles if rule is not None else frozenset(Role)
        for identity in named_identities(request):
            if identity.role in allowed:
                return identity
        if Role.SERVICE in allowed:
            # A call some services only may make is made as the first of them.
            services = sorted(rule.services) if rule is not None else []
            return Identity.for_service(services[0] if services else "test-front")
        return Identity(Role.OPERATOR, "test-operator")

    def token(self, identity: Identity) -> str:
        if identity not in self._tokens:
            self._tokens[identity] = self.issuer.issue(identity, dt.timedelta(hours=2))
        return self._tokens[identity]

    def as_(self, identity: Identity) -> tuple[tuple[str, str], ...]:
        """Call metadata carrying ``identity``'s token: an explicit caller,
        left as is by the interceptor."""
        return (("authorization", f"Bearer {self.token(identity)}"),)

    async def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        metadata = grpc.aio.Metadata(*(details.metadata or ()))
        if "authorization" not in metadata:
            method = details.method.decode() if isinstance(details.method, bytes) \
                else details.method
            metadata.add("authorization",
                         f"Bearer {self.token(self.identity_for(method, request))}")
        return await continuation(grpc.aio.ClientCallDetails(
            details.method, details.timeout, metadata, details.credentials,
            details.wait_for_ready), request)


def identities_for(signing_key: bytes) -> NaturalIdentity:
    """The harness's credentials for servers that verify tokens signed with
    ``signing_key`` (the policies of every installed service)."""
    from zhongtai.auth import AuthSettings
    from zhongtai.runtime import load_spec, service_names

    config = AuthSettings()
    policies = {name: policy for service in service_names()
                for name, policy in load_spec(service).policies.items()}
    return NaturalIdentity(TokenIssuer(signing_key, config.issuer, config.audience), policies)
