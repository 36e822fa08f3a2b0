"""after-sales' use cases in memory, with the five services it calls faked
(``aftersales.fakes``): applying (trade's refusals passed on, nothing
written on a refusal), review and its deadline, the return, and the refund
made exactly once whatever fails or crashes in between, with duplicate or
missing payment events. (A repeated request id: the servicer's tests.)"""

from __future__ import annotations

import pytest

from aftersales import apply, refunds, requests, returns, review
from aftersales.application import CLAIM_GUARD_TIMER, EFFECTS_TIMER, REVIEW_TIMER
from aftersales.fakes import Crash, FakeLine
from tests.aftersales_support import (
    BUYER,
    OPERATOR,
    OTHER_BUYER,
    OTHER_SELLER,
    REFUND_ONLY,
    RETURN,
    SELLER,
    Desk,
    create_request,
    fire_deadline,
    run_effects,
)
from zhongtai.aftersales.v1 import aftersales_pb2 as pb
from zhongtai.aftersales.v1 import events_pb2 as events
from zhongtai.errors import FailedPrecondition, InvalidArgument, PermissionDenied
from zhongtai.trade.v1 import trade_pb2 as trade
from zhongtai.wire import money


@pytest.fixture
def desk() -> Desk:
    return Desk()


async def create(desk: Desk, req: pb.CreateApplicationRequest | None = None) -> pb.Application:
    req = req or create_request()
    asked = requests.changes(req)
    return await desk.change(apply.add_application, lambda: apply.open_application(
        desk.new_uow, desk.services.clients, desk.policy, req.line_order_id, asked, BUYER,
        desk.clock))


async def approve(desk: Desk, application_id: str, caller: object = SELLER,
                  request_id: str = "ap1") -> pb.Application:
    return await desk.change(
        lambda uow, created: review.approve(uow, application_id, "", created, caller,  # type: ignore[arg-type]
                                            desk.clock, desk.policy),
        lambda: review.prepare_approval(desk.new_uow, desk.services.clients, application_id,
                                        caller))  # type: ignore[arg-type]


async def agreed(desk: Desk, kind: int = REFUND_ONLY) -> str:
    """A refund-only application approved by its seller: REFUNDING."""
    app = await create(desk, create_request(kind))
    await approve(desk, app.application_id)
    return app.application_id


async def test_an_application_opens_trades_claim_first(desk: Desk) -> None:
    first = await create(desk)
    assert first.status == pb.APPLICATION_STATUS_WAIT_SELLER_REVIEW
    assert (first.order_id, first.seller_id, first.sku_id) == ("O1", "s1", "sku-1")
    assert first.return_shipping_bearer == pb.BEARER_SELLER
    assert desk.services.trade.effects["OpenRefund"] == 1
    assert desk.services.trade.claims[first.application_id]["amount"] == 6000
    assert (REVIEW_TIMER, first.application_id) in desk.uow.timers
    changed = desk.uow.events_of(events.ApplicationChanged)
    assert [e.action for e in changed] == [pb.ACTION_APPLIED]  # type: ignore[attr-defined]
    assert desk.uow.audited[0][:2] == ("application", first.application_id)


@pytest.mark.parametrize(("req", "fields"), [
    (pb.CreateApplicationRequest(request_id="r", line_order_id="L1", quantity=1),
     {"kind", "reason"}),
    (create_request().__class__(request_id="r", line_order_id="L1", quantity=1, kind=1,
                                reason=1, evidence_urls=["ftp://x/y", "javascript:alert(1)"]),
     {"evidence_urls[0]", "evidence_urls[1]"}),
])
async def test_bad_input_is_refused_with_field_violations_before_anything(
        desk: Desk, req: pb.CreateApplicationRequest, fields: set[str]) -> None:
    with pytest.raises(InvalidArgument) as e:
        await create(desk, req)
    assert {v.field for v in e.value.violations} == fields
    assert desk.services.trade.calls == [] and desk.uow.store.applications == {}


@pytest.mark.parametrize(("setup", "reason"), [
    ("amount", "REFUND_AMOUNT_EXCEEDED"),
    ("window", "REFUND_WINDOW_CLOSED"),
    ("second", "LINE_REFUND_OPEN"),
    ("other_buyer", "NOT_A_PARTY_TO_THE_ORDER"),
    ("unshipped_return", "RETURN_NOT_APPLICABLE"),
])
async def test_refusals_write_nothing_and_trades_reasons_pass_unchanged(
        desk: Desk, setup: str, reason: str) -> None:
    req = create_request()
    written: set[str] = set()
    if setup == "amount":
        req = create_request(amount=10_001)
    elif setup == "window":
        desk.services.trade.refundable = False
    elif setup == "second":
        written = {(await create(desk)).application_id}
        req = create_request(request_id="r2", amount=100)
    elif setup == "other_buyer":
        desk.services.trade.add_line(FakeLine(order_id="O2", line_order_id="L2",
                                              buyer_id="b2"))
        req = create_request(line="L2")
    else:
        desk.line.shipped = False
        req = create_request(RETURN)
    with pytest.raises((FailedPrecondition, PermissionDenied)) as e:
        await create(desk, req)
    assert e.value.reason == reason
    assert set(desk.uow.store.applications) == written


