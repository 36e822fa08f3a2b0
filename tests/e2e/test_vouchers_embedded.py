"""Orders without logistics end to end on the embedded default: e-vouchers
(codes issued at payment, redeemed by the seller, the last redemption
completes the order) and online services (paid → waiting for receipt)."""

from __future__ import annotations

import grpc
import pytest

from tests.e2e.builders import COMPLETED, VOUCHERS_ISSUED, order_of, paid_order
from tests.e2e.platform import Platform
from tests.e2e.support import rich_error, seed_shop
from zhongtai.catalog.v1 import catalog_pb2 as cat
from zhongtai.common.v1.common_pb2 import Operator
from zhongtai.trade.v1 import events_pb2 as ev
from zhongtai.trade.v1 import trade_pb2 as tr

pytestmark = pytest.mark.e2e


async def redeem(p: Platform, code: str, seller_id: str, request_id: str = ""
                 ) -> tr.RedeemVoucherResponse:
    return await p.stubs.trade.RedeemVoucher(tr.RedeemVoucherRequest(
        request_id=request_id, code=code, seller_id=seller_id))


async def test_e_voucher_bought_redeemed_and_completed(platform: Platform) -> None:
    p = platform
    shop = await seed_shop(p.stubs, "Spa", [9900], item_type=cat.ITEM_TYPE_E_VOUCHER)
    order = await paid_order(p, "v1", [(shop.sku_ids[0], 2)], tr.ORDER_STATUS_WAIT_USE)
    assert order.logistics_status == tr.LOGISTICS_STATUS_NOT_REQUIRED
    assert order.pay_status == tr.PAY_STATUS_PAID
    assert not order.HasField("log_order") and not order.HasField("auto_receive_time")
    codes = [v.code for v in order.vouchers]
    assert len(set(codes)) == 2 and all(len(c) >= 16 for c in codes)
    assert {v.status for v in order.vouchers} == {tr.VOUCHER_STATUS_ISSUED}
    issued = ev.VouchersIssued.FromString(
        (await p.events.the_one(VOUCHERS_ISSUED, order.order_id)).payload)
    assert sorted(v.code for v in issued.vouchers) == sorted(codes)
    listed = (await p.stubs.trade.ListVouchers(tr.ListVouchersRequest(
        order_id=order.order_id, page_size=1)))
    rest = (await p.stubs.trade.ListVouchers(tr.ListVouchersRequest(
        order_id=order.order_id, page_size=1, page_token=listed.next_page_token)))
    assert [v.code for v in [*listed.vouchers, *rest.vouchers]] == sorted(codes)
    assert not rest.next_page_token

    with pytest.raises(grpc.aio.AioRpcError) as e:
        await redeem(p, codes[0], "another-seller")
    assert e.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert rich_error(e.value)["reason"] == "NOT_A_PARTY_TO_THE_ORDER"
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await redeem(p, "NO-SUCH-CODE", shop.seller_id)
    assert e.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await redeem(p, "", shop.seller_id)
    assert rich_error(e.value)["fields"] == ["code"]

    first = await redeem(p, codes[0], shop.seller_id, "rd-1")
    assert first.voucher.status == tr.VOUCHER_STATUS_REDEEMED
    assert first.voucher.HasField("redeem_time")
    assert first.order.status == tr.ORDER_STATUS_WAIT_USE
    assert await redeem(p, codes[0], shop.seller_id, "rd-1") == first  # a repeat
    with pytest.raises(grpc.aio.AioRpcError) as e:
        await redeem(p, codes[0], shop.seller_id, "rd-2")
    assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert rich_error(e.value)["reason"] == "VOUCHER_ALREADY_REDEEMED"

    last = await redeem(p, codes[1], shop.seller_id, "rd-3")
    assert last.order.status == tr.ORDER_STATUS_COMPLETED
    assert {v.status for v in last.order.vouchers} == {tr.VOUCHER_STATUS_REDEEMED}
    event = ev.OrderCompleted.FromString(
        (await p.events.the_one(COMPLETED, order.order_id)).payload)
    assert not event.automatic and event.operator.role == Operator.ROLE_SELLER
    assert (await order_of(p, order.order_id)).status == tr.ORDER_STATUS_COMPLETED


async def test_online_service_waits_for_receipt_once_paid(platform: Platform) -> None:
    p = platform
    shop = await seed_shop(p.stubs, "Tutor", [5000], item_type=cat.ITEM_TYPE_ONLINE_SERVICE)
    order = await paid_order(p, "v2", [(shop.sku_ids[0], 1)], tr.ORDER_STATUS_WAIT_RECEIVE)
    assert order.HasField("auto_receive_time") and not order.vouchers
    done = (await p.stubs.trade.ConfirmReceipt(tr.ConfirmReceiptRequest(
        order_id=order.order_id, buyer_id="v2"))).order
    assert done.status == tr.ORDER_STATUS_COMPLETED
    assert done.logistics_status == tr.LOGISTICS_STATUS_NOT_REQUIRED
    await p.events.the_one(COMPLETED, order.order_id)


async def test_physical_with_a_voucher_ships_and_issues_codes(platform: Platform) -> None:
    p = platform
    goods = await seed_shop(p.stubs, "Farm", [1000])
    spa = await seed_shop(p.stubs, "Spa", [2000], item_type=cat.ITEM_TYPE_E_VOUCHER)
    order = await paid_order(p, "v3", [(goods.sku_ids[0], 1), (spa.sku_ids[0], 3)])
    assert order.status == tr.ORDER_STATUS_WAIT_SHIP
    physical, voucher = sorted(order.sub_orders, key=lambda o: o.item.item_type)
    assert physical.HasField("log_order") and not physical.vouchers
    assert len(voucher.vouchers) == 3
    assert voucher.logistics_status == tr.LOGISTICS_STATUS_NOT_REQUIRED
    # Redeeming every code does not complete an order that ships goods.
    for v in voucher.vouchers:
        await redeem(p, v.code, spa.seller_id)
    assert (await order_of(p, order.order_id)).status == tr.ORDER_STATUS_WAIT_SHIP
    listed = await p.stubs.trade.ListVouchers(tr.ListVouchersRequest(
        order_id=voucher.order_id))
    assert {v.status for v in listed.vouchers} == {tr.VOUCHER_STATUS_REDEEMED}
