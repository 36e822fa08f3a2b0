"""payment's sweeps: the work that calls channels after a commit.

``RefundSweep`` submits PENDING channel refunds (requested and exception ones)
and, once the channel accepted them, asks how they went if no notification
came; a failure is retried with backoff until the channel accepts, so a
refund written in a transaction is never lost, whatever crashes in between.

``AttemptSweep`` closes the channel trades of attempts that must be closed
(the payment was closed, switched or won by another attempt) and queries
attempts still PENDING some minutes after they were opened (the janitor: a
lost notification is found by asking), applying what the channel says
exactly like a notification, with backoff.

Both lease their rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; a lease time
pushed forward) so several processes share the work, and call channels
outside any transaction.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from payment import capture, refunds
from payment.channels.registry import Channels
from payment.repository import PaymentUnitOfWork
from payment.rules import DueAttempt, DueRefund, Outcome, Policy
from zhongtai.db import utcnow
from zhongtai.worker import PollingWorker

log = logging.getLogger(__name__)


class _Sweep(PollingWorker):
    """Claims a batch of leased rows and processes each; an unexpected failure
    of one row is logged and the row is claimed again when its lease runs out."""

    what = ""
    # Outcomes that leave the row to be processed again later.
    not_done: tuple[Outcome, ...] = (Outcome.RETRY,)

    def __init__(self, uows: Callable[[], PaymentUnitOfWork], channels: Channels,
                 policy: Policy, *, poll_interval: float = 0.5, batch_size: int = 20,
                 clock: Callable[[], dt.datetime] = utcnow) -> None:
        super().__init__(poll_interval)
        self.uows = uows
        self.channels = channels
        self.policy = policy
        self.batch_size = batch_size
        self.clock = clock

    async def claim(self) -> list[Any]:
        raise NotImplementedError

    async def process(self, row: Any) -> Outcome:
        raise NotImplementedError

    def key(self, row: Any) -> str:
        raise NotImplementedError

    async def step(self) -> int:
        done = 0
        for row in await self.claim():
            try:
                outcome = await self.process(row)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s %s: unexpected failure", self.what, self.key(row))
                continue
            done += outcome not in self.not_done
        return done


class RefundSweep(_Sweep):
    what = "refund"

    async def claim(self) -> list[Any]:
        async with self.uows() as uow:
            return await refunds.claim_due_refunds(uow, self.batch_size, self.clock())

    async def process(self, row: DueRefund) -> Outcome:
        return await refunds.submit_refund(self.uows, self.channels, self.policy, row, self.clock)

    def key(self, row: DueRefund) -> str:
        return row.refund_id


class AttemptSweep(_Sweep):
    what = "attempt"
    not_done = (Outcome.RETRY, Outcome.PENDING)

    async def claim(self) -> list[Any]:
        async with self.uows() as uow:
            return await capture.claim_due_attempts(uow, self.batch_size, self.clock())

    async def process(self, row: DueAttempt) -> Outcome:
        return await capture.check_attempt(self.uows, self.channels, self.policy, row,
                                           self.clock)

    def key(self, row: DueAttempt) -> str:
        return row.attempt_id
