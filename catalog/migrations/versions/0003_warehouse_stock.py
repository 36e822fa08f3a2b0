"""warehouse stock

Revision ID: catalog_0003
Revises: catalog_0002
Create Date: 2026-11-22 05:16:34.434449
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zhongtai.db

revision: str = 'catalog_0003'
down_revision: str | None = 'catalog_0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('warehouse_stock',
    sa.Column('sku_id', sa.String(length=64), nullable=False),
    sa.Column('warehouse_id', sa.String(length=64), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('quantity >= 0', name=op.f('ck_warehouse_stock_quantity_non_negative')),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.sku_id'], name=op.f('fk_warehouse_stock_sku_id_skus')),
    sa.PrimaryKeyConstraint('sku_id', 'warehouse_id', name=op.f('pk_warehouse_stock'))
    )
    with op.batch_alter_table('warehouse_stock', schema=None) as batch_op:
        batch_op.create_index('ix_warehouse_stock_warehouse', ['warehouse_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('warehouse_stock', schema=None) as batch_op:
        batch_op.drop_index('ix_warehouse_stock_warehouse')

    op.drop_table('warehouse_stock')
