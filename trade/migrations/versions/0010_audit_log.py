"""audit_log: who changed what (zhongtai.audit)

Revision ID: trade_0010
Revises: trade_0009
Create Date: 2026-12-01 19:45:00.000000
"""

from collections.abc import Sequence

from zhongtai.schema import create_audit_log, drop_audit_log

revision: str = 'trade_0010'
down_revision: str | None = 'trade_0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_audit_log()


def downgrade() -> None:
    drop_audit_log()
