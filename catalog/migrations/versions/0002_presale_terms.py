"""presale terms

Revision ID: catalog_0002
Revises: catalog_0001
Create Date: 2026-11-22 04:22:12.797785
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zhongtai.db  # noqa: F401  (custom column types)

revision: str = 'catalog_0002'
down_revision: str | None = 'catalog_0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('item_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('presale', sa.Text(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('item_versions', schema=None) as batch_op:
        batch_op.drop_column('presale')

