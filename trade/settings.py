"""trade's settings: the [trade] section of the configuration file and the
``ZHONGTAI_TRADE_<FIELD>`` variables (see zhongtai.config)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TradeSettings:
    # The creation saga's rollback timer (seed 001: e.g. 3 minutes).
    rollback_after_seconds: float = 180.0
    # The unpaid timeout (30 minutes to 3 days by business).
    pay_timeout_seconds: float = 1800.0
    # A paid order nothing of which was shipped within this time is cancelled
    # and refunded (0: never).
    ship_timeout_seconds: float = 3 * 86400.0
    # A shipped order the buyer did not confirm is received automatically
    # this long after it was shipped (seed: 5–10 days) ...
    auto_confirm_seconds: float = 10 * 86400.0
    # ... and the buyer may push that back by this much, this many times.
    receipt_extension_seconds: float = 3 * 86400.0
    max_receipt_extensions: int = 1
    # The after-sales window: applications are taken this long after receipt
    # (or after the last refund claim ended, if later); seed 004: 15 days.
    after_sales_window_seconds: float = 15 * 86400.0
