"""settlement's settings: the [settlement] section of the configuration file
and the ``ZHONGTAI_SETTLEMENT_<FIELD>`` variables (see zhongtai.config)."""

from __future__ import annotations

from dataclasses import dataclass

from settlement.cycles import Cycle
from settlement.order import Mode
from settlement.schedule import parse_run_time


@dataclass(frozen=True)
class SettlementSettings:
    # The business type of trade's orders (their events do not carry one
    # yet): the fee rules of this type apply.
    business_type: str = "default"
    # Business types in collection mode (cleared at payment), comma
    # separated; every other is in escrow mode (cleared when trade reports
    # the after-sales window ended).
    collection_business_types: str = ""
    # The sandbox payment channel's base URL, where reconciliation fetches
    # its daily statements (payment's embedded sandbox listens there).
    sandbox_statement_url: str = "http://127.0.0.1:50053"

    def mode_of(self, business_type: str) -> Mode:
        """The trade mode of a business type (escrow unless listed)."""
        listed = {b.strip() for b in self.collection_business_types.split(",") if b.strip()}
        return Mode.COLLECTION if business_type in listed else Mode.ESCROW

    # Settlement cycles (清算): "T+N" (N >= 0 days) or "weekly:<0..6>" (0
    # Monday), per business type and per merchant, comma separated
    # "<key>=<cycle>"; a merchant's own wins over its business type's; T+1
    # otherwise.
    business_cycles: str = ""
    merchant_cycles: str = ""

    def cycle_of(self, seller_id: str) -> Cycle:
        """The merchant's cycle (its own, else the business type's, else T+1)."""
        for table, key in ((self.merchant_cycles, seller_id),
                           (self.business_cycles, self.business_type)):
            for item in table.split(","):
                k, sep, v = item.partition("=")
                if sep and k.strip() == key:
                    return Cycle.parse(v)
        return Cycle()

    # Schedules (settlement.schedules): the UTC time of day ("HH:MM") at
    # which the settlement cycle runs by itself, and at which each channel's
    # previous day is reconciled; empty: not scheduled (operators run
    # RunSettlementCycle / ReconcileDay themselves). A missed day runs late,
    # once, in order.
    cycle_run_time: str = ""
    reconcile_run_time: str = ""

    def __post_init__(self) -> None:
        for run_time in (self.cycle_run_time, self.reconcile_run_time):
            parse_run_time(run_time)
