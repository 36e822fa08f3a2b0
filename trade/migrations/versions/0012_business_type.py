"""orders' business type (CreateOrderRequest.business_type)

Revision ID: trade_0012
Revises: trade_0011
Create Date: 2026-12-02 01:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'trade_0012'
down_revision: str | None = 'trade_0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Orders written before have no business type: "default".
    op.add_column('biz_orders', sa.Column('business_type', sa.String(length=64),
                                          server_default='default', nullable=False))


def downgrade() -> None:
    op.drop_column('biz_orders', 'business_type')
