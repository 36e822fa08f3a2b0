"""initial after-sales schema

Revision ID: aftersales_0001
Revises: 
Create Date: 2026-12-01 21:24:15.093155
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zhongtai.db
from zhongtai.schema import create_audit_log, drop_audit_log

revision: str = 'aftersales_0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('application_refunds',
    sa.Column('refund_id', sa.String(length=64), nullable=False),
    sa.Column('application_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('refund_id', name=op.f('pk_application_refunds'))
    )
    with op.batch_alter_table('application_refunds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_refunds_application_id'), ['application_id'], unique=False)

    op.create_table('applications',
    sa.Column('application_id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.String(length=64), nullable=False),
    sa.Column('line_order_id', sa.String(length=64), nullable=False),
    sa.Column('buyer_id', sa.String(length=64), nullable=False),
    sa.Column('seller_id', sa.String(length=64), nullable=False),
    sa.Column('sku_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.Integer(), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Integer(), nullable=False),
    sa.Column('close_reason', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('evidence_urls', sa.Text(), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('agreed_amount', sa.BigInteger(), nullable=True),
    sa.Column('seller_note', sa.Text(), nullable=False),
    sa.Column('reapplications', sa.Integer(), nullable=False),
    sa.Column('escalated_from', sa.Integer(), nullable=False),
    sa.Column('return_logistics_order_id', sa.String(length=64), nullable=False),
    sa.Column('return_warehouse_id', sa.String(length=64), nullable=False),
    sa.Column('return_address', sa.Text(), nullable=False),
    sa.Column('return_carrier', sa.String(length=64), nullable=False),
    sa.Column('return_tracking_no', sa.String(length=64), nullable=False),
    sa.Column('return_shipping_fee', sa.BigInteger(), nullable=False),
    sa.Column('received_quantity', sa.BigInteger(), nullable=False),
    sa.Column('delivered_at', zhongtai.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('deadline_at', zhongtai.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('agreed_at', zhongtai.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', zhongtai.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('refund', sa.Text(), nullable=False),
    sa.Column('trade_finished', sa.Boolean(), nullable=False),
    sa.Column('effects_round', sa.Integer(), nullable=False),
    sa.Column('effects_failures', sa.Integer(), nullable=False),
    sa.Column('history', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('application_id', name=op.f('pk_applications'))
    )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index('ix_applications_buyer', ['buyer_id', 'application_id'], unique=False)
        batch_op.create_index('ix_applications_line', ['line_order_id'], unique=False)
        batch_op.create_index('ix_applications_order', ['order_id', 'application_id'], unique=False)
        batch_op.create_index('ix_applications_seller', ['seller_id', 'application_id'], unique=False)

    create_audit_log()

    op.create_table('idempotency',
    sa.Column('scope', sa.String(length=100), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('response', sa.LargeBinary(), nullable=True),
    sa.Column('error', sa.LargeBinary(), nullable=True),
    sa.Column('resource_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'key', name=op.f('pk_idempotency'))
    )
    op.create_table('inbox',
    sa.Column('consumer', sa.String(length=100), nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('event_type', sa.String(length=200), nullable=False),
    sa.Column('processed_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('consumer', 'event_id', name=op.f('pk_inbox'))
    )
    op.create_table('outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.String(length=26), nullable=False),
    sa.Column('routing_key', sa.String(length=200), nullable=False),
    sa.Column('event_type', sa.String(length=200), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=False),
    sa.Column('aggregate_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('available_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', zhongtai.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('event_id', name=op.f('uq_outbox_event_id'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_pending', ['sent_at', 'available_at', 'id'], unique=False)

    op.create_table('timers',
    sa.Column('kind', sa.String(length=100), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('due_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('fired_at', zhongtai.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('kind', 'key', name=op.f('pk_timers'))
    )
    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.create_index('ix_timers_due', ['status', 'due_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.drop_index('ix_timers_due')

    op.drop_table('timers')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_pending')

    op.drop_table('outbox')
    op.drop_table('inbox')
    op.drop_table('idempotency')
    drop_audit_log()
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_seller')
        batch_op.drop_index('ix_applications_order')
        batch_op.drop_index('ix_applications_line')
        batch_op.drop_index('ix_applications_buyer')

    op.drop_table('applications')
    with op.batch_alter_table('application_refunds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_refunds_application_id'))

    op.drop_table('application_refunds')
