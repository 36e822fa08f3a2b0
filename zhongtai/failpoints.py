"""Failpoints: named places where a test can make a process fail on purpose.

``ZHONGTAI_FAILPOINTS="trade.create.after_reserve=kill"`` makes the process
SIGKILL itself when it reaches that point (``raise`` raises instead), so
crash recovery is tested on the real server, not on a model of it. Unset, a
failpoint costs one dict lookup.
"""

from __future__ import annotations

import os
import signal

_ACTIVE: dict[str, str] = dict(
    item.split("=", 1)
    for item in os.environ.get("ZHONGTAI_FAILPOINTS", "").split(",")
    if "=" in item
)


class FailpointError(RuntimeError):
    pass


def failpoint(name: str) -> None:
    action = _ACTIVE.get(name)
    if action is None:
        return
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    raise FailpointError(f"failpoint {name} triggered")
