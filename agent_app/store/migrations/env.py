"""Alembic environment: always run on a connection handed over by agent_app.store.db."""

from alembic import context
from sqlmodel import SQLModel

from agent_app.store import models  # noqa: F401  (registers the tables on SQLModel.metadata)

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("migrations run only through agent_app.store.db.open_database")



def include_object(obj, name, type_, reflected, compare_to):
    # The FTS5 search index (worker_search*) is made by hand in 0001: not a model.
    return not (type_ == "table" and name.startswith("worker_search"))


# render_as_batch: SQLite can only alter tables by copying them; Alembic does that for us.
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
