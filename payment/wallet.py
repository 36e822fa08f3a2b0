"""The buyers' balance (wallet) accounts, and the cashier.

A balance never goes below zero and every change is one ledger entry, at
most one per kind and reference (a top-up's request id, the attempt a
balance payment debits, the refund a balance refund credits): the
repository changes it by compare-and-set (``uow.balances``). A balance
payment is debited, and a balance refund credited, in the transaction that
makes it. Every change is in the audit trail (resource type "balance", id
``<buyer_id>/<currency>``).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from payment.repository import PaymentUnitOfWork
from payment.rules import BALANCE, CASH_ON_DELIVERY, SANDBOX, E
from zhongtai.auth import Identity, acting_buyer
from zhongtai.errors import PreconditionViolation
from zhongtai.ids import new_id
from zhongtai.payment.v1 import payment_pb2 as pb

AUDITED_BALANCE = "balance"

DISPLAY_NAMES: Mapping[int, str] = {
    BALANCE: "Balance",
    SANDBOX: "Sandbox wallet",
    CASH_ON_DELIVERY: "Cash on delivery",
}


class Entry(enum.StrEnum):
    """What a ledger entry is."""

    TOP_UP = "TOP_UP"
    PAYMENT = "PAYMENT"
    REFUND = "REFUND"


async def change(uow: PaymentUnitOfWork, buyer_id: str, currency: str, delta: int, kind: Entry,
                 reference_id: str, now: dt.datetime, payment_id: str = "") -> int:
    """Credit (``delta`` > 0) or debit a balance, with its ledger entry; the
    balance after. INSUFFICIENT_BALANCE if it does not cover a debit."""
    after = await uow.balances.change(buyer_id, currency, delta, kind, reference_id,
                                      payment_id, now)
    if after is None:
        have = await uow.balances.balance(buyer_id, currency)
        raise E(pb.ERROR_REASON_INSUFFICIENT_BALANCE,
                f"the balance of {buyer_id} is {have} {currency}, {-delta} needed",
                violations=[PreconditionViolation("BALANCE", f"balances/{buyer_id}/{currency}",
                                                  f"{have} available")],
                metadata={"buyer_id": buyer_id, "balance": str(have)})
    uow.audit(AUDITED_BALANCE, f"{buyer_id}/{currency}",
              f"{kind} {delta:+d} ({reference_id}): balance {after}")
    return after


async def top_up(uow: PaymentUnitOfWork, buyer_id: str, currency: str, amount: int,
                 request_id: str, now: dt.datetime) -> int:
    """Credit a buyer's balance (once per request id); the balance after."""
    return await change(uow, buyer_id, currency, amount, Entry.TOP_UP,
                        f"top-up:{request_id or new_id()}", now)


async def balance(uow: PaymentUnitOfWork, caller: Identity, buyer_id: str, currency: str
                  ) -> int:
    """A buyer's balance (0 without an account): a buyer their own
    (SUBJECT_MISMATCH), staff any buyer's."""
    return await uow.balances.balance(acting_buyer(caller, buyer_id), currency)


@dataclass(frozen=True)
class MethodOption:
    method: int
    available: bool
    reason: str = ""

    @property
    def display_name(self) -> str:
        return DISPLAY_NAMES[self.method]


def cashier(balance: int, amount: int, province: str,
            cod_denied_provinces: Collection[str]) -> list[MethodOption]:
    """The methods the cashier shows for a buyer's balance, an amount and the
    province of the delivery address ("": none):

    * BALANCE: when the balance covers the whole amount (no split payments);
    * SANDBOX: always;
    * CASH_ON_DELIVERY: when there is a delivery address whose province is
      not in the configured deny list (remote regions couriers do not
      collect cash in).
    """
    options = [
        MethodOption(BALANCE, True) if balance >= amount else
        MethodOption(BALANCE, False, f"the balance {balance} does not cover {amount}"),
        MethodOption(SANDBOX, True),
    ]
    province = province.strip()
    if not province:
        options.append(MethodOption(CASH_ON_DELIVERY, False, "a delivery address is needed"))
    elif province in cod_denied_provinces:
        options.append(MethodOption(CASH_ON_DELIVERY, False,
                                    f"no cash on delivery to {province}"))
    else:
        options.append(MethodOption(CASH_ON_DELIVERY, True))
    return options


async def payment_methods(uow: PaymentUnitOfWork, caller: Identity, buyer_id: str,
                          currency: str, amount: int, province: str,
                          cod_denied_provinces: Collection[str]) -> list[MethodOption]:
    """The cashier for a buyer, from their balance (``cashier``): a buyer
    their own, staff any buyer's."""
    return cashier(await balance(uow, caller, buyer_id, currency), amount, province,
                   cod_denied_provinces)
