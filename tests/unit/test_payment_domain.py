"""payment's rules, pure: validation of requests, the state machines, who
wins a paid attempt, the refund cap, the cashier, trade's refusals."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payment import requests
from payment import rules as d
from payment.payability import TRADE_REFUSALS, check_trade_takes
from payment.values import Part
from payment.wallet import MethodOption, cashier
from tests.builders import cny
from tests.payment_support import create_request
from zhongtai.common.v1.common_pb2 import Address, Money
from zhongtai.errors import FailedPrecondition, InvalidArgument
from zhongtai.payment.v1 import payment_pb2 as pb
from zhongtai.trade.v1 import trade_pb2 as tr
from zhongtai.validation import Validator


def fields(exc: InvalidArgument) -> list[str]:
    return [v.field for v in exc.violations]


def checked(req: pb.CreatePaymentRequest) -> requests.Opening:
    """A CreatePayment request as the servicer takes it: within its
    contract's limits (checked by the server first), then ``requests``."""
    Validator().check(req)
    return requests.opening(req)


def test_a_valid_merged_payment_gives_its_currency_and_total() -> None:
    req = create_request("po-1", 1000)
    req.parts.add(pay_order_id="po-2", order_id="o-2", amount=cny(250))
    opening = checked(req)
    assert (opening.currency, sum(p.amount for p in opening.parts)) == ("CNY", 1250)
    assert opening.parts == (Part("po-1", "o-po-1", 1000), Part("po-2", "o-2", 250))


@pytest.mark.parametrize(("change", "field"), [
    (lambda r: setattr(r, "buyer_id", ""), "buyer_id"),
    (lambda r: setattr(r, "method", pb.METHOD_UNSPECIFIED), "method"),
    (lambda r: setattr(r, "method", 99), "method"),
    (lambda r: r.ClearField("parts"), "parts"),
    (lambda r: setattr(r.parts[0], "pay_order_id", ""), "parts[0].pay_order_id"),
    (lambda r: setattr(r.parts[0], "order_id", ""), "parts[0].order_id"),
    (lambda r: setattr(r.parts[0].amount, "amount_minor", 0), "parts[0].amount.amount_minor"),
    (lambda r: setattr(r.parts[0].amount, "amount_minor", -5), "parts[0].amount.amount_minor"),
    (lambda r: setattr(r.parts[0].amount, "currency_code", "cny"),
     "parts[0].amount.currency_code"),
    (lambda r: r.parts.add(pay_order_id="po-1", order_id="o", amount=cny(1)),
     "parts[1].pay_order_id"),
    (lambda r: r.parts.add(pay_order_id="po-9", order_id="o",
                           amount=Money(currency_code="USD", amount_minor=1)), "parts"),
    (lambda r: r.parts[0].ClearField("amount"), "parts[0].amount"),
    (lambda r: setattr(r.parts[0].amount, "amount_minor", 10**13 + 1),
     "parts[0].amount.amount_minor"),
    (lambda r: r.parts.add(pay_order_id="po-9", order_id="o", amount=cny(10**13)), "parts"),
    (lambda r: setattr(r.parts[0].amount, "currency_code", "XXX"),
     "parts[0].amount.currency_code"),
    (lambda r: setattr(r, "buyer_id", "b" * 65), "buyer_id"),
    (lambda r: setattr(r, "buyer_id", " "), "buyer_id"),
    (lambda r: [r.parts.add(pay_order_id=f"p{i}", order_id="o", amount=cny(1))
                for i in range(50)], "parts"),
])
def test_bad_create_requests_name_the_field(change: object, field: str) -> None:
    req = create_request("po-1", 1000)
    change(req)  # type: ignore[operator]
    with pytest.raises(InvalidArgument) as e:
        checked(req)
    assert field in fields(e.value)


def test_cash_on_delivery_cannot_be_paid_yet() -> None:
    d.check_payable_method(pb.METHOD_BALANCE)
    d.check_payable_method(pb.METHOD_SANDBOX)
    with pytest.raises(FailedPrecondition) as e:
        d.check_payable_method(pb.METHOD_CASH_ON_DELIVERY)
    assert e.value.reason == "METHOD_NOT_SUPPORTED"


