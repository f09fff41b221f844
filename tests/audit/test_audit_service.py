"""``zkm audit --service``: pull an epoch from a live in-process service and check it independently.

The service runs under uvicorn on a free loopback port in a thread. Proofs are submitted
through the real API (the service verifies them on the way in); then the database is
tampered with behind the service's back, which only an independent audit can notice.
"""

from __future__ import annotations

import json
import random
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import text

from algebra.backend import get_backend
from algebra.constants import SCALAR_FIELD_R
from api.auth import Role, create_key
from api.client import ZkmClient
from api.main import create_app
from api.models import Epoch, Snapshot, utc_now
from api.settings import Settings
from tests.audit.fixtures import write_vk
from tests.verifier.vectors import ToyKey, toy_key, toy_proofs
from verifier.proof import Proof
from verifier.snarkjs_json import proof_to_json, verifying_key_to_json
from zkmargin.cli import main

EPOCH = 7
ACCOUNTS = [f"acct-{i}" for i in range(12)]


@dataclass
class LiveService:
    """A running service, its keys by role, and its app (for tampering with the database)."""

    url: str
    keys: dict[str, str]
    app: object


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def live_service(tmp_path: Path) -> Iterator[LiveService]:
    """The service on a fresh SQLite database, served by uvicorn in a thread."""
    app = create_app(
        Settings(
            database_url=f"sqlite:///{tmp_path}/zkm.db",
            verifier_backend="native",
            allow_unsafe_keys=True,  # the toy key's trapdoor is known
        )
    )
    keys: dict[str, str] = {}
    with app.state.zkm.sessions() as session:
        for role in (Role.ADMIN, Role.AUDITOR):
            keys[role.value], _ = create_key(session=session, role=role, accounts=[])
        keys["venue"], _ = create_key(session=session, role=Role.VENUE, accounts=[], venue="v")
        keys["trader"], _ = create_key(session=session, role=Role.TRADER, accounts=ACCOUNTS)
        session.commit()
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield LiveService(f"http://127.0.0.1:{port}", keys, app)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _populate(service: LiveService, key: ToyKey) -> tuple[dict[str, int], int]:
    """Register the circuit, snapshot and commitments, submit one proof per account.

    Returns the proof ids by account and the snapshot hash.
    """
    rng = random.Random(11)
    snapshot_hash = rng.randrange(SCALAR_FIELD_R)
    with service.app.state.zkm.sessions() as session:  # type: ignore[attr-defined]
        session.add(Epoch(epoch=EPOCH, market="default", opened_by="test", opened_at=utc_now()))
        session.add(
            Snapshot(
                epoch=EPOCH, snapshot="{}", snapshot_hash=str(snapshot_hash), created_at=utc_now()
            )
        )
        session.commit()
    commitments = {account: rng.randrange(SCALAR_FIELD_R) for account in ACCOUNTS}
    publics = [
        [commitments[a], snapshot_hash, i % 2, 1_000_000 + 150_000 * i]
        for i, a in enumerate(ACCOUNTS)
    ]
    proofs = toy_proofs(get_backend("native"), key, publics, seed=3)
    proofs[2] = Proof(a=proofs[2].a, b=proofs[2].b, c=proofs[3].c)  # invalid from the start
    with ZkmClient(service.url, service.keys["admin"]) as admin:
        admin.register_circuit("margin-v1", verifying_key_to_json(key.vk), margin=True)
        admin.declare_margin_circuit("margin-v1", from_epoch=EPOCH, to_epoch=EPOCH)
        admin.enroll_accounts("v", ACCOUNTS)
    with ZkmClient(service.url, service.keys["venue"]) as venue:
        for account, commitment in commitments.items():
            venue.register_commitment(account, EPOCH, commitment)
    ids: dict[str, int] = {}
    with ZkmClient(service.url, service.keys["trader"]) as trader:
        for account, proof, public in zip(ACCOUNTS, proofs, publics, strict=True):
            record = trader.submit_proof(account, EPOCH, "margin-v1", proof_to_json(proof), public)
            ids[account] = record.proof_id
            assert record.valid == (account != "acct-2")
    return ids, snapshot_hash


def _tamper(service: LiveService, ids: dict[str, int]) -> None:
    """Corrupt two accepted records behind the service's back."""
    engine = service.app.state.zkm.engine  # type: ignore[attr-defined]
    with engine.begin() as connection:
        rows = {
            row.id: (json.loads(row.proof), json.loads(row.public_inputs))
            for row in connection.execute(text("SELECT id, proof, public_inputs FROM proofs"))
        }
        proof5, _ = rows[ids["acct-5"]]
        proof5["pi_c"] = rows[ids["acct-6"]][0]["pi_c"]
        _, public8 = rows[ids["acct-8"]]
        public8[0] = str((int(public8[0]) + 1) % SCALAR_FIELD_R)
        connection.execute(
            text("UPDATE proofs SET proof = :p WHERE id = :i"),
            {"p": json.dumps(proof5), "i": ids["acct-5"]},
        )
        connection.execute(
            text("UPDATE proofs SET public_inputs = :p WHERE id = :i"),
            {"p": json.dumps(public8), "i": ids["acct-8"]},
        )


def test_service_audit_finds_rejected_and_tampered_proofs(
    live_service: LiveService, key: ToyKey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids, snapshot_hash = _populate(live_service, key)
    _tamper(live_service, ids)
    vk = write_vk(tmp_path / "vk.json", key)
    report = tmp_path / "r.json"
    monkeypatch.setenv("ZKM_API_KEY", live_service.keys["auditor"])
    argv = [
        "audit",
        "--vk",
        str(vk),
        "--service",
        live_service.url,
        "--epoch",
        str(EPOCH),
        "--report",
        str(report),
        "--chunk-size",
        "4",
        "-q",
    ]
    assert main(argv) == 1
    data = json.loads(report.read_text())
    found = {entry["id"]: (entry["kind"], entry["service_valid"]) for entry in data["invalid"]}
    assert found == {
        f"proof {ids['acct-2']} (acct-2)": ("verification", False),
        f"proof {ids['acct-5']} (acct-5)": ("verification", True),
        f"proof {ids['acct-8']} (acct-8)": ("statement", True),
    }
    assert "commitment registered for acct-8" in data["invalid"][-1]["reason"]
    assert data["counts"]["valid"] == len(ACCOUNTS) - 3
    assert data["service"]["snapshot_hash"] == str(snapshot_hash)
    assert data["service"]["service_accepted"] == len(ACCOUNTS) - 1
    assert sorted(d["id"] for d in data["service_disagreements"]) == sorted(
        [f"proof {ids['acct-5']} (acct-5)", f"proof {ids['acct-8']} (acct-8)"]
    )
    assert [e["epoch"] for e in data["epochs"]] == [EPOCH]


def test_service_audit_exits_2_for_a_wrong_key_or_role(
    live_service: LiveService, key: ToyKey, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _populate(live_service, key)
    other = write_vk(tmp_path / "other.json", toy_key(get_backend("native"), 4, seed=99))
    base = ["audit", "--service", live_service.url, "--epoch", str(EPOCH), "-q"]
    assert main([*base, "--vk", str(other), "--api-key", live_service.keys["auditor"]]) == 2
    assert "wrong key" in capsys.readouterr().err
    vk = write_vk(tmp_path / "vk.json", key)
    assert main([*base, "--vk", str(vk), "--api-key", live_service.keys["venue"]]) == 2
    assert "403" in capsys.readouterr().err
