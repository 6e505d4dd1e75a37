"""Alembic environment: runs on the connection cmconsole hands it, or on a URL for authoring."""

import os

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

from cmconsole.storage import tables  # noqa: F401  (registers the tables on the metadata)
from cmconsole.storage.engine import create_workspace_engine

config = context.config
target_metadata = SQLModel.metadata


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


given = config.attributes.get("connection")
if given is not None:
    run_on(given)
else:
    # `alembic revision --autogenerate` from the repository root, against CMCONSOLE_DATABASE_URL.
    url = os.environ.get("CMCONSOLE_DATABASE_URL", "sqlite:///migrations-authoring.db")
    with create_workspace_engine(url).begin() as authoring_connection:
        run_on(authoring_connection)
