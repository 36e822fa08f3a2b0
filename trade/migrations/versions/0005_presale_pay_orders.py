"""presale pay orders

Revision ID: trade_0005
Revises: trade_0004
Create Date: 2026-11-22 04:23:08.971258
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zhongtai.db  # custom column types

revision: str = 'trade_0005'
down_revision: str | None = 'trade_0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('pay_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('balance_start', zhongtai.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('balance_end', zhongtai.db.UTCDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('pay_orders', schema=None) as batch_op:
        batch_op.drop_column('balance_end')
        batch_op.drop_column('balance_start')
        batch_op.drop_column('kind')

