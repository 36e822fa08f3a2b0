"""fulfilment and warehouses

Revision ID: logistics_0002
Revises: logistics_0001
Create Date: 2026-11-22 05:24:29.647724
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zhongtai.db

revision: str = "logistics_0002"
down_revision: str | None = "logistics_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('logistics_flags',
    sa.Column('flag_id', sa.String(length=64), nullable=False),
    sa.Column('logistics_order_id', sa.String(length=64), nullable=False),
    sa.Column('flag', sa.String(length=64), nullable=False),
    sa.Column('note', sa.String(length=2000), nullable=False),
    sa.Column('operator_role', sa.Integer(), nullable=False),
    sa.Column('operator_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('flag_id', name=op.f('pk_logistics_flags'))
    )
    with op.batch_alter_table('logistics_flags', schema=None) as batch_op:
        batch_op.create_index('ix_logistics_flags_order', ['logistics_order_id'], unique=False)

    op.create_table('logistics_lines',
    sa.Column('logistics_order_id', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.String(length=64), nullable=False),
    sa.Column('sku_id', sa.String(length=64), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('logistics_order_id', 'seq', name=op.f('pk_logistics_lines'))
    )
    op.create_table('logistics_orders',
    sa.Column('logistics_order_id', sa.String(length=64), nullable=False),
    sa.Column('role', sa.Integer(), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('log_order_id', sa.String(length=64), nullable=True),
    sa.Column('order_id', sa.String(length=64), server_default='', nullable=False),
    sa.Column('top_order_id', sa.String(length=64), server_default='', nullable=False),
    sa.Column('seller_id', sa.String(length=64), nullable=False),
    sa.Column('buyer_id', sa.String(length=64), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('delivery_method', sa.Integer(), nullable=False),
    sa.Column('split', sa.Boolean(), nullable=False),
    sa.Column('parent_id', sa.String(length=64), server_default='', nullable=False),
    sa.Column('merged_into', sa.String(length=64), server_default='', nullable=False),
    sa.Column('is_package', sa.Boolean(), nullable=False),
    sa.Column('carrier', sa.String(length=32), server_default='', nullable=False),
    sa.Column('tracking_no', sa.String(length=64), server_default='', nullable=False),
    sa.Column('exception', sa.Boolean(), nullable=False),
    sa.Column('total_quantity', sa.BigInteger(), nullable=False),
    sa.Column('shipped_quantity', sa.BigInteger(), nullable=False),
    sa.Column('ship_time', zhongtai.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('deliver_time', zhongtai.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('plan', sa.Text(), nullable=True),
    sa.Column('plan_note', sa.String(length=500), server_default='', nullable=False),
    sa.Column('eta', zhongtai.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('logistics_order_id', name=op.f('pk_logistics_orders')),
    sa.UniqueConstraint('log_order_id', name=op.f('uq_logistics_orders_log_order_id'))
    )
    with op.batch_alter_table('logistics_orders', schema=None) as batch_op:
        batch_op.create_index('ix_logistics_orders_merged_into', ['merged_into'], unique=False)
        batch_op.create_index('ix_logistics_orders_order', ['order_id'], unique=False)
        batch_op.create_index('ix_logistics_orders_parent', ['parent_id'], unique=False)
        batch_op.create_index('ix_logistics_orders_seller', ['seller_id', 'logistics_order_id'], unique=False)
        batch_op.create_index('ix_logistics_orders_top_order', ['top_order_id'], unique=False)

    op.create_table('tracking_events',
    sa.Column('carrier', sa.String(length=32), nullable=False),
    sa.Column('event_id', sa.String(length=128), nullable=False),
    sa.Column('logistics_order_id', sa.String(length=64), nullable=False),
    sa.Column('milestone', sa.Integer(), nullable=False),
    sa.Column('occurred_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('received_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('carrier', 'event_id', name=op.f('pk_tracking_events'))
    )
    with op.batch_alter_table('tracking_events', schema=None) as batch_op:
        batch_op.create_index('ix_tracking_events_package', ['logistics_order_id', 'occurred_at'], unique=False)

    op.create_table('warehouses',
    sa.Column('warehouse_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Integer(), nullable=False),
    sa.Column('parent_warehouse_id', sa.String(length=64), nullable=True),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('created_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('warehouse_id', name=op.f('pk_warehouses'))
    )
    with op.batch_alter_table('warehouses', schema=None) as batch_op:
        batch_op.create_index('ix_warehouses_parent', ['parent_warehouse_id'], unique=False)

    op.create_table('waybills',
    sa.Column('carrier', sa.String(length=32), nullable=False),
    sa.Column('tracking_no', sa.String(length=64), nullable=False),
    sa.Column('logistics_order_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('carrier', 'tracking_no', name=op.f('pk_waybills'))
    )


def downgrade() -> None:
    op.drop_table('waybills')
    with op.batch_alter_table('warehouses', schema=None) as batch_op:
        batch_op.drop_index('ix_warehouses_parent')

    op.drop_table('warehouses')
    with op.batch_alter_table('tracking_events', schema=None) as batch_op:
        batch_op.drop_index('ix_tracking_events_package')

    op.drop_table('tracking_events')
    with op.batch_alter_table('logistics_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_logistics_orders_top_order')
        batch_op.drop_index('ix_logistics_orders_seller')
        batch_op.drop_index('ix_logistics_orders_parent')
        batch_op.drop_index('ix_logistics_orders_order')
        batch_op.drop_index('ix_logistics_orders_merged_into')

    op.drop_table('logistics_orders')
    op.drop_table('logistics_lines')
    with op.batch_alter_table('logistics_flags', schema=None) as batch_op:
        batch_op.drop_index('ix_logistics_flags_order')

    op.drop_table('logistics_flags')
