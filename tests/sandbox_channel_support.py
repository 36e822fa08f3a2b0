"""The sandbox wallet provider's test harness: a notification receiver that
verifies what it is sent, the test's hands at the sandbox (``Admin``), and
the fixtures that start them are in tests/integration/conftest.py."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from payment.channels.base import (
    ChannelTrade,
    Notification,
    NotificationRejected,
)
from payment.channels.sandbox import SandboxChannel
from tests.conftest import eventually

SECRET = "test-secret"
TOLERANCE = 300.0


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    notification: Notification | None
    rejected: str  # NotificationRejected.reason, or ""


class Receiver:
    """The merchant's notification endpoint: verifies, records, answers."""

    def __init__(self, channel: SandboxChannel) -> None:
        self.channel = channel
        self.received: list[Received] = []
        # Statuses to answer with before answering 200 to verified notifications.
        self.fail_next: list[int] = []
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/notify", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/notify"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        try:
            n = self.channel.verify_notification(request.headers, body, utcnow())
        except NotificationRejected as e:
            self.received.append(Received(dict(request.headers), body, None, e.reason))
            return web.json_response({"error": e.reason}, status=401)
        self.received.append(Received(dict(request.headers), body, n, ""))
        if self.fail_next:
            return web.json_response({"error": "try later"}, status=self.fail_next.pop(0))
        return web.json_response({"result": "success"})

    def accepted(self) -> list[Notification]:
        return [r.notification for r in self.received if r.notification is not None]

    async def wait_for(self, count: int, within: float = 5.0) -> None:
        async def enough() -> bool:
            return len(self.received) >= count

        await eventually(enough, within=within, interval=0.01)


class Admin:
    """What a test (or the buyer) does at the sandbox, over HTTP."""

    def __init__(self, url: str, session: aiohttp.ClientSession) -> None:
        self.url = url
        self.http = session

    async def post(self, path: str, body: dict[str, Any] | None = None,
                   expect: int = 200) -> dict[str, Any]:
        async with self.http.post(self.url + path, json=body) as resp:
            data: dict[str, Any] = await resp.json()
            assert resp.status == expect, (resp.status, data)
            return data

    async def get(self, path: str) -> tuple[int, str]:
        async with self.http.get(self.url + path) as resp:
            return resp.status, await resp.text()

    async def pay(self, no: str, *, force: bool = False, expect: int = 200) -> dict[str, Any]:
        return await self.post(f"/v1/trades/{no}/pay", {"force": force}, expect)

    async def control(self, **faults: Any) -> dict[str, Any]:
        return await self.post("/v1/control", faults)


def new_trade(receiver: Receiver, amount: int = 1000) -> ChannelTrade:
    return ChannelTrade(attempt_id=f"att-{uuid.uuid4().hex[:12]}", amount=amount,
                        currency="CNY", subject="a test order", notify_url=receiver.url)
