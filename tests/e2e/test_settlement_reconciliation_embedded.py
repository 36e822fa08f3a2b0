"""Reconciliation on the embedded platform, through the services' stubs:
real payments and a refund through the sandbox channel reconcile clean;
each planted difference (a dropped row, a changed amount or status, an
unknown row, a row moved to the next day) is found and classified; a
stored day is reported and exported once, a second run replacing nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest

from tests.e2e.reconciliation_support import (
    FINANCE,
    Channel,
    channel_platform,
    kinds,
    paid_by_sandbox,
    reconcile_day,
    refunded,
    report_once,
    shop_sku,
    stub,
)
from tests.e2e.settlement_support import settlement
from zhongtai.auth import Identity, Role
from zhongtai.settlement.v1 import reconciliation_pb2 as rc
from zhongtai.settlement.v1 import settlement_pb2 as st

pytestmark = pytest.mark.e2e

K = rc.DifferenceKind


@pytest.fixture
async def channel(tmp_path: Path) -> AsyncIterator[Channel]:
    async with channel_platform(tmp_path) as c:
        yield c


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


async def test_a_clean_day_reconciles_with_zero_differences(channel: Channel) -> None:
    p = channel.p
    sku = await shop_sku(p, "Clean")
    first = await paid_by_sandbox(p, "b-rc1", sku)
    await paid_by_sandbox(p, "b-rc2", sku)
    await refunded(p, first, 500)
    report = await report_once(p, today(), 3)
    assert (report.channel_rows, report.matched, list(report.differences)) == (3, 3, [])
    assert all(c.count == 0 for c in report.unmatched) and report.provisional


async def test_each_planted_difference_is_found_and_classified(channel: Channel) -> None:
    p = channel.p
    sku = await shop_sku(p, "Planted")
    pays = [await paid_by_sandbox(p, f"b-pl{i}", sku) for i in range(4)]
    refund = await refunded(p, pays[0], 300)
    await report_once(p, today(), 5)
    gone, amount, late = (x.attempts[0].attempt_id for x in pays[1:])
    await channel.control({"reference": gone, "drop": True})
    await channel.control({"reference": amount, "amount": 1_499})
    await channel.control({"reference": refund.refund_id, "status": "FAILED"})
    await channel.control({"reference": late, "next_day": True})
    await channel.control({"add": {
        "type": "payment", "out_trade_no": "stranger-1", "transaction_id": "sbx-x",
        "amount": 99, "currency": "CNY", "status": "SUCCEEDED",
        "time": f"{today().isoformat()}T12:00:00.000000Z"}})
    report = await reconcile_day(p, today())
    assert kinds(report) == {
        gone: K.DIFFERENCE_KIND_MISSING_AT_CHANNEL, amount: K.DIFFERENCE_KIND_AMOUNT_MISMATCH,
        refund.refund_id: K.DIFFERENCE_KIND_STATUS_MISMATCH, late: K.DIFFERENCE_KIND_TIMING,
        "stranger-1": K.DIFFERENCE_KIND_MISSING_HERE}
    assert report.matched == 1  # pays[0]
    mismatch = next(d for d in report.differences if d.reference == amount)
    assert (mismatch.channel.amount.amount_minor, mismatch.ours.amount.amount_minor) == (
        1_499, 1_500)
    assert {c.kind: c.count for c in report.unmatched}[K.DIFFERENCE_KIND_TIMING] == 1
    # The moved row is carried to the next day and matched then.
    tomorrow = await reconcile_day(p, today() + dt.timedelta(days=1))
    assert (tomorrow.matched, tomorrow.matched_carried, list(tomorrow.differences)) == (
        1, 1, [])


async def test_a_past_day_is_stored_reported_and_exported_once(channel: Channel) -> None:
    p = channel.p
    yesterday = today() - dt.timedelta(days=1)
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await stub(p).GetReconciliationReport(rc.GetReconciliationReportRequest(
            channel="sandbox", date=yesterday.isoformat()), metadata=p.as_(FINANCE))
    assert e.value.code() == grpc.StatusCode.NOT_FOUND
    await channel.control({"add": {
        "type": "refund", "out_trade_no": "t-9", "out_refund_no": "r-9",
        "transaction_id": "sbx-9", "amount": 250, "currency": "CNY", "status": "SUCCEEDED",
        "time": f"{yesterday.isoformat()}T08:00:00.000000Z"}})
    first = await reconcile_day(p, yesterday, "rc-y")
    assert not first.provisional and kinds(first) == {"r-9": K.DIFFERENCE_KIND_MISSING_HERE}
    await channel.control({"reference": "r-9", "drop": True})
    assert await reconcile_day(p, yesterday) == first  # stored: nothing replaced
    got = (await stub(p).GetReconciliationReport(rc.GetReconciliationReportRequest(
        channel="sandbox", date=yesterday.isoformat()), metadata=p.as_(FINANCE))).report
    assert got == first
    csv_text = (await stub(p).ExportReconciliationReport(
        rc.ExportReconciliationReportRequest(channel="sandbox", date=yesterday.isoformat()),
        metadata=p.as_(FINANCE))).csv
    assert csv_text.splitlines()[1].startswith("MISSING_HERE,REFUND,r-9,sbx-9,CNY,250,,")
    trail = (await settlement(p).ListAuditEntries(st.ListAuditEntriesRequest(
        resource_type="reconciliation", resource_id=f"sandbox/{yesterday.isoformat()}"),
        metadata=p.as_(FINANCE))).entries
    assert len(trail) == 1
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await stub(p).ReconcileDay(rc.ReconcileDayRequest(
            request_id="rc-s", channel="sandbox", date=yesterday.isoformat()),
            metadata=p.as_(Identity(Role.BUYER, "b-1")))
    assert e.value.code() == grpc.StatusCode.PERMISSION_DENIED
