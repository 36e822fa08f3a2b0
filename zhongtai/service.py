"""What a service module provides to the runtime (the composition root).

A service package exposes ``SERVICE: ServiceSpec`` in its ``app`` module and
registers it under the ``zhongtai.services`` entry-point group
(pyproject.toml), so the platform knows it without naming it: its name, its
tables (MetaData with the plumbing tables), where its Alembic migrations live,
the queues it consumes (by event type), its settings section, its own
``zhongtai`` subcommands, and ``build`` which wires its use cases, servicers,
consumers, timer handlers and background workers around a ``ServiceContext``.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from google.protobuf.message import Message
from sqlalchemy import MetaData

from zhongtai.auth import AccessPolicy
from zhongtai.bus import EventBus, Handler
from zhongtai.config import Settings
from zhongtai.db import Database, PlumbingTables
from zhongtai.events import routing_key
from zhongtai.grpcserver import Registrar
from zhongtai.timers import Handler as TimerHandler
from zhongtai.worker import PollingWorker


@dataclass(frozen=True)
class Subscription:
    """A queue a service consumes and the event types bound to it."""

    queue: str
    events: tuple[type[Message], ...]

    @property
    def routing_keys(self) -> tuple[str, ...]:
        return tuple(routing_key(e) for e in self.events)


@dataclass
class ServiceContext:
    settings: Settings
    db: Database
    bus: EventBus
    channel: Callable[[str], grpc.aio.Channel]
    # The service's own settings section (an instance of ServiceSpec.settings).
    config: Any = None
    # Every service in one process on the in-process broker (development):
    # secrets may be made up; a service on its own must be given them.
    embedded: bool = True


@dataclass(frozen=True)
class Command:
    """A ``zhongtai <name>`` subcommand a service brings (e.g. a sandbox)."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, None]]


@dataclass
class BuiltService:
    registrar: Registrar
    consumers: Mapping[str, Handler] = field(default_factory=dict)
    timer_handlers: Mapping[str, TimerHandler] = field(default_factory=dict)
    # Background loops the runtime runs while the service is up.
    workers: Sequence[PollingWorker] = ()
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
    # Its settings section: a frozen dataclass with defaults, read from the
    # [<name>] table and ZHONGTAI_<NAME>_<FIELD> (None: it has none).
    settings: type[Any] | None = None
    commands: Sequence[Command] = ()
    # Who may call each RPC: gRPC service full name -> method -> Rule.
    policies: Mapping[str, AccessPolicy] = field(default_factory=dict)
