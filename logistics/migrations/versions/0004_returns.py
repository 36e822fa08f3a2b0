"""returns: after-sales' ROLE_RETURN logistics orders (application, warehouse, from)

Revision ID: logistics_0004
Revises: logistics_0003
Create Date: 2026-12-01 21:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'logistics_0004'
down_revision: str | None = 'logistics_0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('logistics_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('application_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('warehouse_id', sa.String(length=64), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('return_from', sa.Text(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_logistics_orders_application_id'), ['application_id'])


def downgrade() -> None:
    with op.batch_alter_table('logistics_orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_logistics_orders_application_id'),
                                 type_='unique')
        batch_op.drop_column('return_from')
        batch_op.drop_column('warehouse_id')
        batch_op.drop_column('application_id')
