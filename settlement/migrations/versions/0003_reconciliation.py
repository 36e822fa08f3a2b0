"""reconciliation: channel transactions and daily reports

Revision ID: settlement_0003
Revises: settlement_0002
Create Date: 2026-12-01 22:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zhongtai.db

revision: str = 'settlement_0003'
down_revision: str | None = 'settlement_0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('channel_transactions',
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('type', sa.String(length=8), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('channel_transaction_id', sa.String(length=128), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('occurred_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.PrimaryKeyConstraint('channel', 'type', 'reference', name=op.f('pk_channel_transactions'))
    )
    with op.batch_alter_table('channel_transactions', schema=None) as batch_op:
        batch_op.create_index('ix_channel_transactions_day', ['channel', 'day'], unique=False)

    op.create_table('reconciliations',
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('request_id', sa.String(length=128), nullable=False),
    sa.Column('matched', sa.Integer(), nullable=False),
    sa.Column('differences', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=160), nullable=False),
    sa.PrimaryKeyConstraint('channel', 'day', name=op.f('pk_reconciliations'))
    )


def downgrade() -> None:
    op.drop_table('reconciliations')
    with op.batch_alter_table('channel_transactions', schema=None) as batch_op:
        batch_op.drop_index('ix_channel_transactions_day')

    op.drop_table('channel_transactions')
