"""What a service module provides to the runtime (the composition root).

A service package exposes ``SERVICE: ServiceSpec`` in its ``app`` module: its
name, its tables (MetaData with the plumbing tables), where its Alembic
migrations live, the queues it consumes, and ``build`` which wires its
handlers, servicer, consumers and timer handlers around a ``ServiceContext``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from sqlalchemy import MetaData

from zhongtai.bus import EventBus, Handler
from zhongtai.config import Settings
from zhongtai.db import Database, PlumbingTables
from zhongtai.grpcserver import Registrar
from zhongtai.timers import TimerHandler


@dataclass(frozen=True)
class Subscription:
    queue: str
    routing_keys: tuple[str, ...]


@dataclass
class ServiceContext:
    settings: Settings
    db: Database
    bus: EventBus
    channel: Callable[[str], grpc.aio.Channel]


@dataclass
class BuiltService:
    registrar: Registrar
    consumers: Mapping[str, Handler] = field(default_factory=dict)
    timer_handlers: Mapping[str, TimerHandler] = field(default_factory=dict)
    # Extra listeners (e.g. payment's HTTP callback endpoint): started after
    # the gRPC server, stopped before it.
    start: Callable[[], Awaitable[None]] | None = None
    stop: Callable[[], Awaitable[None]] | None = None


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    # Full names of the gRPC services it serves (for health, reflection, retries).
    grpc_service_names: Sequence[str]
    metadata: MetaData
    plumbing: PlumbingTables
    migrations: Path
    subscriptions: Sequence[Subscription]
    build: Callable[[ServiceContext], BuiltService]
