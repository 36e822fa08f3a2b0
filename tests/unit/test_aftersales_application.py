"""The Application aggregate: its lifecycle table (every action legal exactly
where the table says), the history and events of each transition, the
deadline timers each status arms and disarms, the freeze once agreed, the
reapplication limit, the return shipping bearer and the effects timer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.application import (
    CLAIM_GUARD_TIMER,
    CONFIRM_TIMER,
    DEADLINE_TIMERS,
    EFFECTS_TIMER,
    LIFECYCLE,
    MACHINE,
    RECEIVE_TIMER,
    REVIEW_TIMER,
    SYSTEM,
    Application,
    RefundPart,
    StatusChanged,
    return_shipping_bearer,
)
from tests.aftersales_support import (
    POLICY,
    REFUND_ONLY,
    RETURN,
    SELLER_ACTOR,
    T0,
    application,
    in_status,
)
from zhongtai.aftersales.v1 import aftersales_pb2 as pb
from zhongtai.errors import FailedPrecondition

STATUSES = [s for s in pb.ApplicationStatus.values() if s != pb.APPLICATION_STATUS_UNSPECIFIED]
LATER = T0 + dt.timedelta(hours=1)

# Every action a caller (or a deadline) can take, by the table's name.
ACTIONS: dict[str, Callable[[Application], None]] = {
    "withdraw": lambda a: a.withdraw(LATER, POLICY),
    "reject": lambda a: a.reject(SELLER_ACTOR, "no", LATER, POLICY),
    "reapply": lambda a: a.reapply(kind=a.kind, reason=a.reason, note="again",
                                   evidence_urls=(), quantity=1, amount=100, now=LATER,
                                   policy=POLICY),
    "escalate": lambda a: a.escalate("help", LATER, POLICY),
    "approve": lambda a: a.approve(SELLER_ACTOR, "", LATER, POLICY),
    "arbitrate_reject": lambda a: a.arbitrate(SYSTEM, False, None, "no", LATER, POLICY),
    "arbitrate_approve": lambda a: a.arbitrate(SYSTEM, True, None, "yes", LATER, POLICY),
    "ship_return": lambda a: a.ship_return("sf", "T9", 0, LATER, POLICY),
    "receive_all": lambda a: a.confirm_receipt(SELLER_ACTOR, a.quantity, None, "", LATER,
                                               POLICY),
    "receive_part": lambda a: a.confirm_receipt(SELLER_ACTOR, 1, 1, "dented", LATER, POLICY),
    "accept_reduced": lambda a: a.accept_reduced(SYSTEM, LATER, POLICY),
    "finish_refund": lambda a: a.refunded(LATER, POLICY),
}


def legal(app: Application, name: str) -> bool:
    """Whether the table allows the named action from the app's status."""
    table_action = {"approve": app.approval_action(),
                    "arbitrate_approve": "arbitrate_return" if app.is_return
                    and app.escalated_from != pb.APPLICATION_STATUS_WAIT_BUYER_CONFIRM
                    else "arbitrate_refund",
                    "receive_part": "receive_part"}.get(name, name)
    return MACHINE.can(app.status, table_action)


GOODS = (pb.APPLICATION_STATUS_WAIT_BUYER_RETURN, pb.APPLICATION_STATUS_WAIT_SELLER_RECEIVE,
         pb.APPLICATION_STATUS_WAIT_BUYER_CONFIRM)
# Every status of each kind (a refund-only application never waits for goods).
REACHABLE = [(s, k) for k in (REFUND_ONLY, RETURN) for s in STATUSES
             if k == RETURN or s not in GOODS]


@pytest.mark.parametrize(("status", "kind"), REACHABLE)
@pytest.mark.parametrize("name", list(ACTIONS))
def test_every_action_is_legal_exactly_where_the_table_says(status: int, kind: int,
                                                            name: str) -> None:
    app = in_status(status, kind)
    before = app.snapshot()
    if legal(app, name):
        ACTIONS[name](app)
        assert app.status != before.status or name == "finish_refund"
        assert app.history[-1].at == LATER
        assert isinstance(app.events[-1], StatusChanged)
    else:
        with pytest.raises(FailedPrecondition) as e:
            ACTIONS[name](app)
        assert e.value.reason == "ILLEGAL_APPLICATION_TRANSITION"
        assert app.status == before.status and app.history == before.history


