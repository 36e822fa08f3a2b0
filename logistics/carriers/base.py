"""The carrier adapter interface (快递公司对接).

A carrier (express company) tells logistics where a package is through
tracking events: pushed to logistics' HTTP endpoint
(``POST /carriers/<name>/notify``) and verified by the adapter, or fetched by
``query``. Events of one package may arrive duplicated and in any order;
logistics dedupes them by ``event_id`` and derives the package status from
the furthest milestone reached, never from the order of arrival, and never
from a user (users can only flag a package).
"""

from __future__ import annotations

import abc
import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


class Milestone(enum.IntEnum):
    """How far a package got; a higher value is further along. EXCEPTION
    (lost, damaged, refused...) is recorded on the timeline and flags the
    package; it does not move its status."""

    EXCEPTION = 0
    ACCEPTED = 1  # 揽收: the carrier took the package
    IN_TRANSIT = 2
    OUT_FOR_DELIVERY = 3  # 派送中
    DELIVERED = 4  # 签收


@dataclass(frozen=True)
class TrackingEvent:
    """One event of one package at a carrier."""

    event_id: str  # the carrier's id for the event: the dedupe key
    tracking_no: str
    milestone: Milestone
    occurred_at: dt.datetime  # aware (UTC)
    location: str = ""
    description: str = ""


class NotificationRejected(Exception):
    """A push that is not from the carrier (bad signature, stale or future
    timestamp) or cannot be read: answered 4xx, nothing applied."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class CarrierError(Exception):
    """The carrier could not be reached or refused a call."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class Carrier(abc.ABC):
    """One express company. ``name`` is its code in ShipPackage.carrier and in
    the notify URL."""

    name: str

    @abc.abstractmethod
    async def subscribe(self, tracking_no: str, notify_url: str) -> None:
        """Ask the carrier to push this package's events to ``notify_url``
        (idempotent)."""

    @abc.abstractmethod
    async def query(self, tracking_no: str) -> Sequence[TrackingEvent]:
        """Every event of the package the carrier knows of."""

    @abc.abstractmethod
    def verify_notification(self, headers: Mapping[str, str], body: bytes,
                            now: dt.datetime) -> Sequence[TrackingEvent]:
        """The events of a push, after checking it is the carrier's."""

    async def aclose(self) -> None:
        """Release connections."""
        return None
