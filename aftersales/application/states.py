"""The application's state machine (the proto's lifecycle drawing as a
table), its timers and the reason → bearer rule. Pure."""

from __future__ import annotations

from zhongtai.aftersales.v1 import aftersales_pb2 as pb
from zhongtai.errors import Reasons
from zhongtai.statemachine import StateMachine

E = Reasons(pb.ErrorReason)

WITHDRAW, REJECT, REAPPLY, ESCALATE = "withdraw", "reject", "reapply", "escalate"
APPROVE_REFUND, APPROVE_RETURN = "approve_refund", "approve_return"
ARBITRATE_REFUND, ARBITRATE_RETURN, ARBITRATE_REJECT = (
    "arbitrate_refund", "arbitrate_return", "arbitrate_reject")
SHIP_RETURN, RECEIVE_ALL, RECEIVE_PART = "ship_return", "receive_all", "receive_part"
ACCEPT_REDUCED, EXPIRE, FINISH_REFUND = "accept_reduced", "expire", "finish_refund"

# (status, action) -> status: the proto's lifecycle drawing.
LIFECYCLE: dict[tuple[int, str], int] = {
    (pb.APPLICATION_STATUS_WAIT_SELLER_REVIEW, APPROVE_REFUND): pb.APPLICATION_STATUS_REFUNDING,
    (pb.APPLICATION_STATUS_WAIT_SELLER_REVIEW, APPROVE_RETURN):
        pb.APPLICATION_STATUS_WAIT_BUYER_RETURN,
    (pb.APPLICATION_STATUS_WAIT_SELLER_REVIEW, REJECT): pb.APPLICATION_STATUS_REJECTED,
    (pb.APPLICATION_STATUS_WAIT_SELLER_REVIEW, WITHDRAW): pb.APPLICATION_STATUS_CLOSED,
    (pb.APPLICATION_STATUS_REJECTED, REAPPLY): pb.APPLICATION_STATUS_WAIT_SELLER_REVIEW,
    (pb.APPLICATION_STATUS_REJECTED, ESCALATE): pb.APPLICATION_STATUS_ARBITRATING,
    (pb.APPLICATION_STATUS_REJECTED, WITHDRAW): pb.APPLICATION_STATUS_CLOSED,
    (pb.APPLICATION_STATUS_REJECTED, EXPIRE): pb.APPLICATION_STATUS_CLOSED,
    (pb.APPLICATION_STATUS_ARBITRATING, ARBITRATE_REFUND): pb.APPLICATION_STATUS_REFUNDING,
    (pb.APPLICATION_STATUS_ARBITRATING, ARBITRATE_RETURN):
        pb.APPLICATION_STATUS_WAIT_BUYER_RETURN,
    (pb.APPLICATION_STATUS_ARBITRATING, ARBITRATE_REJECT): pb.APPLICATION_STATUS_CLOSED,
    (pb.APPLICATION_STATUS_ARBITRATING, WITHDRAW): pb.APPLICATION_STATUS_CLOSED,
    (pb.APPLICATION_STATUS_WAIT_BUYER_RETURN, SHIP_RETURN):
        pb.APPLICATION_STATUS_WAIT_SELLER_RECEIVE,
    (pb.APPLICATION_STATUS_WAIT_BUYER_RETURN, WITHDRAW): pb.APPLICATION_STATUS_CLOSED,
    (pb.APPLICATION_STATUS_WAIT_BUYER_RETURN, EXPIRE): pb.APPLICATION_STATUS_CLOSED,
    (pb.APPLICATION_STATUS_WAIT_SELLER_RECEIVE, RECEIVE_ALL): pb.APPLICATION_STATUS_REFUNDING,
    (pb.APPLICATION_STATUS_WAIT_SELLER_RECEIVE, RECEIVE_PART):
        pb.APPLICATION_STATUS_WAIT_BUYER_CONFIRM,
    (pb.APPLICATION_STATUS_WAIT_BUYER_CONFIRM, ACCEPT_REDUCED): pb.APPLICATION_STATUS_REFUNDING,
    (pb.APPLICATION_STATUS_WAIT_BUYER_CONFIRM, ESCALATE): pb.APPLICATION_STATUS_ARBITRATING,
    (pb.APPLICATION_STATUS_REFUNDING, FINISH_REFUND): pb.APPLICATION_STATUS_REFUNDED,
}
MACHINE = StateMachine("application", LIFECYCLE, pb.ApplicationStatus.Name, E,
                       pb.ERROR_REASON_ILLEGAL_APPLICATION_TRANSITION)

OPEN = frozenset({pb.APPLICATION_STATUS_WAIT_SELLER_REVIEW, pb.APPLICATION_STATUS_REJECTED,
                  pb.APPLICATION_STATUS_ARBITRATING, pb.APPLICATION_STATUS_WAIT_BUYER_RETURN,
                  pb.APPLICATION_STATUS_WAIT_SELLER_RECEIVE,
                  pb.APPLICATION_STATUS_WAIT_BUYER_CONFIRM})
FINAL = frozenset({pb.APPLICATION_STATUS_REFUNDED, pb.APPLICATION_STATUS_CLOSED})

# The durable timer of each status that has a deadline (key: the application id).
REVIEW_TIMER = "aftersales.review_timeout"
REAPPLY_TIMER = "aftersales.reapply_timeout"
RETURN_TIMER = "aftersales.return_timeout"
RECEIVE_TIMER = "aftersales.receive_timeout"
CONFIRM_TIMER = "aftersales.confirm_timeout"
DEADLINE_TIMERS: dict[int, str] = {
    pb.APPLICATION_STATUS_WAIT_SELLER_REVIEW: REVIEW_TIMER,
    pb.APPLICATION_STATUS_REJECTED: REAPPLY_TIMER,
    pb.APPLICATION_STATUS_WAIT_BUYER_RETURN: RETURN_TIMER,
    pb.APPLICATION_STATUS_WAIT_SELLER_RECEIVE: RECEIVE_TIMER,
    pb.APPLICATION_STATUS_WAIT_BUYER_CONFIRM: CONFIRM_TIMER,
}
# The calls to other services an application owes (key: "<id>/<round>").
EFFECTS_TIMER = "aftersales.effects"
# Armed before trade is asked to open a claim for a new application id, and
# disarmed by the application's creation: if after-sales dies in between,
# it closes the claim trade holds for an application never written.
CLAIM_GUARD_TIMER = "aftersales.claim_guard"

# The seller bears the return shipping for its own faults (the proto's list).
SELLER_FAULTS = frozenset({pb.APPLICATION_REASON_DAMAGED, pb.APPLICATION_REASON_WRONG_ITEM,
                           pb.APPLICATION_REASON_NOT_AS_DESCRIBED,
                           pb.APPLICATION_REASON_QUALITY_ISSUE,
                           pb.APPLICATION_REASON_MISSING_PARTS,
                           pb.APPLICATION_REASON_NOT_RECEIVED})


def return_shipping_bearer(reason: int) -> int:
    """Who bears the return shipping: the seller for its faults, else the buyer."""
    return pb.BEARER_SELLER if reason in SELLER_FAULTS else pb.BEARER_BUYER
