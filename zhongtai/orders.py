"""Readings of trade's order events that the services consuming them share."""

from __future__ import annotations

from zhongtai.trade.v1 import trade_pb2 as trade_pb


def paid_order_cancelled(pay_status: int, close_reason: int) -> bool:
    """Does an OrderCancelled say the order had been paid? Trade cancels a
    paid order only when the seller did not ship in time
    (CLOSE_REASON_SHIP_TIMEOUT), and then marks the money for refund
    (PAY_STATUS_REFUNDING): nothing left the warehouse (logistics cancels
    only unshipped orders), so catalog puts the sold units back on sale and
    promotion gives back what the order consumed. Any other cancel is of an
    unpaid order, whose reservation and hold are released."""
    return (close_reason == trade_pb.CLOSE_REASON_SHIP_TIMEOUT
            or pay_status == trade_pb.PAY_STATUS_REFUNDING)
