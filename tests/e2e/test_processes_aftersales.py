"""End to end with after-sales as its own process on PostgreSQL and RabbitMQ:
alone (trade unreachable), killed between approval and refund with the
services it calls faked, and among the other services
(tests/e2e/processes_support.py) with racing applications."""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
import pytest

from tests.conftest import CreateDb, eventually
from tests.e2e.processes_support import Distributed, pay_by_balance
from tests.e2e.support import (
    ServerProcess,
    channel_to,
    free_port,
    key_files,
    order_request,
    rich_error,
    seed_shop,
    status_is,
)
from tests.identity import identities_for
from zhongtai.payment.v1 import payment_pb2 as pay_pb
from zhongtai.payment.v1 import payment_pb2_grpc as pay_grpc
from zhongtai.trade.v1 import trade_pb2 as tr

pytestmark = pytest.mark.e2e


@pytest.mark.postgres
@pytest.mark.rabbitmq
async def test_aftersales_runs_on_its_own_on_postgres_and_rabbitmq(
        pg_database: CreateDb, vhost: str, tmp_path: Path) -> None:
    """`zhongtai serve --service aftersales`: its database migrated on
    PostgreSQL, its queues on RabbitMQ, its RPCs served with credentials
    checked; with trade unreachable an application is refused as UNAVAILABLE
    and nothing is written; it stops cleanly."""
    from zhongtai.aftersales.v1 import aftersales_pb2 as af
    from zhongtai.aftersales.v1 import aftersales_pb2_grpc as af_grpc
    from zhongtai.auth import Identity, Role

    addr = f"127.0.0.1:{free_port()}"
    keys, signing = key_files(tmp_path / "keys")
    server = ServerProcess(
        ["serve", "--service", "aftersales", "--listen", addr],
        {"ZHONGTAI_BROKER_URL": vhost, "ZHONGTAI_DATA_DIR": str(tmp_path / "unused"), **keys,
         "ZHONGTAI_DATABASE_URL_AFTERSALES": await pg_database("aftersales"),
         "ZHONGTAI_ENDPOINT_TRADE": f"127.0.0.1:{free_port()}",
         "ZHONGTAI_AFTERSALES_CALL_TIMEOUT_SECONDS": "2"},
        tmp_path / "aftersales.log")
    server.start()
    identity = identities_for(signing)
    buyer = (("authorization",
              f"Bearer {identity.token(Identity(Role.BUYER, 'buyer-as'))}"),)
    try:
        await server.wait_ready(addr)
        async with channel_to(addr, identity) as channel:
            stub = af_grpc.AfterSalesServiceStub(channel)
            listed = await stub.ListApplications(af.ListApplicationsRequest(), metadata=buyer)
            assert list(listed.applications) == []
            with pytest.raises(grpc.aio.AioRpcError) as e:
                await stub.CreateApplication(af.CreateApplicationRequest(
                    request_id="r1", line_order_id="L1", quantity=1,
                    kind=af.APPLICATION_KIND_REFUND_ONLY,
                    reason=af.APPLICATION_REASON_DAMAGED), metadata=buyer)
            assert e.value.code() == grpc.StatusCode.UNAVAILABLE
            with pytest.raises(grpc.aio.AioRpcError) as e:
                await stub.GetApplication(af.GetApplicationRequest(application_id="nope"),
                                          metadata=buyer)
            assert rich_error(e.value)["reason"] == "APPLICATION_NOT_FOUND"
            assert list((await stub.ListApplications(
                af.ListApplicationsRequest(), metadata=buyer)).applications) == []
    finally:
        code = server.stop()
    assert code == 0 and not (tmp_path / "unused").exists()


