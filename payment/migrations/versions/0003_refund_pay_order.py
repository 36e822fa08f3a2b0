"""refund pay order

Revision ID: payment_0003
Revises: payment_0002
Create Date: 2026-11-22 05:38:03.736235
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zhongtai.db  # noqa: F401  (custom column types)

revision: str = "payment_0003"
down_revision: str | None = "payment_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pay_order_id', sa.String(length=64), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.drop_column('pay_order_id')
