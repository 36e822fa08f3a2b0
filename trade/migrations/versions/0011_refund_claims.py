"""after-sales: refund claims, lines' refunded figures, the after-sales window

Revision ID: trade_0011
Revises: trade_0010
Create Date: 2026-12-01 21:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zhongtai.db

revision: str = 'trade_0011'
down_revision: str | None = 'trade_0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('refund_claims',
    sa.Column('application_id', sa.String(length=64), nullable=False),
    sa.Column('order_id', sa.String(length=64), nullable=False),
    sa.Column('line_order_id', sa.String(length=64), nullable=False),
    sa.Column('buyer_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('plan', sa.Text(), nullable=True),
    sa.Column('return_shipping_amount', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('return_shipping_by_seller', sa.Boolean(), server_default=sa.false(),
              nullable=False),
    sa.Column('created_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['line_order_id'], ['biz_orders.order_id'], name=op.f('fk_refund_claims_line_order_id_biz_orders')),
    sa.ForeignKeyConstraint(['order_id'], ['biz_orders.order_id'], name=op.f('fk_refund_claims_order_id_biz_orders')),
    sa.PrimaryKeyConstraint('application_id', name=op.f('pk_refund_claims'))
    )
    with op.batch_alter_table('refund_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refund_claims_line_order_id'), ['line_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_refund_claims_order_id'), ['order_id'], unique=False)

    # Plain ADD COLUMN (constant defaults): SQLite need not rebuild the
    # tables other tables' foreign keys point at.
    op.add_column('biz_orders', sa.Column('refund_status', sa.Integer(), server_default='1',
                                          nullable=False))
    for name in ('refunded_amount', 'refunded_quantity', 'refunded_points',
                 'refunded_stored_value'):
        op.add_column('biz_orders', sa.Column(name, sa.BigInteger(), server_default='0',
                                              nullable=False))
    op.add_column('biz_orders', sa.Column('refunded_deductions', sa.Text(),
                                          server_default='[]', nullable=False))
    op.add_column('biz_orders', sa.Column('after_sales_end',
                                          zhongtai.db.UTCDateTime(timezone=True),
                                          nullable=True))
    op.add_column('biz_orders', sa.Column('after_sales_ended', sa.Boolean(),
                                          server_default=sa.false(), nullable=False))
    op.add_column('pay_orders', sa.Column('refunded_amount', sa.BigInteger(),
                                          server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('pay_orders', schema=None) as batch_op:
        batch_op.drop_column('refunded_amount')

    with op.batch_alter_table('biz_orders', schema=None) as batch_op:
        for name in ('after_sales_ended', 'after_sales_end', 'refunded_deductions',
                     'refunded_stored_value', 'refunded_points', 'refunded_quantity',
                     'refunded_amount', 'refund_status'):
            batch_op.drop_column(name)

    with op.batch_alter_table('refund_claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refund_claims_order_id'))
        batch_op.drop_index(batch_op.f('ix_refund_claims_line_order_id'))

    op.drop_table('refund_claims')
