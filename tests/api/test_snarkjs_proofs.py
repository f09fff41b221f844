"""Real proofs from the pinned snarkjs (margin-layout stand-in circuit) through the service."""

from __future__ import annotations

from circuits.margin.commitment import snapshot_hash
from circuits.margin.loading import load_snapshot
from tests.api.conftest import Harness
from tests.api.fixtures import (
    Statement,
    snarkjs_proofs,
    standin_circuit,
    tamper,
    tiny_snapshot_json,
)


def test_snarkjs_proofs_are_accepted_and_tampered_ones_rejected(harness: Harness) -> None:
    snapshot = tiny_snapshot_json(epoch=4)
    digest = snapshot_hash(load_snapshot(snapshot))
    circuit = standin_circuit()
    statements = [
        Statement(
            salt=7,
            equity=5_000_000,
            requirement=1_000_000,
            snapshot_hash=digest,
            requirement_kind=1,
            buffer_ppm=1_250_000,
        ),
        Statement(salt=8, equity=2_000_000, requirement=1_000_000, snapshot_hash=digest),
    ]
    proofs = snarkjs_proofs(circuit, statements)
    h = harness
    body = {"circuit_id": "standin", "verifying_key": circuit.vk_json}
    assert h.client.post("/v1/circuits", json=body, headers=h.headers("admin")).status_code == 201
    h.declare("standin")
    posted = h.client.post(
        "/v1/snapshots", json={"epoch": 4, "snapshot": snapshot}, headers=h.headers("oracle")
    ).json()
    assert int(posted["snapshot_hash"]) == digest
    for account, (_, public) in zip(("acct-1", "acct-2"), proofs, strict=True):
        commitment = {"account_id": account, "epoch": 4, "commitment": public[0]}
        assert (
            h.client.post(
                "/v1/commitments", json=commitment, headers=h.headers("venue")
            ).status_code
            == 201
        )
    for account, (proof, public) in zip(("acct-1", "acct-2"), proofs, strict=True):
        submission = {
            "account_id": account,
            "epoch": 4,
            "circuit_id": "standin",
            "proof": proof,
            "public_inputs": public,
        }
        response = h.client.post("/v1/proofs", json=submission, headers=h.headers("trader"))
        assert response.status_code == 201 and response.json()["valid"] is True, response.text
    items = [{"proof": p, "public_inputs": pub} for p, pub in proofs]
    items.append({"id": "forged", "proof": tamper(proofs[0][0]), "public_inputs": proofs[0][1]})
    result = h.client.post(
        "/v1/batch-verify",
        json={"circuit_id": "standin", "items": items},
        headers=h.headers("auditor"),
    ).json()
    assert result["valid"] == [True, True, False] and result["invalid"][0]["id"] == "forged"
    report = h.client.get("/v1/epochs/4/report", headers=h.headers("clearing")).json()
    assert (report["compliant"], report["missing"], report["non_compliant"]) == (2, 0, 0)
