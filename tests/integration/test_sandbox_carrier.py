"""The sandbox carrier, its adapter and logistics' push endpoint over real HTTP.

A sandbox carrier server and a NotifyServer (with a fake ``record`` that keeps
what it is given) on 127.0.0.1:0; the carrier pushes signed tracking events
to the NotifyServer, which verifies them through the SandboxCarrier adapter.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

import aiohttp
import pytest

from logistics.carrier_setup import start_carriers, stop_carriers
from logistics.carriers.base import CarrierError, Milestone, NotificationRejected, TrackingEvent
from logistics.carriers.sandbox import SandboxCarrier
from logistics.notify import NotifyServer
from logistics.sandbox_carrier import SIGNATURE_HEADER, TIMESTAMP_HEADER, SandboxCarrierServer
from logistics.settings import LogisticsSettings
from zhongtai import signing

SECRET = "carrier-test-secret"
T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)


class Recorder:
    """The fake ``record``: keeps every call; can fail or refuse on purpose."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[TrackingEvent]]] = []
        self.fail_next = 0
        self.refuse = False

    async def __call__(self, name: str, events: Sequence[TrackingEvent]) -> str:
        if self.fail_next:
            self.fail_next -= 1
            raise RuntimeError("the database is down")
        if self.refuse:
            raise ValueError("not for this shipment")
        self.calls.append((name, list(events)))
        return f"recorded {len(events)}"

    @property
    def events(self) -> list[TrackingEvent]:
        return [e for _, events in self.calls for e in events]


class World:
    def __init__(self, server: SandboxCarrierServer, carrier: SandboxCarrier,
                 notify: NotifyServer, recorder: Recorder, http: aiohttp.ClientSession) -> None:
        self.server = server
        self.carrier = carrier
        self.notify = notify
        self.recorder = recorder
        self.http = http

    @property
    def notify_url(self) -> str:
        return f"{self.notify.url}/carriers/sandbox/notify"

    async def control(self, path: str = "/v1/control", body: dict[str, Any] | None = None,
                      *, expect: int = 200) -> Any:
        method = "GET" if body is None and path == "/v1/control" else "POST"
        async with self.http.request(method, self.server.url + path, json=body) as resp:
            assert resp.status == expect, await resp.text()
            return await resp.json()

    async def move(self, tracking_no: str, milestone: str, **fields: Any) -> dict[str, Any]:
        event: dict[str, Any] = await self.control(
            f"/v1/waybills/{tracking_no}/events", {"milestone": milestone, **fields})
        return event

    async def results(self) -> list[Any]:
        """The results of the delivery attempts so far, oldest first."""
        return [d["result"] for d in (await self.control())["deliveries"]]


@pytest.fixture
async def world() -> AsyncIterator[World]:
    server = SandboxCarrierServer(SECRET, "127.0.0.1:0", notify_max_attempts=3,
                                  notify_backoff_seconds=0.01)
    await server.start()
    carrier = SandboxCarrier(server.url, SECRET, tolerance_seconds=300)
    recorder = Recorder()
    notify = NotifyServer(recorder, {"sandbox": carrier}, "127.0.0.1:0")
    await notify.start()
    http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
    try:
        yield World(server, carrier, notify, recorder, http)
    finally:
        await http.close()
        await notify.stop()
        await carrier.aclose()
        await server.stop()


async def test_pushed_events_arrive_verified_and_query_returns_them_all(world: World) -> None:
    await world.carrier.subscribe("SF100", world.notify_url)
    await world.carrier.subscribe("SF100", world.notify_url)  # idempotent
    sent = await world.move("SF100", "ACCEPTED", location="杭州", description="揽收",
                            occurred_at="2026-03-01T16:00:00+08:00")
    await world.server.drain()
    assert world.recorder.calls == [("sandbox", [TrackingEvent(
        event_id=sent["event_id"], tracking_no="SF100", milestone=Milestone.ACCEPTED,
        occurred_at=T0, location="杭州", description="揽收")])]

    times = [(T0 + dt.timedelta(hours=h)).isoformat() for h in (1, 2, 3, 4)]
    journey = await world.control("/v1/waybills/SF100/journey", {"occurred_at": times})
    await world.server.drain()
    ids = [e["event_id"] for e in journey["events"]]
    assert len(set(ids)) == 4 and sent["event_id"] not in ids
    assert len(world.recorder.calls) == 5  # one push per event (concurrent: any order)
    assert sorted(e.event_id for e in world.recorder.events) == sorted([sent["event_id"], *ids])

    queried = await world.carrier.query("SF100")  # in the order they occurred
    assert list(queried) == sorted(world.recorder.events, key=lambda e: e.occurred_at)
    assert [e.milestone for e in queried] == [
        Milestone.ACCEPTED, Milestone.ACCEPTED, Milestone.IN_TRANSIT,
        Milestone.OUT_FOR_DELIVERY, Milestone.DELIVERED]
    assert [e.occurred_at for e in queried] == [T0 + dt.timedelta(hours=h)
                                                for h in (0, 1, 2, 3, 4)]
    assert await world.carrier.query("NOPE") == []


