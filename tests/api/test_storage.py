"""Storage: migrated schema equals the models, append-only audit log, durable SQLite."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError

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


def _upgrade_to(engine: Any, revision: str) -> None:
    from pathlib import Path

    from alembic import command
    from alembic.config import Config

    import api.db

    config = Config()
    config.set_main_option("script_location", str(Path(api.db.__file__).parent / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _v0001_rows(connection: Any, vk_json: str) -> None:
    """Insert what a v0001 service would have stored: keys, a circuit, state and proofs."""
    now = "2026-01-01 00:00:00"
    for key_id, role in (("venuekey0001", "venue"), ("oraclekey001", "oracle")):
        connection.execute(
            text("INSERT INTO api_keys VALUES (:k, :h, :r, '[]', 'old', :t)"),
            {"k": key_id, "h": "0" * 64, "r": role, "t": now},
        )
    connection.execute(
        text("INSERT INTO circuits VALUES ('m', :vk, 4, :yes, '', :t)"),
        {"vk": vk_json, "yes": True, "t": now},
    )
    connection.execute(
        text("INSERT INTO snapshots VALUES (3, '{\"timestamp\": 1}', '77', :t)"), {"t": now}
    )
    for account, value in (("acct-1", "11"), ("acct-2", "22")):
        connection.execute(
            text("INSERT INTO commitments VALUES (:a, 3, :c, :t)"),
            {"a": account, "c": value, "t": now},
        )
    connection.execute(
        text(
            "INSERT INTO proofs (account_id, epoch, circuit_id, public_inputs, proof,"
            " statement_digest, accepted_digest, valid, requirement_kind, buffer_ppm,"
            " submitted_by, created_at) VALUES ('acct-1', 3, 'm', '[\"11\",\"77\",\"0\","
            "\"1000000\"]', '{}', :d, :d, :yes, 0, 1000000, 'traderkey001', :t)"
        ),
        {"d": "d" * 64, "yes": True, "t": now},
    )


def test_a_v0001_database_with_data_upgrades_and_keeps_its_verdicts(database_url: str) -> None:
    import json

    from api.models import Account, ApiKey, Circuit, CircuitPolicy, Epoch
    from api.services.status import account_status
    from tests.api.fixtures import SimulatingKey

    key = SimulatingKey.generate(seed=21)
    engine = make_engine(database_url)
    try:
        _upgrade_to(engine, "v0001")
        with engine.begin() as connection:
            _v0001_rows(connection, json.dumps(key.vk_json))
        upgrade_database(engine)
        with make_session_factory(engine)() as session:
            keys = {k.role: k for k in session.query(ApiKey)}
            assert keys["venue"].venue_id == "default" and keys["oracle"].markets == '["default"]'
            accounts = {a.account_id: a.venue_id for a in session.query(Account)}
            assert accounts == {"acct-1": "default", "acct-2": "default"}
            assert [(e.epoch, e.market) for e in session.query(Epoch)] == [(3, "default")]
            circuit = session.get(Circuit, "m")
            assert circuit is not None and circuit.provenance == "dev"
            assert json.loads(circuit.provenance_record)["method"] == "migrated"
            policy = session.query(CircuitPolicy).one()
            assert (policy.circuit_id, policy.from_epoch, policy.to_epoch) == ("m", 3, 3)
            status = account_status(session=session, account_id="acct-1", epoch=3)
            assert status.status == "compliant" and status.verdict.circuit_id == "m"
            assert status.verdict.unsafe is True
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(
                text("INSERT INTO commitments VALUES ('acct-3', 3, '11', '2026-01-01', NULL)")
            )
    finally:
        engine.dispose()


def test_upgrade_refuses_one_commitment_for_two_accounts(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        _upgrade_to(engine, "v0001")
        with engine.begin() as connection:
            for account in ("acct-1", "acct-2"):
                connection.execute(
                    text("INSERT INTO commitments VALUES (:a, 4, '5', '2026-01-01 00:00:00')"),
                    {"a": account},
                )
        with pytest.raises(RuntimeError, match="epoch 4 has one commitment value registered"):
            upgrade_database(engine)
    finally:
        engine.dispose()
