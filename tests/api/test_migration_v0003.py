"""Migration v0003 carries a database of the initial schema forward with its keys intact."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

import api.db
from api.auth import Role, authenticate, create_key
from api.db import make_engine, make_session_factory, upgrade_database
from api.models import ApiKey


def test_initial_schema_database_upgrades_and_its_keys_still_work(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/old.db")
    config = Config()
    config.set_main_option("script_location", str(Path(api.db.__file__).parent / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "v0001")
    assert "revoked_at" not in {c["name"] for c in inspect(engine).get_columns("api_keys")}
    with engine.begin() as connection:
        # A key row as the initial schema stores it (no revocation columns yet).
        connection.exec_driver_sql(
            "INSERT INTO api_keys (key_id, key_hash, role, accounts, label, created_at)"
            " VALUES ('00000000abcd', 'x', 'admin', '[]', '', '2026-01-01 00:00:00')"
        )
    upgrade_database(engine)
    columns = {c["name"] for c in inspect(engine).get_columns("api_keys")}
    assert {"revoked_at", "revoked_by"} <= columns
    assert {"rejected_digest", "invalid_slot"} <= {
        c["name"] for c in inspect(engine).get_columns("proofs")
    }
    assert "rate_windows" in inspect(engine).get_table_names()
    with make_session_factory(engine)() as session:
        # Through v0002 (tenancy) too: a venue key now names its venue.
        key, _ = create_key(session=session, role=Role.VENUE, accounts=[], venue="venue-a")
        session.commit()
        found = authenticate(session, key)
        assert found is not None and found.role is Role.VENUE
        old = session.get(ApiKey, "00000000abcd")
        assert old is not None and old.role == "admin" and old.revoked_at is None
    engine.dispose()
