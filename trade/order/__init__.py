"""trade's Order aggregate (``aggregate.Order``) with its parts (``model``),
its state machine (``states``), its arithmetic (``amounts``, and for
refunds ``refunds``; the after-sales transitions are in ``after_sales``), the payability
rule (``payability``) and the domain events it records (``events``).

Pure: no SQL, gRPC, protobuf message or clock anywhere in this package.
"""

from trade.order.aggregate import (
    AFTER_SALES_TIMER,
    AUTO_CONFIRM_TIMER,
    BALANCE_LAPSE_TIMER,
    PAY_TIMEOUT_TIMER,
    ROLLBACK_TIMER,
    SHIP_TIMEOUT_TIMER,
    Mirror,
    Order,
)
from trade.order.model import (
    SYSTEM,
    Close,
    Deduction,
    Item,
    Line,
    LogOrder,
    Party,
    PayOrder,
    Presale,
    RefundClaim,
    TradePolicy,
    Voucher,
)
from trade.order.payability import NOT_THE_PAYERS, Rejection, payability
from trade.order.refunds import RefundPlan
from trade.order.states import E

__all__ = [
    "AFTER_SALES_TIMER", "AUTO_CONFIRM_TIMER", "BALANCE_LAPSE_TIMER", "NOT_THE_PAYERS",
    "PAY_TIMEOUT_TIMER", "ROLLBACK_TIMER", "SHIP_TIMEOUT_TIMER", "SYSTEM", "Close", "Deduction",
    "E", "Item", "Line", "LogOrder", "Mirror", "Order", "Party", "PayOrder", "Presale",
    "RefundClaim", "RefundPlan", "Rejection", "TradePolicy", "Voucher", "payability",
]
