"""Warehouse rules: coverage, topology, allocation and ETA. No database, gRPC
or broker here; deterministic, integer hours, aware datetimes.

Coverage. A warehouse covers areas of the five-level Address; an area
matches by names (every name it gives equals the destination's province /
city / district) or by a GB/T 2260 region code prefix. The most specific
match wins (district over city over province, a longer code over a shorter
one), then the first area listed. Outside its coverage a warehouse ships
only if it has ``default_delivery_hours`` (slower), and never same-day.

Delivery methods. A warehouse offers a method only if it has a rule for it
(``MethodRule``); EXPRESS, the default method, is offered by every
warehouse (a rule for it only sets its window or delivery time). A rule's
window (local time, [start, end)) excludes orders paid outside it.

Topology. A warehouse is REGIONAL (optionally with a PARENT it receives
transfers from), PARENT or CENTRAL. For a destination, the *local*
warehouse is the non-central warehouse whose coverage matches it most
specifically; *mesh* warehouses are the other non-central ones (less the
local one's parent, whose stock comes by transfer); *central* ones are the
last resort.

Ties. Candidates are ranked by one explicit key (``coverage._rank``): the local
warehouse is the best by (most specific coverage level, earliest direct
ETA, smallest warehouse id); mesh and central warehouses are each ordered
by (earliest direct ETA, smallest warehouse id). The direct ETA is the
package's without a transfer (production start + production + delivery
hours). So the plan never depends on the order the warehouses are listed in.

Allocation (``plan``), in this order:

1. the whole order from one source: the local warehouse from its own stock
   (LOCAL), else the local warehouse with the missing units transferred from
   its parent (PARENT_TRANSFER), else the first mesh warehouse that holds
   everything (MESH), else the first central one (CENTRAL);
2. otherwise a greedy cover: repeatedly take the source that completes the
   most remaining lines (then one that supplies anything, then the first in
   the order above) until the order is covered; then spread every line over
   the chosen sources, their own stock in that order first and transfers
   from the parent last. Each source used gives one package. Fewer packages
   beat preference.

Units are conserved: every line ships exactly its units, and no warehouse
gives more of a SKU than it holds (own units plus units transferred out of
it as a parent).

ETA of a package: production starts at the payment, or at 00:00 of the next
local day when paid at or after the warehouse's cut-off; then transfer hours
(PARENT_TRANSFER only) + production hours + delivery hours (0 for
self-pickup). The order's ETA is its latest package's. SAME_DAY needs a
warehouse covering the destination, no transfer, and ignores the cut-off.

Refusals, in this order: NOT_COVERED (no warehouse reaches the destination
with the method), DELIVERY_METHOD_NOT_OFFERED (none that reaches it has a
rule for the method), OUTSIDE_DELIVERY_WINDOW (every one offering it is
outside its window at the payment time), INSUFFICIENT_STOCK (those left
lack stock).

Modules: ``sites`` (the frozen values the rules work on — a warehouse as
defined, ``Warehouse``, and as the rules see it, ``site_of`` — and the
checks of a warehouse and a plan request: ``validate_warehouse``,
``validate_plan``), ``coverage`` (coverage, methods, windows and the topology:
``sources``), ``eta`` and ``allocation`` (``plan``).
"""

from logistics.warehousing.allocation import plan
from logistics.warehousing.coverage import (
    area_level,
    best_area,
    coverage_level,
    delivery_hours,
    in_window,
    sources,
)
from logistics.warehousing.eta import eta, production_start
from logistics.warehousing.sites import (
    CENTRAL,
    CENTRAL_SOURCE,
    EXPRESS,
    LOCAL,
    MESH,
    PARENT,
    PARENT_TRANSFER,
    REGIONAL,
    SAME_DAY,
    SELF_PICKUP,
    Area,
    CoverageArea,
    DeliveryMethodRule,
    MethodRule,
    Package,
    Plan,
    Site,
    Stock,
    Warehouse,
    site_of,
    validate_plan,
    validate_warehouse,
)

__all__ = [
    "CENTRAL", "CENTRAL_SOURCE", "EXPRESS", "LOCAL", "MESH", "PARENT", "PARENT_TRANSFER",
    "REGIONAL", "SAME_DAY", "SELF_PICKUP", "Area", "CoverageArea", "DeliveryMethodRule",
    "MethodRule", "Package", "Plan", "Site", "Stock", "Warehouse", "area_level", "best_area",
    "coverage_level", "delivery_hours", "eta",
    "in_window", "plan", "production_start", "site_of", "sources", "validate_plan",
    "validate_warehouse",
]
