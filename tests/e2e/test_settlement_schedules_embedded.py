"""Settlement's schedules on the embedded platform: configured, each shows
its next run through ListSchedules (staff only); a restart on the same data
directory keeps the one pending run; turned off, it has none."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import grpc
import pytest

from settlement.settings import SettlementSettings
from tests.e2e.platform import Platform, running_platform
from tests.e2e.settlement_support import OPERATOR, settlement
from tests.e2e.support import refusal
from zhongtai.auth import Identity, Role
from zhongtai.settlement.v1 import settlement_pb2 as st
from zhongtai.wire import to_datetime

pytestmark = pytest.mark.e2e


async def schedules(p: Platform) -> dict[str, st.Schedule]:
    found = await settlement(p).ListSchedules(st.ListSchedulesRequest(),
                                              metadata=p.as_(OPERATOR))
    return {s.name: s for s in found.schedules}


async def test_the_schedules_show_their_next_run_and_survive_a_restart(
        tmp_path: Path) -> None:
    due = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).replace(second=0, microsecond=0)
    daily = SettlementSettings(cycle_run_time=due.strftime("%H:%M"),
                               reconcile_run_time=due.strftime("%H:%M"))
    async with running_platform(tmp_path, settlement=daily) as p:
        first = await schedules(p)
        assert sorted(first) == ["cycle", "reconcile:sandbox"]
        for s in first.values():
            assert (s.run_time, s.next_run_date) == (due.strftime("%H:%M"),
                                                     due.date().isoformat())
            assert to_datetime(s.next_run_time) == due
            assert (s.attempts, s.last_run_date, s.HasField("last_run_time")) == (0, "", False)
        seller = Identity(Role.SELLER, "u1", frozenset({"s1"}))
        await refusal(settlement(p).ListSchedules(st.ListSchedulesRequest(),
                                                  metadata=p.as_(seller)),
                      code=grpc.StatusCode.PERMISSION_DENIED)
    async with running_platform(tmp_path, settlement=daily) as p:
        assert await schedules(p) == first
    async with running_platform(tmp_path, settlement=SettlementSettings()) as p:
        off = await schedules(p)
        assert [(s.run_time, s.next_run_date) for s in off.values()] == [("", ""), ("", "")]
