"""``zkm audit --service`` checks the epoch snapshot's signature from what the service serves.

A risk-desk snapshot is posted signed through the real API; the stored signature, inputs
or metadata are then altered behind the service's back, which only an independent check
of the signature notices: each is a finding (exit 1) naming what fails.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from algebra.backend import get_backend
from api.auth import Role
from api.client import ZkmClient
from api.models import utc_now
from tests.audit.fixtures import margin_key, write_vk
from tests.riskdesk.helpers import MARKET_TINY, POLICY_TINY, raw
from tests.verifier.vectors import toy_proofs
from verifier.snarkjs_json import proof_to_json, verifying_key_to_json
from zkmargin.cli import main
from zkmargin.demo.server import InProcessService
from zkmargin.riskdesk.build import build_snapshot
from zkmargin.riskdesk.loading import load_market, load_policy
from zkmargin.riskdesk.signing import generate_key_pair, sign_snapshot

EPOCH = 3


@pytest.fixture
def signed_service(tmp_path: Path) -> Iterator[tuple[InProcessService, str]]:
    """A live service holding a signed snapshot for EPOCH; yields it and an auditor key."""
    with InProcessService(f"sqlite:///{tmp_path / 'zkm.db'}", tmp_path / "log") as service:
        oracle = service.issue_key(Role.ORACLE, markets=["default"])
        private, public = generate_key_pair()
        with ZkmClient(service.url, service.issue_key(Role.ADMIN)) as admin:
            admin.open_epoch(EPOCH)
            admin.register_signing_key(oracle.split("_")[1], public.decode())
        market, policy = load_market(MARKET_TINY), load_policy(POLICY_TINY)
        snapshot = build_snapshot(market, policy, EPOCH).snapshot
        meta = sign_snapshot(snapshot, market, policy, private)
        signed = {
            "metadata": meta.model_dump(mode="json"),
            "market_inputs": raw(MARKET_TINY),
            "policy": raw(POLICY_TINY),
        }
        with ZkmClient(service.url, oracle) as client:
            posted = client.post_snapshot(EPOCH, snapshot.model_dump(mode="json"), signed)
        _prove_one(service, int(posted.snapshot_hash))
        yield service, service.issue_key(Role.AUDITOR)


def _prove_one(service: InProcessService, snapshot_hash: int) -> None:
    """Register the toy margin circuit, one account's C, and submit a valid proof for it."""
    key, commitment = margin_key(), 12345
    public = [commitment, snapshot_hash, 0, 1_000_000]
    (proof,) = toy_proofs(get_backend("native"), key, [public], seed=3)
    with ZkmClient(service.url, service.issue_key(Role.ADMIN)) as admin:
        admin.register_circuit("margin-v1", verifying_key_to_json(key.vk), margin=True)
        admin.declare_margin_circuit("margin-v1", from_epoch=EPOCH, to_epoch=EPOCH)
        admin.enroll_accounts("v", ["acct-1"])
    with ZkmClient(service.url, service.issue_key(Role.VENUE, venue="v")) as venue:
        venue.register_commitment("acct-1", EPOCH, commitment)
    trader = service.issue_key(Role.TRADER, accounts=["acct-1"])
    with ZkmClient(service.url, trader) as client:
        assert client.submit_proof("acct-1", EPOCH, "margin-v1", proof_to_json(proof), public).valid


def _audit(
    service: InProcessService, auditor: str, tmp_path: Path
) -> tuple[int, dict[str, object]]:
    vk = write_vk(tmp_path / "vk.json", margin_key())
    report = tmp_path / "report.json"
    args = ["audit", "--vk", str(vk), "--service", service.url, "--epoch", str(EPOCH)]
    code = main([*args, "--api-key", auditor, "--report", str(report), "--quiet"])
    return code, json.loads(report.read_text())


def _update(service: InProcessService, assignment: str, **values: object) -> None:
    with service.state.engine.begin() as connection:
        connection.execute(text(f"UPDATE snapshots SET {assignment} WHERE epoch = {EPOCH}"), values)


def _stored_metadata(service: InProcessService) -> dict[str, object]:
    with service.state.engine.begin() as connection:
        stored: str = connection.execute(text("SELECT signed_metadata FROM snapshots")).scalar_one()
    value: dict[str, object] = json.loads(stored)
    return value


def test_audit_reports_a_valid_snapshot_signature(
    signed_service: tuple[InProcessService, str], tmp_path: Path
) -> None:
    code, report = _audit(*signed_service, tmp_path)
    assert code == 0
    service_part = report["service"]
    assert isinstance(service_part, dict)
    assert service_part["snapshot_signature"]["status"] == "valid"
    assert report["findings"] == []
    counts = report["counts"]
    assert isinstance(counts, dict) and counts["valid"] == 1


