"""Every trade RPC under generated bad input (tests/e2e/fuzzing.py: each
field of a realistic request made empty, blank, oversized, out of range, an
undefined enum, an unknown id, a disabled currency, a list too long): never
INTERNAL, UNKNOWN, UNAVAILABLE or RESOURCE_EXHAUSTED, an error never larger
than its bound, and a refused call writes nothing."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf.message import Message
from sqlalchemy import func, select

from tests.e2e.builders import paid_order
from tests.e2e.fuzzing import mutants
from tests.e2e.platform import Platform
from tests.e2e.support import ADDRESS, credential, seed_shop
from trade import store
from trade.api import POLICY
from zhongtai.auth import Identity, Role
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.common.v1.common_pb2 import Money, Operator
from zhongtai.trade.v1 import trade_pb2 as tr

pytestmark = pytest.mark.e2e

NEVER = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.UNAVAILABLE,
         grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.DEADLINE_EXCEEDED}
TABLES = (store.biz_orders, store.pay_orders, store.log_orders, store.vouchers,
          store.plumbing.outbox, store.plumbing.timers, store.plumbing.idempotency,
          store.plumbing.audit, store.refund_claims)


def templates(order: tr.Order, voucher_order: tr.Order, sku_id: str
              ) -> dict[str, list[Message]]:
    """Realistic requests per RPC, on real orders, setting every field (a
    cart also without benefits, which name no real coupon, so that its other
    fields get past promotion)."""
    cny = Money(currency_code="CNY", amount_minor=100)
    line = tr.OrderLineInput(sku_id=sku_id, quantity=1, seller_id=order.seller_id)
    benefits = tr.Benefits(coupon_ids=["c-1"], points=10, red_packet_id="rp-1",
                           stored_value_card_id="card-1", stored_value_amount=cny)
    oid, po = order.order_id, order.pay_order
    quote = tr.QuoteOrderRequest(buyer_id="fuzz", lines=[line], address=ADDRESS)
    create = tr.CreateOrderRequest(request_id="fuzz-create", buyer_id="fuzz", lines=[line],
                                   address=ADDRESS, out_type="web", out_id="cart-1",
                                   buyer_memo="memo")
    carts: dict[str, list[Message]] = {"QuoteOrder": [quote], "CreateOrder": [create]}
    for requests in carts.values():
        with_benefits = type(requests[0])()
        with_benefits.CopyFrom(requests[0])
        with_benefits.benefits.CopyFrom(benefits)  # type: ignore[attr-defined]
        requests.append(with_benefits)
    return carts | {k: [v] for k, v in {
        "GetOrder": tr.GetOrderRequest(order_id=oid),
        "ListOrders": tr.ListOrdersRequest(buyer_id="fuzz", statuses=[tr.ORDER_STATUS_WAIT_SHIP],
                                           page_size=10, page_token="t"),
        "CancelOrder": tr.CancelOrderRequest(
            request_id="fuzz-cancel", order_id=oid, reason="r",
            operator=Operator(role=Operator.ROLE_BUYER, id="fuzz")),
        "AdjustPrice": tr.AdjustPriceRequest(request_id="fuzz-adjust", order_id=oid,
                                             seller_id=order.seller_id, adjust_amount=cny,
                                             reason="r"),
        "ConfirmReceipt": tr.ConfirmReceiptRequest(request_id="fuzz-confirm", order_id=oid,
                                                   buyer_id="fuzz"),
        "ExtendReceipt": tr.ExtendReceiptRequest(request_id="fuzz-extend", order_id=oid,
                                                 buyer_id="fuzz"),
        "RedeemVoucher": tr.RedeemVoucherRequest(request_id="fuzz-redeem",
                                                 code=voucher_order.vouchers[0].code,
                                                 seller_id=voucher_order.seller_id),
        "ListVouchers": tr.ListVouchersRequest(order_id=voucher_order.order_id, page_size=1,
                                               page_token="t"),
        "CheckPayable": tr.CheckPayableRequest(buyer_id="fuzz", parts=[tr.PayablePart(
            pay_order_id=po.pay_order_id, order_id=oid, amount=po.actual_amount)]),
        "ListAuditEntries": tr.ListAuditEntriesRequest(resource_type="order", resource_id=oid,
                                                       page_size=1, page_token="t"),
        "GetRefundable": tr.GetRefundableRequest(order_id=oid),
        "OpenRefund": tr.OpenRefundRequest(application_id="fuzz-app", line_order_id=oid,
                                           buyer_id="fuzz", kind=tr.REFUND_KIND_REFUND_ONLY,
                                           quantity=1, amount=cny),
        "AgreeRefund": tr.AgreeRefundRequest(application_id="fuzz-app", amount=cny,
                                             quantity=1),
        "FinishRefund": tr.FinishRefundRequest(application_id="fuzz-app",
                                               outcome=tr.REFUND_OUTCOME_KIND_CLOSED,
                                               return_shipping_amount=cny,
                                               return_shipping_by_seller=True),
    }.items()}


def caller_for(method: str) -> Identity:
    """Staff where the policy admits it (they get furthest), else a service
    (the one the rule names, if it names some)."""
    rule = POLICY[method]
    if Role.OPERATOR in rule.roles:
        return Identity(Role.OPERATOR, "fuzz-ops")
    return Identity.for_service(min(rule.services, default="fuzz-front"))


async def test_no_trade_rpc_fails_internally_on_bad_input_nor_writes_when_refusing(
        platform: Platform) -> None:
    p = platform
    shop = await seed_shop(p.stubs, "fuzzed", [1000], stock=100)
    order = await paid_order(p, "fuzz", [(shop.sku_ids[0], 1)])
    vshop = await seed_shop(p.stubs, "fuzzed vouchers", [500], item_type=cat.ITEM_TYPE_E_VOUCHER)
    voucher_order = await paid_order(p, "fuzz", [(vshop.sku_ids[0], 1)], tr.ORDER_STATUS_WAIT_USE)
    requests = templates(order, voucher_order, shop.sku_ids[0])
    service = tr.DESCRIPTOR.services_by_name["TradeService"]
    assert set(requests) == set(service.methods_by_name)
    db = p.runtime.dbs["trade"]

    async def counts() -> list[int]:
        async with db.transaction() as s:
            return [int((await s.execute(select(func.count()).select_from(t))).scalar_one())
                    for t in TABLES]

    channel = p.stubs.channels[0]
    bad: list[str] = []
    sent = 0
    for method, variants in requests.items():
        m = service.methods_by_name[method]
        stub = channel.unary_unary(f"/{service.full_name}/{method}",
                                   request_serializer=type(variants[0]).SerializeToString,
                                   response_deserializer=lambda b: b)
        metadata = credential(p.runtime.access.issuer, caller_for(method))
        for name, request in (m for t in variants for m in mutants(t)):
            assert request.DESCRIPTOR is m.input_type
            before = await counts()
            try:
                await stub(request, timeout=10, metadata=metadata)
            except grpc.aio.AioRpcError as e:
                details = e.details() or ""
                if e.code() in NEVER or len(details) > 1024:
                    bad.append(f"{method} {name}: {e.code().name} {details[:200]}")
                elif await counts() != before:
                    bad.append(f"{method} {name}: refused ({e.code().name}) but wrote")
            sent += 1
    assert bad == []
    assert sent > 300
