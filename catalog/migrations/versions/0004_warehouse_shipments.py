"""warehouse shipments

Revision ID: catalog_0004
Revises: catalog_0003
Create Date: 2026-12-01 18:01:30.243884
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zhongtai.db

revision: str = 'catalog_0004'
down_revision: str | None = 'catalog_0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('warehouse_shipments',
    sa.Column('package_id', sa.String(length=64), nullable=False),
    sa.Column('sku_id', sa.String(length=64), nullable=False),
    sa.Column('warehouse_id', sa.String(length=64), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('applied', sa.Boolean(), nullable=False),
    sa.Column('created_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('package_id', 'sku_id', 'warehouse_id', name=op.f('pk_warehouse_shipments'))
    )
    with op.batch_alter_table('stock', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shipped', sa.BigInteger(), server_default='0', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('stock', schema=None) as batch_op:
        batch_op.drop_column('shipped')

    op.drop_table('warehouse_shipments')
