"""channel instant discounts: each order payment's share of its channel discount

Revision ID: settlement_0005_chdisc
Revises: settlement_0004
Create Date: 2026-12-02 01:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zhongtai.db  # noqa: F401  (custom column types)

revision: str = 'settlement_0005_chdisc'
down_revision: str | None = 'settlement_0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('order_payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel_discount', sa.BigInteger(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('order_payments', schema=None) as batch_op:
        batch_op.drop_column('channel_discount')
