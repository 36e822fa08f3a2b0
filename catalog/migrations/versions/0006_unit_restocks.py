"""unit restocks: what after-sales put back on sale per order line

Revision ID: catalog_0006
Revises: catalog_0005
Create Date: 2026-12-01 21:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zhongtai.db

revision: str = 'catalog_0006'
down_revision: str | None = 'catalog_0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('unit_restocks',
    sa.Column('request_id', sa.String(length=64), nullable=False),
    sa.Column('order_id', sa.String(length=64), nullable=False),
    sa.Column('sku_id', sa.String(length=64), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('warehouse_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('request_id', name=op.f('pk_unit_restocks'))
    )
    with op.batch_alter_table('reservation_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('restocked', sa.BigInteger(), server_default='0',
                                      nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_reservation_lines_restocked_within_sold'),
            'restocked >= 0 AND restocked <= quantity')


def downgrade() -> None:
    with op.batch_alter_table('reservation_lines', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_reservation_lines_restocked_within_sold'),
                                 type_='check')
        batch_op.drop_column('restocked')

    op.drop_table('unit_restocks')
