"""initial payment schema

Revision ID: payment_0001
Revises: 
Create Date: 2026-11-22 03:36:40.432305
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zhongtai.db

revision: str = 'payment_0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('balance_accounts',
    sa.Column('buyer_id', sa.String(length=64), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('balance', sa.BigInteger(), nullable=False),
    sa.Column('created_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('balance >= 0', name=op.f('ck_balance_accounts_balance_non_negative')),
    sa.PrimaryKeyConstraint('buyer_id', 'currency', name=op.f('pk_balance_accounts'))
    )
    op.create_table('balance_ledger',
    sa.Column('entry_id', sa.String(length=26), nullable=False),
    sa.Column('buyer_id', sa.String(length=64), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('reference_id', sa.String(length=200), nullable=False),
    sa.Column('payment_id', sa.String(length=64), nullable=False),
    sa.Column('balance_after', sa.BigInteger(), nullable=False),
    sa.Column('created_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount <> 0', name=op.f('ck_balance_ledger_amount_non_zero')),
    sa.PrimaryKeyConstraint('entry_id', name=op.f('pk_balance_ledger')),
    sa.UniqueConstraint('kind', 'reference_id', name=op.f('uq_balance_ledger_kind_reference_id'))
    )
    with op.batch_alter_table('balance_ledger', schema=None) as batch_op:
        batch_op.create_index('ix_balance_ledger_buyer', ['buyer_id', 'entry_id'], unique=False)

    op.create_table('closed_pay_orders',
    sa.Column('pay_order_id', sa.String(length=64), nullable=False),
    sa.Column('order_id', sa.String(length=64), nullable=False),
    sa.Column('closed_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('pay_order_id', name=op.f('pk_closed_pay_orders'))
    )
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

    op.create_table('pay_order_locks',
    sa.Column('pay_order_id', sa.String(length=64), nullable=False),
    sa.Column('payment_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('pay_order_id', name=op.f('pk_pay_order_locks'))
    )
    with op.batch_alter_table('pay_order_locks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pay_order_locks_payment_id'), ['payment_id'], unique=False)

    op.create_table('payments',
    sa.Column('payment_id', sa.String(length=64), nullable=False),
    sa.Column('buyer_id', sa.String(length=64), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('method', sa.Integer(), nullable=False),
    sa.Column('current_attempt_id', sa.String(length=64), nullable=False),
    sa.Column('winning_attempt_id', sa.String(length=64), nullable=False),
    sa.Column('captured_amount', sa.BigInteger(), nullable=False),
    sa.Column('refunded_amount', sa.BigInteger(), nullable=False),
    sa.Column('settled_refund_amount', sa.BigInteger(), nullable=False),
    sa.Column('close_reason', sa.Text(), nullable=False),
    sa.Column('created_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('succeeded_at', zhongtai.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', zhongtai.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_payments_amount_positive')),
    sa.CheckConstraint('captured_amount >= 0', name=op.f('ck_payments_captured_non_negative')),
    sa.CheckConstraint('refunded_amount <= captured_amount', name=op.f('ck_payments_refunded_within_captured')),
    sa.CheckConstraint('refunded_amount >= 0', name=op.f('ck_payments_refunded_non_negative')),
    sa.CheckConstraint('settled_refund_amount >= 0 AND settled_refund_amount <= refunded_amount', name=op.f('ck_payments_settled_within_refunded')),
    sa.PrimaryKeyConstraint('payment_id', name=op.f('pk_payments'))
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_buyer_id'), ['buyer_id'], unique=False)

    op.create_table('processed_notifications',
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('notification_key', sa.String(length=200), nullable=False),
    sa.Column('attempt_id', sa.String(length=64), nullable=False),
    sa.Column('refund_id', sa.String(length=64), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.Column('received_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('channel', 'notification_key', name=op.f('pk_processed_notifications'))
    )
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

    op.create_table('payment_attempts',
    sa.Column('attempt_id', sa.String(length=64), nullable=False),
    sa.Column('payment_id', sa.String(length=64), nullable=False),
    sa.Column('method', sa.Integer(), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('paid_amount', sa.BigInteger(), nullable=False),
    sa.Column('refunded_amount', sa.BigInteger(), nullable=False),
    sa.Column('channel_transaction_id', sa.String(length=128), nullable=False),
    sa.Column('pay_url', sa.Text(), nullable=False),
    sa.Column('close_requested', sa.Boolean(), nullable=False),
    sa.Column('next_check_at', zhongtai.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('check_count', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('paid_at', zhongtai.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', zhongtai.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_payment_attempts_amount_positive')),
    sa.CheckConstraint('paid_amount >= 0', name=op.f('ck_payment_attempts_paid_non_negative')),
    sa.CheckConstraint('refunded_amount >= 0 AND refunded_amount <= paid_amount', name=op.f('ck_payment_attempts_refunded_within_paid')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.payment_id'], name=op.f('fk_payment_attempts_payment_id_payments')),
    sa.PrimaryKeyConstraint('attempt_id', name=op.f('pk_payment_attempts'))
    )
    with op.batch_alter_table('payment_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_payment_attempts_check', ['status', 'next_check_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_attempts_payment_id'), ['payment_id'], unique=False)

    op.create_table('payment_parts',
    sa.Column('payment_id', sa.String(length=64), nullable=False),
    sa.Column('pay_order_id', sa.String(length=64), nullable=False),
    sa.Column('order_id', sa.String(length=64), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_payment_parts_amount_positive')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.payment_id'], name=op.f('fk_payment_parts_payment_id_payments')),
    sa.PrimaryKeyConstraint('payment_id', 'pay_order_id', name=op.f('pk_payment_parts'))
    )
    with op.batch_alter_table('payment_parts', schema=None) as batch_op:
        batch_op.create_index('ix_payment_parts_pay_order', ['pay_order_id', 'payment_id'], unique=False)

    op.create_table('refunds',
    sa.Column('refund_id', sa.String(length=64), nullable=False),
    sa.Column('payment_id', sa.String(length=64), nullable=False),
    sa.Column('attempt_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('request_id', sa.String(length=200), nullable=False),
    sa.Column('submitted_at', zhongtai.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', zhongtai.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('settled_at', zhongtai.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_refunds_amount_positive')),
    sa.ForeignKeyConstraint(['attempt_id'], ['payment_attempts.attempt_id'], name=op.f('fk_refunds_attempt_id_payment_attempts')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.payment_id'], name=op.f('fk_refunds_payment_id_payments')),
    sa.PrimaryKeyConstraint('refund_id', name=op.f('pk_refunds')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_refunds_dedupe_key'))
    )
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.create_index('ix_refunds_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_refunds_payment_id'), ['payment_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refunds_payment_id'))
        batch_op.drop_index('ix_refunds_due')

    op.drop_table('refunds')
    with op.batch_alter_table('payment_parts', schema=None) as batch_op:
        batch_op.drop_index('ix_payment_parts_pay_order')

    op.drop_table('payment_parts')
    with op.batch_alter_table('payment_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_attempts_payment_id'))
        batch_op.drop_index('ix_payment_attempts_check')

    op.drop_table('payment_attempts')
    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.drop_index('ix_timers_due')

    op.drop_table('timers')
    op.drop_table('processed_notifications')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_buyer_id'))

    op.drop_table('payments')
    with op.batch_alter_table('pay_order_locks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pay_order_locks_payment_id'))

    op.drop_table('pay_order_locks')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_pending')

    op.drop_table('outbox')
    op.drop_table('inbox')
    op.drop_table('idempotency')
    op.drop_table('closed_pay_orders')
    with op.batch_alter_table('balance_ledger', schema=None) as batch_op:
        batch_op.drop_index('ix_balance_ledger_buyer')

    op.drop_table('balance_ledger')
    op.drop_table('balance_accounts')
