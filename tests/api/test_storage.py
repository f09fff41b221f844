"""Storage: migrated schema equals the models, append-only audit log, durable SQLite."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from api.auth import Role, create_key
from api.db import make_engine, make_session_factory, upgrade_database
from api.models import Base
from api.services.audit import record_write


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade_database(engine)
        upgrade_database(engine)  # a second run is a no-op
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
            tables = set(inspect(connection).get_table_names())
        assert differences == []
        assert set(Base.metadata.tables) <= tables
    finally:
        engine.dispose()


def test_audit_log_refuses_update_and_delete(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade_database(engine)
        with make_session_factory(engine)() as session:
            _, principal = create_key(session=session, role=Role.ADMIN, accounts=[])
            record_write(
                session=session,
                key_id=principal.key_id,
                role="admin",
                action="test.write",
                target="t",
                detail={},
            )
            session.commit()
        for statement in ("UPDATE audit_log SET action = 'forged'", "DELETE FROM audit_log"):
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
                connection.execute(text(statement))
        with engine.connect() as connection:
            assert connection.execute(text("SELECT action FROM audit_log")).scalars().all() == [
                "test.write"
            ]
    finally:
        engine.dispose()


def test_sqlite_runs_in_wal_mode_with_full_sync(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
    finally:
        engine.dispose()


def test_writer_restarts_after_the_app_is_shut_down(sqlite_url: str) -> None:
    from fastapi.testclient import TestClient

    from api.main import create_app
    from api.settings import Settings

    from tests.api.conftest import VENUE, seed_tenancy

    app = create_app(Settings(database_url=sqlite_url, verifier_backend="native"))
    with app.state.zkm.sessions() as session:
        seed_tenancy(session)
        venue, _ = create_key(session=session, role=Role.VENUE, accounts=[], venue=VENUE)
        session.commit()
    headers = {"Authorization": f"Bearer {venue}"}
    for epoch in (1, 2):  # each `with` runs the lifespan: start, then shut down the writer
        with TestClient(app) as client:
            body = {"account_id": "acct-1", "epoch": epoch, "commitment": "5"}
            assert client.post("/v1/commitments", json=body, headers=headers).status_code == 201
