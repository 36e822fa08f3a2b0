"""Zhongtai (中台): the shared plumbing of the platform's services.

Hand-written modules here are the one copy of every piece of plumbing (money,
ids, database and unit of work, outbox and relay, inbox, timers, event bus,
gRPC server bootstrap, configuration, CLI). The sub-packages
``zhongtai.<service>.v1`` are generated from ``protos/`` by
``scripts/gen_protos.py`` and are never edited by hand.
"""

__version__ = "0.1.0"
