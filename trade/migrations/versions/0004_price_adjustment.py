"""price adjustment

Revision ID: trade_0004
Revises: trade_0003
Create Date: 2026-11-22 04:00:28.294891
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zhongtai.db  # noqa: F401  (custom column types)

revision: str = 'trade_0004'
down_revision: str | None = 'trade_0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('biz_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('adjust_amount', sa.BigInteger(), server_default='0', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('biz_orders', schema=None) as batch_op:
        batch_op.drop_column('adjust_amount')

