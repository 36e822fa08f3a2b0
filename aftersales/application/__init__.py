"""after-sales' ``Application`` aggregate (``aggregate``), its parts
(``model``) and its state machine, timers and bearer rule (``states``).

Pure: no SQL, gRPC, protobuf message or clock anywhere in this package.
"""

from aftersales.application.aggregate import Application
from aftersales.application.model import (
    SYSTEM,
    Actor,
    AfterSalesPolicy,
    HistoryEntry,
    Refund,
    RefundPart,
    StatusChanged,
)
from aftersales.application.states import (
    APPROVE_REFUND,
    APPROVE_RETURN,
    ARBITRATE_REFUND,
    ARBITRATE_RETURN,
    CLAIM_GUARD_TIMER,
    CONFIRM_TIMER,
    DEADLINE_TIMERS,
    EFFECTS_TIMER,
    LIFECYCLE,
    MACHINE,
    REAPPLY,
    REAPPLY_TIMER,
    RECEIVE_TIMER,
    RETURN_TIMER,
    REVIEW_TIMER,
    SHIP_RETURN,
    E,
    return_shipping_bearer,
)

__all__ = [
    "APPROVE_REFUND", "APPROVE_RETURN", "ARBITRATE_REFUND", "ARBITRATE_RETURN",
    "CLAIM_GUARD_TIMER", "CONFIRM_TIMER", "DEADLINE_TIMERS", "EFFECTS_TIMER", "LIFECYCLE",
    "MACHINE", "REAPPLY", "REAPPLY_TIMER", "RECEIVE_TIMER", "RETURN_TIMER", "REVIEW_TIMER",
    "SHIP_RETURN", "SYSTEM", "Actor", "AfterSalesPolicy", "Application", "E", "HistoryEntry",
    "Refund", "RefundPart", "StatusChanged", "return_shipping_bearer",
]
