"""logistics' warehouse tables (on ``logistics.store.metadata``)."""

from __future__ import annotations
