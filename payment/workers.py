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
import logging
from typing import Any

from payment.handlers import Payments
from zhongtai.worker import PollingWorker

log = logging.getLogger(__name__)


class _Sweep(PollingWorker):
    """Claims a batch of leased rows and processes each; an unexpected failure
    of one row is logged and the row is claimed again when its lease runs out."""

    what = ""
    # Outcomes that leave the row to be processed again later.
    not_done: tuple[str, ...] = ("RETRY",)

    def __init__(self, payments: Payments, *, poll_interval: float = 0.5,
                 batch_size: int = 20) -> None:
        super().__init__(poll_interval)
        self.payments = payments
        self.batch_size = batch_size

    async def claim(self) -> list[Any]:
        raise NotImplementedError

    async def process(self, row: Any) -> str:
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
        return await self.payments.claim_due_refunds(self.batch_size)

    async def process(self, row: Any) -> str:
        return await self.payments.submit_refund(row)

    def key(self, row: Any) -> str:
        return str(row.refund_id)


class AttemptSweep(_Sweep):
    what = "attempt"
    not_done = ("RETRY", "PENDING")

    async def claim(self) -> list[Any]:
        return await self.payments.claim_due_attempts(self.batch_size)

    async def process(self, row: Any) -> str:
        return await self.payments.check_attempt(row)

    def key(self, row: Any) -> str:
        return str(row.attempt_id)
