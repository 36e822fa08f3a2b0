"""after-sales' stubs of the services it calls, and how it calls them.

Every call is made as after-sales' own service identity (the runtime's
channels carry its service token) and is idempotent on the other side
(keyed by the application id, or by ``<application id>:<pay order id>`` for
payment's refunds), so a call repeated after a crash or a timeout never
takes effect twice. A refusal comes back as the other service's own error
(``zhongtai.grpcclient.call``): its reason reaches our caller unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zhongtai.grpcclient import call


@dataclass(frozen=True)
class Clients:
    """Stubs (or fakes with the same methods) of trade, payment, promotion,
    catalog and logistics."""

    trade: Any
    payment: Any
    promotion: Any
    catalog: Any
    logistics: Any
    timeout: float = 10.0

    async def call(self, method: Any, request: Any) -> Any:
        """Call within the default deadline; a refusal comes back as our error."""
        return await call(method, request, self.timeout)
