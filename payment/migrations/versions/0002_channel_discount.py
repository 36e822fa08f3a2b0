"""channel discount

Revision ID: payment_0002
Revises: payment_0001
Create Date: 2026-11-22 04:12:25.926164
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zhongtai.db  # noqa: F401  (custom column types)

revision: str = 'payment_0002'
down_revision: str | None = 'payment_0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('payment_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel_discount_amount', sa.BigInteger(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('payment_attempts', schema=None) as batch_op:
        batch_op.drop_column('channel_discount_amount')

