"""When a package arrives: production start (the payment, or the next local
midnight after the cut-off) plus transfer, production and delivery hours. Pure."""

from __future__ import annotations

import datetime as dt

from logistics.warehousing.sites import SAME_DAY, Site


def production_start(site: Site, paid: dt.datetime, method: int) -> dt.datetime:
    """The payment time, or 00:00 of the next local day when paid at or after
    the cut-off (same-day ignores the cut-off: its window rules instead)."""
    if site.cutoff is None or method == SAME_DAY:
        return paid
    local = paid.astimezone(site.zone)
    if local.time().replace(tzinfo=None) < site.cutoff:
        return paid
    next_day = local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(next_day, dt.time(0), tzinfo=site.zone).astimezone(dt.UTC)


def eta(site: Site, paid: dt.datetime, method: int, hours: int, transfer: bool
        ) -> tuple[dt.datetime, dt.datetime]:
    """(production start, estimated delivery) of a package shipped by ``site``."""
    start = production_start(site, paid, method)
    total = (site.transfer_hours if transfer else 0) + site.production_hours + hours
    return start, start.astimezone(dt.UTC) + dt.timedelta(hours=total)
