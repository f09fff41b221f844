"""Migration v0007 carries a v0006 database's solvency bundles forward: an epoch whose
bundles all name one circuit gets that circuit declared for it (their verdicts keep counting,
``declared: true``); an epoch with bundles under two circuits gets none (``declared: false``,
no new bundle until the admin declares one). On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect, select, text

import api.db
from api.db import make_engine, make_session_factory, upgrade_database
from api.models import RegistryFreeze, SolvencyCircuitPolicy, SolvencyRecord
from api.services.solvency import summary_of
from api.services.solvency_policy import declared_solvency_circuit
from tests.api.fixtures import SimulatingKey
from verifier.snarkjs_json import verifying_key_from_json

NOW = datetime(2026, 1, 1, tzinfo=UTC)
STATEMENT = {"commitments": ["1"], "n_chunks": 1, "snapshot_hash": "7"}
TOTALS = {"liabilities": "1", "deficit": "0", "at_risk": "0", "maintenance": "0",
          "initial": "0", "count": "1"}  # fmt: skip


def _at_v0006(url: str) -> Engine:
    engine = make_engine(url)
    config = Config()
    config.set_main_option("script_location", str(Path(api.db.__file__).parent / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "v0006")
    assert "solvency_circuit_policy" not in inspect(engine).get_table_names()
    return engine


def _fingerprint(key: SimulatingKey) -> str:
    return verifying_key_from_json(key.vk_json).fingerprint()


def _insert(
    engine: Engine, keys: dict[str, SimulatingKey], bundles: list[tuple[str, int, str]]
) -> None:
    """Insert circuits and (venue, epoch, circuit) bundles over frozen registries, as v0006
    stored them."""
    with engine.begin() as connection:
        for circuit_id, key in keys.items():
            connection.execute(
                text("INSERT INTO circuits (circuit_id, verifying_key, n_public, margin,"
                     " description, created_at) VALUES (:c, :vk, 4, :m, '', :at)"),
                {"c": circuit_id, "vk": json.dumps(key.vk_json), "m": False, "at": NOW},
            )  # fmt: skip
        for venue, epoch, circuit_id in bundles:
            connection.execute(
                text("INSERT INTO registry_freezes VALUES (:v, :e, :at, 'k', 1, :sha)"),
                {"v": venue, "e": epoch, "at": NOW, "sha": "ab" * 32},
            )
            connection.execute(
                text("INSERT INTO solvency_bundles VALUES (:v, :e, :c, :fp, :st, '[]', '9',"
                     " :tot, '5', '0', 'SOLVENT', 'k', :at)"),
                {"v": venue, "e": epoch, "c": circuit_id, "fp": "fp", "st": json.dumps(STATEMENT),
                 "tot": json.dumps(TOTALS), "at": NOW},
            )  # fmt: skip


def test_v0006_bundles_get_their_one_circuit_declared(database_url: str) -> None:
    engine = _at_v0006(database_url)
    one, two = SimulatingKey.generate(4, seed=51), SimulatingKey.generate(4, seed=52)
    _insert(engine, {"sol-a": one, "sol-b": two},
            [("venue-a", 1, "sol-a"), ("venue-b", 1, "sol-a"),
             ("venue-a", 2, "sol-a"), ("venue-b", 2, "sol-b")])  # fmt: skip
    upgrade_database(engine)
    with make_session_factory(engine)() as session:
        rows = session.scalars(select(SolvencyCircuitPolicy)).all()
        assert [(r.circuit_id, r.from_epoch, r.to_epoch, r.declared_by) for r in rows] == [
            ("sol-a", 1, 1, "migration")
        ]
        assert rows[0].fingerprint == _fingerprint(one)
        assert declared_solvency_circuit(session, 2) is None
        # The stored bundles are unchanged; fix their fingerprints to the keys' to read them.
        for record in session.scalars(select(SolvencyRecord)).all():
            record.fingerprint = _fingerprint(one if record.circuit_id == "sol-a" else two)
        session.flush()
        assert session.get(RegistryFreeze, ("venue-a", 1)) is not None
        declared = {
            (r.venue_id, r.epoch): summary_of(session, r).declared
            for r in session.scalars(select(SolvencyRecord)).all()
        }
        session.rollback()
    assert declared == {("venue-a", 1): True, ("venue-b", 1): True,
                        ("venue-a", 2): False, ("venue-b", 2): False}  # fmt: skip
    engine.dispose()


def test_v0006_without_bundles_upgrades_to_an_empty_policy(database_url: str) -> None:
    engine = _at_v0006(database_url)
    upgrade_database(engine)
    with make_session_factory(engine)() as session:
        assert session.scalars(select(SolvencyCircuitPolicy)).all() == []
    engine.dispose()
