"""State machines as data: a transition table and the one way to consult it.

A service declares each of its state machines as a table ``(status, action)
-> status`` (its rules stay data, readable at a glance and testable as a
whole) and asks ``next`` for the status an action leads to. Anything not in
the table is illegal: ``next`` raises the machine's FAILED_PRECONDITION reason
with a PreconditionViolation naming the current status, and nothing changes.

    ORDER = StateMachine("order", TRANSITIONS, pb.OrderStatus.Name,
                         E, pb.ERROR_REASON_ILLEGAL_ORDER_TRANSITION)
    order.status = ORDER.next(order.status, PAY, order.order_id)

Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from zhongtai.errors import PreconditionViolation, Reasons


@dataclass(frozen=True)
class StateMachine:
    """One transition table with its names and its refusal.

    ``name`` names the machine's subject ("order", "payment"); ``status_name``
    turns a status into its display name; ``illegal`` is the reason (a value
    of ``reasons``' enum, reported as FAILED_PRECONDITION) of a transition the
    table does not list; its metadata names the subject by ``subject_key``
    (default ``<name>_id``).
    """

    name: str
    transitions: Mapping[tuple[int, str], int]
    status_name: Callable[[int], str]
    reasons: Reasons
    illegal: int
    subject_key: str = ""

    def can(self, current: int, action: str) -> bool:
        return (current, action) in self.transitions

    def next(self, current: int, action: str, subject_id: str) -> int:
        """The status ``action`` leads to from ``current``; refused if illegal."""
        try:
            return self.transitions[(current, action)]
        except KeyError:
            name = self.status_name(current)
            raise self.reasons(
                self.illegal,
                f"{self.name} {subject_id} is {name}; cannot {action.replace('_', ' ')}",
                violations=[PreconditionViolation(f"{self.name.upper()}_STATUS",
                                                  f"{self.name}s/{subject_id}",
                                                  f"status is {name}")],
                metadata={self.subject_key or f"{self.name}_id": subject_id, "status": name,
                          "action": action},
            ) from None

    def reachable(self, start: Iterable[int]) -> frozenset[int]:
        """The statuses reachable from ``start`` by any sequence of actions."""
        seen = set(start)
        frontier = list(seen)
        while frontier:
            current = frontier.pop()
            for (source, _), target in self.transitions.items():
                if source == current and target not in seen:
                    seen.add(target)
                    frontier.append(target)
        return frozenset(seen)
