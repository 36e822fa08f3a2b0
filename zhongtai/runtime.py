"""The composition root: the only place that builds engines, the bus,
channels and servers.

``Runtime(settings, ["catalog", "trade"])`` runs those services in this
process: each on its own database (migrated at start), all on one gRPC
listener, with one outbox relay and one timer worker per service, its own
workers, and the consumers of those services subscribed to the bus.
``service_names()`` lists every service installed (the ``zhongtai.services``
entry points); queues of every service are declared on RabbitMQ whichever
runs first, so no event is published before its queues exist.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

import grpc
from google.protobuf import descriptor_pool

from zhongtai import migrate
from zhongtai.audit import acting
from zhongtai.auth import AuthSettings, Identity, load_access
from zhongtai.bus import EventBus, create_bus
from zhongtai.config import Settings
from zhongtai.db import Database
from zhongtai.grpcclient import create_channel
from zhongtai.grpcserver import GrpcServer, Tls
from zhongtai.janitor import Janitor
from zhongtai.outbox import Relay
from zhongtai.service import ServiceContext, ServiceSpec
from zhongtai.timers import TimerWorker
from zhongtai.validation import Validator
from zhongtai.worker import PollingWorker

log = logging.getLogger(__name__)


ENTRY_POINTS = "zhongtai.services"


@functools.cache
def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINTS)}


def service_names() -> tuple[str, ...]:
    """Every installed service, by name."""
    return tuple(sorted(_entry_points()))


def load_spec(name: str) -> ServiceSpec:
    ep = _entry_points().get(name)
    if ep is None:
        raise ValueError(f"unknown service {name!r}; known: {', '.join(service_names())}")
    spec = ep.load()
    if not isinstance(spec, ServiceSpec) or spec.name != name:
        raise TypeError(f"entry point {name!r} of {ENTRY_POINTS} is not its ServiceSpec")
    return spec


def check_policies(spec: ServiceSpec) -> None:
    """Every RPC of the service has a rule (and no rule names an RPC that
    does not exist), or the service does not start."""
    for name in spec.grpc_service_names:
        descriptor = descriptor_pool.Default().FindServiceByName(name)
        methods = {m.name for m in descriptor.methods}
        rules = set(spec.policies.get(name, {}))
        if methods != rules:
            raise ValueError(f"{name}: no access rule for {sorted(methods - rules)}; "
                             f"rules for unknown methods {sorted(rules - methods)}")


def service_config(settings: Settings, spec: ServiceSpec) -> object:
    """A service's own settings section (None when it declares none)."""
    return None if spec.settings is None else settings.section(spec.name, spec.settings)


