"""settlement's settings: the [settlement] section of the configuration file
and the ``ZHONGTAI_SETTLEMENT_<FIELD>`` variables (see zhongtai.config)."""

from __future__ import annotations

from dataclasses import dataclass

from settlement.cycles import Cycle, CycleKind
from settlement.order import Mode
from settlement.schedule import parse_run_time


@dataclass(frozen=True)
class SettlementSettings:
    # The business type of trade's orders that carry none (placed before
    # Order.business_type existed): the fee rules of this type apply.
    business_type: str = "default"
    # The platform's own seller ids, comma separated: a seller part of one of
    # them is the platform's own sale (e.g. a membership sold with a
    # take-out order): platform sales revenue, no commission, never on a
    # merchant's statement, batch or payout.
    platform_seller_ids: str = ""
    # Business types in collection mode (cleared at payment), comma
    # separated; every other is in escrow mode (cleared when trade reports
    # the after-sales window ended).
    collection_business_types: str = ""
    # The sandbox payment channel's base URL, where reconciliation fetches
    # its daily statements and split instructions are sent (payment's
    # embedded sandbox listens there).
    sandbox_statement_url: str = "http://127.0.0.1:50053"
    # Joint operation (联营): business types cleared like escrow and settled
    # on the supplier's account period (a "month+N" cycle), comma separated.
    joint_operation_business_types: str = ""
    # Split settlement (分账): the payment channels that take split
    # instructions, comma separated (empty: none, every receivable is paid
    # out by payouts).
    split_channels: str = "sandbox"

    def business_type_of(self, order_business_type: str) -> str:
        """An order's business type: its own, else the default."""
        return order_business_type.strip() or self.business_type

    def platform_sellers(self) -> frozenset[str]:
        """The platform's own seller ids."""
        return frozenset(x.strip() for x in self.platform_seller_ids.split(",") if x.strip())

    def mode_of(self, business_type: str) -> Mode:
        """The trade mode of a business type (escrow unless listed)."""
        if business_type in _listed(self.collection_business_types):
            return Mode.COLLECTION
        if business_type in _listed(self.joint_operation_business_types):
            return Mode.JOINT_OPERATION
        return Mode.ESCROW

    def split_channel_set(self) -> frozenset[str]:
        return frozenset(_listed(self.split_channels))

    # Settlement cycles (清算): "T+N" (N >= 0 days), "weekly:<0..6>" (0
    # Monday) or "month+N" (an account period: a calendar month closed N
    # days after it ends), per business type and per merchant, comma
    # separated "<key>=<cycle>"; a merchant's own wins over its business
    # type's; else "month+0" for a joint-operation business type, T+1
    # otherwise.
    business_cycles: str = ""
    merchant_cycles: str = ""

    def cycle_of(self, seller_id: str) -> Cycle:
        """The merchant's cycle (its own, else the business type's, else
        month+0 in joint operation, else T+1)."""
        for table, key in ((self.merchant_cycles, seller_id),
                           (self.business_cycles, self.business_type)):
            for item in table.split(","):
                k, sep, v = item.partition("=")
                if sep and k.strip() == key:
                    return Cycle.parse(v)
        if self.mode_of(self.business_type) is Mode.JOINT_OPERATION:
            return Cycle(CycleKind.MONTHLY, 0)
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


def _listed(text: str) -> set[str]:
    return {x.strip() for x in text.split(",") if x.strip()}
