"""Migration steps of the plumbing tables every service has (zhongtai.db),
called from each service's own revision so the DDL is written once."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from zhongtai.db import UTCDateTime


def create_audit_log() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  autoincrement=True, nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("subject", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("app", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=200), nullable=False),
        sa.Column("resource_type", sa.String(length=64), nullable=False),
        sa.Column("resource_id", sa.String(length=128), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_resource", "audit_log",
                    ["resource_type", "resource_id", "id"], unique=False)


def drop_audit_log() -> None:
    op.drop_index("ix_audit_log_resource", table_name="audit_log")
    op.drop_table("audit_log")