class Runtime:
    def __init__(self, settings: Settings, services: Sequence[str] | None = None) -> None:
        self.settings = settings
        everything = service_names()
        services = everything if services is None else services
        self.specs = [load_spec(name) for name in services]
        if set(services) != set(everything) and settings.broker_url in ("", "memory",
                                                                        "memory://"):
            # Events would stay in this process and never reach the others.
            raise ValueError(
                f"running only {', '.join(services)} needs a shared broker: set "
                "ZHONGTAI_BROKER_URL=amqp://... (the in-process broker only serves "
                "all services in one process)")
        self.embedded = set(services) == set(everything) and settings.broker_url in (
            "", "memory", "memory://")
        self.auth = settings.section("auth", AuthSettings)
        self.access = load_access(self.auth, settings.data_dir, embedded=self.embedded,
                                  services=everything)
        for spec in self.specs:
            for name, policy in spec.policies.items():
                self.access.authenticator.add_policy(name, policy)
            check_policies(spec)
        self.bus: EventBus = create_bus(settings.broker_url)
        self.dbs: dict[str, Database] = {}
        self.relays: dict[str, Relay] = {}
        self.timer_workers: dict[str, TimerWorker] = {}
        self._channels: dict[tuple[str, str], grpc.aio.Channel] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._stops: list[Callable[[], Awaitable[None]]] = []
        self.server: GrpcServer | None = None

    def channel(self, service: str, caller: str) -> grpc.aio.Channel:
        """A channel to ``service``, calling as service ``caller``."""
        if (caller, service) not in self._channels:
            target = self.settings.endpoint_for(service)
            if service not in self.settings.endpoints and self.server is not None:
                # In process: dial our own listener (its real port, even for :0).
                target = f"{target.rpartition(':')[0]}:{self.server.port}"
            self._channels[(caller, service)] = create_channel(
                target, load_spec(service).grpc_service_names,
                token=self.access.tokens_for(caller), tls=_channel_tls(self.auth))
        return self._channels[(caller, service)]

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.port)

    async def start(self) -> None:
        """Start every service; if one fails to start (a port taken, a
        database down), stop what did start before raising, so that nothing
        is left listening or polling."""
        try:
            await self._start()
        except BaseException:
            await self.stop(grace=0)
            raise

    async def _start(self) -> None:
        await self.bus.start()
        declare = getattr(self.bus, "declare", None)
        if declare is not None:
            for name in service_names():
                for sub in load_spec(name).subscriptions:
                    await declare(sub.queue, sub.routing_keys)
        self.server = GrpcServer(self.settings.listen, self.access.authenticator,
                                 _server_tls(self.auth), Validator(self.settings.currencies))
        built = []
        for spec in self.specs:
            db = Database(self.settings.database_url_for(spec.name), spec.metadata,
                          spec.plumbing)
            self.dbs[spec.name] = db
            await migrate.upgrade(db, spec)
            service = spec.build(ServiceContext(
                self.settings, db, self.bus, functools.partial(self.channel, caller=spec.name),
                service_config(self.settings, spec), self.embedded))
            built.append(service)
            self.server.add(service.registrar, spec.grpc_service_names)
            for sub in spec.subscriptions:
                await self.bus.subscribe(sub.queue, sub.routing_keys, service.consumers[sub.queue])
            self.relays[spec.name] = Relay(db, self.bus,
                                           poll_interval=self.settings.poll_interval_seconds)
            self.timer_workers[spec.name] = TimerWorker(
                db, service.timer_handlers, poll_interval=self.settings.poll_interval_seconds,
                service=spec.name)
        await self.server.start()
        for service in built:
            if service.start is not None:
                await service.start()
            if service.stop is not None:
                self._stops.append(service.stop)
        for name in self.relays:
            self._tasks.append(asyncio.create_task(self.relays[name].run(),
                                                   name=f"relay:{name}"))
            self._tasks.append(asyncio.create_task(Janitor(self.dbs[name]).run(),
                                                   name=f"janitor:{name}"))
            if self.timer_workers[name].handlers:
                self._tasks.append(asyncio.create_task(self.timer_workers[name].run(),
                                                       name=f"timers:{name}"))
        for spec, service in zip(self.specs, built, strict=True):
            for worker in service.workers:
                self._tasks.append(asyncio.create_task(
                    _as_service(spec.name, worker), name=f"{spec.name}:{type(worker).__name__}"))
        log.info("serving %s on port %d (broker %s)",
                 ", ".join(s.name for s in self.specs), self.port,
                 "in-process" if self.settings.broker_url in ("", "memory") else "RabbitMQ")

    async def stop(self, grace: float = 5.0) -> None:
        """Drain and stop; every step is bounded, so a stuck one is logged and
        shutdown goes on (SIGTERM must end the process)."""
        for stop in reversed(self._stops):
            await _bounded("service listeners", stop())
        self._stops.clear()
        if self.server is not None:
            await _bounded("gRPC server", self.server.stop(grace), grace + STEP_TIMEOUT)
        for task in self._tasks:
            task.cancel()
        await _bounded("background tasks",
                       asyncio.gather(*self._tasks, return_exceptions=True))
        self._tasks.clear()
        for channel in self._channels.values():
            await _bounded("channel", channel.close())
        await _bounded("bus", self.bus.close())
        for name, db in self.dbs.items():
            await _bounded(f"{name} database", db.dispose())


STEP_TIMEOUT = 10.0


async def _as_service(name: str, worker: PollingWorker) -> None:
    """A service's background worker, its changes attributed to the service."""
    with acting(Identity.for_service(name), f"worker {type(worker).__name__}"):
        await worker.run()


def _server_tls(auth: AuthSettings) -> Tls | None:
    if not auth.tls_cert_file:
        return None
    return Tls(Path(auth.tls_cert_file).read_bytes(), Path(auth.tls_key_file).read_bytes(),
               Path(auth.tls_ca_file).read_bytes() if auth.tls_mutual else None)


def _channel_tls(auth: AuthSettings) -> grpc.ChannelCredentials | None:
    """Calls to the other services over TLS when the port has it (presenting
    this process's certificate where TLS is mutual)."""
    if not auth.tls_cert_file:
        return None
    ca = Path(auth.tls_ca_file).read_bytes() if auth.tls_ca_file else None
    if auth.tls_mutual:
        return grpc.ssl_channel_credentials(ca, Path(auth.tls_key_file).read_bytes(),
                                            Path(auth.tls_cert_file).read_bytes())
    return grpc.ssl_channel_credentials(ca)


async def _bounded(what: str, step: Awaitable[object], seconds: float = STEP_TIMEOUT) -> None:
    try:
        await asyncio.wait_for(step, seconds)
    except TimeoutError:
        log.error("shutdown: %s did not stop within %.0f s; going on", what, seconds)
