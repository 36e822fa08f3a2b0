"""refunds.channel_discount_amount: of a refund (order money), the channel's
instant discount it returns (the buyer gets the rest)

Revision ID: payment_0006
Revises: payment_0005
Create Date: 2026-12-02 02:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'payment_0006'
down_revision: str | None = 'payment_0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel_discount_amount', sa.BigInteger(),
                                      server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.drop_column('channel_discount_amount')