async def test_a_claim_left_by_a_crash_is_closed_by_its_guard(desk: Desk) -> None:
    """after-sales dies after trade opened the claim, before the application
    was written: the guard armed before asking trade closes the claim, and
    the line can be applied for again."""
    desk.services.trade.crash_after["OpenRefund"] = 1
    with pytest.raises(Crash):
        await create(desk)
    assert desk.uow.store.applications == {}
    (guarded,) = [key for kind, key in desk.uow.timers if kind == CLAIM_GUARD_TIMER]
    assert desk.services.trade.claims[guarded]["state"] == "OPEN"
    with pytest.raises(FailedPrecondition) as e:
        await create(desk, create_request(request_id="r2"))
    assert e.value.reason == "LINE_REFUND_OPEN"
    async with desk.uow as uow:  # the guard's timer: read, then trade called
        assert await refunds.unwritten(uow, guarded) == guarded
    await refunds.close_claim(desk.services.clients, guarded)
    assert desk.services.trade.claims[guarded]["state"] == "CLOSED"
    app = await create(desk, create_request(request_id="r3"))
    assert (CLAIM_GUARD_TIMER, app.application_id) not in desk.uow.timers
    async with desk.uow as uow:  # a guard of a written application does nothing
        assert await refunds.unwritten(uow, app.application_id) is None
    assert desk.services.trade.claims[app.application_id]["state"] == "OPEN"


async def test_only_the_lines_seller_or_an_operator_reviews(desk: Desk) -> None:
    app = await create(desk)
    for caller in (OTHER_SELLER, BUYER):
        with pytest.raises(PermissionDenied) as e:
            await approve(desk, app.application_id, caller, request_id=f"x-{caller}")
        assert e.value.reason == "NOT_A_PARTY_TO_THE_APPLICATION"
    done = await approve(desk, app.application_id, OPERATOR)
    assert done.status == pb.APPLICATION_STATUS_REFUNDING


async def test_the_refund_is_made_once_in_order_and_ends_refunded(desk: Desk) -> None:
    application_id = await agreed(desk)
    await run_effects(desk, application_id)
    s = desk.services
    assert s.trade.calls[-1:] == ["AgreeRefund"] or "AgreeRefund" in s.trade.calls
    app = desk.uow.application(application_id)
    assert app.status == pb.APPLICATION_STATUS_REFUNDING and not app.refund.settled
    assert [p.refund_id for p in app.refund.parts] == ["rf-1"]
    assert s.promotion.returned[application_id].points_amount.amount_minor == 500
    assert s.catalog.effects["RestockUnits"] == 0  # shipped, refund-only: nothing back
    # payment.refund.succeeded, delivered twice: the second changes nothing
    s.payment.settle("rf-1")
    async with desk.uow as uow:
        assert await refunds.refund_succeeded(uow, "rf-1", desk.clock)
    async with desk.uow as uow:
        assert not await refunds.refund_succeeded(uow, "rf-1", desk.clock)
    await run_effects(desk, application_id)
    app = desk.uow.application(application_id)
    assert app.status == pb.APPLICATION_STATUS_REFUNDED
    finish = s.trade.claims[application_id]["finished"]
    assert finish.outcome == trade.REFUND_OUTCOME_KIND_REFUNDED
    assert finish.return_shipping_by_seller
    effects = {m: n for svc in (s.trade, s.payment, s.promotion, s.catalog)
               for m, n in svc.effects.items() if ":" not in m}
    assert effects == {"OpenRefund": 1, "AgreeRefund": 1, "CreateRefund": 1,
                       "ReturnBenefits": 1, "FinishRefund": 1}
    assert not [k for k in desk.uow.timers if k[0] == EFFECTS_TIMER]
    actions = [e.action for e in desk.uow.events_of(events.ApplicationChanged)]  # type: ignore[attr-defined]
    assert actions == [pb.ACTION_APPLIED, pb.ACTION_APPROVED, pb.ACTION_REFUNDED]