def test_payment_state_machine_is_the_table() -> None:
    assert d.PAYMENT.next(d.PENDING, d.SUCCEED, "p") == d.SUCCEEDED
    assert d.PAYMENT.next(d.PENDING, d.CLOSE, "p") == d.CLOSED
    assert d.PAYMENT.next(d.SUCCEEDED, d.REFUND_FULLY, "p") == d.REFUNDED
    allowed = set(d.PAYMENT_TRANSITIONS)
    for status in (d.PENDING, d.SUCCEEDED, d.CLOSED, d.REFUNDED):
        for action in (d.SUCCEED, d.CLOSE, d.REFUND_FULLY):
            if (status, action) in allowed:
                continue
            with pytest.raises(FailedPrecondition) as e:
                d.PAYMENT.next(status, action, "p")
            assert e.value.reason == "ILLEGAL_PAYMENT_TRANSITION"
            assert e.value.metadata["payment_id"] == "p"


def test_a_closed_attempt_can_still_turn_out_paid() -> None:
    assert d.ATTEMPT.next(d.CLOSED, d.PAY, "a") == d.SUCCEEDED
    assert d.ATTEMPT.next(d.PENDING, d.CLOSE, "a") == d.CLOSED
    with pytest.raises(FailedPrecondition):
        d.ATTEMPT.next(d.SUCCEEDED, d.PAY, "a")
    with pytest.raises(FailedPrecondition):
        d.ATTEMPT.next(d.SUCCEEDED, d.CLOSE, "a")


def test_refunds_settle_once() -> None:
    assert d.REFUND.next(d.REFUND_PENDING, d.SETTLE, "r") == d.REFUND_SUCCEEDED
    assert d.REFUND.next(d.REFUND_PENDING, d.FAIL, "r") == d.REFUND_FAILED
    for done in (d.REFUND_SUCCEEDED, d.REFUND_FAILED):
        with pytest.raises(FailedPrecondition):
            d.REFUND.next(done, d.SETTLE, "r")


def test_the_first_paid_attempt_wins_any_other_is_an_exception() -> None:
    ok = (1000, "CNY")
    assert d.on_attempt_paid(d.PENDING, "", "A", ok, ok).outcome is d.PaidOutcome.WIN
    assert d.on_attempt_paid(d.SUCCEEDED, "A", "A", ok, ok).outcome is d.PaidOutcome.ALREADY_WON
    assert d.on_attempt_paid(d.REFUNDED, "A", "A", ok, ok).outcome is d.PaidOutcome.ALREADY_WON
    second = d.on_attempt_paid(d.SUCCEEDED, "A", "B", ok, ok)
    assert second.outcome is d.PaidOutcome.EXCEPTION and "paid twice" in second.reason
    late = d.on_attempt_paid(d.CLOSED, "", "B", ok, ok)
    assert late.outcome is d.PaidOutcome.EXCEPTION and "closed" in late.reason
    wrong = d.on_attempt_paid(d.PENDING, "", "A", ok, (999, "CNY"))
    assert wrong.outcome is d.PaidOutcome.EXCEPTION and "999" in wrong.reason


def test_refunds_only_of_a_succeeded_payment_within_what_is_left() -> None:
    d.check_refund("p", d.SUCCEEDED, 400, captured=1000, refunded=600)
    with pytest.raises(FailedPrecondition) as e:
        d.check_refund("p", d.SUCCEEDED, 401, captured=1000, refunded=600)
    assert e.value.reason == "REFUND_EXCEEDS_CAPTURED"
    assert e.value.metadata["refundable"] == "400"
    for status in (d.PENDING, d.CLOSED, d.REFUNDED):
        with pytest.raises(FailedPrecondition) as e:
            d.check_refund("p", status, 1, captured=1000, refunded=0)
        assert e.value.reason == "PAYMENT_NOT_REFUNDABLE"


@given(captured=st.integers(0, 10**6), refunds=st.lists(st.integers(1, 10**5), max_size=30))
def test_accepted_refunds_never_add_up_to_more_than_captured(captured: int,
                                                             refunds: list[int]) -> None:
    refunded = 0
    for amount in refunds:
        try:
            d.check_refund("p", d.SUCCEEDED, amount, captured, refunded)
        except FailedPrecondition:
            continue
        refunded += amount
    assert refunded <= captured
    assert d.refundable(captured, refunded) == captured - refunded


def test_fully_refunded_only_when_everything_came_back() -> None:
    assert not d.fully_refunded(1000, 999)
    assert d.fully_refunded(1000, 1000)
    assert not d.fully_refunded(0, 0)


