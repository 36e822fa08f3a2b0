"""The background loop shared by the outbox relay and the timer worker."""

from __future__ import annotations

import abc
import asyncio
import contextlib
import logging

log = logging.getLogger(__name__)


class PollingWorker(abc.ABC):
    """Runs ``step`` until it finds nothing to do, then sleeps until woken
    (``wake``, called after a commit that gave it work) or ``poll_interval``
    passes. An error in ``step`` is logged and retried at the next poll."""

    def __init__(self, poll_interval: float) -> None:
        self.poll_interval = poll_interval
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    @abc.abstractmethod
    async def step(self) -> int:
        """Do a batch of work; return how much was done (0: nothing to do)."""

    async def run(self) -> None:
        while True:
            try:
                done = await self.step()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s failed; retrying", type(self).__name__)
                done = 0
            if done == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_interval)
                self._wake.clear()
