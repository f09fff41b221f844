"""Migration v0008 carries a v0007 database forward: its signing keys stay in force."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

import api.db
from api.auth import Principal, Role
from api.db import make_engine, make_session_factory, upgrade_database
from api.models import OracleSigningKey
from api.services.signing_keys import revoke_signing_key
from api.writer import GroupCommitter

SIGNER = "0123456789abcdef0123456789abcdef"


def test_v0007_signing_key_upgrades_in_force_and_can_then_be_revoked(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/old.db")
    config = Config()
    config.set_main_option("script_location", str(Path(api.db.__file__).parent / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "v0007")
    columns = {c["name"] for c in inspect(engine).get_columns("oracle_signing_keys")}
    assert "revoked_at" not in columns
    with engine.begin() as connection:
        # An oracle key and its signing key as v0007 stores them (no revocation columns).
        connection.exec_driver_sql(
            "INSERT INTO api_keys (key_id, key_hash, role, accounts, label, created_at, markets)"
            " VALUES ('00000000abcd', 'x', 'oracle', '[]', '', '2026-01-01 00:00:00', '[]')"
        )
        connection.exec_driver_sql(
            "INSERT INTO oracle_signing_keys (signer_key_id, public_key, api_key_id,"
            " registered_by, registered_at) VALUES"
            f" ('{SIGNER}', 'pem', '00000000abcd', 'admin', '2026-01-01 00:00:00')"
        )
    upgrade_database(engine)
    columns = {c["name"] for c in inspect(engine).get_columns("oracle_signing_keys")}
    assert {"revoked_at", "revoked_by"} <= columns
    sessions = make_session_factory(engine)
    with sessions() as session:
        kept = session.get(OracleSigningKey, SIGNER)
        assert kept is not None and kept.api_key_id == "00000000abcd"
        assert kept.revoked_at is None and kept.revoked_by is None
    writer = GroupCommitter(sessions)
    try:
        admin = Principal(key_id="0000000admin", role=Role.ADMIN, accounts=frozenset())
        record, newly = revoke_signing_key(writer=writer, principal=admin, signer=SIGNER)
    finally:
        writer.close()
    assert newly and record.revoked_by == "0000000admin"
    with sessions() as session:
        stored = session.get(OracleSigningKey, SIGNER)
        assert stored is not None and stored.revoked_at is not None
    engine.dispose()
