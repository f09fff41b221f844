"""``zkm audit --service``: pull an epoch from a live in-process service and check it independently.

The service runs under uvicorn on a free loopback port in a thread. A real market snapshot
is posted by the oracle and proofs are submitted through the real API (the service verifies
them on the way in); then the database is tampered with behind the service's back, or the
service colludes from the start (the real snapshot stored under another snapshot's hash),
which only an independent audit — re-hashing the snapshot itself — can notice. Coverage is
per registered account: valid, invalid and missing, with the missing ones named.
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
from api.services.snapshots import canonical_snapshot
from api.settings import Settings
from tests.api.fixtures import tiny_snapshot_json
from tests.audit.fixtures import write_vk
from tests.audit.test_audit_html import Elements, dump_dom
from tests.conftest import require_executable
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
            allow_unsigned_snapshots=True,  # hand-made snapshots (signed: another file)
        )
    )
    keys: dict[str, str] = {}
    with app.state.zkm.sessions() as session:
        for role in (Role.ADMIN, Role.AUDITOR):
            keys[role.value], _ = create_key(session=session, role=role, accounts=[])
        keys["oracle"], _ = create_key(
            session=session, role=Role.ORACLE, accounts=[], markets=["default"]
        )
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


def _other_snapshot_json() -> dict[str, object]:
    """The epoch's snapshot at other prices (a mark 10 % lower): another valid snapshot."""
    other = tiny_snapshot_json(EPOCH)
    instruments = other["instruments"]
    assert isinstance(instruments, list)
    instruments[0]["mark_price"] = instruments[0]["mark_price"] * 9 // 10
    return other


def _post_snapshot(service: LiveService, *, colluding: bool) -> int:
    """Post the epoch's real snapshot; return the hash proofs must carry to be accepted.

    An honest service stores the real snapshot's hash. A colluding one stores the real
    snapshot's body under the hash of another snapshot, so that proofs made at the other
    prices match its records while everything it serves looks like the real snapshot.
    """
    if not colluding:
        with ZkmClient(service.url, service.keys["admin"]) as admin:
            admin.open_epoch(EPOCH)
        with ZkmClient(service.url, service.keys["oracle"]) as oracle:
            return int(oracle.post_snapshot(EPOCH, tiny_snapshot_json(EPOCH)).snapshot_hash)
    content, _ = canonical_snapshot(tiny_snapshot_json(EPOCH))
    _, other_hash = canonical_snapshot(_other_snapshot_json())
    with service.app.state.zkm.sessions() as session:  # type: ignore[attr-defined]
        session.add(Epoch(epoch=EPOCH, market="default", opened_by="test", opened_at=utc_now()))
        session.add(
            Snapshot(
                epoch=EPOCH, snapshot=content, snapshot_hash=str(other_hash), created_at=utc_now()
            )
        )
        session.commit()
    return other_hash


def _populate(
    service: LiveService,
    key: ToyKey,
    *,
    provers: list[str] | None = None,
    colluding: bool = False,
) -> tuple[dict[str, int], int]:
    """Register the circuit, snapshot and every account's commitment; submit proofs.

    Only ``provers`` (default: every account) submit a proof; acct-2's is invalid from the
    start. Returns the proof ids by account and the snapshot hash the proofs carry.
    """
    rng = random.Random(11)
    snapshot_hash = _post_snapshot(service, colluding=colluding)
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
    chosen = set(ACCOUNTS if provers is None else provers)
    with ZkmClient(service.url, service.keys["trader"]) as trader:
        for account, proof, public in zip(ACCOUNTS, proofs, publics, strict=True):
            if account not in chosen:
                continue
            record = trader.submit_proof(account, EPOCH, "margin-v1", proof_to_json(proof), public)
            ids[account] = record.proof_id
            assert record.valid == (account != "acct-2")
    return ids, snapshot_hash


def _audit(
    service: LiveService, key: ToyKey, tmp_path: Path, *extra: str
) -> tuple[int, dict[str, object]]:
    """Run ``zkm audit --service`` as the auditor; return its exit code and JSON report."""
    vk = write_vk(tmp_path / "vk.json", key)
    report = tmp_path / "r.json"
    argv = [
        *("audit", "--vk", str(vk), "--service", service.url, "--epoch", str(EPOCH)),
        *("--report", str(report), "--api-key", service.keys["auditor"], "-q", *extra),
    ]
    code = main(argv)
    return code, json.loads(report.read_text())


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
    assert data["service"]["served_snapshot_hash"] == str(snapshot_hash)
    # the service still counts acct-5 and acct-8 compliant on its stored verdicts
    assert data["findings"] == [
        "the service reports 11 compliant account(s); the audit finds a valid proof for only 9"
    ]
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


