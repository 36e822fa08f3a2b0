"""promotion budgets (budget, budget_used, promotion_budget_usage)

Revision ID: promotion_0002
Revises: promotion_0001
Create Date: 2026-11-22 03:24:01.889460
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zhongtai.db

revision: str = 'promotion_0002'
down_revision: str | None = 'promotion_0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BUDGET_CHECK = 'ck_promotions_budget_used_within_budget'
BUDGET_CHECK_SQL = 'budget_used >= 0 AND (budget IS NULL OR budget_used <= budget)'


def upgrade() -> None:
    op.create_table('promotion_budget_usage',
    sa.Column('promotion_id', sa.String(length=64), nullable=False),
    sa.Column('order_id', sa.String(length=64), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('created_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_promotion_budget_usage_amount_positive')),
    sa.ForeignKeyConstraint(['promotion_id'], ['promotions.promotion_id'], name=op.f('fk_promotion_budget_usage_promotion_id_promotions')),
    sa.PrimaryKeyConstraint('promotion_id', 'order_id', name=op.f('pk_promotion_budget_usage'))
    )
    with op.batch_alter_table('promotion_budget_usage', schema=None) as batch_op:
        batch_op.create_index('ix_promotion_budget_usage_order', ['order_id'], unique=False)

    op.add_column('promotions', sa.Column('budget', sa.BigInteger(), nullable=True))
    # The check is not detected by autogenerate. SQLite cannot add a
    # constraint to a table, and copying the table anew (batch mode) would
    # trip the foreign keys of the rows that reference it: there, the check
    # comes with the new column.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(f"ALTER TABLE promotions ADD COLUMN budget_used BIGINT DEFAULT '0' NOT NULL "
                   f"CONSTRAINT {BUDGET_CHECK} CHECK ({BUDGET_CHECK_SQL})")
    else:
        op.add_column('promotions', sa.Column('budget_used', sa.BigInteger(), server_default='0', nullable=False))
        op.create_check_constraint(op.f(BUDGET_CHECK), 'promotions', BUDGET_CHECK_SQL)


def downgrade() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f(BUDGET_CHECK), 'promotions', type_='check')
    op.drop_column('promotions', 'budget_used')
    op.drop_column('promotions', 'budget')
    with op.batch_alter_table('promotion_budget_usage', schema=None) as batch_op:
        batch_op.drop_index('ix_promotion_budget_usage_order')

    op.drop_table('promotion_budget_usage')
