"""the stored-value card in an order's discount, borne by the platform

Orders written before: ``biz_orders.discount_amount`` left the card out and
``actual_amount`` kept it in; a card deduction had no bearer (0 and 0). Now
discount is every deduction and actual what is left to pay through payment,
and the platform funds the card. Pay orders already had the parts apart.

Revision ID: trade_0009
Revises: trade_0008
Create Date: 2026-11-23 09:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = 'trade_0009'
down_revision: str | None = 'trade_0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CARD = 11  # DEDUCTION_KIND_STORED_VALUE_CARD

# The card deductions on an order's own line, or on its sub orders' (a main order).
_CARD_ON_ORDER = f"""(SELECT COALESCE(SUM(d.amount), 0) FROM order_deductions d
    WHERE d.kind = {CARD} AND (d.order_id = biz_orders.order_id OR d.order_id IN (
        SELECT s.order_id FROM biz_orders s WHERE s.parent_id = biz_orders.order_id)))"""


def _move_card(sign: str) -> None:
    op.execute(f"UPDATE biz_orders SET discount_amount = discount_amount {sign} {_CARD_ON_ORDER}, "
               f"actual_amount = actual_amount {'-' if sign == '+' else '+'} {_CARD_ON_ORDER}")


def upgrade() -> None:
    _move_card("+")
    op.execute(f"UPDATE order_deductions SET platform_amount = amount, merchant_amount = 0 "
               f"WHERE kind = {CARD}")


def downgrade() -> None:
    _move_card("-")
    op.execute(f"UPDATE order_deductions SET platform_amount = 0, merchant_amount = 0 "
               f"WHERE kind = {CARD}")