def test_a_new_application_waits_for_review_with_its_timer_and_history() -> None:
    app = Application.apply(
        application_id="A1", order_id="O1", line_order_id="L1", buyer_id="b1",
        seller_id="s1", sku_id="sku-1", kind=REFUND_ONLY,
        reason=pb.APPLICATION_REASON_CHANGED_MIND, note="n", evidence_urls=(), quantity=1,
        currency="CNY", amount=100, now=T0, policy=POLICY)
    assert app.status == pb.APPLICATION_STATUS_WAIT_SELLER_REVIEW
    assert app.deadline_at == T0 + POLICY.review
    assert [(d.kind, d.key, d.due_at) for d in app.deadlines] == [
        (CLAIM_GUARD_TIMER, "A1", None), (REVIEW_TIMER, "A1", T0 + POLICY.review)]
    assert [(h.action, h.actor.role, h.status) for h in app.history] == [
        (pb.ACTION_APPLIED, "buyer", pb.APPLICATION_STATUS_WAIT_SELLER_REVIEW)]
    event = app.events[0]
    assert isinstance(event, StatusChanged)
    assert event.previous_status == pb.APPLICATION_STATUS_UNSPECIFIED
    assert app.bearer == pb.BEARER_BUYER


@pytest.mark.parametrize("status", STATUSES)
def test_each_status_runs_its_own_deadline_timer_only(status: int) -> None:
    app = in_status(status)
    timer = DEADLINE_TIMERS.get(status)
    assert (app.deadline_at is not None) == (timer is not None)


def test_a_transition_disarms_the_old_deadline_and_arms_the_new_one() -> None:
    app = application(RETURN)
    app.return_created("lo-1", "wh-1", b"")
    app.approve(SELLER_ACTOR, "", LATER, POLICY)
    moves = [(d.kind, d.due_at) for d in app.deadlines]
    assert moves == [(REVIEW_TIMER, None),
                     ("aftersales.return_timeout", LATER + POLICY.buyer_return)]


def test_refund_only_approval_agrees_and_arms_the_effects_timer() -> None:
    app = application(REFUND_ONLY)
    app.approve(SELLER_ACTOR, "ok", LATER, POLICY)
    assert app.status == pb.APPLICATION_STATUS_REFUNDING
    assert app.agreed_amount == app.amount and app.agreed_at == LATER
    assert app.deadline_at is None
    assert (EFFECTS_TIMER, "A1/1", LATER) in [(d.kind, d.key, d.due_at) for d in app.deadlines]


def test_once_refunding_nothing_but_the_refund_changes_it() -> None:
    app = in_status(pb.APPLICATION_STATUS_REFUNDING, REFUND_ONLY)
    for name, action in ACTIONS.items():
        if name == "finish_refund":
            continue
        with pytest.raises(FailedPrecondition):
            action(app)
    app.refund_agreed(b"p", [RefundPart("po1", "pay1", 6000)], points_amount=0,
                      stored_value_amount=0, restore_coupons=False, restock_quantity=2,
                      now=LATER)
    app.refund_requested("po1", "rf1")
    assert app.refund.parts[0].refund_id == "rf1"
    assert app.history[-1].action == pb.ACTION_REFUND_STARTED


def test_the_plan_is_kept_once() -> None:
    app = in_status(pb.APPLICATION_STATUS_REFUNDING, REFUND_ONLY)
    for plan in (b"first", b"second"):
        app.refund_agreed(plan, [], points_amount=0, stored_value_amount=0,
                          restore_coupons=False, restock_quantity=0, now=LATER)
    assert app.refund.plan == b"first"


def test_refund_progress_is_refused_before_agreement() -> None:
    app = application()
    with pytest.raises(FailedPrecondition):
        app.refund_agreed(b"p", [], points_amount=0, stored_value_amount=0,
                          restore_coupons=False, restock_quantity=0, now=LATER)


