"""zhongtai.participants: a saga participant's three reactions, and the
refusals it acknowledges instead of poisoning its queue."""

from __future__ import annotations

from typing import Any

import pytest

from zhongtai.errors import FailedPrecondition, NotFound
from zhongtai.participants import OrderParticipant
from zhongtai.service import Subscription
from zhongtai.trade.v1 import events_pb2 as te
from zhongtai.trade.v1 import trade_pb2 as tr

RELEASE = Subscription("test.release", (te.OrderCreationFailed, te.OrderCancelled))
COMMIT = Subscription("test.commit", (te.OrderPaid,))


class Steps:
    """Records each step; raises ``errors[step]`` when set."""

    def __init__(self, **errors: Exception) -> None:
        self.done: list[tuple[Any, ...]] = []
        self.errors = errors

    async def _step(self, *call: Any) -> None:
        self.done.append(call)
        if call[0] in self.errors:
            raise self.errors[call[0]]

    def participant(self) -> OrderParticipant:
        return OrderParticipant(
            "things", RELEASE, COMMIT,
            release=lambda s, order_id: self._step("release", order_id),
            cancelled=lambda s, order_id, paid: self._step("cancelled", order_id, paid),
            commit=lambda s, order_id: self._step("commit", order_id))


def order(order_id: str) -> tr.Order:
    return tr.Order(order_id=order_id)


async def test_each_fact_moves_the_hold_of_its_order() -> None:
    steps = Steps()
    h = steps.participant().handlers()
    await h[te.OrderCreationFailed](None, te.OrderCreationFailed(order=order("o1")), None)
    await h[te.OrderCancelled](None, te.OrderCancelled(order=order("o2"), paid=True), None)
    await h[te.OrderCancelled](None, te.OrderCancelled(order=order("o3")), None)
    await h[te.OrderPaid](None, te.OrderPaid(order=order("o4")), None)
    assert steps.done == [("release", "o1"), ("cancelled", "o2", True),
                          ("cancelled", "o3", False), ("commit", "o4")]


@pytest.mark.parametrize("event, step, error", [
    (te.OrderCreationFailed, "release", FailedPrecondition("HOLD_COMMITTED", "paid")),
    (te.OrderPaid, "commit", NotFound("HOLD_NOT_FOUND", "nothing held")),
    (te.OrderPaid, "commit", FailedPrecondition("HOLD_RELEASED", "released")),
])
async def test_a_refusal_redelivery_cannot_change_is_acknowledged(
        event: Any, step: str, error: Exception) -> None:
    steps = Steps(**{step: error})
    await steps.participant().handlers()[event](None, event(order=order("o1")), None)
    assert steps.done == [(step, "o1")]


@pytest.mark.parametrize("event, step, error", [
    (te.OrderCreationFailed, "release", RuntimeError("database down")),
    (te.OrderCancelled, "cancelled", FailedPrecondition("X", "a cancel never hides errors")),
    (te.OrderPaid, "commit", RuntimeError("database down")),
])
async def test_any_other_failure_is_left_to_the_inbox_to_retry(
        event: Any, step: str, error: Exception) -> None:
    steps = Steps(**{step: error})
    with pytest.raises(type(error)):
        await steps.participant().handlers()[event](None, event(order=order("o1")), None)


def test_each_queue_gets_the_handlers_of_its_events() -> None:
    class NoDb:
        pass

    consumers = Steps().participant().consumers(NoDb())  # type: ignore[arg-type]
    assert set(consumers) == {"test.release", "test.commit"}
