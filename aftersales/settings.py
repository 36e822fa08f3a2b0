"""after-sales' settings: the [aftersales] section of the configuration file
and the ``ZHONGTAI_AFTERSALES_<FIELD>`` variables (see zhongtai.config)."""

from __future__ import annotations

from dataclasses import dataclass

DAY = 86400.0


@dataclass(frozen=True)
class AfterSalesSettings:
    # The seller reviews within this time, else the application is deemed
    # approved (ACTION_APPROVED_BY_TIMEOUT).
    review_seconds: float = 2 * DAY
    # A rejected application is re-applied or escalated within this time,
    # else CLOSED (CLOSE_REASON_REAPPLY_EXPIRED).
    reapply_seconds: float = 7 * DAY
    # An approved return is shipped back within this time, else CLOSED
    # (CLOSE_REASON_RETURN_NOT_SHIPPED).
    return_seconds: float = 7 * DAY
    # The seller confirms the receipt within this time after the return was
    # delivered (or, until logistics reports it delivered, shipped), else
    # the return is deemed received in full.
    receive_seconds: float = 7 * DAY
    # The buyer accepts a reduced refund or escalates within this time,
    # else it is deemed accepted.
    confirm_seconds: float = 3 * DAY
    # How many times a rejected application may be re-applied.
    max_reapplications: int = 2
    # A claim trade opened for an application after-sales did not write
    # (it died in between) is closed after this time.
    claim_guard_seconds: float = 600.0
    # The refund's remote steps are retried (and payment's refunds polled)
    # with a backoff from this many seconds up to the cap.
    retry_base_seconds: float = 1.0
    retry_cap_seconds: float = 300.0
    # Deadline of one call to another service.
    call_timeout_seconds: float = 10.0
