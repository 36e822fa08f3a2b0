"""Process-level helpers of the ``zhongtai`` commands."""

from __future__ import annotations

import asyncio
import signal


async def until_signal() -> None:
    """Return at the first SIGINT or SIGTERM (the commands then drain and stop)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