@pytest.mark.postgres
@pytest.mark.rabbitmq
async def test_aftersales_killed_between_approval_and_refund_refunds_once_after_restart(
        pg_database: CreateDb, vhost: str, tmp_path: Path) -> None:
    """The after-sales process is SIGKILLed right after payment accepted the
    refund (before it wrote so): restarted, it finishes the same refund —
    one AgreeRefund, one payment refund, one benefits return, one restock,
    one FinishRefund — and the application is REFUNDED. The five services it
    calls are faked on one port (tests/aftersales_support.py)."""
    from aftersales.fakes import FakeLine, FakeServices
    from tests.aftersales_support import create_request, serve_fakes
    from zhongtai.aftersales.v1 import aftersales_pb2 as af
    from zhongtai.aftersales.v1 import aftersales_pb2_grpc as af_grpc
    from zhongtai.auth import Identity, Role

    services = FakeServices()
    services.trade.add_line(FakeLine(order_id="O1", line_order_id="L1", buyer_id="buyer-k",
                                     shipped=False, points=100))
    fakes_addr = f"127.0.0.1:{free_port()}"
    fakes = await serve_fakes(services, fakes_addr)
    addr = f"127.0.0.1:{free_port()}"
    keys, signing = key_files(tmp_path / "keys")
    env = {"ZHONGTAI_BROKER_URL": vhost, "ZHONGTAI_POLL_INTERVAL_SECONDS": "0.1", **keys,
           "ZHONGTAI_DATA_DIR": str(tmp_path / "unused"),
           "ZHONGTAI_DATABASE_URL_AFTERSALES": await pg_database("aftersales"),
           "ZHONGTAI_AFTERSALES_RETRY_BASE_SECONDS": "0.2",
           "ZHONGTAI_AFTERSALES_RETRY_CAP_SECONDS": "0.5",
           **{f"ZHONGTAI_ENDPOINT_{s}": fakes_addr
              for s in ("TRADE", "PAYMENT", "PROMOTION", "CATALOG", "LOGISTICS")}}
    server = ServerProcess(["serve", "--service", "aftersales", "--listen", addr], env,
                           tmp_path / "aftersales.log")
    identity = identities_for(signing)
    buyer = identity.as_(Identity(Role.BUYER, "buyer-k"))
    seller = identity.as_(Identity(Role.SELLER, "acct-s1", frozenset({"s1"})))
    server.start({"ZHONGTAI_FAILPOINTS": "aftersales.effects.after_refund=kill"})
    try:
        await server.wait_ready(addr)
        async with channel_to(addr) as channel:
            stub = af_grpc.AfterSalesServiceStub(channel)
            app = (await stub.CreateApplication(create_request(), metadata=buyer)).application
            approved = (await stub.ApproveApplication(af.ApproveApplicationRequest(
                request_id="ap-1", application_id=app.application_id),
                metadata=seller)).application
            assert approved.status == af.APPLICATION_STATUS_REFUNDING

        async def died() -> bool:
            return server.proc is not None and server.proc.poll() is not None

        await eventually(died, within=30)
        assert services.payment.effects["CreateRefund"] == 1
        assert services.trade.effects["FinishRefund"] == 0
        for refund_id in services.payment.refunds:  # payment's refund went through
            services.payment.settle(refund_id)
        server.start()
        await server.wait_ready(addr)
        async with channel_to(addr) as channel:
            stub = af_grpc.AfterSalesServiceStub(channel)

            async def refunded() -> bool:
                got = await stub.GetApplication(af.GetApplicationRequest(
                    application_id=app.application_id), metadata=buyer)
                return got.application.status == af.APPLICATION_STATUS_REFUNDED

            await eventually(refunded, within=30)
        effects = {**services.trade.effects, **services.payment.effects,
                   **services.promotion.effects, **services.catalog.effects}
        assert {k: v for k, v in effects.items() if ":" not in k} == {
            "OpenRefund": 1, "AgreeRefund": 1, "CreateRefund": 1, "ReturnBenefits": 1,
            "RestockUnits": 1, "FinishRefund": 1}
    finally:
        code = server.stop()
        await fakes.stop(0)
    assert code == 0