async def test_without_the_event_polling_finds_the_refund_settled(desk: Desk) -> None:
    application_id = await agreed(desk)
    await run_effects(desk, application_id)
    desk.services.payment.settle("rf-1")
    desk.clock.advance(seconds=5)
    await run_effects(desk, application_id)
    assert desk.uow.application(application_id).status == pb.APPLICATION_STATUS_REFUNDED
    assert desk.services.payment.effects["CreateRefund"] == 1


STEPS = ["AgreeRefund", "CreateRefund", "ReturnBenefits", "RestockUnits", "GetRefund",
         "FinishRefund"]


def service_of(desk: Desk, method: str) -> object:
    s = desk.services
    return {"AgreeRefund": s.trade, "FinishRefund": s.trade, "CreateRefund": s.payment,
            "GetRefund": s.payment, "ReturnBenefits": s.promotion,
            "RestockUnits": s.catalog}[method]


async def _refund_to_the_end(desk: Desk, application_id: str) -> None:
    for _ in range(6):
        app = desk.uow.application(application_id)
        if app.status == pb.APPLICATION_STATUS_REFUNDED:
            return
        for part in app.refund.parts:
            if part.refund_id:
                desk.services.payment.settle(part.refund_id)
        await run_effects(desk, application_id)
    raise AssertionError("the refund did not end")


def _exactly_once(desk: Desk, application_id: str) -> None:
    s = desk.services
    assert s.trade.effects[f"AgreeRefund:{application_id}"] == 1
    assert s.payment.effects["CreateRefund"] == 1
    assert s.promotion.effects["ReturnBenefits"] == 1
    assert s.catalog.effects["RestockUnits"] == 1
    assert s.trade.effects[f"FinishRefund:{application_id}"] == 1


@pytest.mark.parametrize("step", STEPS)
async def test_a_crash_after_any_step_repeats_calls_but_never_an_effect(
        desk: Desk, step: str) -> None:
    """after-sales dies right after the other service acted: the timer's
    transaction rolls back, the same round fires again after restart."""
    desk.line.shipped = False  # refund-only before shipment: stock goes back too
    application_id = await agreed(desk)
    desk.services.payment.settle_at_once = step == "FinishRefund"
    service_of(desk, step).crash_after[step] = 1  # type: ignore[attr-defined]
    key = desk.uow.application(application_id).effects_key
    with pytest.raises(Crash):
        for _ in range(3):
            await run_effects(desk, application_id)
            for part in desk.uow.application(application_id).refund.parts:
                desk.services.payment.settle(part.refund_id)
    assert (EFFECTS_TIMER, desk.uow.application(application_id).effects_key) in desk.uow.timers
    assert desk.uow.application(application_id).effects_key >= key
    await _refund_to_the_end(desk, application_id)
    _exactly_once(desk, application_id)


@pytest.mark.parametrize("step", STEPS)
async def test_a_failing_step_is_retried_with_backoff_keeping_what_was_done(
        desk: Desk, step: str) -> None:
    desk.line.shipped = False
    application_id = await agreed(desk)
    desk.services.payment.settle_at_once = True
    service_of(desk, step).fail[step] = 2  # type: ignore[attr-defined]
    before = desk.uow.application(application_id).effects_round
    await run_effects(desk, application_id)
    app = desk.uow.application(application_id)
    if step != "GetRefund":  # refunds settle at once: nothing to poll
        assert app.status == pb.APPLICATION_STATUS_REFUNDING
        assert app.effects_round > before and app.effects_failures == 1
        due = desk.uow.timers[(EFFECTS_TIMER, app.effects_key)].due_at
        assert due == desk.clock.now + desk.policy.backoff(1)
    await _refund_to_the_end(desk, application_id)
    _exactly_once(desk, application_id)


async def test_a_stale_effects_round_does_nothing(desk: Desk) -> None:
    application_id = await agreed(desk)
    async with desk.uow as uow:
        assert await refunds.prepare_effects(uow, f"{application_id}/0") is None
    assert desk.services.trade.effects["AgreeRefund"] == 0


async def test_a_seller_who_does_not_review_in_time_is_deemed_to_approve(desk: Desk) -> None:
    app = await create(desk, create_request(RETURN))
    assert await fire_deadline(desk, app.application_id)
    stored = desk.uow.application(app.application_id)
    assert stored.status == pb.APPLICATION_STATUS_WAIT_BUYER_RETURN
    assert stored.history[-1].action == pb.ACTION_APPROVED_BY_TIMEOUT
    await run_effects(desk, app.application_id)  # the return order is opened
    stored = desk.uow.application(app.application_id)
    assert stored.return_logistics_order_id == f"lo-{app.application_id}"
    assert not [k for k in desk.uow.timers if k[0] == EFFECTS_TIMER]


