"""Reconciliation's reasons: its ReconciliationErrorReason enum
(reconciliation.proto), the one way its code raises an error."""

from __future__ import annotations

from zhongtai.errors import Reasons
from zhongtai.settlement.v1 import reconciliation_pb2 as pb

E = Reasons(pb.ReconciliationErrorReason)
