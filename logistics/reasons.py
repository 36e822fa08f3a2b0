"""logistics' error reasons: ``E(pb.ERROR_REASON_X, message, ...)`` is the
error to raise for reason X, with the status code logistics.proto's
``ErrorReason`` declares for it (one enum for LogisticsService and
WarehouseService)."""

from zhongtai.errors import Reasons
from zhongtai.logistics.v1 import logistics_pb2 as pb

E = Reasons(pb.ErrorReason)
