"""Alembic environment: always run on a connection handed over by agent_app.store.db."""

from alembic import context
from sqlmodel import SQLModel

from agent_app.store import models  # noqa: F401  (registers the tables on SQLModel.metadata)

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("migrations run only through agent_app.store.db.open_database")

# render_as_batch: SQLite can only alter tables by copying them; Alembic does that for us.
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
