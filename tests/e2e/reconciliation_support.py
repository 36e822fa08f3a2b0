"""Helpers of reconciliation's end-to-end tests: the platform with the
sandbox channel on a known port (settlement fetches its statements there),
orders paid and refunded through the sandbox, planted statement differences
and ReconciliationService calls."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from settlement.settings import SettlementSettings
from tests.builders import cny
from tests.conftest import eventually
from tests.e2e.builders import (
    buyer_pays,
    parts_of,
    payment_is,
    refunds_settled,
    sandbox,
    sandbox_of,
)
from tests.e2e.platform import EPHEMERAL_PAYMENT, Platform, running_platform
from tests.e2e.support import free_port, order_request, seed_shop
from zhongtai.auth import Identity, Role
from zhongtai.ids import new_id
from zhongtai.payment.v1 import payment_pb2 as pb
from zhongtai.settlement.v1 import reconciliation_pb2 as rc
from zhongtai.settlement.v1 import reconciliation_pb2_grpc as rc_grpc

FINANCE = Identity(Role.OPERATOR, "finance-1")


@dataclasses.dataclass
class Channel:
    """The platform and its sandbox channel's base URL."""

    p: Platform
    url: str

    async def control(self, body: dict[str, Any]) -> None:
        async with self.p.http.post(f"{self.url}/v1/control/statement", json=body) as r:
            assert r.status == 200, await r.text()


@asynccontextmanager
async def channel_platform(data_dir: Path, settlement: SettlementSettings | None = None,
                           **trade: float) -> AsyncIterator[Channel]:
    """The platform (``settlement``'s settings, trade's ``trade``) with its
    sandbox channel's URL (``start_platform`` points settlement's statement
    source and split adapter at it)."""
    url = f"127.0.0.1:{free_port()}"
    payment = dataclasses.replace(EPHEMERAL_PAYMENT, sandbox_listen=url)
    async with running_platform(data_dir, payment=payment, settlement=settlement,
                                **trade) as p:
        yield Channel(p, f"http://{url}")


async def paid_by_sandbox(p: Platform, buyer: str, sku_id: str, instant_discount: int = 0
                          ) -> pb.Payment:
    """An order of one ``sku_id`` paid through the sandbox channel, which
    funds ``instant_discount`` of it itself (随机立减; docs/payment.md)."""
    order = (await p.stubs.trade.CreateOrder(order_request(buyer, [(sku_id, 1)]))).order
    payment = (await p.payment.CreatePayment(pb.CreatePaymentRequest(
        request_id=new_id(), buyer_id=buyer, method=pb.METHOD_SANDBOX,
        parts=parts_of(order)))).payment
    attempt = payment.attempts[0]
    if instant_discount:
        await sandbox(p, "POST", f"{sandbox_of(attempt)}/v1/control",
                      {"out_trade_no": attempt.attempt_id, "instant_discount": instant_discount})
    await buyer_pays(p, attempt)
    await eventually(lambda: payment_is(p, payment.payment_id, pb.PAYMENT_STATUS_SUCCEEDED))
    return payment


async def refunded(p: Platform, payment: pb.Payment, amount: int) -> pb.Refund:
    """A refund of ``amount`` of the payment, once the channel settled it."""
    r = (await p.payment.CreateRefund(pb.CreateRefundRequest(
        request_id=new_id(), payment_id=payment.payment_id, amount=cny(amount),
        reason="reconciliation test"))).refund
    await eventually(lambda: refunds_settled(p, payment.payment_id, 1))
    return r


async def shop_sku(p: Platform, name: str, price: int = 1_500) -> str:
    return (await seed_shop(p.stubs, name, [price], stock=50)).sku_ids[0]


def stub(p: Platform) -> rc_grpc.ReconciliationServiceStub:
    return rc_grpc.ReconciliationServiceStub(p.stubs.channels[0])


async def reconcile_day(p: Platform, day: dt.date, request_id: str | None = None
                        ) -> rc.ReconciliationReport:
    return (await stub(p).ReconcileDay(rc.ReconcileDayRequest(
        request_id=request_id or new_id(), channel="sandbox", date=day.isoformat()),
        metadata=p.as_(FINANCE))).report


async def report_once(p: Platform, day: dt.date, our_rows: int) -> rc.ReconciliationReport:
    """The day's report once settlement recorded ``our_rows`` transactions
    (payment's events arrive asynchronously)."""
    found = rc.ReconciliationReport()

    async def recorded() -> bool:
        nonlocal found
        found = await reconcile_day(p, day)
        return found.our_rows == our_rows

    await eventually(recorded)
    return found


def kinds(report: rc.ReconciliationReport) -> dict[str, int]:
    return {d.reference: d.kind for d in report.differences}