@pytest.mark.postgres
@pytest.mark.rabbitmq
async def test_distributed_refund_races_and_survives_a_killed_aftersales(
        distributed: Distributed) -> None:
    """The processes on PostgreSQL and RabbitMQ: two applications racing for
    one line (one wins), then after-sales SIGKILLed right after payment took
    the refund: restarted, it finishes that refund — one refund, the money
    back once, the order closed by its refund."""
    from zhongtai.aftersales.v1 import aftersales_pb2 as af
    from zhongtai.aftersales.v1 import aftersales_pb2_grpc as af_grpc
    from zhongtai.auth import Identity, Role

    d, buyer = distributed, "buyer-as"
    shop = await seed_shop(d.stubs, "AS", [5_000])

    as_ = d.identity.as_

    def application(request_id: str) -> af.CreateApplicationRequest:
        return af.CreateApplicationRequest(
            request_id=request_id, line_order_id=order.order_id,
            kind=af.APPLICATION_KIND_REFUND_ONLY, reason=af.APPLICATION_REASON_CHANGED_MIND,
            quantity=1, amount=order.actual_amount)

    async with d.channel(d.payment_addr) as pch, d.channel(d.aftersales_addr) as ach:
        payment = pay_grpc.PaymentServiceStub(pch)
        aftersales = af_grpc.AfterSalesServiceStub(ach)
        order = (await d.stubs.trade.CreateOrder(order_request(
            buyer, [(shop.sku_ids[0], 1)], request_id="as-1"))).order
        paid = await pay_by_balance(payment, buyer, order)
        await eventually(lambda: status_is(d.stubs, order.order_id, tr.ORDER_STATUS_WAIT_SHIP),
                         within=15)

        results = await asyncio.gather(
            *(aftersales.CreateApplication(application(f"race-{n}"), metadata=as_(
                Identity(Role.BUYER, buyer))) for n in range(2)), return_exceptions=True)
        won = [r.application for r in results if isinstance(r, af.CreateApplicationResponse)]
        lost = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
        assert len(won) == 1 and len(lost) == 1, results
        assert (lost[0].code(), rich_error(lost[0])["reason"]) == (
            grpc.StatusCode.FAILED_PRECONDITION, "LINE_REFUND_OPEN")

        d.aftersales.stop()
        d.aftersales.start({"ZHONGTAI_FAILPOINTS": "aftersales.effects.after_refund=kill"})
        await d.aftersales.wait_ready(d.aftersales_addr)
        await aftersales.ApproveApplication(af.ApproveApplicationRequest(
            request_id="approve-1", application_id=won[0].application_id),
            metadata=as_(Identity(Role.SELLER, "acct-as", frozenset({shop.seller_id}))))

        async def died() -> bool:
            return d.aftersales.proc is not None and d.aftersales.proc.poll() is not None

        await eventually(died, within=30)
        assert d.aftersales.proc is not None and d.aftersales.proc.returncode == -9
        d.aftersales.start()
        await d.aftersales.wait_ready(d.aftersales_addr)

        async def refunded() -> bool:
            got = await aftersales.GetApplication(af.GetApplicationRequest(
                application_id=won[0].application_id),
                metadata=as_(Identity(Role.BUYER, buyer)))
            return got.application.status == af.APPLICATION_STATUS_REFUNDED

        await eventually(refunded, within=30)
        refunds = (await payment.GetPayment(pay_pb.GetPaymentRequest(
            payment_id=paid.payment_id))).payment.refunds
        assert [(r.amount.amount_minor, r.status) for r in refunds] == [
            (order.pay_order.actual_amount.amount_minor, pay_pb.REFUND_STATUS_SUCCEEDED)]
        balance = (await payment.GetBalance(pay_pb.GetBalanceRequest(
            buyer_id=buyer))).account.balance
        assert balance.amount_minor == order.pay_order.actual_amount.amount_minor
        await eventually(lambda: status_is(d.stubs, order.order_id, tr.ORDER_STATUS_CANCELLED),
                         within=15)