async def test_a_batched_journey_is_one_push_of_four_events(world: World) -> None:
    await world.carrier.subscribe("SF101", world.notify_url)
    await world.control("/v1/waybills/SF101/journey",
                        {"start": T0.isoformat(), "step_seconds": 3600, "batch": True})
    await world.server.drain()
    assert len(world.recorder.calls) == 1
    assert [(e.milestone, e.occurred_at) for e in world.recorder.events] == [
        (m, T0 + dt.timedelta(hours=i)) for i, m in enumerate(
            (Milestone.ACCEPTED, Milestone.IN_TRANSIT, Milestone.OUT_FOR_DELIVERY,
             Milestone.DELIVERED))]


async def test_duplicated_pushes_all_arrive_with_the_same_event_id(world: World) -> None:
    await world.carrier.subscribe("SF200", world.notify_url)
    await world.control(body={"tracking_no": "SF200", "duplicate": 2})
    sent = await world.move("SF200", "IN_TRANSIT")
    await world.server.drain()
    assert [e.event_id for e in world.recorder.events] == [sent["event_id"]] * 3
    assert await world.results() == [200, 200, 200]
    # the fault was for that waybill only
    await world.carrier.subscribe("SF201", world.notify_url)
    await world.move("SF201", "IN_TRANSIT")
    await world.server.drain()
    assert len(world.recorder.events) == 4


async def test_held_pushes_are_flushed_last_first(world: World) -> None:
    await world.carrier.subscribe("SF300", world.notify_url)
    await world.control(body={"reorder": True})
    journey = await world.control("/v1/waybills/SF300/journey", {"start": T0.isoformat()})
    await world.server.drain()
    assert world.recorder.calls == []
    assert (await world.control())["held"] == 4
    assert await world.control("/v1/control/flush", {}) == {"delivered": 4}
    assert [e.event_id for e in world.recorder.events] == [
        e["event_id"] for e in reversed(journey["events"])]
    assert [e.milestone for e in world.recorder.events] == [
        Milestone.DELIVERED, Milestone.OUT_FOR_DELIVERY, Milestone.IN_TRANSIT,
        Milestone.ACCEPTED]
    assert (await world.control())["held"] == 0


@pytest.mark.parametrize(("faults", "why"), [
    ({"bad_signature": True}, "BAD_SIGNATURE"),
    ({"stale_timestamp_seconds": 3600}, "STALE"),
    ({"stale_timestamp_seconds": -3600}, "FUTURE"),
])
async def test_forged_stale_and_future_pushes_are_refused(
        world: World, faults: dict[str, Any], why: str) -> None:
    await world.carrier.subscribe("SF400", world.notify_url)
    await world.control(body=faults)
    await world.move("SF400", "DELIVERED")
    await world.server.drain()
    assert world.recorder.calls == []
    assert await world.results() == [401, 401, 401]  # retried, then given up
    # the same kind of push straight to the endpoint tells why
    body = json.dumps({"tracking_no": "SF400", "events": []}).encode()
    age = {"BAD_SIGNATURE": 0, "STALE": 3600, "FUTURE": -3600}[why]
    headers = signing.signed_headers(SECRET + ("x" if why == "BAD_SIGNATURE" else ""), body,
                                     timestamp_header=TIMESTAMP_HEADER,
                                     signature_header=SIGNATURE_HEADER, age_seconds=age)
    async with world.http.post(world.notify_url, data=body, headers=headers) as resp:
        assert resp.status == 401
        assert (await resp.json()) == {"error": why}
    # once the fault is gone the carrier's events get through
    await world.control("/v1/control/reset", {})
    await world.move("SF400", "DELIVERED")
    await world.server.drain()
    assert [e.milestone for e in world.recorder.events] == [Milestone.DELIVERED]


async def test_a_failed_record_is_500_and_the_carrier_pushes_again(world: World) -> None:
    await world.carrier.subscribe("SF500", world.notify_url)
    world.recorder.fail_next = 1
    sent = await world.move("SF500", "OUT_FOR_DELIVERY")
    await world.server.drain()
    assert await world.results() == [500, 200]
    assert [e.event_id for e in world.recorder.events] == [sent["event_id"]]


async def test_refused_events_are_400_and_unknown_carriers_404(world: World) -> None:
    await world.carrier.subscribe("SF600", world.notify_url)
    world.recorder.refuse = True
    await world.move("SF600", "ACCEPTED")
    await world.server.drain()
    assert await world.results() == [400, 400, 400]
    async with world.http.post(f"{world.notify.url}/carriers/nope/notify", data=b"{}") as resp:
        assert resp.status == 404


