"""Alembic environment shared by every service (one copy).

Run through ``zhongtai.migrate``, which passes the service's MetaData and a
live connection in ``config.attributes``; each service keeps its revisions in
``<service>/migrations/versions``.
"""

from __future__ import annotations

from alembic import context

config = context.config
connection = config.attributes["connection"]
metadata = config.attributes["metadata"]

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    user_module_prefix="zhongtai.db.",
)
with context.begin_transaction():
    context.run_migrations()
