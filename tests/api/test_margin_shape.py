"""Custom-shape margin circuits in the service: the shape recorded at registration admits
snapshots of that shape past the budget, and proofs are checked against it naming the slot."""

from __future__ import annotations

from typing import Any

from circuits.margin.sizes import shape_of_json
from tests.api.conftest import Harness
from tests.api.fixtures import SimulatingKey, tiny_snapshot_json

EPOCH = 5
COMMITMENT = 4242


def _three_tier_snapshot() -> dict[str, Any]:
    snapshot = tiny_snapshot_json(EPOCH)
    snapshot["tier_slots"] = 3
    return snapshot


def _register(h: Harness, circuit_id: str, key: SimulatingKey, **extra: Any) -> Any:
    body = {"circuit_id": circuit_id, "verifying_key": key.vk_json, **extra}
    return h.client.post("/v1/circuits", json=body, headers=h.headers("admin"))


def _post_snapshot(h: Harness, snapshot: dict[str, Any]) -> Any:
    body = {"epoch": EPOCH, "snapshot": snapshot}
    return h.client.post("/v1/snapshots", json=body, headers=h.headers("oracle"))


def _submit(h: Harness, key: SimulatingKey, circuit_id: str, snapshot_hash: int) -> Any:
    public = [COMMITMENT, snapshot_hash, 0, 1_000_000]
    body = {
        "account_id": "acct-1", "epoch": EPOCH, "circuit_id": circuit_id,
        "proof": key.prove(public), "public_inputs": [str(x) for x in public],
    }  # fmt: skip
    return h.client.post("/v1/proofs", json=body, headers=h.headers("trader"))


def test_custom_shape_key_admits_its_snapshots_and_proves(harness: Harness) -> None:
    snapshot = _three_tier_snapshot()
    refused = _post_snapshot(harness, snapshot)
    assert refused.status_code == 422
    assert "tier_slots is 3; margin circuits take at most 2" in refused.json()["detail"]

    custom_key, named_key = SimulatingKey.generate(seed=31), SimulatingKey.generate(seed=32)
    shape = shape_of_json(snapshot)
    file_with_shape = {**custom_key.vk_json, "zkm_margin_shape": shape}
    body = {"circuit_id": "margin-t3", "verifying_key": file_with_shape}
    created = harness.client.post("/v1/circuits", json=body, headers=harness.headers("admin"))
    assert created.status_code == 201, created.text
    assert created.json()["margin_shape"] == shape
    named_shape = {**shape, "tier_slots": 2}
    assert _register(harness, "margin-t2", named_key, margin_shape=named_shape).status_code == 201

    posted = _post_snapshot(harness, snapshot)
    assert posted.status_code == 201, posted.text
    snapshot_hash = int(posted.json()["snapshot_hash"])
    body = {"account_id": "acct-1", "epoch": EPOCH, "commitment": str(COMMITMENT)}
    assert harness.client.post("/v1/commitments", json=body, headers=harness.headers("venue"))

    harness.declare("margin-t2")
    wrong = _submit(harness, named_key, "margin-t2", snapshot_hash)
    assert wrong.status_code == 422
    assert wrong.json()["detail"] == (
        "epoch 5's snapshot has 3 tier slots; the circuit was set up with 2 (--tier-slots 2):"
        " circuit 'margin-t2' cannot prove against it"
    )
    harness.declare("margin-t3")
    accepted = _submit(harness, custom_key, "margin-t3", snapshot_hash)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["valid"] is True


def test_retired_custom_circuits_no_longer_raise_the_ceiling(harness: Harness) -> None:
    snapshot = _three_tier_snapshot()
    key = SimulatingKey.generate(seed=33)
    assert _register(harness, "margin-t3", key, margin_shape=shape_of_json(snapshot)).is_success
    retired = harness.client.post(
        "/v1/circuits/margin-t3/retire", json={}, headers=harness.headers("admin")
    )
    assert retired.status_code in (200, 201), retired.text
    assert _post_snapshot(harness, snapshot).status_code == 422


def test_shape_registration_errors_are_422(harness: Harness) -> None:
    key = SimulatingKey.generate(seed=34)
    shape = shape_of_json(tiny_snapshot_json(EPOCH))
    contradicting = {**key.vk_json, "zkm_margin_shape": {**shape, "tier_slots": 4}}
    body = {"circuit_id": "c", "verifying_key": contradicting, "margin_shape": shape}
    answer = harness.client.post("/v1/circuits", json=body, headers=harness.headers("admin"))
    assert answer.status_code == 422 and "contradicts" in answer.json()["detail"]
    too_many = {**shape, "tier_slots": 9}
    assert _register(harness, "c", key, margin_shape=too_many).status_code == 422
    generic = _register(harness, "c", key, margin_shape=shape, margin=False)
    assert generic.status_code == 422 and "only a margin circuit" in generic.json()["detail"]
    unknown = _register(harness, "c", key, margin_shape={**shape, "extra": 1})
    assert unknown.status_code == 422