async def test_dropped_pushes_are_found_by_query(world: World) -> None:
    await world.carrier.subscribe("SF700", world.notify_url)
    await world.control(body={"drop": True})
    sent = await world.move("SF700", "ACCEPTED")
    await world.server.drain()
    assert world.recorder.calls == []
    assert await world.results() == ["dropped"]
    assert [e.event_id for e in await world.carrier.query("SF700")] == [sent["event_id"]]


async def test_carrier_api_failures_are_carrier_errors(world: World) -> None:
    await world.control(body={"fail_api": 503, "fail_api_times": 1})
    with pytest.raises(CarrierError) as e:
        await world.carrier.subscribe("SF800", world.notify_url)
    assert e.value.retryable
    await world.carrier.subscribe("SF800", world.notify_url)  # the failure was once only
    await world.control(body={"fail_api": 400})
    with pytest.raises(CarrierError) as e:
        await world.carrier.query("SF800")
    assert not e.value.retryable
    await world.control(body={"fail_api": None})
    assert await world.carrier.query("SF800") == []
    # bad control input is refused, events on unknown waybills too
    await world.control(body={"duplicate": 1000}, expect=400)
    await world.control(body={"nonsense": 1}, expect=400)
    await world.control("/v1/waybills/SF800/events", {"milestone": "LOST"}, expect=400)
    await world.control("/v1/waybills/SF800/events",
                        {"milestone": "ACCEPTED", "occurred_at": "2026-03-01T08:00:00"},
                        expect=400)
    await world.control("/v1/waybills/NOPE/events", {"milestone": "ACCEPTED"}, expect=404)


def test_the_adapter_rejects_malformed_pushes() -> None:
    carrier = SandboxCarrier("http://127.0.0.1:1", SECRET)
    now = dt.datetime.now(dt.UTC)
    good = {"event_id": "e1", "tracking_no": "SF1", "milestone": "ACCEPTED",
            "occurred_at": "2026-03-01T08:00:00Z", "location": "", "description": ""}

    def verify(payload: Any) -> Sequence[TrackingEvent]:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = signing.signed_headers(SECRET, body, timestamp_header=TIMESTAMP_HEADER,
                                         signature_header=SIGNATURE_HEADER)
        return carrier.verify_notification(headers, body, now)

    assert verify({"tracking_no": "SF1", "events": [good]}) == [TrackingEvent(
        "e1", "SF1", Milestone.ACCEPTED, T0)]
    for bad in (b"not json", [], {"events": [good]}, {"tracking_no": "SF1"},
                {"tracking_no": "SF1", "events": []},
                {"tracking_no": "SF1", "events": [{**good, "milestone": "LOST"}]},
                {"tracking_no": "SF1", "events": [{**good, "tracking_no": "SF2"}]},
                {"tracking_no": "SF1", "events": [{**good, "occurred_at": "yesterday"}]},
                {"tracking_no": "SF1", "events": [{**good, "occurred_at": "2026-03-01"}]},
                {"tracking_no": "SF1", "events": [{**good, "event_id": ""}]},
                {"tracking_no": "SF1", "events": [{**good, "location": 5}]},
                {"tracking_no": "SF1", "events": ["e1"]}):
        with pytest.raises(NotificationRejected) as e:
            verify(bad)
        assert e.value.reason == "MALFORMED", bad


async def test_start_carriers_runs_an_in_process_sandbox() -> None:
    settings = LogisticsSettings(carrier_sandbox_listen="127.0.0.1:0",
                                 carrier_sandbox_secret=SECRET)
    carriers, server = await start_carriers(settings)
    try:
        assert server is not None and set(carriers) == {"sandbox"}
        recorder = Recorder()
        notify = NotifyServer(recorder, carriers, "127.0.0.1:0")
        await notify.start()
        try:
            await carriers["sandbox"].subscribe("SF900", f"{notify.url}/carriers/sandbox/notify")
            async with aiohttp.ClientSession() as http, http.post(
                    f"{server.url}/v1/waybills/SF900/journey", json={}) as r:
                assert r.status == 200
            await server.drain()
            assert [e.milestone for e in recorder.events] == [
                Milestone.ACCEPTED, Milestone.IN_TRANSIT, Milestone.OUT_FOR_DELIVERY,
                Milestone.DELIVERED]
        finally:
            await notify.stop()
    finally:
        await stop_carriers(carriers, server)
    # an external carrier: nothing started here
    carriers, server = await start_carriers(LogisticsSettings(
        carrier_sandbox_url="http://127.0.0.1:1", carrier_sandbox_secret=SECRET))
    assert server is None
    with pytest.raises(CarrierError):
        await asyncio.wait_for(carriers["sandbox"].query("SF900"), 10)
    await stop_carriers(carriers, server)
