"""bench.ghz_runner's pure parts: templates, configs, the ghz-shaped report."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import grpc
import pytest

from bench import seed
from bench.ghz_config import RequestFactory, load_config, resolve_method
from bench.ghz_report import (
    CallResult,
    build_report,
    format_summary,
    go_code_name,
    latency_distribution,
)
from bench.ghz_template import ConfigError, Template, call_data, parse_go_duration
from zhongtai.trade.v1 import trade_pb2

REPO = Path(__file__).resolve().parents[2]
CREATE_CONFIG = REPO / "bench" / "ghz" / "create_order.json"
GET_CONFIG = REPO / "bench" / "ghz" / "get_order.json"
CREATE_CALL = "zhongtai.trade.v1.TradeService.CreateOrder"

DATA = {
    "WorkerID": "g3c1", "RequestNumber": 41, "UUID": "u-u-i-d", "IsClientStreaming": False,
    "MethodName": "CreateOrder", "TimestampUnix": 1700000000,
}


@pytest.mark.parametrize(("text", "ns"), [
    ("20s", 20_000_000_000), ("250ms", 250_000_000), ("1m30s", 90_000_000_000),
    ("1.5s", 1_500_000_000), ("10us", 10_000), ("2h", 7_200_000_000_000), ("0", 0), (0, 0),
])
def test_go_durations(text: str | int, ns: int) -> None:
    assert parse_go_duration(text) == ns


@pytest.mark.parametrize("bad", ["20", "1x", "s", 5])
def test_go_durations_need_units(bad: str | int) -> None:
    with pytest.raises(ConfigError):
        parse_go_duration(bad)


def test_template_fields_and_go_formatting() -> None:
    t = Template('{"id":"req-{{.RequestNumber}}-{{ .WorkerID }}","s":"{{.IsClientStreaming}}"}')
    assert t.render(DATA) == '{"id":"req-41-g3c1","s":"false"}'
    assert not t.is_static
    assert Template('{"a":1}').is_static


def test_template_functions_and_trim_markers() -> None:
    rendered = Template('{{newUUID}}|{{randomString 8}}|{{ "lit" }}{{/* note */}}.').render(DATA)
    first, second, rest = rendered.split("|", 2)
    assert uuid.UUID(first).version == 4
    assert re.fullmatch(r"[A-Za-z0-9]{8}", second)
    assert rest == "lit."
    # randomString with length <= 0 picks 2..16 characters, as ghz does.
    assert 2 <= len(Template("{{randomString 0}}").render(DATA)) <= 16


def test_template_trim_markers_strip_surrounding_space() -> None:
    assert Template("a   {{- .WorkerID -}}   b").render(DATA) == "ag3c1b"


@pytest.mark.parametrize("source", [
    "{{.Nope}}", "{{.WorkerID | printf}}", "{{if .WorkerID}}x{{end}}", "{{sprig 1}}",
    "{{}}", "open {{.WorkerID",
])
def test_unsupported_templates_fail_loudly(source: str) -> None:
    with pytest.raises(ConfigError):
        Template(source)


def test_call_data_names_the_method_like_ghz() -> None:
    data = call_data(resolve_method(CREATE_CALL), "g0c0", 7, now_ns=1_700_000_000_123_456_789)
    assert data["FullyQualifiedName"] == CREATE_CALL
    assert data["ServiceName"] == "TradeService"
    assert data["MethodName"] == "CreateOrder"
    assert data["InputName"] == "CreateOrderRequest"
    assert data["OutputName"] == "CreateOrderResponse"
    assert data["TimestampUnix"] == 1_700_000_000
    assert data["TimestampUnixMilli"] == 1_700_000_000_123
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)", str(data["Timestamp"]))
    assert data["RequestNumber"] == 7 and data["WorkerID"] == "g0c0"


@pytest.mark.parametrize("call", [CREATE_CALL, "zhongtai.trade.v1.TradeService/CreateOrder",
                                  "/zhongtai.trade.v1.TradeService/CreateOrder"])
def test_resolve_method_accepts_ghz_call_forms(call: str) -> None:
    assert resolve_method(call).full_name == CREATE_CALL


def test_resolve_method_rejects_unknown_names() -> None:
    with pytest.raises(ConfigError):
        resolve_method("zhongtai.trade.v1.TradeService.Nope")
    with pytest.raises(ConfigError):
        resolve_method("nope.v1.Nothing.Call")


def test_create_order_config_sends_unique_requests_for_the_seeded_sku() -> None:
    cfg = load_config(CREATE_CONFIG)
    assert cfg.insecure and cfg.call == CREATE_CALL and not cfg.warnings
    factory = RequestFactory(resolve_method(cfg.call), cfg.data)
    a, b = factory.build(0, "g0c0"), factory.build(1, "g1c0")
    assert isinstance(a, trade_pb2.CreateOrderRequest)
    assert isinstance(b, trade_pb2.CreateOrderRequest)
    assert a.request_id != b.request_id and a.request_id.startswith("bench-")
    assert [(line.sku_id, line.seller_id) for line in a.lines] == [(seed.SKU_ID, seed.SELLER_ID)]
    assert a.buyer_id == seed.BUYER_ID
    assert a.address == seed.ADDRESS  # the physical-goods address the seed uses too
    assert not a.out_type  # no second idempotency key: every call is a new order


def test_data_arrays_are_used_round_robin() -> None:
    factory = RequestFactory(resolve_method("zhongtai.trade.v1.TradeService.GetOrder"),
                             [{"order_id": "A"}, {"order_id": "B-{{.RequestNumber}}"}])
    ids = [factory.build(n, "g0c0").order_id for n in range(4)]  # type: ignore[attr-defined]
    assert ids == ["A", "B-1", "A", "B-3"]


def test_data_that_does_not_fit_the_message_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        RequestFactory(resolve_method(CREATE_CALL), {"no_such_field": 1})


def test_get_order_config_reads_the_seeded_data_file(tmp_path: Path) -> None:
    raw = json.loads(GET_CONFIG.read_text(encoding="utf-8"))
    with pytest.raises(ConfigError, match=r"bench\.seed"):
        load_config(GET_CONFIG, base_dir=tmp_path)
    seed.write_data_file(tmp_path / raw["data-file"], "01ORDER")
    cfg = load_config(GET_CONFIG, base_dir=tmp_path)
    assert cfg.data == {"order_id": "01ORDER"}
    # The default path the seed writes is the one the config names.
    assert REPO / raw["data-file"] == seed.DEFAULT_DATA_OUT


def test_command_line_overrides_win(tmp_path: Path) -> None:
    cfg = load_config(GET_CONFIG, {"host": "h:1", "total": 7, "concurrency": 3,
                                   "data": {"order_id": "X"}}, base_dir=tmp_path)
    assert (cfg.host, cfg.total, cfg.concurrency, cfg.data) == ("h:1", 7, 3, {"order_id": "X"})
    with pytest.raises(ConfigError):
        load_config(GET_CONFIG, {"concurrency": 1, "connections": 2, "data": {}})


def test_go_code_names_match_ghz() -> None:
    assert go_code_name(grpc.StatusCode.OK) == "OK"
    assert go_code_name(grpc.StatusCode.FAILED_PRECONDITION) == "FailedPrecondition"
    assert go_code_name(grpc.StatusCode.CANCELLED) == "Canceled"
    assert go_code_name(grpc.StatusCode.DEADLINE_EXCEEDED) == "DeadlineExceeded"


def test_latency_percentiles_use_ghz_ranks() -> None:
    lats = [i * 1_000_000 for i in range(1, 101)]  # 1..100 ms
    got = {d["percentage"]: d["latency"] for d in latency_distribution(lats)}
    assert got == {p: p * 1_000_000 for p in (10, 25, 50, 75, 90, 95, 99)}
    assert [d["latency"] for d in latency_distribution([5])] == [5] * 7


def _results() -> list[CallResult]:
    ok = [CallResult(i * 1_000_000, "OK", "", 0) for i in range(1, 101)]
    err = "rpc error: code = FailedPrecondition desc = out of stock"
    return [*ok, CallResult(500_000_000, "FailedPrecondition", err, 0)]


def test_report_has_ghz_shape_and_units() -> None:
    cfg = load_config(CREATE_CONFIG)
    report = build_report(cfg, _results(), total_ns=2_000_000_000, tags={"runner": "t"})
    for key in ("date", "options", "count", "total", "average", "fastest", "slowest", "rps",
                "latencyDistribution", "histogram", "statusCodeDistribution",
                "errorDistribution", "endReason"):
        assert key in report
    assert "details" not in report
    assert report["count"] == 101
    assert report["total"] == 2_000_000_000
    assert report["rps"] == pytest.approx(50.5)
    assert report["average"] == (5050 + 500) * 1_000_000 // 101  # errors count in the average
    assert report["fastest"] == 1_000_000 and report["slowest"] == 100_000_000  # OK calls only
    assert report["statusCodeDistribution"] == {"OK": 100, "FailedPrecondition": 1}
    assert report["errorDistribution"] == {
        "rpc error: code = FailedPrecondition desc = out of stock": 1}
    assert [d["percentage"] for d in report["latencyDistribution"]] == [10, 25, 50, 75, 90, 95, 99]
    hist = report["histogram"]
    assert len(hist) == 11
    assert hist[0]["mark"] == pytest.approx(0.001) and hist[-1]["mark"] == pytest.approx(0.1)
    assert sum(b["count"] for b in hist) == 100
    assert sum(b["frequency"] for b in hist) == pytest.approx(1.0)
    opts = report["options"]
    assert opts["call"] == CREATE_CALL and opts["insecure"] is True
    assert opts["timeout"] == 20_000_000_000 and opts["total"] == 2000
    assert opts["data"]["request_id"] == "bench-{{.UUID}}"  # the template, as ghz reports it
    assert report["tags"] == {"runner": "t"}
    json.dumps(report)  # serializable as is


def test_report_skip_first_details_and_no_successes() -> None:
    cfg = load_config(CREATE_CONFIG)
    cfg.skip_first = 100
    report = build_report(cfg, _results(), total_ns=1_000_000_000, details=True)
    assert report["count"] == 1
    assert report["latencyDistribution"] is None and report["histogram"] is None
    assert report["fastest"] == 0 and report["average"] == 500_000_000
    assert report["details"][0]["status"] == "FailedPrecondition"
    assert report["details"][0]["latency"] == 500_000_000


def test_summary_mentions_the_numbers() -> None:
    report = build_report(load_config(CREATE_CONFIG), _results(), total_ns=2_000_000_000)
    text = format_summary(report)
    assert "Count:\t101" in text and "Requests/sec:\t50.50" in text
    assert "[FailedPrecondition]\t1 responses" in text and "out of stock" in text
