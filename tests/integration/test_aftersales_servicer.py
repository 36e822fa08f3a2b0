"""The after-sales servicer on its real SQLite database, the services it
calls faked: each RPC maps its request to the use case and the answer back
(application, history, pages, figures, audit trail), as the caller the
credential names."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from aftersales.api import AfterSalesServicer
from aftersales.app import SERVICE
from aftersales.fakes import FakeLine, FakeServices
from tests.aftersales_support import BUYER, OPERATOR, OTHER_BUYER, POLICY, SELLER, create_request
from tests.builders import migrated
from zhongtai.aftersales.v1 import aftersales_pb2 as pb
from zhongtai.audit import acting
from zhongtai.auth import Identity, reset_identity, set_identity
from zhongtai.db import Database
from zhongtai.errors import InvalidArgument, PermissionDenied
from zhongtai.wire import money


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await migrated(f"sqlite+aiosqlite:///{tmp_path}/aftersales.db", SERVICE)
    yield database
    await database.dispose()


@contextmanager
def calling(identity: Identity) -> Iterator[None]:
    """As the server sets it for an RPC: the caller and the audit's actor."""
    token = set_identity(identity)
    try:
        with acting(identity, "rpc"):
            yield
    finally:
        reset_identity(token)


async def test_the_rpcs_of_an_application_from_apply_to_refunding(db: Database) -> None:
    services = FakeServices()
    services.trade.add_line(FakeLine(order_id="O1", line_order_id="L1", buyer_id="b1"))
    servicer = AfterSalesServicer(db, services.clients, POLICY)
    ctx = None
    with calling(BUYER):
        app = (await servicer.CreateApplication(create_request(), ctx)).application  # type: ignore[arg-type]
        listed = await servicer.ListApplications(pb.ListApplicationsRequest(), ctx)  # type: ignore[arg-type]
        with pytest.raises(InvalidArgument):
            await servicer.ListApplications(pb.ListApplicationsRequest(  # type: ignore[arg-type]
                statuses=[pb.APPLICATION_STATUS_UNSPECIFIED]), ctx)
    assert [a.application_id for a in listed.applications] == [app.application_id]
    with calling(OTHER_BUYER), pytest.raises(PermissionDenied):
        await servicer.GetApplication(pb.GetApplicationRequest(  # type: ignore[arg-type]
            application_id=app.application_id), ctx)
    with calling(SELLER):
        approved = (await servicer.ApproveApplication(pb.ApproveApplicationRequest(  # type: ignore[arg-type]
            request_id="ap", application_id=app.application_id, note="sorry"), ctx)).application
        seen = await servicer.GetApplication(pb.GetApplicationRequest(  # type: ignore[arg-type]
            application_id=app.application_id), ctx)
        stats = await servicer.GetRefundStats(pb.GetRefundStatsRequest(), ctx)  # type: ignore[arg-type]
    assert approved.status == pb.APPLICATION_STATUS_REFUNDING
    assert approved.agreed_amount == money("CNY", 6000) and approved.HasField("agree_time")
    assert [(h.action, h.actor.id) for h in seen.history] == [
        (pb.ACTION_APPLIED, "b1"), (pb.ACTION_APPROVED, "s1")]
    assert [(s.seller_id, s.applications, s.refunded) for s in stats.stats] == [("s1", 1, 0)]
    with calling(OPERATOR):
        trail = await servicer.ListAuditEntries(pb.ListAuditEntriesRequest(  # type: ignore[arg-type]
            resource_type="application", resource_id=app.application_id), ctx)
    assert [(e.role, e.subject) for e in trail.entries] == [("buyer", "b1"),
                                                            ("seller", "acct-1")]
