"""Credentials and policies (zhongtai.auth) and the server and client sides
that apply them (zhongtai.grpcserver, zhongtai.grpcclient), on a real gRPC
port: bearer tokens, TLS and mutual TLS."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from google.protobuf import wrappers_pb2

from tests.e2e.support import rich_error
from zhongtai.auth import (
    Authenticator,
    Identity,
    Role,
    ServiceTokens,
    TokenIssuer,
    TokenVerifier,
    allow,
    current_identity,
    is_dev_key,
    load_or_create_dev_key,
    new_signing_key,
    public_key_of,
)
from zhongtai.errors import ZhongtaiError
from zhongtai.grpcclient import create_channel
from zhongtai.grpcserver import GrpcServer, Tls

ISSUER, AUDIENCE = "zhongtai-test", "zhongtai"
KEY = new_signing_key()
ISSUE = TokenIssuer(KEY, ISSUER, AUDIENCE)
VERIFY = TokenVerifier([public_key_of(KEY)], ISSUER, AUDIENCE, leeway_seconds=0)
HOUR = dt.timedelta(hours=1)


def reason(call: object) -> str:
    with pytest.raises(ZhongtaiError) as e:
        call()  # type: ignore[operator]
    return e.value.reason


def test_a_token_carries_its_identity_and_nothing_else_passes() -> None:
    seller = Identity(Role.SELLER, "acct-1", frozenset({"s1", "s2"}), app="web-shop")
    assert VERIFY.verify(ISSUE.issue(seller, HOUR)) == seller
    buyer = Identity(Role.BUYER, "u1")
    assert VERIFY.verify(ISSUE.issue(buyer, HOUR)) == buyer

    past = dt.datetime.now(dt.UTC) - 2 * HOUR
    assert reason(lambda: VERIFY.verify(ISSUE.issue(buyer, HOUR, now=past))) == \
        "CREDENTIAL_EXPIRED"
    other_key = TokenIssuer(new_signing_key(), ISSUER, AUDIENCE)
    assert reason(lambda: VERIFY.verify(other_key.issue(buyer, HOUR))) == "CREDENTIAL_INVALID"
    for issuer, audience in [("someone-else", AUDIENCE), (ISSUER, "another-audience")]:
        token = TokenIssuer(KEY, issuer, audience).issue(buyer, HOUR)
        assert reason(lambda t=token: VERIFY.verify(t)) == "CREDENTIAL_INVALID"
    assert reason(lambda: VERIFY.verify("not.a.token")) == "CREDENTIAL_INVALID"
    # A seller credential must say which sellers it acts for.
    bare = ISSUE.issue(Identity(Role.SELLER, "acct-2"), HOUR)
    assert reason(lambda: VERIFY.verify(bare)) == "CREDENTIAL_INVALID"


def test_keys_rotate_by_verifying_with_the_old_and_the_new() -> None:
    new = new_signing_key()
    both = TokenVerifier([public_key_of(KEY), public_key_of(new)], ISSUER, AUDIENCE)
    u = Identity(Role.BUYER, "u1")
    assert both.verify(ISSUE.issue(u, HOUR)) == u
    assert both.verify(TokenIssuer(new, ISSUER, AUDIENCE).issue(u, HOUR)) == u


def test_the_dev_key_is_made_once_private_and_marked(tmp_path: Path) -> None:
    key = load_or_create_dev_key(tmp_path)
    assert load_or_create_dev_key(tmp_path) == key
    assert (tmp_path / "dev-signing-key.pem").stat().st_mode & 0o077 == 0
    assert is_dev_key(key) and not is_dev_key(new_signing_key())
    u = Identity(Role.BUYER, "u1")
    assert TokenVerifier([public_key_of(key)], ISSUER, AUDIENCE).verify(
        TokenIssuer(key, ISSUER, AUDIENCE).issue(u, HOUR)) == u


def test_service_tokens_are_reused_then_renewed() -> None:
    tokens = ServiceTokens(ISSUE, "trade", ttl=dt.timedelta(seconds=90))
    first = tokens()
    assert tokens() == first
    assert VERIFY.verify(first) == Identity.for_service("trade")


# --- on a real port ---------------------------------------------------------

ECHO = "/zhongtai.test.v1.EchoService/Echo"
ADMIN = "/zhongtai.test.v1.EchoService/Admin"


async def _echo(request: wrappers_pb2.StringValue, context: grpc.aio.ServicerContext
                ) -> wrappers_pb2.StringValue:
    who = current_identity()
    return wrappers_pb2.StringValue(value=f"{who.role.value}:{who.subject}:{request.value}")


def _register(server: grpc.aio.Server) -> None:
    handler = grpc.unary_unary_rpc_method_handler(
        _echo, request_deserializer=wrappers_pb2.StringValue.FromString,
        response_serializer=wrappers_pb2.StringValue.SerializeToString)
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(
        "zhongtai.test.v1.EchoService", {"Echo": handler, "Admin": handler,
                                         "Unlisted": handler})])


@dataclass
class Port:
    server: GrpcServer
    target: str


async def _serve(tls: Tls | None = None, cert_services: frozenset[str] = frozenset()
                 ) -> Port:
    auth = Authenticator(VERIFY, cert_services=cert_services)
    auth.add_policy("zhongtai.test.v1.EchoService", {
        "Echo": allow(Role.BUYER, Role.SERVICE, ownership="anyone signed in"),
        "Admin": allow(Role.OPERATOR)})
    server = GrpcServer("127.0.0.1:0", auth, tls)
    server.add(_register, ["zhongtai.test.v1.EchoService"])
    await server.start()
    return Port(server, f"localhost:{server.port}")


@pytest.fixture
async def plain() -> AsyncIterator[Port]:
    port = await _serve()
    yield port
    await port.server.stop(0)


async def _call(channel: grpc.aio.Channel, method: str = ECHO, value: str = "hi") -> str:
    stub = channel.unary_unary(method, request_serializer=wrappers_pb2.StringValue
                               .SerializeToString,
                               response_deserializer=wrappers_pb2.StringValue.FromString)
    return str((await stub(wrappers_pb2.StringValue(value=value), timeout=5)).value)


async def _refused(channel: grpc.aio.Channel, method: str = ECHO) -> dict[str, object]:
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await _call(channel, method)
    return rich_error(e.value)


async def test_every_call_needs_a_credential_that_the_policy_allows(plain: Port) -> None:
    async with create_channel(plain.target) as anonymous:
        error = await _refused(anonymous)
        assert (error["code"], error["reason"]) == (grpc.StatusCode.UNAUTHENTICATED,
                                                    "CREDENTIAL_MISSING")
    token = ISSUE.issue(Identity(Role.BUYER, "u1"), HOUR)
    async with create_channel(plain.target, token=lambda: token) as channel:
        assert await _call(channel) == "buyer:u1:hi"
        error = await _refused(channel, ADMIN)
        assert (error["code"], error["reason"]) == (grpc.StatusCode.PERMISSION_DENIED,
                                                    "ROLE_NOT_ALLOWED")
        error = await _refused(channel, "/zhongtai.test.v1.EchoService/Unlisted")
        assert (error["code"], error["reason"]) == (grpc.StatusCode.PERMISSION_DENIED,
                                                    "NO_POLICY")
    async with create_channel(plain.target, token=lambda: "garbage") as channel:
        error = await _refused(channel)
        assert (error["code"], error["reason"]) == (grpc.StatusCode.UNAUTHENTICATED,
                                                    "CREDENTIAL_INVALID")
    async with create_channel(plain.target, token=ServiceTokens(ISSUE, "trade")) as channel:
        assert await _call(channel) == "service:trade:hi"


async def test_health_needs_no_credential(plain: Port) -> None:
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    async with create_channel(plain.target) as channel:
        response = await health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(), timeout=5)
    assert response.status == health_pb2.HealthCheckResponse.SERVING


# --- TLS and mutual TLS -------------------------------------------------------


def _cert(name: str, issuer_key: ec.EllipticCurvePrivateKey | None = None,
          issuer_name: x509.Name | None = None, ca: bool = False
          ) -> tuple[bytes, ec.EllipticCurvePrivateKey, x509.Name]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    builder = (x509.CertificateBuilder().subject_name(subject)
               .issuer_name(issuer_name or subject).public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - HOUR).not_valid_after(now + HOUR)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
    cert = builder.sign(issuer_key or key, hashes.SHA256())
    return cert.public_bytes(serialization.Encoding.PEM), key, subject


def _pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


async def test_mutual_tls_maps_a_service_certificate_to_its_identity() -> None:
    ca_cert, ca_key, ca_name = _cert("zhongtai test CA", ca=True)
    server_cert, server_key, _ = _cert("localhost", ca_key, ca_name)
    port = await _serve(Tls(server_cert, _pem(server_key), client_ca=ca_cert),
                        cert_services=frozenset({"payment"}))
    try:
        payment_cert, payment_key, _ = _cert("payment", ca_key, ca_name)
        tls = grpc.ssl_channel_credentials(ca_cert, _pem(payment_key), payment_cert)
        async with create_channel(port.target, tls=tls) as channel:
            assert await _call(channel) == "service:payment:hi"
        # A certificate the configuration does not map still needs a token.
        front_cert, front_key, _ = _cert("web-shop", ca_key, ca_name)
        tls = grpc.ssl_channel_credentials(ca_cert, _pem(front_key), front_cert)
        async with create_channel(port.target, tls=tls) as channel:
            assert (await _refused(channel))["reason"] == "CREDENTIAL_MISSING"
        token = ISSUE.issue(Identity(Role.BUYER, "u9"), HOUR)
        async with create_channel(port.target, tls=tls, token=lambda: token) as channel:
            assert await _call(channel) == "buyer:u9:hi"
        # Without a client certificate the handshake itself fails.
        async with create_channel(port.target,
                                  tls=grpc.ssl_channel_credentials(ca_cert)) as channel:
            with pytest.raises(grpc.aio.AioRpcError) as e:
                await _call(channel)
            assert e.value.code() == grpc.StatusCode.UNAVAILABLE
    finally:
        await port.server.stop(0)
