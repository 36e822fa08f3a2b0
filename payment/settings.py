"""payment's settings: the [payment] section of the configuration file and the
``ZHONGTAI_PAYMENT_<FIELD>`` variables (see zhongtai.config)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PaymentSettings:
    # Where payment listens for channel notifications (HTTP).
    callback_listen: str = "127.0.0.1:50052"
    # The URL channels post notifications to; default: http://<callback_listen>.
    callback_base_url: str = ""
    # The sandbox wallet provider; empty: payment runs one in process on
    # sandbox_listen (the embedded default).
    sandbox_url: str = ""
    sandbox_listen: str = "127.0.0.1:50053"
    # Shared secret signing sandbox notifications (set your own in production).
    sandbox_secret: str = "zhongtai-sandbox-secret"
    # Notifications older or further in the future than this are rejected.
    notification_tolerance_seconds: float = 300.0
    # A channel attempt still PENDING this long after it was opened is queried
    # at the channel (the notification may have been lost), then again with
    # backoff until it is paid or closed.
    pending_query_after_seconds: float = 300.0
    # A refund the channel accepted but did not confirm within this time is
    # queried at the channel (then with backoff).
    refund_query_after_seconds: float = 60.0
    # Cash on delivery is offered only to addresses outside these provinces
    # (exact match on Address.province; remote regions couriers do not
    # collect in). Environment: a comma-separated list.
    cod_denied_provinces: tuple[str, ...] = (
        "西藏自治区", "新疆维吾尔自治区", "青海省", "香港特别行政区", "澳门特别行政区",
        "台湾省")

    def callback_url(self) -> str:
        return self.callback_base_url or f"http://{self.callback_listen}"