def test_exception_refund_keys_are_one_per_attempt_and_per_rejected_part() -> None:
    assert d.attempt_refund_key("A") != d.attempt_refund_key("B")
    assert d.rejected_refund_key("p", "po-1") != d.rejected_refund_key("p", "po-2")
    assert d.notification_key("payment", "A", "", "SUCCEEDED") == d.notification_key(
        "payment", "A", "", "SUCCEEDED")
    assert d.notification_key("payment", "A", "", "SUCCEEDED") != d.notification_key(
        "payment", "A", "", "CLOSED")


def test_retry_delay_grows_and_is_capped() -> None:
    delays = [d.retry_delay(n).total_seconds() for n in range(1, 20)]
    assert delays[:4] == [1, 2, 4, 8]
    assert max(delays) == 600
    assert delays == sorted(delays)


ZHEJIANG = Address(province="浙江省")
TIBET = Address(province="西藏自治区")


def options(balance: int, amount: int, address: Address | None) -> dict[int, MethodOption]:
    return {o.method: o for o in cashier(balance, amount, address.province if address else "",
                                         ("西藏自治区",))}


def test_cashier_balance_only_when_it_covers_the_amount() -> None:
    assert options(1000, 1000, ZHEJIANG)[pb.METHOD_BALANCE].available
    short = options(999, 1000, ZHEJIANG)[pb.METHOD_BALANCE]
    assert not short.available and "999" in short.reason
    assert options(0, 1000, None)[pb.METHOD_SANDBOX].available


def test_cashier_cash_on_delivery_not_to_denied_provinces_nor_without_address() -> None:
    assert options(0, 1, ZHEJIANG)[pb.METHOD_CASH_ON_DELIVERY].available
    assert not options(0, 1, TIBET)[pb.METHOD_CASH_ON_DELIVERY].available
    assert not options(0, 1, None)[pb.METHOD_CASH_ON_DELIVERY].available
    assert [o.display_name for o in cashier(0, 1, "", ())] == [
        "Balance", "Sandbox wallet", "Cash on delivery"]


def test_refund_top_up_and_balance_limits() -> None:
    """The contract's limits, then what ``requests`` adds (an amount is given)."""
    def refused(req: Any) -> list[str]:
        with pytest.raises(InvalidArgument) as e:
            Validator().check(req)
            requests.validate_amount(req)
        return fields(e.value)

    assert set(refused(pb.CreateRefundRequest(payment_id="", amount=cny(0)))) == {
        "payment_id", "amount.amount_minor"}
    assert refused(pb.CreateRefundRequest(payment_id="p", reason="r" * 501)) == ["reason"]
    assert refused(pb.CreateRefundRequest(payment_id="p")) == ["amount"]
    assert refused(pb.TopUpBalanceRequest(buyer_id="b", amount=cny(-1))) == [
        "amount.amount_minor"]
    assert refused(pb.TopUpBalanceRequest(buyer_id="b", amount=cny(10**10 + 1))) == [
        "amount.amount_minor"]
    assert refused(pb.TopUpBalanceRequest(buyer_id="b", amount=Money(
        currency_code="XXX", amount_minor=1))) == ["amount.currency_code"]
    assert refused(pb.GetBalanceRequest(buyer_id="b", currency_code="XXX")) == [
        "currency_code"]
    assert refused(pb.GetPaymentRequest(payment_id="x" * 20_000)) == ["payment_id"]
    for ok in (pb.TopUpBalanceRequest(buyer_id="b", amount=cny(10**10)),
               pb.CreateRefundRequest(payment_id="p", amount=cny(10**13))):
        Validator().check(ok)
        requests.validate_amount(ok)
    assert requests.balance_currency(pb.GetBalanceRequest(buyer_id="b")) == "CNY"


def test_payment_settings_from_the_environment_and_a_file(tmp_path: object) -> None:
    from pathlib import Path

    from payment.settings import PaymentSettings
    from zhongtai.config import Settings

    env = {"ZHONGTAI_PAYMENT_COD_DENIED_PROVINCES": "西藏自治区, 青海省",
           "ZHONGTAI_PAYMENT_PENDING_QUERY_AFTER_SECONDS": "30",
           "ZHONGTAI_PAYMENT_CALLBACK_LISTEN": "0.0.0.0:8080"}
    s = Settings.load(environ=env).section("payment", PaymentSettings)
    assert s.cod_denied_provinces == ("西藏自治区", "青海省")
    assert s.pending_query_after_seconds == 30.0
    assert s.callback_url() == "http://0.0.0.0:8080"
    toml = Path(str(tmp_path)) / "z.toml"
    toml.write_text('[payment]\ncod_denied_provinces = ["海南省"]\n'
                    "refund_query_after_seconds = 7\n", encoding="utf-8")
    s = Settings.load(toml, environ={}).section("payment", PaymentSettings)
    assert s.cod_denied_provinces == ("海南省",) and s.refund_query_after_seconds == 7.0
    default = Settings.load(environ={}).section("payment", PaymentSettings)
    assert "西藏自治区" in default.cod_denied_provinces


