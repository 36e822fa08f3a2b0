"""pay order freight

Revision ID: trade_0006
Revises: trade_0005
Create Date: 2026-11-22 04:37:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'trade_0006'
down_revision: str | None = 'trade_0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('pay_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('freight_amount', sa.BigInteger(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('pay_orders', schema=None) as batch_op:
        batch_op.drop_column('freight_amount')
