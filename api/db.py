"""Engines and sessions: SQLite in WAL mode with synchronous=FULL, or PostgreSQL.

Writes are acknowledged only after their transaction commits, and both settings
make a commit durable: SQLite fsyncs the WAL on every commit with
``synchronous=FULL``; PostgreSQL's default ``synchronous_commit=on`` flushes its WAL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from algebra.errors import ZkError

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


class DatabaseUnavailableError(ZkError):
    """A database URL is malformed, names a driver that is not installed, or cannot be opened."""


def _shown(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        scheme = url.split("://", 1)[0] if "://" in url else "?"
        return f"{scheme}://… (unparsable)"


def _first_line(error: BaseException) -> str:
    cause = getattr(error, "orig", None) or error
    text = str(cause).strip().splitlines()
    return text[0] if text else type(cause).__name__


def open_database(url: str, *, migrate: bool = True) -> Engine:
    """Return an engine for ``url`` after one connection (and the migrations) succeeded.

    Raises:
        DatabaseUnavailableError: one line naming the URL (password hidden) and the reason.
    """
    try:
        engine = make_engine(url)
    except (ArgumentError, NoSuchModuleError, ImportError, ValueError) as error:
        raise DatabaseUnavailableError(
            f"unusable database URL {_shown(url)}: {_first_line(error)}"
        ) from None
    try:
        if migrate:
            upgrade_database(engine)
        else:
            with engine.connect():
                pass
    except DBAPIError as error:
        engine.dispose()
        raise DatabaseUnavailableError(
            f"cannot open database {_shown(url)}: {_first_line(error)}"
        ) from None
    return engine