def test_service_audit_recomputes_the_snapshot_hash_and_catches_a_colluding_service(
    live_service: LiveService, key: ToyKey, tmp_path: Path
) -> None:
    # The service stores the real snapshot under another snapshot's hash and accepts proofs
    # made at the other prices: every record agrees with every other, and the service calls
    # all but acct-2's proof valid. Only re-hashing the snapshot it serves shows the lie.
    ids, other_hash = _populate(live_service, key, colluding=True)
    real_hash = canonical_snapshot(tiny_snapshot_json(EPOCH))[1]
    assert other_hash != real_hash
    code, data = _audit(live_service, key, tmp_path)
    assert code == 1
    assert data["verdict"] == "invalid proofs found"
    service = data["service"]
    assert isinstance(service, dict)
    assert service["served_snapshot_hash"] == str(other_hash)
    assert service["snapshot_hash"] == str(real_hash)
    findings = data["findings"]
    assert isinstance(findings, list) and len(findings) == 2
    assert "snapshot hash mismatch" in findings[0]
    assert str(other_hash) in findings[0] and str(real_hash) in findings[0]
    assert findings[1] == (
        "the service reports 11 compliant account(s); the audit finds a valid proof for only 0"
    )
    invalid = data["invalid"]
    assert isinstance(invalid, list) and len(invalid) == len(ACCOUNTS)
    statements = [e for e in invalid if e["kind"] == "statement"]
    assert len(statements) == len(ACCOUNTS)
    assert all("recomputed by the auditor" in e["reason"] for e in statements)
    coverage = data["coverage"]
    assert isinstance(coverage, dict)
    assert (coverage["valid"], coverage["invalid"], coverage["missing"]) == (0, 12, 0)
    assert str(data["headline"]).endswith("· 2 finding(s) against the service")
    assert sorted(ids) == sorted(ACCOUNTS)


def test_service_audit_with_a_snapshot_that_is_not_valid_is_a_finding(
    live_service: LiveService, key: ToyKey, tmp_path: Path
) -> None:
    _populate(live_service, key)
    engine = live_service.app.state.zkm.engine  # type: ignore[attr-defined]
    with engine.begin() as connection:
        connection.execute(text("UPDATE snapshots SET snapshot = :s"), {"s": json.dumps({})})
    code, data = _audit(live_service, key, tmp_path)
    assert code == 1
    findings = data["findings"]
    assert isinstance(findings, list) and "not a valid market snapshot" in findings[0]
    invalid = data["invalid"]
    assert isinstance(invalid, list)
    assert {e["kind"] for e in invalid} == {"statement"}
    assert all("not a valid market snapshot" in e["reason"] for e in invalid)


PROVERS = ACCOUNTS[:7]
"""Seven of the twelve registered accounts prove (acct-2 with an invalid proof); five never do."""


def test_service_audit_reports_coverage_of_registered_accounts(
    live_service: LiveService, key: ToyKey, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _populate(live_service, key, provers=PROVERS)
    html = tmp_path / "audit.html"
    code, data = _audit(live_service, key, tmp_path, "--html", str(html))
    assert code == 1  # acct-2's proof is invalid
    missing = sorted(set(ACCOUNTS) - set(PROVERS))
    assert data["coverage"] == {
        "registered_accounts": 12,
        "valid": 6,
        "invalid": 1,
        "missing": 5,
        "missing_accounts": missing,
        "unnamed_missing": 0,
        "invalid_accounts": ["acct-2"],
    }
    assert data["findings"] == []
    assert data["headline"] == (
        "1 of 7 proofs invalid · 6 of 12 registered accounts proven valid · 1 invalid · 5 missing"
    )
    out = capsys.readouterr().out
    assert "6 of 12 registered accounts proven valid" in out
    assert "MISSING " + ", ".join(missing) in out


def test_service_audit_of_valid_proofs_still_counts_missing_accounts(
    live_service: LiveService, key: ToyKey, tmp_path: Path
) -> None:
    # The demo's shape: every proof submitted is valid, yet 5 registered accounts never
    # proved; "All 6 proofs valid" alone would hide them.
    provers = [a for a in PROVERS if a != "acct-2"]
    _populate(live_service, key, provers=provers)
    code, data = _audit(live_service, key, tmp_path)
    assert code == 0
    assert data["verdict"] == "all valid"
    assert data["headline"] == (
        "All 6 proofs valid · 6 of 12 registered accounts proven valid · 0 invalid · 6 missing"
    )
    coverage = data["coverage"]
    assert isinstance(coverage, dict) and "acct-2" in coverage["missing_accounts"]


def test_service_audit_html_shows_coverage_findings_and_readable_circuits_in_chromium(
    live_service: LiveService, key: ToyKey, tmp_path: Path
) -> None:
    chromium = require_executable("chromium")
    _populate(live_service, key, provers=[a for a in PROVERS if a != "acct-2"], colluding=True)
    page = tmp_path / "audit.html"
    code, _ = _audit(live_service, key, tmp_path, "--html", str(page))
    assert code == 1
    dom = Elements()
    dom.feed(dump_dom(chromium, page, tmp_path / "profile"))
    verdict = dom.text_by_id["verdict"]
    assert "6 of 12 registered accounts proven" not in verdict  # all are statement-invalid
    assert "0 of 12 registered accounts proven valid · 6 invalid · 6 missing" in verdict
    assert "2 finding(s) against the service" in verdict
    assert dom.find("header", class_="verdict bad")
    assert "snapshot hash mismatch" in dom.text_by_id["findings"]
    missing = dom.text_by_id["coverage-missing-accounts"]
    for account in [*sorted(set(ACCOUNTS) - set(PROVERS)), "acct-2"]:
        assert account in missing
    circuits = dom.text_by_id["service-circuits"]
    assert "margin-v1: " + key.vk.fingerprint() in circuits
    assert "{" not in circuits and "'" not in circuits
