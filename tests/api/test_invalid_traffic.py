"""Bounded invalid traffic: one invalid record per statement, a cap per (account, epoch)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.conftest import Harness, make_harness
from tests.api.fixtures import SimulatingKey, tiny_snapshot_json

CIRCUIT = "margin-v1"
EPOCH = 5
CAP = 3


@pytest.fixture
def capped(database_url: str, simulating_key: SimulatingKey) -> Iterator[tuple[Harness, int]]:
    """(harness with a cap of 3 invalid records, snapshot_hash); acct-1/2 committed at epoch 5.

    The circuit is declared the margin circuit: proofs against an undeclared one are 422.
    """
    for h in make_harness(database_url, max_invalid_per_account_epoch=CAP):
        body: dict[str, Any] = {"circuit_id": CIRCUIT, "verifying_key": simulating_key.vk_json}
        response = h.client.post("/v1/circuits", json=body, headers=h.headers("admin"))
        assert response.status_code == 201
        h.declare(CIRCUIT)
        for account, value in (("acct-1", 1111), ("acct-2", 2222)):
            body = {"account_id": account, "epoch": EPOCH, "commitment": str(value)}
            assert (
                h.client.post("/v1/commitments", json=body, headers=h.headers("venue")).status_code
                == 201
            )
        body = {"epoch": EPOCH, "snapshot": tiny_snapshot_json(EPOCH)}
        response = h.client.post("/v1/snapshots", json=body, headers=h.headers("oracle"))
        assert response.status_code == 201
        yield h, int(response.json()["snapshot_hash"])


def _submit(
    h: Harness, public: list[int], proof: dict[str, Any], account: str = "acct-1"
) -> tuple[int, dict[str, Any]]:
    body = {
        "account_id": account,
        "epoch": EPOCH,
        "circuit_id": CIRCUIT,
        "proof": proof,
        "public_inputs": [str(x) for x in public],
    }
    response = h.client.post("/v1/proofs", json=body, headers=h.headers("trader"))
    return response.status_code, response.json()


def _exported(h: Harness) -> list[str]:
    response = h.client.get(f"/v1/epochs/{EPOCH}/proofs", headers=h.headers("auditor"))
    return [line for line in response.text.splitlines() if line]


def test_invalid_submissions_are_deduplicated_by_statement_not_proof_bytes(
    capped: tuple[Harness, int], simulating_key: SimulatingKey
) -> None:
    h, snapshot_hash = capped
    public = [1111, snapshot_hash, 0, 1_000_000]
    answers = []
    for i in range(20):
        # A different (well-formed, wrong) proof each time: bytes differ, statement does not.
        wrong = simulating_key.prove([1111, snapshot_hash, 0, 2_000_000 + i])
        answers.append(_submit(h, public, wrong))
    first_status, first = answers[0]
    assert first_status == 201 and first["valid"] is False and first["replay"] is False
    for status, answer in answers[1:]:
        assert status == 200 and answer["replay"] is True
        assert answer["proof_id"] == first["proof_id"] and answer["valid"] is False
    assert len(_exported(h)) == 1
    # The statement can still be proven: a valid proof is recorded next to the invalid one.
    status, answer = _submit(h, public, simulating_key.prove(public))
    assert status == 201 and answer["valid"] is True
    assert len(_exported(h)) == 2


def test_invalid_submissions_per_account_and_epoch_are_capped_with_429(
    capped: tuple[Harness, int], simulating_key: SimulatingKey
) -> None:
    h, snapshot_hash = capped
    wrong = simulating_key.prove([1, 2, 3, 4])
    for i in range(CAP):
        status, answer = _submit(h, [1111, snapshot_hash, 0, 1_000_000 + i], wrong)
        assert status == 201 and answer["valid"] is False
    public = [1111, snapshot_hash, 0, 1_000_000 + CAP]
    status, answer = _submit(h, public, wrong)
    assert status == 429 and "invalid submissions" in answer["detail"]
    # Refused before any pairing, valid or not, and nothing more is stored.
    assert _submit(h, public, simulating_key.prove(public))[0] == 429
    assert len(_exported(h)) == CAP
    # Another account of the same epoch is not affected.
    other = [2222, snapshot_hash, 0, 1_000_000]
    status, answer = _submit(h, other, simulating_key.prove(other), account="acct-2")
    assert status == 201 and answer["valid"] is True
