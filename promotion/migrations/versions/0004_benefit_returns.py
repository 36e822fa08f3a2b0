"""benefit returns: what each order got back, and after-sales' return requests

Revision ID: promotion_0004
Revises: promotion_0003
Create Date: 2026-12-01 21:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zhongtai.db

revision: str = 'promotion_0004'
down_revision: str | None = 'promotion_0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('benefit_returns',
    sa.Column('order_id', sa.String(length=64), nullable=False),
    sa.Column('points_amount', sa.BigInteger(), nullable=False),
    sa.Column('points', sa.BigInteger(), nullable=False),
    sa.Column('card_amount', sa.BigInteger(), nullable=False),
    sa.Column('coupons_restored', sa.Boolean(), nullable=False),
    sa.Column('updated_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('points_amount >= 0 AND points >= 0 AND card_amount >= 0',
                       name=op.f('ck_benefit_returns_returned_non_negative')),
    sa.PrimaryKeyConstraint('order_id', name=op.f('pk_benefit_returns'))
    )
    op.create_table('benefit_return_requests',
    sa.Column('request_id', sa.String(length=64), nullable=False),
    sa.Column('order_id', sa.String(length=64), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('response', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', zhongtai.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('request_id', name=op.f('pk_benefit_return_requests'))
    )


def downgrade() -> None:
    op.drop_table('benefit_return_requests')
    op.drop_table('benefit_returns')
