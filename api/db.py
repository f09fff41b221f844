"""Engines and sessions: SQLite in WAL mode with synchronous=FULL, or PostgreSQL.

Writes are acknowledged only after their transaction commits, and both settings
make a commit durable: SQLite fsyncs the WAL on every commit with
``synchronous=FULL``; PostgreSQL's default ``synchronous_commit=on`` flushes its WAL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=30000",
)


def make_engine(url: str) -> Engine:
    """Return an engine for ``url`` with the durability settings this service relies on."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=20,
            max_overflow=20,
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        return engine
    # Keep up to 30 connections open (at most 40, as many as the request thread pool can
    # use at once): a connection closed on return and reopened by the next request costs
    # a PostgreSQL backend and a SCRAM handshake, several ms of CPU each, under load.
    return create_engine(url, pool_size=30, max_overflow=10, pool_pre_ping=True)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return the session factory used per request (objects stay readable after commit)."""
    return sessionmaker(engine, expire_on_commit=False)


def upgrade_database(engine: Engine) -> None:
    """Run every Alembic migration in ``api/migrations`` up to head on ``engine``'s database."""
    from pathlib import Path

    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
