"""order deductions, discount and freight amounts

Revision ID: trade_0002
Revises: trade_0001
Create Date: 2026-11-22 02:59:36.863881
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zhongtai.db  # noqa: F401  (custom column types)

revision: str = 'trade_0002'
down_revision: str | None = 'trade_0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('order_deductions',
    sa.Column('order_id', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.String(length=64), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('platform_amount', sa.BigInteger(), nullable=False),
    sa.Column('merchant_amount', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['biz_orders.order_id'], name=op.f('fk_order_deductions_order_id_biz_orders')),
    sa.PrimaryKeyConstraint('order_id', 'seq', name=op.f('pk_order_deductions'))
    )
    with op.batch_alter_table('biz_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('discount_amount', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('freight_amount', sa.BigInteger(), server_default='0', nullable=False))

    with op.batch_alter_table('pay_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stored_value_amount', sa.BigInteger(), server_default='0', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('pay_orders', schema=None) as batch_op:
        batch_op.drop_column('stored_value_amount')

    with op.batch_alter_table('biz_orders', schema=None) as batch_op:
        batch_op.drop_column('freight_amount')
        batch_op.drop_column('discount_amount')

    op.drop_table('order_deductions')
