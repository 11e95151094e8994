"""Alembic environment of the central database: always run on a connection handed over by
central_server.db.init_db (SQLite or PostgreSQL)."""

from alembic import context

from central_server.models import ServerModel

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("migrations run only through central_server.db.init_db")

# render_as_batch: SQLite can only alter tables by copying them; Alembic does that for us
# (and emits plain ALTER TABLE on PostgreSQL).
context.configure(connection=connection, target_metadata=ServerModel.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
