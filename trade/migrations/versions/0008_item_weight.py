"""item weight and volume on orders

Revision ID: trade_0008
Revises: trade_0007
Create Date: 2026-11-23 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'trade_0008'
down_revision: str | None = 'trade_0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('biz_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('weight_grams', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('volume_cm3', sa.BigInteger(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('biz_orders', schema=None) as batch_op:
        batch_op.drop_column('volume_cm3')
        batch_op.drop_column('weight_grams')
