"""Alembic environment: migrates the connection handed over by :func:`api.db.upgrade_database`.

Run programmatically (``zkm serve`` and ``create_app`` do it at startup); when run
from the ``alembic`` command instead, the URL comes from ``ZKM_DATABASE_URL``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from api.models import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from api.db import make_engine
    from api.settings import Settings

    engine = make_engine(Settings().database_url)
    with engine.begin() as fresh:
        _run(fresh)
    engine.dispose()


_main()