def test_export_lines_name_the_snapshot_signer_and_signature(
    signed_service: tuple[InProcessService, str],
) -> None:
    service, auditor = signed_service
    meta = _stored_metadata(service)
    with ZkmClient(service.url, auditor) as client:
        (line,) = list(client.epoch_proofs(EPOCH))
    assert line.snapshot_signer_key_id == meta["signer_key_id"]
    assert line.snapshot_signature == meta["signature"]


def test_audit_finds_a_signature_altered_behind_the_service(
    signed_service: tuple[InProcessService, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    service, auditor = signed_service
    meta = _stored_metadata(service)
    signature = str(meta["signature"])
    meta["signature"] = ("A" if signature[0] != "A" else "B") + signature[1:]
    _update(service, "signed_metadata = :m", m=json.dumps(meta))
    code, report = _audit(service, auditor, tmp_path)
    assert code == 1
    assert report["verdict"] == "findings against the service"
    assert report["findings"] == [
        f"epoch {EPOCH} snapshot signature: the signature does not verify"
    ]
    assert "FINDING epoch 3 snapshot signature" in capsys.readouterr().out


def test_audit_finds_market_inputs_altered_behind_the_service(
    signed_service: tuple[InProcessService, str], tmp_path: Path
) -> None:
    service, auditor = signed_service
    inputs = dict(raw(MARKET_TINY))
    inputs["label"] = "rewritten"
    _update(service, "market_inputs = :m", m=json.dumps(inputs))
    code, report = _audit(service, auditor, tmp_path)
    assert code == 1
    assert report["findings"] == [
        f"epoch {EPOCH} snapshot signature: the market inputs differs from the one signed"
    ]


def test_audit_finds_a_claimed_signature_that_is_missing(
    signed_service: tuple[InProcessService, str], tmp_path: Path
) -> None:
    service, auditor = signed_service
    _update(service, "signed_metadata = NULL")
    code, report = _audit(service, auditor, tmp_path)
    assert code == 1
    findings = report["findings"]
    assert isinstance(findings, list) and "is missing" in findings[0]


def _revoke_signer(service: InProcessService) -> str:
    """Revoke the snapshot's signing key through the API; return its revocation time (ISO)."""
    signer = str(_stored_metadata(service)["signer_key_id"])
    with ZkmClient(service.url, service.issue_key(Role.ADMIN)) as admin:
        revoked = admin.revoke_signing_key(signer).revoked_at
    assert revoked is not None
    return revoked.isoformat()


def test_audit_notes_a_signer_revoked_after_the_snapshot_was_accepted(
    signed_service: tuple[InProcessService, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A key retired or leaked later is reported beside the valid signature, not a finding."""
    service, auditor = signed_service
    revoked_at = _revoke_signer(service)
    code, report = _audit(service, auditor, tmp_path)
    assert code == 0 and report["findings"] == []
    service_part = report["service"]
    assert isinstance(service_part, dict)
    signature = service_part["snapshot_signature"]
    assert signature["status"] == "valid" and signature["signer_revoked_at"] == revoked_at
    out = capsys.readouterr().out
    assert f"NOTE the snapshot's signing key {signature['signer_key_id']} was revoked at" in out


def test_audit_finds_a_snapshot_dated_after_its_signers_revocation(
    signed_service: tuple[InProcessService, str], tmp_path: Path
) -> None:
    """The service accepts nothing a revoked key signed: a snapshot record dated after the
    revocation was written behind it."""
    from datetime import timedelta

    service, auditor = signed_service
    _revoke_signer(service)
    _update(service, "created_at = :t", t=utc_now() + timedelta(minutes=5))
    code, report = _audit(service, auditor, tmp_path)
    assert code == 1
    findings = report["findings"]
    assert isinstance(findings, list) and len(findings) == 1
    assert "at or after its signing key's revocation" in findings[0]


def test_an_export_line_naming_another_signature_is_a_finding() -> None:
    """The export and the provenance come from one record; if they disagree, say so."""
    from typing import cast

    from api.schemas import ProofExport
    from zkmargin.audit.service_source import ServiceEpoch
    from zkmargin.audit.snapshot_signature import SignatureCheck

    pulled = ServiceEpoch(client=cast(ZkmClient, None), epoch=EPOCH, vk=margin_key().vk, url="u")
    pulled.signature = SignatureCheck(True, "a" * 32, None, "c2lnbmF0dXJl")
    line = ProofExport(
        proof_id=1,
        account_id="acct-1",
        epoch=EPOCH,
        circuit_id="margin-v1",
        valid=True,
        public_inputs=["1"],
        proof={},
        created_at=utc_now(),
        snapshot_signer_key_id="a" * 32,
        snapshot_signature="b3RoZXI=",
    )
    pulled._check_export_signature(line)
    assert pulled.signature_findings() == [
        f"epoch {EPOCH}: the export names another snapshot signer or signature than the"
        " snapshot's provenance"
    ]