def test_the_notification_secret_is_never_a_fixed_default(tmp_path: object) -> None:
    """Embedded with none: a random one per start; on its own: a configured
    one of at least 16 characters that was never published (the previous one
    too), from the environment or a file."""
    from pathlib import Path

    from payment.settings import PaymentSettings, notification_secrets
    from zhongtai.config import Settings

    assert PaymentSettings().sandbox_secret == ""
    made = {notification_secrets(PaymentSettings(), embedded=True)[0] for _ in range(2)}
    assert len(made) == 2 and all(len(s) >= 32 for s in made)
    own = "a-long-enough-secret-1"
    for settings in (PaymentSettings(),  # missing
                     PaymentSettings(sandbox_secret="zhongtai-sandbox-secret"),  # published
                     PaymentSettings(sandbox_secret="short"),
                     PaymentSettings(sandbox_secret=own, sandbox_secret_previous="short")):
        with pytest.raises(ValueError, match="SANDBOX_SECRET"):
            notification_secrets(settings, embedded=False)
    # A provider elsewhere must share a configured secret, embedded or not.
    with pytest.raises(ValueError, match="SANDBOX_SECRET"):
        notification_secrets(PaymentSettings(sandbox_url="http://sandbox:1"), embedded=True)
    assert notification_secrets(PaymentSettings(sandbox_secret="dev"), embedded=True) == (
        "dev", "")
    secret_file = Path(str(tmp_path)) / "secret"
    secret_file.write_text(own + "\n", encoding="utf-8")
    s = Settings.load(environ={"ZHONGTAI_PAYMENT_SANDBOX_SECRET_FILE": str(secret_file),
                               "ZHONGTAI_PAYMENT_SANDBOX_SECRET_PREVIOUS": own[::-1]}
                      ).section("payment", PaymentSettings)
    assert notification_secrets(s, embedded=False) == (own, own[::-1])


def test_trade_refusing_parts_is_failed_precondition_with_its_reasons() -> None:
    def result(pay_order_id: str, reason: int, paid_by: str = "") -> tr.PayableResult:
        return tr.PayableResult(pay_order_id=pay_order_id, reason=reason,  # type: ignore[arg-type]
                                detail=f"{pay_order_id} detail",
                                pay_order=tr.PayOrder(payment_id=paid_by))

    payable = result("po1", tr.PAYMENT_REJECTION_REASON_UNSPECIFIED)
    check_trade_takes([payable])
    # Paid by the very payment asking (switched while it succeeded): not refused.
    check_trade_takes([result("po1", tr.PAYMENT_REJECTION_REASON_ALREADY_PAID, "p1")],
                             "p1")
    with pytest.raises(FailedPrecondition) as e:
        check_trade_takes([
            payable, result("po2", tr.PAYMENT_REJECTION_REASON_OUTSIDE_BALANCE_WINDOW),
            result("po3", tr.PAYMENT_REJECTION_REASON_ALREADY_PAID, "p2")], "p1")
    assert e.value.reason == "OUTSIDE_BALANCE_WINDOW"
    assert [(v.type, v.subject) for v in e.value.violations] == [
        ("OUTSIDE_BALANCE_WINDOW", "pay_orders/po2"), ("ALREADY_PAID", "pay_orders/po3")]
    assert e.value.metadata == {"pay_order_ids": "po2,po3"}


def test_every_refusal_of_trade_is_a_payment_reason_of_the_same_name() -> None:
    refusals = {v.number: v.name.removeprefix("PAYMENT_REJECTION_REASON_")
                for v in tr.PaymentRejectionReason.DESCRIPTOR.values if v.number}
    assert {d.E[TRADE_REFUSALS[n]].name for n in refusals} == set(refusals.values())
    assert all(d.E[TRADE_REFUSALS[n]].name == name for n, name in refusals.items())
    assert {d.E[r].code for r in TRADE_REFUSALS.values()} == {"FAILED_PRECONDITION"}
