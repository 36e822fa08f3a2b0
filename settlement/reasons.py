"""settlement's reasons: its ErrorReason enum (settlement.proto), the one way
its code raises an error. Pure: the generated ``settlement_pb2`` is imported
for the enum's values."""

from __future__ import annotations

from zhongtai.errors import Reasons
from zhongtai.settlement.v1 import settlement_pb2 as pb

# raise E(pb.ERROR_REASON_..., message, metadata=...)
E = Reasons(pb.ErrorReason)
