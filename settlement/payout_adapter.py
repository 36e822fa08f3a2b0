"""The payout adapter: how a PENDING payout is paid to the merchant's bank
account, and its in-process sandbox.

The adapter answers once per payout (``pay``) whether it paid (with its
reference) or refused (with a reason); settlement then posts or voids the
payout (settlement.payout). ``pay`` is idempotent by payout id: asked again
it answers as it did the first time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

REFUSED_REASON = "sandbox: the bank refused the transfer (amount ending in 99)"


@dataclass(frozen=True)
class PayoutResult:
    paid: bool
    reference: str = ""
    reason: str = ""


class PayoutAdapter(Protocol):
    async def pay(self, payout_id: str, seller_id: str, amount: int,
                  currency: str) -> PayoutResult: ...


@dataclass
class SandboxPayoutAdapter:
    """Deterministic and in-process: pays everything (reference
    ``sandbox-<payout id>``) but an amount whose minor units end in 99
    (refused: ``REFUSED_REASON``, so a test through the stubs can plant a
    refusal) or a merchant told to be refused (``refuse(seller_id,
    reason)``) until ``accept(seller_id)``. Remembers each answer, so asking
    twice answers the same."""

    refused: dict[str, str] = field(default_factory=dict)
    answers: dict[str, PayoutResult] = field(default_factory=dict)

    def refuse(self, seller_id: str, reason: str = "bank account closed") -> None:
        self.refused[seller_id] = reason

    def accept(self, seller_id: str) -> None:
        self.refused.pop(seller_id, None)

    async def pay(self, payout_id: str, seller_id: str, amount: int,
                  currency: str) -> PayoutResult:
        if payout_id not in self.answers:
            reason = self.refused.get(seller_id) or (
                REFUSED_REASON if amount % 100 == 99 else "")
            self.answers[payout_id] = PayoutResult(False, reason=reason) if reason \
                else PayoutResult(True, reference=f"sandbox-{payout_id}")
        return self.answers[payout_id]
