"""fulfilment

Revision ID: trade_0007
Revises: trade_0006
Create Date: 2026-11-22 05:19:15.256382
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zhongtai.db

revision: str = 'trade_0007'
down_revision: str | None = 'trade_0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('vouchers',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('order_id', sa.String(length=64), nullable=False),
    sa.Column('line_order_id', sa.String(length=64), nullable=False),
    sa.Column('seller_id', sa.String(length=64), nullable=False),
    sa.Column('buyer_id', sa.String(length=64), nullable=False),
    sa.Column('sku_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('created_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('redeemed_at', zhongtai.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['line_order_id'], ['biz_orders.order_id'], name=op.f('fk_vouchers_line_order_id_biz_orders')),
    sa.ForeignKeyConstraint(['order_id'], ['biz_orders.order_id'], name=op.f('fk_vouchers_order_id_biz_orders')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_vouchers'))
    )
    with op.batch_alter_table('vouchers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vouchers_line_order_id'), ['line_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vouchers_order_id'), ['order_id'], unique=False)

    with op.batch_alter_table('biz_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shipped_at', zhongtai.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('receive_deadline', zhongtai.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('receipt_extensions', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('biz_orders', schema=None) as batch_op:
        batch_op.drop_column('receipt_extensions')
        batch_op.drop_column('receive_deadline')
        batch_op.drop_column('shipped_at')

    with op.batch_alter_table('vouchers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vouchers_order_id'))
        batch_op.drop_index(batch_op.f('ix_vouchers_line_order_id'))

    op.drop_table('vouchers')
