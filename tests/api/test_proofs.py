"""Proof submission: statement checks before pairing, verdicts, idempotency, status, export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from algebra.constants import FIELD_MODULUS_Q
from tests.api.conftest import Harness, make_harness
from tests.api.fixtures import SimulatingKey, tamper, tiny_snapshot_json

CIRCUIT = "margin-v1"


def _setup(h: Harness, key: SimulatingKey, commitments: dict[str, int], epoch: int) -> None:
    body = {"circuit_id": CIRCUIT, "verifying_key": key.vk_json}
    assert h.client.post("/v1/circuits", json=body, headers=h.headers("admin")).status_code == 201
    h.declare(CIRCUIT)
    for account, value in commitments.items():
        body = {"account_id": account, "epoch": epoch, "commitment": str(value)}
        response = h.client.post("/v1/commitments", json=body, headers=h.headers("venue"))
        assert response.status_code == 201


def _submit(
    h: Harness,
    key: SimulatingKey,
    public: list[int],
    *,
    account: str = "acct-1",
    epoch: int = 5,
    proof: dict[str, Any] | None = None,
    circuit: str = CIRCUIT,
) -> tuple[int, dict[str, Any]]:
    body = {
        "account_id": account,
        "epoch": epoch,
        "circuit_id": circuit,
        "proof": proof if proof is not None else key.prove(public),
        "public_inputs": [str(x) for x in public],
    }
    response = h.client.post("/v1/proofs", json=body, headers=h.headers("trader"))
    return response.status_code, response.json()


def test_submission_is_refused_before_verification_without_registered_state(
    harness: Harness, simulating_key: SimulatingKey
) -> None:
    _setup(harness, simulating_key, {"acct-1": 1111}, epoch=5)
    status, body = _submit(harness, simulating_key, [1111, 9, 0, 1_000_000], account="acct-2")
    assert (status, body["detail"]) == (422, "no commitment registered for acct-2 at epoch 5")
    status, body = _submit(harness, simulating_key, [1112, 9, 0, 1_000_000])
    assert status == 422 and "differs from the commitment" in body["detail"]
    status, body = _submit(harness, simulating_key, [1111, 9, 0, 1_000_000])
    assert (status, body["detail"]) == (422, "no snapshot posted for epoch 5")
    status, body = _submit(harness, simulating_key, [1111, 9, 0, 1_000_000], circuit="other")
    assert status == 422 and "not registered" in body["detail"]
    status, body = _submit(
        harness, simulating_key, [1111, 9, 0], proof=simulating_key.prove([1, 2, 3, 4])
    )
    assert status == 422 and "expected 4 public inputs" in body["detail"]
    bad = simulating_key.prove([1111, 9, 0, 1_000_000])
    bad["pi_b"][0][0] = str(FIELD_MODULUS_Q)
    status, body = _submit(harness, simulating_key, [1111, 9, 0, 1_000_000], proof=bad)
    assert status == 422 and "pi_b" in body["detail"]
    assert (
        harness.client.get("/v1/audit", headers=harness.headers("auditor")).json()[-1]["action"]
        == "commitment.register"
    )


def test_non_margin_circuit_is_refused_for_submissions(harness: Harness) -> None:
    key = SimulatingKey.generate(seed=5)
    body = {"circuit_id": "generic", "verifying_key": key.vk_json, "margin": False}
    assert (
        harness.client.post("/v1/circuits", json=body, headers=harness.headers("admin")).status_code
        == 201
    )
    status, answer = _submit(harness, key, [1, 2, 0, 1_000_000], circuit="generic")
    assert status == 422 and "not a margin circuit" in answer["detail"]


@pytest.fixture(scope="module")
def sample_snapshot() -> dict[str, Any]:
    """A small valid market snapshot (requires circuits.margin)."""
    return tiny_snapshot_json(epoch=5)


@pytest.fixture
def posted(
    storage_harness: Harness, simulating_key: SimulatingKey, sample_snapshot: dict[str, Any]
) -> Iterator[tuple[Harness, int, int]]:
    """(harness, epoch, snapshot_hash): snapshot posted, acct-1 and acct-2 committed."""
    h = storage_harness
    epoch = int(sample_snapshot.get("epoch", 5))
    _setup(h, simulating_key, {"acct-1": 1111, "acct-2": 2222}, epoch=epoch)
    body = {"epoch": epoch, "snapshot": sample_snapshot}
    response = h.client.post("/v1/snapshots", json=body, headers=h.headers("oracle"))
    assert response.status_code == 201, response.text
    yield h, epoch, int(response.json()["snapshot_hash"])


def test_snapshot_is_hashed_by_the_service_and_immutable(
    posted: tuple[Harness, int, int], sample_snapshot: dict[str, Any]
) -> None:
    from circuits.margin.commitment import snapshot_hash
    from circuits.margin.loading import load_snapshot

    h, epoch, digest = posted
    assert digest == snapshot_hash(load_snapshot(sample_snapshot))
    again = h.client.post(
        "/v1/snapshots",
        json={"epoch": epoch, "snapshot": sample_snapshot},
        headers=h.headers("oracle"),
    )
    assert again.status_code == 200 and int(again.json()["snapshot_hash"]) == digest
    changed = json.loads(json.dumps(sample_snapshot))
    changed["timestamp"] = int(changed.get("timestamp", 0)) + 1
    conflict = h.client.post(
        "/v1/snapshots", json={"epoch": epoch, "snapshot": changed}, headers=h.headers("oracle")
    )
    assert conflict.status_code == 409
    wrong_epoch = h.client.post(
        "/v1/snapshots",
        json={"epoch": epoch + 1, "snapshot": sample_snapshot},
        headers=h.headers("oracle"),
    )
    assert wrong_epoch.status_code == 422
    read = h.client.get(f"/v1/snapshots/{epoch}", headers=h.headers("trader")).json()
    assert int(read["snapshot_hash"]) == digest
    garbage = h.client.post(
        "/v1/snapshots",
        json={"epoch": 77, "snapshot": {"nonsense": True}},
        headers=h.headers("oracle"),
    )
    assert garbage.status_code == 422


def test_valid_submission_is_recorded_and_resubmission_is_idempotent(
    posted: tuple[Harness, int, int], simulating_key: SimulatingKey
) -> None:
    h, epoch, digest = posted
    public = [1111, digest, 1, 1_250_000]
    status, first = _submit(h, simulating_key, public, epoch=epoch)
    assert status == 201, first
    assert first["valid"] is True and first["replay"] is False
    status, again = _submit(h, simulating_key, public, epoch=epoch)
    assert status == 200 and again["replay"] is True and again["proof_id"] == first["proof_id"]
    # Different proof bytes for the same statement are not a new record (malleability).
    status, other = _submit(
        h, simulating_key, public, epoch=epoch, proof=tamper(simulating_key.prove(public))
    )
    assert status == 200 and other["proof_id"] == first["proof_id"]
    answer = h.client.get(
        "/v1/accounts/acct-1/status", params={"epoch": epoch}, headers=h.headers("clearing")
    ).json()
    assert answer["status"] == "compliant"
    assert (answer["requirement_kind"], answer["buffer_ppm"]) == (1, 1_250_000)
    assert answer["proof_id"] == first["proof_id"] and answer["verified_at"]


def test_submission_reply_is_the_stored_record_with_its_audit_entry(
    posted: tuple[Harness, int, int], simulating_key: SimulatingKey
) -> None:
    h, epoch, digest = posted
    public = [2222, digest, 0, 1_000_000]
    status, created = _submit(h, simulating_key, public, account="acct-2", epoch=epoch)
    assert status == 201, created
    stored = h.client.get(f"/v1/proofs/{created['proof_id']}", headers=h.headers("trader"))
    assert stored.json() == created
    status, replay = _submit(h, simulating_key, public, account="acct-2", epoch=epoch)
    assert status == 200 and replay == {**created, "replay": True}
    entries = h.client.get("/v1/audit", headers=h.headers("auditor")).json()
    submits = [e for e in entries if e["action"] == "proof.submit"]
    assert len(submits) == 1 and submits[0]["target"] == f"account=acct-2 epoch={epoch}"
    assert submits[0]["detail"]["proof_id"] == created["proof_id"]
    assert submits[0]["detail"]["valid"] is True


def test_invalid_proof_is_recorded_as_non_compliant(
    posted: tuple[Harness, int, int], simulating_key: SimulatingKey
) -> None:
    h, epoch, digest = posted
    public = [2222, digest, 0, 1_000_000]
    status, verdict = _submit(
        h,
        simulating_key,
        public,
        account="acct-2",
        epoch=epoch,
        proof=tamper(simulating_key.prove(public)),
    )
    assert status == 201 and verdict["valid"] is False
    report = h.client.get(f"/v1/epochs/{epoch}/report", headers=h.headers("auditor")).json()
    assert report["non_compliant_accounts"] == ["acct-2"]
    assert report["missing_accounts"] == ["acct-1"]
    assert (report["accounts"], report["compliant"]) == (2, 0)
    status, fixed = _submit(h, simulating_key, public, account="acct-2", epoch=epoch)
    assert status == 201 and fixed["valid"] is True
    answer = h.client.get(
        "/v1/accounts/acct-2/status", params={"epoch": epoch}, headers=h.headers("auditor")
    ).json()
    assert answer["status"] == "compliant"


def test_statement_must_match_snapshot_and_policy(
    posted: tuple[Harness, int, int], simulating_key: SimulatingKey
) -> None:
    h, epoch, digest = posted
    cases = {
        "snapshot_hash differs": [1111, digest + 1, 0, 1_000_000],
        "requirement_kind 2 is not accepted": [1111, digest, 2, 1_000_000],
        "buffer_ppm 999999 is outside policy": [1111, digest, 0, 999_999],
    }
    for expected, public in cases.items():
        status, body = _submit(h, simulating_key, public, epoch=epoch)
        assert status == 422 and expected in body["detail"], body


def test_policy_is_configurable(
    tmp_path: Path, simulating_key: SimulatingKey, sample_snapshot: dict[str, Any]
) -> None:
    for h in make_harness(
        f"sqlite:///{tmp_path}/p.db", allowed_kinds=[1], min_buffer_ppm=1_200_000
    ):
        epoch = int(sample_snapshot.get("epoch", 5))
        _setup(h, simulating_key, {"acct-1": 1111}, epoch=epoch)
        posted = h.client.post(
            "/v1/snapshots",
            json={"epoch": epoch, "snapshot": sample_snapshot},
            headers=h.headers("oracle"),
        ).json()
        digest = int(posted["snapshot_hash"])
        assert _submit(h, simulating_key, [1111, digest, 0, 1_300_000], epoch=epoch)[0] == 422
        assert _submit(h, simulating_key, [1111, digest, 1, 1_100_000], epoch=epoch)[0] == 422
        assert _submit(h, simulating_key, [1111, digest, 1, 1_200_000], epoch=epoch)[0] == 201


def test_epoch_export_streams_every_proof_as_json_lines(
    posted: tuple[Harness, int, int], simulating_key: SimulatingKey
) -> None:
    h, epoch, digest = posted
    publics = [[1111, digest, 0, 1_000_000], [2222, digest, 0, 1_000_000]]
    for account, public in zip(("acct-1", "acct-2"), publics, strict=True):
        assert _submit(h, simulating_key, public, account=account, epoch=epoch)[0] == 201
    response = h.client.get(f"/v1/epochs/{epoch}/proofs", headers=h.headers("auditor"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert [line["account_id"] for line in lines] == ["acct-1", "acct-2"]
    assert [line["public_inputs"] for line in lines] == [[str(x) for x in p] for p in publics]
    assert lines[0]["proof"]["pi_a"] == simulating_key.prove(publics[0])["pi_a"]
    assert [line["registered_commitment"] for line in lines] == ["1111", "2222"]
