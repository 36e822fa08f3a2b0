"""gRPC server bootstrap: one copy for every service.

``GrpcServer`` is a ``grpc.aio`` server with health checking and server
reflection always on (and exempt from credentials), optionally TLS or mutual
TLS, and the interceptor that authenticates and authorizes every other call
(``zhongtai.auth``), logs it and maps
``ZhongtaiError`` to a status with ``google.rpc`` details: ErrorInfo always
(reason, domain, metadata), BadRequest field violations for bad input,
PreconditionFailure for state conflicts. An unexpected exception is logged and
reported as INTERNAL without leaking its text.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1.health import aio as health_aio
from grpc_reflection.v1alpha import reflection
from grpc_status import rpc_status

from zhongtai.audit import acting
from zhongtai.auth import Authenticator, reset_identity, set_identity
from zhongtai.errors import ERROR_DOMAIN, FailedPrecondition, InvalidArgument, ZhongtaiError
from zhongtai.validation import Validator

log = logging.getLogger("zhongtai.grpc")

_EXEMPT = ("/grpc.health.", "/grpc.reflection.")


# An error never carries more than this of anything (an oversized id echoed
# into a message must not turn NOT_FOUND into RESOURCE_EXHAUSTED).
MAX_MESSAGE, MAX_VALUE = 1024, 256


def _cut(text: str, most: int = MAX_VALUE) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def to_status(error: ZhongtaiError) -> status_pb2.Status:
    details = []
    info = error_details_pb2.ErrorInfo(
        reason=error.reason, domain=ERROR_DOMAIN,
        metadata={_cut(k): _cut(v) for k, v in list(error.metadata.items())[:20]},
    )
    details.append(info)
    if isinstance(error, InvalidArgument):
        details.append(error_details_pb2.BadRequest(field_violations=[
            error_details_pb2.BadRequest.FieldViolation(
                field=_cut(v.field), description=_cut(v.description), reason=v.reason
            )
            for v in error.violations[:50]
        ]))
    if isinstance(error, FailedPrecondition) and error.violations:
        details.append(error_details_pb2.PreconditionFailure(violations=[
            error_details_pb2.PreconditionFailure.Violation(
                type=v.type, subject=_cut(v.subject), description=_cut(v.description)
            )
            for v in error.violations[:50]
        ]))
    packed = []
    for d in details:
        a = any_pb2.Any()
        a.Pack(d)
        packed.append(a)
    return status_pb2.Status(
        code=code_pb2.Code.Value(error.code), message=_cut(error.message, MAX_MESSAGE),
        details=packed,
    )


class ErrorAndLogInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Authenticates and authorizes every call (when an authenticator is
    given), logs it, and maps errors to statuses."""

    def __init__(self, authenticator: Authenticator | None = None,
                 validator: Validator | None = None) -> None:
        self.authenticator = authenticator
        self.validator = validator

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        method: str = details.method
        if handler is None or handler.unary_unary is None or method.startswith(_EXEMPT):
            return handler
        inner = handler.unary_unary

        async def wrapped(request: Any, context: grpc.aio.ServicerContext) -> Any:
            start = time.perf_counter()
            code = "OK"
            caller = None
            try:
                if self.authenticator is not None:
                    identity = self.authenticator.identify(
                        _metadata(context, "authorization"), _cert_names(context))
                    self.authenticator.check(method, identity)
                    caller = set_identity(identity)
                    if self.validator is not None:
                        self.validator.check(request)
                    with acting(identity, method.rpartition("/")[2]):
                        return await inner(request, context)
                return await inner(request, context)
            except ZhongtaiError as exc:
                code = exc.code
                await context.abort_with_status(rpc_status.to_status(to_status(exc)))
            except grpc.aio.AbortError:
                code = "ABORTED_BY_HANDLER"
                raise
            except Exception:
                code = "INTERNAL"
                log.exception("unexpected error in %s", method)
                await context.abort_with_status(rpc_status.to_status(to_status(
                    ZhongtaiError("INTERNAL", "internal error")
                )))
            finally:
                if caller is not None:
                    reset_identity(caller)
                log.info("%s %s %.1fms", method, code, (time.perf_counter() - start) * 1000)

        return grpc.unary_unary_rpc_method_handler(
            wrapped,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


def _metadata(context: grpc.aio.ServicerContext, key: str) -> str | None:
    for k, v in context.invocation_metadata() or ():
        if k == key:
            return str(v)
    return None


def _cert_names(context: grpc.aio.ServicerContext) -> list[str]:
    """The verified client certificate's common name(s) (mTLS ports only)."""
    auth = context.auth_context() or {}
    return [n.decode() for n in auth.get("x509_common_name", [])]


@dataclass(frozen=True)
class Tls:
    """The gRPC port's TLS: certificate chain and key (PEM); with
    ``client_ca``, mutual TLS — every caller presents a certificate signed by it."""

    cert_chain: bytes
    private_key: bytes
    client_ca: bytes | None = None


Registrar = Callable[[grpc.aio.Server], None]


class GrpcServer:
    """A grpc.aio server with health, reflection and the interceptor.

    The port is bound at construction (so ``port`` is known, even for
    ``HOST:0``); services are added with ``add`` before ``start``.
    """

    def __init__(self, listen: str, authenticator: Authenticator | None = None,
                 tls: Tls | None = None, validator: Validator | None = None) -> None:
        self.server = grpc.aio.server(
            interceptors=[ErrorAndLogInterceptor(authenticator, validator)],
            options=[("grpc.so_reuseport", 1), ("grpc.max_receive_message_length", 16 << 20)],
        )
        if tls is None:
            self.port: int = self.server.add_insecure_port(listen)
        else:
            self.port = self.server.add_secure_port(listen, grpc.ssl_server_credentials(
                [(tls.private_key, tls.cert_chain)], root_certificates=tls.client_ca,
                require_client_auth=tls.client_ca is not None))
        if self.port == 0:
            raise OSError(f"cannot listen on {listen}")
        self.health = health_aio.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        self.service_names: list[str] = []

    def add(self, register: Registrar, service_names: Sequence[str]) -> None:
        register(self.server)
        self.service_names.extend(service_names)

    async def start(self) -> None:
        reflection.enable_server_reflection(
            [*self.service_names, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
             reflection.SERVICE_NAME],
            self.server,
        )
        await self.server.start()
        for name in ["", *self.service_names]:
            await self.health.set(name, health_pb2.HealthCheckResponse.SERVING)

    async def stop(self, grace: float = 5.0) -> None:
        await self.health.enter_graceful_shutdown()
        await self.server.stop(grace)
