"""Split settlement (use cases): a cleared receivable sent to the payment
channel as a split instruction (settlement.split), and reading them.

An order's instructions need two facts: its clearing (trade's events) and
how it was paid (payment's ``payment.payment.succeeded``, another queue).
Whichever is booked last records them, in its own transaction:

* ``on_cleared`` (the clearing's transaction, settlement.booking) and
  ``record_payment`` (the inbox's transaction of payment's event) both take
  the order's split lock first (``Splits.lock_order``), so the second waits
  for the first to commit and then sees its fact: never both miss. When the
  order is cleared and was paid through one split channel transaction
  (``route_of``), one PENDING instruction per seller its CLEARING entry
  credited is written (once: its primary key) and its durable timer
  (``SPLIT_TIMER``) armed in the same transaction. Split settlement is off
  with no ``[settlement] split_channels``.
* the timer, a remote one (``zhongtai.timers.RemoteTimer``: no transaction
  is open while the channel is asked): ``to_send`` reads the PENDING split
  (SKIPPED when the channel has no adapter), ``ask`` asks the channel
  through its split adapter (idempotent by split id, so a call repeated
  after a crash or a lost lease is applied once; a transport failure
  retries with backoff), ``book`` books the answer in a new transaction if
  the split is still PENDING: CONFIRMED with its SPLIT entry, or REFUSED.
  The merchant's payout lock is taken first, so a payout reading the
  available balance and the PENDING splits sees the split either pending
  or posted, never neither. Audited (``split``) and published
  (settlement.split.confirmed / refused).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping

from settlement import queries, views
from settlement import store as t
from settlement.ledger import Entry, EntryKind, Posting
from settlement.order import OrderClearing, State
from settlement.repository import AUDIT_SPLIT, SqlSettlementUnitOfWork
from settlement.requests import SellerPage
from settlement.split import Route, Split, SplitState, receivables, route_of
from settlement.split_adapter import SplitAdapter, SplitResult
from settlement.split_repository import split_from, split_not_found
from zhongtai.auth import Identity

Clock = Callable[[], dt.datetime]


async def on_cleared(uow: SqlSettlementUnitOfWork, o: OrderClearing, entries: Iterable[Entry],
                     channels: frozenset[str], now: dt.datetime) -> None:
    """The split instructions of a change's CLEARING entry, if the order's
    payment is known (module docstring)."""
    clearing = [e for e in entries if e.kind is EntryKind.CLEARING]
    if channels and clearing:
        await uow.splits.lock_order(o.order_id)
        await _instruct(uow, o, clearing[0].postings, channels, now)


async def record_payment(uow: SqlSettlementUnitOfWork, order_ids: Iterable[str],
                         payment_id: str, route: Route, channels: frozenset[str],
                         now: dt.datetime, channel_discounts: Mapping[str, int] | None = None
                         ) -> None:
    """Which channel transaction paid these orders (with each one's share of
    its channel discount, ``channel_discounts``: settlement.booking books
    it); the instructions of the ones cleared already (module docstring)."""
    for order_id in order_ids:
        await uow.splits.lock_order(order_id)
        await uow.splits.record_payment(order_id, payment_id, route,
                                        (channel_discounts or {}).get(order_id, 0))
        o = await uow.clearings.find(order_id)
        if not channels or o is None or o.state is not State.CLEARED:
            continue
        rows = await uow.journal.postings_of([o.clearing_entry_id])
        await _instruct(uow, o, [Posting(r.account_id, r.amount, r.currency) for r in rows],
                        channels, now)


async def _instruct(uow: SqlSettlementUnitOfWork, o: OrderClearing,
                    clearing: Iterable[Posting], channels: frozenset[str],
                    now: dt.datetime) -> None:
    route = route_of(await uow.splits.payments_of(o.order_id), channels)
    if not isinstance(route, Route):
        return
    for seller, amount in sorted(receivables(clearing).items()):
        s = Split.instruct(o.order_id, seller, amount, o.currency, route, now)
        if await uow.splits.add(s):
            uow.audit(AUDIT_SPLIT, s.split_id, f"instructed {amount} {o.currency}")


async def to_send(uow: SqlSettlementUnitOfWork, split_id: str,
                  adapters: Mapping[str, SplitAdapter], clock: Clock) -> Split | None:
    """The split timer's first step: the PENDING split to send (None when
    there is nothing to send: answered already, or SKIPPED now for want of
    an adapter for its channel)."""
    s = await uow.splits.get(split_id, lock=True)
    if s.state is not SplitState.PENDING:
        return None
    if s.channel not in adapters:
        s.skipped(f"no split adapter for channel {s.channel}", clock())
        await _booked(uow, s, clock(), [])
        return None
    return s


async def ask(adapters: Mapping[str, SplitAdapter], s: Split) -> SplitResult:
    """The second, outside any transaction: the channel's answer (idempotent
    by split id; ``SplitUnavailable`` when it could not be asked)."""
    return await adapters[s.channel].split(s.split_id, s.trade_no, s.seller_id, s.amount,
                                           s.currency)


async def book(uow: SqlSettlementUnitOfWork, split_id: str, result: SplitResult,
               attempt: int, clock: Clock) -> Split:
    """The third: the channel's answer booked, once (a split no longer
    PENDING is left as it is)."""
    s = await uow.splits.get(split_id, lock=True)
    if s.state is not SplitState.PENDING:
        return s
    now = clock()
    await uow.payouts.lock(s.seller_id)
    if result.confirmed:
        await _booked(uow, s, now, [s.confirmed(result.reference, attempt, now)])
    else:
        s.refused(result.reason, attempt, now)
        await _booked(uow, s, now, [])
    return s


async def _booked(uow: SqlSettlementUnitOfWork, s: Split, now: dt.datetime,
                  entries: list[Entry]) -> None:
    await uow.splits.save(s, now, entries)
    event = views.split_event(s, now)
    if event is not None:
        uow.emit(event, s.seller_id)
    uow.audit(AUDIT_SPLIT, s.split_id,
              f"{s.state.name.lower()}: {s.reference or s.reason}".rstrip(": "))


async def split(uow: SqlSettlementUnitOfWork, split_id: str, caller: Identity) -> Split:
    """A split (SPLIT_NOT_FOUND for a merchant asking another's)."""
    s = await uow.splits.get(split_id)
    if not caller.is_staff and not caller.acts_for_seller(s.seller_id):
        raise split_not_found(split_id)  # the same answer as a missing one
    return s


async def splits(uow: SqlSettlementUnitOfWork, req: SellerPage,
                 caller: Identity) -> tuple[list[Split], str]:
    """A page of splits, newest id first (a merchant its own; staff any)."""
    c = t.splits.c
    rows, token = await queries.merchant_page(
        uow, t.splits, c.split_id, req, caller, f"splits:{req.order_id}",
        *([c.order_id == req.order_id] if req.order_id else []))
    return [split_from(r) for r in rows], token