def test_a_settled_refund_counts_once_and_the_last_one_makes_the_effects_due() -> None:
    app = in_status(pb.APPLICATION_STATUS_REFUNDING, REFUND_ONLY)
    app.refund_agreed(b"p", [RefundPart("po1", "pay1", 4000), RefundPart("po2", "pay1", 2000)],
                      points_amount=0, stored_value_amount=0, restore_coupons=False,
                      restock_quantity=0, now=LATER)
    app.refund_requested("po1", "rf1")
    app.refund_requested("po2", "rf2")
    app.pull()
    assert app.refund_settled("rf1", LATER) and not app.refund_settled("rf1", LATER)
    assert app.deadlines == ()
    assert app.refund_settled("rf2", LATER) and app.refund_done
    assert [(d.kind, d.due_at) for d in app.deadlines if d.due_at] == [(EFFECTS_TIMER, LATER)]
    assert not app.refund_settled("unknown", LATER)


def test_refunded_ends_with_no_timer_left() -> None:
    app = in_status(pb.APPLICATION_STATUS_REFUNDING, REFUND_ONLY)
    key = app.effects_key
    app.refunded(LATER, POLICY)
    assert app.status == pb.APPLICATION_STATUS_REFUNDED and app.finished_at == LATER
    assert (EFFECTS_TIMER, key, None) in [(d.kind, d.key, d.due_at) for d in app.deadlines]
    assert not app.owes_effects


def test_reapplication_is_limited() -> None:
    app = application()
    for _ in range(POLICY.max_reapplications):
        app.reject(SELLER_ACTOR, "no", LATER, POLICY)
        ACTIONS["reapply"](app)
        assert app.status == pb.APPLICATION_STATUS_WAIT_SELLER_REVIEW
    app.reject(SELLER_ACTOR, "no", LATER, POLICY)
    with pytest.raises(FailedPrecondition) as e:
        ACTIONS["reapply"](app)
    assert e.value.reason == "REAPPLICATION_LIMIT"
    assert app.reapplications == POLICY.max_reapplications
    app.escalate("then you decide", LATER, POLICY)  # escalating is still possible
    assert app.status == pb.APPLICATION_STATUS_ARBITRATING


@pytest.mark.parametrize("reason", [r for r in pb.ApplicationReason.values() if r])
def test_the_reason_decides_who_bears_the_return_shipping(reason: int) -> None:
    buyer = reason in (pb.APPLICATION_REASON_CHANGED_MIND, pb.APPLICATION_REASON_OTHER)
    assert return_shipping_bearer(reason) == (pb.BEARER_BUYER if buyer else pb.BEARER_SELLER)


@pytest.mark.parametrize(("status", "expected", "action"), [
    (pb.APPLICATION_STATUS_WAIT_SELLER_REVIEW, pb.APPLICATION_STATUS_WAIT_BUYER_RETURN,
     pb.ACTION_APPROVED_BY_TIMEOUT),
    (pb.APPLICATION_STATUS_REJECTED, pb.APPLICATION_STATUS_CLOSED,
     pb.ACTION_CLOSED_BY_TIMEOUT),
    (pb.APPLICATION_STATUS_WAIT_BUYER_RETURN, pb.APPLICATION_STATUS_CLOSED,
     pb.ACTION_CLOSED_BY_TIMEOUT),
    (pb.APPLICATION_STATUS_WAIT_SELLER_RECEIVE, pb.APPLICATION_STATUS_REFUNDING,
     pb.ACTION_RECEIVED_BY_TIMEOUT),
    (pb.APPLICATION_STATUS_WAIT_BUYER_CONFIRM, pb.APPLICATION_STATUS_REFUNDING,
     pb.ACTION_REDUCED_REFUND_ACCEPTED),
])
def test_each_deadline_does_what_the_contract_says(status: int, expected: int,
                                                   action: int) -> None:
    app = in_status(status)
    timer = DEADLINE_TIMERS[status]
    assert app.deadline_at is not None
    assert not app.deadline_passed(timer, app.deadline_at - dt.timedelta(seconds=1), POLICY)
    assert not app.deadline_passed(EFFECTS_TIMER, app.deadline_at, POLICY)
    assert app.deadline_passed(timer, app.deadline_at, POLICY)
    assert app.status == expected
    assert app.history[-1].action == action and app.history[-1].actor == SYSTEM
    if timer == RECEIVE_TIMER:
        assert app.received_quantity == app.quantity and app.agreed_amount == app.amount
    if timer == CONFIRM_TIMER:
        assert app.agreed_amount == 3000
    assert not app.deadline_passed(timer, T0 + dt.timedelta(days=365), POLICY)  # stale now