async def test_a_return_is_shipped_delivered_partly_received_and_refunded(desk: Desk) -> None:
    app = await create(desk, create_request(RETURN))
    approved = await approve(desk, app.application_id)
    assert approved.status == pb.APPLICATION_STATUS_WAIT_BUYER_RETURN
    assert approved.return_address.detail == "Warehouse 1"
    parcel = requests.parcel(pb.ShipReturnRequest(
        request_id="s1", application_id=app.application_id, carrier="sf", tracking_no="SF1",
        shipping_fee=money("CNY", 1200)))
    shipped = await desk.change(
        lambda uow, created: returns.ship_return(uow, app.application_id, parcel, created,
                                                 BUYER, desk.clock, desk.policy),
        lambda: returns.prepare_shipment(desk.new_uow, desk.services.clients,
                                         app.application_id, parcel, BUYER))
    assert shipped.status == pb.APPLICATION_STATUS_WAIT_SELLER_RECEIVE
    assert desk.services.logistics.effects["ShipReturn"] == 1
    delivered_at = desk.clock.advance(days=2)
    async with desk.uow as uow:
        assert await returns.return_delivered(uow, app.application_id, delivered_at,
                                              desk.policy)
    assert desk.uow.application(app.application_id).deadline_at == \
        delivered_at + desk.policy.seller_receive
    receipt = requests.receipt(pb.ConfirmReturnReceiptRequest(
        request_id="c1", application_id=app.application_id, received_quantity=1,
        amount=money("CNY", 3000), note="one broken"))
    partly = await desk.change(lambda uow, _: returns.confirm_receipt(
        uow, app.application_id, receipt, SELLER, desk.clock, desk.policy))
    assert partly.status == pb.APPLICATION_STATUS_WAIT_BUYER_CONFIRM
    accepted = await desk.change(lambda uow, _: apply.accept_reduced(
        uow, app.application_id, BUYER, desk.clock, desk.policy))
    assert accepted.status == pb.APPLICATION_STATUS_REFUNDING
    await _refund_to_the_end(desk, app.application_id)
    claim = desk.services.trade.claims[app.application_id]
    plan = claim["plan"]
    assert (claim["agreed"], plan.quantity, plan.restock_quantity) == (3000, 2, 1)
    restock = desk.services.catalog.restocked[app.application_id]
    assert (restock.quantity, restock.warehouse_id) == (1, "wh-1")
    finish = claim["finished"]
    assert finish.return_shipping_amount.amount_minor == 1200
    assert finish.return_shipping_by_seller


async def test_a_withdrawn_application_closes_trades_claim(desk: Desk) -> None:
    app = await create(desk)
    with pytest.raises(PermissionDenied):
        await desk.change(lambda uow, _: apply.withdraw(
            uow, app.application_id, OTHER_BUYER, desk.clock, desk.policy))
    closed = await desk.change(lambda uow, _: apply.withdraw(
        uow, app.application_id, BUYER, desk.clock, desk.policy))
    assert closed.close_reason == pb.CLOSE_REASON_WITHDRAWN
    desk.services.trade.fail["FinishRefund"] = 1
    await run_effects(desk, app.application_id)
    assert desk.services.trade.claims[app.application_id]["state"] == "OPEN"
    await run_effects(desk, app.application_id)
    assert desk.services.trade.claims[app.application_id]["state"] == "CLOSED"
    assert desk.uow.application(app.application_id).trade_finished


async def test_a_rejected_buyer_reapplies_with_changes_through_trade(desk: Desk) -> None:
    app = await create(desk)
    await desk.change(lambda uow, _: review.reject(
        uow, app.application_id, "used", SELLER, desk.clock, desk.policy))
    req = pb.UpdateApplicationRequest(
        request_id="u1", application_id=app.application_id, kind=REFUND_ONLY,
        reason=pb.APPLICATION_REASON_QUALITY_ISSUE, quantity=1, amount=money("CNY", 4000))
    asked = requests.changes(req)
    updated = await desk.change(
        lambda uow, _: apply.reapply(uow, app.application_id, asked, BUYER, desk.clock,
                                     desk.policy),
        lambda: apply.prepare_reapplication(desk.new_uow, desk.services.clients, desk.policy,
                                            app.application_id, asked, BUYER))
    assert updated.status == pb.APPLICATION_STATUS_WAIT_SELLER_REVIEW
    assert updated.reapplications == 1 and updated.amount.amount_minor == 4000
    assert desk.services.trade.claims[app.application_id]["amount"] == 4000
