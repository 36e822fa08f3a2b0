"""payment's settings: the [payment] section of the configuration file and the
``ZHONGTAI_PAYMENT_<FIELD>`` variables (see zhongtai.config; a secret may
come from a file: ``ZHONGTAI_PAYMENT_SANDBOX_SECRET_FILE``)."""

from __future__ import annotations

from dataclasses import dataclass

from zhongtai.signing import push_secrets

# The shortest notification secret a payment service on its own accepts.
# Secrets that were ever published (the old fixed default): refused outside
# the embedded mode, where anyone could sign with them.
DEVELOPMENT_SECRETS = frozenset({"zhongtai-sandbox-secret"})


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
    # The shared secret the sandbox provider signs its notifications with. No
    # default: see ``notification_secrets``.
    sandbox_secret: str = ""
    # While rotating: the secret the provider signed with before, also
    # accepted until it is removed (set the new one on the provider and as
    # sandbox_secret, the old one here; remove it once no notification
    # signed with it can arrive).
    sandbox_secret_previous: str = ""
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


def notification_secrets(settings: PaymentSettings, embedded: bool) -> tuple[str, str]:
    """The secret the sandbox provider's notifications are signed with, and
    the previous one also accepted while rotating (``zhongtai.signing.push_secrets``:
    random when embedded with the sandbox in process; otherwise configured,
    and outside the embedded mode neither published nor short)."""
    return push_secrets(settings.sandbox_secret, settings.sandbox_secret_previous,
                        variable="ZHONGTAI_PAYMENT_SANDBOX_SECRET", embedded=embedded,
                        in_process=not settings.sandbox_url, development=DEVELOPMENT_SECRETS)