def test_a_delivered_return_restarts_the_receive_deadline_once() -> None:
    app = in_status(pb.APPLICATION_STATUS_WAIT_SELLER_RECEIVE)
    delivered = T0 + dt.timedelta(days=3)
    assert app.return_delivered(delivered, POLICY)
    assert app.deadline_at == delivered + POLICY.seller_receive
    assert app.history[-1].action == pb.ACTION_RETURN_DELIVERED
    assert app.events == ()  # history only: no status change
    assert not app.return_delivered(delivered + dt.timedelta(days=1), POLICY)
    assert not in_status(pb.APPLICATION_STATUS_WAIT_BUYER_RETURN).return_delivered(
        delivered, POLICY)


def test_a_receipt_cannot_exceed_the_return() -> None:
    app = in_status(pb.APPLICATION_STATUS_WAIT_SELLER_RECEIVE)
    for quantity, amount in ((3, None), (1, 6001), (1, -1)):
        with pytest.raises(FailedPrecondition) as e:
            app.confirm_receipt(SELLER_ACTOR, quantity, amount, "", LATER, POLICY)
        assert e.value.reason == "RECEIPT_EXCEEDS_RETURN"
    app.confirm_receipt(SELLER_ACTOR, 1, 2500, "one dented", LATER, POLICY)
    assert app.status == pb.APPLICATION_STATUS_WAIT_BUYER_CONFIRM
    assert app.agreed_amount == 2500 and app.seller_note == "one dented"


def test_arbitration_after_a_partial_receipt_grants_at_most_the_amount() -> None:
    app = in_status(pb.APPLICATION_STATUS_WAIT_BUYER_CONFIRM)
    app.escalate("unfair", LATER, POLICY)
    with pytest.raises(FailedPrecondition):
        app.arbitrate(SYSTEM, True, 7000, "no", LATER, POLICY)
    app.arbitrate(SYSTEM, True, 5000, "most of it", LATER, POLICY)
    assert app.status == pb.APPLICATION_STATUS_REFUNDING and app.agreed_amount == 5000


def test_arbitration_of_a_rejected_return_sends_the_goods_back_first() -> None:
    app = in_status(pb.APPLICATION_STATUS_ARBITRATING)
    app.arbitrate(SYSTEM, True, None, "buyer is right", LATER, POLICY)
    assert app.status == pb.APPLICATION_STATUS_WAIT_BUYER_RETURN
    assert app.owes_effects  # no return order yet: the effects open it


def test_a_failed_effect_is_retried_with_a_growing_capped_backoff() -> None:
    app = in_status(pb.APPLICATION_STATUS_REFUNDING, REFUND_ONLY)
    dues: list[dt.datetime | None] = []
    for _ in range(12):
        app.effects_failed(T0, POLICY)
        dues.append(app.deadlines[-1].due_at)
    waits = [(d - T0).total_seconds() for d in dues if d is not None]
    assert waits[:3] == [1, 2, 4] and max(waits) == POLICY.retry_cap.total_seconds()
    assert len({d.key for d in app.deadlines if d.due_at}) == 12  # one key per round


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(sorted(ACTIONS)), max_size=12),
       st.sampled_from([REFUND_ONLY, RETURN]))
def test_any_sequence_of_actions_follows_the_table(names: list[str], kind: int) -> None:
    """Whatever callers try, every status reached is one the table leads to,
    REFUNDING and the final statuses only move forward, and the history
    grows by one entry per transition made."""
    app = application(kind)
    for name in names:
        if name == "ship_return" and not app.return_logistics_order_id:
            app.return_created("lo-1", "wh-1", b"")
        before, length = app.status, len(app.history)
        try:
            ACTIONS[name](app)
        except FailedPrecondition:
            assert app.status == before and len(app.history) == length
            continue
        assert (before, app.status) in {(s, t) for (s, _), t in LIFECYCLE.items()}
        assert len(app.history) == length + 1
        if before == pb.APPLICATION_STATUS_REFUNDING:
            assert app.status == pb.APPLICATION_STATUS_REFUNDED
        assert before not in (pb.APPLICATION_STATUS_REFUNDED, pb.APPLICATION_STATUS_CLOSED)
