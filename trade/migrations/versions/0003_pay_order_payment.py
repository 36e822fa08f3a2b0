"""pay orders record their payment

Revision ID: trade_0003
Revises: trade_0002
Create Date: 2026-11-22 03:34:34.209413
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zhongtai.db

revision: str = 'trade_0003'
down_revision: str | None = 'trade_0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('pay_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payment_id', sa.String(length=64), server_default='', nullable=False))
        batch_op.add_column(sa.Column('paid_at', zhongtai.db.UTCDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('pay_orders', schema=None) as batch_op:
        batch_op.drop_column('paid_at')
        batch_op.drop_column('payment_id')

