"""after-sales' requests as its use cases' arguments: each RPC's message
checked (what the proto's field rules cannot say: INVALID_ARGUMENT, every
violation, nothing changed) and turned into plain values. Protobuf stops
here and in ``aftersales.views``."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from zhongtai.aftersales.v1 import aftersales_pb2 as pb
from zhongtai.errors import InvalidArgument, Violations


@dataclass(frozen=True)
class Changes:
    """What a buyer asks for (an application, or a re-application): its kind,
    reason, note and evidence, and the quantity and amount claimed (the
    currency empty: the line's)."""

    kind: int
    reason: int
    note: str
    evidence_urls: tuple[str, ...]
    quantity: int
    amount: int
    currency: str


@dataclass(frozen=True)
class Parcel:
    """The buyer's return parcel: its carrier, tracking number and fee paid."""

    carrier: str
    tracking_no: str
    shipping_fee: int


@dataclass(frozen=True)
class Receipt:
    """What the seller received: the quantity, the amount granted (None: in
    full) and the note the buyer sees."""

    received_quantity: int
    amount: int | None
    note: str


@dataclass(frozen=True)
class Arbitration:
    """An operator's decision: approve (granting ``amount``, None: as
    agreed) or reject, with a note."""

    approving: bool
    amount: int | None
    note: str


@dataclass(frozen=True)
class Listing:
    """A listing's filters as asked (whose, which order, which statuses) and its page."""

    buyer_id: str
    seller_id: str
    order_id: str
    statuses: tuple[int, ...]
    page_size: int
    page_token: str


def changes(req: pb.CreateApplicationRequest | pb.UpdateApplicationRequest) -> Changes:
    """The buyer's changes: a kind and a reason are given, evidence URLs are
    http(s)."""
    v = Violations()
    v.check(req.kind != pb.APPLICATION_KIND_UNSPECIFIED, "kind", "is required")
    v.check(req.reason != pb.APPLICATION_REASON_UNSPECIFIED, "reason", "is required")
    for i, url in enumerate(req.evidence_urls):
        parts = urlsplit(url)
        v.check(parts.scheme in ("http", "https") and bool(parts.netloc),
                f"evidence_urls[{i}]", "must be an http(s) URL")
    v.raise_if_any()
    return Changes(kind=req.kind, reason=req.reason, note=req.note,
                   evidence_urls=tuple(req.evidence_urls), quantity=req.quantity,
                   amount=req.amount.amount_minor, currency=req.amount.currency_code)


def parcel(req: pb.ShipReturnRequest) -> Parcel:
    """The parcel the buyer shipped."""
    return Parcel(req.carrier, req.tracking_no, req.shipping_fee.amount_minor)


def receipt(req: pb.ConfirmReturnReceiptRequest) -> Receipt:
    """What the seller says it received."""
    return Receipt(req.received_quantity,
                   req.amount.amount_minor if req.HasField("amount") else None, req.note)


def arbitration(req: pb.ArbitrateApplicationRequest) -> Arbitration:
    """The operator's decision: given (``decision`` is required)."""
    if req.decision == pb.DECISION_UNSPECIFIED:
        raise InvalidArgument.field("decision", "is required")
    return Arbitration(req.decision == pb.DECISION_APPROVE,
                       req.amount.amount_minor if req.HasField("amount") else None, req.note)


def listing(req: pb.ListApplicationsRequest) -> Listing:
    """A listing's filters: every status named is one."""
    for i, status in enumerate(req.statuses):
        if status == pb.APPLICATION_STATUS_UNSPECIFIED:
            raise InvalidArgument.field(f"statuses[{i}]", "is not an application status")
    return Listing(req.buyer_id, req.seller_id, req.order_id, tuple(req.statuses),
                   req.page_size, req.page_token)
