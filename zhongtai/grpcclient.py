"""Calling other services: channels and turning their statuses back into errors."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from zhongtai.errors import (
    Aborted,
    AlreadyExists,
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    NotFound,
    PreconditionViolation,
    Unavailable,
    ZhongtaiError,
)

R = TypeVar("R")

# Codes that mean "the call was refused for a reason": not worth retrying.
BUSINESS_CODES = {
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.ALREADY_EXISTS,
    grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.PERMISSION_DENIED,
    grpc.StatusCode.OUT_OF_RANGE,
}


class BearerToken(grpc.aio.UnaryUnaryClientInterceptor):  # type: ignore[misc]
    """Puts ``authorization: Bearer <token>`` on every call of a channel;
    ``token`` is asked each time (it caches and renews, see
    ``zhongtai.auth.ServiceTokens``)."""

    def __init__(self, token: Callable[[], str]) -> None:
        self.token = token

    async def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        metadata = grpc.aio.Metadata(*(details.metadata or ()))
        metadata.add("authorization", f"Bearer {self.token()}")
        return await continuation(grpc.aio.ClientCallDetails(
            details.method, details.timeout, metadata, details.credentials,
            details.wait_for_ready), request)


def create_channel(target: str, services: Sequence[str] = (), *,
                   token: Callable[[], str] | None = None,
                   tls: grpc.ChannelCredentials | None = None) -> grpc.aio.Channel:
    """A channel to another service, retrying UNAVAILABLE for ``services``,
    calling as the identity ``token`` gives (a service's own), over TLS when
    ``tls`` is given.

    Services call each other only through idempotent methods (reads, or
    mutations keyed by an order or request id), so a retry is always safe.
    """
    config = {"methodConfig": [{
        "name": [{"service": name} for name in services],
        "retryPolicy": {
            "maxAttempts": 4,
            "initialBackoff": "0.1s",
            "maxBackoff": "2s",
            "backoffMultiplier": 2,
            "retryableStatusCodes": ["UNAVAILABLE"],
        },
    }]} if services else {}
    options = [("grpc.enable_retries", 1), ("grpc.keepalive_time_ms", 30_000),
               ("grpc.service_config", json.dumps(config))]
    interceptors = [BearerToken(token)] if token is not None else None
    if tls is not None:
        return grpc.aio.secure_channel(target, tls, options=options, interceptors=interceptors)
    return grpc.aio.insecure_channel(target, options=options, interceptors=interceptors)


def call_timeout(default: float, time_remaining: float | None, margin: float = 0.05) -> float:
    """The deadline for a downstream call: ours, less a margin, capped by ``default``."""
    if time_remaining is None:
        return default
    return max(0.001, min(default, time_remaining - margin))


async def call(method: Callable[..., Awaitable[R]], request: Any, default_timeout: float,
               time_remaining: float | None = None) -> R:
    """Call another service within our own deadline (``call_timeout``); a
    failed call raises its error rebuilt as ours (``error_from_rpc``)."""
    try:
        return await method(request, timeout=call_timeout(default_timeout, time_remaining))
    except grpc.aio.AioRpcError as exc:
        raise error_from_rpc(exc) from exc


def error_from_rpc(exc: grpc.aio.AioRpcError) -> ZhongtaiError:
    """Rebuild the remote service's error from its status and details."""
    reason, metadata = exc.code().name, {}
    fields: list[FieldViolation] = []
    preconditions: list[PreconditionViolation] = []
    status = rpc_status.from_call(exc)
    for detail in status.details if status else []:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            reason, metadata = info.reason, dict(info.metadata)
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            br = error_details_pb2.BadRequest()
            detail.Unpack(br)
            fields = [FieldViolation(v.field, v.description, v.reason)
                      for v in br.field_violations]
        elif detail.Is(error_details_pb2.PreconditionFailure.DESCRIPTOR):
            pf = error_details_pb2.PreconditionFailure()
            detail.Unpack(pf)
            preconditions = [PreconditionViolation(v.type, v.subject, v.description)
                             for v in pf.violations]
    message = exc.details() or exc.code().name
    code = exc.code()
    if code == grpc.StatusCode.INVALID_ARGUMENT:
        return InvalidArgument(fields, reason, message)
    if code == grpc.StatusCode.FAILED_PRECONDITION:
        return FailedPrecondition(reason, message, preconditions, metadata)
    if code == grpc.StatusCode.NOT_FOUND:
        return NotFound(reason, message, metadata)
    if code == grpc.StatusCode.ALREADY_EXISTS:
        return AlreadyExists(reason, message, metadata)
    if code == grpc.StatusCode.ABORTED:
        return Aborted(reason, message, metadata)
    return Unavailable(reason if reason != code.name else "DEPENDENCY_FAILED",
                       f"{message} ({code.name})", metadata)
